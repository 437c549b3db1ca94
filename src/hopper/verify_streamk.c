/*
 * verify_streamk.c — the plan verifier's stream-K check (STREAM_K=1): on a
 * table of grids (tiles, K tiles, blocks: the shapes measured, edges, and
 * pseudo-random ones), the plan's split of the last tiles into segments
 * (plan.h tg_hplan_sk_tiles, tg_hplan_sk_units, tg_hplan_sk_unit), run as
 * the kernel runs it, must
 *   - leave the tiles before the shared ones whole, each walked by exactly
 *     one block (tg_hplan_dp_units: block b's b, b + G, ...);
 *   - share fewer tiles than blocks: with more tiles than blocks some of
 *     the last round's, with fewer all of them where the grid is the
 *     few-tiles grid, S = tg_hplan_sk_split blocks a tile, else
 *     none; give every block between 1 and TG_H_SK_MAX_UNITS segments (the
 *     kernel's list), each at least one K tile, inside the shared tiles;
 *   - walk every K tile of the shared tiles exactly once, and store each of
 *     their C tiles exactly once (a WHOLE or a FINAL segment);
 *   - name each segment's kind by where it ends: PARTIAL before the tile's
 *     last K tile, FINAL at it after a start past its first, else WHOLE;
 *   - publish before waiting: a block's PARTIAL is its first segment, its
 *     FINAL its last;
 *   - have each FINAL wait on exactly the blocks before it whose PARTIALs
 *     cover its tile's K tiles before its own, in K order, each a block's
 *     first segment: a waited-on block waits on nothing before it
 *     publishes, so the waits have no cycle and end (the grid is resident
 *     at once: a persistent grid, one block an SM).
 */
#include <stdio.h>
#include <stdlib.h>

#include "hopper/verify_check.h"

enum { SK_RANDOM_GRIDS = 160 };

/* One grid; 1 if it shared tiles (checked), 0 if not. */
static int check_grid(const tg_hplan_ops *ops, int64_t tiles, int64_t kt, int64_t blocks, report *r)
{
    const int64_t sk = ops->sk_tiles(tiles, kt, blocks);
    char grid[96];
    snprintf(grid, sizeof grid, "%lld tiles of %lld K tiles on %lld blocks", (long long)tiles,
             (long long)kt, (long long)blocks);
    /* Few tiles: all of them on the grid the kernel is launched with for them, none on another. */
    const int few = tiles < blocks && blocks == tiles * tg_hplan_sk_split(tiles, kt, blocks);
    if (sk < 0 || sk >= blocks || sk > tiles || (tiles == blocks && sk != 0) ||
        (tiles < blocks && sk != (few ? tiles : 0))) {
        tg_report_fail(r, CK_STREAM_K, "%s: %lld tiles shared along K (fewer than the blocks; all where "
                       "the grid is the few-tiles grid, S blocks a tile, none where the tiles fit one "
                       "round of another)", grid, (long long)sk);
        return 0;
    }
    if (sk == 0)
        return 0;
    const int64_t iters = sk * kt, first = tiles - sk;
    unsigned char *walked = calloc((size_t)iters, 1), *stored = calloc((size_t)sk, 1);
    if (!walked || !stored) {
        tg_report_fail(r, CK_STREAM_K, "%s: out of memory", grid);
        free(walked);
        free(stored);
        return 0;
    }
    int bad = 0;
    /* The whole tiles: block b walks b, b + G, ... (dp_units of them), every one below the
     * shared tiles, each tile there once. */
    unsigned char *whole = calloc((size_t)(first > 0 ? first : 1), 1);
    if (!whole) {
        tg_report_fail(r, CK_STREAM_K, "%s: out of memory", grid);
        bad = 1;
    }
    for (int64_t b = 0; b < blocks && !bad; b++) {
        const int64_t nd = ops->dp_units(tiles, sk, blocks, b);
        for (int64_t i = 0; i < nd && !bad; i++) {
            const int64_t w = b + i * blocks;
            if (w >= first) {
                tg_report_fail(r, CK_STREAM_K, "%s: block %lld walks tile %lld whole, one of the %lld shared "
                               "along K (its %lld whole tiles)", grid, (long long)b, (long long)w,
                               (long long)sk, (long long)nd);
                bad = 1;
            } else
                whole[w]++;
        }
    }
    for (int64_t w = 0; w < first && !bad; w++)
        if (whole[w] != 1) {
            tg_report_fail(r, CK_STREAM_K, "%s: whole tile %lld walked %d times", grid, (long long)w, whole[w]);
            bad = 1;
        }
    free(whole);
    for (int64_t b = 0; b < blocks && !bad; b++) {
        const int n = ops->sk_units(kt, blocks, sk, b);
        if (n < 1 || n > TG_H_SK_MAX_UNITS) {
            tg_report_fail(r, CK_STREAM_K, "%s: block %lld has %d segments (1..%d: the kernel's list)", grid,
                           (long long)b, n, TG_H_SK_MAX_UNITS);
            bad = 1;
            break;
        }
        for (int j = 0; j < n && !bad; j++) {
            const tg_hunit u = ops->sk_unit(tiles, kt, blocks, sk, b, j);
            const int64_t s = u.w - first;
            const int want = u.k1 < kt ? TG_HU_PARTIAL : u.k0 > 0 ? TG_HU_FINAL : TG_HU_WHOLE;
            if (s < 0 || s >= sk || u.k0 < 0 || u.k1 <= u.k0 || u.k1 > kt || u.kind != want) {
                tg_report_fail(r, CK_STREAM_K, "%s: block %lld segment %d: tile %lld K tiles [%d, %d) kind %d "
                               "(a shared tile, at least one K tile, kind %d by where it ends)", grid,
                               (long long)b, j, (long long)u.w, u.k0, u.k1, u.kind, want);
                bad = 1;
                break;
            }
            if ((u.kind == TG_HU_PARTIAL && j != 0) || (u.kind == TG_HU_FINAL && j != n - 1)) {
                tg_report_fail(r, CK_STREAM_K, "%s: block %lld walks its %s as segment %d of %d (it must "
                               "publish first and wait last)", grid, (long long)b,
                               u.kind == TG_HU_PARTIAL ? "PARTIAL" : "FINAL", j, n);
                bad = 1;
                break;
            }
            for (int k = u.k0; k < u.k1; k++)
                walked[s * kt + k]++;
            if (u.kind != TG_HU_PARTIAL)
                stored[s]++;
            if (u.kind != TG_HU_FINAL)
                continue;
            /* The blocks it waits on: from .. b-1, each one's first segment a PARTIAL of this
             * tile, in K order from K tile 0 up to this segment's start. */
            int next = 0;
            for (int64_t q = u.from; q < b && !bad; q++) {
                const tg_hunit v = ops->sk_unit(tiles, kt, blocks, sk, q, 0);
                if (q < 0 || v.kind != TG_HU_PARTIAL || v.w != u.w || v.k0 != next) {
                    tg_report_fail(r, CK_STREAM_K, "%s: block %lld's FINAL of tile %lld waits on block %lld, "
                                   "whose first segment is tile %lld K tiles [%d, %d) kind %d (the PARTIAL "
                                   "from K tile %d expected)", grid, (long long)b, (long long)u.w,
                                   (long long)q, (long long)v.w, v.k0, v.k1, v.kind, next);
                    bad = 1;
                }
                next = v.k1;
            }
            if (!bad && (u.from >= b || next != u.k0)) {
                tg_report_fail(r, CK_STREAM_K, "%s: block %lld's FINAL of tile %lld starts at K tile %d; the "
                               "partials it waits on (blocks %d..%lld) end at %d", grid, (long long)b,
                               (long long)u.w, u.k0, u.from, (long long)b - 1, next);
                bad = 1;
            }
        }
    }
    for (int64_t i = 0; i < iters && !bad; i++)
        if (walked[i] != 1) {
            tg_report_fail(r, CK_STREAM_K, "%s: K tile %lld of shared tile %lld walked %d times", grid,
                           (long long)(i % kt), (long long)(first + i / kt), walked[i]);
            bad = 1;
        }
    for (int64_t s = 0; s < sk && !bad; s++)
        if (stored[s] != 1) {
            tg_report_fail(r, CK_STREAM_K, "%s: shared tile %lld stored %d times", grid, (long long)(first + s),
                           stored[s]);
            bad = 1;
        }
    free(walked);
    free(stored);
    return 1;
}

int tg_hv_check_stream_k(const tg_hplan_ops *ops, report *r)
{
    /* (tiles, K tiles, blocks): 4096^3 and 8192^3-like rounds, few and many blocks per tile
     * (2304^2 x 2048 on 256x128: up to 7), one K tile per block's share, smaller grids. */
    static const int64_t table[][3] = {
        {512, 64, 132},  {2048, 448, 132}, {3072, 64, 132}, {162, 32, 132}, {288, 48, 132},
        {561, 65, 132},  {3584, 128, 132}, {133, 600, 132}, {263, 4, 132},  {1000, 7, 64},
        {200, 16, 114},  {7, 3, 2},        {131, 5, 132},   {264, 64, 132},
    };
    /* Few tiles (tiles, K tiles, SMs), run on the few-tiles grid: 128 x 4096 x 11008 and
     * 1024^2 x 8192 on 128x128 (S = 4, 2), a ragged K (47 K tiles over 4), S lowered by a short K
     * (16 K tiles: 4, 8: 2), 33 tiles on 132 (S = 4), one tile, 2 on 7 SMs (S = 3). */
    static const int64_t few[][3] = {
        {32, 172, 132}, {64, 128, 132}, {15, 47, 132}, {16, 16, 132}, {16, 8, 132}, {33, 16, 132},
        {1, 64, 132},   {2, 12, 7},
    };
    int grids = 0;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        grids += check_grid(ops, table[i][0], table[i][1], table[i][2], r);
    for (size_t i = 0; i < sizeof few / sizeof few[0]; i++) {
        const int64_t blocks = few[i][0] * tg_hplan_sk_split(few[i][0], few[i][1], few[i][2]);
        if (blocks > few[i][0])
            grids += check_grid(ops, few[i][0], few[i][1], blocks, r);
        else
            tg_report_fail(r, CK_STREAM_K, "%lld tiles of %lld K tiles on %lld SMs: a few-tiles grid of "
                           "%lld blocks (S blocks a tile, S >= 2, expected)", (long long)few[i][0],
                           (long long)few[i][1], (long long)few[i][2], (long long)blocks);
    }
    uint64_t x = 0x9E3779B97F4A7C15ull; /* a fixed sequence: the same grids every run */
    for (int i = 0; i < SK_RANDOM_GRIDS && r->per[CK_STREAM_K] == 0; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        const int64_t blocks = 2 + (int64_t)(x % 159);
        const int64_t tiles = blocks + 1 + (int64_t)((x >> 16) % (uint64_t)(8 * blocks));
        const int64_t kt = 1 + (int64_t)((x >> 40) % 700);
        grids += check_grid(ops, tiles, kt, blocks, r);
        /* and a few-tiles grid: 1..66 tiles, S blocks a tile (1: none shared) */
        const int64_t t2 = 1 + (int64_t)((x >> 24) % 66), fit = 2 + (int64_t)((x >> 32) % 159);
        grids += check_grid(ops, t2, kt, t2 * tg_hplan_sk_split(t2, kt, fit), r);
    }
    return grids;
}
