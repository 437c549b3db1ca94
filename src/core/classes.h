/*
 * classes.h — the shape classes the dispatcher's table names (rules.c, its
 * only includer): a predicate on the arguments for each, with the reasoning
 * and measurement behind its bounds. Static: they exist for that table.
 */
#ifndef TG_CORE_CLASSES_H
#define TG_CORE_CLASSES_H

#include "core/core.h"

static int any_shape(const tg_gemm_args *g) { return 1; }

/*
 * M and N both at least 4096: the classes the hopper kernels were measured
 * on; "few tiles" is at most 8192 x 4096 outputs (2^25), where the grid is
 * a few waves of 132 SMs and the L2 traffic per wave decides.
 */
static int large_mn(const tg_gemm_args *g) { return g->m >= 4096 && g->n >= 4096; }
static int large_mn_few_tiles(const tg_gemm_args *g)
{
    return large_mn(g) && g->m <= ((int64_t)1 << 25) / g->n;
}

/*
 * M and N at least 4096 with a long K: 256x192 tiles with stream-K
 * (tma_store_256x192_sk: the tiles of the last, partly filled round shared
 * along K by every block) where the caller gives the workspace, from K >=
 * 16384 on any output of the class (8192 x 8192 x 28672 and 4096 x 8192 x
 * 28672 measured, bench/RESULTS.md entry 42), from K >= 8192 past the
 * few-tiles class (8192^3, 4096 and 8192 x 28672 x 8192). On 128x256 tiles
 * stream-K had ranged from 1.3 % ahead (8192^3) to 9 % behind (2304^2 x
 * 2048, entry 34); on the few-tiles shapes with K = 11008 the 256x192
 * stream-K tile ran 2 % behind 128x256 (entry 42), so not there.
 */
static int large_mn_long_k(const tg_gemm_args *g) { return large_mn(g) && g->k >= 16384; }
static int large_mn_k8192(const tg_gemm_args *g) { return large_mn(g) && g->k >= 8192; }

/*
 * Smaller outputs, by M*N: from 2048^2 on 128x256 tiles still fill the SMs;
 * below, 128x128 cluster tiles (more blocks); below 768^2, 64x64
 * with a deep ring (the split-K rule above takes those with a long K).
 */
/* M·N >= x, without forming M·N (a call with nothing to do may pass any M with N = 0). */
static int mn_at_least(const tg_gemm_args *g, int64_t x)
{
    return g->n > 0 && g->m >= x / g->n + (x % g->n != 0);
}
static int mid_mn(const tg_gemm_args *g) { return mn_at_least(g, (int64_t)2048 * 2048); }
static int small_mn(const tg_gemm_args *g) { return mn_at_least(g, (int64_t)768 * 768); }
/*
 * From 2048^2 outputs on, 128x192 tiles instead of 128x256 where they leave
 * the last wave of a persistent grid fuller: the time is about the waves of
 * 132 SMs times a tile's work, and a 128x192 tile's work is 3/4 of a
 * 128x256 one's plus about 3 % (its stage carries more bytes per flop).
 * That arithmetic picked right on every shape measured (bench/RESULTS.md
 * entry 31): 3072^3 has 288 tiles of 128x256 (3 waves, the last 18 % full)
 * or 384 of 128x192 (3 waves) and ran 1.29x faster on them; 2560^3 has 200
 * (2 waves) or 280 (3 waves) and ran 0.87x as fast.
 */
enum { H100_SMS = 132 }; /* the rules are the H100's; elsewhere they still pick a working preset */
/* Output tiles of bm x bn over the batch (the caller keeps M, N and the batch small enough). */
static int64_t tiles_of(const tg_gemm_args *g, int bm, int bn)
{
    return ((g->m + bm - 1) / bm) * ((g->n + bn - 1) / bn) * g->batch;
}
/* At most `max` tiles of bm x bn over the batch, without overflow for any M, N and batch. */
static int tiles_at_most(const tg_gemm_args *g, int bm, int bn, int64_t max)
{
    if (g->m > max * bm || g->n > max * bn || g->batch > max) /* and no overflow below */
        return 0;
    return tiles_of(g, bm, bn) <= max;
}
/* A band of tile counts: more than `fewer` tiles of bm x bn, at most `most`. */
static int tiles_in(const tg_gemm_args *g, int bm, int bn, int64_t fewer, int64_t most)
{
    return tiles_at_most(g, bm, bn, most) && tiles_of(g, bm, bn) > fewer;
}
static int64_t waves(const tg_gemm_args *g, int bm, int bn)
{
    return (tiles_of(g, bm, bn) + H100_SMS - 1) / H100_SMS;
}
/* Waves of 128 x bn tiles times a tile's work (128x192's counted 3 % more, as above). */
static int64_t wave_work(const tg_gemm_args *g, int bn)
{
    return waves(g, 128, bn) * bn * (bn == 192 ? 103 : 100);
}
/* M*N small enough that wave_work cannot overflow (M*N <= 2^30, a batch of at most 2^20). */
static int wave_work_fits(const tg_gemm_args *g)
{
    return g->n > 0 && g->m <= ((int64_t)1 << 30) / g->n && g->batch <= (1 << 20);
}
static int mid_mn_fuller_192(const tg_gemm_args *g)
{
    return mid_mn(g) && wave_work_fits(g) && wave_work(g, 192) < wave_work(g, 256);
}
/*
 * ... whose 133 to 198 tiles leave the second round at most half full: that round shared along
 * K (tma_store_128x192_sk, entry 49: 192 tiles won 4-11 %, 215 to 300 lost 1-2 %).
 */
static int mid_mn_fuller_192_light_last(const tg_gemm_args *g)
{
    return mid_mn_fuller_192(g) && g->k >= 4096 && tiles_in(g, 128, 192, H100_SMS, H100_SMS + H100_SMS / 2);
}

/*
 * Split-K inside a cluster (the hopper family's SPLIT_K: one launch, no
 * workspace, partial tiles summed through distributed shared memory in
 * rank order), where the output tiles (every batch item counted) are one
 * wave of clusters on the H100 and would leave SMs idle through the K
 * loop unsplit. ncu counted the clusters that fit at once
 * (launch__cluster_max_active, bench/RESULTS.md entry 29; one 193 KB block
 * an SM): 66 of 2 and 30 of 4; 15 of 8, too few to be worth it
 * (512x512x8192 on ks8: 16 clusters, 0.765x cuBLAS against ks4's 0.970x).
 * The measured classes: any M > 64 on at most 30 tiles of 128x128 and a
 * long K (ks4); M <= 128 on at most 66 tiles of 128x64 (ks2_128x64, from
 * K = 4096 on; M > 96, as measured: below, a quarter of each tile's rows
 * would be empty) or of 128x128 (ks2, M > 64, K >= 8192). Larger M lost to ws
 * (1024x1024x8192: ks2 0.818x, ws 0.887x) or won by less than the run's
 * spread (256x4096x8192: ks2 0.843x, ws 0.817x).
 */
static int split_in_cluster_4(const tg_gemm_args *g)
{
    return g->m > 64 && g->k >= 8192 && tiles_at_most(g, 128, 128, 30);
}
static int split_in_cluster_2_128x64(const tg_gemm_args *g)
{
    return g->m > 96 && g->m <= 128 && g->k >= 4096 && tiles_at_most(g, 128, 64, 66);
}
static int split_in_cluster_2(const tg_gemm_args *g)
{
    return g->m > 64 && g->m <= 128 && g->k >= 8192 && tiles_at_most(g, 128, 128, 66);
}

/*
 * Stream-K for few tiles (tma_store_128x128_sk; plan.h tg_hplan_sk_split):
 * S = 2 to 4 blocks share each 128x128 tile along K in one launch, the
 * tile's last block adding the others' partials from the workspace
 * (bench/RESULTS.md entry 43, H200). It needs a long K: at M = 128 it
 * lost at K = 4096 and 8192 (16 and 32 K tiles a block: 0.75x and 0.89x
 * cuBLAS against ks2_128x64's 0.93x and 0.92x) and won from K = 11008
 * (0.87-0.90x against 0.82-0.86x); it lost where the split in a cluster
 * pair already fills the SMs with S = 2 (128x8192x28672: 0.985x against
 * ks2's 1.02x) and where a cluster of 4 does (512x512x8192, 16 tiles:
 * 0.72x against ks4's 0.89x). Past 128 rows and columns, on 31 to 66
 * tiles, it beat the unsplit tile (1024^2 x 8192: 0.90-0.92x against
 * 0.73-0.74x) and the split through the workspace that had K >= 16384 or
 * M < 256 there (1024^2 x 16384: 0.96x against 0.80x; 200x4096x8192:
 * 0.76x against 0.68x; that row is gone: this one needs fewer bytes of
 * workspace on every shape of its class). Below K = 8192 there (entry 44)
 * it won from K = 4000 (S = 2: 31 or more K tiles a block; 1024^2 x 4096
 * 0.83x against 0.76x, 512x2048x6144 0.92x against 0.76x), tied at K =
 * 3072 (0.803x against 0.800x) and lost at 2048 (0.68x against 0.77x).
 */
static int stream_k_few_tiles_m128(const tg_gemm_args *g)
{
    return g->m > 96 && g->m <= 128 && g->k > 8192 && tiles_in(g, 128, 128, 16, 33);
}
static int stream_k_few_tiles(const tg_gemm_args *g)
{
    return g->m > 128 && g->n > 128 && g->k >= 4000 && tiles_in(g, 128, 128, 30, 66);
}
/*
 * ... with a second row of 128-row tiles at most 72 rows full (M = 129 to
 * 200), N of about 4096 and K >= 8192: there the two 128x128 blocks that
 * read the same B tile drifted apart (160x4096x8192: main loops ending
 * between 28.7 and 46.7 µs, where at M = 224 all end within 25.4-27.1;
 * bench/RESULTS.md entry 45), and 128x256 tiles, 32 of them shared four
 * ways, ran 15-40 % faster. At K = 4096 it was mixed (M = 160 won, 200
 * lost), from M = 224 it lost. (In one launch under ncu, entry 46, 128x128
 * tiles took as long at M = 160 as at 224; the rule's ratios stand.) Since
 * entry 46 M = 129..160 is swapped_80_rows' (below), which won there, and
 * since entry 47 M = 161..192 swapped_96_rows': this row starts at 193, so
 * the table's rows do not overlap.
 */
static int stream_k_few_tiles_ragged_m(const tg_gemm_args *g)
{
    return stream_k_few_tiles(g) && g->m > 192 && g->m <= 200 && g->n >= 3840 && g->k >= 8192;
}
/*
 * Just past that class (more than 66 tiles of 128x128) while 128x192 tiles
 * are at most 66: K split over a cluster pair on 128x192 tiles (ks2_128x192:
 * 384 x 4096 is 66 tiles, 132 blocks, where 128x128 tiles are 96 blocks of
 * a whole K each). Measured (bench/RESULTS.md entry 48): it won from K =
 * 8192 (384 x 4096 x 16384: 0.97x cuBLAS against 0.88x) and lost at K =
 * 4096 (by 0.3-2 %); it lost where the last row of 128-row tiles is half
 * full or less (M = 320, 288: 0.75x and 0.67x against 0.80x and 0.76x) and
 * won where it is three quarters full (M = 352). N >= 2048: the orientation
 * measured.
 */
static int split_in_cluster_2_128x192(const tg_gemm_args *g)
{
    const int64_t last_rows = (g->m - 1) % 128 + 1; /* rows of A in the last row of tiles */
    return g->m > 128 && last_rows >= 96 && g->n >= 2048 && g->k >= 8192 &&
           tiles_at_most(g, 128, 192, 66) && !tiles_at_most(g, 128, 128, 66);
}

/*
 * A and B swapped on tiles of 128 rows of B by `rows` of A (rows covering M
 * in one or two tiles; cuBLAS's 128x80 at M = 160, 96x64 at 192, 128x160
 * past N = 8448, ncu, entries 46-47), K >= 4096, no workspace. The block
 * count decides the split, as in the other cluster rows: with K over a
 * cluster pair while the tiles (batch counted) fill at most half the SMs
 * (66: N <= 4224 for one item), unsplit while they fill at most all of
 * them (132: N <= 8448 with two tiles of A, 16896 with one); one wave
 * either way. A tile is `rows` of A by `b_rows` of B; the band is the tiles
 * above `fewer`, at most `most`.
 */
static int swapped_tiles(const tg_gemm_args *g, int rows, int b_rows, int64_t fewer, int64_t most)
{
    return g->n >= 2048 && g->k >= 4096 && tiles_in(g, rows, b_rows, fewer, most);
}
/* The two M bands of the swapped tiles: 80 or 160 rows of A cover 128 < M <= 160, 96 or 192 rows
 * cover 160 < M <= 192. */
static int m_129_160(const tg_gemm_args *g) { return g->m > 128 && g->m <= 160; }
static int m_161_192(const tg_gemm_args *g) { return g->m > 160 && g->m <= 192; }
/*
 * 128 < M <= 160 on 80 rows of A: split (sw80_k2, entry 46), unsplit (sw80,
 * where the split would be two waves; entry 47); M above 160 (three tiles of
 * 80) lost. Past those 132 blocks (66 tiles of 160 rows), one tile of 160
 * rows covers M (sw160, unsplit; K = 4096, 8192 and 16384 measured, entries
 * 47-48), and past its 132 blocks one of 160 x 256 (sw256x160: half the
 * blocks, one wave up to N = 33792; N = 22016 and 28672 measured, entry 48).
 */
static int swapped_80_rows(const tg_gemm_args *g)
{
    return m_129_160(g) && swapped_tiles(g, 80, 128, 0, 66);
}
static int swapped_80_rows_wide(const tg_gemm_args *g)
{
    return m_129_160(g) && swapped_tiles(g, 80, 128, 66, H100_SMS);
}
static int swapped_160_rows(const tg_gemm_args *g)
{
    return m_129_160(g) && swapped_tiles(g, 160, 128, H100_SMS / 2, H100_SMS);
}
static int swapped_160_rows_wide(const tg_gemm_args *g)
{
    return m_129_160(g) && swapped_tiles(g, 160, 256, H100_SMS / 2, H100_SMS);
}
/* 160 < M <= 192 on 96 rows of A (sw96_k2, sw96; entry 47); from M = 193 (three tiles of 96)
 * they lost. Past their 132 blocks (66 tiles of 192 rows), one tile of 192 rows (sw192, entry
 * 48), up to two waves (N <= 33792); past the first wave (133 to 264 tiles) persistent, with
 * the part-empty second round shared along K (sw192_sk, entry 49: 172 tiles, N = 22016, 0.78x
 * to 0.80x cuBLAS on sw192, 0.87x to 0.94x). */
static int swapped_96_rows(const tg_gemm_args *g)
{
    return m_161_192(g) && swapped_tiles(g, 96, 128, 0, 66);
}
static int swapped_96_rows_wide(const tg_gemm_args *g)
{
    return m_161_192(g) && swapped_tiles(g, 96, 128, 66, H100_SMS);
}
static int swapped_192_rows(const tg_gemm_args *g)
{
    return m_161_192(g) && swapped_tiles(g, 192, 128, H100_SMS / 2, 2 * H100_SMS);
}
static int swapped_192_rows_wide(const tg_gemm_args *g)
{
    return m_161_192(g) && swapped_tiles(g, 192, 128, H100_SMS, 2 * H100_SMS);
}

/* The blocks a preset of several blocks an SM holds at once (rules.c, tg_dispatch_blocks_per_sm). */
static int64_t resident_blocks(const char *preset)
{
    return (int64_t)tg_dispatch_blocks_per_sm(preset) * H100_SMS;
}
/* A stream held in one wave by such a preset. */
static int one_resident_wave(const tg_gemm_args *g, int bm, int bn, const char *preset)
{
    return tiles_in(g, bm, bn, 191, resident_blocks(preset));
}

/*
 * In small_mn's class (above; M > 64 there: the M <= 64 row comes first), where 128x64 tiles
 * are one wave (at most 132: twice the blocks of 128x128 tiles, each with half the work) and
 * every row of A and B
 * (and batch item) starts on a 128-byte line, 128x64 tiles; with rows off the
 * lines (1000^3: 2000 bytes) each 128-byte box row touches a line more, and
 * the pair of 128x128 tiles stays ahead (bench/RESULTS.md entry 33); C by
 * TMA (tma_store_128x64) rather than from registers (ws_128x64). Up to
 * K = 4096, as measured (the pair's K = 8192 rows, 0.92-0.99x, were not
 * timed against it).
 */
static int rows_on_lines(const tg_gemm_args *g)
{
    return g->lda % 64 == 0 && g->ldb % 64 == 0 &&
           (g->batch <= 1 || (g->stride_a % 64 == 0 && g->stride_b % 64 == 0));
}
static int small_mn_one_wave_128x64(const tg_gemm_args *g)
{
    return small_mn(g) && g->k <= 4096 && rows_on_lines(g) && tiles_at_most(g, 128, 64, H100_SMS);
}

/*
 * Decode: 1 <= M <= 16, where the time is the read of B, in blocks of 32
 * columns of C. By N (bench/RESULTS.md entries 25, 26): up to 1024 (32
 * blocks or fewer), decode_m16, whose clusters of 4 split K over 4 blocks;
 * up to 2048, decode_m16_k8 (K over 8 warps of one block, one block an SM);
 * then decode_m16_s1 (K over 4 warps, no cluster: 8192 / 32 = 256 blocks are
 * one wave at two per SM); from 16384, decode_m16_s2 (a cluster pair: s1's
 * 896 blocks at 16 x 28672 are 3.4 waves); between the last two, for M <= 8,
 * decode_m8 (s1 with BLOCK_M 8: A's rows 8..15 are zeros the compiler
 * knows). M = 0 is nothing to do, left to the rules below as before.
 */
static int decode_m16(const tg_gemm_args *g) { return g->m >= 1 && g->m <= 16; }
static int decode_m16_narrow(const tg_gemm_args *g) { return decode_m16(g) && g->n <= 1024; }
/* ... up to N = 2048 at any K, and (entry 54, H200, L2 flushed clean: 0.93-1.05x cuBLAS against
 * decode_m8's and decode_m16_s1's 0.82-0.98x) up to 4096 for M >= 2 and 2048 <= K <= 8192, the
 * range measured (M = 1 there is gemv_m1's from K = 2048). */
static int decode_m16_mid(const tg_gemm_args *g)
{
    return decode_m16(g) &&
           (g->n <= 2048 || (g->n <= 4096 && g->m >= 2 && g->k >= 2048 && g->k <= 8192));
}
static int decode_m16_wide(const tg_gemm_args *g) { return decode_m16(g) && g->n >= 16384; }
static int decode_m8(const tg_gemm_args *g) { return g->m >= 1 && g->m <= 8; }
/*
 * M = 1 (one token): the gemv family (gemv_m1), whose grid reads B front to
 * back as a streaming read does, from N = 1024 and K = 2048 (the range
 * measured: N 1024..28672 x K 2048..16384, ahead of the choice before with
 * L2 flushed clean and warm on every shape but 1x2048x2048, even there) up
 * to the 16384 its blocks cover; not N = K = 4096, a B of 32 MiB that the
 * L2 holds when a call is repeated on the same weights, where sw8_k4 leads
 * warm (1.27x cuBLAS against gemv_m1's 0.99x; its row below). At K = 1024
 * and 512 the decode family keeps M = 1 (gemv_m1 0.76-0.96x cuBLAS flushed
 * clean against 1.02-1.09x). bench/RESULTS.md entry 52.
 */
static int decode_m1(const tg_gemm_args *g)
{
    return g->m == 1 && g->n >= 1024 && g->k >= 2048 && g->k <= 16384 &&
           !(g->n == 4096 && g->k == 4096);
}
/*
 * Past gemv_m1's K (16384 < K <= 32768, N >= 4096: the range measured),
 * gemv_m1_long: A's row in shared memory, so four vectors a thread still
 * leave registers for 8 loads in flight (1x8192x28672, a model's
 * down-projection at one token, 0.996x cuBLAS against sw16's 0.980x;
 * 1x4096x28672 0.957x against decode_m8's 0.729x; entry 52).
 */
static int decode_m1_long_k(const tg_gemm_args *g)
{
    return g->m == 1 && g->n >= 4096 && g->k > 16384 && g->k <= 32768;
}
/*
 * The hopper family with A and B swapped (sw16, sw16_x4, sw8_k4: B's rows on the
 * wgmma's M side, TMA streaming them through the ring): for M <= 16 on 192
 * to 528 blocks of 64 columns sw16_x4, one wave at four an SM
 * (one_resident_wave, above; N = 12225..33792), past them sw16 from N =
 * 16384; and for M <= 8 at N = K = 4096, a B of 32 MiB that the 50 MB L2
 * holds when a call is repeated on the same weights, where sw8_k4's 64
 * columns a block with K split in 4 make 256 blocks of 1024 K each. There
 * the decode family leads with L2 flushed (1.11-1.15x cuBLAS against
 * 0.96-0.99x) and trails warm (0.76-0.83x against 1.05-1.11x); sw8_k4
 * takes less time over the two. Its neighbours measured otherwise:
 * 1x4096x2048 and 1x8192x2048 are faster on decode_m8 both ways
 * (bench/RESULTS.md entry 32).
 */
static int decode_m16_resident(const tg_gemm_args *g)
{
    return decode_m16(g) && one_resident_wave(g, 16, 64, "sw16_x4");
}
static int decode_m8_in_l2(const tg_gemm_args *g) { return decode_m8(g) && g->n == 4096 && g->k == 4096; }
/*
 * And on 128 to 132 blocks of 64 columns (N = 8129..8448: one block an SM)
 * with K >= 8192, sw16's 10-stage ring, where the decode family led only
 * with a write-only flush, whose dirty lines' write-back shares HBM with
 * every contender's reads: with L2 cold and clean, and warm, sw16 led
 * (bench/RESULTS.md entry 41). From K = 3072 since entry 54 (L2 clean: 2-11
 * % ahead at K = 3072..6144; warm ahead but at M = 8, 1 % behind); at K =
 * 2048 it led clean and trailed warm (16 x 8192 x 2048: 0.94x against
 * 0.87x, 1.12x against 1.22x), so shorter K stays with the decode family.
 */
static int decode_m16_one_block_an_sm(const tg_gemm_args *g)
{
    return decode_m16(g) && g->k >= 3072 && tiles_in(g, 16, 64, 127, H100_SMS);
}

/*
 * Narrow N: K split over a cluster of S blocks (S = 8 or 4) where the tiles
 * of 64 columns (64 rows of B a block, batch counted) are few: S = 8 up to
 * 24 of them and 4 up to 48, so the grid stays at most 192 blocks (beyond,
 * more blocks of shorter K lost, below fewer blocks left SMs idle). Measured
 * on an H200 with L2 flushed clean and warm, M in {1, 4, 8, 13, 16, 24, 32,
 * 48, 64} x N 512..4096 x K 2048..8192 (bench/RESULTS.md entry 54), where
 * the rows below ran as low as 0.48x cuBLAS; the K bounds are where the
 * split won there; past K = 8192 only shapes outside the map were timed
 * (K = 14336 and 16384: 0.89-1.01x). At K = 2048 a block's part is 4 or 8
 * K tiles: 8 parts won up to 17 tiles (N <= 1088), 4 from there to 24
 * (sw32: 32 x 1536 x 2048 0.96x cuBLAS against 0.94x; 40 x 1536 x 2048 on
 * 64x64 tiles 0.92x against 0.87x) and, on 64x64 tiles, to 40 (at 48, 48
 * and 64 x 3072 x 2048, a pair led by 3 %). 64-column tiles: sw16 / sw32
 * (A and B swapped) and ks*_64x64.
 */
/* The bands above on tiles of `rows` x 64: 8 parts, then 4 up to 48 tiles from K = 4096 and
 * up to the caller's `most_4_short` at 2048 <= K < 4096. */
static int split_8_parts(const tg_gemm_args *g, int rows)
{
    return (g->k >= 4096 && tiles_in(g, rows, 64, 0, 24)) ||
           (g->k >= 2048 && tiles_in(g, rows, 64, 0, 17));
}
/* ... of 8 with a deeper ring (sw32_k8_deep, ks8_64x64_deep) on at most 17 tiles, about one
 * block an SM, with K >= 4096 (entry 55: behind on 24 tiles, a tie at K = 2048). */
static int split_8_parts_deep(const tg_gemm_args *g, int rows)
{
    return g->k >= 4096 && tiles_in(g, rows, 64, 0, 17);
}
static int split_4_parts(const tg_gemm_args *g, int rows, int64_t most_4_short)
{
    return !split_8_parts(g, rows) && ((g->k >= 4096 && tiles_in(g, rows, 64, 0, 48)) ||
                                       (g->k >= 2048 && tiles_in(g, rows, 64, 0, most_4_short)));
}
/* M <= 16, N <= 512 (16 blocks of 32 columns, the decode family's): its K over clusters of 8. */
static int decode_m16_split_8(const tg_gemm_args *g)
{
    return decode_m16(g) && g->k >= 8192 && tiles_at_most(g, 16, 32, 16);
}
/* ... sw16_k8: from K = 4096 on 17 to 24 tiles; on 9 to 16 (N <= 1024, decode_m16's class) from
 * K = 8192, since at K = 4096 to 6144 decode_m16 tied or led (3 x 768 x 4096: 1.16x cuBLAS
 * against 1.08x). */
static int decode_m16_swapped_split_8(const tg_gemm_args *g)
{
    return decode_m16(g) && ((g->k >= 4096 && tiles_in(g, 16, 64, 16, 24)) ||
                             (g->k >= 8192 && tiles_in(g, 16, 64, 8, 16)));
}
static int decode_m16_swapped_split_4(const tg_gemm_args *g)
{
    return decode_m16(g) && g->k >= 8192 && tiles_in(g, 16, 64, 24, 48);
}
/* M <= 8 on 49 to 64 tiles (N = 4096 measured) with K >= 8192: sw8_k2's 128 blocks. */
static int decode_m8_swapped_split_2(const tg_gemm_args *g)
{
    return decode_m8(g) && g->k >= 8192 && tiles_in(g, 8, 64, 48, 64);
}

/*
 * 17 <= M <= 32: the hopper family with A and B swapped and C's rows the
 * wgmma N of 32 (sw32): A's TMA box is C's rows, where ws_64's 64-row box
 * was half TMA's zeros; with K split over a cluster pair (sw32_k2) where
 * 64 columns a block make at most 64 blocks (N <= 4096: half the SMs) or
 * several waves (N >= 16384). Measured against ws_64 (the choice before),
 * L2 flushed, on the H100: 17x8192x8192 0.98x cuBLAS against 0.92x,
 * 32x4096x4096 0.91-0.92x against 0.81x; on an H200 the gaps were wider
 * (32x8192x8192 0.96x against 0.85x); bench/RESULTS.md entry 35. On 192 to
 * 396 blocks sw32_x3 (6 stages, three an SM: one wave) comes first (entry 38).
 */
static int skinny_m32(const tg_gemm_args *g) { return g->m >= 17 && g->m <= 32; }
static int skinny_m32_few_or_wide(const tg_gemm_args *g)
{
    return skinny_m32(g) && (g->n <= 4096 || g->n >= 16384);
}
static int skinny_m32_resident(const tg_gemm_args *g)
{
    return skinny_m32(g) && one_resident_wave(g, 32, 64, "sw32_x3");
}
/* ... and on narrow N, K over a cluster of 8 or 4 (split_8_parts, above). */
static int skinny_m32_split_8(const tg_gemm_args *g)
{
    return skinny_m32(g) && split_8_parts(g, 32);
}
/*
 * K >= 4096 and at most 132 tiles of 64x256 (N <= 33792), one wave: ws_64x256's class (below, M =
 * 33..64), and M = 17..32 past the 396 blocks sw32_x3 holds at once, where ws_64x256 ran 4-8 %
 * ahead of sw32_k2 (A's 64-row box half TMA's zeros costs no bytes; entry 55).
 */
static int wide_64x256(const tg_gemm_args *g)
{
    return g->k >= 4096 && tiles_at_most(g, 64, 256, H100_SMS);
}
static int skinny_m32_wide(const tg_gemm_args *g)
{
    return skinny_m32(g) && wide_64x256(g) && !tiles_at_most(g, 32, 64, resident_blocks("sw32_x3"));
}
static int skinny_m32_split_8_deep(const tg_gemm_args *g)
{
    return skinny_m32(g) && split_8_parts_deep(g, 32);
}
static int skinny_m32_split_4(const tg_gemm_args *g)
{
    return skinny_m32(g) && split_4_parts(g, 32, 24); /* 32 x 2048 x 2048: a tie, sw32_k2 kept */
}

/*
 * Skinny: M <= 64 (what the decode family cannot take, and M = 33..64,
 * where decode_m64 measured slower): 64x64 tiles, B streamed
 * through 8 stages. (M = 65..128 with N >= 20480 had a row of 128x256
 * tiles; since entry 38 the wave_work rows below take it: 128x192 where
 * those are one wave too, 1.00-1.06x cuBLAS against 0.93-1.02x.)
 */
static int skinny_m64(const tg_gemm_args *g) { return g->m <= 64; }

/*
 * Small N: the mirror of the small-M rows below, for a C of few columns and
 * many rows (a LoRA or router projection, 8192 tokens x 16 outputs): the
 * hopper family unswapped, A's rows on the wgmma's M side (64 a block) and
 * C's N columns the wgmma N of 16 or 32 (n16, n32: sw16's and sw32's tiles
 * without the swap), A streaming through the ring once. At most 66 blocks
 * of 64 rows (M <= 4224 without a batch: half the SMs) and K >= 4096: K
 * split over a cluster pair (n32_k2, twice the blocks). Measured on an H200
 * with L2 flushed (fp32 C, cuBLAS in the same run; bench/RESULTS.md entry
 * 37), where these shapes went to ws split through the workspace or to
 * ws_64 at 0.66-0.82x cuBLAS.
 */
static int small_n(const tg_gemm_args *g, int max) { return g->n >= 1 && g->n <= max && g->m > 64; }
static int small_n_few_rows(const tg_gemm_args *g)
{
    return small_n(g, 32) && g->k >= 4096 && tiles_at_most(g, 64, 32, 66); /* blocks of 64 rows */
}
static int small_n_16(const tg_gemm_args *g) { return small_n(g, 16); }
static int small_n_16_resident(const tg_gemm_args *g)
{
    return small_n(g, 16) && one_resident_wave(g, 64, 16, "n16_x4");
}
static int small_n_32(const tg_gemm_args *g) { return small_n(g, 32); }

/*
 * The smaller of M and N in 33..64: 64x64 tiles (ws_64, one block an SM:
 * 8 stages, 129 KB) below, but where those tiles are few the grid leaves
 * SMs idle: at most 66 tiles (half the SMs) with K >= 4096, K split over a
 * cluster pair (ks2_64x64); 133 to 264 tiles (two waves of ws_64, the
 * second part-empty), tma_wgmma_64, whose 4 stages (65 KB) let three blocks
 * share an SM, so every tile runs at once. Measured on an H200 with L2
 * flushed, M = 33..64 and N = 64 (bench/RESULTS.md entry 37); the tile
 * counts are the same either way round.
 */
static int one_side_33_64(const tg_gemm_args *g)
{
    const int64_t lo = g->m < g->n ? g->m : g->n;
    return lo >= 33 && lo <= 64;
}
/*
 * M in 33..64 and N >= 33 (the orientation measured for these, entry 54):
 * K over a cluster of 8 on at most 24 tiles, of 4 on at most 48
 * (split_8_parts, above), and over a pair from K = 2048 (48 and 64 x 4096
 * x 2048: 0.78x and 0.88x cuBLAS against ws_64's 0.70x and 0.72x).
 */
static int m_33_64(const tg_gemm_args *g) { return g->m >= 33 && g->m <= 64 && one_side_33_64(g); }
static int m_33_64_split_8(const tg_gemm_args *g) { return m_33_64(g) && split_8_parts(g, 64); }
static int m_33_64_split_8_deep(const tg_gemm_args *g) { return m_33_64(g) && split_8_parts_deep(g, 64); }
static int m_33_64_split_4(const tg_gemm_args *g) { return m_33_64(g) && split_4_parts(g, 64, 40); }
static int side_33_64_few_tiles(const tg_gemm_args *g)
{
    const int64_t min_k = m_33_64(g) ? 2048 : 4096;
    return one_side_33_64(g) && g->k >= min_k && tiles_at_most(g, 64, 64, 66);
}
static int side_33_64_two_waves(const tg_gemm_args *g)
{
    return one_side_33_64(g) && tiles_in(g, 64, 64, H100_SMS, 2 * H100_SMS);
}
/*
 * M in 33..64 past those 264 tiles, K >= 4096: 64x256 tiles (ws_64x256) while they are one wave
 * (wide_64x256, above), where ws_64's one block an SM leaves a last, part-empty wave and
 * tma_wgmma_64's three an SM run behind from about 400 tiles (entry 55: 15 shapes of 17408 to
 * 32768 columns).
 */
static int m_33_64_wide(const tg_gemm_args *g)
{
    return m_33_64(g) && wide_64x256(g) && !tiles_at_most(g, 64, 64, 2 * H100_SMS);
}

/*
 * N = 65..128 with M > 128: the M <= 128 split rows' classes asked of the
 * GEMM turned round (M and N traded: Cᵀ = B·Aᵀ has the same tiles, turned),
 * on their tiles turned round: 64x128 (ks2_64) where 128x64 serve M, and
 * the same 128x128 (ks2).
 */
static tg_gemm_args turned(const tg_gemm_args *g)
{
    tg_gemm_args t = *g;
    t.m = g->n;
    t.n = g->m;
    return t;
}
static int split_in_cluster_2_64x128(const tg_gemm_args *g)
{
    const tg_gemm_args t = turned(g);
    return g->m > 128 && split_in_cluster_2_128x64(&t);
}
static int split_in_cluster_2_n(const tg_gemm_args *g)
{
    const tg_gemm_args t = turned(g);
    return g->m > 128 && split_in_cluster_2(&t);
}

/*
 * 768^2 <= M*N < 2048^2 (past the one-wave 128x64 row): the tile, of
 * 128x128, 128x192 and 128x256, with the least wave_work (above); a tie
 * goes to the larger tile (fewer operand bytes a flop).
 * 1536^3: 144 tiles of 128x128 are 2 waves, the second nearly empty; 96
 * of 128x192 are one.
 */
static int small_mn_wave_tile(const tg_gemm_args *g)
{
    if (!small_mn(g) || !wave_work_fits(g))
        return 128;
    int best = 128;
    for (int bn = 192; bn <= 256; bn += 64)
        if (wave_work(g, bn) <= wave_work(g, best))
            best = bn;
    return best;
}
static int small_mn_256(const tg_gemm_args *g) { return small_mn_wave_tile(g) == 256; }
static int small_mn_192(const tg_gemm_args *g) { return small_mn_wave_tile(g) == 192; }

#endif
