/*
 * scale.cu — C = beta·C, for calls that read neither A nor B (K = 0 or
 * alpha = 0), as cuBLAS defines them. beta = 0 writes zeros without
 * reading C (it may hold NaN). One thread per element of a row, grid-
 * striding over rows and batch items; any ldc, alignment and dtype.
 */
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include "core/core.h"

typedef struct scale_params {
    void *c;
    int64_t m, n, ldc, stride_c, batch;
    float beta;
    int c_dtype;
} scale_params;

static __global__ void scale_kernel(const scale_params p)
{
    const int64_t rows = p.m * p.batch;
    for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
        const int64_t item = r / p.m, row = r % p.m;
        const int64_t base = item * p.stride_c + row * p.ldc;
        for (int64_t j = threadIdx.x; j < p.n; j += blockDim.x) {
            if (p.c_dtype == TG_DTYPE_F32) {
                float *c = (float *)p.c + base + j;
                *c = p.beta == 0.0f ? 0.0f : p.beta * *c;
            } else {
                __nv_bfloat16 *c = (__nv_bfloat16 *)p.c + base + j;
                *c = __float2bfloat16_rn(p.beta == 0.0f ? 0.0f : p.beta * __bfloat162float(*c));
            }
        }
    }
}

extern "C" tg_status tg_scale_c(const tg_gemm_args *g, void *stream)
{
    scale_params p = {g->c, g->m, g->n, g->ldc, g->batch > 1 ? g->stride_c : 0, g->batch, g->beta,
                      (int)g->c_dtype};
    const int64_t rows = g->m * g->batch; /* ≤ the span tg_check_args bounded */
    const unsigned blocks = (unsigned)(rows < 65535 ? rows : 65535);
    scale_kernel<<<blocks, 256, 0, (cudaStream_t)stream>>>(p);
    cudaError_t e = cudaGetLastError();
    if (e != cudaSuccess)
        return TG_FAIL(TG_ERR_CUDA, "C = beta*C kernel launch failed: %s (%s)",
                       cudaGetErrorString(e), cudaGetErrorName(e));
    return TG_SUCCESS;
}
