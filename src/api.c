/*
 * api.c — argument checking, device checks and dispatch to a compiled kernel.
 * Plain C11 over the CUDA runtime API; no kernel code here.
 */
#include <cuda_runtime.h>
#include <stdint.h>

#include "internal.h"

enum { MAX_GRID_X = 2147483647, MAX_GRID_Y = 65535 };

tg_gemm_args tg_gemm_args_default(void)
{
    tg_gemm_args g = {0};
    g.c_dtype = TG_DTYPE_F32;
    g.batch = 1;
    return g;
}

static int aligned(const void *p, uintptr_t bytes) { return (uintptr_t)p % bytes == 0; }

tg_status tg_gemm_check_args(const tg_gemm_args *g)
{
    if (!g)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "args is NULL");
    if (g->m < 1)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "m must be >= 1, got %lld", (long long)g->m);
    if (g->n < 1)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "n must be >= 1, got %lld", (long long)g->n);
    if (g->k < 1)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "k must be >= 1, got %lld", (long long)g->k);
    if (g->lda < g->k)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "lda must be >= k (%lld), got %lld",
                       (long long)g->k, (long long)g->lda);
    if (g->ldb < g->k)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "ldb must be >= k (%lld), got %lld",
                       (long long)g->k, (long long)g->ldb);
    if (g->ldc < g->n)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "ldc must be >= n (%lld), got %lld",
                       (long long)g->n, (long long)g->ldc);
    if (g->c_dtype != TG_DTYPE_F32 && g->c_dtype != TG_DTYPE_BF16)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "c_dtype %d is not TG_DTYPE_F32 or TG_DTYPE_BF16",
                       (int)g->c_dtype);
    if (!g->a)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "a is NULL");
    if (!g->b)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "b is NULL");
    if (!g->c)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "c is NULL");
    if (!aligned(g->a, 2))
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "a (%p) is not 2-byte aligned, as bf16 needs",
                       g->a);
    if (!aligned(g->b, 2))
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "b (%p) is not 2-byte aligned, as bf16 needs",
                       g->b);
    size_t c_size = tg_dtype_size(g->c_dtype);
    if (!aligned(g->c, (uintptr_t)c_size))
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "c (%p) is not %zu-byte aligned, as %s needs", g->c,
                       c_size, tg_dtype_name(g->c_dtype));
    if (g->batch < 1 || g->batch > MAX_GRID_Y)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "batch must be 1..%d, got %lld", MAX_GRID_Y,
                       (long long)g->batch);
    if (g->batch > 1) {
        if (g->stride_a < 0 || g->stride_b < 0)
            return TG_FAIL(TG_ERR_INVALID_ARGUMENT,
                           "stride_a and stride_b must be >= 0 (0 shares one matrix), got %lld "
                           "and %lld",
                           (long long)g->stride_a, (long long)g->stride_b);
        /* Batch items of C must not overlap, or blocks of different items race. */
        if (g->m - 1 > (INT64_MAX - g->n) / g->ldc)
            return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "m*ldc overflows 64 bits (m=%lld, ldc=%lld)",
                           (long long)g->m, (long long)g->ldc);
        int64_t c_span = (g->m - 1) * g->ldc + g->n;
        if (g->stride_c < c_span)
            return TG_FAIL(TG_ERR_INVALID_ARGUMENT,
                           "stride_c must be >= (m-1)*ldc+n = %lld so batch items of c do not "
                           "overlap, got %lld",
                           (long long)c_span, (long long)g->stride_c);
    }
    /* C must not overlap A or B: blocks would read what others already wrote. */
    uintptr_t a0 = (uintptr_t)g->a, b0 = (uintptr_t)g->b, c0 = (uintptr_t)g->c;
    uintptr_t a1 = a0 + 2 * (uintptr_t)((g->batch - 1) * g->stride_a + (g->m - 1) * g->lda + g->k);
    uintptr_t b1 = b0 + 2 * (uintptr_t)((g->batch - 1) * g->stride_b + (g->n - 1) * g->ldb + g->k);
    uintptr_t c1 = c0 + (uintptr_t)c_size *
                            (uintptr_t)((g->batch - 1) * g->stride_c + (g->m - 1) * g->ldc + g->n);
    if (c0 < a1 && a0 < c1)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "c overlaps a: the output must not alias an input");
    if (c0 < b1 && b0 < c1)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "c overlaps b: the output must not alias an input");
    return TG_SUCCESS;
}

tg_status tg_device_check(void)
{
    /* Once a device passed, later calls on it cost one cudaGetDevice. */
    enum { MAX_DEVICES = 64 };
    static int passed[MAX_DEVICES]; /* atomics: callers may be threads */
    int dev = 0;
    cudaError_t e = cudaGetDevice(&dev);
    if (e == cudaSuccess && dev >= 0 && dev < MAX_DEVICES &&
        __atomic_load_n(&passed[dev], __ATOMIC_ACQUIRE))
        return TG_SUCCESS;
    int count = 0;
    if (e == cudaSuccess)
        e = cudaGetDeviceCount(&count);
    if (e != cudaSuccess || count == 0) {
        cudaGetLastError(); /* clear the (non-sticky) error so later calls start clean */
        return TG_FAIL(TG_ERR_NO_DEVICE, "no CUDA device is visible (%s)",
                       e == cudaSuccess ? "0 devices" : cudaGetErrorString(e));
    }
    int major = 0, minor = 0;
    TG_CUDA_TRY(cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, dev));
    TG_CUDA_TRY(cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, dev));
    if (major != 9 || minor != 0)
        return TG_FAIL(TG_ERR_UNSUPPORTED_DEVICE,
                       "device %d is sm_%d%d; tilegemm's kernels are built for sm_90a (Hopper)",
                       dev, major, minor);
    if (dev >= 0 && dev < MAX_DEVICES)
        __atomic_store_n(&passed[dev], 1, __ATOMIC_RELEASE);
    return TG_SUCCESS;
}

/* A pointer the device can read: device, managed, or mapped host memory. */
static tg_status check_device_pointer(const void *p, const char *name)
{
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

tg_status tg_gemm(const tg_gemm_args *g, const tg_config *cfg, void *stream)
{
    TG_TRY(tg_gemm_check_args(g));
    if (!cfg)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "cfg is NULL");
    const tg_kernel_entry *kernel = tg_kernel_find(&cfg->tile);
    if (!kernel) {
        TG_TRY(tg_tile_check(&cfg->tile));
        return TG_FAIL(TG_ERR_NOT_COMPILED,
                       "config '%s': no compiled kernel has its parameters (see tilegemm list)",
                       cfg->name);
    }
    TG_TRY(tg_device_check());
    TG_TRY(check_device_pointer(g->a, "a"));
    TG_TRY(check_device_pointer(g->b, "b"));
    TG_TRY(check_device_pointer(g->c, "c"));

    const tg_tile *t = &kernel->tile;
    tg_micro_params p = {0};
    p.a = g->a;
    p.b = g->b;
    p.c = g->c;
    p.m = g->m;
    p.n = g->n;
    p.k = g->k;
    p.lda = g->lda;
    p.ldb = g->ldb;
    p.ldc = g->ldc;
    p.stride_a = g->batch > 1 ? g->stride_a : 0;
    p.stride_b = g->batch > 1 ? g->stride_b : 0;
    p.stride_c = g->batch > 1 ? g->stride_c : 0;
    p.grid_m = tg_plan_grid_m(t, g->m);
    p.grid_n = tg_plan_grid_n(t, g->n);
    p.c_dtype = g->c_dtype;
    if (p.grid_m * p.grid_n > MAX_GRID_X)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT,
                       "m=%lld, n=%lld need %lld thread blocks of %dx%d, more than one launch "
                       "allows (%d)",
                       (long long)g->m, (long long)g->n, (long long)(p.grid_m * p.grid_n),
                       t->block_m, t->block_n, MAX_GRID_X);
    /* 16-byte loads need every row (and batch item) of A and B to start 16-byte aligned. */
    p.vec_ab = aligned(g->a, 16) && aligned(g->b, 16) && g->lda % 8 == 0 && g->ldb % 8 == 0 &&
               p.stride_a % 8 == 0 && p.stride_b % 8 == 0;
    /* Pairs of C elements (fp32x2 or bf16x2) need rows starting at even elements. */
    p.vec_c = aligned(g->c, g->c_dtype == TG_DTYPE_F32 ? 8 : 4) && g->ldc % 2 == 0 &&
              p.stride_c % 2 == 0;
    return kernel->launch(&p, g->batch, stream);
}

tg_status tg_kernel_get_info(const tg_config *cfg, tg_kernel_info *out)
{
    if (!cfg)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "cfg is NULL");
    if (!out)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "out is NULL");
    const tg_kernel_entry *kernel = tg_kernel_find(&cfg->tile);
    if (!kernel)
        return TG_FAIL(TG_ERR_NOT_COMPILED, "config '%s' has no compiled kernel", cfg->name);
    TG_TRY(tg_device_check());
    return kernel->info(out);
}
