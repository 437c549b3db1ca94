/*
 * plan.h — the hopper family's plan: its parameters (one X-macro list), the
 * rules between them, and every address the kernel forms: where a TMA box
 * lands in shared memory (128-byte swizzle), the wgmma matrix descriptors,
 * and which thread and register of the m64nNk16 accumulator holds each
 * element of C. Pure C, host and device: the kernel and the CPU verifier
 * call the same functions. The PTX facts behind them: docs/HOPPER-PTX.md.
 *
 * The kernel (src/hopper/kernel.cuh), ladder step 1: one warpgroup; A and B
 * tiles of BLOCK_K = 64 bf16 columns (one 128-byte row each, TMA, 128-byte
 * swizzle) through a ring of STAGES shared-memory stages, each completing on
 * an mbarrier; wgmma m64nNk16 with N = BLOCK_N from shared memory; C stored
 * from registers with alpha and beta.
 */
#ifndef TG_HOPPER_PLAN_H
#define TG_HOPPER_PLAN_H

#include <stdint.h>

#include "core/order.h"
#include "core/pp.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * THE list of the family's parameters (see src/micro/plan.h for the columns).
 */
#define TG_HOPPER_PARAMS(X)                                                                    \
    X(0, block_m, BLOCK_M, 64, 256, NULL,                                                      \
      "rows of C per block: BLOCK_M/64 wgmma m64 pieces; at most 256, as many accumulators "   \
      "as one warpgroup holds")                                                                \
    X(1, block_n, BLOCK_N, 64, 256, NULL,                                                      \
      "columns of C per block: the wgmma N (64, 128 or 256); a TMA box has at most 256 rows")  \
    X(2, block_k, BLOCK_K, 64, 64, NULL,                                                       \
      "K per stage: 64 bf16, one 128-byte swizzle row (deeper K in flight is more stages)")   \
    X(3, stages, STAGES, 1, 8, NULL, "shared-memory stages in the ring: loads ahead of the math") \
    X(4, raster, RASTER, 1, 64, NULL,                                                          \
      "block rows per launch group: blocks in flight share A and B panels in L2")

#define TG_HOPPER_INDEX_(i, key, NAME, ...) TG_HOPPER_##NAME = i,
enum { TG_HOPPER_PARAMS(TG_HOPPER_INDEX_) TG_HOPPER_NPARAMS };
#undef TG_HOPPER_INDEX_

#define TG_HOPPER_FIELD_(i, key, ...) int key;
typedef struct tg_htile {
    TG_HOPPER_PARAMS(TG_HOPPER_FIELD_)
} tg_htile;
#undef TG_HOPPER_FIELD_

#define TG_HOPPER_TO_TILE_(i, key, ...) t.key = p[i];
TG_HD tg_htile tg_htile_from_params(const int *p)
{
    tg_htile t;
    TG_HOPPER_PARAMS(TG_HOPPER_TO_TILE_)
    return t;
}
#undef TG_HOPPER_TO_TILE_

/* ------------------------------------------------------------------------
 * Hardware constants and derived sizes (macros: constant expressions)
 * ---------------------------------------------------------------------- */

#define TG_H_THREADS 128        /* one warpgroup */
#define TG_H_WGMMA_M 64         /* wgmma m64nNk16 */
#define TG_H_WGMMA_K 16
#define TG_H_SWIZZLE_BYTES 128  /* 128-byte swizzle: a tile row is 64 bf16 */
#define TG_H_SWIZZLE_ATOM 1024  /* the pattern repeats every 8 rows of 128 bytes */
#define TG_H_MAX_SMEM (227 * 1024)

#define TG_H_A_BYTES(BM) ((BM) * TG_H_SWIZZLE_BYTES)
#define TG_H_B_BYTES(BN) ((BN) * TG_H_SWIZZLE_BYTES)
#define TG_H_STAGE_BYTES(BM, BN) (TG_H_A_BYTES(BM) + TG_H_B_BYTES(BN))
/* The ring plus 1024 bytes to align its base to the swizzle atom. */
#define TG_H_SMEM_BYTES(BM, BN, ST) ((ST) * TG_H_STAGE_BYTES(BM, BN) + TG_H_SWIZZLE_ATOM)
#define TG_H_M_PIECES(BM) ((BM) / TG_H_WGMMA_M)
#define TG_H_ACC_REGS(BM, BN) (TG_H_M_PIECES(BM) * (BN) / 2)

/*
 * Every rule between the parameters, once (RULE(condition, reason); P(NAME)
 * reads a parameter), after the ranges above.
 */
#define TG_HOPPER_RULES(RULE, P)                                                              \
    RULE(P(BLOCK_M) % TG_H_WGMMA_M == 0,                                                      \
         "BLOCK_M must be a multiple of 64: the warpgroup's wgmma covers 64 rows (m64)")     \
    RULE(P(BLOCK_N) == 64 || P(BLOCK_N) == 128 || P(BLOCK_N) == 256,                          \
         "BLOCK_N must be 64, 128 or 256: the wgmma shapes of src/hopper/wgmma.cuh")        \
    RULE(TG_H_ACC_REGS(P(BLOCK_M), P(BLOCK_N)) <= 128,                                        \
         "BLOCK_M/64*BLOCK_N/2 fp32 accumulators per thread must be <= 128: one "            \
         "warpgroup holds the whole block tile, and needs registers beside it")             \
    RULE(TG_H_SMEM_BYTES(P(BLOCK_M), P(BLOCK_N), P(STAGES)) <= TG_H_MAX_SMEM,                \
         "STAGES*(BLOCK_M+BLOCK_N)*128 bytes (+1024 to align the ring) exceed Hopper's "     \
         "227 KB of shared memory per block")

/* ------------------------------------------------------------------------
 * Shared memory: the ring of stages
 * ---------------------------------------------------------------------- */

/*
 * Byte offsets from the ring's base, which the kernel puts on a 1024-byte
 * boundary: the 128-byte swizzle is a function of absolute address bits
 * 7-9, so every tile must start on the pattern's boundary. Each tile is
 * whole 1024-byte atoms (BLOCK_M, BLOCK_N multiples of 8 rows).
 */
TG_HD uint32_t tg_hplan_stage_a(const tg_htile *t, int s)
{
    return (uint32_t)s * TG_H_STAGE_BYTES(t->block_m, t->block_n);
}
TG_HD uint32_t tg_hplan_stage_b(const tg_htile *t, int s)
{
    return tg_hplan_stage_a(t, s) + TG_H_A_BYTES(t->block_m);
}

/*
 * Where TMA puts element (row, col) of a box with 64 bf16 columns (128-byte
 * rows) whose destination `tile` is 1024-byte aligned, with the 128-byte
 * swizzle: row r at tile + 128 r, and the 16-byte chunk index (address bits
 * 4-6) XORed with the row's position in its 8-row atom (bits 7-9), computed
 * on the absolute address.
 */
TG_HD uint32_t tg_hplan_swizzle128(uint32_t addr) { return addr ^ (((addr >> 7) & 7u) << 4); }

TG_HD uint32_t tg_hplan_tma_addr(uint32_t tile, int row, int col)
{
    return tg_hplan_swizzle128(tile + (uint32_t)row * TG_H_SWIZZLE_BYTES + (uint32_t)col * 2);
}

/*
 * The wgmma matrix descriptor of a K-major, 128-byte-swizzled operand whose
 * rows are 128 bytes apart and whose first k16 column block starts at `addr`
 * (PTX ISA "Matrix Descriptor Format"): bits 0-13 address >> 4, 16-29 the
 * leading byte offset >> 4 (unused for swizzled K-major: 1), 32-45 the
 * stride byte offset >> 4 (8 rows x 128 bytes = 1024), 62-63 the swizzle
 * mode (1 = 128 bytes). Base offset 0: every tile is atom-aligned.
 */
TG_HD uint64_t tg_hplan_desc(uint32_t addr)
{
    return (uint64_t)((addr & 0x3FFFFu) >> 4) | (uint64_t)1 << 16 |
           (uint64_t)(TG_H_SWIZZLE_ATOM >> 4) << 32 | (uint64_t)1 << 62;
}

/* Descriptor of A's m64 piece mp, k16 step kk, in stage s (ring base `ring`). */
TG_HD uint64_t tg_hplan_desc_a(const tg_htile *t, uint32_t ring, int s, int mp, int kk)
{
    return tg_hplan_desc(ring + tg_hplan_stage_a(t, s) +
                         (uint32_t)(mp * TG_H_WGMMA_M * TG_H_SWIZZLE_BYTES + kk * TG_H_WGMMA_K * 2));
}

/* Descriptor of B (all BLOCK_N rows), k16 step kk, in stage s. */
TG_HD uint64_t tg_hplan_desc_b(const tg_htile *t, uint32_t ring, int s, int kk)
{
    return tg_hplan_desc(ring + tg_hplan_stage_b(t, s) + (uint32_t)(kk * TG_H_WGMMA_K * 2));
}

/*
 * Shared-memory byte that a wgmma reads for element (row, k) of the operand
 * a descriptor describes (K-major, 128-byte swizzle; PTX ISA canonical
 * layout ((8,m),(T,2k)):((8T,SBO),(1,T)) with T = 8 bf16): the CPU verifier
 * reads operands through this, from the descriptor's bits alone.
 */
TG_HD uint32_t tg_hplan_desc_addr(uint64_t desc, int row, int k)
{
    uint32_t start = (uint32_t)(desc & 0x3FFF) << 4;
    uint32_t sbo = (uint32_t)((desc >> 32) & 0x3FFF) << 4;
    uint32_t logical = start + (uint32_t)(row % 8) * TG_H_SWIZZLE_BYTES + (uint32_t)(row / 8) * sbo +
                       (uint32_t)k * 2;
    return tg_hplan_swizzle128(logical);
}

/* ------------------------------------------------------------------------
 * The accumulator fragment and the blocks
 * ---------------------------------------------------------------------- */

typedef struct tg_hrc {
    int row, col;
} tg_hrc;

/*
 * Element of the m64 x N accumulator that warp w (0-3 in the warpgroup),
 * lane t holds in register i (0 .. N/2-1): registers 4j, 4j+1 are row
 * 16w + t/4, columns 8j + 2(t%4) + {0,1}; registers 4j+2, 4j+3 the same
 * columns 8 rows lower (PTX ISA figure "wgmma-64N16-D").
 */
TG_HD tg_hrc tg_hplan_frag(int warp, int lane, int i)
{
    tg_hrc rc = {16 * warp + lane / 4 + (i % 4) / 2 * 8, 8 * (i / 4) + 2 * (lane % 4) + i % 2};
    return rc;
}

/* ------------------------------------------------------------------------
 * The ring's schedule: which stage holds K tile kt, the parity its wait
 * uses, and which tile refills the stage once iteration kt is done
 * ---------------------------------------------------------------------- */

TG_HD int tg_hplan_stage_of(const tg_htile *t, int kt) { return kt % t->stages; }
TG_HD uint32_t tg_hplan_parity_of(const tg_htile *t, int kt) { return (uint32_t)(kt / t->stages) & 1; }
TG_HD int tg_hplan_refill(const tg_htile *t, int kt) { return kt + t->stages; }

TG_HD int64_t tg_hplan_grid_m(const tg_htile *t, int64_t m) { return m / t->block_m + (m % t->block_m != 0); }
TG_HD int64_t tg_hplan_grid_n(const tg_htile *t, int64_t n) { return n / t->block_n + (n % t->block_n != 0); }
TG_HD int64_t tg_hplan_k_tiles(const tg_htile *t, int64_t k) { return k / t->block_k + (k % t->block_k != 0); }

#ifdef __cplusplus
}
#endif

#endif /* TG_HOPPER_PLAN_H */
