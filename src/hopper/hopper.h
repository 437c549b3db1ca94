/*
 * hopper.h — what the hopper family's host code (family.c, tmap.c) and its
 * kernel instances (kernel.cuh, one per line of presets.def) share: the
 * kernel's parameter, each instance's kernel getter, and the tensor maps.
 */
#ifndef TG_HOPPER_H
#define TG_HOPPER_H

#include <cuda.h>         /* CUtensorMap (a type only: nothing links libcuda) */
#include <cudaTypedefs.h> /* PFN_cuTensorMapEncodeTiled_v12000 */

#include "core/core.h"
#include "core/timeline.h"
#include "core/trap.h"
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
    CUtensorMap a_map;  /* A (SWAP_AB: B): box of BLOCK_K x BLOCK_M, 128-byte swizzle */
    CUtensorMap b_map;  /* B (SWAP_AB: A): box of BLOCK_K x BLOCK_N */
    CUtensorMap c_map;  /* C (EPILOGUE=tma): 3-D (N, M, batch), box 128 bytes x 64 rows */
    void *c;
    int64_t m, n, k;    /* the kernel's GEMM: SWAP_AB computes Cᵀ, m = the caller's N, n = M */
    int64_t ldc, stride_c; /* the caller's C */
    int grid_m, grid_n; /* tiles over one C (grid_m·grid_n·batch < 2^31) */
    int batch;          /* items: tiles = grid_m·grid_n·batch */
    int k_tiles;        /* ceil(K / BLOCK_K) */
    int c_dtype;        /* tg_dtype */
    int vec_c;          /* C allows 2-element vector accesses */
    int tma_c;          /* EPILOGUE=tma and C allows TMA: c_map is set */
    float alpha, beta;  /* C = alpha·acc + beta·C; beta = 0: C is not read */
    tg_trap_record *trap; /* where a wait that gives up says why (src/core/trap.h) */
    uint32_t patience;    /* failed try_waits before a wait gives up: TG_H_PATIENCE */
    int sk_tiles;         /* STREAM_K=1: the last tiles shared along K (plan.h), 0: none */
    void *sk;             /* their partial slots and flags (the workspace; tg_hplan_sk_bytes) */
    unsigned long long sk_epoch; /* this call's flag value: a flag that holds it was set by this call */
    tg_timeline_block *timeline;        /* TG_TIMELINE builds: the blocks' stamps, or NULL */
    unsigned long long timeline_blocks; /* records timeline holds */
} tg_hopper_params;

/* The plan's rules between the parameters (family.c), after their ranges. */
tg_status tg_hopper_check(const int *p);

/* Each instance's kernel, and its clusters that fit on the device at once (0: no cluster). */
#define TG_HOPPER_PRESET(name, ...) \
    tg_status tg_hopper_kernel_##name(int dev, const void **kernel, int *max_clusters);
#include "hopper/presets.def"
#undef TG_HOPPER_PRESET

/* ------------------------------------------------------------------------
 * Tensor maps (tmap.c)
 * ---------------------------------------------------------------------- */

/*
 * The map of a row-major matrix (A, B: bf16; C: fp32 or bf16), 3-D
 * (columns, rows, batch item): boxes of box_cols x box_rows, 128-byte
 * swizzle, zeros outside. ld and stride are in elements; stride (between
 * batch items) is read only when batch > 1. `name` ("a", "b", "c") goes
 * into the error message. Byte for byte the map cuTensorMapEncodeTiled
 * gives; a shape this thread met before (same device and every argument
 * but `base`) costs no driver call.
 */
tg_status tg_tmap_matrix(CUtensorMap *map, const char *name, int dev, const void *base,
                         tg_dtype dtype, int64_t rows, int64_t cols, int64_t ld, int64_t batch,
                         int64_t stride, int box_cols, int box_rows);

/* The same map from the encoder every time, no cache: what tests compare with. */
tg_status tg_tmap_matrix_encode(CUtensorMap *map, const char *name, int dev, const void *base,
                                tg_dtype dtype, int64_t rows, int64_t cols, int64_t ld,
                                int64_t batch, int64_t stride, int box_cols, int box_rows);

/* This thread's cache, counted (tests, benchmarks). */
typedef struct tg_tmap_stats {
    long long hits;        /* maps made from a template: no driver call */
    long long misses;      /* shapes met the first time (or again, after eviction) */
    long long encodes;     /* encoder calls: 2 per miss (the address and a probe), 1 per
                              call the template could not take */
    long long unpatchable; /* misses whose address patch did not prove out: that shape
                              is encoded in full on every call */
} tg_tmap_stats;
void tg_tmap_get_stats(tg_tmap_stats *out);
void tg_tmap_clear(void); /* forget this thread's entries and counts */

/*
 * For tests: encode through fn instead of the driver (NULL: the driver
 * again); every thread's templates from before stop matching. And the
 * driver's own function, for a test's wrapper around it.
 */
void tg_tmap_set_encoder(PFN_cuTensorMapEncodeTiled_v12000 fn);
tg_status tg_tmap_driver_encoder(PFN_cuTensorMapEncodeTiled_v12000 *out);

#ifdef __cplusplus
}
#endif

#endif /* TG_HOPPER_H */
