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

#include <stddef.h>
#include <stdint.h>

#include "core/order.h"
#include "core/pp.h"
#include "hopper/wgmma.cuh" /* TG_WGMMA_HAS_N: the wgmma N there are */

#ifdef __cplusplus
extern "C" {
#endif

/* The deepest ring a configuration may ask for (STAGES' range below; the CPU verifier's
 * tables are sized by it). */
#define TG_H_MAX_STAGES 16

/*
 * THE list of the family's parameters (see src/micro/plan.h for the columns).
 */
#define TG_HOPPER_PARAMS(X)                                                                    \
    X(0, block_m, BLOCK_M, 64, 256, NULL,                                                      \
      "rows of C per block, split among the consumer warpgroups: each takes "                \
      "BLOCK_M/CONSUMERS rows as m64 wgmma pieces")                                           \
    X(1, block_n, BLOCK_N, 8, 256, NULL,                                                      \
      "columns of C per block: the wgmma N (" TG_WGMMA_NS_TEXT "); a TMA box has at most "    \
      "256 rows")                                                                              \
    X(2, block_k, BLOCK_K, 64, 64, NULL,                                                       \
      "K per stage: 64 bf16, one 128-byte swizzle row (deeper K in flight is more stages)")   \
    X(3, stages, STAGES, 1, TG_H_MAX_STAGES, NULL, "shared-memory stages in the ring: loads ahead of the math") \
    X(4, raster, RASTER, 1, 64, NULL,                                                          \
      "block rows per group of the tile order: tiles in flight share A and B panels in L2")   \
    X(5, consumers, CONSUMERS, 1, 2, NULL,                                                     \
      "consumer warpgroups issuing wgmma, each with its own accumulators")                    \
    X(6, producer, PRODUCER, 0, 1, NULL,                                                       \
      "1: a producer warpgroup issues TMA and consumers hand stages back through empty "      \
      "barriers (warp specialization); 0: the one warpgroup loads its own stages")            \
    X(7, persistent, PERSISTENT, 0, 1, NULL,                                                   \
      "1: one block per SM walks the output tiles in the tile order; 0: one block per tile")  \
    X(8, mma_lag, MMA_LAG, 0, 1, NULL,                                                         \
      "K tiles a consumer's wgmma group stays in flight before its stage goes back: 0 waits "  \
      "for the group (stages return sooner), 1 overlaps it with the next K tile's wgmmas")   \
    X(9, epilogue, EPILOGUE, 0, 1, "registers|tma",                                            \
      "how C is stored: registers = straight from the accumulators; tma = through two 8 KB "  \
      "shared-memory buffers per consumer and TMA stores, which run on while the consumers "   \
      "start the next tile (when C allows TMA; else the consumers' own coalesced stores; "      \
      "beta != 0: straight)")                                                                  \
    X(10, cluster_m, CLUSTER_M, 1, 8, NULL,                                                    \
      "blocks of a thread-block cluster along M: they share B's rows, each loads 1/CLUSTER_M " \
      "of the B box and TMA multicasts it to all of them")                                    \
    X(11, cluster_n, CLUSTER_N, 1, 8, NULL,                                                    \
      "blocks of a cluster along N: they share A's rows, each loads 1/CLUSTER_N of the A box " \
      "and TMA multicasts it to all of them")                                                  \
    X(12, split_k, SPLIT_K, 1, 8, NULL,                                                        \
      "blocks of a thread-block cluster splitting K (one launch, one output tile): each "      \
      "walks 1/SPLIT_K of the K tiles, and their partial tiles are added through distributed " \
      "shared memory in rank order (deterministic, no workspace)")                          \
    X(13, swap_ab, SWAP_AB, 0, 1, NULL,                                                        \
      "1: the block computes tiles of C transposed, B·Aᵀ: B's rows take wgmma's M side (64-row " \
      "pieces) and A's rows its N side, so a C of few rows (decode, M <= 64) fills the wgmma N " \
      "and B streams through the ring in 64-row boxes; C stored transposed from registers. "    \
      "BLOCK_M then counts columns of C, BLOCK_N rows")                                      \
    X(14, stream_k, STREAM_K, 0, 1, NULL,                                                      \
      "1: the tiles of the last, partly filled wave of a persistent grid are shared by every "  \
      "block along K (stream-K), and with fewer tiles than half the SMs every tile by 2 to 4 "  \
      "blocks: partial tiles go through the workspace, the block with a tile's last K tile "   \
      "adds them in block order (deterministic); a call without that workspace is refused "    \
      "(tg_gemm_workspace_size says how much; the dispatcher's rows fall to the next)")

/* EPILOGUE's values (presets.def writes the names). */
enum tg_hepilogue {
    TG_REGISTERS = 0, /* C straight from the accumulator registers */
    TG_TMA = 1,       /* C through shared memory and TMA stores */
};

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

#define TG_H_WG_THREADS 128     /* one warpgroup */
#define TG_H_WGMMA_M 64         /* wgmma m64nNk16 */
#define TG_H_WGMMA_K 16
#define TG_H_SWIZZLE_BYTES 128  /* 128-byte swizzle: a tile row is 64 bf16 */
#define TG_H_SWIZZLE_ATOM 1024  /* the pattern repeats every 8 rows of 128 bytes */
#define TG_H_MAX_SMEM (227 * 1024)
#define TG_H_SM_REGS 65536      /* 32-bit registers per SM (one block per SM) */
/*
 * Failed mbarrier try_waits before a wait gives up and traps: a failed
 * try_wait took about 4.2 µs on the H100 (tests/test_hang_gpu, bench/RESULTS.md
 * entry 13), so 2^23 is about 35 s — far past any wait a working pipeline
 * makes, well inside the GPU suite's per-configuration timeout.
 */
#define TG_H_PATIENCE (1u << 23)

#define TG_H_A_BYTES(BM) ((BM) * TG_H_SWIZZLE_BYTES)
#define TG_H_B_BYTES(BN) ((BN) * TG_H_SWIZZLE_BYTES)
#define TG_H_STAGE_BYTES(BM, BN) (TG_H_A_BYTES(BM) + TG_H_B_BYTES(BN))
/* The ring plus 1024 bytes to align its base to the swizzle atom. */
#define TG_H_SMEM_BYTES(BM, BN, ST) ((ST) * TG_H_STAGE_BYTES(BM, BN) + TG_H_SWIZZLE_ATOM)

/*
 * The TMA epilogue's staging: per consumer two buffers of 64 rows x 128
 * bytes (32 fp32 or 64 bf16 columns of one m64 piece), after the ring.
 */
#define TG_H_EPI_BYTES 8192
#define TG_H_EPI_BUFFERS 2
#define TG_H_EPI_SMEM(C, E) ((E) ? (C) * TG_H_EPI_BUFFERS * TG_H_EPI_BYTES : 0)
/*
 * SPLIT_K = 2: the partials are sent to the rank that stores them
 * (tg_hplan_owner), into its receive buffer after the ring (the ring may
 * still be filling while the other rank sends): the other rank's partial
 * of the BLOCK_M/2 rows this block stores, fp32 (tg_hplan_recv_addr).
 * SPLIT_K > 2 keeps each partial tile in its own ring and the ranks pull
 * (tg_hplan_part_addr): sends to one owner from three or more ranks ran
 * 9-35 % slower on an H200 (bench/RESULTS.md entry 39).
 */
#define TG_H_SPLIT_SENDS(SK) ((SK) == 2)
#define TG_H_RECV_BYTES(BM, BN, SK) (TG_H_SPLIT_SENDS(SK) ? ((SK) - 1) * ((BM) / (SK)) * (BN) * 4 : 0)
#define TG_H_SMEM_TOTAL(BM, BN, ST, C, E, SK)                                                  \
    (TG_H_SMEM_BYTES(BM, BN, ST) + TG_H_EPI_SMEM(C, E) + TG_H_RECV_BYTES(BM, BN, SK))

/* Warpgroups: the consumers, then (warp specialization) the producer. */
#define TG_H_WARPGROUPS(C, P) ((C) + (P))
#define TG_H_THREADS(C, P) (TG_H_WG_THREADS * TG_H_WARPGROUPS(C, P))
/* m64 pieces and fp32 accumulators per thread of one consumer warpgroup. */
#define TG_H_M_PIECES(BM, C) ((BM) / (C) / TG_H_WGMMA_M)
#define TG_H_ACC_REGS(BM, BN, C) (TG_H_M_PIECES(BM, C) * (BN) / 2)

/*
 * Registers with setmaxnreg (PTX ISA "setmaxnreg"): a block of one producer
 * and two consumer warpgroups starts with 65536 / 384 = 170, rounded down
 * to a multiple of 8: 168 per thread. The producer gives registers back
 * (it only issues TMA) and the consumers take them for their accumulators;
 * the split must add up to what the warpgroups started with (a smaller sum
 * was reported to hang: cutlass#2007). With fewer warpgroups every thread
 * already has 255 and setmaxnreg is not used.
 */
#define TG_H_SETMAXNREG(C, P) ((P) && (C) == 2)
#define TG_H_ENTRY_REGS(C, P) (TG_H_SM_REGS / TG_H_THREADS(C, P) / 8 * 8)
#define TG_H_PRODUCER_REGS 40
#define TG_H_CONSUMER_REGS 232
/*
 * Empty barriers: lane 0 of every consumer warp arrives (4 warps a
 * warpgroup), in every block of the cluster whose stage this block's loads
 * fill: those in its cluster row and its cluster column (CM + CN - 1 blocks,
 * itself included).
 */
#define TG_H_CLUSTER(CM, CN) ((CM) * (CN))
/* The cluster a block is launched in: the blocks that share loads, times the K split's ranks. */
#define TG_H_CLUSTER_BLOCKS(CM, CN, SK) (TG_H_CLUSTER(CM, CN) * (SK))
#define TG_H_EMPTY_ARRIVALS(C, CM, CN) (4 * (C) * ((CM) + (CN) - 1))
#define TG_H_POW2(x) ((x) > 0 && ((x) & ((x) - 1)) == 0)

/*
 * SPLIT_K > 2: each block's partial tile, fp32, row-major in its own
 * shared memory from the ring's base (the ring is free once the block's
 * wgmmas completed), rows an odd number of 32-byte units apart: BLOCK_N·4
 * and 32 bytes of padding (64 where BLOCK_N·4 is itself an odd number of
 * units: BLOCK_N = 8). The accumulator stores of a half-warp (4 rows x 32
 * bytes) then fall in 4 different 32-byte quarters of the banks
 * (tg_hplan_part_addr; the verifier's banks check).
 */
#define TG_H_PART_PITCH(BN) ((BN) * 4 + ((BN) / 8 % 2 ? 64 : 32))
#define TG_H_PART_BYTES(BM, BN) ((BM) * TG_H_PART_PITCH(BN))

/*
 * Every rule between the parameters, once (RULE(condition, reason); P(NAME)
 * reads a parameter), after the ranges above.
 */
#define TG_HOPPER_RULES(RULE, P)                                                              \
    RULE(P(BLOCK_M) % (TG_H_WGMMA_M * P(CONSUMERS)) == 0,                                     \
         "BLOCK_M must be a multiple of 64*CONSUMERS: each consumer warpgroup's wgmmas cover "  \
         "whole m64 pieces")                                                                  \
    RULE(TG_WGMMA_HAS_N(P(BLOCK_N)),                                                          \
         "BLOCK_N must be " TG_WGMMA_NS_TEXT ": the wgmma shapes of src/hopper/wgmma.cuh "    \
         "(scripts/gen_wgmma.py's list makes more)")                                         \
    RULE(TG_H_ACC_REGS(P(BLOCK_M), P(BLOCK_N), P(CONSUMERS)) <= 192,                          \
         "BLOCK_M/CONSUMERS/64*BLOCK_N/2 fp32 accumulators per thread must be <= 192: a "     \
         "consumer warpgroup holds its whole share of the block tile in its registers (232 "  \
         "with setmaxnreg, 255 without) and needs some beside them")                          \
    RULE(P(CONSUMERS) == 1 || P(PRODUCER) == 1,                                               \
         "CONSUMERS=2 needs PRODUCER=1: two consumer warpgroups are fed by a producer "       \
         "warpgroup")                                                                         \
    RULE(P(PERSISTENT) == 0 || P(PRODUCER) == 1,                                              \
         "PERSISTENT=1 needs PRODUCER=1: the producer loads the next tile while the "         \
         "consumers store this one")                                                          \
    RULE(P(MMA_LAG) == 0 || P(PRODUCER) == 1,                                                 \
         "MMA_LAG=1 needs PRODUCER=1: a lone warpgroup frees each stage with a barrier after " \
         "its wgmmas completed")                                                              \
    RULE(P(MMA_LAG) == 0 || P(STAGES) >= 2,                                                   \
         "MMA_LAG=1 needs STAGES >= 2: consumers hand a stage back one K tile late, so one "   \
         "stage would deadlock (the ring model shows it)")                                    \
    RULE(!TG_H_SETMAXNREG(P(CONSUMERS), P(PRODUCER)) ||                                       \
             TG_H_PRODUCER_REGS + P(CONSUMERS) * TG_H_CONSUMER_REGS ==                        \
                 TG_H_WARPGROUPS(P(CONSUMERS), P(PRODUCER)) *                                 \
                     TG_H_ENTRY_REGS(P(CONSUMERS), P(PRODUCER)),                              \
         "setmaxnreg: the producer's and the consumers' registers must add up to what the "   \
         "warpgroups start with (168 each for 384 threads); a smaller sum can hang")         \
    RULE(P(EPILOGUE) == 0 || P(PRODUCER) == 1,                                                \
         "EPILOGUE=tma needs PRODUCER=1: each consumer warpgroup syncs its own staging "       \
         "buffers on a named barrier")                                                       \
    RULE(P(EPILOGUE) == 0 || P(SWAP_AB) == 0,                                                 \
         "SWAP_AB=1 needs EPILOGUE=registers: the staged chunks are rows of C, a swapped "      \
         "tile's accumulator rows are columns of C")                                          \
    RULE(P(EPILOGUE) == 0 || P(BLOCK_N) % 64 == 0,                                            \
         "EPILOGUE=tma needs BLOCK_N a multiple of 64: C is staged in 128-byte chunks of a "   \
         "row, 32 fp32 or 64 bf16 columns")                                                  \
    RULE(TG_H_POW2(P(CLUSTER_M)) && TG_H_POW2(P(CLUSTER_N)) &&                               \
             TG_H_CLUSTER(P(CLUSTER_M), P(CLUSTER_N)) <= 8,                                   \
         "CLUSTER_M and CLUSTER_N must be powers of two, their product <= 8: the portable "    \
         "cluster size, and every block's slice of a box a whole number of rows")             \
    RULE(P(SPLIT_K) == 1 ||                                                                 \
             (TG_H_POW2(P(SPLIT_K)) && P(CLUSTER_M) == 1 && P(CLUSTER_N) == 1 &&             \
              P(PERSISTENT) == 0 && P(PRODUCER) == 1 && P(EPILOGUE) == 0),             \
         "SPLIT_K > 1 must be a power of two with CLUSTER_M = CLUSTER_N = 1, PERSISTENT=0, "  \
         "PRODUCER=1 and EPILOGUE=registers: one cluster per output tile, whose consumers sum " \
         "the partial tiles and store C")                                                      \
    RULE(P(BLOCK_M) % P(SPLIT_K) == 0,                                                      \
         "BLOCK_M must be a multiple of SPLIT_K: each block of the cluster sums and stores "  \
         "BLOCK_M/SPLIT_K rows of the tile")                                                 \
    RULE(P(SPLIT_K) == 1 || TG_H_SPLIT_SENDS(P(SPLIT_K)) ||                                 \
             TG_H_PART_BYTES(P(BLOCK_M), P(BLOCK_N)) <=                                       \
                 P(STAGES) * TG_H_STAGE_BYTES(P(BLOCK_M), P(BLOCK_N)),                        \
         "SPLIT_K > 2: the fp32 partial tile (BLOCK_M rows of TG_H_PART_PITCH bytes) must fit in "\
         "the ring, where it is kept")                                                         \
    RULE(P(STREAM_K) == 0 ||                                                                \
             (P(PERSISTENT) == 1 && P(PRODUCER) == 1 && P(SPLIT_K) == 1 &&                     \
              TG_H_CLUSTER(P(CLUSTER_M), P(CLUSTER_N)) == 1),                                  \
         "STREAM_K=1 needs PERSISTENT=1, PRODUCER=1, SPLIT_K=1 and no cluster: each block "     \
         "walks its whole tiles, then its share of the last tiles' K tiles")                  \
    RULE(P(STREAM_K) == 0 || P(MMA_LAG) == 1,                                               \
         "STREAM_K=1 needs MMA_LAG=1: its K loop is written for one wgmma group in flight")   \
    RULE(TG_H_CLUSTER(P(CLUSTER_M), P(CLUSTER_N)) == 1 || P(PERSISTENT) == 1,                 \
         "a cluster needs PERSISTENT=1: its blocks walk their cluster's tiles together, "       \
         "in step, since each fills the others' stages")                                      \
    RULE(P(BLOCK_M) / P(CLUSTER_N) % 8 == 0 && P(BLOCK_N) / P(CLUSTER_M) % 8 == 0,            \
         "BLOCK_M/CLUSTER_N and BLOCK_N/CLUSTER_M must be multiples of 8 rows: each block's "  \
         "slice of the A and B boxes starts on a 1024-byte swizzle atom")                     \
    RULE(TG_H_SMEM_TOTAL(P(BLOCK_M), P(BLOCK_N), P(STAGES), P(CONSUMERS), P(EPILOGUE),        \
                         P(SPLIT_K)) <= TG_H_MAX_SMEM,                                        \
         "STAGES*(BLOCK_M+BLOCK_N)*128 bytes (+1024 to align the ring, +16 KB per consumer "  \
         "for EPILOGUE=tma, + the receive buffer of SPLIT_K > 1) exceed Hopper's 227 KB of "   \
         "shared memory per block")

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

/* The dynamic shared memory a block of tile t is given (TG_H_SMEM_TOTAL, its ring aligned within). */
TG_HD size_t tg_hplan_smem_bytes(const tg_htile *t)
{
    return (size_t)TG_H_SMEM_TOTAL(t->block_m, t->block_n, t->stages, t->consumers, t->epilogue, t->split_k);
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

/* ------------------------------------------------------------------------
 * The accumulator fragment and the blocks
 * ---------------------------------------------------------------------- */

typedef struct tg_hrc {
    int row, col;
} tg_hrc;

/*
 * Where element (row, col) of the kernel's C lands in the caller's C of
 * leading dimension ldc (elements): row·ldc + col, or with SWAP_AB, whose
 * kernel computes Cᵀ (family.c kernel_view), col·ldc + row. The kernel's
 * stores and the emulator's use it; (row, col + 1) is tg_hplan_c_next away.
 */
TG_HD int64_t tg_hplan_c_at(int swap_ab, int64_t row, int64_t col, int64_t ldc)
{
    return swap_ab ? col * ldc + row : row * ldc + col;
}
TG_HD int64_t tg_hplan_c_next(int swap_ab, int64_t ldc) { return swap_ab ? ldc : 1; }

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

/*
 * The TMA epilogue: consumer c's staging buffer b (0, 1) as a byte offset
 * from the ring's base, and where element (row, byte) of a 64 x 128-byte
 * chunk goes in it: TMA stores the chunk with the 128-byte swizzle (as it
 * loads A and B), so the same XOR places it, and a warp's eight rows land
 * in different banks.
 */
TG_HD uint32_t tg_hplan_epi_buf(const tg_htile *t, int c, int b)
{
    return (uint32_t)t->stages * TG_H_STAGE_BYTES(t->block_m, t->block_n) +
           (uint32_t)(c * TG_H_EPI_BUFFERS + b) * TG_H_EPI_BYTES;
}
TG_HD uint32_t tg_hplan_epi_addr(uint32_t buf, int row, int byte)
{
    /* buf is on a 1024-byte boundary, so the swizzle's XOR sees only the row's bits */
    return buf + (((uint32_t)row * TG_H_SWIZZLE_BYTES + (uint32_t)byte) ^ (((uint32_t)row & 7u) << 4));
}
/*
 * The order of the fp32 staging stores: a thread's registers of one
 * 32-column chunk are four column groups g of 8 columns (registers
 * 4g + 2h, 4g + 2h + 1 of its row halves h = 0, 1), one 8-byte store each.
 * At store slot `slot` (0-3) lane `lane` stores group slot ^ (lane/4 % 4),
 * not group `slot`. The swizzle XORs a row's 16-byte chunk with the row
 * (r = lane/4 in the 8-row atom), so lanes of row r write chunk pair
 * slot ^ (r % 4) ^ (r / 2): four different pairs in each half-warp (rows
 * 0-3, rows 4-7), 32 banks once each. With group `slot` for every lane,
 * rows 0 and 1 (2 and 3) wrote the same pair: two wavefronts where one
 * will do. The verifier's "banks" check counts them.
 */
TG_HD int tg_hplan_epi_group(int lane, int slot) { return slot ^ (lane / 4 % 4); }
/*
 * The staging stores' addresses as the kernel computes them: once per
 * chunk a lane's base, then one XOR with a constant per store, where
 * epi_addr took some 20 instructions a store (entry 33). The base is where
 * epi_addr puts the lane's first store (fp32: slot 0, the group epi_group
 * names; bf16: n8 block 0; row half 0). A lane's rows are 16·warp + lane/4
 * (+ 8 for row half h: 1024 bytes on, the same swizzle row), so the
 * swizzle's XOR is the same for all its stores, and the next slot (fp32:
 * two 16-byte units on, as epi_group's order XORs the group with the slot)
 * or n8 block (bf16: one unit) only XORs the unit bits: bits 5-6 or 4-6.
 * The verifier's "tma" check holds every such address against the ISA's
 * fragment and TMA's swizzle.
 */
TG_HD uint32_t tg_hplan_epi_lane(uint32_t buf, int warp, int lane, int f32)
{
    const tg_hrc f = tg_hplan_frag(warp, lane, f32 ? 4 * tg_hplan_epi_group(lane, 0) : 0);
    return tg_hplan_epi_addr(buf, f.row, f32 ? f.col % 32 * 4 : f.col % 64 * 2);
}
TG_HD uint32_t tg_hplan_epi_at(uint32_t lane_base, int step, int h, int f32)
{
    return (lane_base ^ ((f32 ? 32u : 16u) * (uint32_t)step)) + 8u * TG_H_SWIZZLE_BYTES * (uint32_t)h;
}
/*
 * Whether the TMA epilogue can store C (else it is stored from registers):
 * a TMA store needs a 16-byte-aligned C with rows and batch items whole
 * 16-byte multiples, and it writes whole 16-byte pieces, so N·size must be
 * one too (on an H100, N = 129 fp32 with ldc = 136 got 3 floats per row
 * written past N). `es` is C's element size.
 */
TG_HD int tg_hplan_c_takes_tma(uint64_t c, int64_t n, int64_t ldc, int64_t batch, int64_t stride_c,
                               int64_t es)
{
    return c % 16 == 0 && n * es % 16 == 0 && ldc * es % 16 == 0 &&
           (batch <= 1 || stride_c * es % 16 == 0);
}

/* ------------------------------------------------------------------------
 * The ring's schedule
 * ---------------------------------------------------------------------- */

/*
 * PRODUCER=0 (one warpgroup loads its own stages): K tile kt of the block's
 * one tile sits in stage kt % STAGES; the wait on its full barrier uses the
 * parity of kt / STAGES; once iteration kt is done its stage takes tile
 * kt + STAGES.
 */
TG_HD int tg_hplan_stage_of(const tg_htile *t, int kt) { return kt % t->stages; }
TG_HD uint32_t tg_hplan_parity_of(const tg_htile *t, int kt) { return (uint32_t)(kt / t->stages) & 1; }
TG_HD int tg_hplan_refill(const tg_htile *t, int kt) { return kt + t->stages; }

/*
 * PRODUCER=1: the producer and each consumer walk the ring with their own
 * position, one step per K tile, across all the tiles of a persistent block.
 * Position (stage, phase): the K tile goes into `stage`; the phase counts
 * the stage's trips around the ring modulo 2. A full barrier completes a
 * phase each time its stage is loaded, an empty barrier each time every
 * consumer warp handed the stage back. So:
 *   consumer, before reading:   wait full[stage], parity = phase
 *   producer, before loading:   wait empty[stage], parity = phase ^ 1
 * (on the first trip, parity 1 on a fresh empty barrier returns at once).
 * With MMA_LAG=0 a consumer hands the stage of step i back once the wgmmas
 * of step i completed; with MMA_LAG=1 after issuing the wgmmas of step i+1
 * (one wgmma group stays in flight), and the last one after the tile.
 */
typedef struct tg_hring {
    int stage;
    uint32_t phase;
} tg_hring;

TG_HD tg_hring tg_hplan_ring_start(void)
{
    tg_hring r = {0, 0};
    return r;
}
TG_HD tg_hring tg_hplan_ring_next(const tg_htile *t, tg_hring r)
{
    if (++r.stage == t->stages) {
        r.stage = 0;
        r.phase ^= 1;
    }
    return r;
}
TG_HD uint32_t tg_hplan_full_parity(tg_hring r) { return r.phase; }
TG_HD uint32_t tg_hplan_empty_parity(tg_hring r) { return r.phase ^ 1; }

/* ------------------------------------------------------------------------
 * Tiles: which output tile a block computes
 * ---------------------------------------------------------------------- */

TG_HD int64_t tg_hplan_grid_m(const tg_htile *t, int64_t m) { return m / t->block_m + (m % t->block_m != 0); }
TG_HD int64_t tg_hplan_grid_n(const tg_htile *t, int64_t n) { return n / t->block_n + (n % t->block_n != 0); }

/*
 * A cluster of CLUSTER_M x CLUSTER_N blocks computes a cluster tile of
 * CLUSTER_M x CLUSTER_N block tiles; block `rank` of the cluster (its
 * %cluster_ctarank) takes the block tile at (rank / CLUSTER_N,
 * rank % CLUSTER_N) inside it. Cluster tiles over one C:
 */
TG_HD int64_t tg_hplan_cgrid_m(const tg_htile *t, int64_t grid_m)
{
    return grid_m / t->cluster_m + (grid_m % t->cluster_m != 0);
}
TG_HD int64_t tg_hplan_cgrid_n(const tg_htile *t, int64_t grid_n)
{
    return grid_n / t->cluster_n + (grid_n % t->cluster_n != 0);
}
TG_HD int tg_hplan_rank_m(const tg_htile *t, int rank) { return rank / t->cluster_n; }
TG_HD int tg_hplan_rank_n(const tg_htile *t, int rank) { return rank % t->cluster_n; }

/*
 * Cluster tiles are numbered batch item by batch item, and inside an item in
 * the tile order of src/core/order.h (groups of RASTER cluster-tile rows).
 * With PERSISTENT=0 block (x, y) computes tile y·grid_m·grid_n + x (x /
 * SPLIT_K with a K split, whose K rank is x % SPLIT_K: below); with
 * PERSISTENT=1 cluster q of Q (blocks q·size .. q·size + size-1) computes
 * cluster tiles q, q + Q, q + 2Q, ... Without a cluster (1 x 1) a cluster
 * tile is a block tile and the rank is 0. A block whose tile lies past C's
 * edge (grid_m or grid_n not a multiple of the cluster's) still loads and
 * multicasts its slices for the others and stores nothing.
 */
typedef struct tg_htilepos {
    int64_t batch, row, col; /* block row and block column */
} tg_htilepos;

TG_HD int64_t tg_hplan_tiles(const tg_htile *t, int64_t grid_m, int64_t grid_n, int64_t batch)
{
    return tg_hplan_cgrid_m(t, grid_m) * tg_hplan_cgrid_n(t, grid_n) * batch;
}

TG_HD tg_htilepos tg_hplan_tile(const tg_htile *t, int64_t w, int64_t grid_m, int64_t grid_n,
                                int rank)
{
    tg_htilepos x;
    const int64_t cgm = tg_hplan_cgrid_m(t, grid_m), cgn = tg_hplan_cgrid_n(t, grid_n);
    const int64_t per_item = cgm * cgn;
    x.batch = w / per_item;
    tg_raster_order(t->raster, w % per_item, cgm, cgn, &x.row, &x.col);
    x.row = x.row * t->cluster_m + tg_hplan_rank_m(t, rank);
    x.col = x.col * t->cluster_n + tg_hplan_rank_n(t, rank);
    return x;
}

/*
 * What block `rank` loads of a stage, and for whom (TMA multicast, PTX ISA
 * "cp.async.bulk.tensor": the box lands at the same shared-memory offset in
 * every block of ctaMask and completes the mbarrier at the same offset in
 * each). The A box of BLOCK_M rows is shared by the CLUSTER_N blocks of one
 * cluster row: block (i, j) loads rows j·BLOCK_M/CLUSTER_N .. of it for all
 * of them. The B box likewise, by the CLUSTER_M blocks of a cluster column:
 * block (i, j) loads rows i·BLOCK_N/CLUSTER_M ... Each full barrier thus
 * expects the whole stage's bytes, from CLUSTER_M + CLUSTER_N - 1 blocks.
 */
TG_HD int tg_hplan_a_rows(const tg_htile *t) { return t->block_m / t->cluster_n; }
TG_HD int tg_hplan_b_rows(const tg_htile *t) { return t->block_n / t->cluster_m; }
TG_HD int tg_hplan_a_slice_row(const tg_htile *t, int rank) { return tg_hplan_rank_n(t, rank) * tg_hplan_a_rows(t); }
TG_HD int tg_hplan_b_slice_row(const tg_htile *t, int rank) { return tg_hplan_rank_m(t, rank) * tg_hplan_b_rows(t); }
/* The blocks (bit r: rank r) that receive block `rank`'s A slice: its cluster row. */
TG_HD uint32_t tg_hplan_a_mask(const tg_htile *t, int rank)
{
    return ((1u << t->cluster_n) - 1) << (tg_hplan_rank_m(t, rank) * t->cluster_n);
}
/* ... and its B slice: its cluster column. */
TG_HD uint32_t tg_hplan_b_mask(const tg_htile *t, int rank)
{
    uint32_t m = 0;
    for (int i = 0; i < t->cluster_m; i++)
        m |= 1u << (i * t->cluster_n + tg_hplan_rank_n(t, rank));
    return m;
}
/*
 * The blocks whose empty barriers a consumer warp of block `rank` arrives
 * on when it hands a stage back: every block that filled part of the stage
 * (its cluster row and column), itself included.
 */
TG_HD uint32_t tg_hplan_release_mask(const tg_htile *t, int rank)
{
    return tg_hplan_a_mask(t, rank) | tg_hplan_b_mask(t, rank);
}
TG_HD int64_t tg_hplan_k_tiles(const tg_htile *t, int64_t k) { return k / t->block_k + (k % t->block_k != 0); }

/* ------------------------------------------------------------------------
 * SPLIT_K > 1: split-K inside a cluster
 * ---------------------------------------------------------------------- */

/*
 * With SPLIT_K > 1 a cluster of SPLIT_K blocks (along the grid's x; a
 * block's %cluster_ctarank is its K rank) computes one output tile: block
 * tile blockIdx.x / SPLIT_K of item blockIdx.y (no multicast: each block
 * loads its own boxes). K rank r walks K tiles [k0, k1) of the K_TILES:
 * k0 = r·K_TILES / SPLIT_K, in order, so the ranks' ranges are
 * contiguous and cover every K tile once (a rank may get none when
 * K_TILES < SPLIT_K: its partial tile is zeros). Without a K split, rank
 * 0 walks them all.
 */
typedef struct tg_hkrange {
    int k0, k1;
} tg_hkrange;

TG_HD tg_hkrange tg_hplan_k_range(const tg_htile *t, int k_tiles, int rank)
{
    tg_hkrange r = {(int)((int64_t)rank * k_tiles / t->split_k),
                    (int)((int64_t)(rank + 1) * k_tiles / t->split_k)};
    return r;
}

/*
 * Where element (row, col) of a block's fp32 partial tile sits, a byte
 * offset from the ring's base (TG_H_PART_PITCH: a half-warp's accumulator
 * stores, 4 rows x 8 bytes x 4 lanes, hit 32 banks once).
 */
TG_HD uint32_t tg_hplan_part_addr(const tg_htile *t, int row, int col)
{
    return (uint32_t)row * TG_H_PART_PITCH(t->block_n) + (uint32_t)col * 4;
}

/*
 * The rows of the tile that block `rank` sums (over every rank's partial,
 * rank 0 first: the same order in every run) and stores:
 * [rank·BLOCK_M/SPLIT_K, (rank+1)·BLOCK_M/SPLIT_K).
 */
TG_HD tg_hkrange tg_hplan_reduce_rows(const tg_htile *t, int rank)
{
    const int rows = t->block_m / t->split_k;
    tg_hkrange r = {rank * rows, (rank + 1) * rows};
    return r;
}

/*
 * SPLIT_K = 2: the partial tiles meet in the block that stores each row: K rank r owns
 * rows [r·R, (r+1)·R) of the tile, R = BLOCK_M / SPLIT_K, whole 16-row
 * pieces (a warp's rows of one m64 piece), so every piece a warp holds has
 * one owner. The warps of the other ranks send the owner their partials of
 * the piece (st.async into its receive buffer, completing bytes on its
 * receive barrier); the owner adds every rank's, rank 0 first (the same
 * order in every run), and stores the rows from its registers.
 */
TG_HD int tg_hplan_owner(const tg_htile *t, int row) { return row / (t->block_m / t->split_k); }

/*
 * Where a sender's float4 q (accumulators 4q..4q+3 of the piece) of lane
 * `lane`, for the piece whose first row is `row`, goes in the owner's
 * receive buffer: a byte offset from the buffer, which starts after the
 * ring (tg_hplan_recv_base). Slot s of the sender (its rank, the owner's
 * skipped), piece j of the owner's rows, then q, then the lane: a warp's
 * 16-byte stores of one q are 512 contiguous bytes.
 */
TG_HD uint32_t tg_hplan_recv_addr(const tg_htile *t, int sender, int owner, int row, int q, int lane)
{
    const int rows = t->block_m / t->split_k;
    const int s = sender - (sender > owner), j = (row - owner * rows) / 16;
    return (uint32_t)(((s * (rows / 16) + j) * (t->block_n / 8) + q) * 512 + lane * 16);
}
TG_HD uint32_t tg_hplan_recv_base(const tg_htile *t)
{
    return (uint32_t)t->stages * TG_H_STAGE_BYTES(t->block_m, t->block_n);
}

/* ------------------------------------------------------------------------
 * STREAM_K=1: the last wave's tiles shared along K
 * ---------------------------------------------------------------------- */

/*
 * A persistent grid of G blocks walks T tiles in rounds of G: with T = q·G
 * + R (0 < R < G), the last round keeps only R blocks busy for a whole
 * tile's K loop. With stream-K the last SK tiles (those of the tile order's
 * end, still one L2 neighbourhood) are cut into their SK·KT K tiles
 * ("iterations", tile-major), and block b takes iterations [lo(b),
 * lo(b+1)), lo(b) = b·SK·KT / G: every block the same share, give or take
 * one. The first T - SK tiles stay whole (block b: b, b + G, ...).
 *
 * Block b's iterations fall into segments, one per tile they touch. A
 * segment that ends before its tile's last K tile is a PARTIAL: its fp32
 * tile goes to the workspace (slot b: a block has at most one, its range's
 * last segment). The segment that ends a tile and does not start it is
 * FINAL: it waits for the partials of the blocks before b that cover the
 * tile's first K tiles (blocks `from` .. b-1, one segment each), adds them
 * in block order to its own (the same sums in every run) and stores C.
 * The rest are WHOLE tiles, stored as ever. A block walks its PARTIAL
 * first, then its WHOLE tiles, then its FINAL: it publishes before it
 * waits, and it waits only on blocks that published first thing in their
 * stream-K part, so no block waits on a block that waits (the plan
 * verifier checks the order, the coverage and who waits on whom).
 */
enum { TG_HU_WHOLE = 0, TG_HU_PARTIAL = 1, TG_HU_FINAL = 2 };
/* SK < G makes a block's share less than a tile's K tiles: it touches at most two tiles. */
#define TG_H_SK_MAX_UNITS 2

typedef struct tg_hunit {
    int64_t w;   /* the tile (tg_hplan_tile's index) */
    int k0, k1;  /* its K tiles [k0, k1) */
    int kind;    /* TG_HU_* */
    int from;    /* TG_HU_FINAL: the first block whose partial it adds (blocks from .. b-1) */
} tg_hunit;

/*
 * Few tiles (T < G / 2, G blocks fitting at once): a grid of one block per
 * tile would leave most SMs idle through the whole K loop, so a stream-K
 * preset launches S·T blocks instead (the family's geometry), S = min(G /
 * T, TG_H_SK_MAX_SPLIT), and shares every tile S ways: split-K in one
 * launch, the same plan as the last round's with SK = T (block S·t + j
 * walks K tiles [j·KT/S, (j+1)·KT/S) of tile t, the last
 * of them adds the others' partials in block order). S is lowered until
 * each block has at least TG_H_SK_MIN_SHARE K tiles; S = 1 is no split.
 * At most 4 ways: the FINAL block reads the S - 1 partials alone.
 */
#define TG_H_SK_MAX_SPLIT 4
#define TG_H_SK_MIN_IDLE 8
#define TG_H_SK_MIN_SHARE 4
TG_HD int64_t tg_hplan_sk_split(int64_t tiles, int64_t k_tiles, int64_t fit)
{
    if (tiles < 1 || fit < 2 * tiles || k_tiles < 1 || k_tiles > ((int64_t)1 << 30))
        return 1;
    int64_t s = fit / tiles < TG_H_SK_MAX_SPLIT ? fit / tiles : TG_H_SK_MAX_SPLIT;
    while (s > 1 && k_tiles < TG_H_SK_MIN_SHARE * s)
        s--;
    return s;
}

/*
 * The tiles a grid of G blocks shares along K. T > G: the last round's R =
 * T mod G when it leaves at least TG_H_SK_MIN_IDLE K tiles per block idle
 * on average ((G - R)·KT >= that · G) and gives each block at least
 * TG_H_SK_MIN_SHARE K tiles (R·KT >= that · G); T < G: all T where G is
 * the few-tiles grid above (G = S·T, S >= 2); else 0 (whole tiles only).
 * One GEMM only (batch items are tiles like any other: allowed).
 */
TG_HD int64_t tg_hplan_sk_tiles(int64_t tiles, int64_t k_tiles, int64_t blocks)
{
    if (blocks < 2 || tiles < 1 || tiles == blocks || k_tiles < 1 || k_tiles > ((int64_t)1 << 30))
        return 0;
    if (tiles < blocks) /* the few-tiles grid, S = tg_hplan_sk_split(tiles, k_tiles, blocks) a tile */
        return blocks == tiles * tg_hplan_sk_split(tiles, k_tiles, blocks) ? tiles : 0;
    const int64_t r = tiles % blocks;
    if (r == 0 || (blocks - r) * k_tiles < TG_H_SK_MIN_IDLE * blocks || r * k_tiles < TG_H_SK_MIN_SHARE * blocks)
        return 0;
    return r;
}

/* The first of block b's stream-K iterations (b = G: their count). */
TG_HD int64_t tg_hplan_sk_lo(int64_t iters, int64_t blocks, int64_t b) { return b * iters / blocks; }

/* The block whose iterations hold iteration i: the last b with lo(b) <= i. */
TG_HD int tg_hplan_sk_owner(int64_t iters, int64_t blocks, int64_t i)
{
    return (int)(((i + 1) * blocks + iters - 1) / iters - 1);
}

/* The whole tiles of block b before its stream-K part: b, b + G, ... below T - SK. */
TG_HD int64_t tg_hplan_dp_units(int64_t tiles, int64_t sk_tiles, int64_t blocks, int64_t b)
{
    const int64_t dp = tiles - sk_tiles;
    return dp > b ? (dp - b + blocks - 1) / blocks : 0;
}

/* Block b's stream-K segments: the tiles its iterations touch (0 if none). */
TG_HD int tg_hplan_sk_units(int64_t k_tiles, int64_t blocks, int64_t sk_tiles, int64_t b)
{
    const int64_t iters = sk_tiles * k_tiles;
    const int64_t lo = tg_hplan_sk_lo(iters, blocks, b), hi = tg_hplan_sk_lo(iters, blocks, b + 1);
    return hi > lo ? (int)((hi - 1) / k_tiles - lo / k_tiles + 1) : 0;
}

/* Block b's stream-K segment j (j < tg_hplan_sk_units), in the order it walks them. */
TG_HD tg_hunit tg_hplan_sk_unit(int64_t tiles, int64_t k_tiles, int64_t blocks, int64_t sk_tiles,
                                int64_t b, int j)
{
    const int64_t iters = sk_tiles * k_tiles, first_tile = tiles - sk_tiles;
    const int64_t lo = tg_hplan_sk_lo(iters, blocks, b), hi = tg_hplan_sk_lo(iters, blocks, b + 1);
    const int64_t tf = lo / k_tiles, tl = (hi - 1) / k_tiles;
    const int trail = hi % k_tiles != 0;                     /* the last segment ends mid-tile */
    const int lead = lo % k_tiles != 0 && !(tf == tl && trail); /* the first one ends its tile */
    const int n = (int)(tl - tf + 1);
    /* Walk order: the trailing PARTIAL, the tiles in between, the leading FINAL. */
    int64_t s;
    if (trail && j == 0)
        s = tl;
    else if (lead && j == n - 1)
        s = tf;
    else
        s = tf + lead + (j - trail);
    const int64_t a = lo > s * k_tiles ? lo : s * k_tiles, e = hi < (s + 1) * k_tiles ? hi : (s + 1) * k_tiles;
    tg_hunit u;
    u.w = first_tile + s;
    u.k0 = (int)(a - s * k_tiles);
    u.k1 = (int)(e - s * k_tiles);
    u.kind = u.k1 < k_tiles ? TG_HU_PARTIAL : u.k0 > 0 ? TG_HU_FINAL : TG_HU_WHOLE;
    u.from = u.kind == TG_HU_FINAL ? tg_hplan_sk_owner(iters, blocks, s * k_tiles) : (int)b;
    return u;
}

/*
 * The workspace of a stream-K call: G partial slots, each BLOCK_M x BLOCK_N
 * fp32 in the consumers' register order (consumer c, then float4 v of a
 * thread's accumulators, then the 128 threads: each warp's 512 bytes one
 * line), then a 64-bit flag per (block, consumer) on its own 8 bytes.
 */
TG_HD int64_t tg_hplan_sk_slot_bytes(const tg_htile *t) { return (int64_t)t->block_m * t->block_n * 4; }
TG_HD int64_t tg_hplan_sk_bytes(const tg_htile *t, int64_t blocks)
{
    return blocks * (tg_hplan_sk_slot_bytes(t) + 8 * t->consumers);
}
/* Float offset of consumer c's thread `ct`, float4 number v, in block b's slot. */
TG_HD int64_t tg_hplan_sk_at(const tg_htile *t, int64_t b, int c, int v, int ct)
{
    const int per_consumer = TG_H_ACC_REGS(t->block_m, t->block_n, t->consumers) / 4; /* float4s a thread */
    return b * (tg_hplan_sk_slot_bytes(t) / 4) + (((int64_t)c * per_consumer + v) * TG_H_WG_THREADS + ct) * 4;
}
/* Byte offset of block b's consumer c's flag. */
TG_HD int64_t tg_hplan_sk_flag(const tg_htile *t, int64_t blocks, int64_t b, int c)
{
    return blocks * tg_hplan_sk_slot_bytes(t) + 8 * (b * t->consumers + c);
}

#ifdef __cplusplus
}
#endif

#endif /* TG_HOPPER_PLAN_H */
