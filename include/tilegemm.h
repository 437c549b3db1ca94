/*
 * tilegemm — tiled bf16 GEMM kernels for NVIDIA Hopper, with a C API.
 *
 *   C (M×N, fp32 or bf16) = A (M×K, bf16) · Bᵀ   where B is N×K, bf16
 *
 * All matrices are row-major with leading dimensions lda ≥ K, ldb ≥ K,
 * ldc ≥ N (in elements). Batched calls add a batch count and per-matrix
 * strides. Every call is asynchronous on the stream you pass.
 *
 * Kernels are chosen by a configuration: a preset name ("seed", "split8",
 * ...) or a parameter string ("block=128,reg_m=16,reg_n=16"). Each
 * configuration is one line of src/kernels/configs.def; its tile plan
 * (include/tilegemm_plan.h) derives accumulator counts and every load and
 * store coordinate from its parameters.
 *
 * Usage:
 *
 *   tg_config cfg;
 *   if (tg_config_parse("split8", &cfg) != TG_SUCCESS) { ... }
 *   tg_gemm_args g = tg_gemm_args_default();
 *   g.a = d_a; g.b = d_b; g.c = d_c;          // device pointers
 *   g.m = M; g.n = N; g.k = K;
 *   g.lda = K; g.ldb = K; g.ldc = N;
 *   tg_status s = tg_gemm(&g, &cfg, stream);
 *   if (s != TG_SUCCESS)
 *       fprintf(stderr, "%s: %s\n", tg_status_string(s), tg_last_error());
 *
 * Errors: every function returns a tg_status; 0 is success, errors are
 * negative. tg_last_error() gives a message for the calling thread's last
 * failure that names the argument (or the CUDA call, file and line).
 */
#ifndef TILEGEMM_H
#define TILEGEMM_H

#include <stddef.h>
#include <stdint.h>

#include "tilegemm_plan.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define TG_API __declspec(dllexport)
#else
#define TG_API __attribute__((visibility("default")))
#endif

#define TG_VERSION_MAJOR 0
#define TG_VERSION_MINOR 1

/* Status codes. Append only; never renumber. */
typedef enum tg_status {
    TG_SUCCESS = 0,
    TG_ERR_INVALID_ARGUMENT = -1, /* a null pointer, bad size, stride or alignment */
    TG_ERR_UNKNOWN_CONFIG = -2,   /* no preset of that name, or an unknown key */
    TG_ERR_INVALID_CONFIG = -3,   /* parameters break a tile-plan rule */
    TG_ERR_NOT_COMPILED = -4,     /* valid parameters, but no kernel was built for them */
    TG_ERR_NO_DEVICE = -5,        /* no CUDA device is visible */
    TG_ERR_UNSUPPORTED_DEVICE = -6, /* the device is not compute capability 9.0 */
    TG_ERR_CUDA = -7,             /* a CUDA runtime call failed */
    TG_ERR_BUFFER_TOO_SMALL = -8, /* a caller's text buffer was too short */
} tg_status;

/* Output element types. Append only. */
typedef enum tg_dtype {
    TG_DTYPE_F32 = 0,
    TG_DTYPE_BF16 = 1,
} tg_dtype;

TG_API const char *tg_status_string(tg_status s);
TG_API const char *tg_dtype_name(tg_dtype d);
TG_API size_t tg_dtype_size(tg_dtype d); /* bytes per element; 0 for an unknown dtype */

/* Message for the calling thread's most recent failure ("" if none). */
TG_API const char *tg_last_error(void);

/* ------------------------------------------------------------------------
 * Configurations
 * ---------------------------------------------------------------------- */

#define TG_CONFIG_NAME_MAX 32

typedef struct tg_config {
    char name[TG_CONFIG_NAME_MAX]; /* preset name, or "custom" */
    tg_tile tile;                  /* the tile parameters (tilegemm_plan.h) */
} tg_config;

/* Number of compiled configurations, and the i-th of them. */
TG_API int tg_config_count(void);
TG_API tg_status tg_config_get(int i, tg_config *out);

/*
 * Parse a preset name ("split8") or a parameter string of key=value pairs
 * separated by commas. A parameter string starts from the "seed" preset and
 * changes the keys it names:
 *   block=S (sets block_m and block_n), block_m, block_n, k_step,
 *   dot_slice_shared, dot_slice, reg=R (sets reg_m and reg_n), reg_m, reg_n,
 *   warps_m, warps_n, layout=interleaved|contiguous, pipe=cp_async|regs,
 *   stages, min_blocks, raster
 * The result is checked against the tile-plan rules (TG_ERR_INVALID_CONFIG
 * with the rule's reason in tg_last_error()) and named after the compiled
 * preset with the same parameters, if any (else TG_ERR_NOT_COMPILED, and
 * *out still holds the parsed, valid parameters for planning).
 */
TG_API tg_status tg_config_parse(const char *text, tg_config *out);

/* Write "block_m=128,block_n=128,..." for a configuration. */
TG_API tg_status tg_config_format(const tg_config *cfg, char *buf, size_t len);

/* Check a tile against every plan rule; the reason goes to tg_last_error(). */
TG_API tg_status tg_tile_check(const tg_tile *t);

/* ------------------------------------------------------------------------
 * GEMM
 * ---------------------------------------------------------------------- */

typedef struct tg_gemm_args {
    const void *a; /* bf16, M×K row-major, device memory */
    const void *b; /* bf16, N×K row-major, device memory */
    void *c;       /* c_dtype, M×N row-major, device memory */
    int64_t m, n, k;
    int64_t lda, ldb, ldc;  /* in elements: lda ≥ K, ldb ≥ K, ldc ≥ N */
    tg_dtype c_dtype;
    int64_t batch;          /* ≥ 1 */
    int64_t stride_a, stride_b, stride_c; /* elements between batch items */
} tg_gemm_args;

/* Zero pointers and sizes, fp32 output, batch 1. */
TG_API tg_gemm_args tg_gemm_args_default(void);

/* Check arguments without launching (no device needed). */
TG_API tg_status tg_gemm_check_args(const tg_gemm_args *args);

/*
 * C = A·Bᵀ with the kernel of cfg, enqueued on stream (a cudaStream_t; NULL
 * is the legacy default stream) on the calling thread's current device
 * (cudaSetDevice). Returns once the kernel is enqueued. C must not overlap
 * A or B.
 * Pointers and leading dimensions that allow 16-byte vector loads take the
 * fast path; any others are still computed correctly, more slowly.
 */
TG_API tg_status tg_gemm(const tg_gemm_args *args, const tg_config *cfg, void *stream);

/* ------------------------------------------------------------------------
 * Introspection
 * ---------------------------------------------------------------------- */

typedef struct tg_kernel_info {
    int registers;          /* per thread */
    size_t local_bytes;     /* per-thread local memory (stack / spills) */
    size_t static_smem;     /* bytes */
    size_t dynamic_smem;    /* bytes, from the plan */
    int max_threads;        /* the kernel's launch bound */
    int blocks_per_sm;      /* occupancy on the current device */
} tg_kernel_info;

/* Resources of the compiled kernel (needs a device). */
TG_API tg_status tg_kernel_get_info(const tg_config *cfg, tg_kernel_info *out);

/* Is a usable (compute capability 9.0) device present? TG_SUCCESS if so. */
TG_API tg_status tg_device_check(void);

/*
 * The CPU plan verifier. For the tile of cfg it checks that every element
 * of C is produced by exactly one (block, warp, accumulator element), that
 * every accumulator pairs the A and B rows its C coordinates need, that the
 * shared-memory layout is a bijection, and runs the plan on the CPU (plain
 * arithmetic instead of mma) over small odd shapes against a reference.
 * report (may be NULL) receives a summary or the first failures.
 */
TG_API tg_status tg_plan_verify(const tg_tile *t, char *report, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* TILEGEMM_H */
