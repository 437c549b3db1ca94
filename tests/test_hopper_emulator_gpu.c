/*
 * test_hopper_emulator_gpu — the CPU emulation of the hopper kernel
 * (tg_hopper_emulate, src/hopper/verify.c: the kernel's plan run on the CPU)
 * against the GPU, bit for bit. A and B hold integers in [-8, 7] as bf16, so
 * every product and partial sum is an integer far below 2^24: fp32 holds
 * them exactly in any order, and the GPU's C must equal the emulation's to
 * the last bit (memcmp), whatever order the wgmmas accumulate in. A wrong
 * descriptor, swizzle, fragment, stage or tile shows as a difference; a hang
 * as a trapped wait (src/core/trap.h).
 *
 * Every compiled hopper preset, on shapes TMA can take (K a multiple of 8):
 * ragged edges, K not a multiple of the 64-wide K tile, batches, and for
 * the persistent presets a grid of at least three tiles per SM. C is
 * poisoned with NaN before each run; fresh inputs every run (the seed is
 * printed; --seed S replays one). A call gets the workspace the library
 * asks for (poisoned too): a stream-K preset on few tiles then shares them
 * along K on the GPU, where the emulation walks them whole — the same
 * integers in another order, so still the same bits. And each preset's occupancy holds the
 * blocks an SM that the dispatcher's one-wave rows count on
 * (tg_dispatch_blocks_per_sm).
 *
 * Exits 77 (ctest: skipped) when no sm_90 GPU is present.
 * Usage: test_hopper_emulator_gpu [--seed S] [--config NAME]
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "harness.h"
#include "hopper/verify.h"
#include "tilegemm.h"

typedef struct shape {
    const char *what;
    int64_t m, n, k, batch; /* m = 0: the persistent grid, sized from the preset and the SMs */
} shape;

static const shape shapes[] = {
    {"200x136x72", 200, 136, 72, 1},
    {"129x257x520", 129, 257, 520, 1},
    {"batch 2 of 64x64x64", 64, 64, 64, 2},
    {"batch 3 of 65x132x264 (N a multiple of 4: TMA stores)", 65, 132, 264, 3},
    {"1x1x8", 1, 1, 8, 1},
    {"tiles >= 3 per SM, batch items", 0, 0, 64, 0},
};

/* One preset, one shape: GPU against emulation. Returns 1 if they differ. */
static int run(const tg_config *cfg, const char *what, int64_t m, int64_t n, int64_t k,
               int64_t batch, int sms, th_rng *rng)
{
    const size_t na = (size_t)(batch * m * k), nb = (size_t)(batch * n * k), nc = (size_t)(batch * m * n);
    int8_t *a = malloc(na), *b = malloc(nb);
    uint16_t *ha = malloc(na * 2), *hb = malloc(nb * 2);
    float *gpu = malloc(nc * 4), *emu = malloc(nc * 4);
    if (!a || !b || !ha || !hb || !gpu || !emu) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < na; i++) {
        a[i] = (int8_t)((int)(th_rng_next(rng) % 16) - 8);
        ha[i] = th_f32_to_bf16((float)a[i]);
    }
    for (size_t i = 0; i < nb; i++) {
        b[i] = (int8_t)((int)(th_rng_next(rng) % 16) - 8);
        hb[i] = th_f32_to_bf16((float)b[i]);
    }
    void *da, *db, *dc;
    TH_CUDA(cudaMalloc(&da, na * 2));
    TH_CUDA(cudaMalloc(&db, nb * 2));
    TH_CUDA(cudaMalloc(&dc, nc * 4));
    TH_CUDA(cudaMemcpy(da, ha, na * 2, cudaMemcpyHostToDevice));
    TH_CUDA(cudaMemcpy(db, hb, nb * 2, cudaMemcpyHostToDevice));
    th_poison(dc, nc * 4); /* NaN: an element the kernel does not write shows */

    tg_gemm_args g = tg_gemm_args_default();
    g.a = da;
    g.b = db;
    g.c = dc;
    g.m = m;
    g.n = n;
    g.k = k;
    g.lda = g.ldb = k;
    g.ldc = n;
    g.batch = batch;
    g.stride_a = m * k;
    g.stride_b = n * k;
    g.stride_c = m * n;
    void *dw = NULL;
    size_t ws = 0;
    if (tg_gemm_workspace_size(&g, cfg, &ws) == TG_SUCCESS && ws > 0) {
        TH_CUDA(cudaMalloc(&dw, ws));
        th_poison(dw, ws);
        g.workspace = dw;
        g.workspace_size = ws;
    }
    int bad = 0;
    tg_status s = tg_gemm_supports(&g, cfg);
    if (s == TG_SUCCESS)
        s = tg_gemm(&g, cfg, NULL);
    if (s != TG_SUCCESS) {
        printf("FAIL  %-20s %-52s tg_gemm: %s: %s\n", cfg->name, what, tg_status_string(s),
               tg_last_error());
        bad = 1;
    } else {
        TH_CUDA(cudaGetLastError());
        TH_CUDA(cudaDeviceSynchronize());
        TH_CUDA(cudaMemcpy(gpu, dc, nc * 4, cudaMemcpyDeviceToHost));
        memset(emu, 0xff, nc * 4);
        s = tg_hopper_emulate(cfg->params, m, n, k, batch, a, b, emu, sms);
        if (s != TG_SUCCESS) {
            printf("FAIL  %-20s %-52s emulation: %s\n", cfg->name, what, tg_last_error());
            bad = 1;
        } else {
            size_t first = nc, diffs = 0, unwritten = 0;
            for (size_t i = 0; i < nc; i++) {
                if (isnan(emu[i]))
                    unwritten++;
                if (memcmp(&gpu[i], &emu[i], 4) != 0) {
                    diffs++;
                    if (first == nc)
                        first = i;
                }
            }
            bad = diffs > 0 || unwritten > 0;
            if (diffs) {
                const int64_t item = (int64_t)first / (m * n), row = (int64_t)first % (m * n) / n,
                              col = (int64_t)first % n;
                uint32_t gb, eb;
                memcpy(&gb, &gpu[first], 4);
                memcpy(&eb, &emu[first], 4);
                printf("FAIL  %-20s %-52s M=%" PRId64 " N=%" PRId64 " K=%" PRId64 " batch %" PRId64
                       ": %zu of %zu differ; first: item %" PRId64 " C(%" PRId64 ",%" PRId64
                       ") GPU %g (0x%08x), emulation %g (0x%08x)\n",
                       cfg->name, what, m, n, k, batch, diffs, nc, item, row, col, gpu[first], gb,
                       emu[first], eb);
            } else if (unwritten) {
                printf("FAIL  %-20s %-52s the emulation left %zu elements unwritten\n", cfg->name,
                       what, unwritten);
            } else {
                printf("ok    %-20s %-52s M=%" PRId64 " N=%" PRId64 " K=%" PRId64 " batch %" PRId64
                       ": %zu elements bit-identical\n",
                       cfg->name, what, m, n, k, batch, nc);
            }
        }
    }
    fflush(stdout);
    TH_CUDA(cudaFree(da));
    TH_CUDA(cudaFree(db));
    TH_CUDA(cudaFree(dc));
    TH_CUDA(cudaFree(dw));
    free(a);
    free(b);
    free(ha);
    free(hb);
    free(gpu);
    free(emu);
    return bad;
}

int main(int argc, char **argv)
{
    uint64_t seed = th_fresh_seed();
    const char *only = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--config") && i + 1 < argc)
            only = argv[++i];
        else {
            fprintf(stderr, "usage: test_hopper_emulator_gpu [--seed S] [--config NAME]\n");
            return 2;
        }
    }
    th_require_gpu();
    int dev = 0, sms = 0;
    TH_CUDA(cudaGetDevice(&dev));
    TH_CUDA(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, dev));
    printf("seed %" PRIu64 ", %d SMs\n", seed, sms);
    th_rng rng = th_rng_new(seed);
    int runs = 0, failures = 0, presets = 0;
    for (int i = 0; i < tg_config_count(); i++) {
        tg_config cfg;
        TH_TG(tg_config_get(i, &cfg));
        if (cfg.family != TG_FAMILY_HOPPER || (only && strcmp(cfg.name, only)))
            continue;
        presets++;
        const int counted = tg_dispatch_blocks_per_sm(cfg.name);
        if (counted > 0) {
            tg_kernel_info info;
            TH_TG(tg_kernel_get_info(&cfg, &info));
            runs++;
            if (info.blocks_per_sm < counted) {
                failures++;
                printf("FAIL %s: %d blocks an SM at once (%d registers, %zu bytes of shared "
                       "memory), the dispatcher counts %d\n",
                       cfg.name, info.blocks_per_sm, info.registers, info.dynamic_smem, counted);
            }
        }
        int bm = 0, bn = 0;
        TH_TG(tg_config_param(&cfg, "block_m", &bm));
        TH_TG(tg_config_param(&cfg, "block_n", &bn));
        for (size_t j = 0; j < sizeof shapes / sizeof shapes[0]; j++) {
            shape sh = shapes[j];
            if (sh.m == 0) {
                /* 5 x 10 tiles per item (ragged on both edges), enough items for >= 3 tiles
                 * per SM: a persistent block walks several tiles, across items. */
                sh.m = 5 * (int64_t)bm - 3;
                sh.n = 9 * (int64_t)bn + 4;
                sh.batch = (3 * (int64_t)sms + 49) / 50 + 1;
            }
            runs++;
            failures += run(&cfg, sh.what, sh.m, sh.n, sh.k, sh.batch, sms, &rng);
        }
    }
    if (presets == 0) {
        printf("FAIL: no hopper preset%s%s\n", only ? " named " : "", only ? only : "");
        return 1;
    }
    printf("%d runs over %d hopper presets, %d failures (seed %" PRIu64 ")\n", runs, presets,
           failures, seed);
    return failures ? 1 : 0;
}
