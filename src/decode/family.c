/*
 * family.c — the decode family as the core sees it: parameters and presets
 * (from TG_DECODE_PARAMS and presets.def), plan rules, which arguments its
 * kernel takes, the launch description of a call (a cluster of SPLIT_K
 * blocks, no workspace), kernel resources, the CPU verifier and the plan in
 * words.
 */
#include <cuda_runtime.h>
#include <stdio.h>
#include <string.h>

#include "decode/decode.h"
#include "decode/verify.h"

/* ------------------------------------------------------------------------
 * Parameters and presets
 * ---------------------------------------------------------------------- */

#define PARAM_(i, key, NAME, lo, hi, values, doc) {#key, #NAME, lo, hi, values, doc},
static const tg_param params[] = {TG_DECODE_PARAMS(PARAM_)};
#undef PARAM_

_Static_assert(sizeof params / sizeof params[0] == TG_DECODE_NPARAMS, "one entry per parameter");
_Static_assert(TG_DECODE_NPARAMS <= TG_CONFIG_MAX_PARAMS, "tg_config holds every parameter");

static const tg_alias aliases[] = {
    {"split", "split_k", NULL},
};

#define TG_DECODE_PRESET(name, ...)                                                        \
    _Static_assert(TG_NARGS(__VA_ARGS__) == TG_DECODE_NPARAMS,                             \
                   "presets.def: " #name " must give one value per parameter of TG_DECODE_PARAMS");
#include "decode/presets.def"
#undef TG_DECODE_PRESET

#define TG_DECODE_PRESET(name, ...) {#name, {__VA_ARGS__}},
static const tg_preset presets[] = {
#include "decode/presets.def"
};
#undef TG_DECODE_PRESET

typedef tg_status (*kernel_getter)(int dev, const void **kernel);
#define TG_DECODE_PRESET(name, ...) tg_decode_kernel_##name,
static const kernel_getter kernels[] = {
#include "decode/presets.def"
};
#undef TG_DECODE_PRESET

/* The plan's rules (TG_DECODE_RULES), each with its reason. */
tg_status tg_decode_check(const int *p)
{
#define P_(NAME) p[TG_DECODE_##NAME]
#define RULE_(cond, why)                                                                  \
    if (!(cond))                                                                          \
        return TG_FAIL(TG_ERR_INVALID_CONFIG, "invalid decode configuration: %s", why);
    TG_DECODE_RULES(RULE_, P_)
#undef RULE_
#undef P_
    return TG_SUCCESS;
}

/* ------------------------------------------------------------------------
 * What the kernel takes
 * ---------------------------------------------------------------------- */

enum { MAX_GRID_X = 2147483647, MAX_GRID_Y = 65535 };

#define refuse(...) tg_refuse_args("decode", __VA_ARGS__)

static tg_status supports(int preset, const tg_gemm_args *g)
{
    const tg_dtile t = tg_dtile_from_params(presets[preset].params);
    if (g->m > t.block_m)
        return refuse("M = %lld is more than this configuration's BLOCK_M = %d rows (a decode "
                      "configuration takes M <= BLOCK_M; larger M is the micro and hopper "
                      "families' work)",
                      (long long)g->m, t.block_m);
    const char *rule = tg_vector_rows_rule(g);
    if (rule)
        return refuse("%s", rule);
    if (g->k > INT32_MAX)
        return refuse("K must be below 2^31: K steps are counted in 32 bits");
    if (tg_dplan_groups(&t, g->n) > MAX_GRID_X / t.split_k)
        return refuse("more thread blocks than one launch allows (2^31-1)");
    if (g->batch > MAX_GRID_Y)
        return refuse("batch must be <= %d (one grid row per item)", MAX_GRID_Y);
    return TG_SUCCESS;
}

/* Partial sums meet in shared memory and distributed shared memory: no workspace. */
static size_t workspace(int preset, const tg_gemm_args *g) { return 0; }

/* SPLIT_K blocks (a cluster) per column group, batch items in grid.y (supports() bounded it). */
static tg_grid_kind geometry(int preset, const tg_gemm_args *g, int fit, tg_launch *out)
{
    const tg_dtile t = tg_dtile_from_params(presets[preset].params);
    out->grid[0] = (unsigned)(tg_dplan_groups(&t, g->n) * t.split_k);
    out->grid[1] = (unsigned)g->batch;
    out->grid[2] = 1;
    out->block[0] = (unsigned)tg_dplan_threads(&t);
    out->block[1] = out->block[2] = 1;
    out->cluster[0] = (unsigned)t.split_k;
    out->cluster[1] = out->cluster[2] = 1;
    out->smem = (size_t)tg_dplan_smem_bytes(&t);
    return TG_GRID_OVER_OUTPUT;
}

static tg_status prepare(int preset, const tg_gemm_args *g, int dev, tg_launch *out)
{
    tg_decode_params *p = (tg_decode_params *)out->params;
    _Static_assert(sizeof(tg_decode_params) <= TG_LAUNCH_PARAMS_MAX, "fits tg_launch");
    memset(p, 0, sizeof *p);
    p->op = tg_rows_operands_of(g);
    const int e = tg_trap_record_ptr(&p->trap);
    if (e)
        return TG_FAIL(TG_ERR_CUDA, "mapped host memory for the trap record: %s",
                       cudaGetErrorString((cudaError_t)e));
    TG_TRY(kernels[preset](dev, &out->kernel));
    geometry(preset, g, 0, out);
    out->workspace = 0;
    out->params_size = sizeof *p;
    return TG_SUCCESS;
}

static tg_status info(int preset, int dev, tg_kernel_info *out)
{
    const tg_dtile t = tg_dtile_from_params(presets[preset].params);
    const void *kernel = NULL;
    TG_TRY(kernels[preset](dev, &kernel));
    return tg_kernel_resources(kernel, tg_dplan_threads(&t), (size_t)tg_dplan_smem_bytes(&t), out);
}

/* ------------------------------------------------------------------------
 * The plan in words and numbers
 * ---------------------------------------------------------------------- */

static tg_status describe(const int *p, char *buf, size_t len)
{
    const tg_dtile tile = tg_dtile_from_params(p);
    const tg_dtile *t = &tile;
    const int bn = tg_dplan_block_n(t), nt = tg_dplan_n_tiles(t), mt = tg_dplan_m_tiles(t);
    tg_text x = tg_text_init(buf, len);
    tg_text_add(&x, "  block tile           %d x %d (BLOCK_M x BLOCK_N): takes M <= %d; %d threads = "
                "%d x %d warps (WARPS_N x WARPS_K)\n",
                t->block_m, bn, t->block_m, tg_dplan_threads(t), t->warps_n, t->warps_k);
    tg_text_add(&x, "  warp                 streams REG_BLOCK_N = %d rows of B (%d n8 tiles) over its "
                "part of K against %d m16 tile(s) of A; %d fp32 accumulators per thread\n",
                t->reg_block_n, nt, mt, TG_D_ACC_REGS(t->block_m, t->reg_block_n));
    tg_text_add(&x, "  loads                per lane per K step of 32 columns: %d 16-byte B vectors "
                "(ld.global.nc.L1::no_allocate) and %d of A (through L1; rows past M are zeros, "
                "not read); %d step(s) in flight = %d bytes of B per warp\n",
                nt, 2 * mt, t->stages, t->stages * nt * TG_D_WARP_SIZE * 16);
    tg_text_add(&x, "  K permutation        lane 4g+t holds columns 8t..8t+7 of a step; mma step s "
                "takes word 2s as its k 2t,2t+1 register and word 2s+1 as k 2t+8,2t+9, for A and B "
                "alike\n");
    tg_text_add(&x, "  K split              %d parts: %d warps x %d blocks (a cluster of %d); part "
                "p = rank*%d + warp_k sums steps [p*S/%d, (p+1)*S/%d) of S = ceil(K/32)\n",
                tg_dplan_parts(t), t->warps_k, t->split_k, t->split_k, t->warps_k,
                tg_dplan_parts(t), tg_dplan_parts(t));
    tg_text_add(&x, "  reduction            %d bytes of shared memory (%d x %d x (%d + %d) fp32); "
                "warps in order%s: the same C bits every run, no workspace\n",
                tg_dplan_smem_bytes(t), t->warps_k, t->block_m, bn, TG_D_RED_PAD,
                t->split_k > 1 ? ", then the cluster's blocks in rank order (distributed shared "
                                 "memory, between two cluster barriers)"
                               : "");
    tg_text_add(&x, "  grid                 ceil(N/%d) column groups x %d block(s); batch items in "
                "grid.y\n",
                bn, t->split_k);
    tg_text_add(&x, "  registers            at least %d per thread by the plan's count, of %d "
                "(65536/(threads x MIN_BLOCKS %d))\n",
                TG_D_REGS(t->block_m, t->reg_block_n, t->stages),
                TG_D_REG_BUDGET(t->warps_n, t->warps_k, t->min_blocks), t->min_blocks);
    return tg_text_done(&x, "tg_config_describe's buffer");
}

static int facts(const int *p, tg_fact *out, int max)
{
    const tg_dtile tile = tg_dtile_from_params(p);
    const tg_dtile *t = &tile;
    const tg_fact all[] = {
        {"threads", tg_dplan_threads(t), "threads per block"},
        {"warps", tg_dplan_warps(t), "warps per block"},
        {"block_n", tg_dplan_block_n(t), "columns of C per block (WARPS_N*REG_BLOCK_N)"},
        {"m_tiles", tg_dplan_m_tiles(t), "m16 mma tiles of A per warp"},
        {"n_tiles", tg_dplan_n_tiles(t), "n8 mma tiles of B per warp"},
        {"acc_regs", TG_D_ACC_REGS(t->block_m, t->reg_block_n),
         "fp32 accumulator registers per thread"},
        {"stage_regs", TG_D_STAGE_REGS(t->block_m, t->reg_block_n),
         "registers of one K step's vectors per thread"},
        {"regs_min", TG_D_REGS(t->block_m, t->reg_block_n, t->stages),
         "registers per thread the plan counts (ptxas may need more)"},
        {"parts", tg_dplan_parts(t), "ranges of K summed separately (WARPS_K*SPLIT_K)"},
        {"cluster", t->split_k, "blocks per thread-block cluster"},
        {"b_bytes_in_flight", t->stages * tg_dplan_n_tiles(t) * TG_D_WARP_SIZE * 16,
         "bytes of B each warp keeps in flight"},
        {"smem_bytes", tg_dplan_smem_bytes(t), "dynamic shared memory per block"},
    };
    return tg_facts_out(all, (int)(sizeof all / sizeof all[0]), out, max);
}

const tg_family_ops tg_decode_family = {
    .name = "decode",
    .id = TG_FAMILY_DECODE,
    .params = params,
    .nparams = TG_DECODE_NPARAMS,
    .aliases = aliases,
    .naliases = (int)(sizeof aliases / sizeof aliases[0]),
    .presets = presets,
    .npresets = (int)(sizeof presets / sizeof presets[0]),
    .base = "decode_m16",
    .presets_file = "src/decode/presets.def",
    .preset_macro = "TG_DECODE_PRESET",
    .pdl = 1, /* kernel.cuh: the wait before the first load */
    .check = tg_decode_check,
    .supports = supports,
    .workspace = workspace,
    .prepare = prepare,
    .geometry = geometry,
    .info = info,
    .verify = tg_decode_verify,
    .describe = describe,
    .facts = facts,
};
