/* cublas.c — the cuBLAS baseline; see cublas.h. */
#include "cublas.h"

cublasStatus_t baseline_cublas_gemm(cublasHandle_t h, const tg_gemm_args *g, cudaStream_t stream)
{
    /* Row-major C = A·Bᵀ is column-major Cᵀ (N×M) = B (N×K as the
     * column-major K×N matrix transposed) · A (column-major K×M). */
    cublasStatus_t s = cublasSetStream(h, stream);
    if (s != CUBLAS_STATUS_SUCCESS)
        return s;
    const cudaDataType_t c_type = g->c_dtype == TG_DTYPE_F32 ? CUDA_R_32F : CUDA_R_16BF;
    if (g->batch <= 1)
        return cublasGemmEx(h, CUBLAS_OP_T, CUBLAS_OP_N, (int)g->n, (int)g->m, (int)g->k,
                            &g->alpha, g->b, CUDA_R_16BF, (int)g->ldb, g->a, CUDA_R_16BF,
                            (int)g->lda, &g->beta, g->c, c_type, (int)g->ldc, CUBLAS_COMPUTE_32F,
                            CUBLAS_GEMM_DEFAULT);
    return cublasGemmStridedBatchedEx(h, CUBLAS_OP_T, CUBLAS_OP_N, (int)g->n, (int)g->m, (int)g->k,
                                      &g->alpha, g->b, CUDA_R_16BF, (int)g->ldb, g->stride_b, g->a,
                                      CUDA_R_16BF, (int)g->lda, g->stride_a, &g->beta, g->c,
                                      c_type, (int)g->ldc, g->stride_c, (int)g->batch,
                                      CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT);
}
