/*
 * rules.c — the dispatcher's table (dispatch.c walks it): the shape classes,
 * then the rows, read top to bottom; the first whose shape class holds and
 * whose configuration takes the arguments wins. Each row says which
 * measurement chose it (bench/RESULTS.md), or that none has yet.
 */
#include <string.h>

#include "core/rules.h"

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
static int tiles_at_most(const tg_gemm_args *g, int bm, int bn, int64_t max)
{
    if (g->m > max * bm || g->n > max * bn || g->batch > max) /* and no overflow below */
        return 0;
    return tiles_of(g, bm, bn) <= max;
}
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
    return g->m > 96 && g->m <= 128 && g->k > 8192 && tiles_at_most(g, 128, 128, 33) &&
           !tiles_at_most(g, 128, 128, 16);
}
static int stream_k_few_tiles(const tg_gemm_args *g)
{
    return g->m > 128 && g->n > 128 && g->k >= 4000 && tiles_at_most(g, 128, 128, 66) &&
           !tiles_at_most(g, 128, 128, 30);
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
    return g->n >= 2048 && g->k >= 4096 && tiles_at_most(g, rows, b_rows, most) &&
           !tiles_at_most(g, rows, b_rows, fewer);
}
/*
 * 128 < M <= 160 on 80 rows of A: split (sw80_k2, entry 46), unsplit (sw80,
 * where the split would be two waves; entry 47); M above 160 (three tiles of
 * 80) lost. Past those 132 blocks, one tile of 160 rows covers M (sw160,
 * unsplit; K = 4096, 8192 and 16384 measured, entries 47-48), and past its
 * 132 blocks one of 160 x 256 (sw256x160: half the blocks, one wave up to
 * N = 33792; N = 22016 and 28672 measured, entry 48).
 */
static int swapped_80_rows(const tg_gemm_args *g)
{
    return g->m > 128 && g->m <= 160 && swapped_tiles(g, 80, 128, 0, 66);
}
static int swapped_80_rows_wide(const tg_gemm_args *g)
{
    return g->m > 128 && g->m <= 160 && swapped_tiles(g, 80, 128, 66, H100_SMS);
}
static int swapped_160_rows(const tg_gemm_args *g)
{
    return g->m > 128 && g->m <= 160 && !tiles_at_most(g, 80, 128, H100_SMS) &&
           swapped_tiles(g, 160, 128, 0, H100_SMS);
}
static int swapped_160_rows_wide(const tg_gemm_args *g)
{
    return g->m > 128 && g->m <= 160 && swapped_tiles(g, 160, 256, H100_SMS / 2, H100_SMS);
}
/* 160 < M <= 192 on 96 rows of A (sw96_k2, sw96; entry 47); from M = 193 (three tiles of 96)
 * they lost. Past their 132 blocks, one tile of 192 rows (sw192, entry 48), up to two waves
 * (N <= 33792): at 172 tiles (N = 22016) it tied at M = 192, K = 8192 and won at M = 176. */
static int swapped_96_rows(const tg_gemm_args *g)
{
    return g->m > 160 && g->m <= 192 && swapped_tiles(g, 96, 128, 0, 66);
}
static int swapped_96_rows_wide(const tg_gemm_args *g)
{
    return g->m > 160 && g->m <= 192 && swapped_tiles(g, 96, 128, 66, H100_SMS);
}
static int swapped_192_rows(const tg_gemm_args *g)
{
    return g->m > 160 && g->m <= 192 && !tiles_at_most(g, 96, 128, H100_SMS) &&
           swapped_tiles(g, 192, 128, 0, 2 * H100_SMS);
}

/*
 * A stream of 192 to (blocks an SM) x 132 blocks of bm x bn (batch counted):
 * the x4 and x3 presets (fewer stages, so four or three blocks share an SM)
 * hold it in one wave, where their 10-stage tiles, at two or one an SM, leave
 * a second wave part-empty. Below 192 blocks (1.45 an SM) a block's few stages
 * are too shallow a stream: 128 blocks ran 0.88x cuBLAS on sw16_x4 and
 * n16_x4 against 0.97-1.00x (bench/RESULTS.md entry 38, on an H200). Past
 * one wave it was mixed (1024 blocks 1.01x against 0.99x, 768 blocks 0.95x
 * against 0.99x), so there the 10-stage tiles stay.
 */
static const struct {
    const char *preset;
    int blocks; /* an SM: 5 stages are 52 KB and 56 registers a thread, 6 of sw32 73 KB and 72 */
} resident[] = {{"sw16_x4", 4}, {"n16_x4", 4}, {"sw32_x3", 3}};

int tg_dispatch_blocks_per_sm(const char *name)
{
    for (size_t i = 0; i < sizeof resident / sizeof resident[0]; i++)
        if (!strcmp(resident[i].preset, name))
            return resident[i].blocks;
    return 0;
}

static int one_resident_wave(const tg_gemm_args *g, int bm, int bn, const char *preset)
{
    const int64_t most = (int64_t)tg_dispatch_blocks_per_sm(preset) * H100_SMS;
    return tiles_at_most(g, bm, bn, most) && tiles_of(g, bm, bn) >= 192;
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
static int decode_m16_mid(const tg_gemm_args *g) { return decode_m16(g) && g->n <= 2048; }
static int decode_m16_wide(const tg_gemm_args *g) { return decode_m16(g) && g->n >= 16384; }
static int decode_m8(const tg_gemm_args *g) { return g->m >= 1 && g->m <= 8; }
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
 * (bench/RESULTS.md entry 41). Shorter K stays with the decode family, as
 * measured at K = 2048 (entry 32).
 */
static int decode_m16_one_block_an_sm(const tg_gemm_args *g)
{
    return decode_m16(g) && g->k >= 8192 && tiles_at_most(g, 16, 64, H100_SMS) &&
           tiles_of(g, 16, 64) >= 128;
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
static int side_33_64_few_tiles(const tg_gemm_args *g)
{
    return one_side_33_64(g) && g->k >= 4096 && tiles_at_most(g, 64, 64, 66);
}
static int side_33_64_two_waves(const tg_gemm_args *g)
{
    return one_side_33_64(g) && tiles_at_most(g, 64, 64, 2 * H100_SMS) &&
           tiles_of(g, 64, 64) > H100_SMS;
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

const struct tg_rule tg_rules[] = {
    {"1 <= N <= 32, M > 64, at most 66 blocks of 64 rows, K >= 4096", small_n_few_rows, "n32_k2",
     "measured on an H200 with L2 flushed (fp32 C, cuBLAS in the same run, two runs): 4096x16x4096 "
     "0.994x, 1.022x cuBLAS (ws_64, the choice before, 0.804x; n32 0.868x), 4096x32x4096 1.029x, "
     "1.027x (0.824x; 0.886x), 4096x16x11008 1.007x, 0.999x (ws split through the workspace "
     "0.820x; 0.803x); "
     "bench/RESULTS.md 2026-11-28, entry 37",
     1, NULL},
    {"1 <= N <= 16, M > 64, 192 to 528 blocks of 64 rows", small_n_16_resident, "n16_x4",
     "measured on an H200 (fp32 C, cuBLAS in the same run), against n16 (the choice before), L2 "
     "flushed / warm: 28672x16x8192 1.023x / 1.013x cuBLAS (0.940x / 0.938x), 22016x16x4096 "
     "1.035x / 1.021x (0.905x / 0.887x), 28672x1x8192 1.011x / 0.972x (0.950x / 0.906x), "
     "16384x16x4096 0.988x / 0.983x (0.983x / 0.971x); where the rule says no, 8192x16x8192 (128 "
     "blocks) 0.880x against 0.976x; bench/RESULTS.md 2026-11-28, entry 38",
     1, NULL},
    {"1 <= N <= 16, M > 64", small_n_16, "n16",
     "measured on an H200 with L2 flushed (fp32 C, cuBLAS in the same run, two runs): 8192x1x8192 "
     "0.971x, 0.979x cuBLAS (ws split through the workspace, the choice before, 0.666x; n32 "
     "0.955x), 8192x16x8192 0.970x, 0.974x (0.694x; 0.961x), 16384x16x4096 0.987x, 0.985x (ws_64 "
     "0.760x; 0.937x), 28672x16x8192 0.901x, 0.979x (ws_64 0.664x; 0.850x); bench/RESULTS.md "
     "2026-11-28, entry 37",
     1, NULL},
    {"17 <= N <= 32, M > 64", small_n_32, "n32",
     "measured on an H200 with L2 flushed (fp32 C, cuBLAS in the same run, two runs): 8192x32x8192 "
     "0.970x, 0.961x cuBLAS (ws split through the workspace, the choice before, 0.672x; n32_k2 "
     "0.954x); "
     "bench/RESULTS.md 2026-11-28, entry 37",
     1, NULL},
    {"the smaller of M, N in 33..64, at most 66 64x64 tiles, K >= 4096", side_33_64_few_tiles,
     "ks2_64x64",
     "measured on an H200 with L2 flushed (fp32 C, cuBLAS in the same run, two runs): 48x4096x4096 "
     "1.008x, 0.986x cuBLAS (ws_64, the choice before, 0.819x), 64x4096x4096 0.923x, 0.935x "
     "(0.760x), 48x4096x11008 0.970x, 0.970x (0.740x), 64x4096x11008 1.023x, 1.006x (0.776x), "
     "4096x64x4096 0.929x, 0.933x (0.759x); bench/RESULTS.md 2026-11-28, entry 37",
     1, NULL},
    {"the smaller of M, N in 33..64, 133 to 264 64x64 tiles", side_33_64_two_waves, "tma_wgmma_64",
     "measured on an H200 with L2 flushed (fp32 C, cuBLAS in the same run, two runs): "
     "48x12288x4096 0.972x, 0.978x cuBLAS (ws_64, the choice before, 0.817x), 64x12288x4096 "
     "0.973x, 0.979x (0.821x); where the rule says no (the first run), 64x8192x8192 (128 tiles) "
     "0.850x against ws_64's 0.966x, 64x28672x8192 (448) 0.799x against 0.845x; bench/RESULTS.md "
     "2026-11-28, entry 37",
     1, NULL},
    {"the smaller of M, N in 33..64", one_side_33_64, "ws_64",
     "measured on the H100 with L2 flushed (fp32 C, cuBLAS in the same run): 64x8192x8192 0.968x "
     "cuBLAS (tma_wgmma_64 0.925x), 64x28672x8192 0.964x (ws 0.920x); bench/RESULTS.md "
     "2026-11-27, entry 25; N = 33..64 on an H200 (two runs, L2 flushed, entry 37): 8192x48x8192 "
     "0.951x, 0.954x (ws split through the workspace, the choice before, 0.676x), 8192x64x8192 "
     "0.971x, 0.988x (0.712x)",
     1, NULL},
    {"M > 64, at most 30 128x128 tiles, K >= 8192", split_in_cluster_4, "ks4",
     "measured on the H100 (fp32 C, cuBLAS in the same run): 512x512x8192 185.6 TFLOP/s = 0.970x "
     "cuBLAS (ws split 16 ways through the workspace, the choice before, 0.718x; ks8 0.765x, ks2 "
     "0.668x), 512x512x16384 0.838x (ks2_128x64 0.643x, ws_64 0.458x), 128x2048x16384 1.022x "
     "(ks2_128x64 0.797x, ws_64 0.570x); bench/RESULTS.md 2026-11-27, entry 29",
     1, NULL},
    {"96 < M <= 128, 17 to 33 128x128 tiles, K > 8192, a workspace for stream-K",
     stream_k_few_tiles_m128, "tma_store_128x128_sk",
     "measured on an H200 (fp32 C, cuBLAS in the same run): 128x4096x11008 0.886x, 0.890x cuBLAS "
     "(ks2_128x64, the choice before, 0.857x, 0.831x), 128x4096x14336 0.882x (0.827x), "
     "128x4096x16384 0.902x (0.822x); K = 8192 stays there (0.886x against 0.924x); "
     "bench/RESULTS.md 2026-11-29, entry 43",
     1, NULL},
    {"96 < M <= 128, at most 66 128x64 tiles, K >= 4096", split_in_cluster_2_128x64, "ks2_128x64",
     "measured on the H100 (fp32 C, cuBLAS in the same run): 128x4096x4096 1.057x cuBLAS (ws_64, "
     "the choice before, 0.957x), 128x4096x8192 1.032x (ws_64 0.896x), 128x4096x11008 1.170x (ws "
     "split 4 ways through the workspace, the choice before, 0.920x; ks2 1.109x), 128x4096x14336 "
     "1.105x (ws_64 0.970x); bench/RESULTS.md 2026-11-27, entry 29",
     1, NULL},
    {"64 < M <= 128, at most 66 128x128 tiles, K >= 8192", split_in_cluster_2, "ks2",
     "measured on the H100 (fp32 C, cuBLAS in the same run): 128x8192x28672 1.072x and 1.090x "
     "cuBLAS in two runs (ws_128x64, the choice before, 1.047x in the first), 128x8192x16384 "
     "1.074x (ks2_128x64 1.039x; ws_128x64 1.108x in entry 27's run, not side by side), "
     "96x8192x28672 1.045x (ws 0.916x); bench/RESULTS.md 2026-11-27, entry 29",
     1, NULL},
    {"96 < N <= 128 < M, at most 66 64x128 tiles, K >= 4096", split_in_cluster_2_64x128, "ks2_64",
     "the mirror of the 96 < M <= 128 row (128x64 tiles turned round), measured on an H200 (fp32 "
     "C, cuBLAS in the same run, two runs): 4096x128x4096 0.838x, 0.850x cuBLAS (ws_64, the choice "
     "before, 0.688x; ks2 0.728x); bench/RESULTS.md 2026-11-28, entry 37",
     1, NULL},
    {"64 < N <= 128 < M, at most 66 128x128 tiles, K >= 8192", split_in_cluster_2_n, "ks2",
     "the mirror of the 64 < M <= 128 row, measured on an H200 (fp32 C, cuBLAS in the same run, "
     "two runs): 8192x128x8192 0.933x, 0.915x cuBLAS (tma_store_128x128, the choice before, "
     "0.875x), 8192x96x8192 0.848x (0.850x); bench/RESULTS.md 2026-11-28, entry 37",
     1, NULL},
    {"128 < M <= 160, N >= 2048, at most 66 swapped tiles of 80x128 (N <= 4224), K >= 4096", swapped_80_rows, "sw80_k2",
     "measured on an H200 (fp32 C, cuBLAS in the same run, 5 rounds), against the choice before: "
     "160x4096x8192 0.844x cuBLAS (tma_store_128x256_sk 0.755x), 129x4096x11008 0.836x (0.767x), "
     "144x4096x8192 0.885x (0.772x), 160x4096x4096 1.112x (tma_store_128x128_sk 0.668x), "
     "160x4096x16384 0.859x (0.793x), 160x4096x14336 0.876x (0.791x), 160x2048x8192 0.668x "
     "(tma_store_128x128_sk 0.606x); bench/RESULTS.md 2026-11-29, entry 46",
     1, NULL},
    {"128 < M <= 160, N >= 2048, 67 to 132 swapped tiles of 80x128 (N <= 8448), K >= 4096", swapped_80_rows_wide, "sw80",
     "measured on an H200 (fp32 C, cuBLAS in the same run, 5 rounds), against sw80_k2, the choice "
     "before: 160x8192x8192 0.811x cuBLAS (0.735x; tma_store_128x128 0.613x before entry 46), "
     "144x8192x8192 0.828x (0.738x), 160x6144x8192 0.797x (0.718x), 160x8192x4096 0.827x "
     "(0.717x), 160x8192x16384 0.782x (0.708x), 144x5120x8192 0.827x (0.696x), 136x8192x8192 "
     "0.785x (0.709x), 160x8448x8192 0.832x (tma_store_128x128 0.591x); bench/RESULTS.md "
     "2026-11-29, entry 47",
     1, NULL},
    {"128 < M <= 160, past 132 tiles of 80x128, at most 132 of 160x128 (N <= 16896), K >= 4096", swapped_160_rows, "sw160",
     "measured on an H200 (fp32 C, cuBLAS in the same run, 3 rounds), against the choice before: "
     "160x11008x4096 1.003x cuBLAS (tma_store_128x192 0.841x), 160x14336x4096 0.916x "
     "(tma_store_128x256 0.758x), 144x11008x4096 0.988x (tma_store_128x192 0.747x); "
     "bench/RESULTS.md 2026-11-29, entry 47; K above 4096 (5 rounds): 160x11008x8192 0.994x "
     "(tma_store_128x192 0.810x), 160x16384x8192 0.977x (tma_store_128x256 0.792x), "
     "160x11008x16384 0.957x (tma_store_128x192 0.743x); entry 48",
     1, NULL},
    {"128 < M <= 160, past 132 tiles of 160x128, at most 132 of 160x256 (N <= 33792), K >= 4096", swapped_160_rows_wide,
     "sw256x160",
     "measured on an H200 (fp32 C, cuBLAS in the same run, 5 rounds), against the choice before and "
     "sw160: 160x22016x4096 0.908x cuBLAS (tma_store_128x128 0.555x, sw160 0.823x), "
     "160x28672x4096 0.931x (tma_store_128x256 0.738x, sw160 0.892x), 160x28672x8192 0.941x "
     "(0.715x, 0.887x), 144x28672x4096 0.912x (0.710x, 0.883x), 136x22016x8192 0.864x "
     "(tma_store_128x128 0.434x, sw160 0.775x); bench/RESULTS.md 2026-11-29, entry 48",
     1, NULL},
    {"160 < M <= 192, N >= 2048, at most 66 swapped tiles of 96x128 (N <= 4224), K >= 4096", swapped_96_rows, "sw96_k2",
     "measured on an H200 (fp32 C, cuBLAS in the same run, 5 rounds), against the choice before: "
     "176x4096x8192 0.976x, 0.971x, 0.987x cuBLAS in three runs (tma_store_128x256_sk 0.861x, "
     "0.867x, 0.845x), 161x4096x8192 0.910x (0.830x), 192x4096x8192 0.905x, 0.894x (0.806x, "
     "0.782x), 176x4096x11008 0.910x (0.848x), 192x4096x16384 0.948x (0.845x), 192x3072x8192 "
     "0.850x (tma_store_128x128_sk 0.685x), 192x4096x4096 0.961x, 0.988x, 1.019x (0.719x, "
     "0.720x, 0.720x); at N = 2048 a tie with no workspace (176x2048x8192 0.815x against "
     "0.819x); bench/RESULTS.md 2026-11-29, entry 47",
     1, NULL},
    {"160 < M <= 192, N >= 2048, 67 to 132 swapped tiles of 96x128 (N <= 8448), K >= 4096", swapped_96_rows_wide, "sw96",
     "measured on an H200 (fp32 C, cuBLAS in the same run, 5 rounds), against the choice before: "
     "192x8192x8192 0.898x, 0.922x, 0.879x cuBLAS in three runs (tma_store_128x128 0.823x, "
     "0.810x, 0.812x; sw96_k2 0.798x, 0.815x, 0.817x), 176x6144x8192 0.817x (0.763x), "
     "192x8192x4096 0.919x (0.841x), 168x8192x16384 0.851x (0.678x); bench/RESULTS.md "
     "2026-11-29, entry 47",
     1, NULL},
    {"160 < M <= 192, past 132 tiles of 96x128, at most 264 of 192x128 (N <= 33792), K >= 4096", swapped_192_rows, "sw192",
     "measured on an H200 (fp32 C, cuBLAS in the same run, 5 rounds), against the choice before: "
     "192x11008x4096 0.868x cuBLAS (tma_store_128x192 0.836x), 176x14336x4096 0.881x "
     "(tma_store_128x256 0.759x), 192x16384x8192 0.922x (tma_store_128x256 0.823x), "
     "168x12288x16384 0.858x (tma_store_128x192 0.808x), 161x9216x8192 0.854x (0.797x); past "
     "one wave (3 rounds): 192x28672x4096 0.925x (tma_store_128x256 0.844x), 184x32768x8192 "
     "0.930x (0.792x), 176x22016x4096 0.760x (tma_store_128x128 0.643x), 192x22016x8192 0.783x "
     "(tma_store_128x192 0.793x, a tie); bench/RESULTS.md 2026-11-29, entry 48",
     1, NULL},
    {"192 < M <= 200, N >= 3840, 31 to 66 128x128 tiles, K >= 8192, a workspace for stream-K",
     stream_k_few_tiles_ragged_m, "tma_store_128x256_sk",
     "measured on an H200 (fp32 C, cuBLAS in the same run, two runs), against tma_store_128x128_sk, "
     "the choice before: 160x4096x8192 0.772x, 0.771x cuBLAS (0.562x, 0.546x), 200x4096x8192 "
     "0.847x, 0.849x (0.740x, 0.722x), 192x4096x11008 0.818x, 0.874x (0.764x, 0.760x); "
     "200x4096x16384 0.837x (0.830x); not at M = 224 (0.920x, 0.935x against 0.960x, 1.036x), 256 "
     "or K = 4096 (200x4096x4096 0.698x against 0.778x); bench/RESULTS.md 2026-11-29, entry 45 "
     "(M <= 160: the sw80_k2 row since entry 46, M <= 192 the sw96 rows since entry 47)",
     1, NULL},
    {"M, N > 128, 31 to 66 128x128 tiles, K >= 4000, a workspace for stream-K", stream_k_few_tiles,
     "tma_store_128x128_sk",
     "measured on an H200 (fp32 C, cuBLAS in the same run), against the choice before: "
     "1024x1024x8192 0.90-0.92x cuBLAS (tma_store_128x128 0.73-0.74x), 768x1024x8192 0.990x "
     "(0.751x), 512x2048x8192 0.938x (0.746x), 256x4096x8192 0.922x (0.757x), 1024x1024x16384 "
     "0.964x (ws split through the workspace 0.800x), 200x4096x8192 0.759x (0.684x; the row above's "
     "since entry 45), entry 43; "
     "1024x1024x4096 0.830x (tma_store_128x64 0.762x), 768x1024x4096 0.900x (0.826x), "
     "512x2048x6144 0.915x (tma_store_128x128 0.759x), 1000x1000x4000 0.821x (0.782x); not at "
     "K = 3072 (0.803x against 0.800x) or 2048 (0.676x against 0.768x), entry 44; "
     "bench/RESULTS.md 2026-11-29",
     1, NULL},
    {"M > 128 with the last 128 rows at least 96 full, N >= 2048, past 66 128x128 tiles, at most 66 of "
     "128x192, K >= 8192", split_in_cluster_2_128x192, "ks2_128x192",
     "measured on an H200 (fp32 C, cuBLAS in the same run, 5 rounds, two runs), against "
     "tma_store_128x128, the choice before: 384x4096x8192 0.905x, 0.903x cuBLAS (0.869x, 0.864x), "
     "640x2048x8192 0.865x, 0.865x (0.802x, 0.806x), 384x4096x11008 0.901x (0.856x), "
     "384x4096x16384 0.966x (0.881x), 512x3072x8192 0.892x (0.843x), 768x2048x8192 0.885x "
     "(0.866x), 352x4096x8192 0.873x (0.851x); not at K = 4096 (384x4096x4096 0.915x against "
     "0.928x, 512x3072x4096 0.842x against 0.862x) or M = 320, 288 (0.768x, 0.750x against "
     "0.822x, 0.798x; 0.667x against 0.762x); bench/RESULTS.md 2026-11-29, entry 48",
     1, NULL},
    {"M, N >= 4096, K >= 16384, a workspace for stream-K", large_mn_long_k, "tma_store_256x192_sk",
     "measured on an H200 (fp32 C, cuBLAS in the same run): 8192x8192x28672 718.4 TFLOP/s = "
     "1.063x cuBLAS (tma_store_128x256_sk, the choice before, 1.012x; tma_store_256x192 without "
     "stream-K 1.045x), 4096x8192x28672 1.041x (tma_store_128x256, the choice before, 1.009x; "
     "1.001x); bench/RESULTS.md 2026-11-29, entry 42",
     1, NULL},
    {"M, N >= 4096, M*N <= 8192*4096", large_mn_few_tiles, "tma_store_128x256",
     "measured on the H100 with every call's A and B on 256-byte boundaries (fp32 C, cuBLAS in "
     "the same run): 4096^3 734.9 TFLOP/s = 0.981x cuBLAS (mc_2x1_128x256, the choice before, "
     "0.972x; tma_store 0.964x), 8192x4096x4096 0.966x (0.963x), 4096x8192x4096 0.981x "
     "(0.965x), 6144x4096x4096 0.970x (0.967x), 8192x4096x11008 0.985x (0.974x), 4096x4096x8192 "
     "0.989x (0.999x); 4096^3 bf16 C 0.981x (0.974x): within a percent or two, ahead on five of "
     "six; bench/RESULTS.md 2026-11-27, entry 31. On an H200 256x192 tiles were not ahead "
     "(entry 42): 4096x4096x11008 0.962x against 0.984x, 8192x4096x11008 0.959x against 0.969x",
     1, NULL},
    {"M, N >= 4096, K >= 8192, a workspace for stream-K", large_mn_k8192, "tma_store_256x192_sk",
     "measured on an H200 (fp32 C, cuBLAS in the same run): 8192^3 695.2 TFLOP/s = 1.057x "
     "cuBLAS (tma_store, the choice before, 0.997x; tma_store_256x192 without stream-K 1.023x), "
     "4096x28672x8192 1.048x (tma_store_128x256_sk, the choice before, 1.003x; 1.032x), "
     "8192x28672x8192 1.034x (0.977x; 1.034x); bench/RESULTS.md 2026-11-29, entry 42",
     1, NULL},
    {"M, N >= 4096", large_mn, "tma_store_256x192",
     "measured on an H200 (fp32 C, cuBLAS in the same run, two runs): 4096x12288x4096 1.014x, "
     "1.012x cuBLAS (tma_store, the choice before, 0.961x, 0.999x), 8192x12288x4096 1.017x, "
     "1.011x (0.943x, 0.965x), 4096x22016x4096 1.033x, 1.000x (0.981x, 0.968x), "
     "8192x22016x4096 1.016x (0.984x); 8192^3 without a workspace 0.997x, 1.023x (0.984x, "
     "0.997x); bf16 C 8192x12288x4096 1.044x (1.010x), 8192^3 1.010x (0.985x); "
     "bench/RESULTS.md 2026-11-29, entry 42",
     1, NULL},
    {"1 <= M <= 16, N <= 1024 (what the decode family takes)",
     decode_m16_narrow, "decode_m16",
     "measured on the H100 with L2 flushed (fp32 C, cuBLAS in the same run): 1x1024x8192 0.979x "
     "cuBLAS (decode_m16_k8 0.937x, decode_m16_s1 0.691x), 16x1024x8192 0.991x (0.963x, 0.752x), "
     "1x512x4096 1.120x (1.005x, 0.782x); bench/RESULTS.md 2026-11-27, entry 26. Shapes the "
     "decode family cannot take fall to the next rules",
     0, NULL},
    {"1 <= M <= 16, N <= 2048 (what the decode family takes)",
     decode_m16_mid, "decode_m16_k8",
     "measured on the H100 with L2 flushed (fp32 C, cuBLAS in the same run): 1x2048x8192 1.065x "
     "cuBLAS (decode_m16_s1 0.873x), 1x2048x4096 1.017x (decode_m16_s1 0.942x, decode_m16 "
     "0.808x); bench/RESULTS.md 2026-11-27, entry 26. Shapes the decode family cannot take fall "
     "to the next rules",
     0, NULL},
    {"1 <= M <= 16, 192 to 528 blocks of 64 columns (N = 12225..33792), A and B TMA can read",
     decode_m16_resident, "sw16_x4",
     "measured on an H200 (fp32 C, cuBLAS in the same run), L2 flushed: 16x28672x8192 "
     "0.976-1.044x cuBLAS in six runs, 0.92-0.96 of a streaming read of the same bytes (sw16, "
     "the choice before, 0.952-0.962x in three, 0.86-0.89), warm 1.023x (0.941x); 1x28672x8192 "
     "1.021x (0.947x), 8x22016x4096 1.042x (0.917x; decode_m8 1.006x), 16x16384x8192 0.982x "
     "(0.959x), 16x16384x4096 0.984x (0.988x); below N = 16384, against decode_m16_s1: "
     "16x14336x8192 1.006x (0.944x), 16x12288x4096 0.996x (0.977x), warm 1.004x (0.888x); where "
     "the rule says no, 16x8192x8192 (128 blocks) 0.880x against decode_m16_s1's 0.995x; "
     "bench/RESULTS.md 2026-11-28, entry 38. A or B TMA cannot read: the next rules",
     0, NULL},
    {"1 <= M <= 16, 128 to 132 blocks of 64 columns (N = 8129..8448), K >= 8192, A and B TMA can "
     "read",
     decode_m16_one_block_an_sm, "sw16",
     "measured on an H200 (fp32 C, cuBLAS in the same run, three rounds), L2 flushed clean / warm / "
     "flushed write-only: 1x8192x8192 0.970x / 0.953x / 0.979x cuBLAS (decode_m8, the choice "
     "before, 0.911x / 0.912x / 0.991x), 16x8192x8192 0.938x / 0.968x / 0.965x (decode_m16_s1, "
     "the choice before, 0.896x / 0.914x / 0.975x); again with every contender warmed up 100 ms "
     "and the order rotated: 0.960x / 0.960x / 0.979x (0.920x / 0.931x / 0.995x) and 0.925x / "
     "0.932x / 0.973x (0.874x / 0.903x / 1.001x); bench/RESULTS.md 2026-11-28, entry 41. A or B "
     "TMA cannot read: the next rules",
     0, NULL},
    {"1 <= M <= 16, N >= 16384, A and B TMA can read", decode_m16_wide, "sw16",
     "measured on the H100 (fp32 C, cuBLAS in the same run, two runs): 16x28672x8192 with L2 "
     "flushed 2.69-2.72 TB/s = 1.02-1.04x cuBLAS, 0.945-0.956 of a streaming read of the same "
     "bytes (decode_m16_s2, the choice before, 0.966-0.971x; decode_m16_s1 0.951x), warm "
     "1.00x (0.95x); 1x28672x8192 1.022x flushed, 1.032x warm (decode_m8 0.945x, 0.972x); "
     "8x16384x4096 1.014x flushed, 1.013x warm (decode_m8 1.061x, 0.979x); bench/RESULTS.md "
     "2026-11-27, entry 32. A or B TMA cannot read: the next rule",
     0, NULL},
    {"1 <= M <= 8, N = K = 4096 (B, 32 MiB, fits the L2), A and B TMA can read",
     decode_m8_in_l2, "sw8_k4",
     "measured on the H100 (fp32 C, cuBLAS in the same run, two runs): 1x4096x4096 warm "
     "(L2-resident) 13.3-13.4 us = 1.05-1.11x cuBLAS (decode_m8, the choice before, 0.76-0.83x), "
     "with L2 flushed 0.96-0.99x (decode_m8 1.11-1.15x); 8x4096x4096 warm 12.3 us against "
     "decode_m8's 17.2, flushed 23.2 against 19.8; bench/RESULTS.md 2026-11-27, entry 32",
     0, NULL},
    {"1 <= M <= 16, N >= 16384 (what the decode family takes)",
     decode_m16_wide, "decode_m16_s2",
     "measured on the H100 with L2 flushed (fp32 C, cuBLAS in the same run): 16x28672x8192 2.551 "
     "TB/s = 0.966x and 0.968x cuBLAS in two runs (decode_m16_s1 0.947x, decode_m16 0.929x, "
     "tma_wgmma_64 0.943x); bench/RESULTS.md 2026-11-27, entry 25. Shapes the decode family "
     "cannot take fall to the next rules",
     0, NULL},
    {"1 <= M <= 8 (what the decode family takes)", decode_m8, "decode_m8",
     "measured on the H100 with L2 flushed (fp32 C, cuBLAS in the same run): 1x8192x8192 0.989x "
     "cuBLAS (decode_m16_s1 0.976x), 8x8192x8192 1.015x (0.988x), 1x4096x4096 1.132x (1.108x), "
     "1x14336x4096 1.027x (1.018x), 1x4096x14336 1.059x (1.044x); bench/RESULTS.md 2026-11-27, "
     "entry 26. Shapes the decode family cannot take fall to the next rules",
     0, NULL},
    {"1 <= M <= 16 (what the decode family takes)", decode_m16,
     "decode_m16_s1",
     "measured on the H100 with L2 flushed (fp32 C, cuBLAS in the same run, up to four runs): "
     "1x8192x8192 0.976-1.000x cuBLAS (decode_m16, the choice before, 0.86-0.89x), 16x8192x8192 "
     "0.999-1.013x, 1x4096x4096 1.117-1.131x, 1x14336x4096 1.046-1.055x, 1x4096x14336 1.038x; "
     "bench/RESULTS.md 2026-11-27, entry 25. Shapes the decode family cannot take fall to the "
     "next rules",
     0, NULL},
    {"17 <= M <= 32, 192 to 396 blocks of 64 columns (N = 12225..25344), A and B TMA can read",
     skinny_m32_resident, "sw32_x3",
     "measured on an H200 with L2 flushed (fp32 C, cuBLAS in the same run): 24x22016x4096 1.006x "
     "cuBLAS (sw32_k2, the choice before, 0.881x; sw32 0.888x), warm 0.990x (0.820x), "
     "32x16384x4096 0.990x (0.911x; sw32 0.939x), warm 0.954x (0.863x); where the rule says no, "
     "32x28672x8192 (448 blocks, two waves at three an SM) 0.843x against sw32_k2's 0.917x, "
     "32x8192x8192 (128 blocks) 0.951x against sw32's 0.974x; bench/RESULTS.md 2026-11-28, entry "
     "38. A or B TMA cannot read: the next rules",
     0, NULL},
    {"17 <= M <= 32, N <= 4096 or N >= 16384, A and B TMA can read", skinny_m32_few_or_wide,
     "sw32_k2",
     "measured on the H100 with L2 flushed (fp32 C, cuBLAS in the same run, two runs): "
     "32x4096x4096 0.918x, 0.912x cuBLAS (sw32 0.902x, 0.898x; ws_64, the choice before, 0.816x, "
     "0.805x), 32x28672x8192 0.966x, 0.986x (sw32 0.967x, 0.986x; ws_64 0.934x, 0.951x); on an "
     "H200 32x4096x4096 1.004x, 1.040x (sw32 0.868x, 0.899x), 32x28672x8192 0.881x, 0.890x (sw32 "
     "0.847x, 0.857x); bench/RESULTS.md 2026-11-28, entry 35. A or B TMA cannot read: the next "
     "rules",
     0, NULL},
    {"17 <= M <= 32, A and B TMA can read", skinny_m32, "sw32",
     "measured on the H100 with L2 flushed (fp32 C, cuBLAS in the same run, two runs): "
     "32x8192x8192 0.978x, 0.977x cuBLAS (ws_64, the choice before, 0.967x, 0.968x; sw32_k2 "
     "0.970x, 0.968x), 24x8192x8192 0.972x, 0.977x (0.955x, 0.959x), 17x8192x8192 0.981x, "
     "0.980x (0.926x, 0.920x), 32x8192x28672 1.022x, 1.027x (0.987x, 0.992x; sw32_k2 1.048x, "
     "1.046x); warm 0.98x against 0.87-0.95x; on an H200 32x8192x8192 0.959x, 0.964x (ws_64 "
     "0.852x, 0.854x); bench/RESULTS.md 2026-11-28, entry 35. A or B TMA cannot read: the next "
     "rule",
     0, NULL},
    {"M <= 64", skinny_m64, "ws_64",
     "measured on the H100 with L2 flushed (fp32 C, cuBLAS in the same run): 32x8192x8192 0.961x "
     "cuBLAS (tma_wgmma_64 0.912x, decode_m32 0.817x), 64x8192x8192 0.968x (tma_wgmma_64 0.925x), "
     "64x28672x8192 0.964x (ws 0.920x); bench/RESULTS.md 2026-11-27, entry 25. M = 17..32 goes to "
     "the rows above since entry 35",
     1, NULL},
    {"M*N >= 2048^2, 128x192 tiles in fewer waves' worth of work than 128x256",
     mid_mn_fuller_192, "tma_store_128x192",
     "measured on the H100 (fp32 C, cuBLAS in the same run), against tma_store_128x256: 3072^3 "
     "684.1 TFLOP/s = 0.945x cuBLAS (0.734x), 2048x3072x4096 0.980x (0.774x), 3072x3072x8192 "
     "0.949x (0.748x), 1536x3072x4096 0.749x (0.577x), 3072x6144x4096 0.960x (0.869x), "
     "6144x3072x4096 0.964x (0.865x); where its arithmetic says no, 2560^3 0.711x (0.813x) and "
     "4096^3 (a shape the rows above take) 0.849x (0.977x); bench/RESULTS.md 2026-11-27, entry 31",
     1, NULL},
    {"M*N >= 2048^2", mid_mn, "tma_store_128x256",
     "measured on the H100 with every call's A and B on 256-byte boundaries (fp32 C, cuBLAS in "
     "the same run), ahead of mc_2x1_128x256 (the choice before) on every shape of the class "
     "tried: 2048^3 573.6 TFLOP/s = 0.966x cuBLAS (0.893x), 2048x4096x2048 0.966x (0.925x), "
     "4096x2048x2048 0.966x (0.920x), 2560^3 0.818x (0.789x), 3072^3 0.738x (0.720x), "
     "2048x2048x8192 0.988x (0.962x), 2048x3072x4096 0.788x (0.768x), 4095^3 (A and B packed) "
     "4.24x (4.18x); 2048^3 bf16 C 0.981x (0.927x); bench/RESULTS.md 2026-11-27, entry 31",
     1, NULL},
    {"M*N >= 768^2, K <= 4096, at most 132 128x64 tiles, rows of A and B on 128-byte lines",
     small_mn_one_wave_128x64, "tma_store_128x64",
     "measured on the H100 (fp32 C, cuBLAS in the same run, two runs), against mc_2x1_128x128 "
     "(the choice before from 256 rows) as ratios within a run: 1024^3 1.27x, 1.28x; 768^3 "
     "1.30x, 1.33x; 1024x1024x4096 1.23x, 1.22x; 512x2048x2048 1.25x, 1.24x; where the rule "
     "says no, 1000^3 (rows off the lines) 0.98x, 0.96x, 1152^3 (162 tiles) 0.90x. Below 256 "
     "rows, against ws (the choice before), ratios to cuBLAS: 128x8192x4096 0.976x, 0.968x "
     "(0.826x, 0.825x), 255x4096x1024 1.350x, 1.380x (0.942x, 0.973x), 200x4096x4096 0.809x, "
     "0.797x (0.683x, 0.683x); bench/RESULTS.md 2026-11-28, entry 33",
     1, NULL},
    {"M*N >= 768^2, 128x256 tiles in the fewest waves' worth of work", small_mn_256,
     "tma_store_128x256",
     "measured on an H200 (fp32 C, cuBLAS in the same run, two runs): 1792^3 0.857x, 0.850x "
     "cuBLAS (tma_store_128x128, the choice before, 0.813x: 196 tiles, 2 waves, against 98 in "
     "one); bench/RESULTS.md 2026-11-28, entry 37; 128x28672x8192 1.093x, 1.095x (112 tiles; "
     "the M <= 128, N >= 20480 row took the same tile; tma_store_128x128 1.016x, 1.034x), "
     "128x28672x4096 1.058x (tma_store_128x128 1.006x, 128x192 0.762x); entry 38",
     1, NULL},
    {"M*N >= 768^2, 128x192 tiles in the fewest waves' worth of work", small_mn_192,
     "tma_store_128x192",
     "measured on an H200 (fp32 C, cuBLAS in the same run, two runs), against tma_store_128x128 "
     "(the choice before): 1536^3 0.819x, 0.839x cuBLAS (0.638x: 144 tiles, 2 waves, against 96 in "
     "one), 192x12288x4096 0.954x, 0.947x (0.710x), 256x12288x4096 0.946x, 0.933x (0.765x); "
     "where the rule keeps 128x128 (the first run), 1280^3 1.111x (128x192 0.889x), 384x4096x4096 "
     "1.041x (0.782x); bench/RESULTS.md 2026-11-28, entry 37; against tma_store_128x256 (the M "
     "<= 128, N >= 20480 row's, the choice before): 128x22016x4096 1.041x, 1.039x, 1.015x in "
     "three runs (1.002x, 0.996x, 0.981x), 96x22016x4096 0.976x (0.931x), 128x20480x4096 0.996x "
     "(0.960x), 128x24576x4096 1.020x (0.990x), 128x22016x8192 1.058x (1.021x); entry 38",
     1, NULL},
    {"M*N >= 768^2", small_mn, "tma_store_128x128",
     "measured on the H100 (fp32 C, cuBLAS in the same run, two runs), against mc_2x1_128x128 "
     "(the choice before from 256 rows): 1000^3 1.153x, 1.247x cuBLAS (1.002x, 1.070x), 1152^3 "
     "1.094x, 1.110x (0.913x, 0.930x), 1280^3 1.070x, 0.902x (0.923x, 0.779x), 1536^3 0.693x, "
     "0.695x (0.640x, 0.642x), 1024x2048x1024 1.131x, 1.078x (0.981x, 0.936x), 1024x1024x8192 "
     "0.742x, 0.756x (0.666x, 0.680x); against ws (below 256 rows): 128x12288x4096 0.987x, "
     "0.983x (0.931x, 0.926x), 192x8192x4096 0.875x, 0.881x (0.816x, 0.817x), 128x12288x1024 "
     "0.917x, 0.927x (0.800x, 0.809x); bench/RESULTS.md 2026-11-28, entry 33",
     1, NULL},
    {"M*N < 768^2", any_shape, "ws_64",
     "measured on the H100 (fp32 C, cuBLAS in the same run): 128x4096x4096 186.3 TFLOP/s = 0.909x "
     "cuBLAS (tma_wgmma_64, the choice before, 0.810x; ws 0.671x), 512x512x8192 unsplit 0.636x "
     "(tma_wgmma_64 0.523x); bench/RESULTS.md 2026-11-27, entry 25",
     1, NULL},
    {"any shape TMA cannot read without a workspace to pack into", any_shape, "warp64",
     "the fastest micro configuration measured on the H100: 8192^3 450.7 TFLOP/s (seed 375.3, "
     "split8 392.5, b256 412.8), 4096^3 373.6 (b256 382.1, within the +-5% run-to-run spread); "
     "bench/RESULTS.md 2026-11-24, entry 4. The micro family reads any layout",
     0, NULL},
};

const int tg_nrules = (int)(sizeof tg_rules / sizeof tg_rules[0]);
