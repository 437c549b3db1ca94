/*
 * internal.h — what the library's C files and kernel files share: error
 * recording, the kernel launch parameters, and the kernel registry.
 */
#ifndef TG_INTERNAL_H
#define TG_INTERNAL_H

#include "tilegemm.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Errors, inside the library: record the message for tg_last_error() and
 * return a status. Nothing here exits or prints.
 */
tg_status tg_fail(tg_status s, const char *file, int line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
void tg_clear_error(void);

#define TG_FAIL(status, ...) tg_fail((status), __FILE__, __LINE__, __VA_ARGS__)

/* Return from the enclosing function if a tg_status expression failed. */
#define TG_TRY(expr)                           \
    do {                                       \
        tg_status tg_try_s_ = (expr);          \
        if (tg_try_s_ != TG_SUCCESS)           \
            return tg_try_s_;                  \
    } while (0)

/* Check a CUDA runtime call; on failure record call, file and line, and return TG_ERR_CUDA. */
#define TG_CUDA_TRY(call)                                                               \
    do {                                                                                \
        cudaError_t tg_cuda_e_ = (call);                                                \
        if (tg_cuda_e_ != cudaSuccess)                                                  \
            return tg_fail(TG_ERR_CUDA, __FILE__, __LINE__, "%s failed: %s (%s)", #call, \
                           cudaGetErrorString(tg_cuda_e_), cudaGetErrorName(tg_cuda_e_)); \
    } while (0)

/* What one micro-kernel launch needs; shared by every instance. */
typedef struct tg_micro_params {
    const void *a, *b;
    void *c;
    int64_t m, n, k;
    int64_t lda, ldb, ldc;
    int64_t stride_a, stride_b, stride_c;
    int64_t grid_m, grid_n; /* thread blocks over C */
    int c_dtype;            /* tg_dtype */
    int vec_ab;             /* A and B allow 16-byte vector loads */
    int vec_c;              /* C allows 2-element vector stores */
} tg_micro_params;

typedef tg_status (*tg_launch_fn)(const tg_micro_params *p, int64_t batch, void *stream);
typedef tg_status (*tg_info_fn)(tg_kernel_info *out);

/* One compiled configuration: a line of src/kernels/configs.def. */
typedef struct tg_kernel_entry {
    const char *name;
    tg_tile tile;
    tg_launch_fn launch;
    tg_info_fn info;
} tg_kernel_entry;

/* Every line of configs.def declares its instance's launcher and info query. */
#define TG_CONFIG(name, ...)                                                                  \
    tg_status tg_micro_launch_##name(const tg_micro_params *p, int64_t batch, void *stream); \
    tg_status tg_micro_info_##name(tg_kernel_info *out);
#include "kernels/configs.def"
#undef TG_CONFIG

/* The compiled kernel whose tile equals t, or NULL. */
const tg_kernel_entry *tg_kernel_find(const tg_tile *t);

#ifdef __cplusplus
}
#endif

#endif /* TG_INTERNAL_H */
