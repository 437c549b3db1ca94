/*
 * verify_exec.c — the hopper verifier's emulation of the whole kernel: the
 * execution check (whole GEMMs on small shapes, block by block, through the
 * plan, against an exact integer GEMM) and tg_hopper_emulate, the same
 * emulator on a caller's GEMM (held against the GPU by
 * tests/test_hopper_emulator_gpu.c). The checks it serves and what they
 * model: verify.c's opening comment. A K split (SPLIT_K > 1) runs as the
 * kernel's cluster does: the tile's K ranks one after another, each a
 * block of its own (shared memory, ring, partial tile) walking its K tiles
 * here (tg_emu_walk); their partial tiles and the sums after the cluster
 * sync are verify_split.c's. What the two files share (the emulation's
 * state, the walk, the stores to C): verify_exec.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hopper/verify_exec.h"

/* ------------------------------------------------------------------------
 * The kernel emulated: execution, and tg_hopper_emulate
 * ---------------------------------------------------------------------- */

/* "", "block 1, " or "K rank 1, ": which block of a cluster a message is about. */
static const char *emu_whose(const emu *e, int b, char buf[24])
{
    if (e->ranks > 1)
        snprintf(buf, 24, "K rank %d, ", b);
    else if (e->blocks > 1)
        snprintf(buf, 24, "block %d, ", b);
    else
        return "";
    return buf;
}

/*
 * One TMA box of `rows` x 64 into block d's shared memory at `tile`:
 * source rows row0.. of batch item `item` of src, columns k0.., zeros
 * outside the tensor (TMA's fill). Each byte remembers that K step `step`'s
 * load from block `from` wrote it, and how often that step wrote it.
 */
static void emu_box(emu *e, int d, uint32_t tile, const int8_t *src, int64_t src_rows, int64_t item,
                    int64_t row0, int64_t k0, int rows, const char *what, int32_t step, int from)
{
    emu_block *blk = &e->blk[d];
    const int in_item = item >= 0 && item < e->batch;
    src += in_item ? item * src_rows * e->k : 0;
    for (int row = 0; row < rows; row++)
        for (int col = 0; col < e->t->block_k; col++) {
            const int64_t gr = row0 + row, gc = k0 + col;
            const int v = in_item && gr >= 0 && gr < src_rows && gc < e->k ? src[gr * e->k + gc] : 0;
            const uint32_t at = e->ops->tma_addr(tile, row, col);
            if (at < RING || at + 2 > e->smem_end || at % 2) {
                char who[24];
                tg_report_fail(e->r, CK_EXECUTION, "%sTMA puts %s element (%d,%d) at byte %u, outside the "
                               "ring [%u, %u)", emu_whose(e, d, who), what, row, col, at, RING, e->smem_end);
                e->broken = 1;
                return;
            }
            const uint32_t slot = at / 2;
            blk->smem[slot] = (int16_t)v;
            if (blk->fill[slot] != step) {
                blk->fill[slot] = step;
                blk->fills[slot] = 0;
            }
            blk->fills[slot] += blk->fills[slot] < 255;
            blk->filler[slot] = (int8_t)from;
        }
}

/*
 * Block r's loads of K tile kt of its tile x, K step `step` of its walk,
 * into stage s (kernel.cuh load_stage): its slice of the A box (a_rows rows
 * from a_slice_row, at that row of the stage's A tile) into the stage of
 * every block of a_mask, and its slice of the B box likewise (b_mask).
 * Without a cluster along N (M) the kernel loads A (B) without multicast,
 * into the block itself. Block d of the cluster is e->blk[d0 + d]: d0 is
 * the K rank with a K split (whose cluster shares no loads: r = d = 0), else 0.
 */
static void emu_load(emu *e, int d0, int r, int s, tg_htilepos x, int64_t kt, int32_t step)
{
    const tg_htile *t = e->t;
    const tg_hplan_ops *ops = e->ops;
    char who[24];
    if (s < 0 || s >= t->stages) {
        tg_report_fail(e->r, CK_EXECUTION, "%sK tile %lld goes to stage %d, outside the ring of %d",
                       emu_whose(e, d0 + r, who), (long long)kt, s, t->stages);
        e->broken = 1;
        return;
    }
    const uint32_t am = t->cluster_n > 1 ? ops->a_mask(t, r) : 1u << r;
    const uint32_t bm = t->cluster_m > 1 ? ops->b_mask(t, r) : 1u << r;
    if ((am | bm) >> e->blocks) {
        tg_report_fail(e->r, CK_EXECUTION, "block %d multicasts its A slice to blocks 0x%x and its B slice "
                       "to 0x%x: outside the cluster of %d", r, am, bm, e->blocks);
        e->broken = 1;
        return;
    }
    const int ar = ops->a_slice_row(t, r), br = ops->b_slice_row(t, r);
    const uint32_t a_tile = RING + ops->stage_a(t, s) + (uint32_t)ar * TG_H_SWIZZLE_BYTES;
    const uint32_t b_tile = RING + ops->stage_b(t, s) + (uint32_t)br * TG_H_SWIZZLE_BYTES;
    for (int d = 0; d < e->blocks && !e->broken; d++) {
        if (am >> d & 1)
            emu_box(e, d0 + d, a_tile, e->a, e->m, x.batch, x.row * t->block_m + ar, kt * t->block_k,
                    ops->a_rows(t), "A", step, r);
        if (bm >> d & 1 && !e->broken)
            emu_box(e, d0 + d, b_tile, e->b, e->n, x.batch, x.col * t->block_n + br, kt * t->block_k,
                    ops->b_rows(t), "B", step, r);
    }
}

/*
 * Before block b's consumers read K step `step` from stage s: every byte of
 * the stage's A and B tiles was written by that step's loads, exactly once
 * (the slices of the blocks that fill it cover the stage, none twice, none
 * left from an earlier trip).
 */
static void emu_check_stage(emu *e, int b, int s, int32_t step)
{
    const tg_htile *t = e->t;
    const emu_block *blk = &e->blk[b];
    char who[24];
    for (int op = 0; op < 2 && !e->broken; op++) {
        const uint32_t base = RING + (op ? e->ops->stage_b(t, s) : e->ops->stage_a(t, s));
        const uint32_t bytes = op ? TG_H_B_BYTES(t->block_n) : TG_H_A_BYTES(t->block_m);
        if (base + bytes > e->smem_end || base % 2)
            return; /* the layout check names it */
        for (uint32_t at = base; at < base + bytes; at += 2) {
            const uint32_t slot = at / 2;
            if (blk->fill[slot] == step && blk->fills[slot] == 1)
                continue;
            char what[64];
            if (blk->fill[slot] != step && blk->fill[slot] < 0)
                snprintf(what, sizeof what, "was never loaded");
            else if (blk->fill[slot] != step)
                snprintf(what, sizeof what, "still holds K step %d's bytes", blk->fill[slot]);
            else
                snprintf(what, sizeof what, "was written %d times (last by block %d)", blk->fills[slot],
                         blk->filler[slot]);
            tg_report_fail(e->r, CK_EXECUTION, "%sK step %d: byte %u of stage %d's %s tile (its row %u) %s "
                           "when the consumers read it", emu_whose(e, b, who), step, at - base, s,
                           op ? "B" : "A", (at - base) / TG_H_SWIZZLE_BYTES, what);
            e->broken = 1;
            return;
        }
    }
}

/*
 * What one wgmma reads through a descriptor: rows x 16 elements, gathered
 * from the emulated shared memory into columns kk·16.. of out (rows of 64).
 */
static int emu_gather(emu *e, int b, uint64_t desc, int rows, int kk, int32_t *out, const char *what)
{
    for (int row = 0; row < rows; row++)
        for (int k = 0; k < TG_H_WGMMA_K; k++) {
            const uint32_t at = e->ops->desc_addr(desc, row, k);
            if (at == TG_HOPPER_BAD_ADDR || at < RING || at + 2 > e->smem_end || at % 2) {
                tg_report_fail(e->r, CK_EXECUTION, "the wgmma reads %s element (%d,%d) at byte %u, outside "
                               "the ring [%u, %u) (descriptor 0x%016llx)", what, row, k, at, RING,
                               e->smem_end, (unsigned long long)desc);
                e->broken = 1;
                return 0;
            }
            out[row * OP_K + kk * TG_H_WGMMA_K + k] = e->blk[b].smem[at / 2];
        }
    return 1;
}

/*
 * Block b's consumer c's wgmmas on stage s (kernel.cuh mma_stage): for every m64 piece
 * and k16 step, the operands its descriptors name; register i of thread th
 * gains the dot product of the A row and B row the ISA fragment assigns it.
 * (The k16 steps of a K tile are summed first: exact integers, any order.)
 */
static void emu_mma(emu *e, int b, int s, int c)
{
    const tg_htile *t = e->t;
    const int pieces = TG_H_M_PIECES(t->block_m, t->consumers), acc_n = t->block_n / 2;
    if (s < 0 || s >= t->stages) {
        tg_report_fail(e->r, CK_EXECUTION, "consumer %d reads stage %d, outside the ring of %d", c, s,
                       t->stages);
        e->broken = 1;
        return;
    }
    const int k16s = t->block_k / TG_H_WGMMA_K, n = t->block_n;
    for (int kk = 0; kk < k16s; kk++)
        if (!emu_gather(e, b, e->ops->desc_b(t, RING, s, kk), n, kk, e->b_op, "B"))
            return;
    for (int mp = 0; mp < pieces; mp++) {
        for (int kk = 0; kk < k16s; kk++)
            if (!emu_gather(e, b, e->ops->desc_a(t, RING, s, c * pieces + mp, kk), TG_H_WGMMA_M, kk,
                            e->a_op, "A"))
                return;
        /*
         * The emulator's cost: 4 x 4 blocks of the product, 8 loads for 16 multiply-adds,
         * in uint32_t (the sums fit int32_t, so the wrapped result converts back exactly,
         * and a sanitized build has no overflow check per multiply-add).
         */
        for (int row = 0; row < TG_H_WGMMA_M; row += 4)
            for (int col = 0; col < n; col += 4) {
                const int32_t *ar = e->a_op + row * OP_K, *br = e->b_op + col * OP_K;
                uint32_t sum[16] = {0};
                for (int x = 0; x < OP_K; x++) {
                    const uint32_t a0 = (uint32_t)ar[x], a1 = (uint32_t)ar[OP_K + x],
                                   a2 = (uint32_t)ar[2 * OP_K + x], a3 = (uint32_t)ar[3 * OP_K + x];
                    const uint32_t b0 = (uint32_t)br[x], b1 = (uint32_t)br[OP_K + x],
                                   b2 = (uint32_t)br[2 * OP_K + x], b3 = (uint32_t)br[3 * OP_K + x];
                    sum[0] += a0 * b0, sum[1] += a0 * b1, sum[2] += a0 * b2, sum[3] += a0 * b3;
                    sum[4] += a1 * b0, sum[5] += a1 * b1, sum[6] += a1 * b2, sum[7] += a1 * b3;
                    sum[8] += a2 * b0, sum[9] += a2 * b1, sum[10] += a2 * b2, sum[11] += a2 * b3;
                    sum[12] += a3 * b0, sum[13] += a3 * b1, sum[14] += a3 * b2, sum[15] += a3 * b3;
                }
                for (int i = 0; i < 16; i++)
                    e->prod[(row + i / 4) * n + col + i % 4] = (int32_t)sum[i];
            }
        for (int th = 0; th < 128; th++) {
            int64_t *acc = acc_at(e, b, c, mp, th);
            const tg_hrc *hw = e->hw + th * acc_n;
            for (int i = 0; i < acc_n; i++)
                acc[i] += e->prod[hw[i].row * n + hw[i].col];
        }
    }
}

/*
 * One element of C from the epilogue: counted, and stored as the kernel
 * would. The kernel keeps its stores inside C's rows and columns (and a TMA
 * store clips to the tensor); a store outside them, or to a batch item C
 * does not have, is the plan's mistake.
 */
void tg_emu_put(emu *e, int64_t batch, int64_t row, int64_t col, int64_t v)
{
    if (batch < 0 || batch >= e->batch || row < 0 || col < 0 || row >= e->m || col >= e->n) {
        tg_report_fail(e->r, CK_EXECUTION, "the epilogue stores to C[%lld](%lld,%lld), outside C's %lld "
                       "items of %lld x %lld", (long long)batch, (long long)row, (long long)col,
                       (long long)e->batch, (long long)e->m, (long long)e->n);
        e->broken = 1;
        return;
    }
    /* C packed, ldc its row length: the kernel's n, or with SWAP_AB (the caller's C is n x m) m. */
    const int swap = e->t->swap_ab;
    const int64_t in_item = e->ops->c_at(swap, row, col, swap ? e->m : e->n);
    if (in_item < 0 || in_item >= e->m * e->n) {
        tg_report_fail(e->r, CK_EXECUTION, "the epilogue's C(%lld,%lld) lands at element %lld of a C item of "
                       "%lld", (long long)row, (long long)col, (long long)in_item, (long long)(e->m * e->n));
        e->broken = 1;
        return;
    }
    const int64_t at = batch * e->m * e->n + in_item;
    if (e->c)
        e->c[at] = v;
    if (e->cf)
        e->cf[at] = (float)v;
    if (e->writes)
        e->writes[at]++;
}

/* Block b's consumer c's share of tile x (kernel.cuh epilogue, store_c_ and store_pair). */
static void emu_epilogue(emu *e, int b, tg_htilepos x, int c)
{
    const tg_htile *t = e->t;
    const int pieces = TG_H_M_PIECES(t->block_m, t->consumers), acc_n = t->block_n / 2;
    const int64_t row0 = x.row * t->block_m + c * (t->block_m / t->consumers), col0 = x.col * t->block_n;
    for (int mp = 0; mp < pieces && !e->broken; mp++)
        for (int th = 0; th < 128 && !e->broken; th++) {
            const int64_t *acc = acc_at(e, b, c, mp, th);
            for (int i = 0; i < acc_n; i += 2) {
                const tg_hrc f = e->ops->frag(th / 32, th % 32, i);
                const int64_t row = row0 + mp * TG_H_WGMMA_M + f.row, col = col0 + f.col;
                if (row >= e->m || col >= e->n)
                    continue;
                tg_emu_put(e, x.batch, row, col, acc[i]);
                if (col + 1 < e->n)
                    tg_emu_put(e, x.batch, row, col + 1, acc[i + 1]);
            }
        }
}

/*
 * EPILOGUE=tma, fp32 C (kernel.cuh epilogue_tma): for each m64 piece, each
 * 32 columns: the threads put their registers of those columns into staging
 * buffer `chunk & 1`, slot by slot in the column groups of epi_group, at the
 * addresses the kernel computes (epi_lane, epi_at), then one TMA store reads the
 * buffer as a 64 x 32 box (128-byte swizzle) and writes the part inside C;
 * where TMA cannot store C (tma_c = 0), the warpgroup reads each element
 * back from the plan's epi_addr and writes it (store_chunk).
 * Every slot it reads must have been written for this chunk.
 */
static void emu_epilogue_tma(emu *e, int b, tg_htilepos x, int c, int *chunk)
{
    const tg_htile *t = e->t;
    const int pieces = TG_H_M_PIECES(t->block_m, t->consumers);
    const int64_t row0 = x.row * t->block_m + c * (t->block_m / t->consumers), col0 = x.col * t->block_n;
    for (int mp = 0; mp < pieces && !e->broken; mp++)
        for (int u = 0; u < t->block_n / 32 && !e->broken; u++) {
            const uint32_t buf = RING + e->ops->epi_buf(t, c, *chunk & 1);
            const uint32_t gen = ++e->gen;
            for (int th = 0; th < 128 && !e->broken; th++) {
                const int64_t *acc = acc_at(e, b, c, mp, th);
                for (int k = 0; k < 8; k++) { /* store slot k / 2, row half k % 2 */
                    const int g = e->ops->epi_group(th % 32, k / 2), i = 16 * u + 4 * g + 2 * (k % 2);
                    if (g < 0 || g > 3) {
                        tg_report_fail(e->r, CK_EXECUTION, "the epilogue's store slot %d of lane %d takes "
                                   "column group %d of a chunk's 0-3", k / 2, th % 32, g);
                        e->broken = 1;
                        break;
                    }
                    const uint32_t at = e->ops->epi_at(e->ops->epi_lane(buf, th / 32, th % 32, 1), k / 2, k % 2, 1);
                    if (at < RING || at + 8 > e->smem_end || at % 8) {
                        tg_report_fail(e->r, CK_EXECUTION, "the epilogue stages registers %d, %d of thread "
                                       "%d at byte %u, outside shared memory or not 8-byte aligned", i, i + 1,
                                       th, at);
                        e->broken = 1;
                        break;
                    }
                    const uint32_t slot = (at - RING) / 4;
                    e->staged[slot] = acc[i];
                    e->staged[slot + 1] = acc[i + 1];
                    e->staged_gen[slot] = e->staged_gen[slot + 1] = gen;
                }
            }
            for (int row = 0; row < TG_H_WGMMA_M && !e->broken; row++)
                for (int col = 0; col < 32; col++) {
                    const uint32_t at = e->tma_c ? isa_swizzle(buf + (uint32_t)row * 128 + (uint32_t)col * 4, 128)
                                                 : e->ops->epi_addr(buf, row, col * 4);
                    const int64_t cr = row0 + mp * TG_H_WGMMA_M + row, cc = col0 + u * 32 + col;
                    if (at < RING || at + 4 > e->smem_end) {
                        tg_report_fail(e->r, CK_EXECUTION, "the %s reads byte %u, outside shared memory",
                                   e->tma_c ? "TMA store" : "chunk store", at);
                        e->broken = 1;
                        break;
                    }
                    if (cr >= e->m || cc >= e->n)
                        continue; /* outside C: TMA does not store it */
                    const uint32_t slot = (at - RING) / 4;
                    if (e->staged_gen[slot] != gen) {
                        tg_report_fail(e->r, CK_EXECUTION, "the %s of C(%lld,%lld) reads a staging slot no "
                                   "thread wrote for this chunk", e->tma_c ? "TMA store" : "chunk store",
                                   (long long)cr, (long long)cc);
                        e->broken = 1;
                        break;
                    }
                    tg_emu_put(e, x.batch, cr, cc, e->staged[slot]);
                }
            (*chunk)++;
        }
}

static void emu_zero(emu *e, int b)
{
    const tg_htile *t = e->t;
    memset(e->blk[b].acc, 0,
           sizeof(int64_t) * (size_t)(t->block_m / TG_H_WGMMA_M * 128 * (t->block_n / 2)));
}

/* A block starts: nothing of its shared memory was loaded yet, no epilogue chunk stored. */
static void emu_start(emu *e, int b)
{
    memset(e->blk[b].fill, 0xFF, sizeof(int32_t) * (e->smem_end / 2));
    e->blk[b].chunk[0] = e->blk[b].chunk[1] = 0;
}

/* PRODUCER=0: the kernel's one warpgroup, its one tile, its own loads. */
static void emu_block_plain(emu *e, int64_t w)
{
    const tg_htile *t = e->t;
    const tg_hplan_ops *ops = e->ops;
    const tg_htilepos x = ops->tile(t, w, e->grid_m, e->grid_n, 0);
    emu_start(e, 0);
    for (int kt = 0; kt < t->stages && kt < e->k_tiles && !e->broken; kt++)
        emu_load(e, 0, 0, ops->stage_of(t, kt), x, kt, kt);
    emu_zero(e, 0);
    for (int kt = 0; kt < e->k_tiles && !e->broken; kt++) {
        const int s = ops->stage_of(t, kt);
        if (s >= 0 && s < t->stages)
            emu_check_stage(e, 0, s, kt);
        if (!e->broken)
            emu_mma(e, 0, s, 0);
        const int next = ops->refill(t, kt);
        if (next < e->k_tiles && !e->broken)
            emu_load(e, 0, 0, ops->stage_of(t, next), x, next, next);
    }
    if (!e->broken)
        emu_epilogue(e, 0, x, 0);
}

/*
 * PRODUCER=1: one cluster (one block without a cluster) walks cluster tiles
 * first, first + step, ...; block r of it computes block tile
 * tg_hplan_tile(w, r) over the K tiles [k0, k1) of k_range (all of them,
 * but for K rank `krank` of a K split). The producers' and the consumers'
 * ring positions run on across the tiles. The producers load as far ahead
 * as the ring lets them, also into the next tile: up to K step g + STAGES
 * - 1 - MMA_LAG while the consumers read g (with MMA_LAG=1 they still hold
 * g - 1). The blocks go in step — each block's producer issues K step g,
 * then the next block's — one order the kernel may take: which order the
 * loads land in is the ring check's matter; what this check proves is
 * where they land, and that the stage each consumer reads holds exactly K
 * step g. A block whose tile lies past C's edge loads for the others and
 * stores nothing; with a K split the consumers store the partial tile
 * instead of C (kernel.cuh consume; verify_split.c). Block b of the
 * cluster is e->blk[krank + b]: a K split's cluster shares no loads (b =
 * 0) and its K rank krank is e->blk[krank]; without one krank = 0.
 */
void tg_emu_walk(emu *e, int64_t first, int64_t step, int krank)
{
    const tg_htile *t = e->t;
    const tg_hplan_ops *ops = e->ops;
    /* The kernel asks for its K tiles with or without a split (rank 0 without). */
    const tg_hkrange kr = ops->k_range(t, (int)e->k_tiles, krank);
    if (kr.k0 < 0 || kr.k0 > kr.k1 || kr.k1 > e->k_tiles) {
        tg_report_fail(e->r, CK_EXECUTION, "K rank %d walks K tiles [%d, %d): not a range inside the K tiles "
                       "[0, %lld)", krank, kr.k0, kr.k1, (long long)e->k_tiles);
        e->broken = 1;
        return;
    }
    tg_hring rp = ops->ring_start(), rc = ops->ring_start();
    int64_t loaded = 0, pw = first; /* producers: K steps issued; the tile they are in */
    int pkt = kr.k0;
    int32_t g = 0; /* consumers: K step */
    for (int b = 0; b < e->blocks; b++)
        emu_start(e, krank + b);
    for (int64_t w = first; w < e->tiles && !e->broken; w += step) {
        tg_htilepos x[EMU_MAX_BLOCKS];
        for (int b = 0; b < e->blocks; b++) {
            x[b] = ops->tile(t, w, e->grid_m, e->grid_n, b);
            emu_zero(e, krank + b);
        }
        for (int kt = kr.k0; kt < kr.k1 && !e->broken; kt++, g++) {
            const int64_t ahead = g + (t->stages - 1 - t->mma_lag > 0 ? t->stages - 1 - t->mma_lag : 0);
            while (loaded <= ahead && pw < e->tiles && !e->broken) {
                for (int b = 0; b < e->blocks && !e->broken; b++)
                    emu_load(e, krank, b, rp.stage, ops->tile(t, pw, e->grid_m, e->grid_n, b), pkt,
                             (int32_t)loaded);
                rp = ops->ring_next(t, rp);
                loaded++;
                if (++pkt == kr.k1) {
                    pkt = kr.k0;
                    pw += step;
                }
            }
            for (int b = 0; b < e->blocks && !e->broken; b++) {
                if (rc.stage >= 0 && rc.stage < t->stages)
                    emu_check_stage(e, krank + b, rc.stage, g);
                for (int c = 0; c < t->consumers && !e->broken; c++)
                    emu_mma(e, krank + b, rc.stage, c);
            }
            rc = ops->ring_next(t, rc);
        }
        for (int b = 0; b < e->blocks && !e->broken; b++) {
            if (e->blocks > 1 && (x[b].row >= e->grid_m || x[b].col >= e->grid_n)) {
                e->idle++;
                continue; /* past C's edge: it only loaded for the others */
            }
            for (int c = 0; c < t->consumers && !e->broken; c++)
                if (TG_H_SPLIT_SENDS(e->ranks))
                    tg_emu_send(e, krank, c);
                else if (e->ranks > 1)
                    tg_emu_store_partial(e, krank, c);
                else if (t->epilogue && !e->beta_call)
                    emu_epilogue_tma(e, b, x[b], c, &e->blk[b].chunk[c]);
                else
                    emu_epilogue(e, b, x[b], c);
        }
    }
}

/*
 * The whole grid: PERSISTENT=0 block (x, y) computes tile y·grid_m·grid_n +
 * x (x / SPLIT_K with a K split: verify_split.c); PERSISTENT=1 `clusters`
 * clusters (blocks, without a cluster) walk cluster tiles q, q + Q, ... (Q
 * of them; fewer if there are fewer tiles). K = 0 runs no kernel (the
 * library scales C instead), so nothing is emulated.
 */
static void emu_grid(emu *e, int64_t clusters)
{
    const tg_htile *t = e->t;
    e->grid_m = tg_hplan_grid_m(t, e->m);
    e->grid_n = tg_hplan_grid_n(t, e->n);
    e->k_tiles = tg_hplan_k_tiles(t, e->k);
    e->tiles = e->ops->tiles(t, e->grid_m, e->grid_n, e->batch);
    if (e->k_tiles == 0)
        return;
    const int64_t block_tiles = e->grid_m * e->grid_n * e->batch;
    if (e->tiles < 1 || e->tiles > block_tiles || e->tiles * e->blocks < block_tiles) {
        tg_report_fail(e->r, CK_EXECUTION, "%lldx%lldx%lld batch %lld: the plan counts %lld tiles for %lld "
                       "block tiles in clusters of %d", (long long)e->m, (long long)e->n, (long long)e->k,
                       (long long)e->batch, (long long)e->tiles, (long long)block_tiles, e->blocks);
        e->broken = 1;
        return;
    }
    if (!t->persistent) {
        for (int64_t w = 0; w < e->tiles && !e->broken; w++)
            if (!t->producer)
                emu_block_plain(e, w);
            else if (e->ranks > 1)
                tg_emu_split(e, w);
            else
                tg_emu_walk(e, w, e->tiles, 0);
        return;
    }
    const int64_t q = e->tiles < clusters ? e->tiles : clusters;
    for (int64_t c = 0; c < q && !e->broken; c++)
        tg_emu_walk(e, c, q, 0);
}

/* Buffers of an emulation; 0 when out of memory. */
static int emu_alloc(emu *e)
{
    const tg_htile *t = e->t;
    const int acc_n = t->block_n / 2;
    e->blocks = TG_H_CLUSTER(t->cluster_m, t->cluster_n);
    e->ranks = t->split_k;
    e->smem_end = RING + ring_bytes(t);
    e->recv_end = (uint32_t)TG_H_RECV_BYTES(t->block_m, t->block_n, t->split_k);
    e->ring_end = (uint32_t)t->stages * TG_H_STAGE_BYTES(t->block_m, t->block_n);
    const size_t slots = e->smem_end / 2, recv_slots = e->recv_end / 4, part_slots = e->ring_end / 4;
    const int blocks = e->blocks * e->ranks; /* the rules make one of the two 1 */
    int ok = blocks <= EMU_MAX_BLOCKS;
    for (int b = 0; b < blocks && ok; b++) {
        emu_block *blk = &e->blk[b];
        blk->smem = calloc(slots, sizeof(int16_t));
        blk->fill = malloc(sizeof(int32_t) * slots);
        blk->fills = calloc(slots, 1);
        blk->filler = calloc(slots, 1);
        blk->acc = malloc(sizeof(int64_t) * (size_t)(t->block_m / TG_H_WGMMA_M * 128 * acc_n));
        ok = blk->smem && blk->fill && blk->fills && blk->filler && blk->acc;
        if (e->ranks > 1 && !TG_H_SPLIT_SENDS(e->ranks)) {
            blk->part = malloc(sizeof(int64_t) * part_slots);
            blk->part_gen = calloc(part_slots, sizeof(uint32_t));
            blk->part_elem = malloc(sizeof(int32_t) * part_slots);
            ok = ok && blk->part && blk->part_gen && blk->part_elem;
        }
        if (TG_H_SPLIT_SENDS(e->ranks)) {
            blk->recv = malloc(sizeof(int64_t) * recv_slots);
            blk->recv_gen = calloc(recv_slots, sizeof(uint32_t));
            blk->recv_elem = malloc(sizeof(int32_t) * recv_slots);
            blk->recv_from = malloc(recv_slots);
            ok = ok && blk->recv && blk->recv_gen && blk->recv_elem && blk->recv_from;
        }
    }
    e->a_op = malloc(sizeof(int32_t) * TG_H_WGMMA_M * OP_K);
    e->b_op = malloc(sizeof(int32_t) * (size_t)t->block_n * OP_K);
    e->prod = malloc(sizeof(int32_t) * (size_t)(TG_H_WGMMA_M * t->block_n));
    e->hw = malloc(sizeof(tg_hrc) * (size_t)(128 * acc_n));
    e->staged = malloc(sizeof(int64_t) * (e->smem_end / 4));
    e->staged_gen = calloc(e->smem_end / 4, sizeof(uint32_t));
    if (!ok || !e->a_op || !e->b_op || !e->prod || !e->hw || !e->staged || !e->staged_gen)
        return 0;
    /* C packed (ldc = N, batch stride M·N), fp32, its pointer 16-byte aligned as cudaMalloc's. */
    e->tma_c = tg_hplan_c_takes_tma(0, e->n, e->n, e->batch, e->m * e->n, 4);
    for (int th = 0; th < 128; th++)
        for (int i = 0; i < acc_n; i++)
            e->hw[th * acc_n + i] = isa_frag(th / 32, th % 32, i);
    return 1;
}

static void emu_free(emu *e)
{
    for (int b = 0; b < EMU_MAX_BLOCKS; b++) {
        free(e->blk[b].smem);
        free(e->blk[b].fill);
        free(e->blk[b].fills);
        free(e->blk[b].filler);
        free(e->blk[b].acc);
        free(e->blk[b].part);
        free(e->blk[b].part_gen);
        free(e->blk[b].part_elem);
        free(e->blk[b].recv);
        free(e->blk[b].recv_gen);
        free(e->blk[b].recv_elem);
        free(e->blk[b].recv_from);
    }
    free(e->a_op);
    free(e->b_op);
    free(e->prod);
    free(e->hw);
    free(e->staged);
    free(e->staged_gen);
}

static int small_value(uint64_t *state)
{
    *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (int)(*state >> 60) - 8; /* -8 .. 7: exact in bf16, fp32 and double */
}

int64_t tg_hv_check_execution(const tg_htile *t, const tg_hplan_ops *ops, int64_t m, int64_t n,
                              int64_t k, int64_t batch, int beta_call, uint64_t seed, report *r)
{
    emu e = {.t = t, .ops = ops, .r = r, .m = m, .n = n, .k = k, .batch = batch, .beta_call = beta_call};
    const size_t cn = (size_t)(batch * m * n);
    int8_t *a = malloc((size_t)(batch * m * k)), *b = malloc((size_t)(batch * n * k));
    e.c = calloc(cn, sizeof(int64_t));
    e.writes = calloc(cn, sizeof(int));
    if (!a || !b || !e.c || !e.writes || !emu_alloc(&e)) {
        tg_report_fail(r, CK_EXECUTION, "out of memory");
        goto done;
    }
    for (int64_t x = 0; x < batch * m * k; x++)
        a[x] = (int8_t)small_value(&seed);
    for (int64_t x = 0; x < batch * n * k; x++)
        b[x] = (int8_t)small_value(&seed);
    e.a = a;
    e.b = b;
    emu_grid(&e, TG_HV_CLUSTERS);
    if (e.broken)
        goto done;
    for (int64_t bi = 0; bi < batch; bi++)
        for (int64_t i = 0; i < m; i++)
            for (int64_t j = 0; j < n; j++) {
                const int64_t at = t->swap_ab ? (bi * n + j) * m + i : (bi * m + i) * n + j;
                const int8_t *ar = a + (bi * m + i) * k, *br = b + (bi * n + j) * k;
                int32_t want = 0; /* |sum| <= 64·K: exact */
                for (int64_t x = 0; x < k; x++)
                    want += ar[x] * br[x];
                if (e.writes[at] != 1)
                    tg_report_fail(r, CK_EXECUTION, "%lldx%lldx%lld batch %lld: C[%lld](%lld,%lld) written %d "
                                   "times", (long long)m, (long long)n, (long long)k, (long long)batch,
                                   (long long)bi, (long long)i, (long long)j, e.writes[at]);
                else if (e.c[at] != (int64_t)want)
                    tg_report_fail(r, CK_EXECUTION, "%lldx%lldx%lld batch %lld: C[%lld](%lld,%lld) = %lld, "
                                   "expected %lld", (long long)m, (long long)n, (long long)k, (long long)batch,
                                   (long long)bi, (long long)i, (long long)j, (long long)e.c[at],
                                   (long long)want);
            }
done:
    emu_free(&e);
    free(a);
    free(b);
    free(e.c);
    free(e.writes);
    return e.idle;
}

/* ------------------------------------------------------------------------
 * Entry point
 * ---------------------------------------------------------------------- */

tg_status tg_hopper_emulate(const int *params, int64_t m, int64_t n, int64_t k, int64_t batch,
                            const int8_t *a, const int8_t *b, float *c, int sms)
{
    if (!params || m < 0 || n < 0 || k < 0 || batch < 0 || (m * n * batch > 0 && !c) ||
        (m * n * k * batch > 0 && (!a || !b)))
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "tg_hopper_emulate: bad sizes or NULL buffers");
    TG_TRY(tg_params_check(TG_FAMILY_HOPPER, params, TG_HOPPER_NPARAMS));
    const tg_htile t = tg_htile_from_params(params);
    if (t.persistent && sms < 1)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "tg_hopper_emulate: a persistent kernel needs sms >= 1");
    /* family.c prepare: a persistent grid of clusters as many as fit (at most one block per SM) */
    const int cluster = TG_H_CLUSTER(t.cluster_m, t.cluster_n);
    const int clusters = sms / cluster > 0 ? sms / cluster : 1;
    if (m == 0 || n == 0 || batch == 0 || k == 0)
        return TG_SUCCESS; /* no kernel runs (K = 0: the library writes beta·C itself) */
    int amax = 0, bmax = 0;
    for (int64_t i = 0; i < batch * m * k; i++)
        amax = abs(a[i]) > amax ? abs(a[i]) : amax;
    for (int64_t i = 0; i < batch * n * k; i++)
        bmax = abs(b[i]) > bmax ? abs(b[i]) : bmax;
    if ((double)k * amax * bmax >= (double)(1 << 24))
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "tg_hopper_emulate: K·max|a|·max|b| = %.0f: partial "
                       "sums may not be exact in fp32 (must stay below 2^24)", (double)k * amax * bmax);
    char text[512];
    report r = tg_hv_report(text, sizeof text);
    /* SWAP_AB: the kernel computes Cᵀ = B·Aᵀ (family.c kernel_view) and stores it transposed. */
    emu e = {.t = &t, .ops = &tg_hplan_real_ops, .r = &r, .m = t.swap_ab ? n : m, .n = t.swap_ab ? m : n,
             .k = k, .batch = batch, .a = t.swap_ab ? b : a, .b = t.swap_ab ? a : b, .cf = c};
    tg_status s = TG_SUCCESS;
    if (!emu_alloc(&e))
        s = TG_FAIL(TG_ERR_INVALID_ARGUMENT, "tg_hopper_emulate: out of memory for the emulation");
    else {
        emu_grid(&e, clusters);
        if (r.failures)
            s = TG_FAIL(TG_ERR_INVALID_CONFIG, "tg_hopper_emulate: the plan broke the emulation: %s",
                        text);
    }
    emu_free(&e);
    return s;
}
