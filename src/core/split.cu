/*
 * split.cu — the last step of split-K (src/core/split.c): C = alpha·(the
 * partials' sum, split 0 first) + beta·C (beta = 0 never reads C), one
 * thread per element, consecutive threads along a row of C.
 */
#include <cuda_runtime.h>

#include "core/core.h"
#include "core/store_c.cuh"

static __global__ void reduce_kernel(const __grid_constant__ tg_split p)
{
    const int64_t items = p.m * p.n, step = (int64_t)gridDim.x * blockDim.x;
    for (int64_t e = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; e < items; e += step) {
        float sum = 0.0f;
        for (int s = 0; s < p.s; s++)
            sum += p.partials[s * items + e];
        tg_store_c(p.c, e / p.n * p.ldc + e % p.n, p.c_dtype, p.alpha, p.beta, sum);
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
