/*
 * gemm.c — tg_gemm: arguments read and checked once, the configuration
 * resolved (the caller's, or the dispatcher's), the device and pointers
 * checked, and the family's launch description launched. Plain C11 over
 * the CUDA runtime API; no kernel code here.
 */
#include <cuda_runtime.h>
#include <stdint.h>
#include <stdio.h>

#include "core/core.h"

/* ------------------------------------------------------------------------
 * Resolving the configuration
 * ---------------------------------------------------------------------- */

/*
 * The family and compiled preset that run g: cfg's (a preset's parameters
 * are valid by construction, so a match needs no further check), or the
 * dispatcher's for cfg == NULL; *pack, the operands copied first for a
 * family that needs TMA's rules (tg_pack; `assume_workspace`: the question
 * of tg_gemm_workspace_size, asked before there is a workspace).
 */
static tg_status resolve(const tg_gemm_args *g, const tg_config *cfg, int assume_workspace,
                         const tg_family_ops **fam, int *preset, tg_pack *pack, tg_split *split)
{
    pack->a = pack->b = 0;
    pack->bytes = 0;
    tg_split_plan(g, 1, split);
    if (!cfg)
        return tg_dispatch(g, assume_workspace, fam, preset, NULL, pack, split);
    const tg_family_ops *f = tg_family_get(cfg->family);
    *preset = f ? tg_preset_find(f, cfg->params) : -1;
    if (*preset < 0) {
        TG_TRY(tg_config_check(cfg)); /* invalid, or valid but not compiled? */
        char line[512];
        TG_TRY(tg_config_preset_line(cfg, line, sizeof line));
        return TG_FAIL(TG_ERR_NOT_COMPILED,
                       "config '%s' is valid but no kernel was compiled for it; add this line to "
                       "compile one: %s",
                       cfg->name, line);
    }
    *fam = f;
    /* Only a call that runs the family's kernel must suit it. */
    if (tg_nothing_to_do(g) || !tg_reads_ab(g))
        return TG_SUCCESS;
    const tg_status s = f->supports(*preset, g);
    if (s == TG_SUCCESS)
        return s;
    char why[512];
    snprintf(why, sizeof why, "%s", tg_last_error());
    size_t need = 0;
    if (tg_pack_fits(g, f, *preset, assume_workspace, pack, &need))
        return TG_SUCCESS;
    if (need)
        return TG_FAIL(s, "%s; or pass a 256-byte aligned workspace of %zu bytes "
                          "(tg_gemm_workspace_size), into which A and/or B are copied with "
                          "16-byte aligned rows",
                       why, need);
    return TG_FAIL(s, "%s", why);
}

/* ------------------------------------------------------------------------
 * The calls
 * ---------------------------------------------------------------------- */

tg_status tg_gemm_supports(const tg_gemm_args *args, const tg_config *cfg)
{
    tg_gemm_args g;
    TG_TRY(tg_args_read(args, &g));
    TG_TRY(tg_check_args(&g, 0));
    const tg_family_ops *f;
    int preset;
    tg_pack pack;
    tg_split split;
    return resolve(&g, cfg, 0, &f, &preset, &pack, &split);
}

tg_status tg_gemm_workspace_size(const tg_gemm_args *args, const tg_config *cfg, size_t *bytes)
{
    tg_gemm_args g;
    TG_TRY(tg_args_read(args, &g));
    TG_TRY(tg_check_args(&g, 0));
    if (!bytes)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "tg_gemm_workspace_size: bytes is NULL");
    const tg_family_ops *f;
    int preset;
    tg_pack pack;
    tg_split split;
    TG_TRY(resolve(&g, cfg, 1, &f, &preset, &pack, &split));
    if (tg_nothing_to_do(&g) || !tg_reads_ab(&g)) {
        *bytes = 0;
        return TG_SUCCESS;
    }
    tg_gemm_args view = g;
    if (pack.a || pack.b)
        tg_pack_view(&g, &pack, &view);
    if (split.s > 1)
        tg_split_view(&g, &split, &view);
    *bytes = pack.bytes + split.bytes + f->workspace(preset, &view);
    return TG_SUCCESS;
}

/* C, and A and B when the call reads them, are memory the device can reach. */
static tg_status check_operands(const tg_gemm_args *g, uint64_t ctx)
{
    TG_TRY(tg_check_device_pointer(g->c, "c", ctx));
    if (!tg_reads_ab(g))
        return TG_SUCCESS; /* C = beta·C */
    TG_TRY(tg_check_device_pointer(g->a, "a", ctx));
    return tg_check_device_pointer(g->b, "b", ctx);
}

tg_status tg_gemm_check_pointers(const tg_gemm_args *args)
{
    tg_gemm_args g;
    TG_TRY(tg_args_read(args, &g));
    TG_TRY(tg_check_args(&g, 1));
    if (tg_nothing_to_do(&g))
        return TG_SUCCESS;
    int dev = 0;
    uint64_t ctx = 0;
    TG_TRY(tg_current_context(&dev, &ctx));
    return check_operands(&g, ctx);
}

tg_status tg_launch_on(const tg_launch *l, void *stream)
{
    void *params[1] = {(void *)l->params};
    const dim3 grid = {l->grid[0], l->grid[1], l->grid[2]};
    const dim3 block = {l->block[0], l->block[1], l->block[2]};
    cudaLaunchAttribute attr[2];
    unsigned n = 0;
    if (l->cluster[0] * l->cluster[1] * l->cluster[2] > 1) {
        attr[n].id = cudaLaunchAttributeClusterDimension;
        attr[n].val.clusterDim.x = l->cluster[0];
        attr[n].val.clusterDim.y = l->cluster[1];
        attr[n].val.clusterDim.z = l->cluster[2];
        n++;
    }
    if (l->pdl) {
        attr[n].id = cudaLaunchAttributeProgrammaticStreamSerialization;
        attr[n].val.programmaticStreamSerializationAllowed = 1;
        n++;
    }
    cudaError_t e;
    if (n == 0) {
        e = cudaLaunchKernel(l->kernel, grid, block, params, l->smem, (cudaStream_t)stream);
    } else {
        cudaLaunchConfig_t c = {grid, block, l->smem, (cudaStream_t)stream, attr, n};
        e = cudaLaunchKernelExC(&c, l->kernel, params);
    }
    if (e != cudaSuccess) {
        cudaGetLastError(); /* ours: leave no stale error for the caller's next check */
        return TG_FAIL(TG_ERR_CUDA, "kernel launch failed: %s (%s)", cudaGetErrorString(e),
                       cudaGetErrorName(e));
    }
    return TG_SUCCESS;
}

tg_status tg_gemm_prepare(const tg_gemm_args *args, const tg_config *cfg, tg_gemm_args *g,
                          tg_launch *l)
{
    l->kernel = NULL;
    l->pdl = 0;
    l->pack.a = l->pack.b = 0;
    l->split.s = 1;
    TG_TRY(tg_args_read(args, g));
    TG_TRY(tg_check_args(g, 1));
    const tg_family_ops *f;
    int preset;
    tg_pack pack;
    tg_split split;
    TG_TRY(resolve(g, cfg, 0, &f, &preset, &pack, &split));
    if (tg_nothing_to_do(g))
        return TG_SUCCESS;
    int dev = 0;
    uint64_t ctx = 0;
    TG_TRY(tg_current_context(&dev, &ctx));
    TG_TRY(check_operands(g, ctx));
    if (!tg_reads_ab(g))
        return TG_SUCCESS; /* C = beta·C */
    tg_gemm_args view = *g;
    /* resolve() found room for the copies or partials and the family's workspace after them */
    if (pack.a || pack.b || split.s > 1)
        TG_TRY(tg_check_device_pointer(g->workspace, "workspace", ctx));
    if (pack.a || pack.b) {
        tg_pack_view(g, &pack, &view);
        l->pack = pack;
    }
    if (split.s > 1) {
        tg_split_view(g, &split, &view);
        l->split = split;
    }
    const size_t need = f->workspace(preset, &view);
    if (view.workspace_size < need)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT,
                       "workspace_size is %zu bytes; this call needs %zu "
                       "(tg_gemm_workspace_size)",
                       g->workspace_size, pack.bytes + split.bytes + need);
    TG_TRY(f->prepare(preset, &view, dev, l));
    l->pdl = f->pdl && g->pdl; /* the family's kernel can, and the caller lets it */
    return TG_SUCCESS;
}

tg_status tg_gemm(const tg_gemm_args *args, const tg_config *cfg, void *stream)
{
    tg_gemm_args g;
    tg_launch l;
    TG_TRY(tg_gemm_prepare(args, cfg, &g, &l));
    if (l.kernel && (l.pack.a || l.pack.b))
        TG_TRY(tg_pack_launch(&l.pack, stream));
    if (l.kernel && l.split.s > 1) {
        TG_TRY(tg_launch_on(&l, stream));
        return tg_split_reduce(&l.split, stream);
    }
    if (l.kernel)
        return tg_launch_on(&l, stream);
    if (tg_nothing_to_do(&g))
        return TG_SUCCESS;
    return tg_scale_c(&g, stream);
}
