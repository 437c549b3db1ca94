/*
 * micro.h — what the micro family's host code (family.c) and its kernel
 * instances (kernel.cuh, one per line of presets.def) share: the kernel's
 * parameter struct and each instance's kernel getter.
 */
#ifndef TG_MICRO_H
#define TG_MICRO_H

#include "core/core.h"
#include "micro/plan.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The micro kernel's one parameter, built on the host by family.c. Kept
 * within 128 bytes (hence the 32-bit grid sizes): at 136 bytes ptxas
 * allocated the warp64 main loop differently (41 more IMAD and register
 * copies between the fragment buffers in SASS) and the element-wise kernels
 * spilled; at 128 bytes the main loops match the previous build's SASS.
 */
typedef struct tg_micro_params {
    const void *a, *b;
    void *c;
    int64_t m, n, k;
    int64_t lda, ldb, ldc;
    int64_t stride_a, stride_b, stride_c;
    int grid_m, grid_n;     /* thread blocks over C (grid_m·grid_n < 2^31: one launch) */
    int c_dtype;            /* tg_dtype */
    int vec_ab;             /* A and B allow 16-byte vector loads */
    int vec_c;              /* C allows 2-element vector accesses */
    float alpha, beta;      /* C = alpha·acc + beta·C; beta = 0: C is not read */
} tg_micro_params;

#ifdef __cplusplus
static_assert(sizeof(tg_micro_params) <= 128, "tg_micro_params must stay within 128 bytes");
#else
_Static_assert(sizeof(tg_micro_params) <= 128, "tg_micro_params must stay within 128 bytes");
#endif

/* A tile's ranges and plan rules (what tg_config_check does for a micro config). */
tg_status tg_micro_check_tile(const tg_tile *t);

/*
 * Each line of presets.def compiles two kernels, for 16-byte aligned A and B
 * rows (vec = 1) or any alignment (vec = 0). The getter returns the one
 * asked for, its shared-memory limit raised on device dev on first use.
 */
#define TG_MICRO_PRESET(name, ...) \
    tg_status tg_micro_kernel_##name(int vec, int dev, const void **kernel);
#include "micro/presets.def"
#undef TG_MICRO_PRESET

#ifdef __cplusplus
}
#endif

#endif /* TG_MICRO_H */
