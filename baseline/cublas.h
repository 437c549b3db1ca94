/*
 * cublas.h — the baseline every tilegemm figure is measured against: cuBLAS
 * as a user calls it (cublasGemmEx / cublasGemmStridedBatchedEx, bf16 in,
 * fp32 compute, CUBLAS_GEMM_DEFAULT; what torch.matmul gets). Used by the
 * CLI and the tests only: the library never needs cuBLAS.
 */
#ifndef TG_BASELINE_CUBLAS_H
#define TG_BASELINE_CUBLAS_H

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include "tilegemm.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * What tg_gemm(g) computes, C = alpha·A·Bᵀ + beta·C (row-major, batched),
 * with cuBLAS on stream. Returns cuBLAS's status.
 */
cublasStatus_t baseline_cublas_gemm(cublasHandle_t h, const tg_gemm_args *g, cudaStream_t stream);

#ifdef __cplusplus
}
#endif

#endif /* TG_BASELINE_CUBLAS_H */
