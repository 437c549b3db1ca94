/*
 * family.c — the gemv family as the core sees it: parameters and presets
 * (from TG_GEMV_PARAMS and presets.def), plan rules, which arguments its
 * kernel takes, the launch of a call (as many blocks as fit at once, each
 * taking every G-th row of B; no workspace), kernel resources, the CPU
 * verifier and the plan in words.
 */
#include <cuda_runtime.h>
#include <stdio.h>
#include <string.h>

#include "gemv/gemv.h"
#include "gemv/verify.h"

/* ------------------------------------------------------------------------
 * Parameters and presets
 * ---------------------------------------------------------------------- */

#define PARAM_(i, key, NAME, lo, hi, values, doc) {#key, #NAME, lo, hi, values, doc},
static const tg_param params[] = {TG_GEMV_PARAMS(PARAM_)};
#undef PARAM_

_Static_assert(sizeof params / sizeof params[0] == TG_GEMV_NPARAMS, "one entry per parameter");
_Static_assert(TG_GEMV_NPARAMS <= TG_CONFIG_MAX_PARAMS, "tg_config holds every parameter");

#define TG_GEMV_PRESET(name, ...)                                                          \
    _Static_assert(TG_NARGS(__VA_ARGS__) == TG_GEMV_NPARAMS,                               \
                   "presets.def: " #name " must give one value per parameter of TG_GEMV_PARAMS");
#include "gemv/presets.def"
#undef TG_GEMV_PRESET

#define TG_GEMV_PRESET(name, ...) {#name, {__VA_ARGS__}},
static const tg_preset presets[] = {
#include "gemv/presets.def"
};
#undef TG_GEMV_PRESET

typedef tg_status (*kernel_getter)(int dev, int threads, size_t smem, const void **kernel,
                                   int *blocks_per_sm);
#define TG_GEMV_PRESET(name, ...) tg_gemv_kernel_##name,
static const kernel_getter kernels[] = {
#include "gemv/presets.def"
};
#undef TG_GEMV_PRESET

/* The plan's rules (TG_GEMV_RULES), each with its reason. */
tg_status tg_gemv_check(const int *p)
{
#define P_(NAME) p[TG_GEMV_##NAME]
#define RULE_(cond, why)                                                                  \
    if (!(cond))                                                                          \
        return TG_FAIL(TG_ERR_INVALID_CONFIG, "invalid gemv configuration: %s", why);
    TG_GEMV_RULES(RULE_, P_)
#undef RULE_
#undef P_
    return TG_SUCCESS;
}

/* ------------------------------------------------------------------------
 * What the kernel takes
 * ---------------------------------------------------------------------- */

enum { MAX_GRID_Y = 65535 };

#define refuse(...) tg_refuse_args("gemv", __VA_ARGS__)

static tg_status supports(int preset, const tg_gemm_args *g)
{
    const tg_gtile t = tg_gtile_from_params(presets[preset].params);
    if (g->m > t.block_m)
        return refuse("M = %lld is more than this configuration's BLOCK_M = %d rows (a gemv "
                      "configuration takes M <= BLOCK_M; larger M is the decode and hopper "
                      "families' work)",
                      (long long)g->m, t.block_m);
    const char *rule = tg_vector_rows_rule(g);
    if (rule)
        return refuse("%s", rule);
    if (tg_gplan_block_threads(&t, g->k) > t.max_threads)
        return refuse("K = %lld is more than this configuration's %d columns a row (MAX_THREADS %d x "
                      "VECS %d x 8): a block covers a whole row of B",
                      (long long)g->k, 8 * t.max_threads * t.vecs, t.max_threads, t.vecs);
    const int64_t a_bytes = tg_gplan_a_smem_bytes(&t, (int)g->m, g->k);
    if (a_bytes + TG_G_SMEM_BYTES(t.block_m, t.max_threads) > TG_G_MAX_SMEM_OPTIN)
        return refuse("A's %lld x %lld (%lld bytes) and the partial sums do not fit a block's 227 KB "
                      "of shared memory (A_SMEM 1)",
                      (long long)g->m, (long long)g->k, (long long)a_bytes);
    if (g->batch > MAX_GRID_Y)
        return refuse("batch must be <= %d (one grid row per item)", MAX_GRID_Y);
    return TG_SUCCESS;
}

/* Partial sums meet in shared memory: no workspace. */
static size_t workspace(int preset, const tg_gemm_args *g) { return 0; }

/*
 * `fit` blocks (as many as fit at once: blocks an SM x SMs; 0, not known:
 * one block a row of B, the most the grid can be), at most N; batch items
 * in grid.y (supports() bounded it); no cluster; A's rows in dynamic shared
 * memory with A_SMEM = 1 (the partial sums are static).
 */
static tg_grid_kind geometry(int preset, const tg_gemm_args *g, int fit, tg_launch *out)
{
    const tg_gtile t = tg_gtile_from_params(presets[preset].params);
    const int64_t blocks = fit > 0 && fit < g->n ? fit : g->n;
    out->grid[0] = (unsigned)(blocks < 1 ? 1 : blocks > 2147483647 ? 2147483647 : blocks);
    out->grid[1] = (unsigned)g->batch;
    out->grid[2] = 1;
    out->block[0] = (unsigned)tg_gplan_block_threads(&t, g->k);
    out->block[1] = out->block[2] = 1;
    out->cluster[0] = out->cluster[1] = out->cluster[2] = 1;
    out->smem = (size_t)tg_gplan_a_smem_bytes(&t, (int)g->m, g->k);
    return TG_GRID_ROWS;
}

static tg_status prepare(int preset, const tg_gemm_args *g, int dev, tg_launch *out)
{
    tg_gemv_params *p = (tg_gemv_params *)out->params;
    _Static_assert(sizeof(tg_gemv_params) <= TG_LAUNCH_PARAMS_MAX, "fits tg_launch");
    const tg_gtile t = tg_gtile_from_params(presets[preset].params);
    *p = tg_rows_operands_of(g);
    int sms = 0, per_sm = 0;
    TG_TRY(tg_device_sm_count(dev, &sms));
    TG_TRY(kernels[preset](dev, (int)tg_gplan_block_threads(&t, g->k),
                           (size_t)tg_gplan_a_smem_bytes(&t, (int)g->m, g->k), &out->kernel, &per_sm));
    geometry(preset, g, sms * per_sm, out);
    out->workspace = 0;
    out->params_size = sizeof *p;
    return TG_SUCCESS;
}

static tg_status info(int preset, int dev, tg_kernel_info *out)
{
    const tg_gtile t = tg_gtile_from_params(presets[preset].params);
    const void *kernel = NULL;
    int per_sm = 0;
    TG_TRY(kernels[preset](dev, t.max_threads, 0, &kernel, &per_sm));
    return tg_kernel_resources(kernel, t.max_threads, 0, out);
}

/* ------------------------------------------------------------------------
 * The plan in words and numbers
 * ---------------------------------------------------------------------- */

static tg_status describe(const int *p, char *buf, size_t len)
{
    const tg_gtile tile = tg_gtile_from_params(p);
    const tg_gtile *t = &tile;
    tg_text x = tg_text_init(buf, len);
    tg_text_add(&x, "  block tile           whole rows of B by M <= %d rows of A: the fewest whole "
                "warps (at most MAX_THREADS = %d) whose VECS = %d vectors of 8 columns each cover "
                "K, so K <= %d; "
                "thread tid takes vectors tid, tid + threads, ... of every row, the same columns "
                "for the whole kernel\n",
                t->block_m, t->max_threads, t->vecs, 8 * t->max_threads * t->vecs);
    if (!t->a_smem)
        tg_text_add(&x, "  A                    takes M <= BLOCK_M = %d; a thread's %d 16-byte vectors "
                    "of A stay in registers (rows past M: zeros, not read)\n",
                    t->block_m, t->block_m * t->vecs);
    else
        tg_text_add(&x, "  A                    takes M <= BLOCK_M = %d; the block loads A's M rows "
                    "into shared memory once (M*K*2 bytes, dynamic; row after row, so a warp reads "
                    "512 consecutive bytes), and each thread reads its vectors there for every row "
                    "of B\n",
                    t->block_m);
    tg_text_add(&x, "  rows                 block b of G (as many as fit at once) takes rows b, b+G, "
                "b+2G, ... of B: the grid reads B front to back, as a streaming read does; ROWS = "
                "%d rows (%d 16-byte loads, ld.global.nc.L1::no_allocate) in flight a thread\n",
                t->rows, t->rows * t->vecs);
    tg_text_add(&x, "  sums                 fp32 FMAs in column order; a warp's lanes by a shuffle "
                "butterfly; the warps through shared memory (%d bytes: two buffers of %d rows x "
                "%d warps x %d), one barrier a group of %d rows, finished by one warp a row in "
                "warp order: the same C bits every run, no workspace\n",
                TG_G_SMEM_BYTES(t->block_m, t->max_threads), TG_G_GROUP_ROWS, TG_G_WARPS(t->max_threads),
                t->block_m, TG_G_GROUP_ROWS);
    tg_text_add(&x, "  registers            at least %d per thread by the plan's count, of %d "
                "(65536/(MAX_THREADS x MIN_BLOCKS %d))\n",
                TG_G_REGS(t->block_m, t->vecs, t->rows, t->a_smem),
                TG_G_REG_BUDGET(t->max_threads, t->min_blocks), t->min_blocks);
    return tg_text_done(&x, "tg_config_describe's buffer");
}

static int facts(const int *p, tg_fact *out, int max)
{
    const tg_gtile tile = tg_gtile_from_params(p);
    const tg_gtile *t = &tile;
    const tg_fact all[] = {
        {"threads", t->max_threads, "threads per block at most (fewer for a shorter K)"},
        {"max_k", 8 * t->max_threads * t->vecs, "the longest K a block's row covers"},
        {"acc_regs", t->block_m * t->rows, "fp32 sums per thread (a row of A by a row in flight)"},
        {"loads_in_flight", t->rows * t->vecs, "16-byte loads of B each thread keeps in flight"},
        {"a_regs", !t->a_smem ? 4 * t->block_m * t->vecs : 0,
         "registers of A each thread holds (A_SMEM 0)"},
        {"regs_min", TG_G_REGS(t->block_m, t->vecs, t->rows, t->a_smem),
         "registers per thread the plan counts (ptxas may need more)"},
        {"smem_bytes", TG_G_SMEM_BYTES(t->block_m, t->max_threads),
         "static shared memory per block (the warps' partial sums)"},
    };
    return tg_facts_out(all, (int)(sizeof all / sizeof all[0]), out, max);
}

const tg_family_ops tg_gemv_family = {
    .name = "gemv",
    .id = TG_FAMILY_GEMV,
    .params = params,
    .nparams = TG_GEMV_NPARAMS,
    .aliases = NULL,
    .naliases = 0,
    .presets = presets,
    .npresets = (int)(sizeof presets / sizeof presets[0]),
    .base = "gemv_m1",
    .presets_file = "src/gemv/presets.def",
    .preset_macro = "TG_GEMV_PRESET",
    .pdl = 1, /* kernel.cuh: the wait before the first load */
    .check = tg_gemv_check,
    .supports = supports,
    .workspace = workspace,
    .prepare = prepare,
    .geometry = geometry,
    .info = info,
    .verify = tg_gemv_verify,
    .describe = describe,
    .facts = facts,
};
