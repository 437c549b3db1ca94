/*
 * kernel.cuh — the gemv family: C (fp32 or bf16) = alpha·A·Bᵀ + beta·C for
 * M <= BLOCK_M <= 4, A bf16 M×K, B bf16 N×K, row-major, where the time is
 * the time it takes to read B once, in the streaming read's order.
 *
 * What changed from its neighbours (src/decode: each warp streams its own
 * rows of B into mma.sync, K split over warps; src/hopper: TMA rings into
 * wgmma): the threads of a block cover a whole row of B, VECS 16-byte
 * vectors each, and the G blocks take rows b, b + G, ...: the grid reads B
 * front to back, a warp 512 contiguous bytes a load, as a plain streaming
 * read does. A thread's columns never change, so its vectors of A stay in
 * registers (A_SMEM = 1: A's rows in the block's shared memory, read there
 * for each row of B, so that those registers go to loads in flight);
 * products are fp32 FMAs on the CUDA cores (at M <= 4 the FMAs cost less
 * than the bytes).
 *
 *   per thread:  A vectors (registers, once; or the block's copy in shared memory)
 *                rows i0.. of the block, ROWS at a time: ROWS·VECS loads ─► fp32 dot ─► warp sum
 *   per block:   warp sums ─► shared memory (two buffers, one barrier per 32 rows)
 *                ─► warp w sums slot w, w + warps, ... over the warps in order ─► C
 *
 * Every index comes from src/gemv/plan.h, which the CPU verifier
 * (verify.c) runs the same way. Included once per line of presets.def by a
 * file CMake generates (TG_NAME, TG_PRESET_VALUES), like the other families.
 * Build: part of the library; run: tilegemm check --config gemv_m1 --m 1 --n 8192 --k 8192.
 */
#include <cuda_bf16.h>
#include <cuda_runtime.h>
#include <stdint.h>

#include "core/store_c.cuh"
#include "gemv/gemv.h"
#include "ptx.cuh"

#if !defined(TG_NAME) || !defined(TG_PRESET_VALUES)
#error "define TG_NAME and TG_PRESET_VALUES (one line of presets.def) before including kernel.cuh"
#endif

/* BLOCK_M = 1, ...: the line's values, named by the list; ranges and rules checked. */
TG_INSTANCE(TG_GEMV_PARAMS, TG_GEMV_NPARAMS, TG_GEMV_RULES)
#define TG_TILE_INIT TG_INSTANCE_TILE(TG_GEMV_PARAMS)

enum { RED_FLOATS = TG_G_SMEM_BYTES(BLOCK_M, MAX_THREADS) / 4 };

/* The two bf16 of a 32-bit word as fp32 (a bf16 is the top half of an fp32). */
static __device__ __forceinline__ float bf16_lo(uint32_t w) { return __uint_as_float(w << 16); }
static __device__ __forceinline__ float bf16_hi(uint32_t w) { return __uint_as_float(w & 0xffff0000u); }

/* acc plus the 8 products of two vectors of 8 bf16, in column order. */
static __device__ __forceinline__ float dot8(uint4 a, uint4 b, float acc)
{
    acc = fmaf(bf16_lo(a.x), bf16_lo(b.x), acc);
    acc = fmaf(bf16_hi(a.x), bf16_hi(b.x), acc);
    acc = fmaf(bf16_lo(a.y), bf16_lo(b.y), acc);
    acc = fmaf(bf16_hi(a.y), bf16_hi(b.y), acc);
    acc = fmaf(bf16_lo(a.z), bf16_lo(b.z), acc);
    acc = fmaf(bf16_hi(a.z), bf16_hi(b.z), acc);
    acc = fmaf(bf16_lo(a.w), bf16_lo(b.w), acc);
    acc = fmaf(bf16_hi(a.w), bf16_hi(b.w), acc);
    return acc;
}

/* 16 bytes of shared memory (volatile: read at each use, not hoisted into registers). */
static __device__ __forceinline__ uint4 ld_shared16(uint32_t addr)
{
    uint4 v;
    asm volatile("ld.shared.v4.u32 {%0, %1, %2, %3}, [%4];\n"
                 : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w)
                 : "r"(addr));
    return v;
}

/* The sum over a warp's lanes, by a butterfly (a fixed order: the same bits every run). */
static __device__ __forceinline__ float warp_sum(float v)
{
#pragma unroll
    for (int o = TG_G_WARP_SIZE / 2; o > 0; o /= 2)
        v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

#define KERNEL TG_CAT(tg_gemv_, TG_NAME)

static __global__ void __launch_bounds__(MAX_THREADS, MIN_BLOCKS) KERNEL(const tg_gemv_params p)
{
    __shared__ float red[RED_FLOATS];
    extern __shared__ __align__(16) uint4 a_smem[]; /* A_SMEM = 1: A's M rows (plan.h) */
    const tg_gtile tile = TG_TILE_INIT;
    const tg_gtile *t = &tile;

    /* PDL (family.c): the stream's previous kernel done before any memory is touched. */
    tg_griddep_wait();

    const int tid = threadIdx.x;
    const int lane = tid % TG_G_WARP_SIZE, warp = tid / TG_G_WARP_SIZE;
    const int bt = blockDim.x, warps = bt / TG_G_WARP_SIZE;
    const int64_t batch = blockIdx.y;
    const __nv_bfloat16 *a = (const __nv_bfloat16 *)p.a + batch * p.stride_a;
    const __nv_bfloat16 *b = (const __nv_bfloat16 *)p.b + batch * p.stride_b;
    void *c = (char *)p.c + batch * p.stride_c * (p.c_dtype == TG_DTYPE_F32 ? 4 : 2);
    const int64_t vectors = tg_gplan_vectors(p.k);
    const int64_t grid = gridDim.x, blk = blockIdx.x;
    const int64_t rows = tg_gplan_block_rows(p.n, grid, blk);
    const uint4 zero = make_uint4(0, 0, 0, 0);

    /* This thread's vectors of A's rows, for the whole kernel; past M or past K: zeros. With
     * A_SMEM = 1 the block loads A's M rows once into shared memory, and each use reads
     * the thread's vector from there. */
    uint4 av[BLOCK_M][VECS]; /* unused (and optimised away) with A_SMEM = 1 */
    bool in_k[VECS];
#pragma unroll
    for (int j = 0; j < VECS; j++) {
        const int64_t v = tg_gplan_vector(tid, j, bt);
        in_k[j] = v < vectors;
        if (!A_SMEM)
#pragma unroll
            for (int m = 0; m < BLOCK_M; m++)
                av[m][j] = m < p.m && in_k[j]
                               ? tg_ld_global16(a + m * p.lda + v * TG_G_VEC_ELEMS)
                               : zero;
    }
    const uint32_t a_base = tg_smem_addr(a_smem);
    if (A_SMEM) {
        for (int64_t x = tid; x < p.m * vectors; x += bt) {
            const int m = (int)(x / vectors);
            const int64_t v = x % vectors;
            a_smem[tg_gplan_a_slot(vectors, m, v)] = tg_ld_global16(a + m * p.lda + v * TG_G_VEC_ELEMS);
        }
        __syncthreads();
    }

    for (int64_t i0 = 0; i0 < rows; i0 += TG_G_GROUP_ROWS) {
        const int buf = tg_gplan_buffer(i0);
        for (int s0 = 0; s0 < TG_G_GROUP_ROWS && i0 + s0 < rows; s0 += ROWS) {
            /* ROWS rows in flight; past the block's last row, its last row again (not stored). */
            uint4 bv[ROWS][VECS];
#pragma unroll
            for (int r = 0; r < ROWS; r++) {
                const int64_t i = i0 + s0 + r < rows ? i0 + s0 + r : rows - 1;
                const __nv_bfloat16 *row = b + tg_gplan_row(grid, blk, i) * p.ldb;
#pragma unroll
                for (int j = 0; j < VECS; j++)
                    bv[r][j] = in_k[j] ? tg_ld_global16_stream(
                                             row + tg_gplan_vector(tid, j, bt) * TG_G_VEC_ELEMS)
                                       : zero;
            }
#pragma unroll
            for (int r = 0; r < ROWS; r++)
#pragma unroll
                for (int m = 0; m < BLOCK_M; m++) {
                    if (A_SMEM && m >= p.m)
                        break; /* uniform: rows past M are neither in shared memory nor stored */
                    float s = 0.0f;
#pragma unroll
                    for (int j = 0; j < VECS; j++) {
                        if (!A_SMEM) {
                            s = dot8(av[m][j], bv[r][j], s);
                        } else if (in_k[j]) {
                            const int64_t slot = tg_gplan_a_slot(vectors, m, tg_gplan_vector(tid, j, bt));
                            s = dot8(ld_shared16(a_base + 16 * (uint32_t)slot), bv[r][j], s);
                        }
                    }
                    s = warp_sum(s);
                    if (lane == 0)
                        red[tg_gplan_red_offset(t, buf, s0 + r, warp, m)] = s;
                }
        }
        __syncthreads();
        /* The group's rows: warp w finishes slots w, w + warps, ...; lane q adds warp q's sum. */
        for (int q = 0;; q++) {
            const int slot = tg_gplan_finish_slot(warp, warps, q);
            if (slot >= TG_G_GROUP_ROWS || i0 + slot >= rows)
                break;
            const int64_t col = tg_gplan_row(grid, blk, i0 + slot);
#pragma unroll
            for (int m = 0; m < BLOCK_M; m++) {
                if (m >= p.m)
                    break; /* uniform: rows past M have no partial sums and no C */
                float v = lane < warps ? red[tg_gplan_red_offset(t, buf, slot, lane, m)] : 0.0f;
                v = warp_sum(v);
                if (lane == 0)
                    tg_store_c(c, m * p.ldc + col, p.c_dtype, p.alpha, p.beta, v);
            }
        }
    }
}

/* ------------------------------------------------------------------------
 * Host side (C linkage, called from src/gemv/family.c)
 * ---------------------------------------------------------------------- */

/*
 * The kernel, and how many of its blocks of `threads` threads and `smem`
 * bytes of dynamic shared memory (A_SMEM = 1: A's rows) fit on one SM of
 * device dev. Asked of the runtime once per device and block size without
 * dynamic shared memory; with it, that count capped by the SM's shared
 * memory over the block's (static + dynamic + the 1 KB the runtime keeps a
 * block), so a call costs no occupancy query. The first use on a device
 * also raises the kernel's dynamic shared-memory limit (A_SMEM = 1).
 * Atomics: callers may be threads; a race repeats the same queries.
 */
extern "C" tg_status TG_CAT(tg_gemv_kernel_, TG_NAME)(int dev, int threads, size_t smem,
                                                       const void **kernel, int *blocks_per_sm)
{
    enum { MAX_DEVICES = 64, SIZES = MAX_THREADS / TG_G_WARP_SIZE, RESERVED = 1024 };
    static int fits[MAX_DEVICES][SIZES];
    static int smem_sm[MAX_DEVICES]; /* the SM's shared memory, once the limit is raised */
    *kernel = (const void *)KERNEL;
    if (threads < TG_G_WARP_SIZE || threads > MAX_THREADS || threads % TG_G_WARP_SIZE)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "gemv/" TG_STR(TG_NAME) ": %d threads a block", threads);
    const int cached = dev >= 0 && dev < MAX_DEVICES; /* past it: asked at every call */
    int per_sm = cached ? __atomic_load_n(&smem_sm[dev], __ATOMIC_ACQUIRE) : 0;
    if (per_sm == 0) {
        int block_max = 0;
        TG_CUDA_TRY(cudaDeviceGetAttribute(&per_sm, cudaDevAttrMaxSharedMemoryPerMultiprocessor, dev));
        TG_CUDA_TRY(cudaDeviceGetAttribute(&block_max, cudaDevAttrMaxSharedMemoryPerBlockOptin, dev));
        if (A_SMEM)
            TG_CUDA_TRY(cudaFuncSetAttribute(KERNEL, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                             block_max - (int)sizeof(float) * RED_FLOATS));
        if (cached)
            __atomic_store_n(&smem_sm[dev], per_sm, __ATOMIC_RELEASE);
    }
    const int at = threads / TG_G_WARP_SIZE - 1;
    int n = cached ? __atomic_load_n(&fits[dev][at], __ATOMIC_ACQUIRE) : 0;
    if (n == 0) {
        TG_CUDA_TRY(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&n, KERNEL, threads, 0));
        if (n < 1)
            return TG_FAIL(TG_ERR_CUDA, "gemv/" TG_STR(TG_NAME) ": no block of %d threads fits an SM",
                           threads);
        if (cached)
            __atomic_store_n(&fits[dev][at], n, __ATOMIC_RELEASE);
    }
    if (smem > 0) {
        const size_t block = smem + sizeof(float) * RED_FLOATS + RESERVED;
        const int by_smem = (int)((size_t)per_sm / block);
        if (by_smem < 1)
            return TG_FAIL(TG_ERR_INVALID_ARGUMENT,
                           "gemv/" TG_STR(TG_NAME) ": %zu bytes of A in shared memory do not fit an SM",
                           smem);
        n = by_smem < n ? by_smem : n;
    }
    *blocks_per_sm = n;
    return TG_SUCCESS;
}
