/*
 * plan.h — the gemv family's plan: its parameters (one X-macro list), the
 * rules between them, and every index its kernel uses. Pure C; callable from
 * host and device code (src/gemv/kernel.cuh and the CPU verifier,
 * src/gemv/verify.c, call the same functions).
 *
 * The family is for M <= 4 (decode with one or a few token rows), where the
 * GEMM is a matrix-vector product bound by reading B (N x K bf16) once. Its
 * kernel reads B in the order of the bench's streaming read (harness/
 * stream_read.cu), the fastest order measured for HBM (bench/RESULTS.md
 * entry 52): at every moment the whole grid reads one contiguous stretch of
 * B, each warp 512 contiguous bytes a load. That order falls out of three
 * choices:
 *
 *   - a block covers whole rows of B: its `bt` threads (blockDim.x, the
 *     fewest whole warps with VECS 16-byte vectors each that cover K/8
 *     vectors) take vectors tid, tid + bt, ..., tid + (VECS-1)·bt of every
 *     row, so a lane's K columns never change and its VECS vectors of each
 *     of A's rows stay in registers for the whole kernel (A is read once;
 *     A_SMEM = 1: A's M rows in the block's shared memory instead, read
 *     from there row after row of B, so that their registers go to loads
 *     in flight);
 *   - block b of G (as many as fit at once on the GPU) takes rows b, b + G,
 *     b + 2G, ... of B: the G blocks together read G consecutive rows, the
 *     next G after them, and so on;
 *   - each thread keeps ROWS rows (ROWS·VECS 16-byte loads) in flight, then
 *     multiplies them by its A vectors in fp32 (CUDA cores: no mma, whose
 *     fragments would need lanes to hold columns of several rows).
 *
 * A row's sum: each thread's VECS·8 products (in vector order), the warp's
 * 32 lanes by a butterfly of shuffles (lane 0's value), then the block's
 * warps through shared memory: warp w writes its partial of row slot s of
 * the current group of GROUP_ROWS rows at red_offset(buf, s, w, m); after a
 * __syncthreads the group's rows are finished by warps w, w + warps, ...
 * (lane q reads warp q's partial, a butterfly again; lane 0 stores C). The
 * two buffers alternate by group, so one barrier a group suffices: a warp
 * writes buffer x again only after the next group's barrier, which every
 * warp passes only after it finished reading buffer x. Every order is
 * fixed: C is bitwise the same run after run, with no workspace and no
 * atomics.
 */
#ifndef TG_GEMV_PLAN_H
#define TG_GEMV_PLAN_H

#include <stdint.h>

#include "core/order.h" /* TG_HD */
#include "core/pp.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * THE list of the family's parameters.
 *   X(index, key, NAME, min, max, values, doc)
 */
#define TG_GEMV_PARAMS(X)                                                                      \
    X(0, block_m, BLOCK_M, 1, 4, NULL,                                                         \
      "rows of A (and of C) the kernel takes at most; a thread holds BLOCK_M*VECS 16-byte "    \
      "vectors of A in registers and BLOCK_M sums a row (more: the decode and hopper "         \
      "families' work)")                                                                       \
    X(1, max_threads, MAX_THREADS, 32, 1024, NULL,                                             \
      "the most threads a block (the launch bound): a block covers a whole row of B, "         \
      "MAX_THREADS*VECS*8 columns at most, so K <= 8*MAX_THREADS*VECS")                        \
    X(2, vecs, VECS, 1, 4, NULL,                                                               \
      "16-byte vectors (8 columns) of each row a thread reads: its K columns, fixed for the "  \
      "whole kernel")                                                                          \
    X(3, rows, ROWS, 1, 8, NULL,                                                               \
      "rows of B each thread has in flight: ROWS*VECS 16-byte loads before it uses any")       \
    X(4, min_blocks, MIN_BLOCKS, 1, 32, NULL,                                                  \
      "blocks of MAX_THREADS per SM asked of the compiler (__launch_bounds__): registers are " \
      "capped at 65536/(MAX_THREADS*MIN_BLOCKS)")                                              \
    X(5, a_smem, A_SMEM, 0, 1, NULL,                                                           \
      "0: a thread's vectors of A in registers, loaded once; 1: A's M rows in the block's "   \
      "shared memory (M*K*2 bytes), read there for each row of B, so that their registers go " \
      "to loads in flight")

#define TG_GEMV_INDEX_(i, key, NAME, ...) TG_GEMV_##NAME = i,
enum { TG_GEMV_PARAMS(TG_GEMV_INDEX_) TG_GEMV_NPARAMS };
#undef TG_GEMV_INDEX_

#define TG_GEMV_FIELD_(i, key, ...) int key;
typedef struct tg_gtile {
    TG_GEMV_PARAMS(TG_GEMV_FIELD_)
} tg_gtile;
#undef TG_GEMV_FIELD_

#define TG_GEMV_TO_TILE_(i, key, ...) t.key = p[i];
TG_HD tg_gtile tg_gtile_from_params(const int *p)
{
    tg_gtile t;
    TG_GEMV_PARAMS(TG_GEMV_TO_TILE_)
    return t;
}
#undef TG_GEMV_TO_TILE_

/* ------------------------------------------------------------------------
 * Constants and derived quantities (macros: integer constant expressions)
 * ---------------------------------------------------------------------- */

#define TG_G_WARP_SIZE 32
#define TG_G_VEC_ELEMS 8   /* bf16 in one 16-byte load */
#define TG_G_GROUP_ROWS 32 /* rows a block finishes after one barrier */
#define TG_G_MAX_THREADS_SM 2048
#define TG_G_MAX_SMEM_BLOCK (48 * 1024)         /* static shared memory */
#define TG_G_MAX_SMEM_OPTIN (227 * 1024)        /* static + dynamic, Hopper's opt-in limit */
#define TG_G_WARPS(TH) ((TH) / TG_G_WARP_SIZE)
/* partial sums: two buffers of GROUP_ROWS rows x warps x BLOCK_M floats */
#define TG_G_SMEM_BYTES(BM, TH) (2 * TG_G_GROUP_ROWS * TG_G_WARPS(TH) * (BM) * 4)
/* registers per thread the plan counts: the loads in flight, A's vectors, the sums, and about
 * 16 more (addresses, row counters); a floor (ptxas has the last word: the build refuses
 * spills) */
#define TG_G_REGS(BM, V, R, AS) (4 * (R) * (V) + ((AS) ? 4 : 4 * (BM) * (V)) + (BM) * (R) + 16)
#define TG_G_REG_BUDGET(TH, MB)                                                                \
    (65536 / ((TH) * (MB)) > 255 ? 255 : 65536 / ((TH) * (MB)))

/*
 * Every rule between the parameters, once, in order after the ranges.
 * RULE(condition, reason); P(NAME) reads a parameter.
 */
#define TG_GEMV_RULES(RULE, P)                                                                 \
    RULE(P(MAX_THREADS) % TG_G_WARP_SIZE == 0,                                                 \
         "MAX_THREADS must be a multiple of 32: a block is whole warps")                       \
    RULE(TG_G_GROUP_ROWS % P(ROWS) == 0,                                                       \
         "ROWS must divide 32, the rows of a group: a group is whole batches of ROWS rows")    \
    RULE(P(MIN_BLOCKS) * P(MAX_THREADS) <= TG_G_MAX_THREADS_SM,                                \
         "MIN_BLOCKS*MAX_THREADS must be <= 2048, the threads of one SM")                      \
    RULE(TG_G_SMEM_BYTES(P(BLOCK_M), P(MAX_THREADS)) <= TG_G_MAX_SMEM_BLOCK,                   \
         "2*32*(MAX_THREADS/32)*BLOCK_M*4 bytes of partial sums exceed 48 KB of static shared " \
         "memory")                                                                             \
    RULE(TG_G_REGS(P(BLOCK_M), P(VECS), P(ROWS), P(A_SMEM)) <=                                 \
             TG_G_REG_BUDGET(P(MAX_THREADS), P(MIN_BLOCKS)),                                   \
         "ROWS*VECS loads, BLOCK_M*VECS vectors of A (A_SMEM 0) and about 16 more "           \
         "registers exceed 65536/(MAX_THREADS*MIN_BLOCKS) registers per thread: ptxas would " \
         "spill, and the build refuses spills")

/* ------------------------------------------------------------------------
 * The block: its threads from K, its rows of B
 * ---------------------------------------------------------------------- */

/* 16-byte vectors of a row: K/8 (the family takes K % 8 == 0). */
TG_HD int64_t tg_gplan_vectors(int64_t k) { return k / TG_G_VEC_ELEMS; }

/*
 * Threads of a block for K (blockDim.x): the fewest whole warps with VECS
 * vectors each that cover the row's K/8 vectors, at least one warp. Above
 * MAX_THREADS the configuration cannot take K (supports() says so).
 */
TG_HD int64_t tg_gplan_block_threads(const tg_gtile *t, int64_t k)
{
    const int64_t per_thread = (tg_gplan_vectors(k) + t->vecs - 1) / t->vecs;
    const int64_t warps = (per_thread + TG_G_WARP_SIZE - 1) / TG_G_WARP_SIZE;
    return (warps < 1 ? 1 : warps) * TG_G_WARP_SIZE;
}

/* The j-th vector (0 <= j < VECS) of thread tid in every row, for blocks of bt threads;
 * vectors >= K/8 are past the row (zeros for A and B, not loaded). */
TG_HD int64_t tg_gplan_vector(int tid, int j, int bt) { return tid + (int64_t)j * bt; }

/* Rows of B that block b of G takes: b, b + G, ...: ceil((N - b) / G) for b < N. */
TG_HD int64_t tg_gplan_block_rows(int64_t n, int64_t g, int64_t b)
{
    return b < n ? (n - b + g - 1) / g : 0;
}

/* The i-th row of B (= column of C) of block b of G. */
TG_HD int64_t tg_gplan_row(int64_t g, int64_t b, int64_t i) { return b + g * i; }

/* ------------------------------------------------------------------------
 * A in shared memory (A_SMEM = 1)
 * ---------------------------------------------------------------------- */

/* Dynamic shared memory for A's m rows of K columns (A_SMEM = 1; 0 with A in registers). */
TG_HD int64_t tg_gplan_a_smem_bytes(const tg_gtile *t, int m, int64_t k)
{
    return t->a_smem ? (int64_t)m * tg_gplan_vectors(k) * 16 : 0;
}

/*
 * The 16-byte slot of A's vector v of row m in shared memory: row after row,
 * so the consecutive lanes of a warp, reading consecutive vectors of one
 * row, read 512 consecutive bytes (no bank conflict), and the block's load
 * of A is its threads striding over the slots.
 */
TG_HD int64_t tg_gplan_a_slot(int64_t vectors, int m, int64_t v) { return m * vectors + v; }

/* ------------------------------------------------------------------------
 * The reduction
 * ---------------------------------------------------------------------- */

/* The buffer of the group whose first row is the block's i0-th: groups alternate. */
TG_HD int tg_gplan_buffer(int64_t i0) { return (int)(i0 / TG_G_GROUP_ROWS % 2); }

/* Float index of warp w's partial sum of slot s (row i0 + s of the group), row m of A. */
TG_HD int tg_gplan_red_offset(const tg_gtile *t, int buf, int slot, int warp, int m)
{
    return ((buf * TG_G_GROUP_ROWS + slot) * TG_G_WARPS(t->max_threads) + warp) * t->block_m + m;
}

/* The q-th slot of a group that warp w of `warps` finishes: w, w + warps, ... (< 32). */
TG_HD int tg_gplan_finish_slot(int warp, int warps, int q) { return warp + q * warps; }

#ifdef __cplusplus
}
#endif

#endif /* TG_GEMV_PLAN_H */
