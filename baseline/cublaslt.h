/*
 * cublaslt.h — "cuBLASLt best": the strongest cuBLAS a user could get for one
 * shape, beside the plain cublasGemmEx of cublas.h. cuBLASLt's heuristic
 * offers up to BASELINE_LT_MAX_ALGOS algorithms for the shape (with a
 * 64 MiB workspace); the caller times each and keeps the fastest. Used by
 * the CLI only (tilegemm bench); the library never needs cuBLAS.
 */
#ifndef TG_BASELINE_CUBLASLT_H
#define TG_BASELINE_CUBLASLT_H

#include <cublasLt.h>
#include <cuda_runtime.h>

#include "tilegemm.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { BASELINE_LT_MAX_ALGOS = 16 };
#define BASELINE_LT_WORKSPACE ((size_t)64 << 20)

typedef struct baseline_lt {
    cublasLtHandle_t h;
    cublasLtMatmulDesc_t op;
    cublasLtMatrixLayout_t a, b, c; /* cuBLAS's column-major view: a = B (K×N), b = A (K×M), c = Cᵀ */
    cublasLtMatmulHeuristicResult_t algos[BASELINE_LT_MAX_ALGOS];
    int nalgos;
    void *workspace;
} baseline_lt;

/*
 * The heuristic's algorithms for g's shape, dtypes and leading dimensions
 * (one batch item: g->batch must be 1), alpha and beta as scalars at run
 * time. Returns cuBLAS's status; on success lt->nalgos >= 1.
 */
cublasStatus_t baseline_lt_init(baseline_lt *lt, const tg_gemm_args *g);

/* What tg_gemm(g) computes, with algorithm `algo` (0 .. nalgos-1) of lt, on stream. */
cublasStatus_t baseline_lt_gemm(const baseline_lt *lt, int algo, const tg_gemm_args *g,
                                cudaStream_t stream);

void baseline_lt_free(baseline_lt *lt);

#ifdef __cplusplus
}
#endif

#endif /* TG_BASELINE_CUBLASLT_H */
