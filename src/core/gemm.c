/*
 * gemm.c — tg_gemm: arguments read and checked once, the configuration
 * resolved (the caller's, or the dispatcher's), the device and pointers
 * checked, and the family's launch description launched. Plain C11 over
 * the CUDA runtime API; no kernel code here.
 */
#include <cuda_runtime.h>
#include <cudaTypedefs.h> /* PFN_cuPointerGetAttributes_v7000 */
#include <stdint.h>
#include <stdio.h>

#include "core/core.h"

/* ------------------------------------------------------------------------
 * Device and pointers
 * ---------------------------------------------------------------------- */

/* What cudaGetDeviceCount's failure means, in words a user can act on. */
static tg_status no_device(cudaError_t e)
{
    cudaGetLastError(); /* clear the (non-sticky) error so later calls start clean */
    if (e == cudaSuccess || e == cudaErrorNoDevice)
        return TG_FAIL(TG_ERR_NO_DEVICE, "no CUDA GPU is visible (tilegemm needs an sm_90 GPU: "
                                         "H100 or H200)");
    if (e == cudaErrorInsufficientDriver)
        return TG_FAIL(TG_ERR_NO_DEVICE,
                       "no usable NVIDIA driver: none is installed, or it is older than this "
                       "CUDA runtime (%d.%d) needs (tilegemm needs an sm_90 GPU and its driver)",
                       CUDART_VERSION / 1000, CUDART_VERSION % 1000 / 10);
    return TG_FAIL(TG_ERR_NO_DEVICE, "no CUDA GPU is usable: %s (%s)", cudaGetErrorString(e),
                   cudaGetErrorName(e));
}

tg_status tg_current_device(int *dev)
{
    /* Once a device passed, later calls on it cost one cudaGetDevice. */
    enum { MAX_DEVICES = 64 };
    static int passed[MAX_DEVICES]; /* atomics: callers may be threads */
    cudaError_t e = cudaGetDevice(dev);
    if (e == cudaSuccess && *dev >= 0 && *dev < MAX_DEVICES &&
        __atomic_load_n(&passed[*dev], __ATOMIC_ACQUIRE))
        return TG_SUCCESS;
    int count = 0;
    if (e == cudaSuccess)
        e = cudaGetDeviceCount(&count);
    if (e != cudaSuccess || count == 0)
        return no_device(e);
    int major = 0, minor = 0;
    TG_CUDA_TRY(cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, *dev));
    TG_CUDA_TRY(cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, *dev));
    if (major != 9 || minor != 0)
        return TG_FAIL(TG_ERR_UNSUPPORTED_DEVICE,
                       "device %d is sm_%d%d; tilegemm's kernels are built for sm_90a (Hopper)",
                       *dev, major, minor);
    if (*dev >= 0 && *dev < MAX_DEVICES)
        __atomic_store_n(&passed[*dev], 1, __ATOMIC_RELEASE);
    return TG_SUCCESS;
}

tg_status tg_device_check(void)
{
    int dev = 0;
    return tg_current_device(&dev);
}

tg_status tg_device_sm_count(int dev, int *out)
{
    enum { MAX_DEVICES = 64 };
    static int sms[MAX_DEVICES]; /* atomics: callers may be threads */
    const int cached = dev >= 0 && dev < MAX_DEVICES;
    int n = cached ? __atomic_load_n(&sms[dev], __ATOMIC_ACQUIRE) : 0;
    if (n <= 0) {
        TG_CUDA_TRY(cudaDeviceGetAttribute(&n, cudaDevAttrMultiProcessorCount, dev));
        if (n <= 0)
            return TG_FAIL(TG_ERR_CUDA, "device %d reports %d SMs", dev, n);
        if (cached)
            __atomic_store_n(&sms[dev], n, __ATOMIC_RELEASE);
    }
    *out = n;
    return TG_SUCCESS;
}

tg_status tg_kernel_resources(const void *kernel, int threads, size_t smem, tg_kernel_info *out)
{
    struct cudaFuncAttributes fa;
    TG_CUDA_TRY(cudaFuncGetAttributes(&fa, kernel));
    int blocks = 0;
    TG_CUDA_TRY(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&blocks, kernel, threads, smem));
    out->registers = fa.numRegs;
    out->local_bytes = fa.localSizeBytes;
    out->static_smem = fa.sharedSizeBytes;
    out->dynamic_smem = smem;
    out->max_threads = fa.maxThreadsPerBlock;
    out->blocks_per_sm = blocks;
    return TG_SUCCESS;
}

tg_status tg_cluster_capacity(const void *kernel, const char *name, int cluster, int threads,
                              size_t smem, int dev, int *clusters)
{
    cudaLaunchAttribute attr;
    attr.id = cudaLaunchAttributeClusterDimension;
    attr.val.clusterDim.x = (unsigned)cluster;
    attr.val.clusterDim.y = attr.val.clusterDim.z = 1;
    const cudaLaunchConfig_t c = {{(unsigned)cluster, 1, 1}, {(unsigned)threads, 1, 1}, smem, 0,
                                  &attr, 1};
    *clusters = 0;
    TG_CUDA_TRY(cudaOccupancyMaxActiveClusters(clusters, kernel, &c));
    if (*clusters <= 0)
        return TG_FAIL(TG_ERR_CUDA, "%s: no cluster of %d blocks fits on device %d", name, cluster,
                       dev);
    return TG_SUCCESS;
}

tg_status tg_driver_entry(const char *name, int version, void **out)
{
    void *p = NULL;
    enum cudaDriverEntryPointQueryResult q = cudaDriverEntryPointSymbolNotFound;
    const cudaError_t e = cudaGetDriverEntryPointByVersion(name, &p, (unsigned)version,
                                                           cudaEnableDefault, &q);
    if (e != cudaSuccess)
        cudaGetLastError(); /* ours: leave no stale error for the caller's next check */
    if (e != cudaSuccess || !p || q != cudaDriverEntryPointSuccess)
        return TG_FAIL(TG_ERR_CUDA,
                       "the driver has no %s (version %d; %s, query result %d): it is older than "
                       "tilegemm needs",
                       name, version, cudaGetErrorString(e), (int)q);
    *out = p;
    return TG_SUCCESS;
}

/*
 * cuPointerGetAttributes through the driver's entry point (no libcuda link):
 * the two attributes the check needs in one call, 77 ns against
 * cudaPointerGetAttributes' 128 ns on the H100 (bench/RESULTS.md entry 12;
 * a call checks three pointers). NULL when the driver has none.
 */
static PFN_cuPointerGetAttributes_v7000 pointer_query(void)
{
    static PFN_cuPointerGetAttributes_v7000 fn; /* atomics: callers may be threads */
    static int asked;
    PFN_cuPointerGetAttributes_v7000 f = __atomic_load_n(&fn, __ATOMIC_ACQUIRE);
    if (f || __atomic_load_n(&asked, __ATOMIC_ACQUIRE))
        return f;
    void *p = NULL;
    if (tg_driver_entry("cuPointerGetAttributes", 7000, &p) == TG_SUCCESS) {
        f = (PFN_cuPointerGetAttributes_v7000)p;
        __atomic_store_n(&fn, f, __ATOMIC_RELEASE);
    }
    __atomic_store_n(&asked, 1, __ATOMIC_RELEASE);
    return f;
}

/* A pointer the device can read: device, managed, or mapped host memory. */
static tg_status check_device_pointer(const void *p, const char *name)
{
    PFN_cuPointerGetAttributes_v7000 query = pointer_query();
    if (query) {
        unsigned int type = 0; /* 0: not CUDA's (the driver's "default" for an unknown pointer) */
        CUdeviceptr device_view = 0;
        CUpointer_attribute what[2] = {CU_POINTER_ATTRIBUTE_MEMORY_TYPE,
                                       CU_POINTER_ATTRIBUTE_DEVICE_POINTER};
        void *into[2] = {&type, &device_view};
        if (query(2, what, into, (CUdeviceptr)(uintptr_t)p) == CUDA_SUCCESS) {
            if (type == CU_MEMORYTYPE_DEVICE || type == CU_MEMORYTYPE_UNIFIED ||
                (type == CU_MEMORYTYPE_HOST && device_view))
                return TG_SUCCESS;
            if (type == 0 || type == CU_MEMORYTYPE_HOST)
                return TG_FAIL(TG_ERR_INVALID_ARGUMENT,
                               "%s (%p) is host memory; pass device memory (cudaMalloc)", name, p);
        }
        /* Anything else: the runtime's answer, and its words. */
    }
    struct cudaPointerAttributes attr;
    cudaError_t e = cudaPointerGetAttributes(&attr, p);
    if (e != cudaSuccess) {
        cudaGetLastError();
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "%s (%p) is not a pointer CUDA knows: %s", name, p,
                       cudaGetErrorString(e));
    }
    if (attr.type == cudaMemoryTypeUnregistered ||
        (attr.type == cudaMemoryTypeHost && attr.devicePointer == NULL))
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT,
                       "%s (%p) is host memory; pass device memory (cudaMalloc)", name, p);
    return TG_SUCCESS;
}

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
static tg_status check_operands(const tg_gemm_args *g)
{
    TG_TRY(check_device_pointer(g->c, "c"));
    if (!tg_reads_ab(g))
        return TG_SUCCESS; /* C = beta·C */
    TG_TRY(check_device_pointer(g->a, "a"));
    return check_device_pointer(g->b, "b");
}

tg_status tg_gemm_check_pointers(const tg_gemm_args *args)
{
    tg_gemm_args g;
    TG_TRY(tg_args_read(args, &g));
    TG_TRY(tg_check_args(&g, 1));
    if (tg_nothing_to_do(&g))
        return TG_SUCCESS;
    int dev = 0;
    TG_TRY(tg_current_device(&dev));
    return check_operands(&g);
}

tg_status tg_launch_on(const tg_launch *l, void *stream)
{
    void *params[1] = {(void *)l->params};
    const dim3 grid = {l->grid[0], l->grid[1], l->grid[2]};
    const dim3 block = {l->block[0], l->block[1], l->block[2]};
    cudaError_t e;
    if (l->cluster[0] * l->cluster[1] * l->cluster[2] == 1) {
        e = cudaLaunchKernel(l->kernel, grid, block, params, l->smem, (cudaStream_t)stream);
    } else {
        cudaLaunchAttribute attr;
        attr.id = cudaLaunchAttributeClusterDimension;
        attr.val.clusterDim.x = l->cluster[0];
        attr.val.clusterDim.y = l->cluster[1];
        attr.val.clusterDim.z = l->cluster[2];
        cudaLaunchConfig_t c = {grid, block, l->smem, (cudaStream_t)stream, &attr, 1};
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
    TG_TRY(tg_current_device(&dev));
    TG_TRY(check_operands(g));
    if (!tg_reads_ab(g))
        return TG_SUCCESS; /* C = beta·C */
    tg_gemm_args view = *g;
    if (pack.a || pack.b) {
        /* resolve() found room for the copies and the family's workspace after them */
        TG_TRY(check_device_pointer(g->workspace, "workspace"));
        tg_pack_view(g, &pack, &view);
        l->pack = pack;
    }
    if (split.s > 1) {
        /* the dispatcher found room for the partials and the family's workspace after them */
        TG_TRY(check_device_pointer(g->workspace, "workspace"));
        tg_split_view(g, &split, &view);
        l->split = split;
    }
    const size_t need = f->workspace(preset, &view);
    if (view.workspace_size < need)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT,
                       "workspace_size is %zu bytes; this call needs %zu "
                       "(tg_gemm_workspace_size)",
                       g->workspace_size, pack.bytes + split.bytes + need);
    return f->prepare(preset, &view, dev, l);
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
