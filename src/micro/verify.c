/*
 * verify.c — the micro family's CPU plan verifier.
 *
 * It checks a tile plan the way the kernel uses it, with no GPU:
 *   1. structure   the accumulators cover the warp tile, and registers 2h,
 *                  2h+1 of a C fragment are adjacent columns (pair stores);
 *   2. pairing     accumulator (i, j) multiplies the A rows and B rows its C
 *                  coordinates need, at the same K columns;
 *   3. loads       the loaders move every 16-byte chunk of a slice exactly
 *                  once, and the shared layout is a bijection that keeps
 *                  16-byte vectors contiguous;
 *   4. coverage    over a grid of blocks, every element of C is produced by
 *                  exactly one (block, warp, accumulator, lane, register);
 *   5. execution   the whole kernel, walked on the CPU with the same plan
 *                  functions (loaders → swizzled shared slice → ldmatrix lane
 *                  addresses → mma fragments → stores), on small odd shapes
 *                  with small-integer data, must equal a plain reference
 *                  GEMM exactly. ldmatrix and mma are emulated from their
 *                  PTX ISA definitions, not from the plan.
 * It also reports (without failing) whether ldmatrix reads are free of
 * shared-memory bank conflicts.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "micro/verify.h"

/* ------------------------------------------------------------------------
 * The real plan, as a table
 * ---------------------------------------------------------------------- */

const tg_plan_ops tg_plan_real_ops = {
    tg_plan_acc_m,     tg_plan_acc_n,       tg_plan_block,     tg_plan_a_subtile,
    tg_plan_b_subtile, tg_plan_c_tile,      tg_plan_load_vec,  tg_plan_smem_offset,
    tg_plan_ldsm_a,    tg_plan_ldsm_b,      tg_plan_frag_c,
};

/* ------------------------------------------------------------------------
 * Report
 * ---------------------------------------------------------------------- */

enum { MAX_FAIL_LINES = 12 };

typedef struct report {
    char *buf;
    size_t len, used;
    int failures;
} report;

static void say(report *r, const char *fmt, ...)
{
    if (!r->buf || r->used + 1 >= r->len)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(r->buf + r->used, r->len - r->used, fmt, ap);
    va_end(ap);
    if (n > 0)
        r->used = r->used + (size_t)n < r->len ? r->used + (size_t)n : r->len - 1;
}

/* Count a failure; describe the first few. */
static void fail(report *r, const char *check, const char *fmt, ...)
{
    r->failures++;
    if (r->failures > MAX_FAIL_LINES) {
        if (r->failures == MAX_FAIL_LINES + 1)
            say(r, "  ... (further failures not shown)\n");
        return;
    }
    char line[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    say(r, "  FAIL %s: %s\n", check, line);
}

/* ------------------------------------------------------------------------
 * 1. structure
 * ---------------------------------------------------------------------- */

static void check_structure(const tg_tile *t, const tg_plan_ops *ops, report *r)
{
    int am = ops->acc_m(t), an = ops->acc_n(t);
    int wm = tg_plan_warp_tile_m(t), wn = tg_plan_warp_tile_n(t);
    if (am * t->reg_block_m != wm || an * t->reg_block_n != wn)
        fail(r, "structure",
             "a warp owns %dx%d elements of C, but %dx%d accumulators of %dx%d cover %dx%d", wm,
             wn, am, an, t->reg_block_m, t->reg_block_n, am * t->reg_block_m,
             an * t->reg_block_n);
    for (int lane = 0; lane < TG_WARP_SIZE; lane++)
        for (int h = 0; h < 2; h++) {
            tg_rc x = ops->frag_c(lane, 2 * h), y = ops->frag_c(lane, 2 * h + 1);
            if (y.row != x.row || y.col != x.col + 1)
                fail(r, "structure",
                     "lane %d: C registers %d and %d are (%d,%d) and (%d,%d), not adjacent "
                     "columns of one row",
                     lane, 2 * h, 2 * h + 1, x.row, x.col, y.row, y.col);
        }
}

/* ------------------------------------------------------------------------
 * 2. pairing
 * ---------------------------------------------------------------------- */

static void check_pairing(const tg_tile *t, const tg_plan_ops *ops, report *r)
{
    int am = ops->acc_m(t), an = ops->acc_n(t);
    int dots = t->dot_slice_shared / t->dot_slice;
    for (int w = 0; w < tg_plan_warps(t); w++) {
        int wr = tg_plan_warp_row(t, w), wc = tg_plan_warp_col(t, w);
        for (int i = 0; i < am; i++)
            for (int j = 0; j < an; j++) {
                tg_rc64 c = ops->c_tile(t, 0, 0, wr, wc, i, j);
                tg_rc a = ops->a_subtile(t, wr, i, 0), b = ops->b_subtile(t, wc, j, 0);
                if (a.row != c.row || b.row != c.col)
                    fail(r, "pairing",
                         "warp %d accumulator (%d,%d) stores C rows %lld.. cols %lld.. but "
                         "multiplies A rows %d.. and B rows %d..",
                         w, i, j, (long long)c.row, (long long)c.col, a.row, b.row);
                if (a.row < 0 || a.row + t->reg_block_m > t->block_m || b.row < 0 ||
                    b.row + t->reg_block_n > t->block_n)
                    fail(r, "pairing",
                         "warp %d accumulator (%d,%d): A rows %d.. or B rows %d.. leave the "
                         "%dx%d block",
                         w, i, j, a.row, b.row, t->block_m, t->block_n);
                for (int s = 0; s < dots; s++) {
                    tg_rc as = ops->a_subtile(t, wr, i, s), bs = ops->b_subtile(t, wc, j, s);
                    if (as.row != a.row || bs.row != b.row)
                        fail(r, "pairing",
                             "warp %d accumulator (%d,%d): dot slice %d moves the A or B rows",
                             w, i, j, s);
                    if (as.col != s * t->dot_slice || bs.col != s * t->dot_slice)
                        fail(r, "pairing",
                             "warp %d accumulator (%d,%d), dot slice %d: A at K column %d, B at "
                             "%d, expected %d for both",
                             w, i, j, s, as.col, bs.col, s * t->dot_slice);
                }
            }
    }
}

/* ------------------------------------------------------------------------
 * 3. loads and the shared layout
 * ---------------------------------------------------------------------- */

static void check_slice_layout(const tg_tile *t, const tg_plan_ops *ops, int rows,
                               const char *name, report *r)
{
    int dss = t->dot_slice_shared, elems = rows * dss;
    int threads = tg_plan_threads(t), vecs = elems / TG_VEC_ELEMS / threads;
    unsigned char *seen = calloc((size_t)elems, 1);
    if (!seen) {
        fail(r, "loads", "out of memory");
        return;
    }
    /* The loaders: every chunk once. */
    for (int tid = 0; tid < threads; tid++)
        for (int v = 0; v < vecs; v++) {
            tg_rc rc = ops->load_vec(t, tid, v);
            if (rc.row < 0 || rc.row >= rows || rc.col < 0 || rc.col >= dss ||
                rc.col % TG_VEC_ELEMS) {
                fail(r, "loads", "%s: thread %d vector %d goes to (%d,%d), outside %dx%d chunks",
                     name, tid, v, rc.row, rc.col, rows, dss);
                continue;
            }
            if (seen[rc.row * dss + rc.col]++)
                fail(r, "loads", "%s: chunk (%d,%d) is loaded twice (thread %d vector %d)", name,
                     rc.row, rc.col, tid, v);
        }
    for (int row = 0; row < rows; row++)
        for (int col = 0; col < dss; col += TG_VEC_ELEMS)
            if (!seen[row * dss + col])
                fail(r, "loads", "%s: chunk (%d,%d) is never loaded", name, row, col);

    /* The kernel keeps one pointer per operand: vector v is vector 0 moved
     * down v passes, landing v*rows_per_pass*DOT_SLICE_SHARED elements on. */
    int pass = tg_plan_load_rows_per_pass(t);
    for (int tid = 0; tid < threads; tid++) {
        tg_rc v0 = ops->load_vec(t, tid, 0);
        for (int v = 1; v < vecs; v++) {
            tg_rc rc = ops->load_vec(t, tid, v);
            if (rc.row != v0.row + v * pass || rc.col != v0.col)
                fail(r, "loads", "%s: thread %d vector %d is at (%d,%d), not %d rows below vector 0",
                     name, tid, v, rc.row, rc.col, v * pass);
            else if (ops->smem_offset(t, rc.row, rc.col) !=
                     ops->smem_offset(t, v0.row, v0.col) + v * pass * dss)
                fail(r, "layout", "%s: the swizzle of (%d,%d) differs from vector 0's, one pass up",
                     name, rc.row, rc.col);
        }
    }

    /* The swizzle: a bijection onto the slice, vectors contiguous. */
    memset(seen, 0, (size_t)elems);
    for (int row = 0; row < rows; row++)
        for (int col = 0; col < dss; col++) {
            int off = ops->smem_offset(t, row, col);
            if (off < 0 || off >= elems) {
                fail(r, "layout", "%s: (%d,%d) maps to offset %d outside the %d-element slice",
                     name, row, col, off, elems);
                continue;
            }
            if (seen[off]++)
                fail(r, "layout", "%s: two elements share offset %d (one is (%d,%d))", name, off,
                     row, col);
            int first = ops->smem_offset(t, row, col - col % TG_VEC_ELEMS);
            if (off != first + col % TG_VEC_ELEMS)
                fail(r, "layout", "%s: (%d,%d) is not contiguous with its 16-byte vector", name,
                     row, col);
            /* The kernel adds 2*R*DOT_SLICE_SHARED bytes for a register tile at
             * row R (a multiple of 16) to lane offsets taken at row R%16. */
            int base = row - row % TG_MMA_M;
            if (off != base * dss + ops->smem_offset(t, row % TG_MMA_M, col))
                fail(r, "layout",
                     "%s: the swizzle does not repeat every 16 rows at (%d,%d), as the kernel's "
                     "ldmatrix addressing assumes",
                     name, row, col);
        }
    free(seen);
}

/* ldmatrix phases: 8 lanes read 16 bytes each; distinct 16-byte bank groups → no conflict. */
static int ldsm_conflicts(const tg_tile *t, const tg_plan_ops *ops, int rows, int pieces_are_a)
{
    int conflicts = 0;
    for (int row0 = 0; row0 < rows; row0 += 16)
        for (int col0 = 0; col0 < t->dot_slice_shared; col0 += 16)
            for (int q = 0; q < 4; q++) {
                int used = 0;
                for (int l = 8 * q; l < 8 * q + 8; l++) {
                    tg_rc a = pieces_are_a ? ops->ldsm_a(l) : ops->ldsm_b(l);
                    int off = ops->smem_offset(t, row0 + a.row, col0 + a.col);
                    int group = off * 2 / 16 % TG_SMEM_LINE_CHUNKS;
                    if (used & 1 << group)
                        conflicts++;
                    used |= 1 << group;
                }
            }
    return conflicts;
}

/* ------------------------------------------------------------------------
 * 4. coverage, 5. execution
 * ---------------------------------------------------------------------- */

typedef struct problem {
    int64_t m, n, k;
    const float *a, *b; /* row-major, ld = k */
    float *c;           /* row-major, ld = n; poisoned with NaN */
} problem;

/*
 * The kernel, walked on the CPU for one block: loaders fill the slice through
 * the swizzle, lanes address ldmatrix through the plan, fragments feed an
 * emulated mma, and the plan's fragment map stores the result.
 */
static void execute_block(const tg_tile *t, const tg_plan_ops *ops, const problem *pb,
                          int64_t br, int64_t bc, float *sa, float *sb, double *acc)
{
    int dss = t->dot_slice_shared, threads = tg_plan_threads(t);
    int am = ops->acc_m(t), an = ops->acc_n(t);
    int tm = TG_MMA_TILES_M(t->reg_block_m), tn = TG_MMA_TILES_N(t->reg_block_n);
    int warps = tg_plan_warps(t);
    /* acc[warp][i][j][mt][nt][lane][4] */
    size_t per_warp = (size_t)am * an * tm * tn * TG_WARP_SIZE * 4;
    memset(acc, 0, sizeof(double) * per_warp * (size_t)warps);
    int64_t slices = (pb->k + dss - 1) / dss;

    for (int64_t s = 0; s < slices; s++) {
        int64_t k0 = s * dss;
        /* Loaders: the plan's vector positions, 8 contiguous elements each. */
        for (int x = 0; x < 2; x++) {
            int rows = x ? t->block_n : t->block_m;
            float *dst = x ? sb : sa;
            const float *src = x ? pb->b : pb->a;
            int64_t first = x ? bc * t->block_n : br * t->block_m;
            int64_t limit = x ? pb->n : pb->m;
            for (int e = 0; e < rows * dss; e++)
                dst[e] = NAN;
            for (int tid = 0; tid < threads; tid++)
                for (int v = 0; v < rows * dss / TG_VEC_ELEMS / threads; v++) {
                    tg_rc rc = ops->load_vec(t, tid, v);
                    int off = ops->smem_offset(t, rc.row, rc.col);
                    if (off < 0 || off + TG_VEC_ELEMS > rows * dss)
                        continue; /* reported by the layout check */
                    for (int e = 0; e < TG_VEC_ELEMS; e++) {
                        int64_t grow = first + rc.row, kcol = k0 + rc.col + e;
                        dst[off + e] = grow < limit && kcol < pb->k && rc.row < rows
                                           ? src[grow * pb->k + kcol]
                                           : 0.0f;
                    }
                }
        }
        /* Warps: ldmatrix → fragments → mma, for each dot slice and k16. */
        for (int w = 0; w < warps; w++) {
            int wr = tg_plan_warp_row(t, w), wc = tg_plan_warp_col(t, w);
            double *wacc = acc + per_warp * (size_t)w;
            for (int d = 0; d < dss / t->dot_slice; d++)
                for (int kk = 0; kk < t->dot_slice / TG_MMA_K; kk++)
                    for (int i = 0; i < am; i++)
                        for (int j = 0; j < an; j++)
                            for (int mt = 0; mt < tm; mt++)
                                for (int nt = 0; nt < tn; nt++) {
                                    tg_rc as = ops->a_subtile(t, wr, i, d);
                                    tg_rc bs = ops->b_subtile(t, wc, j, d);
                                    /* ldmatrix.x4 (PTX): matrix q's row ρ is read at the
                                     * address of lane 8q+ρ; lane λ receives row λ/4,
                                     * elements 2(λ%4), 2(λ%4)+1 of each matrix. */
                                    float amat[4][8][8], bmat[4][8][8];
                                    int np = nt / 2;
                                    for (int l = 0; l < TG_WARP_SIZE; l++) {
                                        tg_rc la = ops->ldsm_a(l), lb = ops->ldsm_b(l);
                                        int ra = as.row + mt * TG_MMA_M + la.row;
                                        int ca = as.col + kk * TG_MMA_K + la.col;
                                        int rb = bs.row + np * 2 * TG_MMA_N + lb.row;
                                        int cb = bs.col + kk * TG_MMA_K + lb.col;
                                        int oa = 0 <= ra && ra < t->block_m && 0 <= ca && ca < dss
                                                     ? ops->smem_offset(t, ra, ca)
                                                     : -1;
                                        int ob = 0 <= rb && rb < t->block_n && 0 <= cb && cb < dss
                                                     ? ops->smem_offset(t, rb, cb)
                                                     : -1;
                                        for (int e = 0; e < 8; e++) {
                                            amat[l / 8][l % 8][e] =
                                                oa >= 0 && oa + e < t->block_m * dss ? sa[oa + e] : NAN;
                                            bmat[l / 8][l % 8][e] =
                                                ob >= 0 && ob + e < t->block_n * dss ? sb[ob + e] : NAN;
                                        }
                                    }
                                    /* mma.m16n8k16 fragments (PTX): A regs 0..3 hold
                                     * (g, 2q..), (g+8, 2q..), (g, 2q+8..), (g+8, 2q+8..);
                                     * B regs 0,1 hold k = 2q.. and 2q+8.. of column g;
                                     * here the B regs come from matrices 2(nt%2), 2(nt%2)+1. */
                                    double A[16][16], B[16][8];
                                    for (int l = 0; l < TG_WARP_SIZE; l++) {
                                        int g = l / 4, q = l % 4;
                                        for (int e = 0; e < 2; e++) {
                                            A[g][2 * q + e] = amat[0][g][2 * q + e];
                                            A[g + 8][2 * q + e] = amat[1][g][2 * q + e];
                                            A[g][2 * q + 8 + e] = amat[2][g][2 * q + e];
                                            A[g + 8][2 * q + 8 + e] = amat[3][g][2 * q + e];
                                            int m0 = 2 * (nt % 2);
                                            B[2 * q + e][g] = bmat[m0][g][2 * q + e];
                                            B[2 * q + 8 + e][g] = bmat[m0 + 1][g][2 * q + e];
                                        }
                                    }
                                    /* D fragment (PTX): c0,c1 at (g, 2q..), c2,c3 at (g+8, 2q..). */
                                    double *f = wacc + ((((size_t)i * an + j) * tm + mt) * tn + nt) *
                                                           TG_WARP_SIZE * 4;
                                    for (int l = 0; l < TG_WARP_SIZE; l++) {
                                        int g = l / 4, q = l % 4;
                                        for (int reg = 0; reg < 4; reg++) {
                                            int row = g + reg / 2 * 8, col = 2 * q + reg % 2;
                                            double sum = 0;
                                            for (int kx = 0; kx < 16; kx++)
                                                sum += A[row][kx] * B[kx][col];
                                            f[l * 4 + reg] += sum;
                                        }
                                    }
                                }
        }
    }

    /* Stores: the plan's C tile and fragment map, masked to M×N. */
    for (int w = 0; w < warps; w++) {
        int wr = tg_plan_warp_row(t, w), wc = tg_plan_warp_col(t, w);
        double *wacc = acc + per_warp * (size_t)w;
        for (int i = 0; i < am; i++)
            for (int j = 0; j < an; j++) {
                tg_rc64 ct = ops->c_tile(t, br, bc, wr, wc, i, j);
                for (int mt = 0; mt < tm; mt++)
                    for (int nt = 0; nt < tn; nt++)
                        for (int l = 0; l < TG_WARP_SIZE; l++)
                            for (int reg = 0; reg < 4; reg++) {
                                tg_rc f = ops->frag_c(l, reg);
                                int64_t row = ct.row + mt * TG_MMA_M + f.row;
                                int64_t col = ct.col + nt * TG_MMA_N + f.col;
                                if (row < 0 || col < 0 || row >= pb->m || col >= pb->n)
                                    continue;
                                pb->c[row * pb->n + col] = (float)wacc
                                    [((((size_t)i * an + j) * tm + mt) * tn + nt) * TG_WARP_SIZE * 4 +
                                     (size_t)l * 4 + (size_t)reg];
                            }
            }
    }
}

/* Coverage over the padded grid: each element of C once. */
static void check_coverage(const tg_tile *t, const tg_plan_ops *ops, int64_t m, int64_t n,
                           report *r)
{
    int64_t gm = tg_plan_grid_m(t, m), gn = tg_plan_grid_n(t, n);
    int64_t rows = gm * t->block_m, cols = gn * t->block_n;
    unsigned char *count = calloc((size_t)(rows * cols), 1);
    unsigned char *block_seen = calloc((size_t)(gm * gn), 1);
    if (!count || !block_seen) {
        fail(r, "coverage", "out of memory");
        free(count);
        free(block_seen);
        return;
    }
    int am = ops->acc_m(t), an = ops->acc_n(t);
    int tm = TG_MMA_TILES_M(t->reg_block_m), tn = TG_MMA_TILES_N(t->reg_block_n);
    for (int64_t bid = 0; bid < gm * gn; bid++) {
        int64_t br, bc;
        ops->block(t, bid, gm, gn, &br, &bc);
        if (br < 0 || br >= gm || bc < 0 || bc >= gn) {
            fail(r, "coverage", "block %lld maps to (%lld,%lld), outside the %lldx%lld grid",
                 (long long)bid, (long long)br, (long long)bc, (long long)gm, (long long)gn);
            continue;
        }
        if (block_seen[br * gn + bc]++)
            fail(r, "coverage", "block (%lld,%lld) is launched twice (again as block %lld)",
                 (long long)br, (long long)bc, (long long)bid);
        for (int w = 0; w < tg_plan_warps(t); w++) {
            int wr = tg_plan_warp_row(t, w), wc = tg_plan_warp_col(t, w);
            for (int i = 0; i < am; i++)
                for (int j = 0; j < an; j++) {
                    tg_rc64 ct = ops->c_tile(t, br, bc, wr, wc, i, j);
                    for (int mt = 0; mt < tm; mt++)
                        for (int nt = 0; nt < tn; nt++)
                            for (int l = 0; l < TG_WARP_SIZE; l++)
                                for (int reg = 0; reg < 4; reg++) {
                                    tg_rc f = ops->frag_c(l, reg);
                                    int64_t row = ct.row + mt * TG_MMA_M + f.row;
                                    int64_t col = ct.col + nt * TG_MMA_N + f.col;
                                    if (row < 0 || col < 0 || row >= rows || col >= cols) {
                                        fail(r, "coverage",
                                             "block (%lld,%lld) warp %d accumulator (%d,%d) "
                                             "writes C(%lld,%lld), outside the grid",
                                             (long long)br, (long long)bc, w, i, j,
                                             (long long)row, (long long)col);
                                        continue;
                                    }
                                    if (count[row * cols + col] < 255)
                                        count[row * cols + col]++;
                                }
                }
        }
    }
    for (int64_t row = 0; row < rows; row++)
        for (int64_t col = 0; col < cols; col++) {
            int c = count[row * cols + col];
            if (c != 1)
                fail(r, "coverage", "C(%lld,%lld) is produced %d times, not once", (long long)row,
                     (long long)col, c);
        }
    free(count);
    free(block_seen);
}

static void check_execution(const tg_tile *t, const tg_plan_ops *ops, int64_t m, int64_t n,
                            int64_t k, uint64_t seed, report *r)
{
    float *a = malloc(sizeof(float) * (size_t)(m * k));
    float *b = malloc(sizeof(float) * (size_t)(n * k));
    float *c = malloc(sizeof(float) * (size_t)(m * n));
    float *sa = malloc(sizeof(float) * (size_t)(t->block_m * t->dot_slice_shared));
    float *sb = malloc(sizeof(float) * (size_t)(t->block_n * t->dot_slice_shared));
    size_t acc_elems = (size_t)ops->acc_m(t) * (size_t)ops->acc_n(t) *
                       (size_t)TG_MMA_TILES_M(t->reg_block_m) *
                       (size_t)TG_MMA_TILES_N(t->reg_block_n) * TG_WARP_SIZE * 4 *
                       (size_t)tg_plan_warps(t);
    double *acc = malloc(sizeof(double) * (acc_elems ? acc_elems : 1));
    if (!a || !b || !c || !sa || !sb || !acc) {
        fail(r, "execution", "out of memory");
        goto done;
    }
    for (int64_t x = 0; x < m * k; x++)
        a[x] = (float)tg_verify_small_int(&seed);
    for (int64_t x = 0; x < n * k; x++)
        b[x] = (float)tg_verify_small_int(&seed);
    for (int64_t x = 0; x < m * n; x++)
        c[x] = NAN;

    problem pb = {m, n, k, a, b, c};
    int64_t gm = tg_plan_grid_m(t, m), gn = tg_plan_grid_n(t, n);
    for (int64_t bid = 0; bid < gm * gn; bid++) {
        int64_t br, bc;
        ops->block(t, bid, gm, gn, &br, &bc);
        if (br < 0 || br >= gm || bc < 0 || bc >= gn)
            continue; /* reported by coverage */
        execute_block(t, ops, &pb, br, bc, sa, sb, acc);
    }

    int64_t bad = 0;
    for (int64_t row = 0; row < m; row++)
        for (int64_t col = 0; col < n; col++) {
            double ref = 0;
            for (int64_t x = 0; x < k; x++)
                ref += (double)a[row * k + x] * b[col * k + x];
            double got = c[row * n + col];
            if (!(got == ref)) {
                if (bad < 3)
                    fail(r, "execution", "M=%lld N=%lld K=%lld: C(%lld,%lld) = %g, reference %g",
                         (long long)m, (long long)n, (long long)k, (long long)row,
                         (long long)col, got, ref);
                bad++;
            }
        }
    if (bad > 3)
        fail(r, "execution", "M=%lld N=%lld K=%lld: %lld of %lld elements differ in all",
             (long long)m, (long long)n, (long long)k, (long long)bad, (long long)(m * n));
done:
    free(a);
    free(b);
    free(c);
    free(sa);
    free(sb);
    free(acc);
}

/* ------------------------------------------------------------------------
 * Entry points
 * ---------------------------------------------------------------------- */

tg_status tg_plan_verify_ops(const tg_tile *t, const tg_plan_ops *ops, char *buf, size_t len)
{
    report r = {buf, len, 0, 0};
    if (buf && len)
        buf[0] = '\0';
    if (!t || !ops)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "tg_plan_verify_ops: tile or plan is NULL");
    TG_TRY(tg_micro_check_tile(t));

    check_structure(t, ops, &r);
    check_pairing(t, ops, &r);
    check_slice_layout(t, ops, t->block_m, "A slice", &r);
    check_slice_layout(t, ops, t->block_n, "B slice", &r);
    int structural = r.failures;

    /* Shapes: tiny, odd, one block plus a ragged edge, and enough block rows
     * to cross a raster group. Execution needs a sound layout to run. */
    int64_t bm = t->block_m, bn = t->block_n, dss = t->dot_slice_shared;
    const int64_t shapes[][3] = {
        {1, 1, 1},
        {17, 33, 100},
        {bm + 1, bn + 3, 2 * dss + 5},
        {2 * bm + 7, 3 * bn - 1, t->k_step + dss + 3},
        {(t->raster + 1) * bm + 3, 2 * bn + 1, 19},
    };
    int nshapes = (int)(sizeof shapes / sizeof shapes[0]);
    for (int s = 0; s < nshapes; s++)
        check_coverage(t, ops, shapes[s][0], shapes[s][1], &r);
    if (structural == 0)
        for (int s = 0; s < nshapes; s++)
            check_execution(t, ops, shapes[s][0], shapes[s][1], shapes[s][2],
                            0x9E3779B97F4A7C15ULL + (uint64_t)s, &r);
    else
        say(&r, "  (execution skipped: the plan's structure is broken)\n");

    if (r.failures) {
        say(&r, "plan verifier: %d failure(s)\n", r.failures);
        return TG_FAIL(TG_ERR_INVALID_CONFIG, "tile plan failed %d verifier check(s)", r.failures);
    }
    int conflicts = ldsm_conflicts(t, ops, t->block_m, 1) + ldsm_conflicts(t, ops, t->block_n, 0);
    say(&r,
        "plan verifier: ok (structure, pairing, loads, layout, coverage on %d shapes, "
        "execution on %d shapes: exact); ldmatrix bank conflicts: %d\n",
        nshapes, nshapes, conflicts);
    return TG_SUCCESS;
}
