/*
 * verify.h — the hopper family's CPU verifier over a table of plan
 * functions, its ring model, and an emulation of the whole kernel (internal:
 * the tests reach it through tilegemm_static).
 *
 * tg_config_verify() (tilegemm.h) runs tg_hopper_verify, which is
 * tg_hopper_verify_ops with tg_hplan_real_ops. Tests run it with one function
 * replaced by a broken one, to show that each check can fail and which check
 * names the mistake (report lines "  FAIL <check>: ..."; the checks are
 * layout, tma, banks, operands, fragment, execution and ring).
 */
#ifndef TG_HOPPER_VERIFY_H
#define TG_HOPPER_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "hopper/hopper.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The plan as the checks call it. The first group is what the kernel calls
 * (src/hopper/kernel.cuh); the last two are the plan's statements about the
 * hardware, which the checks hold against the PTX ISA's definitions.
 */
typedef struct tg_hplan_ops {
    /* shared memory: where stage s's A and B tiles start, from the ring's base */
    uint32_t (*stage_a)(const tg_htile *t, int s);
    uint32_t (*stage_b)(const tg_htile *t, int s);
    /* wgmma matrix descriptors: A's m64 piece mp, B; k16 step kk; stage s */
    uint64_t (*desc_a)(const tg_htile *t, uint32_t ring, int s, int mp, int kk);
    uint64_t (*desc_b)(const tg_htile *t, uint32_t ring, int s, int kk);
    /* the epilogue: which C element register i of (warp, lane) is stored to */
    tg_hrc (*frag)(int warp, int lane, int i);
    /* where the kernel's C element (row, col) lands in the caller's C (SWAP_AB: transposed) */
    int64_t (*c_at)(int swap_ab, int64_t row, int64_t col, int64_t ldc);
    /* EPILOGUE=tma: consumer c's staging buffer b, and where (row, byte) goes in it */
    uint32_t (*epi_buf)(const tg_htile *t, int c, int b);
    uint32_t (*epi_addr)(uint32_t buf, int row, int byte);
    /* fp32 staging: the column group lane `lane` stores at store slot `slot` of a chunk */
    int (*epi_group)(int lane, int slot);
    /* the staging stores' addresses as the kernel computes them: a lane's base, then per store
     * (fp32: slot; bf16: n8 block of the 64 columns) and row half h */
    uint32_t (*epi_lane)(uint32_t buf, int warp, int lane, int f32);
    uint32_t (*epi_at)(uint32_t lane_base, int step, int h, int f32);
    /* how many (cluster) tiles there are, and which block tile block `rank` of a cluster
     * computes of number w */
    int64_t (*tiles)(const tg_htile *t, int64_t grid_m, int64_t grid_n, int64_t batch);
    tg_htilepos (*tile)(const tg_htile *t, int64_t w, int64_t grid_m, int64_t grid_n, int rank);
    /* clusters: the rows of the A and B boxes each block loads, where its slice starts, the
     * blocks its A and B slices are multicast to, and whose empty barriers its consumer
     * warps arrive on (bit r: rank r) */
    int (*a_rows)(const tg_htile *t);
    int (*b_rows)(const tg_htile *t);
    int (*a_slice_row)(const tg_htile *t, int rank);
    int (*b_slice_row)(const tg_htile *t, int rank);
    uint32_t (*a_mask)(const tg_htile *t, int rank);
    uint32_t (*b_mask)(const tg_htile *t, int rank);
    uint32_t (*release_mask)(const tg_htile *t, int rank);
    /* the arrivals each empty barrier is initialised with (TG_H_EMPTY_ARRIVALS) */
    int (*empty_arrivals)(const tg_htile *t);
    /* SPLIT_K > 1 (split-K in a cluster): the K tiles [k0, k1) of the K_TILES that K rank
     * `rank` walks (rank 0 of a block without a K split: all of them). SPLIT_K = 2: the rank
     * that owns (sums and stores) the 16-row piece from tile row `row`, where a sender's
     * float4 q of lane `lane` of that piece goes in the owner's receive buffer (bytes from
     * the buffer), and where the buffer starts (bytes from the ring's base). SPLIT_K > 2:
     * where element (row, col) of a block's fp32 partial tile sits (bytes from the ring's
     * base), and the rows [k0, k1) of the tile that K rank `rank` sums over the partials */
    tg_hkrange (*k_range)(const tg_htile *t, int k_tiles, int rank);
    uint32_t (*part_addr)(const tg_htile *t, int row, int col);
    tg_hkrange (*reduce_rows)(const tg_htile *t, int rank);
    int (*owner)(const tg_htile *t, int row);
    uint32_t (*recv_addr)(const tg_htile *t, int sender, int owner, int row, int q, int lane);
    uint32_t (*recv_base)(const tg_htile *t);
    /* PRODUCER=0: stage and parity of K tile kt, and what its stage loads next */
    int (*stage_of)(const tg_htile *t, int kt);
    uint32_t (*parity_of)(const tg_htile *t, int kt);
    int (*refill)(const tg_htile *t, int kt);
    /* PRODUCER=1: ring positions and the parities waited on */
    tg_hring (*ring_start)(void);
    tg_hring (*ring_next)(const tg_htile *t, tg_hring r);
    uint32_t (*full_parity)(tg_hring r);
    uint32_t (*empty_parity)(tg_hring r);
    /* STREAM_K=1: the tiles a grid of `blocks` shares along K, block b's segments of them,
     * and its segment j in the order it walks them */
    int64_t (*sk_tiles)(int64_t tiles, int64_t k_tiles, int64_t blocks);
    int64_t (*dp_units)(int64_t tiles, int64_t sk_tiles, int64_t blocks, int64_t b);
    int (*sk_units)(int64_t k_tiles, int64_t blocks, int64_t sk_tiles, int64_t b);
    tg_hunit (*sk_unit)(int64_t tiles, int64_t k_tiles, int64_t blocks, int64_t sk_tiles, int64_t b, int j);
    /* where TMA puts element (row, col) of a box whose destination is `tile` */
    uint32_t (*tma_addr)(uint32_t tile, int row, int col);
    /* the byte a wgmma reads for element (row, k) of a descriptor's operand */
    uint32_t (*desc_addr)(uint64_t desc, int row, int k);
} tg_hplan_ops;

/*
 * plan.h's functions, and for desc_addr tg_hopper_isa_desc_addr below (the
 * kernel only builds descriptors; how the hardware reads them is the ISA's).
 */
extern const tg_hplan_ops tg_hplan_real_ops;

/*
 * The shared-memory byte a wgmma reads for element (row, k) of a K-major
 * bf16 operand, decoded from every field of the descriptor that the PTX
 * ISA defines ("Matrix Descriptor Format", canonical K-major layouts;
 * docs/HOPPER-PTX.md sections 5 and 6): start address, LBO (no swizzle),
 * SBO, and the swizzle mode (bits 62-63: 0 none, 1 128-byte, 2 64-byte,
 * 3 32-byte), the swizzle XOR taken on the absolute address. A descriptor
 * with a non-zero base offset (bits 49-51), which the model does not
 * define, or with a reserved bit set gives TG_HOPPER_BAD_ADDR.
 */
#define TG_HOPPER_BAD_ADDR UINT32_MAX
uint32_t tg_hopper_isa_desc_addr(uint64_t desc, int row, int k);

/*
 * Every check on params (ranges and rules first: a configuration that breaks
 * one is refused with its reason) with ops; TG_SUCCESS, or
 * TG_ERR_INVALID_CONFIG with the failures in report (may be NULL).
 * NULL params or ops: TG_ERR_INVALID_ARGUMENT.
 */
tg_status tg_hopper_verify_ops(const int *params, const tg_hplan_ops *ops, char *report,
                               size_t len);

/* tg_hopper_verify_ops with tg_hplan_real_ops: the family's verifier. */
tg_status tg_hopper_verify(const int *params, char *report, size_t len);

/*
 * The PRODUCER=1 ring alone, for one case: k_tiles K tiles per output tile,
 * `tiles` output tiles per block, `warps` consumer warps modelled in each
 * block (a divisor of its 4·CONSUMERS, up to 8: each stands for
 * 4·CONSUMERS / warps real ones, and arrives for all of them), every block
 * of params' cluster. Every interleaving of the producers, the consumer
 * warps and the landing of each TMA copy in each destination, explored
 * over encoded states until the first failure; reduce = 1 explores a
 * cluster with verify_search.c's partial-order reduction (0: every
 * interleaving; a single block is never reduced). It takes params as they
 * are, rules unchecked (so STAGES = 1 can be shown to deadlock); PRODUCER
 * is ignored. TG_SUCCESS, or TG_ERR_INVALID_CONFIG with "FAIL ring: ..."
 * lines (a deadlock says "deadlock"); TG_ERR_INVALID_ARGUMENT for a case
 * the model cannot hold.
 */
typedef struct tg_hring_stats {
    int64_t states;    /* distinct states reached */
    int64_t finished;  /* states where every actor finished */
    int deadlocks;     /* states where someone is unfinished and nothing can move */
} tg_hring_stats;

tg_status tg_hopper_ring_model(const int *params, const tg_hplan_ops *ops, int k_tiles,
                               int tiles, int warps, int reduce, tg_hring_stats *stats,
                               char *report, size_t len);

/*
 * What the kernel computes with alpha = 1, beta = 0 and fp32 C, emulated on
 * the CPU through the plan: TMA boxes (zeros outside A and B) into an
 * emulated ring — in a cluster each block's slices of the boxes into the
 * shared memory of every block of its multicast masks — wgmma from it
 * through the kernel's descriptors, the accumulator fragment of the PTX
 * ISA, the epilogue's stores through tg_hplan_frag (EPILOGUE=tma: through
 * the staging buffers, then TMA stores when C allows them, as family.c
 * decides for a 16-byte aligned C, packed, else the warpgroup's own stores
 * of each staged chunk), with SPLIT_K > 1 each tile's K ranks over their
 * K tiles, the pieces of their partial tiles sent to the rank that owns them
 * (tg_hplan_owner, tg_hplan_recv_addr) and summed there, the tiles each block
 * walks (PERSISTENT=1: `sms` blocks, as the library launches on a device
 * with that many SMs; with a cluster sms / CLUSTER clusters, at least one —
 * the library launches as many as fit at once, which changes which stage a
 * tile uses, not C; ignored otherwise, a K split included).
 * A: batch x m x k, B: batch x n x k, C: batch x m x n, packed row-major;
 * integers stand for their bf16 values. Products are summed exactly, which
 * is what fp32 gives when every partial sum is an integer below 2^24 in
 * magnitude; a problem where that may not hold (k·max|a|·max|b| >= 2^24)
 * is refused (TG_ERR_INVALID_ARGUMENT), and so are params that break a rule.
 * Elements of C that no block writes are left as they were.
 */
tg_status tg_hopper_emulate(const int *params, int64_t m, int64_t n, int64_t k, int64_t batch,
                            const int8_t *a, const int8_t *b, float *c, int sms);

#ifdef __cplusplus
}
#endif

#endif /* TG_HOPPER_VERIFY_H */
