/*
 * store_c.cuh — one element of C as the core defines it, for kernels that
 * write C an element at a time (the decode family, split-K's sum):
 * C(at) = alpha·v + beta·C(at), in C's dtype; beta = 0 never reads C (it
 * may hold NaN).
 */
#ifndef TG_STORE_C_CUH
#define TG_STORE_C_CUH

#include <cuda_bf16.h>
#include <stdint.h>

#include "core/core.h"

static __device__ __forceinline__ void tg_store_c(void *c, int64_t at, int c_dtype, float alpha,
                                                  float beta, float v)
{
    const float x = alpha * v;
    if (c_dtype == TG_DTYPE_F32) {
        float *dst = (float *)c + at;
        *dst = beta != 0.0f ? fmaf(beta, *dst, x) : x;
    } else {
        __nv_bfloat16 *dst = (__nv_bfloat16 *)c + at;
        *dst = __float2bfloat16_rn(beta != 0.0f ? fmaf(beta, __bfloat162float(*dst), x) : x);
    }
}

#endif /* TG_STORE_C_CUH */
