/*
 * gemv.h — what the gemv family's host code (family.c) and its kernel
 * instances (kernel.cuh, one per line of presets.def) share: the kernel's
 * parameter and each instance's kernel getter.
 */
#ifndef TG_GEMV_H
#define TG_GEMV_H

#include "core/core.h"
#include "gemv/plan.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The kernel's one parameter, built on the host by family.c: the operands alone. */
typedef tg_rows_operands tg_gemv_params;

/* The plan's rules between the parameters (family.c), after their ranges. */
tg_status tg_gemv_check(const int *p);

/*
 * Each instance's kernel, and how many of its blocks of `threads` threads
 * with `smem` bytes of dynamic shared memory fit on one SM of device dev
 * (kernel.cuh says how that is counted).
 */
#define TG_GEMV_PRESET(name, ...)                                                          \
    tg_status tg_gemv_kernel_##name(int dev, int threads, size_t smem, const void **kernel, \
                                    int *blocks_per_sm);
#include "gemv/presets.def"
#undef TG_GEMV_PRESET

#ifdef __cplusplus
}
#endif

#endif /* TG_GEMV_H */
