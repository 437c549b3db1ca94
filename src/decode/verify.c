/*
 * verify.c — the decode family's CPU plan verifier.
 *
 * It checks the plan the way src/decode/kernel.cuh uses it, with no GPU:
 *   pairing    the K permutation: in each of the two mma steps of a K step,
 *              the A and B elements mma.m16n8k16 multiplies (the PTX ISA's
 *              fragment layout, written out here, not taken from the plan)
 *              are the same physical K column, every column of the step is
 *              multiplied once for each (row, column) of C, A's registers
 *              hold the tile's rows and B's the warp's columns of C;
 *   structure  the C fragment is the ISA's, registers 2h and 2h+1 adjacent
 *              columns (the kernel's float2 stores); A's rows come in halves
 *              of 8 as the kernel's uniform "row < M" tests assume; the
 *              warps of a block are every (warp_n, warp_k) once;
 *   layout     the partial sums in shared memory: one slot per (warp row
 *              along K, row, column), inside the block's shared memory,
 *              pairs contiguous and 8-byte aligned;
 *   order      K's parts: part(rank, wk) numbers a cluster's warp rows
 *              0..PARTS-1 in (rank, wk) order, and the parts' step ranges
 *              partition [0, steps) in that order, so the reduction (warp
 *              order in a block, rank order in the cluster) adds the parts
 *              in K order;
 *   cluster    the SPLIT_K blocks of a cluster (consecutive blockIdx.x)
 *              share a column group and the plan's rank is their hardware
 *              rank (blockIdx.x % SPLIT_K); every (group, rank) once;
 * and then the whole kernel walked on the CPU over small odd shapes: each
 * lane's loads (ring order), fragments, the mma (emulated from the ISA),
 * the partial sums in shared memory, the block's and the cluster's
 * reductions and the stores to C, all through the plan, on small-integer
 * data:
 *   loads      every element of B's N x K window is loaded exactly once, by
 *              the lane whose row it is (rows past N read row N-1, counted
 *              as redundant requests); nothing outside A or B is read; A's
 *              rows past M are never read (zeros in registers);
 *   coverage   every element of a block's M x BLOCK_N tile is reduced once
 *              by the block and once by its cluster; every element of C is
 *              written exactly once;
 *   execution  C equals a plain reference GEMM exactly.
 * It also reports, without failing, the bank conflicts of the partial-sum
 * stores and the redundant B requests.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/verify.h"

const tg_dplan_ops tg_dplan_real_ops = {
    tg_dplan_block,      tg_dplan_warp_n,     tg_dplan_warp_k,       tg_dplan_part,
    tg_dplan_part_begin, tg_dplan_b_row,      tg_dplan_a_half,       tg_dplan_a_row,
    tg_dplan_lane_k,     tg_dplan_a_word,     tg_dplan_b_word,       tg_dplan_frag_c,
    tg_dplan_red_offset, tg_dplan_block_elem, tg_dplan_cluster_elem,
};

/* ------------------------------------------------------------------------
 * The report: failures counted per check, the first few of each described
 * ---------------------------------------------------------------------- */

enum { CK_PAIRING, CK_STRUCTURE, CK_LAYOUT, CK_ORDER, CK_CLUSTER, CK_LOADS, CK_COVERAGE,
       CK_EXECUTION, CHECKS };
static const char *const check_names[CHECKS] = {"pairing", "structure", "layout",   "order",
                                                "cluster", "loads",     "coverage", "execution"};
typedef tg_report report; /* core.h: failures per check, the first few described */

/* ------------------------------------------------------------------------
 * The hardware, from the PTX ISA ("Matrix Fragments for mma.m16n8k16 with
 * floating point type"; not from the plan). Lane l = 4g + t.
 * ---------------------------------------------------------------------- */

/* A (16 x 16, row): element (r, k) is in lane 4(r%8) + (k%8)/2, register r/8 + 2(k/8), half k%2. */
static int isa_a_lane(int r, int k) { return r % 8 * 4 + k % 8 / 2; }
static int isa_a_reg(int r, int k) { return r / 8 + 2 * (k / 8); }
/* B (16 x 8, col): element (k, n) is in lane 4n + (k%8)/2, register k/8, half k%2. */
static int isa_b_lane(int k, int n) { return n * 4 + k % 8 / 2; }
static int isa_b_reg(int k) { return k / 8; }
/* C, D (16 x 8, fp32): register r of lane l is (l/4 + 8(r/2), 2(l%4) + r%2). */
static tg_drc isa_c(int lane, int r)
{
    tg_drc rc = {lane / 4 + r / 2 * 8, lane % 4 * 2 + r % 2};
    return rc;
}

/*
 * How the kernel (mma_step) builds A register R of m16 tile i in mma step
 * s: from the vector of half h = R % 2 (a0, a2: the tile's first 8 rows;
 * a1, a3: the next 8), register w = R / 2 of the step (ops->a_word).
 */
static int kernel_a_half_of(int reg) { return reg % 2; }
static int kernel_a_w_of(int reg) { return reg / 2; }

/* ------------------------------------------------------------------------
 * pairing, structure, layout, order, cluster: the plan's functions alone
 * ---------------------------------------------------------------------- */

static void check_pairing(const tg_dtile *t, const tg_dplan_ops *ops, report *r)
{
    for (int lane = 0; lane < TG_D_WARP_SIZE; lane++) {
        const int lk = ops->lane_k(lane);
        if (lk < 0 || lk + TG_D_VEC_ELEMS > TG_D_K_STEP || lk % TG_D_VEC_ELEMS)
            tg_report_fail(r, CK_PAIRING,
                           "lane %d's vector starts at column %d of a %d-column step: not a "
                           "whole, 16-byte aligned vector inside it",
                           lane, lk, TG_D_K_STEP);
        for (int i = 0; i < tg_dplan_m_tiles(t); i++)
            for (int h = 0; h < 2; h++)
                if (ops->a_row(i, h, lane) != i * TG_D_MMA_M + h * 8 + lane / 4)
                    tg_report_fail(r, CK_PAIRING,
                                   "lane %d loads A row %d for m16 tile %d, half %d; its "
                                   "registers a%d, a%d hold row %d of the tile (row %d)",
                                   lane, ops->a_row(i, h, lane), i, h, h, h + 2, h * 8 + lane / 4,
                                   i * TG_D_MMA_M + h * 8 + lane / 4);
        for (int wn = 0; wn < t->warps_n; wn++)
            for (int j = 0; j < tg_dplan_n_tiles(t); j++) {
                const int64_t want = 3 * (int64_t)tg_dplan_block_n(t) + wn * t->reg_block_n +
                    j * TG_D_MMA_N + lane / 4;
                if (ops->b_row(t, 3, wn, j, lane) != want)
                    tg_report_fail(
                        r, CK_PAIRING,
                        "group 3, warp_n %d, n8 tile %d: lane %d streams B row "
                        "%lld, but its b0, b1 are column %d of the tile, which the kernel stores "
                        "to C column %lld",
                        wn, j, lane, (long long)ops->b_row(t, 3, wn, j, lane), lane / 4,
                        (long long)want);
            }
    }
    for (int s = 0; s < TG_D_MMAS_PER_STEP; s++)
        for (int w = 0; w < 2; w++) {
            const int aw = ops->a_word(s, w), bw = ops->b_word(s, w);
            if (aw < 0 || aw > 3 || bw < 0 || bw > 3) {
                tg_report_fail(r, CK_PAIRING,
                               "mma step %d, register %d: word %d of A's vector, %d of B's: "
                               "a 16-byte vector has words 0..3",
                               s, w, aw, bw);
                return;
            }
        }
    /* Every (row r of A, column n of B): the 2 x 16 products of a K step. */
    for (int row = 0; row < TG_D_MMA_M; row++)
        for (int n = 0; n < TG_D_MMA_N; n++) {
            uint32_t columns = 0;
            for (int s = 0; s < TG_D_MMAS_PER_STEP; s++)
                for (int k = 0; k < TG_D_MMA_K; k++) {
                    const int la = isa_a_lane(row, k), ra = isa_a_reg(row, k);
                    const int lb = isa_b_lane(k, n), rb = isa_b_reg(k);
                    const int ka = ops->lane_k(la) + 2 * ops->a_word(s, kernel_a_w_of(ra)) + k % 2;
                    const int kb = ops->lane_k(lb) + 2 * ops->b_word(s, rb) + k % 2;
                    if (ka != kb)
                        tg_report_fail(r, CK_PAIRING,
                                       "mma step %d multiplies A(%d, k %d), K column %d of the "
                                       "step, by B(k %d, %d), K column %d",
                                       s, row, k, ka, k, n, kb);
                    else if (ka >= 0 && ka < TG_D_K_STEP)
                        columns |= 1u << ka;
                }
            if (columns != 0xffffffffu)
                tg_report_fail(r, CK_PAIRING,
                               "C(%d, %d): the two mma steps of a K step multiply columns "
                               "0x%08x of its 32, not each once",
                               row, n, columns);
        }
}

static void check_structure(const tg_dtile *t, const tg_dplan_ops *ops, report *r)
{
    for (int lane = 0; lane < TG_D_WARP_SIZE; lane++)
        for (int reg = 0; reg < 4; reg++) {
            const tg_drc f = ops->frag_c(lane, reg), want = isa_c(lane, reg);
            if (f.row != want.row || f.col != want.col)
                tg_report_fail(r, CK_STRUCTURE,
                               "lane %d register %d of the accumulator is C(%d, %d) of the "
                               "m16n8 tile (the ISA), the plan says (%d, %d)",
                               lane, reg, want.row, want.col, f.row, f.col);
            if (reg % 2 == 1) {
                const tg_drc e = ops->frag_c(lane, reg - 1);
                if (f.row != e.row || f.col != e.col + 1 || e.col % 2)
                    tg_report_fail(r, CK_STRUCTURE,
                                   "lane %d: registers %d, %d are (%d,%d), (%d,%d): not an "
                                   "even column and the next, as the kernel's float2 stores assume",
                                   lane, reg - 1, reg, e.row, e.col, f.row, f.col);
            }
        }
    if (ops->a_half(0, 0) != 0)
        tg_report_fail(r, CK_STRUCTURE, "half (0, 0) of A is %d: the kernel counts halves from 0",
                       ops->a_half(0, 0));
    for (int lane = 0; lane < TG_D_WARP_SIZE; lane++) {
        const int first = ops->a_row(0, 0, lane);
        if (first < 0 || first >= 8)
            tg_report_fail(r, CK_STRUCTURE, "lane %d's row of half 0 is %d, not one of its 8 rows",
                           lane, first);
        for (int i = 0; i < tg_dplan_m_tiles(t); i++)
            for (int h = 0; h < 2; h++)
                if (ops->a_row(i, h, lane) != 8 * ops->a_half(i, h) + first)
                    tg_report_fail(r, CK_STRUCTURE,
                                   "lane %d, m16 tile %d half %d: row %d is not 8 x half "
                                   "%d + %d, as the kernel's test against M (half by half) assumes",
                                   lane, i, h, ops->a_row(i, h, lane), ops->a_half(i, h), first);
    }
    unsigned char seen[32][32] = {{0}};
    for (int w = 0; w < tg_dplan_warps(t); w++) {
        const int wn = ops->warp_n(t, w), wk = ops->warp_k(t, w);
        if (wn < 0 || wn >= t->warps_n || wk < 0 || wk >= t->warps_k)
            tg_report_fail(r, CK_STRUCTURE, "warp %d is at (warp_n %d, warp_k %d), outside %d x %d",
                           w, wn, wk, t->warps_n, t->warps_k);
        else if (seen[wn][wk]++)
            tg_report_fail(r, CK_STRUCTURE, "two warps are at (warp_n %d, warp_k %d)", wn, wk);
    }
}

static void check_layout(const tg_dtile *t, const tg_dplan_ops *ops, report *r, int *conflicts)
{
    const int floats = tg_dplan_smem_bytes(t) / 4, bn = tg_dplan_block_n(t);
    unsigned char *seen = calloc((size_t)floats, 1);
    if (!seen) {
        tg_report_fail(r, CK_LAYOUT, "out of memory");
        return;
    }
    for (int wk = 0; wk < t->warps_k; wk++)
        for (int row = 0; row < t->block_m; row++)
            for (int col = 0; col < bn; col++) {
                const int off = ops->red_offset(t, wk, row, col);
                if (off < 0 || off >= floats) {
                    tg_report_fail(r, CK_LAYOUT,
                                   "partial (warp_k %d, %d, %d) at float %d, outside the "
                                   "block's %d",
                                   wk, row, col, off, floats);
                    continue;
                }
                if (seen[off]++)
                    tg_report_fail(r, CK_LAYOUT,
                                   "partial (warp_k %d, %d, %d) shares float %d with another", wk,
                                   row, col, off);
                if (col % 2 == 0 && (off % 2 || ops->red_offset(t, wk, row, col + 1) != off + 1))
                    tg_report_fail(r, CK_LAYOUT,
                                   "partials (warp_k %d, %d, %d) and column %d are not one "
                                   "8-byte aligned float2 (floats %d, %d)",
                                   wk, row, col, col + 1, off,
                                   ops->red_offset(t, wk, row, col + 1));
            }
    free(seen);
    /* The fragment stores: a half-warp's 16 float2 are one wavefront without conflicts. */
    *conflicts = 0;
    for (int wn = 0; wn < t->warps_n; wn++)
        for (int j = 0; j < tg_dplan_n_tiles(t); j++)
            for (int h = 0; h < 4; h++) { /* (register pair, half-warp) */
                int words[32] = {0};
                for (int lane = h / 2 * 16; lane < h / 2 * 16 + 16; lane++) {
                    const tg_drc f = ops->frag_c(lane, h % 2 * 2);
                    const int off =
                        ops->red_offset(t, 0, f.row, wn * t->reg_block_n + j * 8 + f.col);
                    words[((off % 32) + 32) % 32]++;
                    words[((off + 1) % 32 + 32) % 32]++;
                }
                for (int bank = 0; bank < 32; bank++)
                    *conflicts += words[bank] > 1 ? words[bank] - 1 : 0;
            }
}

static void check_order(const tg_dtile *t, const tg_dplan_ops *ops, report *r)
{
    const int parts = tg_dplan_parts(t);
    int expect = 0;
    for (int rank = 0; rank < t->split_k; rank++)
        for (int wk = 0; wk < t->warps_k; wk++, expect++)
            if (ops->part(t, rank, wk) != expect)
                tg_report_fail(
                    r, CK_ORDER,
                    "rank %d, warp_k %d sums part %d: the reduction (warps in order, "
                    "then ranks in order) would add the parts out of K order (expected %d)",
                    rank, wk, ops->part(t, rank, wk), expect);
    const int steps_cases[] = {0,    1,      2,      parts - 1, parts, parts + 1, 3 * parts + 2,
                               1000, 123457, 1 << 25};
    for (size_t c = 0; c < sizeof steps_cases / sizeof steps_cases[0]; c++) {
        const int steps = steps_cases[c];
        if (ops->part_begin(t, 0, steps) != 0 || ops->part_begin(t, parts, steps) != steps)
            tg_report_fail(r, CK_ORDER,
                           "%d steps: the parts begin at %d and end at %d, not 0 and %d", steps,
                           ops->part_begin(t, 0, steps), ops->part_begin(t, parts, steps), steps);
        for (int p = 0; p < parts; p++)
            if (ops->part_begin(t, p + 1, steps) < ops->part_begin(t, p, steps))
                tg_report_fail(r, CK_ORDER, "%d steps: part %d begins at %d, after part %d (%d)",
                               steps, p, ops->part_begin(t, p, steps), p + 1,
                               ops->part_begin(t, p + 1, steps));
    }
}

static void check_cluster(const tg_dtile *t, const tg_dplan_ops *ops, report *r)
{
    const int groups_cases[] = {1, 3, 7};
    for (size_t c = 0; c < sizeof groups_cases / sizeof groups_cases[0]; c++) {
        const int groups = groups_cases[c], sk = t->split_k;
        unsigned char *seen = calloc((size_t)groups * (size_t)sk, 1);
        if (!seen) {
            tg_report_fail(r, CK_CLUSTER, "out of memory");
            return;
        }
        for (int64_t bid = 0; bid < (int64_t)groups * sk; bid++) {
            const tg_dblock b = ops->block(t, bid), first = ops->block(t, bid - bid % sk);
            if (b.group < 0 || b.group >= groups || b.rank < 0 || b.rank >= sk) {
                tg_report_fail(r, CK_CLUSTER,
                               "block %lld is (group %lld, rank %d), outside %d x %d",
                               (long long)bid, (long long)b.group, b.rank, groups, sk);
                continue;
            }
            if (b.rank != (int)(bid % sk))
                tg_report_fail(
                    r, CK_CLUSTER,
                    "block %lld has plan rank %d but cluster rank %d "
                    "(blockIdx.x %% %d): its part of K and its share of the output are another "
                    "block's",
                    (long long)bid, b.rank, (int)(bid % sk), sk);
            if (b.group != first.group)
                tg_report_fail(r, CK_CLUSTER,
                               "block %lld (group %lld) is in the cluster of group %lld: a "
                               "cluster must be one column group",
                               (long long)bid, (long long)b.group, (long long)first.group);
            if (seen[b.group * sk + b.rank]++)
                tg_report_fail(r, CK_CLUSTER, "(group %lld, rank %d) is launched twice",
                               (long long)b.group, b.rank);
        }
        free(seen);
    }
}

/* ------------------------------------------------------------------------
 * loads, coverage, execution: the kernel walked on the CPU
 * ---------------------------------------------------------------------- */

typedef struct walk {
    const tg_dtile *t;
    const tg_dplan_ops *ops;
    report *r;
    int m, steps, full, smem_floats;
    int64_t n, k, groups;
    const double *a, *b;     /* small integers, row-major, ld = k */
    double *c;               /* m x n, NaN until written */
    unsigned char *b_loads;  /* per (row, vector) of B's window: loads by its owner */
    unsigned char *c_writes; /* per element of C */
    unsigned char *reduced;  /* per element of a block tile: block reductions, then cluster */
    double *smem;            /* the cluster's blocks' shared memory, by hardware rank */
    double *acc;             /* one block: [warp][i][j][lane][4] */
    double *va, *vb;         /* one K step's vectors: A [lane][i][h][8], B [lane][j][8] */
    int64_t redundant;       /* B requests of rows past N (clamped to row N-1) */
} walk;

static unsigned char bump(unsigned char *x) { return *x < 255 ? ++*x : *x; }

/* The kernel's load of 8 elements at (row, col) of a rows x k matrix; NaN (and a failure) outside.
 */
static void load_vec(walk *w, const double *src, int64_t rows, int64_t row, int64_t col,
                     const char *name, double *out)
{
    if (row < 0 || row >= rows || col < 0 || col + TG_D_VEC_ELEMS > w->k || col % TG_D_VEC_ELEMS) {
        tg_report_fail(w->r, CK_LOADS,
                       "a lane reads %s(%lld, %lld..%lld), outside the %lld x %lld matrix "
                       "or not a whole 16-byte vector",
                       name, (long long)row, (long long)col, (long long)col + TG_D_VEC_ELEMS - 1,
                       (long long)rows, (long long)w->k);
        for (int e = 0; e < TG_D_VEC_ELEMS; e++)
            out[e] = NAN;
        return;
    }
    for (int e = 0; e < TG_D_VEC_ELEMS; e++)
        out[e] = src[row * w->k + col + e];
}

/*
 * One K step x of warp (wn, wk) of column group `group`: every lane's
 * vectors (load_step), then both mma steps (mma_step), into acc.
 */
static void walk_step(walk *w, int64_t group, int wn, int x, int tail, double *acc)
{
    const tg_dtile *t = w->t;
    const tg_dplan_ops *ops = w->ops;
    const int mt = tg_dplan_m_tiles(t), nt = tg_dplan_n_tiles(t);
#define VA(lane, i, h)                                                                             \
    (w->va + (((size_t)(lane)*mt + (size_t)(i)) * 2 + (size_t)(h)) * TG_D_VEC_ELEMS)
#define VB(lane, j) (w->vb + ((size_t)(lane)*nt + (size_t)(j)) * TG_D_VEC_ELEMS)
    for (int lane = 0; lane < TG_D_WARP_SIZE; lane++) {
        const int64_t col = (int64_t)x * TG_D_K_STEP + ops->lane_k(lane);
        const int in_k = !tail || col < w->k;
        for (int j = 0; j < nt; j++) {
            const int64_t row = ops->b_row(t, group, wn, j, lane);
            const int64_t clamped = row < w->n ? row : w->n - 1;
            if (!in_k) {
                memset(VB(lane, j), 0, sizeof(double) * TG_D_VEC_ELEMS);
                continue;
            }
            load_vec(w, w->b, w->n, clamped, col, "B", VB(lane, j));
            if (row >= w->n)
                w->redundant++;
            else if (row >= 0 && col >= 0 && col + TG_D_VEC_ELEMS <= w->k &&
                     col % TG_D_VEC_ELEMS == 0)
                bump(&w->b_loads[row * (w->k / TG_D_VEC_ELEMS) + col / TG_D_VEC_ELEMS]);
        }
        for (int i = 0; i < mt; i++)
            for (int h = 0; h < 2; h++) {
                const int half = ops->a_half(i, h), row = ops->a_row(i, h, lane);
                const int halves = w->m / 8;
                const int load = in_k &&
                    (half < halves || (half == halves && ops->a_row(0, 0, lane) < w->m % 8));
                if (!load) {
                    memset(VA(lane, i, h), 0, sizeof(double) * TG_D_VEC_ELEMS);
                    continue;
                }
                if (row >= w->m)
                    tg_report_fail(w->r, CK_LOADS,
                                   "lane %d reads A row %d for tile %d half %d: past M = %d, "
                                   "where A is zeros, never read",
                                   lane, row, i, h, w->m);
                load_vec(w, w->a, w->m, row < w->m ? row : 0, col, "A", VA(lane, i, h));
            }
    }
    for (int s = 0; s < TG_D_MMAS_PER_STEP; s++)
        for (int i = 0; i < mt; i++)
            for (int j = 0; j < nt; j++) {
                /* The registers the kernel passes, then the mma of the ISA. */
                double A[TG_D_MMA_M][TG_D_MMA_K], B[TG_D_MMA_K][TG_D_MMA_N];
                for (int row = 0; row < TG_D_MMA_M; row++)
                    for (int k = 0; k < TG_D_MMA_K; k++) {
                        const int lane = isa_a_lane(row, k), reg = isa_a_reg(row, k);
                        const int word = ops->a_word(s, kernel_a_w_of(reg));
                        A[row][k] = word >= 0 && word < 4
                            ? VA(lane, i, kernel_a_half_of(reg))[2 * word + k % 2]
                            : NAN;
                    }
                for (int k = 0; k < TG_D_MMA_K; k++)
                    for (int n = 0; n < TG_D_MMA_N; n++) {
                        const int word = ops->b_word(s, isa_b_reg(k));
                        B[k][n] =
                            word >= 0 && word < 4 ? VB(isa_b_lane(k, n), j)[2 * word + k % 2] : NAN;
                    }
                for (int lane = 0; lane < TG_D_WARP_SIZE; lane++)
                    for (int reg = 0; reg < 4; reg++) {
                        const tg_drc d = isa_c(lane, reg);
                        double sum = 0;
                        for (int k = 0; k < TG_D_MMA_K; k++)
                            sum += A[d.row][k] * B[k][d.col];
                        acc[(((size_t)i * nt + j) * TG_D_WARP_SIZE + lane) * 4 + reg] += sum;
                    }
            }
#undef VA
#undef VB
}

/* C(row, col) of the group's columns, as store_c: only columns below N. */
static void walk_store(walk *w, int row, int64_t col, double v)
{
    if (col >= w->n)
        return;
    if (row < 0 || row >= w->m || col < 0) {
        tg_report_fail(w->r, CK_COVERAGE, "a store to C(%d, %lld), outside the %d x %lld matrix",
                       row, (long long)col, w->m, (long long)w->n);
        return;
    }
    bump(&w->c_writes[row * w->n + col]);
    w->c[row * w->n + col] = v;
}

/* The float index of partial (wk, row, col), or -1 (and a failure) outside shared memory. */
static int walk_slot(walk *w, int wk, int row, int col)
{
    const int off = w->ops->red_offset(w->t, wk, row, col);
    if (off < 0 || off >= w->smem_floats) {
        tg_report_fail(w->r, CK_LAYOUT,
                       "partial (warp_k %d, %d, %d) at float %d, outside shared memory", wk, row,
                       col, off);
        return -1;
    }
    return off;
}

/*
 * Block `bid` (hardware rank hw of its cluster): its warps' K parts, their
 * partials into shared memory, the block's reduction in warp order (and
 * with SPLIT_K = 1 the stores to C).
 */
static void walk_block(walk *w, int64_t bid, int hw)
{
    const tg_dtile *t = w->t;
    const tg_dplan_ops *ops = w->ops;
    const int mt = tg_dplan_m_tiles(t), nt = tg_dplan_n_tiles(t), bn = tg_dplan_block_n(t);
    const tg_dblock blk = ops->block(t, bid);
    if (blk.group < 0 || blk.group >= w->groups || blk.rank < 0 || blk.rank >= t->split_k)
        return; /* the cluster check names it */
    double *smem = w->smem + (size_t)hw * (size_t)w->smem_floats;
    const size_t per_warp = (size_t)mt * nt * TG_D_WARP_SIZE * 4;
    for (int warp = 0; warp < tg_dplan_warps(t); warp++) {
        const int wn = ops->warp_n(t, warp), wk = ops->warp_k(t, warp);
        if (wn < 0 || wn >= t->warps_n || wk < 0 || wk >= t->warps_k)
            continue; /* the structure check names it */
        double *acc = w->acc + per_warp * (size_t)warp;
        memset(acc, 0, sizeof(double) * per_warp);
        const int part = ops->part(t, blk.rank, wk);
        const int begin = ops->part_begin(t, part, w->steps);
        const int end = ops->part_begin(t, part + 1, w->steps);
        if (ops->b_row(t, blk.group, wn, 0, 0) < w->n) {
            for (int x = begin; x < (end < w->full ? end : w->full); x++)
                walk_step(w, blk.group, wn, x, 0, acc);
            if (begin <= w->full && w->full < end)
                walk_step(w, blk.group, wn, w->full, 1, acc);
        }
        for (int i = 0; i < mt; i++)
            for (int j = 0; j < nt; j++)
                for (int lane = 0; lane < TG_D_WARP_SIZE; lane++)
                    for (int h = 0; h < 2; h++) {
                        const tg_drc f = ops->frag_c(lane, 2 * h);
                        const int row = i * TG_D_MMA_M + f.row;
                        const int col = wn * t->reg_block_n + j * TG_D_MMA_N + f.col;
                        if (row >= w->m)
                            continue;
                        const int off = walk_slot(w, wk, row, col);
                        if (off < 0 || off + 1 >= w->smem_floats)
                            continue;
                        const double *x = acc + (((size_t)i * nt + j) * TG_D_WARP_SIZE + lane) * 4;
                        smem[off] = x[2 * h];
                        smem[off + 1] = x[2 * h + 1];
                    }
    }
    const int elems = w->m * bn;
    memset(w->reduced, 0, (size_t)elems);
    for (int tid = 0; tid < tg_dplan_threads(t); tid++)
        for (int i = 0; i <= elems; i++) {
            const int e = ops->block_elem(t, tid, i);
            if (e >= elems)
                break;
            if (e < 0) {
                tg_report_fail(w->r, CK_COVERAGE, "thread %d reduces element %d of the block tile",
                               tid, e);
                break;
            }
            bump(&w->reduced[e]);
            const int row = e / bn, col = e % bn;
            double v = 0;
            for (int wk = 0; wk < t->warps_k; wk++) {
                const int off = walk_slot(w, wk, row, col);
                v = wk == 0 ? (off < 0 ? NAN : smem[off]) : v + (off < 0 ? NAN : smem[off]);
            }
            if (t->split_k == 1)
                walk_store(w, row, blk.group * bn + col, v);
            else {
                const int off = walk_slot(w, 0, row, col);
                if (off >= 0)
                    smem[off] = v;
            }
        }
    for (int e = 0; e < elems; e++)
        if (w->reduced[e] != 1)
            tg_report_fail(w->r, CK_COVERAGE,
                           "block %lld reduces element %d (row %d, column %d) of its tile "
                           "%d times, not once",
                           (long long)bid, e, e / bn, e % bn, w->reduced[e]);
}

/* SPLIT_K > 1, after every block of cluster `cl` reduced: each rank's share, ranks in order. */
static void walk_cluster(walk *w, int64_t cl)
{
    const tg_dtile *t = w->t;
    const int bn = tg_dplan_block_n(t), elems = w->m * bn;
    memset(w->reduced, 0, (size_t)elems);
    for (int hw = 0; hw < t->split_k; hw++) {
        const tg_dblock blk = w->ops->block(t, cl * t->split_k + hw);
        if (blk.group < 0 || blk.group >= w->groups || blk.rank < 0 || blk.rank >= t->split_k)
            continue;
        for (int tid = 0; tid < tg_dplan_threads(t); tid++)
            for (int i = 0; i <= elems; i++) {
                const int e = w->ops->cluster_elem(t, blk.rank, tid, i);
                if (e >= elems)
                    break;
                if (e < 0) {
                    tg_report_fail(w->r, CK_COVERAGE, "rank %d thread %d finishes element %d",
                                   blk.rank, tid, e);
                    break;
                }
                bump(&w->reduced[e]);
                const int off = walk_slot(w, 0, e / bn, e % bn);
                double v = NAN;
                for (int q = 0; q < t->split_k && off >= 0; q++) {
                    const double x = w->smem[(size_t)q * (size_t)w->smem_floats + (size_t)off];
                    v = q == 0 ? x : v + x;
                }
                walk_store(w, e / bn, blk.group * bn + e % bn, v);
            }
    }
    for (int e = 0; e < elems; e++)
        if (w->reduced[e] != 1)
            tg_report_fail(w->r, CK_COVERAGE,
                           "cluster %lld finishes element %d (row %d, column %d) %d "
                           "times, not once",
                           (long long)cl, e, e / bn, e % bn, w->reduced[e]);
}

/* One shape through the whole kernel; adds the B requests of rows past N to *redundant. */
static void check_walk(const tg_dtile *t, const tg_dplan_ops *ops, int m, int64_t n, int64_t k,
                       uint64_t seed, report *r, int64_t *redundant)
{
    walk w;
    memset(&w, 0, sizeof w);
    w.t = t;
    w.ops = ops;
    w.r = r;
    w.m = m;
    w.n = n;
    w.k = k;
    w.steps = tg_dplan_steps(k);
    w.full = tg_dplan_full_steps(k);
    w.groups = tg_dplan_groups(t, n);
    w.smem_floats = tg_dplan_smem_bytes(t) / 4;
    const size_t vecs = (size_t)n * (size_t)(k / TG_D_VEC_ELEMS);
    const size_t acc =
        (size_t)tg_dplan_warps(t) * tg_dplan_m_tiles(t) * tg_dplan_n_tiles(t) * TG_D_WARP_SIZE * 4;
    double *a = malloc(sizeof(double) * (size_t)m * (size_t)k);
    double *b = malloc(sizeof(double) * (size_t)n * (size_t)k);
    w.c = malloc(sizeof(double) * (size_t)m * (size_t)n);
    w.b_loads = calloc(vecs ? vecs : 1, 1);
    w.c_writes = calloc((size_t)m * (size_t)n, 1);
    w.reduced = malloc((size_t)m * (size_t)tg_dplan_block_n(t));
    w.smem = malloc(sizeof(double) * (size_t)t->split_k * (size_t)w.smem_floats);
    w.acc = malloc(sizeof(double) * acc);
    w.va =
        malloc(sizeof(double) * TG_D_WARP_SIZE * (size_t)tg_dplan_m_tiles(t) * 2 * TG_D_VEC_ELEMS);
    w.vb = malloc(sizeof(double) * TG_D_WARP_SIZE * (size_t)tg_dplan_n_tiles(t) * TG_D_VEC_ELEMS);
    if (!a || !b || !w.c || !w.b_loads || !w.c_writes || !w.reduced || !w.smem || !w.acc || !w.va ||
        !w.vb) {
        tg_report_fail(r, CK_EXECUTION, "out of memory");
        goto done;
    }
    for (int64_t x = 0; x < (int64_t)m * k; x++)
        a[x] = (double)tg_verify_small_int(&seed);
    for (int64_t x = 0; x < n * k; x++)
        b[x] = (double)tg_verify_small_int(&seed);
    for (int64_t x = 0; x < (int64_t)m * n; x++)
        w.c[x] = NAN;
    w.a = a;
    w.b = b;

    for (int64_t cl = 0; cl < w.groups; cl++) {
        for (size_t x = 0; x < (size_t)t->split_k * (size_t)w.smem_floats; x++)
            w.smem[x] = NAN;
        for (int hw = 0; hw < t->split_k; hw++)
            walk_block(&w, cl * t->split_k + hw, hw);
        if (t->split_k > 1)
            walk_cluster(&w, cl);
    }

    for (int64_t row = 0; row < n; row++)
        for (int64_t v = 0; v < k / TG_D_VEC_ELEMS; v++)
            if (w.b_loads[row * (k / TG_D_VEC_ELEMS) + v] != 1)
                tg_report_fail(r, CK_LOADS,
                               "M=%d N=%lld K=%lld: B(%lld, %lld..%lld) is loaded %d times by "
                               "its row's lanes, not once",
                               m, (long long)n, (long long)k, (long long)row, (long long)v * 8,
                               (long long)v * 8 + 7, w.b_loads[row * (k / 8) + v]);
    int64_t bad = 0;
    for (int64_t row = 0; row < m; row++)
        for (int64_t col = 0; col < n; col++) {
            const int writes = w.c_writes[row * n + col];
            if (writes != 1)
                tg_report_fail(r, CK_COVERAGE,
                               "M=%d N=%lld K=%lld: C(%lld, %lld) is written %d times, not "
                               "once",
                               m, (long long)n, (long long)k, (long long)row, (long long)col,
                               writes);
            double ref = 0;
            for (int64_t x = 0; x < k; x++)
                ref += a[row * k + x] * b[col * k + x];
            const double got = w.c[row * n + col];
            if (!(got == ref) && bad++ < 3)
                tg_report_fail(
                    r, CK_EXECUTION, "M=%d N=%lld K=%lld: C(%lld, %lld) = %g, reference %g", m,
                    (long long)n, (long long)k, (long long)row, (long long)col, got, ref);
        }
    if (bad > 3)
        tg_report_fail(r, CK_EXECUTION, "M=%d N=%lld K=%lld: %lld of %lld elements differ in all",
                       m, (long long)n, (long long)k, (long long)bad, (long long)m * n);
    *redundant += w.redundant;
done:
    free(a);
    free(b);
    free(w.c);
    free(w.b_loads);
    free(w.c_writes);
    free(w.reduced);
    free(w.smem);
    free(w.acc);
    free(w.va);
    free(w.vb);
}

/* ------------------------------------------------------------------------
 * Entry points
 * ---------------------------------------------------------------------- */

tg_status tg_decode_verify_ops(const int *params, const tg_dplan_ops *ops, char *buf, size_t len)
{
    if (!params || !ops)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "tg_decode_verify_ops: params or ops is NULL");
    TG_TRY(tg_params_check(TG_FAMILY_DECODE, params, TG_DECODE_NPARAMS));
    const tg_dtile t = tg_dtile_from_params(params);
    report r = tg_report_init(buf, len, check_names, CHECKS);

    check_pairing(&t, ops, &r);
    check_structure(&t, ops, &r);
    int conflicts = 0;
    check_layout(&t, ops, &r, &conflicts);
    check_order(&t, ops, &r);
    check_cluster(&t, ops, &r);

    /* M in {1, 7, 16, 33, BLOCK_M} where they fit; N ragged against BLOCK_N and REG_BLOCK_N, a
     * warp wholly past N, rows past N inside an n8 tile; K of one partial step, every part
     * with a partial last step, a few steps per part, parts with nothing to sum. */
    const int bm = t.block_m, rn = t.reg_block_n, parts = tg_dplan_parts(&t);
    const int64_t bn = tg_dplan_block_n(&t);
    const int64_t shapes[][3] = {
        {1, 1, 8},
        {7, bn + 3, 24},
        {bm, 2 * bn + 5, 32 * (parts + 1) + 8},
        {bm >= 33 ? 33 : bm - 3, bn - 1, 32 * 3 * parts + 16},
        {bm >= 16 ? 16 : bm, 3 * bn, 32 * parts - 8},
        {2, rn, 40},
        {5, 5, 40},
    };
    const int nshapes = (int)(sizeof shapes / sizeof shapes[0]);
    int64_t redundant = 0;
    if (r.per[CK_PAIRING] + r.per[CK_STRUCTURE] == 0)
        for (int s = 0; s < nshapes && r.per[CK_EXECUTION] + r.per[CK_LOADS] < 3; s++)
            check_walk(&t, ops, (int)shapes[s][0], shapes[s][1], shapes[s][2],
                       0x9E3779B97F4A7C15ULL + (uint64_t)s, &r, &redundant);
    else
        tg_text_add(&r.text, "  (the kernel's walk skipped: its fragments are broken)\n");

    if (r.failures) {
        tg_report_failures(&r);
        return TG_FAIL(TG_ERR_INVALID_CONFIG, "decode plan failed %d verifier check(s)",
                       r.failures);
    }
    tg_text_add(&r.text,
                "plan verifier: ok (K permutation paired with the ISA's fragments, C fragment, "
                "shared-memory partials, K parts in order, cluster ranks; the kernel walked on %d "
                "shapes: each element of B's window loaded once, A never read past M, each C "
                "element written once, exact); %lld redundant B requests (rows past N read as "
                "row N-1), %d bank conflicts in the partial-sum stores\n",
                nshapes, (long long)redundant, conflicts);
    return TG_SUCCESS;
}

tg_status tg_decode_verify(const int *params, char *buf, size_t len)
{
    return tg_decode_verify_ops(params, &tg_dplan_real_ops, buf, len);
}
