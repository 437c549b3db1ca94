/*
 * plan.h — the decode family's plan: its parameters (one X-macro list), the
 * rules between them, and every index its kernel uses. Pure C; callable from
 * host and device code (src/decode/kernel.cuh and the CPU verifier,
 * src/decode/verify.c, call the same functions).
 *
 * The family is for M <= 64 (decode: one or a few token rows against a
 * weight matrix B). There the GEMM is bound by reading B once, N·K·2 bytes
 * (128 MiB at 8192x8192), while A (M·K·2 bytes) is small and is re-read
 * from L1 and L2. So the kernel is shaped around B's stream:
 *
 *   - every warp streams its own REG_BLOCK_N rows of B over its own range of
 *     K, one 16-byte load per lane per row per K step of 32 columns
 *     (ld.global.nc.L1::no_allocate), STAGES steps in flight (a ring of
 *     registers), and those 16 bytes ARE the lane's mma B fragments of two
 *     m16n8k16 steps (the K permutation below): no shared memory, no
 *     ldmatrix, no shuffle between load and mma;
 *   - A's rows 0..BLOCK_M-1 go through the same permutation, straight from
 *     global memory (through L1, which the warps of a block with the same K
 *     range share); rows past M are zeros in registers, never read;
 *   - K is split over WARPS_K warps of a block and SPLIT_K blocks of a
 *     thread-block cluster: PARTS = WARPS_K·SPLIT_K contiguous ranges of K
 *     steps. Partial sums meet in shared memory (warps, in warp order) and
 *     through distributed shared memory (the cluster's blocks, in rank
 *     order): a fixed order, so C is bitwise the same run after run, and no
 *     workspace, no second kernel and no atomics are needed.
 *
 * Parameters (the micro family's vocabulary where it applies):
 *   BLOCK_M       rows of C (and of A) a block computes: the largest M the
 *                 configuration takes (16, 32, 48 or 64: m16 mma tiles)
 *   REG_BLOCK_N   columns of C per warp = rows of B one warp streams (n8
 *                 mma tiles of REG_BLOCK_N/8)
 *   WARPS_N       warps side by side along N: BLOCK_N = WARPS_N·REG_BLOCK_N
 *                 columns per block (they read the same A: L1 hits)
 *   WARPS_K       warps of a block one after another along K
 *   SPLIT_K       blocks of one cluster one after another along K
 *   STAGES        K steps each warp keeps in flight
 *   MIN_BLOCKS    __launch_bounds__' minimum blocks per SM (caps registers)
 *
 * The K permutation. mma.m16n8k16 (PTX ISA, "Matrix Fragments for
 * mma.m16n8k16 with floating point type") gives lane l = 4g + t (g = l/4,
 * t = l%4) these elements of a k16 step, as 32-bit registers of two bf16:
 *     A: a0 = (row g,   k 2t, 2t+1)   a1 = (row g+8, k 2t, 2t+1)
 *        a2 = (row g,   k 2t+8, +9)   a3 = (row g+8, k 2t+8, +9)
 *     B: b0 = (k 2t, 2t+1; column g)  b1 = (k 2t+8, 2t+9; column g)
 * A dot product may take its K columns in any order, as long as A and B
 * take the same one. Within a K step of 32 columns, lane t loads columns
 * 8t..8t+7 of its row (one 16-byte vector: words 0..3 hold columns
 * 8t+{0,1}, {2,3}, {4,5}, {6,7}), and mma step s (0, 1) uses word 2s as
 * its k {2t, 2t+1} register and word 2s+1 as its k {2t+8, 2t+9} register:
 *
 *     physical column 8t + 4s + 2w + e   is   mma step s, logical k 2t + 8w + e
 *
 * (w = 0, 1: which of the two registers; e = 0, 1: which half of it). For
 * each s the logical k covers 0..15 once as t, w, e vary, so the two mma
 * steps multiply every one of the 32 columns exactly once, and since the map
 * depends on t alone (not on g, the row), every A row and B row are paired
 * at the same physical column. A row of A is loaded the same way, one vector
 * for row g (a0, a2) and one for row g+8 (a1, a3) per m16 tile.
 * tg_dplan_lane_k, tg_dplan_a_word and tg_dplan_b_word state it; the
 * verifier checks it against the ISA's layout.
 *
 * The reduction, in a fixed order. Part p = rank·WARPS_K + wk (rank: the
 * block's place in its cluster; wk: the warp's place along K) sums K steps
 * [p·S/PARTS, (p+1)·S/PARTS) of S = ceil(K/32), in step order. Each warp
 * writes its fp32 fragment (rows < M) to shared memory, at
 * tg_dplan_red_offset(wk, row, column). Then per element of the block's
 * M x BLOCK_N tile (tg_dplan_block_elem: thread tid takes tid, tid+THREADS,
 * ...): block sum = ((w0 + w1) + w2) + ... in wk order. SPLIT_K = 1: C =
 * alpha·sum + beta·C right there. SPLIT_K > 1: the sum goes back into
 * slot wk = 0, the cluster synchronises (release/acquire), and rank r
 * finishes its share of the elements (tg_dplan_cluster_elem) as ((b0 + b1)
 * + b2) + ..., reading block q's sum from q's shared memory; a second
 * cluster barrier keeps every block alive until its sums were read. So C
 * is the parts in increasing K order, grouped warp-wise then block-wise.
 */
#ifndef TG_DECODE_PLAN_H
#define TG_DECODE_PLAN_H

#include <stdint.h>

#include "core/order.h" /* TG_HD */
#include "core/pp.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * THE list of the family's parameters (as TG_MICRO_PARAMS: the parser,
 * printer, range checks, presets.def's columns and each instance's
 * constants come from it).
 *   X(index, key, NAME, min, max, values, doc)
 */
#define TG_DECODE_PARAMS(X)                                                                    \
    X(0, block_m, BLOCK_M, 8, 64, NULL,                                                        \
      "rows of C a block computes, the largest M the configuration takes (m16 mma tiles: "    \
      "16, 32, 48 or 64; or 8, half a tile, whose other half is zeros the compiler knows)"   \
      "; larger M is the micro and hopper families' work")                                    \
    X(1, reg_block_n, REG_BLOCK_N, 8, 64, NULL,                                                \
      "columns of C per warp, the rows of B one warp streams (n8 mma tiles); at most 64: "    \
      "each row keeps STAGES 16-byte vectors in flight in registers")                         \
    X(2, warps_n, WARPS_N, 1, 32, NULL,                                                        \
      "warps side by side along N (BLOCK_N = WARPS_N*REG_BLOCK_N): they read the same A "     \
      "through L1; 32 warps is CUDA's 1024 threads")                                          \
    X(3, warps_k, WARPS_K, 1, 32, NULL,                                                        \
      "warps of a block splitting K; their partial sums are added in shared memory in "       \
      "warp order")                                                                           \
    X(4, split_k, SPLIT_K, 1, 8, NULL,                                                         \
      "blocks of a thread-block cluster splitting K; their partial sums are added through "   \
      "distributed shared memory in rank order; 8 is the portable cluster size")             \
    X(5, stages, STAGES, 1, 8, NULL,                                                           \
      "K steps of 32 columns whose 16-byte loads each warp keeps in flight (a ring of "       \
      "registers)")                                                                           \
    X(6, min_blocks, MIN_BLOCKS, 1, 32, NULL,                                                  \
      "blocks per SM asked of the compiler (__launch_bounds__): registers are capped at "     \
      "65536/(threads*MIN_BLOCKS)")

/* TG_DECODE_BLOCK_M, ..., and their count. */
#define TG_DECODE_INDEX_(i, key, NAME, ...) TG_DECODE_##NAME = i,
enum { TG_DECODE_PARAMS(TG_DECODE_INDEX_) TG_DECODE_NPARAMS };
#undef TG_DECODE_INDEX_

/* The parameters as a struct (field = key). */
#define TG_DECODE_FIELD_(i, key, ...) int key;
typedef struct tg_dtile {
    TG_DECODE_PARAMS(TG_DECODE_FIELD_)
} tg_dtile;
#undef TG_DECODE_FIELD_

#define TG_DECODE_TO_TILE_(i, key, ...) t.key = p[i];
TG_HD tg_dtile tg_dtile_from_params(const int *p)
{
    tg_dtile t;
    TG_DECODE_PARAMS(TG_DECODE_TO_TILE_)
    return t;
}
#undef TG_DECODE_TO_TILE_

/* ------------------------------------------------------------------------
 * Constants and derived quantities (macros: integer constant expressions)
 * ---------------------------------------------------------------------- */

#define TG_D_WARP_SIZE 32
#define TG_D_MMA_M 16 /* mma.sync.m16n8k16 */
#define TG_D_MMA_N 8
#define TG_D_MMA_K 16
#define TG_D_VEC_ELEMS 8 /* bf16 in one 16-byte load */
/* K columns of one step: 4 lanes x 8 columns = two mma k16 steps */
#define TG_D_K_STEP 32
#define TG_D_MMAS_PER_STEP (TG_D_K_STEP / TG_D_MMA_K)
/* fp32 padding of a shared-memory row of partial sums: rows 8 floats (32 bytes) apart in
 * bank terms, so the float2 stores of a half-warp (rows g..g+3) hit 16 different banks */
#define TG_D_RED_PAD 8
#define TG_D_MAX_SMEM_BLOCK (227 * 1024)
#define TG_D_MAX_SMEM_SM (228 * 1024)
#define TG_D_MAX_THREADS_SM 2048

/* m16 tiles of A (BLOCK_M = 8: one, its rows 8..15 zeros) and A's 8-row halves */
#define TG_D_M_TILES(BM) (((BM) + TG_D_MMA_M - 1) / TG_D_MMA_M)
#define TG_D_A_HALVES(BM) ((BM) / 8)
#define TG_D_N_TILES(RN) ((RN) / TG_D_MMA_N)
#define TG_D_BLOCK_N(RN, WN) ((RN) * (WN))
#define TG_D_WARPS(WN, WK) ((WN) * (WK))
#define TG_D_THREADS(WN, WK) (TG_D_WARP_SIZE * TG_D_WARPS(WN, WK))
#define TG_D_PARTS(WK, SK) ((WK) * (SK))
/* floats between rows of the partial sums, and the block's shared memory: one
 * BLOCK_M x BLOCK_N fp32 tile per warp row along K */
#define TG_D_RED_STRIDE(RN, WN) (TG_D_BLOCK_N(RN, WN) + TG_D_RED_PAD)
#define TG_D_SMEM_BYTES(BM, RN, WN, WK) ((WK) * (BM) * TG_D_RED_STRIDE(RN, WN) * 4)
/* registers per thread: accumulators, one ring stage (B: a vector per n8 tile; A: two per
 * m16 tile), and an estimate of the rest (row pointers, K range, loop). A floor, not what
 * ptxas takes: under a loose cap it keeps more loads in flight (decode_m16's plan counts 104,
 * ptxas spilled under a cap of 113 and took 124 of 128). The rule below refuses what cannot
 * fit; the build's spill check (scripts/ptxas-check) refuses the rest. */
#define TG_D_ACC_REGS(BM, RN) (TG_D_M_TILES(BM) * TG_D_N_TILES(RN) * 4)
#define TG_D_STAGE_REGS(BM, RN) (TG_D_N_TILES(RN) * 4 + TG_D_A_HALVES(BM) * 4)
#define TG_D_OTHER_REGS(BM, RN) (2 * TG_D_N_TILES(RN) + 4 * TG_D_M_TILES(BM) + 24)
#define TG_D_REGS(BM, RN, ST) \
    (TG_D_ACC_REGS(BM, RN) + (ST) * TG_D_STAGE_REGS(BM, RN) + TG_D_OTHER_REGS(BM, RN))
#define TG_D_REG_BUDGET(WN, WK, MB)                                   \
    (65536 / (TG_D_THREADS(WN, WK) * (MB)) > 255 ? 255                \
                                                 : 65536 / (TG_D_THREADS(WN, WK) * (MB)))

/*
 * Every rule between the parameters, once, in order after the ranges (so no
 * product here overflows: at most 32·64·72·4·32 bytes). RULE(condition,
 * reason); P(NAME) reads a parameter (a constant in a kernel instance,
 * p[TG_DECODE_NAME] on the host).
 */
#define TG_DECODE_RULES(RULE, P)                                                             \
    RULE(P(BLOCK_M) == 8 || P(BLOCK_M) % TG_D_MMA_M == 0,                                    \
         "BLOCK_M must be 8 or a multiple of 16: the block's rows are m16n8k16 mma tiles "   \
         "(8: the top half of one)")                                                         \
    RULE(P(REG_BLOCK_N) % TG_D_MMA_N == 0,                                                   \
         "REG_BLOCK_N must be a multiple of 8: a warp's columns are n8 mma tiles, 8 rows "   \
         "of B each")                                                                        \
    RULE(TG_D_THREADS(P(WARPS_N), P(WARPS_K)) <= 1024,                                       \
         "WARPS_N*WARPS_K*32 must be <= 1024 threads, CUDA's block limit")                   \
    RULE(P(MIN_BLOCKS) * TG_D_THREADS(P(WARPS_N), P(WARPS_K)) <= TG_D_MAX_THREADS_SM,        \
         "MIN_BLOCKS*threads must be <= 2048, the threads of one SM")                        \
    RULE(TG_D_SMEM_BYTES(P(BLOCK_M), P(REG_BLOCK_N), P(WARPS_N), P(WARPS_K)) <=              \
             TG_D_MAX_SMEM_BLOCK,                                                            \
         "WARPS_K*BLOCK_M*(BLOCK_N+8)*4 bytes of partial sums exceed Hopper's 227 KB of "    \
         "shared memory per block")                                                          \
    RULE(P(MIN_BLOCKS) *                                                                     \
                 TG_D_SMEM_BYTES(P(BLOCK_M), P(REG_BLOCK_N), P(WARPS_N), P(WARPS_K)) <=      \
             TG_D_MAX_SMEM_SM,                                                               \
         "MIN_BLOCKS blocks of this shared memory do not fit in one SM's 228 KB")            \
    RULE(TG_D_REGS(P(BLOCK_M), P(REG_BLOCK_N), P(STAGES)) <=                                 \
             TG_D_REG_BUDGET(P(WARPS_N), P(WARPS_K), P(MIN_BLOCKS)),                         \
         "BLOCK_M*REG_BLOCK_N/32 accumulators, STAGES ring stages of REG_BLOCK_N/2 + "       \
         "BLOCK_M/2 registers and about 24 more (addresses, K range) exceed "                \
         "65536/(threads*MIN_BLOCKS) registers per thread (at most 255): ptxas would spill, " \
         "and the build refuses spills (this count is a floor: ptxas has the last word)")

/* ------------------------------------------------------------------------
 * Derived quantities as functions of a tile
 * ---------------------------------------------------------------------- */

TG_HD int tg_dplan_m_tiles(const tg_dtile *t) { return TG_D_M_TILES(t->block_m); }
TG_HD int tg_dplan_n_tiles(const tg_dtile *t) { return TG_D_N_TILES(t->reg_block_n); }
TG_HD int tg_dplan_block_n(const tg_dtile *t) { return TG_D_BLOCK_N(t->reg_block_n, t->warps_n); }
TG_HD int tg_dplan_warps(const tg_dtile *t) { return TG_D_WARPS(t->warps_n, t->warps_k); }
TG_HD int tg_dplan_threads(const tg_dtile *t) { return TG_D_THREADS(t->warps_n, t->warps_k); }
TG_HD int tg_dplan_parts(const tg_dtile *t) { return TG_D_PARTS(t->warps_k, t->split_k); }
TG_HD int tg_dplan_red_stride(const tg_dtile *t) { return TG_D_RED_STRIDE(t->reg_block_n, t->warps_n); }
TG_HD int tg_dplan_smem_bytes(const tg_dtile *t)
{
    return TG_D_SMEM_BYTES(t->block_m, t->reg_block_n, t->warps_n, t->warps_k);
}

/* ------------------------------------------------------------------------
 * The grid: column groups of BLOCK_N, SPLIT_K blocks (a cluster) each
 * ---------------------------------------------------------------------- */

/* Column groups over N: ceil(N / BLOCK_N), without forming N + BLOCK_N - 1. */
TG_HD int64_t tg_dplan_groups(const tg_dtile *t, int64_t n)
{
    const int bn = tg_dplan_block_n(t);
    return n / bn + (n % bn != 0);
}

/*
 * Block blockIdx.x → its column group and its rank in the cluster. A
 * cluster of SPLIT_K x 1 x 1 blocks is SPLIT_K consecutive blockIdx.x, and
 * its rank (%cluster_ctarank) is blockIdx.x % SPLIT_K: one column group per
 * cluster, every rank once.
 */
typedef struct tg_dblock {
    int64_t group;
    int rank;
} tg_dblock;

TG_HD tg_dblock tg_dplan_block(const tg_dtile *t, int64_t bid)
{
    tg_dblock b = {bid / t->split_k, (int)(bid % t->split_k)};
    return b;
}

/* Warp w of a block: its place along N and along K (warps next to each other share K). */
TG_HD int tg_dplan_warp_n(const tg_dtile *t, int warp) { return warp % t->warps_n; }
TG_HD int tg_dplan_warp_k(const tg_dtile *t, int warp) { return warp / t->warps_n; }

/* ------------------------------------------------------------------------
 * K: steps of 32 columns, split into PARTS contiguous ranges
 * ---------------------------------------------------------------------- */

/* K steps: ceil(K / 32); the last is partial when K % 32 != 0 (K is a multiple of 8). */
TG_HD int tg_dplan_steps(int64_t k) { return (int)(k / TG_D_K_STEP + (k % TG_D_K_STEP != 0)); }
/* Steps whose 32 columns all lie inside K. */
TG_HD int tg_dplan_full_steps(int64_t k) { return (int)(k / TG_D_K_STEP); }

/* The part of K that warp wk of the block of rank `rank` sums. */
TG_HD int tg_dplan_part(const tg_dtile *t, int rank, int wk) { return rank * t->warps_k + wk; }

/*
 * First step of part p (0 <= p <= PARTS; part p is [begin(p), begin(p+1))):
 * p·steps/PARTS, so parts differ by at most one step and part PARTS begins
 * at `steps`.
 */
TG_HD int tg_dplan_part_begin(const tg_dtile *t, int p, int steps)
{
    return (int)((int64_t)p * steps / tg_dplan_parts(t));
}

/* ------------------------------------------------------------------------
 * Which bytes each lane loads, and how they become mma fragments
 * ---------------------------------------------------------------------- */

/*
 * The row of B (= column of C) that lane streams for n8 tile j of warp wn
 * of column group `group`: the tile's column g = lane/4 (b0, b1 are column
 * g's). Rows past N are clamped by the kernel (and never stored).
 */
TG_HD int64_t tg_dplan_b_row(const tg_dtile *t, int64_t group, int wn, int j, int lane)
{
    return group * tg_dplan_block_n(t) + (int64_t)wn * t->reg_block_n + j * TG_D_MMA_N +
           lane / 4;
}

/*
 * A's rows come in halves of 8: m16 tile i, half h (0: a0, a2; 1: a1, a3, 8
 * rows down) is half 2i + h, rows 8(2i+h) .. +7, lane's row the (lane/4)-th.
 * The kernel tests "row < M" per half: a half wholly below M loads without
 * a test, a half wholly past M is zeros without a load, and only the half M
 * ends in tests each lane (uniform branches; per-lane tests on every half
 * cost ptxas about 30 registers).
 */
TG_HD int tg_dplan_a_half(int i, int h) { return 2 * i + h; }
TG_HD int tg_dplan_a_row(int i, int h, int lane) { return 8 * tg_dplan_a_half(i, h) + lane / 4; }

/* The first of the 8 K columns (inside a 32-column step) of lane's 16-byte vectors, A and B. */
TG_HD int tg_dplan_lane_k(int lane) { return lane % 4 * TG_D_VEC_ELEMS; }

/*
 * Which 32-bit word (0..3) of a lane's 16-byte vector is mma step s's
 * register w: for A, w = 0 is a0 (row g) or a1 (row g+8), w = 1 is a2 or a3;
 * for B, w = 0 is b0, w = 1 is b1. The same map for both is what pairs A's
 * and B's K columns (the permutation in the header).
 */
TG_HD int tg_dplan_a_word(int s, int w) { return 2 * s + w; }
TG_HD int tg_dplan_b_word(int s, int w) { return 2 * s + w; }

/* Element (row, col) of an m16n8 C tile that lane holds in register r (0..3) (the ISA's). */
typedef struct tg_drc {
    int row, col;
} tg_drc;

TG_HD tg_drc tg_dplan_frag_c(int lane, int r)
{
    tg_drc rc = {lane / 4 + r / 2 * 8, lane % 4 * 2 + r % 2};
    return rc;
}

/* ------------------------------------------------------------------------
 * The reduction
 * ---------------------------------------------------------------------- */

/*
 * Float index in shared memory of warp row wk's partial sum of element
 * (row, col) of the block tile (row < BLOCK_M, col < BLOCK_N): one padded
 * BLOCK_M x BLOCK_N tile per wk. Slot wk = 0 also holds the block's sum
 * that the cluster's blocks read.
 */
TG_HD int tg_dplan_red_offset(const tg_dtile *t, int wk, int row, int col)
{
    return (wk * t->block_m + row) * tg_dplan_red_stride(t) + col;
}

/*
 * Element i-th of thread tid in the block's reduction: tid + i·THREADS,
 * row e / BLOCK_N, column e % BLOCK_N of the M x BLOCK_N tile (consecutive
 * threads: consecutive columns of C).
 */
TG_HD int tg_dplan_block_elem(const tg_dtile *t, int tid, int i)
{
    return tid + i * tg_dplan_threads(t);
}

/*
 * SPLIT_K > 1: the i-th element thread tid of the block of rank `rank`
 * finishes: the ranks take turns at runs of THREADS elements.
 */
TG_HD int tg_dplan_cluster_elem(const tg_dtile *t, int rank, int tid, int i)
{
    return (i * t->split_k + rank) * tg_dplan_threads(t) + tid;
}

#ifdef __cplusplus
}
#endif

#endif /* TG_DECODE_PLAN_H */
