/*
 * family.c — the micro family as the core sees it: its parameter table and
 * presets (from TG_MICRO_PARAMS and presets.def), its plan rules, the launch
 * description of a call, kernel resources, the CPU verifier and the plan
 * in words.
 */
#include <cuda_runtime.h>
#include <stdio.h>

#include "micro/micro.h"
#include "micro/verify.h"

/* ------------------------------------------------------------------------
 * Parameters and presets, from the one list and the one table
 * ---------------------------------------------------------------------- */

#define PARAM_(i, key, NAME, lo, hi, values, doc) {#key, #NAME, lo, hi, values, doc},
static const tg_param params[] = {TG_MICRO_PARAMS(PARAM_)};
#undef PARAM_

_Static_assert(sizeof params / sizeof params[0] == TG_MICRO_NPARAMS, "one entry per parameter");
_Static_assert(TG_MICRO_NPARAMS <= TG_CONFIG_MAX_PARAMS, "tg_config holds every parameter");

/* Shorter and seed-era names for one or two parameters. */
static const tg_alias aliases[] = {
    {"block", "block_m", "block_n"},
    {"block_size", "block_m", "block_n"},
    {"reg", "reg_block_m", "reg_block_n"},
    {"reg_block", "reg_block_m", "reg_block_n"},
    {"reg_m", "reg_block_m", NULL},
    {"reg_n", "reg_block_n", NULL},
};

#define TG_MICRO_PRESET(name, ...)                                                        \
    _Static_assert(TG_NARGS(__VA_ARGS__) == TG_MICRO_NPARAMS,                             \
                   "presets.def: " #name " must give one value per parameter of TG_MICRO_PARAMS");
#include "micro/presets.def"
#undef TG_MICRO_PRESET

#define TG_MICRO_PRESET(name, ...) {#name, {__VA_ARGS__}},
static const tg_preset presets[] = {
#include "micro/presets.def"
};
#undef TG_MICRO_PRESET

typedef tg_status (*kernel_getter)(int vec, int dev, const void **kernel);
#define TG_MICRO_PRESET(name, ...) tg_micro_kernel_##name,
static const kernel_getter kernels[] = {
#include "micro/presets.def"
};
#undef TG_MICRO_PRESET

enum { NPRESETS = (int)(sizeof presets / sizeof presets[0]) };

/* ------------------------------------------------------------------------
 * Rules
 * ---------------------------------------------------------------------- */

static tg_status check(const int *p)
{
#define P_(NAME) p[TG_MICRO_##NAME]
#define RULE_(cond, why)                                                                  \
    if (!(cond))                                                                          \
        return TG_FAIL(TG_ERR_INVALID_CONFIG, "invalid micro configuration: %s", why);
    TG_MICRO_RULES(RULE_, P_)
#undef RULE_
#undef P_
    return TG_SUCCESS;
}

tg_status tg_micro_check_tile(const tg_tile *t)
{
    int p[TG_MICRO_NPARAMS];
    tg_tile_to_params(t, p);
    return tg_params_check(TG_FAMILY_MICRO, p, TG_MICRO_NPARAMS);
}

/* ------------------------------------------------------------------------
 * A call
 * ---------------------------------------------------------------------- */

enum { MAX_GRID_X = 2147483647, MAX_GRID_Y = 65535 };

static tg_status supports(int preset, const tg_gemm_args *g)
{
    const tg_tile t = tg_tile_from_params(presets[preset].params);
    /* m and n are unbounded when there is nothing to do (n = 0 or batch = 0): no product here. */
    const int64_t grid_m = tg_plan_grid_m(&t, g->m), grid_n = tg_plan_grid_n(&t, g->n);
    if (grid_n > 0 && grid_m > MAX_GRID_X / grid_n)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT,
                       "m=%lld, n=%lld need %lld x %lld thread blocks of %dx%d, more than one "
                       "launch allows (%d)",
                       (long long)g->m, (long long)g->n, (long long)grid_m, (long long)grid_n,
                       t.block_m, t.block_n, MAX_GRID_X);
    if (g->batch > MAX_GRID_Y)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT,
                       "batch must be <= %d for the micro family (one grid row per item), got "
                       "%lld",
                       MAX_GRID_Y, (long long)g->batch);
    return TG_SUCCESS;
}

static size_t workspace(int preset, const tg_gemm_args *g) { return 0; }

static int aligned(const void *p, uintptr_t bytes) { return (uintptr_t)p % bytes == 0; }

/* One block per output tile, batch items in grid.y (supports() bounded the counts). */
static tg_grid_kind geometry(int preset, const tg_gemm_args *g, int fit, tg_launch *out)
{
    const tg_tile t = tg_tile_from_params(presets[preset].params);
    out->grid[0] = (unsigned)(tg_plan_grid_m(&t, g->m) * tg_plan_grid_n(&t, g->n));
    out->grid[1] = (unsigned)g->batch;
    out->grid[2] = 1;
    out->block[0] = (unsigned)tg_plan_threads(&t);
    out->block[1] = out->block[2] = 1;
    out->cluster[0] = out->cluster[1] = out->cluster[2] = 1;
    out->smem = (size_t)tg_plan_smem_bytes(&t);
    return TG_GRID_OVER_OUTPUT;
}

static tg_status prepare(int preset, const tg_gemm_args *g, int dev, tg_launch *out)
{
    const tg_tile t = tg_tile_from_params(presets[preset].params);
    tg_micro_params *p = (tg_micro_params *)out->params;
    _Static_assert(sizeof(tg_micro_params) <= TG_LAUNCH_PARAMS_MAX, "fits tg_launch");
    const int batched = g->batch > 1;
    p->a = g->a;
    p->b = g->b;
    p->c = g->c;
    p->m = g->m;
    p->n = g->n;
    p->k = g->k;
    p->lda = g->lda;
    p->ldb = g->ldb;
    p->ldc = g->ldc;
    p->stride_a = batched ? g->stride_a : 0;
    p->stride_b = batched ? g->stride_b : 0;
    p->stride_c = batched ? g->stride_c : 0;
    p->grid_m = (int)tg_plan_grid_m(&t, g->m); /* supports() bounded their product */
    p->grid_n = (int)tg_plan_grid_n(&t, g->n);
    p->alpha = g->alpha;
    p->beta = g->beta;
    p->c_dtype = (int)g->c_dtype;
    /* 16-byte loads need every row (and batch item) of A and B to start 16-byte aligned. */
    p->vec_ab = aligned(g->a, 16) && aligned(g->b, 16) && g->lda % 8 == 0 && g->ldb % 8 == 0 &&
                p->stride_a % 8 == 0 && p->stride_b % 8 == 0;
    /* Pairs of C elements (fp32x2 or bf16x2) need rows starting at even elements. */
    p->vec_c = aligned(g->c, g->c_dtype == TG_DTYPE_F32 ? 8 : 4) && g->ldc % 2 == 0 &&
               p->stride_c % 2 == 0;
    TG_TRY(kernels[preset](p->vec_ab, dev, &out->kernel));
    geometry(preset, g, 0, out);
    out->workspace = 0;
    out->params_size = sizeof *p;
    return TG_SUCCESS;
}

static tg_status info(int preset, int dev, tg_kernel_info *out)
{
    const tg_tile t = tg_tile_from_params(presets[preset].params);
    const void *kernel = NULL;
    TG_TRY(kernels[preset](1, dev, &kernel));
    return tg_kernel_resources(kernel, tg_plan_threads(&t), (size_t)tg_plan_smem_bytes(&t), out);
}

/* ------------------------------------------------------------------------
 * The plan: verified, in words, and in numbers
 * ---------------------------------------------------------------------- */

static tg_status verify(const int *p, char *report, size_t len)
{
    const tg_tile t = tg_tile_from_params(p);
    return tg_plan_verify_ops(&t, &tg_plan_real_ops, report, len);
}

static tg_status describe(const int *p, char *buf, size_t len)
{
    const tg_tile tile = tg_tile_from_params(p);
    const tg_tile *t = &tile;
    const int am = tg_plan_acc_m(t), an = tg_plan_acc_n(t);
    tg_text x = tg_text_init(buf, len);
    tg_text_add(&x, "  block tile           %d x %d (BLOCK_M x BLOCK_N), %d threads = %d x %d warps\n",
                t->block_m, t->block_n, tg_plan_threads(t), t->warps_m, t->warps_n);
    tg_text_add(&x, "  warp tile            %d x %d; warp w: warp_row = w / %d, warp_col = w %% %d\n",
                tg_plan_warp_tile_m(t), tg_plan_warp_tile_n(t), t->warps_n, t->warps_n);
    tg_text_add(&x, "  accumulators/warp    %d x %d = %d tiles of %d x %d fp32 (REG_BLOCK_M x "
                "REG_BLOCK_N), %d registers/thread\n",
                am, an, am * an, t->reg_block_m, t->reg_block_n, tg_plan_acc_regs(t));
    tg_text_add(&x, "  mma tiles/accum.     %d x %d of m16n8k16\n", TG_MMA_TILES_M(t->reg_block_m),
                TG_MMA_TILES_N(t->reg_block_n));
    tg_text_add(&x, "  K loop               K_STEP %d = %d slices of DOT_SLICE_SHARED %d; each "
                "slice = %d DOT_SLICE of %d\n",
                t->k_step, tg_plan_slices_per_step(t), t->dot_slice_shared,
                t->dot_slice_shared / t->dot_slice, t->dot_slice);
    tg_text_add(&x, "  pipeline             %s, %d stages, %d bytes shared memory, min %d "
                "blocks/SM\n",
                t->pipe == TG_CP_ASYNC ? "cp.async global->shared" : "global->registers->shared",
                t->stages, tg_plan_smem_bytes(t), t->min_blocks);
    tg_text_add(&x, "  loads per slice      %d + %d 16-byte vectors per thread (A + B)\n",
                TG_LOAD_VECS(t->block_m, t->dot_slice_shared, t->warps_m, t->warps_n),
                TG_LOAD_VECS(t->block_n, t->dot_slice_shared, t->warps_m, t->warps_n));
    tg_text_add(&x, "  layout               %s\n",
                t->layout == TG_INTERLEAVED ? "interleaved (the seed's): piece = warp + grid*i"
                                            : "contiguous: piece = warp*count + i");
    tg_text_add(&x, "\n  warp (row,col)  accumulator (i,j)  A subtile rows  B subtile rows  C tile "
                "(rows, cols) in block\n");
    for (int w = 0; w < tg_plan_warps(t); w++) {
        const int wr = tg_plan_warp_row(t, w), wc = tg_plan_warp_col(t, w);
        for (int i = 0; i < am; i++)
            for (int j = 0; j < an; j++) {
                tg_rc a = tg_plan_a_subtile(t, wr, i, 0), b = tg_plan_b_subtile(t, wc, j, 0);
                tg_rc64 c = tg_plan_c_tile(t, 0, 0, wr, wc, i, j);
                tg_text_add(&x, "  %2d (%d,%d)        (%d,%d)              %4d..%-4d       "
                            "%4d..%-4d       (%lld..%lld, %lld..%lld)\n",
                            w, wr, wc, i, j, a.row, a.row + t->reg_block_m - 1, b.row,
                            b.row + t->reg_block_n - 1, (long long)c.row,
                            (long long)c.row + t->reg_block_m - 1, (long long)c.col,
                            (long long)c.col + t->reg_block_n - 1);
            }
    }
    tg_text_add(&x, "  (A and B subtiles at K columns s*DOT_SLICE of each shared slice, s = 0..%d)\n",
                t->dot_slice_shared / t->dot_slice - 1);
    return tg_text_done(&x, "tg_config_describe's buffer");
}

static int facts(const int *p, tg_fact *out, int max)
{
    const tg_tile tile = tg_tile_from_params(p);
    const tg_tile *t = &tile;
    const tg_fact all[] = {
        {"threads", tg_plan_threads(t), "threads per block"},
        {"warps", tg_plan_warps(t), "warps per block"},
        {"warp_tile_m", tg_plan_warp_tile_m(t), "rows of C per warp"},
        {"warp_tile_n", tg_plan_warp_tile_n(t), "columns of C per warp"},
        {"acc_m", tg_plan_acc_m(t), "accumulator tiles per warp along M"},
        {"acc_n", tg_plan_acc_n(t), "accumulator tiles per warp along N"},
        {"accumulators", tg_plan_acc_m(t) * tg_plan_acc_n(t), "accumulator tiles per warp"},
        {"acc_regs", tg_plan_acc_regs(t), "fp32 accumulator registers per thread"},
        {"mma_tiles_m", TG_MMA_TILES_M(t->reg_block_m), "m16 mma tiles per accumulator tile"},
        {"mma_tiles_n", TG_MMA_TILES_N(t->reg_block_n), "n8 mma tiles per accumulator tile"},
        {"slices_per_step", tg_plan_slices_per_step(t), "shared slices per K_STEP"},
        {"dots_per_slice", t->dot_slice_shared / t->dot_slice, "DOT_SLICEs per shared slice"},
        {"smem_bytes", tg_plan_smem_bytes(t), "dynamic shared memory per block"},
        {"load_vecs_a", TG_LOAD_VECS(t->block_m, t->dot_slice_shared, t->warps_m, t->warps_n),
         "16-byte A vectors per thread per slice"},
        {"load_vecs_b", TG_LOAD_VECS(t->block_n, t->dot_slice_shared, t->warps_m, t->warps_n),
         "16-byte B vectors per thread per slice"},
    };
    return tg_facts_out(all, (int)(sizeof all / sizeof all[0]), out, max);
}

/* ------------------------------------------------------------------------
 * Registration
 * ---------------------------------------------------------------------- */

const tg_family_ops tg_micro_family = {
    .name = "micro",
    .id = TG_FAMILY_MICRO,
    .params = params,
    .nparams = TG_MICRO_NPARAMS,
    .aliases = aliases,
    .naliases = (int)(sizeof aliases / sizeof aliases[0]),
    .presets = presets,
    .npresets = NPRESETS,
    .base = "seed",
    .presets_file = "src/micro/presets.def",
    .preset_macro = "TG_MICRO_PRESET",
    .pdl = 0, /* the seed's kernel: a plain launch */
    .check = check,
    .supports = supports,
    .workspace = workspace,
    .prepare = prepare,
    .geometry = geometry,
    .info = info,
    .verify = verify,
    .describe = describe,
    .facts = facts,
};
