/* cublaslt.c — the "cuBLASLt best" baseline; see cublaslt.h. */
#include <string.h>

#include "cublaslt.h"

#define LT_TRY(call)                                                                          \
    do {                                                                                      \
        cublasStatus_t lt_s_ = (call);                                                        \
        if (lt_s_ != CUBLAS_STATUS_SUCCESS) {                                                 \
            baseline_lt_free(lt);                                                             \
            return lt_s_;                                                                     \
        }                                                                                     \
    } while (0)

cublasStatus_t baseline_lt_init(baseline_lt *lt, const tg_gemm_args *g)
{
    memset(lt, 0, sizeof *lt);
    if (g->batch > 1)
        return CUBLAS_STATUS_NOT_SUPPORTED;
    /* As cublas.c: row-major C = A·Bᵀ is column-major Cᵀ (N×M) = op(B)·A with op = T. */
    const cudaDataType_t c_type = g->c_dtype == TG_DTYPE_F32 ? CUDA_R_32F : CUDA_R_16BF;
    const cublasOperation_t ta = CUBLAS_OP_T, tb = CUBLAS_OP_N;
    LT_TRY(cublasLtCreate(&lt->h));
    LT_TRY(cublasLtMatmulDescCreate(&lt->op, CUBLAS_COMPUTE_32F, CUDA_R_32F));
    LT_TRY(cublasLtMatmulDescSetAttribute(lt->op, CUBLASLT_MATMUL_DESC_TRANSA, &ta, sizeof ta));
    LT_TRY(cublasLtMatmulDescSetAttribute(lt->op, CUBLASLT_MATMUL_DESC_TRANSB, &tb, sizeof tb));
    LT_TRY(cublasLtMatrixLayoutCreate(&lt->a, CUDA_R_16BF, (uint64_t)g->k, (uint64_t)g->n, g->ldb));
    LT_TRY(cublasLtMatrixLayoutCreate(&lt->b, CUDA_R_16BF, (uint64_t)g->k, (uint64_t)g->m, g->lda));
    LT_TRY(cublasLtMatrixLayoutCreate(&lt->c, c_type, (uint64_t)g->n, (uint64_t)g->m, g->ldc));
    cublasLtMatmulPreference_t pref;
    LT_TRY(cublasLtMatmulPreferenceCreate(&pref));
    const size_t ws = BASELINE_LT_WORKSPACE;
    cublasStatus_t s = cublasLtMatmulPreferenceSetAttribute(
        pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &ws, sizeof ws);
    if (s == CUBLAS_STATUS_SUCCESS)
        s = cublasLtMatmulAlgoGetHeuristic(lt->h, lt->op, lt->a, lt->b, lt->c, lt->c, pref,
                                           BASELINE_LT_MAX_ALGOS, lt->algos, &lt->nalgos);
    cublasLtMatmulPreferenceDestroy(pref);
    LT_TRY(s);
    if (lt->nalgos < 1)
        LT_TRY(CUBLAS_STATUS_NOT_SUPPORTED);
    if (cudaMalloc(&lt->workspace, ws) != cudaSuccess) {
        cudaGetLastError();
        LT_TRY(CUBLAS_STATUS_ALLOC_FAILED);
    }
    return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t baseline_lt_gemm(const baseline_lt *lt, int algo, const tg_gemm_args *g,
                                cudaStream_t stream)
{
    if (algo < 0 || algo >= lt->nalgos || g->batch > 1)
        return CUBLAS_STATUS_INVALID_VALUE;
    return cublasLtMatmul(lt->h, lt->op, &g->alpha, g->b, lt->a, g->a, lt->b, &g->beta, g->c,
                          lt->c, g->c, lt->c, &lt->algos[algo].algo, lt->workspace,
                          lt->algos[algo].workspaceSize, stream);
}

void baseline_lt_free(baseline_lt *lt)
{
    if (lt->workspace)
        cudaFree(lt->workspace);
    if (lt->c)
        cublasLtMatrixLayoutDestroy(lt->c);
    if (lt->b)
        cublasLtMatrixLayoutDestroy(lt->b);
    if (lt->a)
        cublasLtMatrixLayoutDestroy(lt->a);
    if (lt->op)
        cublasLtMatmulDescDestroy(lt->op);
    if (lt->h)
        cublasLtDestroy(lt->h);
    memset(lt, 0, sizeof *lt);
}
