/*
 * hopper.h — what the hopper family's host code (family.c) and its kernel
 * instances (kernel.cuh, one per line of presets.def) share: the kernel's
 * parameter and each instance's kernel getter.
 */
#ifndef TG_HOPPER_H
#define TG_HOPPER_H

#include <cuda.h> /* CUtensorMap (a type only: nothing links libcuda) */

#include "core/core.h"
#include "hopper/plan.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The kernel's one parameter, passed as a __grid_constant__ so the tensor
 * maps keep the 64-byte alignment TMA needs and are read in place. The maps
 * are 3-D: (K, rows, batch item), innermost first.
 */
typedef struct tg_hopper_params {
    CUtensorMap a_map;  /* A: box of BLOCK_K x BLOCK_M, 128-byte swizzle */
    CUtensorMap b_map;  /* B: box of BLOCK_K x BLOCK_N */
    void *c;
    int64_t m, n, k;
    int64_t ldc, stride_c;
    int grid_m, grid_n; /* blocks over C (grid_m·grid_n < 2^31) */
    int k_tiles;        /* ceil(K / BLOCK_K) */
    int c_dtype;        /* tg_dtype */
    int vec_c;          /* C allows 2-element vector accesses */
    float alpha, beta;  /* C = alpha·acc + beta·C; beta = 0: C is not read */
} tg_hopper_params;

#define TG_HOPPER_PRESET(name, ...) \
    tg_status tg_hopper_kernel_##name(int dev, const void **kernel);
#include "hopper/presets.def"
#undef TG_HOPPER_PRESET

#ifdef __cplusplus
}
#endif

#endif /* TG_HOPPER_H */
