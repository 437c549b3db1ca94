/*
 * kernel.cuh — the hopper family, ladder step 1: TMA and wgmma.
 *
 *   C (fp32 or bf16) = alpha·A·Bᵀ + beta·C, A bf16 M×K, B bf16 N×K, row-major.
 *
 * One warpgroup (128 threads) per BLOCK_M×BLOCK_N tile of C. K is walked in
 * BLOCK_K = 64 columns: thread 0 asks TMA for the A and B boxes of a K tile
 * (128-byte swizzle) into one stage of a ring of STAGES, each stage
 * completing on its mbarrier with the box bytes as expected transactions;
 * STAGES-1 tiles are in flight while the warpgroup multiplies the oldest
 * with wgmma m64nNk16 (N = BLOCK_N, both operands read from shared memory
 * through descriptors), waits for its wgmmas, and — after a barrier, so no
 * thread still reads the stage — hands the stage to the next load. Edges
 * need no masks on the way in: TMA fills what lies outside A and B with
 * zeros. The epilogue stores the accumulator fragment to C with alpha and
 * beta (beta = 0 never reads C). Every address comes from src/hopper/plan.h.
 *
 * What the next steps add: a producer warpgroup and "empty" barriers (warp
 * specialization), two consumer warpgroups with setmaxnreg, a persistent
 * grid; docs/HOPPER-PTX.md has the facts.
 *
 * Included once per line of presets.def by a file CMake generates
 * (TG_NAME, TG_PRESET_VALUES), like src/micro/kernel.cuh.
 */
#include <cuda_bf16.h>
#include <cuda_runtime.h>
#include <stdint.h>

#include "hopper/hopper.h"
#include "hopper/wgmma.cuh"
#include "ptx.cuh"

#if !defined(TG_NAME) || !defined(TG_PRESET_VALUES)
#error "define TG_NAME and TG_PRESET_VALUES (one line of presets.def) before including kernel.cuh"
#endif

static_assert(TG_NARGS(TG_PRESET_VALUES) == TG_HOPPER_NPARAMS,
              "a presets.def line must give one value per parameter of TG_HOPPER_PARAMS");

#define TG_INSTANCE_CONST_(i, key, NAME, ...) NAME = TG_ARG(i, TG_PRESET_VALUES),
enum { TG_HOPPER_PARAMS(TG_INSTANCE_CONST_) };
#undef TG_INSTANCE_CONST_

#define TG_RANGE_RULE_(i, key, NAME, lo, hi, ...) \
    static_assert((NAME) >= (lo) && (NAME) <= (hi), #NAME " is outside its range (src/hopper/plan.h)");
TG_HOPPER_PARAMS(TG_RANGE_RULE_)
#undef TG_RANGE_RULE_
#define TG_STATIC_RULE_(cond, why) static_assert(cond, why);
#define TG_CONST_(NAME) (NAME)
TG_HOPPER_RULES(TG_STATIC_RULE_, TG_CONST_)
#undef TG_STATIC_RULE_
#undef TG_CONST_

#define TG_INSTANCE_FIELD_(i, key, NAME, ...) NAME,
#define TG_TILE_INIT {TG_HOPPER_PARAMS(TG_INSTANCE_FIELD_)}

enum {
    M_PIECES = TG_H_M_PIECES(BLOCK_M),
    ACC_N = BLOCK_N / 2, /* accumulator registers per thread per m64 piece */
    STAGE_BYTES = TG_H_STAGE_BYTES(BLOCK_M, BLOCK_N),
    SMEM_BYTES = TG_H_SMEM_BYTES(BLOCK_M, BLOCK_N, STAGES),
    K16_PER_TILE = BLOCK_K / TG_H_WGMMA_K,
};

/* The wgmma of this instance's N. */
static __device__ __forceinline__ void wgmma_n(float d[ACC_N], uint64_t a, uint64_t b, int acc)
{
    if (BLOCK_N == 64)
        tg_wgmma_m64n64k16(d, a, b, acc);
    else if (BLOCK_N == 128)
        tg_wgmma_m64n128k16(d, a, b, acc);
    else
        tg_wgmma_m64n256k16(d, a, b, acc);
}

/* ------------------------------------------------------------------------
 * Registers → C
 * ---------------------------------------------------------------------- */

/* Elements (row, col), (row, col+1) of C: alpha·acc + beta·C, one access when allowed. */
static __device__ __forceinline__ void store_pair(const tg_hopper_params *p, void *c, int64_t row,
                                                  int64_t col, float x, float y, const bool read)
{
    if (row >= p->m || col >= p->n)
        return;
    const int64_t at = row * p->ldc + col;
    const bool both = col + 1 < p->n;
    x *= p->alpha;
    y *= p->alpha;
    if (p->c_dtype == TG_DTYPE_F32) {
        float *dst = (float *)c + at;
        if (p->vec_c && both) {
            float2 v = make_float2(x, y);
            if (read) {
                const float2 old = *(const float2 *)dst;
                v.x = fmaf(p->beta, old.x, x);
                v.y = fmaf(p->beta, old.y, y);
            }
            *(float2 *)dst = v;
        } else {
            dst[0] = read ? fmaf(p->beta, dst[0], x) : x;
            if (both)
                dst[1] = read ? fmaf(p->beta, dst[1], y) : y;
        }
    } else {
        __nv_bfloat16 *dst = (__nv_bfloat16 *)c + at;
        if (p->vec_c && both) {
            if (read) {
                const float2 old = __bfloat1622float2(*(const __nv_bfloat162 *)dst);
                x = fmaf(p->beta, old.x, x);
                y = fmaf(p->beta, old.y, y);
            }
            *(__nv_bfloat162 *)dst = __floats2bfloat162_rn(x, y);
        } else {
            dst[0] = __float2bfloat16_rn(read ? fmaf(p->beta, __bfloat162float(dst[0]), x) : x);
            if (both)
                dst[1] = __float2bfloat16_rn(read ? fmaf(p->beta, __bfloat162float(dst[1]), y) : y);
        }
    }
}

/* Register i of m64 piece mp goes to the C element tg_hplan_frag names; i, i+1 are one row. */
static __device__ __forceinline__ void store_c_(const tg_hopper_params *p, void *c, int64_t row0,
                                                int64_t col0, int warp, int lane,
                                                float acc[M_PIECES][ACC_N], const bool read)
{
#pragma unroll
    for (int mp = 0; mp < M_PIECES; mp++)
#pragma unroll
        for (int i = 0; i < ACC_N; i += 2) {
            const tg_hrc f = tg_hplan_frag(warp, lane, i);
            store_pair(p, c, row0 + mp * TG_H_WGMMA_M + f.row, col0 + f.col, acc[mp][i],
                       acc[mp][i + 1], read);
        }
}

/* ------------------------------------------------------------------------
 * The kernel
 * ---------------------------------------------------------------------- */

#define KERNEL TG_CAT(tg_hopper_, TG_NAME)

static __global__ void __launch_bounds__(TG_H_THREADS, 1)
    KERNEL(const __grid_constant__ tg_hopper_params p)
{
    extern __shared__ __align__(1024) unsigned char smem[];
    __shared__ __align__(8) uint64_t full[STAGES]; /* "stage s holds K tile kt" */
    const tg_htile tile = TG_TILE_INIT;
    const tg_htile *t = &tile;

    const int tid = threadIdx.x, warp = tid / 32, lane = tid % 32;
    /* The ring on the swizzle pattern's 1024-byte boundary (absolute address bits 7-9). */
    const uint32_t raw = (uint32_t)__cvta_generic_to_shared(smem);
    const uint32_t ring = (raw + TG_H_SWIZZLE_ATOM - 1) & ~(uint32_t)(TG_H_SWIZZLE_ATOM - 1);
    const uint32_t bar0 = (uint32_t)__cvta_generic_to_shared(full);

    int64_t block_row, block_col;
    tg_raster_order(RASTER, blockIdx.x, p.grid_m, p.grid_n, &block_row, &block_col);
    const int batch = blockIdx.y;
    const int row_a = (int)(block_row * BLOCK_M), row_b = (int)(block_col * BLOCK_N);

    if (tid == 0) {
#pragma unroll
        for (int s = 0; s < STAGES; s++)
            tg_mbar_init(bar0 + 8 * s, 1);
        tg_mbar_fence_init();
    }
    __syncthreads();

    /* Thread 0: K tile kt into stage s; its mbarrier then expects both boxes' bytes. */
#define LOAD_TILE(kt, s)                                                                       \
    do {                                                                                       \
        tg_mbar_arrive_expect_tx(bar0 + 8 * (s), STAGE_BYTES);                                 \
        tg_tma_load_3d(ring + tg_hplan_stage_a(t, s), &p.a_map, bar0 + 8 * (s), (kt)*BLOCK_K,  \
                       row_a, batch);                                                          \
        tg_tma_load_3d(ring + tg_hplan_stage_b(t, s), &p.b_map, bar0 + 8 * (s), (kt)*BLOCK_K,  \
                       row_b, batch);                                                          \
    } while (0)

    if (tid == 0)
        for (int kt = 0; kt < STAGES && kt < p.k_tiles; kt++)
            LOAD_TILE(kt, tg_hplan_stage_of(t, kt));

    float acc[M_PIECES][ACC_N];
#pragma unroll
    for (int mp = 0; mp < M_PIECES; mp++)
#pragma unroll
        for (int i = 0; i < ACC_N; i++)
            acc[mp][i] = 0.0f;

    for (int kt = 0; kt < p.k_tiles; kt++) {
        const int s = tg_hplan_stage_of(t, kt);
        tg_mbar_wait(bar0 + 8 * s, tg_hplan_parity_of(t, kt)); /* the tile has landed */
        tg_wgmma_fence();
#pragma unroll
        for (int mp = 0; mp < M_PIECES; mp++)
#pragma unroll
            for (int kk = 0; kk < K16_PER_TILE; kk++)
                wgmma_n(acc[mp], tg_hplan_desc_a(t, ring, s, mp, kk), tg_hplan_desc_b(t, ring, s, kk),
                        1);
        tg_wgmma_commit();
        TG_WGMMA_WAIT(0);
        /* Every thread's wgmmas that read stage s are complete: refill it. */
        __syncthreads();
        const int next = tg_hplan_refill(t, kt);
        if (tid == 0 && next < p.k_tiles)
            LOAD_TILE(next, tg_hplan_stage_of(t, next));
    }
#undef LOAD_TILE

    void *c = (char *)p.c + (int64_t)batch * p.stride_c * (p.c_dtype == TG_DTYPE_F32 ? 4 : 2);
    const int64_t row0 = block_row * BLOCK_M, col0 = block_col * BLOCK_N;
    if (p.beta != 0.0f)
        store_c_(&p, c, row0, col0, warp, lane, acc, true);
    else
        store_c_(&p, c, row0, col0, warp, lane, acc, false);
}

/* ------------------------------------------------------------------------
 * Host side (C linkage, called from src/hopper/family.c)
 * ---------------------------------------------------------------------- */

/* The kernel, its dynamic shared-memory limit raised once per device. */
extern "C" tg_status TG_CAT(tg_hopper_kernel_, TG_NAME)(int dev, const void **kernel)
{
    enum { MAX_DEVICES = 64 };
    static int ready[MAX_DEVICES]; /* atomics: callers may be threads */
    const int cached = dev >= 0 && dev < MAX_DEVICES;
    if (!cached || !__atomic_load_n(&ready[dev], __ATOMIC_ACQUIRE)) {
        TG_CUDA_TRY(cudaFuncSetAttribute(KERNEL, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                         SMEM_BYTES));
        if (cached)
            __atomic_store_n(&ready[dev], 1, __ATOMIC_RELEASE);
    }
    *kernel = (const void *)KERNEL;
    return TG_SUCCESS;
}
