/*
 * verify_exec.h — the hopper verifier's kernel emulator: its state (each
 * block's shared memory, accumulators and partial tile; the GEMM's) and
 * what verify_exec.c, which runs the kernel, and verify_split.c, which
 * adds the K split inside a cluster, call of each other (internal to those
 * two; what the execution check models: verify.c's opening comment).
 */
#ifndef TG_HOPPER_VERIFY_EXEC_H
#define TG_HOPPER_VERIFY_EXEC_H

#include <stdint.h>

#include "hopper/verify_check.h"

/*
 * One block of the grid: its shared memory, which load filled each byte of
 * it, its consumers' accumulators, and with a K split its receive buffer
 * (SPLIT_K = 2) or its partial tile (SPLIT_K > 2).
 */
typedef struct emu_block {
    int16_t *smem;           /* bytes [0, RING + ring) as bf16 slots */
    int32_t *fill;           /* per slot: the K step whose loads last wrote it (-1: none yet) */
    uint8_t *fills;          /* per slot: how many writes that K step's loads made there */
    int8_t *filler;          /* per slot: the block whose load made the last one */
    int64_t *acc;            /* [CONSUMERS][M_PIECES][128][BLOCK_N/2] */
    int chunk[2];            /* each consumer's TMA epilogue chunks, across tiles */
    /* SPLIT_K > 2: the fp32 partial tile in the ring, by 4-byte slot (ring offset / 4) */
    int64_t *part;           /* the value stored there */
    uint32_t *part_gen;      /* the tile (emu.gen) whose partial stores wrote it (0: none) */
    int32_t *part_elem;      /* the element stored there, row·BLOCK_N + col */
    /* SPLIT_K = 2: the receive buffer, by 4-byte slot (offset / 4) */
    int64_t *recv;           /* the value stored there */
    uint32_t *recv_gen;      /* the tile (emu.gen) whose sends wrote it (0: none) */
    int32_t *recv_elem;      /* the element stored there, row·BLOCK_N + col */
    int8_t *recv_from;       /* the K rank that sent it */
    int64_t recv_got;        /* bytes sent to this rank for the tile */
} emu_block;

enum { EMU_MAX_BLOCKS = 8 }; /* a cluster: the rules allow up to 8 blocks (SPLIT_K too) */

typedef struct emu {
    const tg_htile *t;
    const tg_hplan_ops *ops;
    report *r;
    int64_t m, n, k, batch;  /* the kernel's GEMM (SWAP_AB: the caller's transposed) */
    int64_t grid_m, grid_n, k_tiles, tiles; /* tiles: cluster tiles (block tiles without one) */
    int blocks;              /* of a cluster that shares loads (1 without one) */
    int ranks;               /* SPLIT_K: blocks of a K split, e->blk[rank] (1 without one) */
    emu_block blk[EMU_MAX_BLOCKS];
    const int8_t *a, *b;     /* batch x m x k, batch x n x k */
    int64_t *c;              /* batch x m x n (SWAP_AB: batch x n x m, the caller's), or NULL */
    float *cf;               /* the same as fp32, or NULL */
    int *writes;             /* stores per element of C, or NULL */
    int tma_c;               /* EPILOGUE=tma and C allows TMA stores (family.c encode_c) */
    int beta_call;           /* beta != 0: C stored from registers whatever EPILOGUE */
    int64_t *staged;         /* the staging buffers' fp32 slots, by (address - RING) / 4 */
    uint32_t *staged_gen;    /* which chunk wrote each slot (0: none yet) */
    uint32_t gen;            /* staging chunks and K-split tiles, numbered */
    uint32_t smem_end;       /* RING + ring: each block's shared memory as the emulation has it */
    uint32_t recv_end;       /* SPLIT_K = 2: the receive buffer's bytes (TG_H_RECV_BYTES) */
    uint32_t ring_end;       /* STAGES·STAGE_BYTES: the stages alone, where a partial tile goes */
    int32_t *a_op, *b_op;    /* a K tile's wgmma operands, gathered: [64][OP_K], [BLOCK_N][OP_K] */
    int32_t *prod;           /* their product, one m64 piece: [64][BLOCK_N] */
    tg_hrc *hw;              /* [128][BLOCK_N/2]: the ISA fragment */
    int64_t idle;            /* blocks that walked a tile past C's edge (loading for the others) */
    int broken;              /* an emulated access went wrong: stop */
} emu;

/* Thread th's accumulators of block b's consumer c, m64 piece mp (acc's layout: emu_block). */
static inline int64_t *acc_at(emu *e, int b, int c, int mp, int th)
{
    const int pieces = TG_H_M_PIECES(e->t->block_m, e->t->consumers);
    return e->blk[b].acc + ((int64_t)(c * pieces + mp) * 128 + th) * (e->t->block_n / 2);
}

/*
 * verify_exec.c: one element of C from the epilogue (or a K split's sums),
 * counted and stored as the kernel would; a store outside C fails.
 */
void tg_emu_put(emu *e, int64_t batch, int64_t row, int64_t col, int64_t v);

/*
 * verify_exec.c: PRODUCER=1, one cluster walking cluster tiles first,
 * first + step, ..., over K rank krank's K tiles (all of them, krank = 0,
 * without a K split).
 */
void tg_emu_walk(emu *e, int64_t first, int64_t step, int krank);

/* verify_split.c: SPLIT_K = 2, K rank kb's consumer c sends the pieces the other rank owns. */
void tg_emu_send(emu *e, int kb, int c);

/* verify_split.c: SPLIT_K > 2, K rank kb's consumer c stores its partial tile. */
void tg_emu_store_partial(emu *e, int kb, int c);

/* verify_split.c: SPLIT_K > 1, the cluster of SPLIT_K blocks on tile w: the ranks' walks, the sums. */
void tg_emu_split(emu *e, int64_t w);

#endif /* TG_HOPPER_VERIFY_EXEC_H */
