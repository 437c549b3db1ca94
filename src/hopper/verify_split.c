/*
 * verify_split.c — the hopper verifier's emulation of a K split inside a
 * cluster (SPLIT_K > 1), for the execution check and tg_hopper_emulate
 * (verify_exec.c): the tile's K ranks, each walked by verify_exec.c's
 * tg_emu_walk as a block of its own (shared memory, ring) over its K
 * tiles; with SPLIT_K = 2 they send the pieces of their partial tiles that
 * the other rank owns into its receive buffer, and each rank, its buffer
 * full, adds the two partials of the pieces it owns and stores them; with
 * SPLIT_K > 2 they store their partial tiles into their rings, then — the
 * cluster sync — each rank sums its rows over all the partials and stores
 * them.
 * What the check claims: verify.c's opening comment.
 */
#include <stdio.h>

#include "hopper/verify_exec.h"

/*
 * What is wrong with an access of `bytes` bytes at offset `at` of a region
 * of `end` bytes (`region`: "the stages'", "the receive buffer's"), or
 * NULL: it must lie inside the region and be aligned to its size (both
 * regions start a whole number of 1024-byte atoms from the ring's 1024-byte
 * aligned base: the layout check; so the offset's alignment is the
 * address's).
 */
static const char *emu_access_bad(uint32_t at, uint32_t bytes, uint32_t end, const char *region,
                                  char why[64])
{
    if (at >= end || end - at < bytes)
        snprintf(why, 64, "outside %s %u bytes", region, end);
    else if (at % bytes)
        snprintf(why, 64, "not %u-byte aligned", bytes);
    else
        return NULL;
    return why;
}
static const char *emu_part_bad(const emu *e, uint32_t at, uint32_t bytes, char why[64])
{
    return emu_access_bad(at, bytes, e->ring_end, "the stages'", why);
}
static const char *emu_recv_bad(const emu *e, uint32_t at, char why[64])
{
    return emu_access_bad(at, 16, e->recv_end, "the receive buffer's", why);
}

/*
 * SPLIT_K > 2 (kernel.cuh store_partial): consumer c of K rank kb puts
 * each register pair of its accumulators — elements (row, col) and (row,
 * col + 1) of the tile, row = c·BLOCK_M/CONSUMERS + 64·mp + the fragment's
 * row — as one 8-byte store at the plan's part_addr(row, col) from its own
 * ring's base. The partial tile takes over the stages; nothing else lives
 * there (the mbarriers are static shared memory), so each store must lie
 * inside the STAGES·STAGE_BYTES of the stages, 8-byte aligned, and no two
 * elements may share a slot.
 */
void tg_emu_store_partial(emu *e, int kb, int c)
{
    const tg_htile *t = e->t;
    emu_block *blk = &e->blk[kb];
    const int pieces = TG_H_M_PIECES(t->block_m, t->consumers), acc_n = t->block_n / 2;
    for (int mp = 0; mp < pieces; mp++)
        for (int th = 0; th < 128; th++) {
            const int64_t *acc = acc_at(e, kb, c, mp, th);
            for (int i = 0; i < acc_n; i += 2) {
                const tg_hrc f = e->ops->frag(th / 32, th % 32, i);
                const int row = c * (t->block_m / t->consumers) + mp * TG_H_WGMMA_M + f.row;
                const uint32_t at = e->ops->part_addr(t, row, f.col);
                char why[64];
                if (emu_part_bad(e, at, 8, why)) {
                    tg_report_fail(e->r, CK_EXECUTION, "K rank %d, consumer %d, thread %d: the 8-byte store of "
                                   "partial elements (%d,%d), (%d,%d) goes to ring offset %u: %s", kb, c, th, row,
                                   f.col, row, f.col + 1, at, why);
                    e->broken = 1;
                    return;
                }
                for (int j = 0; j < 2; j++) {
                    const uint32_t slot = at / 4 + (uint32_t)j;
                    if (blk->part_gen[slot] == e->gen) {
                        const int32_t old = blk->part_elem[slot];
                        tg_report_fail(e->r, CK_EXECUTION, "K rank %d, consumer %d, thread %d: partial element "
                                       "(%d,%d) goes to ring offset %u, where (%d,%d) went", kb, c, th, row,
                                       f.col + j, 4 * slot, old / t->block_n, old % t->block_n);
                        e->broken = 1;
                        return;
                    }
                    blk->part[slot] = acc[i + j];
                    blk->part_gen[slot] = e->gen;
                    blk->part_elem[slot] = row * t->block_n + f.col + j;
                }
            }
        }
}

/*
 * K rank r's sum of elements (row, col .. col + 3) of tile x (kernel.cuh
 * reduce_): one 16-byte load at part_addr(row, col) from each rank q's
 * partial tile, q = 0 first, through distributed shared memory (exact
 * integers: the order shows in fp32 only), and the elements inside C
 * stored. The load must lie inside the stages, 16-byte aligned, and each
 * of its 4 slots hold (row, col + j), written for this tile by rank q's
 * consumers.
 */
static void emu_reduce4(emu *e, tg_htilepos x, int r, int row, int col)
{
    const tg_htile *t = e->t;
    const uint32_t at = e->ops->part_addr(t, row, col);
    char why[64];
    if (emu_part_bad(e, at, 16, why)) {
        tg_report_fail(e->r, CK_EXECUTION, "K rank %d: the 16-byte load of partial elements (%d,%d..%d) reads "
                       "ring offset %u: %s", r, row, col, col + 3, at, why);
        e->broken = 1;
        return;
    }
    int64_t sum[4] = {0};
    for (int q = 0; q < e->ranks; q++)
        for (int j = 0; j < 4; j++) {
            const emu_block *blk = &e->blk[q];
            const uint32_t slot = at / 4 + (uint32_t)j;
            const int32_t elem = blk->part_elem[slot];
            if (blk->part_gen[slot] != e->gen || elem != row * t->block_n + col + j) {
                char held[64] = "which its consumers did not write for this tile";
                if (blk->part_gen[slot] == e->gen)
                    snprintf(held, sizeof held, "where its consumers put (%d,%d)", elem / t->block_n,
                             elem % t->block_n);
                tg_report_fail(e->r, CK_EXECUTION, "K rank %d reads partial element (%d,%d) of K rank %d at "
                               "ring offset %u, %s", r, row, col + j, q, 4 * slot, held);
                e->broken = 1;
                return;
            }
            sum[j] += blk->part[slot];
        }
    const int64_t grow = x.row * t->block_m + row;
    for (int j = 0; j < 4; j++) {
        const int64_t gcol = x.col * t->block_n + col + j;
        if (grow < e->m && gcol < e->n)
            tg_emu_put(e, x.batch, grow, gcol, sum[j]);
    }
}

/*
 * SPLIT_K > 2, after the cluster sync (kernel.cuh reduce_): K rank r sums
 * rows reduce_rows(r) of tile x over every rank's partial, 4 columns at a
 * time, and stores them. Every row of the tile must be summed by exactly
 * one rank, rows past C's edge too (a plan that misses a row here misses
 * it in every tile).
 */
static void emu_reduce(emu *e, tg_htilepos x)
{
    const tg_htile *t = e->t;
    int by[256] = {0}; /* per row of the tile (BLOCK_M <= 256): the rank summing it, + 1 */
    for (int r = 0; r < e->ranks; r++) {
        const tg_hkrange rows = e->ops->reduce_rows(t, r);
        if (rows.k0 < 0 || rows.k0 > rows.k1 || rows.k1 > t->block_m) {
            tg_report_fail(e->r, CK_EXECUTION, "K rank %d sums rows [%d, %d): not a range inside the tile's "
                           "%d rows", r, rows.k0, rows.k1, t->block_m);
            e->broken = 1;
            return;
        }
        for (int row = rows.k0; row < rows.k1; row++) {
            if (by[row]) {
                tg_report_fail(e->r, CK_EXECUTION, "row %d of the tile is summed by K ranks %d and %d", row,
                               by[row] - 1, r);
                e->broken = 1;
                return;
            }
            by[row] = r + 1;
            for (int col = 0; col < t->block_n && !e->broken; col += 4)
                emu_reduce4(e, x, r, row, col);
            if (e->broken)
                return;
        }
    }
    for (int row = 0; row < t->block_m; row++)
        if (!by[row]) {
            tg_report_fail(e->r, CK_EXECUTION, "row %d of the tile is summed by no K rank", row);
            e->broken = 1;
            return;
        }
}

/*
 * The owner of the 16-row piece from tile row `row`, or -1 after saying
 * what is wrong: a K rank whose rows [o·R, (o+1)·R), R = BLOCK_M/SPLIT_K,
 * hold the whole piece (the kernel's receive barrier counts R rows a rank).
 */
static int emu_owner(emu *e, int row)
{
    const tg_htile *t = e->t;
    const int o = e->ops->owner(t, row), rows = t->block_m / t->split_k;
    if (o < 0 || o >= e->ranks || row < o * rows || row + 16 > (o + 1) * rows) {
        tg_report_fail(e->r, CK_EXECUTION, "the 16-row piece from tile row %d goes to K rank %d, whose rows "
                       "are not [%d, %d) (%d ranks of %d rows)", row, o, o * rows, (o + 1) * rows, e->ranks,
                       rows);
        e->broken = 1;
        return -1;
    }
    return o;
}

/*
 * SPLIT_K = 2 (kernel.cuh exchange_): consumer c of K rank kb, its
 * wgmmas done, sends each 16-row piece (m64 piece mp, warp w: tile rows
 * c·BLOCK_M/CONSUMERS + 64·mp + 16·w ..) that another rank owns: every
 * lane's float4 q (registers 4q..4q+3) as one 16-byte st.async at
 * recv_addr in the owner's receive buffer, each slot written once for the
 * tile; the owner's byte count goes up by 16. The pieces kb owns stay in
 * its registers.
 */
void tg_emu_send(emu *e, int kb, int c)
{
    const tg_htile *t = e->t;
    const int pieces = TG_H_M_PIECES(t->block_m, t->consumers), acc_n = t->block_n / 2;
    for (int mp = 0; mp < pieces; mp++)
        for (int w = 0; w < 4; w++) {
            const int row = c * (t->block_m / t->consumers) + mp * TG_H_WGMMA_M + 16 * w;
            const int o = emu_owner(e, row);
            if (o < 0)
                return;
            if (o == kb)
                continue;
            emu_block *to = &e->blk[o];
            for (int lane = 0; lane < 32; lane++) {
                const int64_t *acc = acc_at(e, kb, c, mp, 32 * w + lane);
                for (int q = 0; q < acc_n / 4; q++) {
                    const uint32_t at = e->ops->recv_addr(t, kb, o, row, q, lane);
                    char why[64];
                    if (emu_recv_bad(e, at, why)) {
                        tg_report_fail(e->r, CK_EXECUTION, "K rank %d, consumer %d, warp %d, lane %d: the 16-byte "
                                       "send of registers %d-%d to K rank %d goes to receive offset %u: %s", kb,
                                       c, w, lane, 4 * q, 4 * q + 3, o, at, why);
                        e->broken = 1;
                        return;
                    }
                    for (int j = 0; j < 4; j++) {
                        const tg_hrc f = e->ops->frag(w, lane, 4 * q + j);
                        const int32_t elem = (int32_t)((row - 16 * w + f.row) * t->block_n + f.col);
                        const uint32_t slot = at / 4 + (uint32_t)j;
                        if (to->recv_gen[slot] == e->gen) {
                            const int32_t old = to->recv_elem[slot];
                            tg_report_fail(e->r, CK_EXECUTION, "K rank %d sends partial element (%d,%d) to "
                                           "K rank %d's receive offset %u, where K rank %d's (%d,%d) went", kb,
                                           elem / t->block_n, elem % t->block_n, o, 4 * slot,
                                           to->recv_from[slot], old / t->block_n, old % t->block_n);
                            e->broken = 1;
                            return;
                        }
                        to->recv[slot] = acc[4 * q + j];
                        to->recv_gen[slot] = e->gen;
                        to->recv_elem[slot] = elem;
                        to->recv_from[slot] = (int8_t)kb;
                    }
                    to->recv_got += 16;
                }
            }
        }
}

/*
 * SPLIT_K = 2, K rank o once its receive barrier completed: it must have
 * received exactly the bytes the barrier expects (TG_H_RECV_BYTES: fewer,
 * and the kernel waits for ever; more, and it reads before they land).
 * Each piece it owns (every consumer's, every warp's), element by element:
 * the ranks' partials added rank 0 first — its own registers for itself,
 * the others' 16-byte loads at recv_addr, each slot written for this tile
 * by that rank with this element — and stored inside C.
 */
static void emu_receive(emu *e, tg_htilepos x, int o)
{
    const tg_htile *t = e->t;
    const emu_block *blk = &e->blk[o];
    if (blk->recv_got != (int64_t)e->recv_end) {
        tg_report_fail(e->r, CK_EXECUTION, "K rank %d's receive barrier waits for %u bytes, the other ranks "
                       "send it %lld", o, e->recv_end, (long long)blk->recv_got);
        e->broken = 1;
        return;
    }
    const int pieces = TG_H_M_PIECES(t->block_m, t->consumers), acc_n = t->block_n / 2;
    for (int c = 0; c < t->consumers; c++)
        for (int mp = 0; mp < pieces; mp++)
            for (int w = 0; w < 4; w++) {
                const int row = c * (t->block_m / t->consumers) + mp * TG_H_WGMMA_M + 16 * w;
                if (e->ops->owner(t, row) != o)
                    continue;
                for (int lane = 0; lane < 32; lane++)
                    for (int q = 0; q < acc_n / 4; q++)
                        for (int j = 0; j < 4; j++) {
                            const tg_hrc f = e->ops->frag(w, lane, 4 * q + j);
                            const int trow = row - 16 * w + f.row;
                            const int32_t elem = (int32_t)(trow * t->block_n + f.col);
                            int64_t sum = 0;
                            for (int r = 0; r < e->ranks; r++) {
                                if (r == o) {
                                    sum += acc_at(e, o, c, mp, 32 * w + lane)[4 * q + j];
                                    continue;
                                }
                                const uint32_t at = e->ops->recv_addr(t, r, o, row, q, lane);
                                char why[64];
                                if (emu_recv_bad(e, at, why)) {
                                    tg_report_fail(e->r, CK_EXECUTION, "K rank %d's 16-byte load of K rank %d's "
                                                   "partial elements reads receive offset %u: %s", o, r, at, why);
                                    e->broken = 1;
                                    return;
                                }
                                const uint32_t slot = at / 4 + (uint32_t)j;
                                if (blk->recv_gen[slot] != e->gen || blk->recv_elem[slot] != elem ||
                                    blk->recv_from[slot] != r) {
                                    char held[80] = "which no rank sent for this tile";
                                    if (blk->recv_gen[slot] == e->gen)
                                        snprintf(held, sizeof held, "where K rank %d sent (%d,%d)",
                                                 blk->recv_from[slot], blk->recv_elem[slot] / t->block_n,
                                                 blk->recv_elem[slot] % t->block_n);
                                    tg_report_fail(e->r, CK_EXECUTION, "K rank %d reads partial element (%d,%d) of "
                                                   "K rank %d at receive offset %u, %s", o, trow, f.col, r,
                                                   4 * slot, held);
                                    e->broken = 1;
                                    return;
                                }
                                sum += blk->recv[slot];
                            }
                            const int64_t grow = x.row * t->block_m + trow, gcol = x.col * t->block_n + f.col;
                            if (grow < e->m && gcol < e->n)
                                tg_emu_put(e, x.batch, grow, gcol, sum);
                        }
            }
}

/*
 * SPLIT_K > 1 (PERSISTENT=0): the cluster of SPLIT_K blocks on tile w.
 * Each K rank walks its K tiles through its own ring and sends the pieces
 * the other owns (tg_emu_walk, tg_emu_send), then each rank adds and
 * stores the pieces it owns (emu_receive); SPLIT_K > 2: each stores its
 * partial tile (tg_emu_store_partial), the cluster syncs, and each rank
 * sums its rows over the partials (emu_reduce). The ranks' K ranges must cover every
 * K tile once (a rank may get none): said here, before C's values would
 * show it.
 */
void tg_emu_split(emu *e, int64_t w)
{
    const tg_htile *t = e->t;
    tg_hkrange kr[EMU_MAX_BLOCKS];
    char ranges[160];
    tg_text list = tg_text_init(ranges, sizeof ranges);
    for (int r = 0; r < e->ranks; r++) {
        kr[r] = e->ops->k_range(t, (int)e->k_tiles, r);
        tg_text_add(&list, "%s[%d, %d)", r ? ", " : "", kr[r].k0, kr[r].k1);
    }
    for (int kt = 0; kt < e->k_tiles; kt++) {
        int walks = 0;
        for (int r = 0; r < e->ranks; r++)
            walks += kt >= kr[r].k0 && kt < kr[r].k1;
        if (walks != 1) {
            tg_report_fail(e->r, CK_EXECUTION, "%lld K tiles: K tile %d is walked by %d K ranks (their ranges "
                           "%s)", (long long)e->k_tiles, kt, walks, ranges);
            e->broken = 1;
            return;
        }
    }
    e->gen++; /* this tile's sends; slots stamped earlier hold nothing of it */
    for (int r = 0; r < e->ranks; r++)
        e->blk[r].recv_got = 0;
    for (int r = 0; r < e->ranks && !e->broken; r++)
        tg_emu_walk(e, w, e->tiles, r);
    const tg_htilepos x = e->ops->tile(t, w, e->grid_m, e->grid_n, 0);
    if (!TG_H_SPLIT_SENDS(e->ranks)) {
        if (!e->broken)
            emu_reduce(e, x);
        return;
    }
    for (int o = 0; o < e->ranks && !e->broken; o++)
        emu_receive(e, x, o);
}
