/*
 * dispatch.c — the configuration tg_gemm runs when the caller passes none:
 * a table of rules, read top to bottom; the first whose shape class holds
 * and whose configuration takes the arguments wins. Each rule says which
 * measurement chose it (bench/RESULTS.md), or that none has yet.
 */
#include <stdio.h>
#include <string.h>

#include "core/core.h"

struct tg_rule {
    const char *when;                          /* the shape class, in words */
    int (*applies)(const tg_gemm_args *g);     /* does g belong to it? */
    const char *config;                        /* a compiled preset */
    const char *why;                           /* the measurement that chose it */
};

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
 * Decode: 1 <= M <= 64, where the time is the read of B (the decode
 * family's BLOCK_M: 16, 32 or 64 rows). M = 0 is nothing to do, left to the
 * rules below as before.
 */
static int decode_m16(const tg_gemm_args *g) { return g->m >= 1 && g->m <= 16; }
static int decode_m32(const tg_gemm_args *g) { return g->m > 16 && g->m <= 32; }
static int decode_m64(const tg_gemm_args *g) { return g->m > 32 && g->m <= 64; }

/* What the decode rules say until they are measured (the same words for each). */
#define DECODE_UNMEASURED                                                                        \
    "not yet measured on the GPU (no bench/RESULTS.md entry yet): chosen by design, B read "    \
    "once with 16-byte loads into mma.sync fragments, K split over warps and a cluster; to be " \
    "replaced by a measurement. Shapes the decode family cannot take fall to the next rules"

static const struct tg_rule rules[] = {
    {"M, N >= 4096, M*N <= 8192*4096 (TMA-aligned rows)", large_mn_few_tiles, "mc_2x1_128x256",
     "the fastest configuration measured on these shapes on the H100 (fp32 C, cuBLAS in the same "
     "run): 4096^3 720.0 TFLOP/s = 0.966x cuBLAS (tma_store 0.857, mc_1x2 0.909), 8192x4096x4096 "
     "0.957x (tma_store 0.867), 8192x4096x11008 0.990x (tma_store 0.957); 4096^3 bf16 C 0.952x "
     "(tma_store 0.899); bench/RESULTS.md 2026-11-27, entry 14. Shapes TMA cannot take fall to "
     "the next rules"},
    {"M, N >= 4096 (TMA-aligned rows)", large_mn, "tma_store",
     "the fastest configuration measured on the larger shapes on the H100 (fp32 C, cuBLAS in the "
     "same run): 8192^3 717.1 TFLOP/s = 1.021x cuBLAS (tma_store_128x256 1.005, mc_2x1_128x256 "
     "0.955), 4096x12288x4096 1.027x (mc_2x1_128x256 0.989), 8192x22016x4096 1.019x, "
     "8192x28672x8192 0.999x; 8192^3 bf16 C 1.006x; bench/RESULTS.md 2026-11-27, entry 14"},
    {"1 <= M <= 16 (16-byte aligned rows of A and B, K a multiple of 8)", decode_m16,
     "decode_m16", DECODE_UNMEASURED},
    {"16 < M <= 32 (16-byte aligned rows of A and B, K a multiple of 8)", decode_m32,
     "decode_m32", DECODE_UNMEASURED},
    {"32 < M <= 64 (16-byte aligned rows of A and B, K a multiple of 8)", decode_m64,
     "decode_m64", DECODE_UNMEASURED},
    {"any shape", any_shape, "warp64",
     "the fastest micro configuration measured on the H100: 8192^3 450.7 TFLOP/s (seed 375.3, "
     "split8 392.5, b256 412.8), 4096^3 373.6 (b256 382.1, within the +-5% run-to-run spread); "
     "bench/RESULTS.md 2026-11-24, entry 4"},
};

enum { NRULES = (int)(sizeof rules / sizeof rules[0]) };

/* The family and index of the compiled preset called name, or 0. */
static int find_preset(const char *name, const tg_family_ops **fam, int *preset)
{
    for (int fi = 0; fi < tg_family_count(); fi++) {
        const tg_family_ops *f = tg_family_get(fi);
        for (int i = 0; i < f->npresets; i++)
            if (!strcmp(f->presets[i].name, name)) {
                *fam = f;
                *preset = i;
                return 1;
            }
    }
    return 0;
}

tg_status tg_dispatch(const tg_gemm_args *g, const tg_family_ops **fam, int *preset,
                      const tg_rule **rule)
{
    /* The last refusal, so the message says why (a batch or grid limit), not only that. */
    char why[512] = "";
    const char *refused = NULL;
    for (int r = 0; r < NRULES; r++) {
        if (!rules[r].applies(g) || !find_preset(rules[r].config, fam, preset))
            continue;
        if (!tg_nothing_to_do(g) && tg_reads_ab(g) && (*fam)->supports(*preset, g) != TG_SUCCESS) {
            snprintf(why, sizeof why, "%s", tg_last_error());
            refused = rules[r].config;
            continue;
        }
        if (rule)
            *rule = &rules[r];
        return TG_SUCCESS;
    }
    return TG_FAIL(TG_ERR_INVALID_ARGUMENT,
                   "no compiled configuration takes m=%lld, n=%lld, k=%lld, batch=%lld%s%s%s%s",
                   (long long)g->m, (long long)g->n, (long long)g->k, (long long)g->batch,
                   refused ? "; " : "", refused ? refused : "",
                   refused ? " (the last one tried): " : "", why);
}

tg_status tg_gemm_choose(const tg_gemm_args *args, tg_config *out, char *why, size_t len)
{
    tg_gemm_args g;
    TG_TRY(tg_args_read(args, &g));
    TG_TRY(tg_check_args(&g, 0));
    if (!out)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "tg_gemm_choose: out is NULL");
    const tg_family_ops *f;
    int preset;
    const tg_rule *rule = NULL;
    TG_TRY(tg_dispatch(&g, &f, &preset, &rule));
    memset(out, 0, sizeof *out);
    snprintf(out->name, sizeof out->name, "%s", f->presets[preset].name);
    out->family = f->id;
    memcpy(out->params, f->presets[preset].params, sizeof out->params);
    if (!why || len == 0)
        return TG_SUCCESS;
    tg_text t = tg_text_init(why, len);
    tg_text_add(&t, "rule '%s' (%s family): %s", rule->when, f->name, rule->why);
    return tg_text_done(&t, "tg_gemm_choose's why buffer");
}
