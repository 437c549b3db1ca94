/*
 * plan.h — the micro family's tile plan: its parameters (one X-macro list),
 * the rules between them, and every index the micro kernel uses, derived
 * from them. Pure C; callable from host and device code.
 *
 * The parameters are the seed kernel's (HipKittens micro_tk) vocabulary:
 *   BLOCK_M × BLOCK_N      the C tile of one thread block (seed: BLOCK_SIZE 128)
 *   K_STEP                 the outer K loop: K_STEP/DOT_SLICE_SHARED shared
 *                          slices per step (seed: 256)
 *   DOT_SLICE_SHARED       K width of the A and B slices staged in shared
 *                          memory (seed: 64)
 *   DOT_SLICE              K width of one register tile (seed: 16)
 *   REG_BLOCK_M × REG_BLOCK_N
 *                          one fp32 accumulator tile (seed: BLOCK_SIZE/4 = 32)
 *   WARPS_M × WARPS_N      the warp grid (seed: 4×2, warp_row = id/2,
 *                          warp_col = id%2)
 *
 * Derived (TG_* macros below, so array sizes are compile-time constants; the
 * inline functions call the same macros):
 *
 *   WARP_TILE_M = BLOCK_M/WARPS_M        rows of C one warp owns (seed: 32)
 *   WARP_TILE_N = BLOCK_N/WARPS_N        columns of C one warp owns (seed: 64)
 *   ACC_M = WARP_TILE_M/REG_BLOCK_M      accumulator tiles per warp along M
 *   ACC_N = WARP_TILE_N/REG_BLOCK_N      ... along N; ACC_M·ACC_N per warp
 *                                        (seed 1×2 = 2; split8 2×4 = 8)
 *
 * Ownership. Accumulator (i, j) of warp (warp_row, warp_col) covers the
 * register-tile "piece" pa(i) along M and pb(j) along N, in units of
 * REG_BLOCK_M and REG_BLOCK_N:
 *
 *   interleaved (the seed's):  pa = warp_row + WARPS_M·i,  pb = warp_col + WARPS_N·j
 *   contiguous:                pa = warp_row·ACC_M + i,    pb = warp_col·ACC_N + j
 *
 * With REG_BLOCK = BLOCK_SIZE/4 the interleaved plan is exactly the seed
 * (row piece warp_row, column pieces warp_col and warp_col+2); with
 * BLOCK_SIZE/8 it is rows {warp_row, warp_row+4} × columns {warp_col, +2, +4,
 * +6}: 8 accumulators. Register tile A(i) is loaded from shared rows
 * pa·REG_BLOCK_M.., B(j) from pb·REG_BLOCK_N.., and accumulator (i, j) is
 * stored to C rows BLOCK_M·block_row + pa·REG_BLOCK_M, columns
 * BLOCK_N·block_col + pb·REG_BLOCK_N.
 *
 * Below the register tile, the hardware fixes the fragments: an accumulator
 * is (REG_BLOCK_M/16)×(REG_BLOCK_N/8) mma.m16n8k16 tiles of 4 fp32 registers
 * per lane; the lane maps are functions here too, so the CPU verifier
 * (tg_plan_verify_ops, src/micro/verify.c) walks exactly the coordinates the kernel uses.
 */
#ifndef TG_MICRO_PLAN_H
#define TG_MICRO_PLAN_H

#include <stdint.h>

#include "core/order.h"
#include "core/pp.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Which register tiles a warp owns. Append only. */
typedef enum tg_layout {
    TG_INTERLEAVED = 0, /* the seed's: warps interleaved, warp grid as stride */
    TG_CONTIGUOUS = 1,  /* each warp owns one WARP_TILE_M×WARP_TILE_N region */
} tg_layout;

/* How slices travel from global to shared memory. Append only. */
typedef enum tg_pipe {
    TG_CP_ASYNC = 0, /* cp.async global → shared, STAGES slices in flight */
    TG_REGS = 1,     /* the seed's: global → registers → shared, 2 stages */
} tg_pipe;

/*
 * THE list of the family's parameters. It drives the tg_tile struct below,
 * the parser, printer and range checks (src/micro/family.c builds the
 * family's tg_param table from it), the constants of every kernel instance
 * (src/micro/kernel.cuh) and the column order of presets.def.
 *
 *   X(index, key, NAME, min, max, values, doc)
 *     index   position in a configuration's params[] and in a presets.def line
 *     key     its key in a configuration string (lower-case NAME)
 *     NAME    the kernel's compile-time constant: the seed's vocabulary
 *     min,max the accepted range, checked before any rule forms a product
 *             (so every derived size fits an int)
 *     values  NULL, or the names of 0, 1, ... for an enumeration
 */
#define TG_MICRO_PARAMS(X)                                                                     \
    X(0, block_m, BLOCK_M, 16, 512, NULL,                                                      \
      "rows of C per thread block (the seed's BLOCK_SIZE); at most 512: two A and B "          \
      "slices of a larger block cannot fit 227 KB of shared memory")                           \
    X(1, block_n, BLOCK_N, 16, 512, NULL,                                                      \
      "columns of C per thread block (the seed's BLOCK_SIZE); at most 512, as block_m")       \
    X(2, k_step, K_STEP, 16, 4096, NULL,                                                       \
      "the outer K loop: K_STEP/DOT_SLICE_SHARED shared slices per step (seed 256)")          \
    X(3, dot_slice_shared, DOT_SLICE_SHARED, 16, 128, NULL,                                    \
      "K width of the A and B slices staged in shared memory (seed 64); the swizzle "          \
      "permutes 16-byte chunks of 128-byte lines, so at most 128")                             \
    X(4, dot_slice, DOT_SLICE, 16, 128, NULL,                                                  \
      "K width of one register tile (seed 16); at most DOT_SLICE_SHARED's 128")               \
    X(5, reg_block_m, REG_BLOCK_M, 16, 512, NULL,                                              \
      "rows of one fp32 accumulator tile (seed BLOCK_SIZE/4 = 32); at most block_m's 512")    \
    X(6, reg_block_n, REG_BLOCK_N, 16, 512, NULL,                                              \
      "columns of one fp32 accumulator tile (seed 32); at most block_n's 512")                \
    X(7, warps_m, WARPS_M, 1, 32, NULL,                                                        \
      "warp rows: warp_row = id / WARPS_N (seed 4); 32 warps is CUDA's 1024 threads")         \
    X(8, warps_n, WARPS_N, 1, 32, NULL, "warp columns: warp_col = id % WARPS_N (seed 2)")      \
    X(9, layout, LAYOUT, 0, 1, "interleaved|contiguous",                                       \
      "which register tiles a warp owns: interleaved (the seed's) or contiguous")             \
    X(10, pipe, PIPE, 0, 1, "cp_async|regs",                                                   \
      "global to shared: cp_async, or regs (the seed's global -> registers -> shared)")      \
    X(11, stages, STAGES, 2, 8, NULL,                                                          \
      "shared-memory slices in flight: one is computed while later ones load")               \
    X(12, min_blocks, MIN_BLOCKS, 1, 32, NULL,                                                 \
      "blocks per SM asked of the compiler (__launch_bounds__); Hopper runs at most 32")      \
    X(13, raster, RASTER, 1, 64, NULL,                                                         \
      "block rows per launch group: blocks in flight share A and B panels in L2")

/* Index of each parameter in params[]: TG_MICRO_BLOCK_M, ..., and their count. */
#define TG_MICRO_INDEX_(i, key, NAME, ...) TG_MICRO_##NAME = i,
enum { TG_MICRO_PARAMS(TG_MICRO_INDEX_) TG_MICRO_NPARAMS };
#undef TG_MICRO_INDEX_

/* The parameters as a struct (field = key), for the plan functions below. */
#define TG_MICRO_FIELD_(i, key, ...) int key;
typedef struct tg_tile {
    TG_MICRO_PARAMS(TG_MICRO_FIELD_)
} tg_tile;
#undef TG_MICRO_FIELD_

/* params[] (in X order) → tg_tile. */
#define TG_MICRO_TO_TILE_(i, key, ...) t.key = p[i];
TG_HD tg_tile tg_tile_from_params(const int *p)
{
    tg_tile t;
    TG_MICRO_PARAMS(TG_MICRO_TO_TILE_)
    return t;
}
#undef TG_MICRO_TO_TILE_

/* tg_tile → params[] (in X order). */
#define TG_MICRO_FROM_TILE_(i, key, ...) p[i] = t->key;
TG_HD void tg_tile_to_params(const tg_tile *t, int *p)
{
    TG_MICRO_PARAMS(TG_MICRO_FROM_TILE_)
}
#undef TG_MICRO_FROM_TILE_

/* ------------------------------------------------------------------------
 * Hardware constants
 * ---------------------------------------------------------------------- */

#define TG_WARP_SIZE 32
#define TG_MMA_M 16      /* mma.sync.m16n8k16 */
#define TG_MMA_N 8
#define TG_MMA_K 16
#define TG_VEC_ELEMS 8   /* bf16 elements in one 16-byte vector */
#define TG_SMEM_LINE_CHUNKS 8 /* 16-byte chunks in a 128-byte line (32 banks) */
#define TG_MAX_SMEM_BLOCK (227 * 1024) /* Hopper: dynamic shared memory per block */
#define TG_MAX_SMEM_SM (228 * 1024)    /* Hopper: shared memory per SM */
#define TG_MAX_THREADS_SM 2048

/* ------------------------------------------------------------------------
 * Derived quantities (macros: integer constant expressions)
 * ---------------------------------------------------------------------- */

#define TG_WARPS(WM, WN) ((WM) * (WN))
#define TG_THREADS(WM, WN) (TG_WARP_SIZE * TG_WARPS(WM, WN))
#define TG_WARP_TILE_M(BM, WM) ((BM) / (WM))
#define TG_WARP_TILE_N(BN, WN) ((BN) / (WN))
#define TG_ACC_M(BM, WM, RM) (TG_WARP_TILE_M(BM, WM) / (RM))
#define TG_ACC_N(BN, WN, RN) (TG_WARP_TILE_N(BN, WN) / (RN))
/* fp32 accumulator registers per thread: the warp tile spread over 32 lanes */
#define TG_ACC_REGS(BM, BN, WM, WN) (TG_WARP_TILE_M(BM, WM) * TG_WARP_TILE_N(BN, WN) / TG_WARP_SIZE)
/* mma tiles inside one accumulator tile */
#define TG_MMA_TILES_M(RM) ((RM) / TG_MMA_M)
#define TG_MMA_TILES_N(RN) ((RN) / TG_MMA_N)
/* shared memory: STAGES slices, each A (BM×DSS) then B (BN×DSS), bf16 */
#define TG_STAGE_ELEMS(BM, BN, DSS) (((BM) + (BN)) * (DSS))
#define TG_SMEM_BYTES(BM, BN, DSS, ST) ((ST) * TG_STAGE_ELEMS(BM, BN, DSS) * 2)
/* rows of a slice that one pass of all threads' 16-byte loads covers */
#define TG_LOAD_ROWS_PER_PASS(DSS, WM, WN) (TG_THREADS(WM, WN) / ((DSS) / TG_VEC_ELEMS))
/* 16-byte vectors each thread moves per slice of ROWS rows */
#define TG_LOAD_VECS(ROWS, DSS, WM, WN) ((ROWS) * (DSS) / TG_VEC_ELEMS / TG_THREADS(WM, WN))

/*
 * Every rule between the parameters, once. RULE(condition, reason) is
 * expanded as a static assertion in each kernel instance and as a check in
 * the family's check(); P(NAME) is how a parameter is read there (the
 * constant NAME in a kernel, p[TG_MICRO_NAME] on the host). Rules are
 * checked in order after the ranges of TG_MICRO_PARAMS, so a rule may rely
 * on the ones before it (no division by zero), and every product stays
 * far below INT_MAX (at most 8·1024·128·2·32 bytes).
 */
#define TG_MICRO_RULES(RULE, P)                                                              \
    RULE(TG_THREADS(P(WARPS_M), P(WARPS_N)) <= 1024,                                         \
         "WARPS_M*WARPS_N*32 must be <= 1024 threads, CUDA's block limit")                   \
    RULE(P(REG_BLOCK_M) % TG_MMA_M == 0,                                                     \
         "REG_BLOCK_M must be a multiple of 16: an accumulator tile is built from "          \
         "m16n8k16 mma tiles")                                                               \
    RULE(P(REG_BLOCK_N) % 16 == 0,                                                           \
         "REG_BLOCK_N must be a multiple of 16: B register tiles are loaded with "           \
         "ldmatrix.x4, two n8 mma tiles at a time")                                          \
    RULE(P(BLOCK_M) % (P(WARPS_M) * P(REG_BLOCK_M)) == 0,                                    \
         "BLOCK_M must be a multiple of WARPS_M*REG_BLOCK_M: each warp owns "                \
         "BLOCK_M/WARPS_M rows, a whole number of REG_BLOCK_M accumulator rows")             \
    RULE(P(BLOCK_N) % (P(WARPS_N) * P(REG_BLOCK_N)) == 0,                                    \
         "BLOCK_N must be a multiple of WARPS_N*REG_BLOCK_N: each warp owns "                \
         "BLOCK_N/WARPS_N columns, a whole number of REG_BLOCK_N accumulator columns")       \
    RULE(P(DOT_SLICE) % TG_MMA_K == 0, "DOT_SLICE must be a multiple of 16, the K of one mma") \
    RULE(P(DOT_SLICE_SHARED) % P(DOT_SLICE) == 0,                                            \
         "DOT_SLICE_SHARED must be a multiple of DOT_SLICE: a shared slice is consumed "     \
         "DOT_SLICE columns at a time")                                                      \
    RULE(P(DOT_SLICE_SHARED) == 32 || P(DOT_SLICE_SHARED) == 64 ||                           \
             P(DOT_SLICE_SHARED) == 128,                                                     \
         "DOT_SLICE_SHARED must be 32, 64 or 128: the shared-memory swizzle permutes "       \
         "16-byte chunks inside 128-byte lines")                                             \
    RULE(P(K_STEP) % P(DOT_SLICE_SHARED) == 0,                                               \
         "K_STEP must be a multiple of DOT_SLICE_SHARED: one K step is "                     \
         "K_STEP/DOT_SLICE_SHARED shared slices")                                            \
    RULE(P(BLOCK_M) * P(DOT_SLICE_SHARED) / TG_VEC_ELEMS %                                   \
                 TG_THREADS(P(WARPS_M), P(WARPS_N)) == 0,                                    \
         "BLOCK_M*DOT_SLICE_SHARED/8 (16-byte vectors in an A slice) must be a multiple "    \
         "of the thread count, so every thread moves the same number")                       \
    RULE(P(BLOCK_N) * P(DOT_SLICE_SHARED) / TG_VEC_ELEMS %                                   \
                 TG_THREADS(P(WARPS_M), P(WARPS_N)) == 0,                                    \
         "BLOCK_N*DOT_SLICE_SHARED/8 (16-byte vectors in a B slice) must be a multiple "     \
         "of the thread count, so every thread moves the same number")                       \
    RULE(TG_THREADS(P(WARPS_M), P(WARPS_N)) % (P(DOT_SLICE_SHARED) / TG_VEC_ELEMS) == 0 &&   \
             TG_LOAD_ROWS_PER_PASS(P(DOT_SLICE_SHARED), P(WARPS_M), P(WARPS_N)) % 8 == 0,    \
         "threads/(DOT_SLICE_SHARED/8), the rows one pass of the loaders covers, must be a "  \
         "whole multiple of 8, the swizzle's period, so every pass lands at the same swizzle") \
    RULE(TG_ACC_REGS(P(BLOCK_M), P(BLOCK_N), P(WARPS_M), P(WARPS_N)) <= 128,                 \
         "a warp tile needs WARP_TILE_M*WARP_TILE_N/32 fp32 accumulator registers per "      \
         "thread; more than 128 leaves too few of the 255 for operands")                     \
    RULE((int)P(PIPE) != (int)TG_REGS || P(STAGES) == 2,                                          \
         "the register pipeline (the seed's) uses exactly 2 shared stages: one is "          \
         "computed while the registers fill the other")                                      \
    RULE(TG_SMEM_BYTES(P(BLOCK_M), P(BLOCK_N), P(DOT_SLICE_SHARED), P(STAGES)) <=            \
             TG_MAX_SMEM_BLOCK,                                                              \
         "STAGES*(BLOCK_M+BLOCK_N)*DOT_SLICE_SHARED*2 bytes of shared memory exceed "        \
         "Hopper's 227 KB per block")                                                        \
    RULE(P(MIN_BLOCKS) * TG_THREADS(P(WARPS_M), P(WARPS_N)) <= TG_MAX_THREADS_SM,            \
         "MIN_BLOCKS*threads must be <= 2048, the threads of one SM")                        \
    RULE(P(MIN_BLOCKS) * TG_SMEM_BYTES(P(BLOCK_M), P(BLOCK_N), P(DOT_SLICE_SHARED),          \
                                       P(STAGES)) <= TG_MAX_SMEM_SM,                         \
         "MIN_BLOCKS blocks of this shared memory do not fit in one SM's 228 KB")

/* ------------------------------------------------------------------------
 * Derived quantities as functions of a tile
 * ---------------------------------------------------------------------- */

TG_HD int tg_plan_threads(const tg_tile *t) { return TG_THREADS(t->warps_m, t->warps_n); }
TG_HD int tg_plan_warps(const tg_tile *t) { return TG_WARPS(t->warps_m, t->warps_n); }
TG_HD int tg_plan_warp_tile_m(const tg_tile *t) { return TG_WARP_TILE_M(t->block_m, t->warps_m); }
TG_HD int tg_plan_warp_tile_n(const tg_tile *t) { return TG_WARP_TILE_N(t->block_n, t->warps_n); }
TG_HD int tg_plan_acc_m(const tg_tile *t) { return TG_ACC_M(t->block_m, t->warps_m, t->reg_block_m); }
TG_HD int tg_plan_acc_n(const tg_tile *t) { return TG_ACC_N(t->block_n, t->warps_n, t->reg_block_n); }
TG_HD int tg_plan_acc_regs(const tg_tile *t)
{
    return TG_ACC_REGS(t->block_m, t->block_n, t->warps_m, t->warps_n);
}
TG_HD int tg_plan_smem_bytes(const tg_tile *t)
{
    return TG_SMEM_BYTES(t->block_m, t->block_n, t->dot_slice_shared, t->stages);
}
TG_HD int tg_plan_slices_per_step(const tg_tile *t) { return t->k_step / t->dot_slice_shared; }

/* ------------------------------------------------------------------------
 * Block and warp positions
 * ---------------------------------------------------------------------- */

/* Thread blocks over C: ceil(M/BLOCK_M) × ceil(N/BLOCK_N). */
/* (Rounded up without forming m + block_m - 1, which overflows for m near INT64_MAX.) */
TG_HD int64_t tg_plan_grid_m(const tg_tile *t, int64_t m) { return m / t->block_m + (m % t->block_m != 0); }
TG_HD int64_t tg_plan_grid_n(const tg_tile *t, int64_t n) { return n / t->block_n + (n % t->block_n != 0); }

/* Linear block index → (block_row, block_col): src/core/order.h, `raster` rows per group. */
TG_HD void tg_plan_block(const tg_tile *t, int64_t bid, int64_t grid_m, int64_t grid_n,
                         int64_t *block_row, int64_t *block_col)
{
    tg_raster_order(t->raster, bid, grid_m, grid_n, block_row, block_col);
}

/* The seed's warp grid: warp_row = id / WARPS_N, warp_col = id % WARPS_N. */
TG_HD int tg_plan_warp_row(const tg_tile *t, int warp) { return warp / t->warps_n; }
TG_HD int tg_plan_warp_col(const tg_tile *t, int warp) { return warp % t->warps_n; }

/* ------------------------------------------------------------------------
 * Ownership: which register tiles a warp loads and which C tiles it stores
 * ---------------------------------------------------------------------- */

/* The M piece (unit REG_BLOCK_M) of accumulator row i of a warp. */
TG_HD int tg_plan_piece_m(const tg_tile *t, int warp_row, int i)
{
    return t->layout == TG_INTERLEAVED ? warp_row + t->warps_m * i
                                              : warp_row * tg_plan_acc_m(t) + i;
}

/* The N piece (unit REG_BLOCK_N) of accumulator column j of a warp. */
TG_HD int tg_plan_piece_n(const tg_tile *t, int warp_col, int j)
{
    return t->layout == TG_INTERLEAVED ? warp_col + t->warps_n * j
                                              : warp_col * tg_plan_acc_n(t) + j;
}

typedef struct tg_rc {
    int row, col;
} tg_rc;

typedef struct tg_rc64 {
    int64_t row, col;
} tg_rc64;

/* Top-left (row, col) in the shared A slice of register tile A(i) for dot slice s. */
TG_HD tg_rc tg_plan_a_subtile(const tg_tile *t, int warp_row, int i, int s)
{
    tg_rc rc = {tg_plan_piece_m(t, warp_row, i) * t->reg_block_m, s * t->dot_slice};
    return rc;
}

/* Top-left (row, col) in the shared B slice of register tile B(j) for dot slice s. */
TG_HD tg_rc tg_plan_b_subtile(const tg_tile *t, int warp_col, int j, int s)
{
    tg_rc rc = {tg_plan_piece_n(t, warp_col, j) * t->reg_block_n, s * t->dot_slice};
    return rc;
}

/* Top-left element of C that accumulator (i, j) of a warp is stored to. */
TG_HD tg_rc64 tg_plan_c_tile(const tg_tile *t, int64_t block_row, int64_t block_col,
                             int warp_row, int warp_col, int i, int j)
{
    tg_rc64 rc = {block_row * t->block_m + (int64_t)tg_plan_piece_m(t, warp_row, i) * t->reg_block_m,
                  block_col * t->block_n + (int64_t)tg_plan_piece_n(t, warp_col, j) * t->reg_block_n};
    return rc;
}

/* ------------------------------------------------------------------------
 * Global → shared: which 16-byte vector each thread moves, and where it lands
 * ---------------------------------------------------------------------- */

/*
 * Rows of a slice that all threads' vector v covers together ("a pass"):
 * each row is DOT_SLICE_SHARED/8 16-byte chunks.
 */
TG_HD int tg_plan_load_rows_per_pass(const tg_tile *t)
{
    return TG_LOAD_ROWS_PER_PASS(t->dot_slice_shared, t->warps_m, t->warps_n);
}

/*
 * Vector v (0 ≤ v < TG_LOAD_VECS) of thread tid in a slice of DOT_SLICE_SHARED
 * columns: (row, first column). Consecutive threads take consecutive 16-byte
 * chunks of a row, so a warp reads whole 128-byte lines (coalesced); vector v
 * is vector 0 moved down v passes, so a thread keeps one pointer per operand.
 */
TG_HD tg_rc tg_plan_load_vec(const tg_tile *t, int tid, int v)
{
    int chunks = t->dot_slice_shared / TG_VEC_ELEMS;
    tg_rc rc = {v * tg_plan_load_rows_per_pass(t) + tid / chunks, tid % chunks * TG_VEC_ELEMS};
    return rc;
}

/*
 * Element offset of (row, col) inside one shared slice (rows × DOT_SLICE_SHARED).
 * The 16-byte chunk index is XOR-swizzled with the row's position among the
 * 128-byte lines, so the 8 row addresses of each ldmatrix 8×8 matrix (same
 * logical chunk, 8 consecutive rows) fall in 8 different bank groups, and so
 * do the 16-byte stores of the loaders.
 */
TG_HD int tg_plan_smem_offset(const tg_tile *t, int row, int col)
{
    int chunks = t->dot_slice_shared / TG_VEC_ELEMS; /* chunks per row: 4, 8 or 16 */
    int chunk = col / TG_VEC_ELEMS;
    int key = chunks >= TG_SMEM_LINE_CHUNKS ? row % TG_SMEM_LINE_CHUNKS
                                            : row / (TG_SMEM_LINE_CHUNKS / chunks) % chunks;
    return row * t->dot_slice_shared + (chunk ^ key) * TG_VEC_ELEMS + col % TG_VEC_ELEMS;
}

/* ------------------------------------------------------------------------
 * Lane maps of the mma.m16n8k16 fragments (PTX ISA, "Matrix Fragments for
 * mma.m16n8k16"): what each lane addresses and holds
 * ---------------------------------------------------------------------- */

/*
 * ldmatrix.x4 of A rows r..r+15, columns k..k+15: the row and column offset
 * that lane supplies. Lanes 0-7 address matrix 0 (rows 0-7, k 0-7), 8-15
 * matrix 1 (rows 8-15, k 0-7), 16-23 matrix 2 (rows 0-7, k 8-15), 24-31
 * matrix 3 (rows 8-15, k 8-15): registers 0..3 are then a0..a3 of the mma.
 */
TG_HD tg_rc tg_plan_ldsm_a(int lane)
{
    tg_rc rc = {lane % 16, lane / 16 * 8};
    return rc;
}

/*
 * ldmatrix.x4 of B rows n..n+15 (B is N×K, so rows are C columns), columns
 * k..k+15: registers 0,1 are b0,b1 of the n8 tile at n, registers 2,3 those
 * of the n8 tile at n+8.
 */
TG_HD tg_rc tg_plan_ldsm_b(int lane)
{
    tg_rc rc = {lane % 8 + lane / 16 * 8, lane / 8 % 2 * 8};
    return rc;
}

/* Element (row, col) inside an m16n8 C tile held by lane in register r (0..3). */
TG_HD tg_rc tg_plan_frag_c(int lane, int r)
{
    tg_rc rc = {lane / 4 + r / 2 * 8, lane % 4 * 2 + r % 2};
    return rc;
}

#ifdef __cplusplus
}
#endif

#endif /* TG_MICRO_PLAN_H */
