/*
 * split.cu — the last step of split-K (src/core/split.c): C = alpha·(the
 * partials' sum, split 0 first) + beta·C (beta = 0 never reads C), one
 * thread per element, consecutive threads along a row of C.
 */
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include "core/core.h"

static __global__ void reduce_kernel(const __grid_constant__ tg_split p)
{
    const int64_t items = p.m * p.n, step = (int64_t)gridDim.x * blockDim.x;
    for (int64_t e = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; e < items; e += step) {
        float sum = 0.0f;
        for (int s = 0; s < p.s; s++)
            sum += p.partials[s * items + e];
        const int64_t at = e / p.n * p.ldc + e % p.n;
        float v = p.alpha * sum;
        if (p.c_dtype == TG_DTYPE_F32) {
            float *c = (float *)p.c + at;
            *c = p.beta != 0.0f ? fmaf(p.beta, *c, v) : v;
        } else {
            __nv_bfloat16 *c = (__nv_bfloat16 *)p.c + at;
            if (p.beta != 0.0f)
                v = fmaf(p.beta, __bfloat162float(*c), v);
            *c = __float2bfloat16_rn(v);
        }
    }
}

extern "C" tg_status tg_split_reduce(const tg_split *sp, void *stream)
{
    const int64_t items = sp->m * sp->n, per = 256;
    const int64_t blocks = (items + per - 1) / per;
    reduce_kernel<<<(unsigned)(blocks < 65536 ? blocks : 65536), per, 0, (cudaStream_t)stream>>>(*sp);
    const cudaError_t e = cudaGetLastError();
    if (e != cudaSuccess)
        return TG_FAIL(TG_ERR_CUDA, "split-K sum into C: kernel launch failed: %s (%s)",
                       cudaGetErrorString(e), cudaGetErrorName(e));
    return TG_SUCCESS;
}
