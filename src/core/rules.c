/*
 * rules.c — the dispatcher's table (dispatch.c walks it): the rows, read
 * top to bottom; the first whose shape class (classes.h) holds and whose
 * configuration takes the arguments wins. Each row says which measurement
 * chose it (bench/RESULTS.md), or that none has yet.
 */
#include <string.h>

#include "core/classes.h"
#include "core/rules.h"

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
    {"33 <= M <= 64, N >= 33, at most 17 64x64 tiles, K >= 4096", m_33_64_split_8_deep,
     "ks8_64x64_deep",
     "measured on an H200 (fp32 C, cuBLAS in the same run), L2 flushed clean, two runs (3 and 5 "
     "rounds), against ks8_64x64, the choice before: 48x1024x8192 0.971x, 1.002x cuBLAS (0.898x, "
     "0.930x), 64x1040x8192 0.981x, 0.951x (0.920x, 0.895x), 64x512x8192 0.901x, 0.935x (0.870x, "
     "0.871x), 48x1024x4096 1.027x, 1.011x (0.991x, 0.978x); 56x768x8192 0.947x (0.874x), "
     "40x1088x6144 1.028x (0.987x); warm within 3 % either way; not on 24 tiles (48x1536x4096 "
     "0.880x against 0.900x) nor at K = 2048 (64x512x2048: a tie); bench/RESULTS.md 2026-11-29, "
     "entry 55",
     1, NULL},
    {"33 <= M <= 64, N >= 33, at most 24 64x64 tiles with K >= 4096, at most 17 with K >= 2048",
     m_33_64_split_8, "ks8_64x64",
     "measured on an H200 (fp32 C, cuBLAS in the same run, 3 rounds), L2 flushed clean / warm, "
     "against the choice before: 64x512x8192 0.859x / 1.146x cuBLAS (ks2_64x64 0.488x / 0.558x), "
     "64x1024x8192 0.882x / 1.166x (0.566x / 0.636x), 48x1024x4096 1.009x / 1.254x (0.772x / "
     "0.845x), 48x1040x2048 1.034x / 1.069x (ws_64 0.714x / 0.672x); ahead on all 24 shapes of M "
     "48, 64 x N 512..1536 x K 2048..8192, but at N = 1536 and K = 2048 ks4_64x64 (its row) "
     "as fast or faster (40x1536x2048 0.923x against 0.870x); bench/RESULTS.md 2026-11-29, entry "
     "54",
     1, NULL},
    {"33 <= M <= 64, N >= 33, 25 to 48 64x64 tiles with K >= 4096, 18 to 40 with K >= 2048",
     m_33_64_split_4, "ks4_64x64",
     "measured on an H200 (fp32 C, cuBLAS in the same run, 3 rounds), L2 flushed clean / warm, "
     "against the choice before: 64x2048x4096 0.947x / 1.030x cuBLAS (ks2_64x64 0.852x / "
     "0.895x), 48x2048x2048 0.793x / 0.847x (ws_64 0.653x / 0.599x), 64x3072x8192 1.029x / "
     "1.026x (ks2_64x64 0.960x / 0.947x), 48x3072x4096 1.006x / 0.856x (0.998x / 0.834x), "
     "40x1536x2048 0.923x / 1.650x (ks8_64x64 0.870x / 1.544x); not on 41 to 48 tiles at K = "
     "2048 (48x3072x2048 0.816x against ks2_64x64's 0.839x); bench/RESULTS.md 2026-11-29, entry "
     "54",
     1, NULL},
    {"the smaller of M, N in 33..64, at most 66 64x64 tiles, K >= 4096 (K >= 2048 for M in 33..64)",
     side_33_64_few_tiles, "ks2_64x64",
     "measured on an H200 with L2 flushed (fp32 C, cuBLAS in the same run, two runs): 48x4096x4096 "
     "1.008x, 0.986x cuBLAS (ws_64, the choice before, 0.819x), 64x4096x4096 0.923x, 0.935x "
     "(0.760x), 48x4096x11008 0.970x, 0.970x (0.740x), 64x4096x11008 1.023x, 1.006x (0.776x), "
     "4096x64x4096 0.929x, 0.933x (0.759x); bench/RESULTS.md 2026-11-28, entry 37; at K = 2048 "
     "with L2 flushed clean / warm: 48x4096x2048 0.782x / 0.885x (ws_64 0.702x / 0.683x), "
     "64x4096x2048 0.884x / 1.095x (0.721x / 0.828x); entry 54",
     1, NULL},
    {"the smaller of M, N in 33..64, 133 to 264 64x64 tiles", side_33_64_two_waves, "tma_wgmma_64",
     "measured on an H200 with L2 flushed (fp32 C, cuBLAS in the same run, two runs): "
     "48x12288x4096 0.972x, 0.978x cuBLAS (ws_64, the choice before, 0.817x), 64x12288x4096 "
     "0.973x, 0.979x (0.821x); where the rule says no (the first run), 64x8192x8192 (128 tiles) "
     "0.850x against ws_64's 0.966x, 64x28672x8192 (448) 0.799x against 0.845x; bench/RESULTS.md "
     "2026-11-28, entry 37",
     1, NULL},
    {"33 <= M <= 64, more than 264 64x64 tiles, at most 132 of 64x256, K >= 4096", m_33_64_wide,
     "ws_64x256",
     "measured on an H200 (fp32 C, cuBLAS in the same run, 3 rounds), L2 flushed clean / warm, "
     "against ws_64, the choice before: 64x28672x8192 0.978x / 0.983x cuBLAS (0.839x / 0.860x), "
     "48x28672x4096 0.950x / 0.968x (0.786x / 0.821x), 64x22016x8192 1.001x / 1.020x (0.833x / "
     "0.895x), 56x18432x8192 0.961x / 0.990x (0.751x / 0.764x), 48x17408x4096 0.897x / 0.932x "
     "(0.678x / 0.698x); the best of 10 tiles at 28672 columns (64x80 0.89-0.94x); on 265 to "
     "396 tiles tma_wgmma_64, three an SM, about as fast (0.868-0.982x / 0.889-1.023x, behind "
     "on 6 of 8), past them 0.79-0.87x; bench/RESULTS.md 2026-11-29, entry 55",
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
    {"160 < M <= 192, 133 to 264 swapped tiles of 192x128 (N 16897 to 33792), K >= 4096, a workspace for "
     "stream-K", swapped_192_rows_wide, "sw192_sk",
     "measured on an H200 (fp32 C, cuBLAS in the same run, 3 rounds, two runs), against sw192, the "
     "choice before: 192x22016x4096 0.868x, 0.876x cuBLAS (0.781x, 0.798x), 192x22016x8192 0.938x "
     "(0.795x), 176x22016x4096 0.835x (0.755x), 176x22016x8192 0.886x (0.750x), 192x18432x4096 "
     "0.825x (0.756x), 168x24576x4096 0.823x (0.792x), 192x28672x8192 1.003x (0.965x); ties at "
     "192x28672x4096 0.952x (0.959x) and 184x32768x4096 0.941x (0.939x; 256 tiles, no round "
     "shared); bench/RESULTS.md 2026-11-29, entry 49",
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
    {"M, N >= 4096, M*N <= 8192*4096", large_mn_few_tiles, "mc_2x1_128x256",
     "measured on an H200 (fp32 C, cuBLAS in the same run, three runs of 3 or 5 rounds) against "
     "tma_store_128x256, the choice before (chosen on the H100, entry 31, 0.2-1.6 % ahead there): "
     "ahead in 14 of 17 (shape, run) pairs, -0.6 to +5.8 %: 4096^3 0.995x / 0.989x / 0.981x "
     "cuBLAS (0.940x / 0.986x / 0.978x), 8192x4096x4096 1.002x / 0.990x (0.985x / 0.979x), "
     "4096x8192x4096 0.994x (0.978x), 4096x4096x8192 0.993x (0.975x), 8192x4096x11008 1.007x / "
     "0.968x (0.963x / 0.974x), 4096x4096x11008 1.029x / 0.981x (0.995x / 0.984x), 4096^3 bf16 "
     "C 0.982x / 0.976x (0.974x / 0.971x); bench/RESULTS.md 2026-11-29, entry 50",
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
    {"M = 1, N >= 1024, 2048 <= K <= 16384, not N = K = 4096 (B in the L2: sw8_k4's row)",
     decode_m1, "gemv_m1",
     "measured on an H200 (fp32 C, cuBLAS in the same run, three rounds), L2 flushed clean / warm, "
     "against the choice before: 1x8192x8192 1.034x / 1.040x cuBLAS, 0.954 of a streaming read "
     "of B (sw16 0.962x / 0.971x, 0.887), 1x28672x8192 1.034x / 1.097x (sw16_x4 0.946x / 1.004x), "
     "1x4096x8192 1.149x / 1.146x (decode_m8 0.880x / 0.866x), 1x16384x4096 0.997x / 1.022x "
     "(sw16_x4 0.941x / 0.948x), 1x8192x2048 0.992x / 0.819x (decode_m8 0.948x / 0.766x), ahead "
     "on all 15 shapes of N 4096..28672 x K 2048..14336; below N = 4096: 1x1024x8192 1.294x / "
     "1.977x (decode_m16 1.050x / 1.249x), 1x2048x8192 1.203x / 0.989x (decode_m16_k8 0.946x / "
     "0.758x), 1x2048x2048 1.036x / 2.012x (1.058x / 1.957x); where the rule says no, K = 1024 "
     "and 512 (1x4096x1024 0.925x / 1.227x against decode_m8's 1.019x / 1.408x); the decode "
     "suite's 1x8192x8192 1.026x flushed clean, 0.953 of the streaming read; bench/RESULTS.md "
     "2026-11-29, entry 52",
     0, NULL},
    {"M = 1, N >= 4096, 16384 < K <= 32768", decode_m1_long_k, "gemv_m1_long",
     "measured on an H200 (fp32 C, cuBLAS in the same run, three rounds), L2 flushed clean / warm, "
     "against the choice before: 1x8192x28672 0.996x / 1.005x cuBLAS, 0.942 of a streaming read "
     "of B (sw16 0.980x / 0.980x), 1x4096x28672 0.957x / 0.977x (decode_m8 0.729x / 0.733x), "
     "1x8192x20480 0.973x / 0.991x (sw16 0.953x / 0.956x); bench/RESULTS.md 2026-11-29, entry 52",
     0, NULL},
    {"1 <= M <= 16, N <= 512, K >= 8192 (what the decode family takes)", decode_m16_split_8,
     "decode_m16_s8",
     "measured on an H200 (fp32 C, cuBLAS in the same run, 3 rounds), L2 flushed clean / warm, "
     "against decode_m16, the choice before: 1x512x8192 1.115x / 1.432x cuBLAS (0.922x / "
     "1.170x), 8x512x8192 1.054x / 1.374x (0.921x / 1.208x), 13x512x8192 1.033x / 1.337x "
     "(0.895x / 1.163x), 16x512x8192 1.006x / 1.297x (0.900x / 1.183x); at K = 4096 a tie, so "
     "not there; bench/RESULTS.md 2026-11-29, entry 54. Shapes the decode family cannot take "
     "fall to the next rules",
     0, NULL},
    {"1 <= M <= 16, 9 to 24 blocks of 64 columns (N = 513..1536), K >= 8192 (K >= 4096 past N = "
     "1024), A and B TMA can read",
     decode_m16_swapped_split_8, "sw16_k8",
     "measured on an H200 (fp32 C, cuBLAS in the same run, 3 rounds), L2 flushed clean / warm, "
     "against the choice before: 16x1024x8192 1.030x / 1.089x cuBLAS (decode_m16 0.911x / "
     "0.957x), 4x1024x8192 1.003x / 1.079x (0.937x / 0.997x), 16x1536x8192 0.986x / 1.063x "
     "(decode_m16_k8 0.817x / 0.743x), 8x1536x8192 0.988x / 1.003x (0.810x / 0.716x), "
     "13x1536x4096 1.006x / 1.295x (0.935x / 1.048x); on shapes outside that map 12x1408x14336 "
     "1.011x / 0.865x (0.688x / 0.522x); not at N <= 1024 below K = 8192 (4x1024x4096 1.014x / "
     "1.372x against decode_m16's 1.052x / 1.439x, 3x768x4096 1.078x / 1.393x against 1.164x / "
     "1.585x); bench/RESULTS.md 2026-11-29, entry 54. A or B TMA cannot read: the next rules",
     0, NULL},
    {"1 <= M <= 16, 25 to 48 blocks of 64 columns (N = 1537..3072), K >= 8192, A and B TMA can "
     "read",
     decode_m16_swapped_split_4, "sw16_k4",
     "measured on an H200 (fp32 C, cuBLAS in the same run, 3 rounds), L2 flushed clean / warm, "
     "against the choice before: 16x2048x8192 0.998x / 1.019x cuBLAS (decode_m16_k8 0.956x / "
     "0.949x), 13x2048x8192 0.988x / 0.779x (0.872x / 0.663x), 4x3072x8192 0.986x / 1.037x "
     "(decode_m8 0.777x / 0.700x), 13x3072x8192 0.978x / 1.042x (decode_m16_s1 0.754x / 0.684x), "
     "16x3072x8192 0.994x / 1.045x (0.857x / 0.767x); bench/RESULTS.md 2026-11-29, entry 54. A "
     "or B TMA cannot read: the next rules",
     0, NULL},
    {"1 <= M <= 8, 49 to 64 blocks of 64 columns (N = 3073..4096), K >= 8192, A and B TMA can read",
     decode_m8_swapped_split_2, "sw8_k2",
     "measured on an H200 (fp32 C, cuBLAS in the same run, 3 rounds), L2 flushed clean / warm, "
     "against decode_m8, the choice before: 2x4096x8192 0.996x / 0.991x cuBLAS (0.845x / "
     "0.816x), 4x4096x8192 1.014x / 0.993x (0.835x / 0.838x), 8x4096x8192 0.989x / 0.971x "
     "(0.957x / 0.956x); bench/RESULTS.md 2026-11-29, entry 54. A or B TMA cannot read: the next "
     "rules",
     0, NULL},
    {"1 <= M <= 16, N <= 1024 (what the decode family takes)",
     decode_m16_narrow, "decode_m16",
     "measured on the H100 with L2 flushed (fp32 C, cuBLAS in the same run): 1x1024x8192 0.979x "
     "cuBLAS (decode_m16_k8 0.937x, decode_m16_s1 0.691x), 16x1024x8192 0.991x (0.963x, 0.752x), "
     "1x512x4096 1.120x (1.005x, 0.782x); bench/RESULTS.md 2026-11-27, entry 26. Shapes the "
     "decode family cannot take fall to the next rules",
     0, NULL},
    {"1 <= M <= 8, N = K = 4096 (B, 32 MiB, fits the L2), A and B TMA can read",
     decode_m8_in_l2, "sw8_k4",
     "measured on the H100 (fp32 C, cuBLAS in the same run, two runs): 1x4096x4096 warm "
     "(L2-resident) 13.3-13.4 us = 1.05-1.11x cuBLAS (decode_m8, the choice before, 0.76-0.83x), "
     "with L2 flushed 0.96-0.99x (decode_m8 1.11-1.15x); 8x4096x4096 warm 12.3 us against "
     "decode_m8's 17.2, flushed 23.2 against 19.8; bench/RESULTS.md 2026-11-27, entry 32",
     0, NULL},
    {"1 <= M <= 16, N <= 2048, or N <= 4096 with K <= 8192 (what the decode family takes)",
     decode_m16_mid, "decode_m16_k8",
     "measured on the H100 with L2 flushed (fp32 C, cuBLAS in the same run): 1x2048x8192 1.065x "
     "cuBLAS (decode_m16_s1 0.873x), 1x2048x4096 1.017x (decode_m16_s1 0.942x, decode_m16 "
     "0.808x); bench/RESULTS.md 2026-11-27, entry 26. N = 2049..4096 on an H200 (3 rounds), L2 "
     "flushed clean / warm, against the choice before: 2x3072x2048 1.022x / 1.226x (decode_m8 "
     "0.937x / 1.080x), 4x3072x4096 1.037x / 2.008x (0.908x / 1.759x), 2x4096x2048 1.006x / "
     "1.011x (0.954x / 0.931x), 13x3072x4096 1.012x / 1.337x (decode_m16_s1 0.866x / 1.153x), "
     "16x4096x4096 1.015x / 0.923x (0.970x / 0.902x), 13x4096x8192 0.966x / 0.987x (0.825x / "
     "0.836x); entry 54. Shapes the decode family cannot take fall to the next rules",
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
    {"1 <= M <= 16, 128 to 132 blocks of 64 columns (N = 8129..8448), K >= 3072, A and B TMA can "
     "read",
     decode_m16_one_block_an_sm, "sw16",
     "measured on an H200 (fp32 C, cuBLAS in the same run, three rounds, every contender warmed "
     "up 100 ms, the order rotated), L2 flushed clean / warm / flushed write-only: 1x8192x8192 "
     "0.960x / 0.960x / 0.979x cuBLAS (decode_m8, the choice before, 0.920x / 0.931x / 0.995x), "
     "16x8192x8192 0.925x / 0.932x / 0.973x (decode_m16_s1, the choice before, 0.874x / 0.903x "
     "/ 1.001x); bench/RESULTS.md 2026-11-28, entry 41; K = 3072..6144 (5 rounds, L2 flushed "
     "clean / warm): 2x8192x4096 0.936x / 0.953x (decode_m8 0.880x / 0.915x), 6x8192x3072 "
     "0.947x / 0.884x (0.886x / 0.808x), 11x8192x6144 0.939x / 0.953x (decode_m16_s1 0.845x / "
     "0.878x), 8x8192x4096 0.940x / 0.945x (0.923x / 0.954x); not at K = 2048 (16x8192x2048 "
     "0.937x / 1.123x against 0.871x / 1.221x); entry 54. A or B TMA cannot read: the next rules",
     0, NULL},
    {"1 <= M <= 16, N >= 16384, A and B TMA can read", decode_m16_wide, "sw16",
     "measured on the H100 (fp32 C, cuBLAS in the same run, two runs): 16x28672x8192 with L2 "
     "flushed 2.69-2.72 TB/s = 1.02-1.04x cuBLAS, 0.945-0.956 of a streaming read of the same "
     "bytes (decode_m16_s2, the choice before, 0.966-0.971x; decode_m16_s1 0.951x), warm "
     "1.00x (0.95x); 1x28672x8192 1.022x flushed, 1.032x warm (decode_m8 0.945x, 0.972x); "
     "8x16384x4096 1.014x flushed, 1.013x warm (decode_m8 1.061x, 0.979x); bench/RESULTS.md "
     "2026-11-27, entry 32. A or B TMA cannot read: the next rule",
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
    {"17 <= M <= 32, more than 396 blocks of 64 columns, at most 132 tiles of 64x256 (N = "
     "25345..33792), K >= 4096",
     skinny_m32_wide, "ws_64x256",
     "measured on an H200 (fp32 C, cuBLAS in the same run, 3 rounds), L2 flushed clean / warm, "
     "against sw32_k2, the choice before: 32x28672x8192 0.998x / 0.953x cuBLAS (0.924x / "
     "0.882x), 24x28672x4096 0.970x / 0.931x (0.894x / 0.851x), 32x32768x8192 0.959x / 0.963x "
     "(0.921x / 0.926x), 20x26624x4096 0.904x / 0.930x (0.842x / 0.864x), 17x28672x8192 0.940x / "
     "0.921x (0.897x / 0.884x); where the rule says no, on sw32_x3's 192 to 396 blocks, "
     "32x22016x4096 0.885x against sw32_x3's 0.939x, 24x16384x8192 0.899x against 0.947x; "
     "bench/RESULTS.md 2026-11-29, entry 55",
     1, NULL},
    {"17 <= M <= 32, at most 17 blocks of 64 columns (N <= 1088), K >= 4096, A and B TMA can read",
     skinny_m32_split_8_deep, "sw32_k8_deep",
     "measured on an H200 (fp32 C, cuBLAS in the same run), L2 flushed clean, two runs (3 and 5 "
     "rounds), against sw32_k8, the choice before: 24x1024x8192 0.942x, 0.981x cuBLAS (0.873x, "
     "0.913x), 32x512x8192 0.968x, 0.894x (0.905x, 0.850x), 32x1040x8192 1.048x, 1.023x (0.977x, "
     "0.957x), 20x384x14336 0.755x, 0.714x (0.698x, 0.664x), 24x1024x4096 1.026x, 1.014x (0.978x, "
     "0.986x); warm within 3 % either way; not on 24 blocks (32x1536x8192 0.910x, 0.929x against "
     "0.953x, 0.975x) nor at K = 2048 (32x512x2048: a tie); bench/RESULTS.md 2026-11-29, entry 55. "
     "A or B TMA cannot read: the next rules",
     0, NULL},
    {"17 <= M <= 32, at most 24 blocks of 64 columns (N <= 1536) with K >= 4096, at most 17 with K "
     ">= 2048, A and B TMA can read",
     skinny_m32_split_8, "sw32_k8",
     "measured on an H200 (fp32 C, cuBLAS in the same run, 3 rounds), L2 flushed clean / warm, "
     "against sw32_k2, the choice before: 32x512x8192 0.889x / 1.157x cuBLAS (0.509x / 0.582x), "
     "24x1024x4096 1.016x / 1.371x (0.754x / 0.945x), 32x1024x8192 0.927x / 1.075x (0.593x / "
     "0.587x), 24x1536x8192 0.963x / 1.000x (0.671x / 0.580x); ahead on all 30 shapes of M 24, "
     "32 x N 512..1536 x K 2048..8192, but at N = 1536 and K = 2048 sw32_k4 (its row) faster "
     "still (32x1536x2048 0.955x / 0.996x against 0.939x / 1.020x; sw32_k2 0.871x / 0.904x); "
     "bench/RESULTS.md 2026-11-29, entry 54. A or B TMA cannot read: the next rules",
     0, NULL},
    {"17 <= M <= 32, 25 to 48 blocks of 64 columns (N = 1537..3072) with K >= 4096, 18 to 24 with K "
     ">= 2048, A and B TMA can read",
     skinny_m32_split_4, "sw32_k4",
     "measured on an H200 (fp32 C, cuBLAS in the same run, 3 rounds), L2 flushed clean / warm, "
     "against sw32_k2, the choice before: 32x2048x4096 0.966x / 1.053x cuBLAS (0.859x / "
     "0.895x), 24x2048x8192 0.955x / 1.128x (0.776x / 0.873x), 32x3072x8192 1.046x / 1.011x "
     "(0.975x / 0.958x), 32x3072x4096 1.025x / 1.040x (1.023x / 0.900x); at K = 2048 on 18 to 24 "
     "blocks: 32x1536x2048 0.955x / 0.996x (0.871x / 0.904x), 24x1536x2048 0.948x / 0.976x "
     "(0.873x / 0.879x); on more a tie or behind there (32x2048x2048 0.894x against 0.903x); "
     "bench/RESULTS.md 2026-11-29, entry 54. A or B TMA cannot read: the next rules",
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
    {"M*N >= 2048^2, 133 to 198 128x192 tiles (a second round at most half full), K >= 4096, a "
     "workspace for stream-K", mid_mn_fuller_192_light_last, "tma_store_128x192_sk",
     "measured on an H200 (fp32 C, cuBLAS in the same run, 5 rounds), against tma_store_128x192, "
     "the choice before: 384x12288x4096 0.886x cuBLAS (0.837x), 768x6144x4096 0.872x (0.835x), "
     "384x12288x8192 0.924x (0.835x), 512x9216x4096 0.906x (0.866x), 1536x3072x4096 0.895x "
     "(0.850x), 1024x4608x4096 0.905x (0.866x); where the second round is fuller it lost (3 "
     "rounds): 256x22016x4096 (230 tiles) 0.851x (0.867x), 640x8192x4096 (215) 0.892x (0.901x); "
     "bench/RESULTS.md 2026-11-29, entry 49",
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
