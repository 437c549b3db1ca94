/*
 * test_gpu_gemm — every compiled config on the GPU, over shapes that stress
 * every edge: tiny, odd, ragged against every tile size, non-square, padded
 * leading dimensions, misaligned pointers (the element-wise load path),
 * bf16 output, batches, K not a multiple of 8, 64-bit offsets (M·K > 2^31
 * elements), alpha and beta (beta = 0 over NaN-poisoned C; alpha = 0), and
 * the zero sizes (M, N = 0: a no-op; K = 0: C = beta·C). Every config, and
 * the library's own choice (tg_gemm with no config). Fresh random inputs
 * each run (the seed is printed), poisoned outputs (bytes outside C's
 * window must stay as they were), per-element and Frobenius bounds against
 * a double reference (or cuBLAS plus reference rows for large shapes).
 * Decode shapes (M in {1, 7, 16, 33, 64}: the decode family's) with N
 * ragged against every tile and K in {8, 24, 8192}; and every config that
 * takes them run twice on decode shapes, C bitwise the same both times
 * (the decode family splits K over warps and clusters: its reduction order
 * is fixed).
 *
 * Exits 77 (ctest: skipped) when no sm_90 GPU is present.
 * Usage: test_gpu_gemm [--quick] [--seed S]
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "tilegemm.h"

typedef struct shape_case {
    const char *what;
    th_shape s;
    int every_config; /* 0: only the first two presets (seed, split8): large and slow */
} shape_case;

#define F32 TG_DTYPE_F32
#define BF16 TG_DTYPE_BF16

static const shape_case cases[] = {
    /* what                         m     n     k   lda  ldb  ldc batch dtype misalign
     *                                                       [scaled alpha beta] */
    {"1x1x1", {1, 1, 1, 0, 0, 0, 1, F32, 0}, 1},
    {"17 cubed", {17, 17, 17, 0, 0, 0, 1, F32, 0}, 1},
    {"255 cubed", {255, 255, 255, 0, 0, 0, 1, F32, 0}, 1},
    {"1000 cubed", {1000, 1000, 1000, 0, 0, 0, 1, F32, 0}, 1},
    {"non-square 17x1000x255", {17, 1000, 255, 0, 0, 0, 1, F32, 0}, 1},
    {"non-square 1000x17x4097", {1000, 17, 4097, 0, 0, 0, 1, F32, 0}, 1},
    {"non-square 4097x255x1000", {4097, 255, 1000, 0, 0, 0, 1, F32, 0}, 1},
    {"k=1", {129, 130, 1, 0, 0, 0, 1, F32, 0}, 1},
    {"k not multiple of 8", {200, 136, 300, 0, 0, 0, 1, F32, 0}, 1},
    {"padded ld (16-byte rows)", {255, 129, 300, 320, 304, 136, 1, F32, 0}, 1},
    {"padded ld (odd, element loads)", {255, 129, 300, 301, 333, 131, 1, F32, 0}, 1},
    {"misaligned pointers", {255, 129, 300, 0, 0, 0, 1, F32, 1}, 1},
    {"misaligned 1000 cubed", {1000, 1000, 1000, 0, 0, 0, 1, F32, 1}, 1},
    {"bf16 output", {255, 129, 300, 0, 0, 0, 1, BF16, 0}, 1},
    {"bf16 output 1000 cubed", {1000, 1000, 1000, 0, 0, 0, 1, BF16, 0}, 1},
    {"bf16 output misaligned", {255, 129, 300, 0, 0, 0, 1, BF16, 1}, 1},
    {"batch 3", {100, 200, 300, 0, 0, 0, 3, F32, 0}, 1},
    {"batch 2 padded bf16", {129, 65, 72, 80, 88, 70, 2, BF16, 0}, 1},
    {"4097 cubed", {4097, 4097, 4097, 0, 0, 0, 1, F32, 0}, 1},
    {"8192 cubed", {8192, 8192, 8192, 0, 0, 0, 1, F32, 0}, 1},
    {"8192x4096x1000", {8192, 4096, 1000, 0, 0, 0, 1, F32, 0}, 1},
    /* C = alpha·A·Bᵀ + beta·C, against the same formula on the CPU (or cuBLAS). */
    {"alpha 2, beta 0.5", {255, 129, 300, 0, 0, 0, 1, F32, 0, 1, 2.0f, 0.5f}, 1},
    {"alpha -1, beta 1, bf16 out", {255, 129, 300, 0, 0, 0, 1, BF16, 0, 1, -1.0f, 1.0f}, 1},
    {"alpha 0.5, beta -2, padded ldc", {129, 65, 72, 0, 0, 131, 1, F32, 0, 1, 0.5f, -2.0f}, 1},
    {"alpha 1.5, beta 0.25, batch 3", {100, 200, 300, 0, 0, 0, 3, F32, 0, 1, 1.5f, 0.25f}, 1},
    {"alpha 3, beta 0 (NaN C)", {255, 129, 300, 0, 0, 0, 1, F32, 1, 1, 3.0f, 0.0f}, 1},
    {"alpha 0.5, beta 2, 4097 cubed", {4097, 4097, 4097, 0, 0, 0, 1, F32, 0, 1, 0.5f, 2.0f}, 0},
    /* Reads neither A nor B: alpha = 0, or K = 0 (C = beta·C). */
    {"alpha 0, beta 2", {255, 129, 300, 0, 0, 0, 1, F32, 0, 1, 0.0f, 2.0f}, 1},
    {"k = 0, beta 0.5, bf16 out", {255, 129, 0, 0, 0, 0, 1, BF16, 0, 1, 1.0f, 0.5f}, 1},
    {"k = 0, beta 0 (NaN C)", {255, 129, 0, 0, 0, 133, 2, F32, 0, 1, 1.0f, 0.0f}, 1},
    /* Shapes TMA can take (rows of whole 16 bytes), with every edge: the hopper family runs
     * these; odd M and N, K not a multiple of its 64-wide K tile, smaller than one tile. */
    {"TMA: 1x1x8", {1, 1, 8, 0, 0, 0, 1, F32, 0}, 1},
    {"TMA: odd M, N; K = 264", {17, 1001, 264, 0, 0, 0, 1, F32, 0}, 1},
    {"TMA: 1000x17x4104", {1000, 17, 4104, 0, 0, 0, 1, F32, 0}, 1},
    {"TMA: alpha 2, beta 0.5, bf16", {255, 129, 304, 0, 0, 0, 1, BF16, 0, 1, 2.0f, 0.5f}, 1},
    {"TMA: alpha -1.5, beta 1, odd ldc", {255, 129, 304, 0, 0, 131, 1, F32, 0, 1, -1.5f, 1.0f}, 1},
    {"TMA: batch 3, K = 304", {100, 200, 304, 0, 0, 0, 3, F32, 0}, 1},
    {"TMA: 4100x4100x4104", {4100, 4100, 4104, 0, 0, 0, 1, F32, 0}, 1},
    /* Decode (M <= 64, the decode family's; the others take them too): M in {1, 7, 16, 33, 64},
     * N ragged against every tile (and below one n8 tile), K of one partial 32-column step (8,
     * 24), of many (8192), K a multiple of 8 but not of 32; batch; alpha, beta; both C types. */
    {"decode: 1x4099x8192", {1, 4099, 8192, 0, 0, 0, 1, F32, 0}, 1},
    {"decode: 1x8192x8192 bf16", {1, 8192, 8192, 0, 0, 0, 1, BF16, 0}, 1},
    {"decode: 7x1001x24", {7, 1001, 24, 0, 0, 0, 1, F32, 0}, 1},
    {"decode: 7x5x8", {7, 5, 8, 0, 0, 0, 1, F32, 0}, 1},
    {"decode: 16x1000x8", {16, 1000, 8, 0, 0, 0, 1, F32, 0}, 1},
    {"decode: 16x3001x4104 bf16", {16, 3001, 4104, 0, 0, 0, 1, BF16, 0}, 1},
    {"decode: 33x517x8192", {33, 517, 8192, 0, 0, 0, 1, F32, 0}, 1},
    {"decode: 33x1000x24 bf16", {33, 1000, 24, 0, 0, 0, 1, BF16, 0}, 1},
    {"decode: 64x1000x8192", {64, 1000, 8192, 0, 0, 0, 1, F32, 0}, 1},
    {"decode: 64x4099x8192 bf16", {64, 4099, 8192, 0, 0, 0, 1, BF16, 0}, 1},
    {"decode: 64x129x8", {64, 129, 8, 0, 0, 0, 1, F32, 0}, 1},
    {"decode: batch 3, 7x300x264", {7, 300, 264, 0, 0, 0, 3, F32, 0}, 1},
    {"decode: batch 2 padded, 33x200x72", {33, 200, 72, 80, 88, 203, 2, BF16, 0}, 1},
    {"decode: alpha 2, beta 0.5, 1x4099x8192", {1, 4099, 8192, 0, 0, 0, 1, F32, 0, 1, 2.0f, 0.5f}, 1},
    {"decode: alpha -1, beta 1, bf16, 16x1001x24", {16, 1001, 24, 0, 0, 0, 1, BF16, 0, 1, -1.0f, 1.0f}, 1},
    {"decode: alpha 0.5, beta -2, 64x517x8192", {64, 517, 8192, 0, 0, 0, 1, F32, 0, 1, 0.5f, -2.0f}, 1},
    {"decode: alpha 1.5, beta 0.25, batch 3, 33x300x264", {33, 300, 264, 0, 0, 0, 3, BF16, 0, 1, 1.5f, 0.25f}, 1},
    {"decode: k = 0, beta 0.5", {16, 100, 0, 0, 0, 0, 1, F32, 0, 1, 1.0f, 0.5f}, 1},
    {"decode: misaligned (element loads elsewhere)", {16, 300, 264, 0, 0, 0, 1, F32, 1}, 1},
    /* Nothing to do: C's whole buffer untouched. */
    {"m = 0", {0, 129, 300, 0, 0, 0, 1, F32, 0}, 1},
    {"n = 0", {255, 0, 300, 0, 0, 0, 1, F32, 0}, 1},
    /* M*K = 33554435*72 > 2^31 elements: 64-bit offsets. */
    {"64-bit offsets", {33554435, 16, 72, 0, 0, 0, 1, F32, 0}, 0},
};

/*
 * Split-K, the library's choice for few tiles and a long K: by stream-K on
 * few tiles (several blocks a tile, partials in the workspace:
 * tma_store_128x256_sk at 200 x 4000 x 8192, tma_store_128x128_sk at 128 x
 * 4096 x 11008) or inside a cluster
 * (the hopper presets with SPLIT_K > 1: the rest, src/core/rules.c). Checked
 * as above, and deterministic: two calls on the same inputs give the same
 * bytes of C.
 */
static const shape_case split_cases[] = {
    {"split-K 200x4000x8192 workspace", {200, 4000, 8192, 0, 0, 0, 1, F32, 0}, 0},
    {"split-K 256x1024x8192", {256, 1024, 8192, 0, 0, 0, 1, F32, 0}, 0},
    {"split-K 128x4096x11008, beta 1", {128, 4096, 11008, 0, 0, 0, 1, F32, 0, 1, 1.0f, 1.0f}, 0},
    {"split-K 512^2x8192 a2 b.5 bf16", {512, 512, 8192, 0, 0, 0, 1, BF16, 0, 1, 2.0f, 0.5f}, 0},
    {"split-K ragged 200x300x8192", {200, 300, 8192, 0, 0, 0, 1, F32, 0}, 0},
    {"split-K ragged 100x8000x9000", {100, 8000, 9000, 0, 0, 0, 1, F32, 0}, 0},
};

/*
 * cfg (NULL: the library's choice) twice on p, C reset as th_check_config
 * resets it (poison, or the random C when beta != 0) before each: how many
 * bytes of C's buffer differ between the two runs.
 */
static size_t bytes_differing(th_problem *p, const tg_config *cfg)
{
    const size_t bytes = p->c_mem_bytes;
    unsigned char *out[2] = {malloc(bytes), malloc(bytes)};
    if (!out[0] || !out[1]) {
        fprintf(stderr, "test_gpu_gemm: out of memory\n");
        exit(1);
    }
    for (int run = 0; run < 2; run++) {
        TH_CUDA(cudaMemcpy(p->c_mem, p->hc, bytes, cudaMemcpyHostToDevice));
        TH_TG(tg_gemm(&p->g, cfg, NULL));
        TH_CUDA(cudaDeviceSynchronize());
        TH_CUDA(cudaMemcpy(out[run], p->c_mem, bytes, cudaMemcpyDeviceToHost));
    }
    size_t diff = 0;
    for (size_t b = 0; b < bytes; b++)
        diff += out[0][b] != out[1][b];
    free(out[0]);
    free(out[1]);
    return diff;
}

static int check_split(th_rng *rng, cublasHandle_t h, int *runs)
{
    int failures = 0;
    for (size_t c = 0; c < sizeof split_cases / sizeof split_cases[0]; c++) {
        const shape_case *sc = &split_cases[c];
        th_problem p = th_problem_make(sc->s, rng);
        char why[TG_WHY_BYTES] = "";
        tg_config chosen;
        TH_TG(tg_gemm_choose(&p.g, &chosen, why, sizeof why));
        int split_k = 1; /* a hopper configuration's K split in a cluster; other families: none */
        if (chosen.family == TG_FAMILY_HOPPER)
            TH_TG(tg_config_param(&chosen, "split_k", &split_k));
        /* through the workspace, in a cluster, or by stream-K's few-tiles grid (several blocks a tile) */
        const int split =
            strstr(why, "split-K:") != NULL || split_k > 1 || strstr(why, "share its tiles along K") != NULL;
        th_check r = th_check_config(NULL, &p, h, stdout);
        const int same = bytes_differing(&p, NULL) == 0; /* twice more from the same C */
        const int ok = r.pass && same && split;
        failures += !ok;
        (*runs)++;
        printf("%-5s %-14s %-32s %s, %s: %" PRId64 " checked, %" PRId64 " bad, %" PRId64
               " stray, rel_fro %.2e, err/bound %.3f (%s); two runs %s\n",
               ok ? "ok" : "FAIL", "(default)", sc->what, chosen.name,
               split ? "split-K" : "NOT split (the dispatcher should split this shape)", r.checked,
               r.bad, r.stray, r.rel_fro, r.max_ratio, r.against,
               same ? "bitwise equal" : "DIFFER");
        th_problem_free(&p);
    }
    return failures;
}

/*
 * Stream-K (hopper presets with STREAM_K=1): shapes whose last wave the
 * plan shares along K (3744 x 3488 x 2048, ragged on both edges, leaves a
 * last round of 24 tiles of 128x256 or 21 of 256x192, 32 K tiles each,
 * spread over 132 blocks: 5 or 6 K tiles a block), and shapes of fewer
 * tiles than half the SMs, where every tile is shared by S = 4 blocks
 * (plan.h tg_hplan_sk_split: 300 x 520 x 3000, ragged, 47 K tiles a
 * tile; 128 x 4096 x 8192 as a decoder layer's; a batch of 3 ragged items
 * whose tiles, all items' together, are few; 176 x 22016 x 2048, where a
 * swapped preset's 172 tiles of 192x128 leave 40 to share), both C types, alpha and
 * beta, padded ldc. Checked as above; two runs
 * bitwise equal (the partials are added in block order); the workspace
 * one byte short of what tg_gemm_workspace_size asks: a clear error
 * naming it. A preset's tile decides which of these it shares (sw192_sk's
 * 384 tiles of 192x128 at 3072^3 leave no round to share: run whole, no
 * workspace); each preset must share at least STREAM_K_MIN_SHARED of them.
 */
enum { STREAM_K_MIN_SHARED = 4 };
static const shape_case stream_k_cases[] = {
    {"stream-K 3744x3488x2048", {3744, 3488, 2048, 0, 0, 0, 1, F32, 0}, 0},
    {"stream-K 3072^3 bf16 a2 b.5", {3072, 3072, 3072, 0, 0, 0, 1, BF16, 0, 1, 2.0f, 0.5f}, 0},
    {"stream-K 4100x4100x4104 ldc", {4100, 4100, 4104, 0, 0, 4104, 1, F32, 0}, 0},
    {"stream-K 8192x4096x4096", {8192, 4096, 4096, 0, 0, 0, 1, F32, 0}, 0},
    {"stream-K few tiles 300x520x3000", {300, 520, 3000, 0, 0, 0, 1, F32, 0}, 0},
    {"stream-K few 128x4096x8192 bf16 a2 b.5", {128, 4096, 8192, 0, 0, 0, 1, BF16, 0, 1, 2.0f, 0.5f}, 0},
    {"stream-K few tiles batch 3 200x264x2048", {200, 264, 2048, 0, 0, 0, 3, F32, 0, 1, 1.5f, 0.0f}, 0},
    {"stream-K 176x22016x2048", {176, 22016, 2048, 0, 0, 0, 1, F32, 0}, 0},
};

static int check_stream_k(const char *only, th_rng *rng, cublasHandle_t h, int *runs)
{
    int failures = 0;
    for (int i = 0; i < tg_config_count(); i++) {
        tg_config cfg;
        TH_TG(tg_config_get(i, &cfg));
        int sk = 0;
        if (cfg.family != TG_FAMILY_HOPPER || tg_config_param(&cfg, "stream_k", &sk) != TG_SUCCESS || !sk ||
            (only && strcmp(cfg.name, only)))
            continue;
        int shared = 0;
        for (size_t c = 0; c < sizeof stream_k_cases / sizeof stream_k_cases[0]; c++) {
            const shape_case *sc = &stream_k_cases[c];
            th_problem p = th_problem_make(sc->s, rng);
            size_t need = 0;
            TH_TG(tg_gemm_workspace_size(&p.g, &cfg, &need));
            th_check r = th_check_config(&cfg, &p, h, stdout);
            const int same = bytes_differing(&p, &cfg) == 0;
            /* One byte short: refused by name, C as it was. */
            tg_gemm_args short_ws = p.g;
            short_ws.workspace_size = need - 1;
            TH_CUDA(cudaMemcpy(p.c_mem, p.hc, p.c_mem_bytes, cudaMemcpyHostToDevice));
            int refused = 0; /* (no workspace needed: nothing to be short of) */
            if (need > 0) {
                const tg_status s = tg_gemm(&short_ws, &cfg, NULL);
                refused = s == TG_ERR_INVALID_ARGUMENT && strstr(tg_last_error(), "workspace_size");
            }
            const int ok = r.pass && same && (need == 0 || refused);
            shared += need > 0;
            failures += !ok;
            (*runs)++;
            printf("%-5s %-14s %-32s workspace %zu bytes%s: %" PRId64 " checked, %" PRId64 " bad, %" PRId64
                   " stray, rel_fro %.2e, err/bound %.3f (%s); two runs %s; %zu bytes: %s\n",
                   ok ? "ok" : "FAIL", cfg.name, sc->what, need, need ? "" : " (NOT shared along K)",
                   r.checked, r.bad, r.stray, r.rel_fro, r.max_ratio, r.against,
                   same ? "bitwise equal" : "DIFFER", need ? need - 1 : 0,
                   need == 0 ? "(none to be short of)" : refused ? "refused" : tg_last_error());
            th_problem_free(&p);
        }
        const int enough = shared >= STREAM_K_MIN_SHARED;
        failures += !enough;
        (*runs)++;
        printf("%-5s %-14s %-32s %d of %zu cases shared along K (at least %d)\n", enough ? "ok" : "FAIL",
               cfg.name, "stream-K cases shared", shared, sizeof stream_k_cases / sizeof stream_k_cases[0],
               STREAM_K_MIN_SHARED);
    }
    return failures;
}

/* batch = 0: nothing to do, with or without a config; C untouched. */
static int check_zero_batch(void)
{
    float *c;
    TH_CUDA(cudaMalloc((void **)&c, 64 * 64 * 4));
    th_poison(c, 64 * 64 * 4);
    tg_gemm_args g = tg_gemm_args_default();
    g.a = (const void *)((uintptr_t)1 << 40); /* never read */
    g.b = (const void *)((uintptr_t)2 << 40);
    g.c = c;
    g.m = g.n = g.k = g.lda = g.ldb = g.ldc = 64;
    g.batch = 0;
    tg_status s = tg_gemm(&g, NULL, NULL);
    TH_CUDA(cudaDeviceSynchronize());
    static unsigned char host[64 * 64 * 4];
    TH_CUDA(cudaMemcpy(host, c, sizeof host, cudaMemcpyDeviceToHost));
    TH_CUDA(cudaFree(c));
    int untouched = 1;
    for (size_t i = 0; i < sizeof host; i++)
        untouched &= host[i] == 0xff;
    int ok = s == TG_SUCCESS && untouched;
    printf("%-5s %-14s %-32s %s\n", ok ? "ok" : "FAIL", "(default)", "batch = 0",
           s == TG_SUCCESS ? (untouched ? "success, C untouched" : "C was written")
                           : tg_last_error());
    return !ok;
}

/*
 * Every config that takes the shape (only `only` when given), run twice on
 * the same inputs with C poisoned before each run: C must be bitwise the
 * same (no run-to-run variation from the order partial sums meet in).
 */
static int check_determinism(const char *only, th_rng *rng)
{
    static const th_shape shapes[] = {
        {1, 8192, 8192, 0, 0, 0, 1, F32, 0},
        {16, 4099, 8192, 0, 0, 0, 1, BF16, 0},
        {64, 8192, 8192, 0, 0, 0, 1, F32, 0},
        {33, 1000, 8200, 0, 0, 0, 2, F32, 0, 1, 1.5f, 0.5f},
    };
    int failures = 0;
    for (size_t si = 0; si < sizeof shapes / sizeof shapes[0]; si++) {
        th_problem p = th_problem_make(shapes[si], rng);
        for (int i = -1; i < tg_config_count(); i++) {
            tg_config cfg;
            if (i >= 0) {
                TH_TG(tg_config_get(i, &cfg));
                if ((only && strcmp(cfg.name, only)) || tg_gemm_supports(&p.g, &cfg) != TG_SUCCESS)
                    continue;
            } else if (only) {
                continue;
            }
            const size_t diff = bytes_differing(&p, i >= 0 ? &cfg : NULL);
            failures += diff != 0;
            printf("%-5s %-14s determinism %-20s M=%-3" PRId64 " N=%-5" PRId64 " K=%-5" PRId64
                   " %s: %s\n",
                   diff ? "FAIL" : "ok", i >= 0 ? cfg.name : "(default)", "(two runs)",
                   shapes[si].m, shapes[si].n, shapes[si].k, tg_dtype_name(shapes[si].dtype),
                   diff ? "bytes of C differ between runs" : "C bitwise equal");
            if (diff)
                printf("      %zu of %zu bytes differ\n", diff, p.c_mem_bytes);
        }
        th_problem_free(&p);
    }
    return failures;
}

int main(int argc, char **argv)
{
    int quick = 0;
    const char *only = NULL; /* --config: this configuration (and the library's choice) alone */
    uint64_t seed = th_fresh_seed();
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quick"))
            quick = 1;
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--config") && i + 1 < argc)
            only = argv[++i];
        else {
            fprintf(stderr, "usage: test_gpu_gemm [--quick] [--seed S] [--config NAME]\n");
            return 2;
        }
    }
    th_require_gpu();
    printf("seed %" PRIu64 "%s\n", seed, quick ? " (quick: shapes under 2^31 MACs)" : "");
    if (only) {
        tg_config cfg;
        if (tg_config_parse(only, &cfg) != TG_SUCCESS || !tg_config_compiled(&cfg)) {
            fprintf(stderr, "test_gpu_gemm: --config %s: not a compiled configuration\n", only);
            return 2;
        }
    }
    cublasHandle_t h;
    TH_CUBLAS(cublasCreate(&h));
    th_rng rng = th_rng_new(seed);

    int runs = 0, failures = 0;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const shape_case *sc = &cases[c];
        double macs = (double)sc->s.m * sc->s.n * sc->s.k * (sc->s.batch > 1 ? sc->s.batch : 1);
        if (quick && macs > (double)TH_FULL_REFERENCE_MACS)
            continue;
        th_problem p = th_problem_make(sc->s, &rng);
        /* Config -1: the library's choice (no config); then every compiled one. */
        int nconf = sc->every_config ? tg_config_count() : 2;
        for (int i = -1; i < nconf; i++) {
            tg_config cfg;
            if (i >= 0) {
                TH_TG(tg_config_get(i, &cfg));
                if (only && strcmp(cfg.name, only))
                    continue;
            }
            runs++;
            if (i >= 0 && tg_gemm_supports(&p.g, &cfg) != TG_SUCCESS) {
                /* A family that cannot take the shape (TMA's rules) must refuse it, by name. */
                char why[512];
                snprintf(why, sizeof why, "%s", tg_last_error());
                tg_status s = tg_gemm(&p.g, &cfg, NULL);
                const int ok = s == TG_ERR_INVALID_ARGUMENT && strstr(tg_last_error(), "cannot take");
                failures += !ok;
                printf("%-5s %-14s %-32s refused: %s\n", ok ? "ok" : "FAIL", cfg.name, sc->what,
                       ok ? why : tg_last_error());
                continue;
            }
            th_check r = th_check_config(i >= 0 ? &cfg : NULL, &p, h, stdout);
            failures += !r.pass;
            printf("%-5s %-14s %-32s M=%-8" PRId64 " N=%-5" PRId64 " K=%-5" PRId64
                   " %s: %" PRId64 " checked, %" PRId64 " bad, %" PRId64
                   " stray, rel_fro %.2e, err/bound %.3f (%s)\n",
                   r.pass ? "ok" : "FAIL", i >= 0 ? cfg.name : "(default)", sc->what, sc->s.m,
                   sc->s.n, sc->s.k, tg_dtype_name(sc->s.dtype), r.checked, r.bad, r.stray,
                   r.rel_fro, r.max_ratio, r.against);
            fflush(stdout);
        }
        th_problem_free(&p);
    }
    failures += check_zero_batch();
    runs++;
    failures += check_split(&rng, h, &runs); /* the library's choice: also with --config */
    failures += check_stream_k(only, &rng, h, &runs);
    failures += check_determinism(only, &rng);
    runs++;
    TH_CUBLAS(cublasDestroy(h));
    printf("%d runs, %d failures (seed %" PRIu64 ")\n", runs, failures, seed);
    return failures ? 1 : 0;
}
