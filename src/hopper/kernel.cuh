/*
 * kernel.cuh — the hopper family: TMA, mbarriers, wgmma, warp specialization,
 * persistent tiles.
 *
 *   C (fp32 or bf16) = alpha·A·Bᵀ + beta·C, A bf16 M×K, B bf16 N×K, row-major.
 *
 * K is walked in BLOCK_K = 64 columns: TMA copies the A and B boxes of a K
 * tile (128-byte swizzle) into one stage of a ring of STAGES, and the
 * stage's "full" mbarrier completes when their bytes have landed. Consumer
 * warpgroups multiply with wgmma m64nNk16 (N = BLOCK_N, both operands read
 * from shared memory through descriptors), each into its own BLOCK_M /
 * CONSUMERS rows of fp32 accumulators. Edges need no masks on the way in:
 * TMA fills what lies outside A and B with zeros. The epilogue stores the
 * accumulator fragment to C with alpha and beta (beta = 0 never reads C).
 *
 * PRODUCER=0 (ladder steps 1-2): one warpgroup; its thread 0 issues the
 *   loads, the warpgroup waits for its wgmmas and a __syncthreads frees the
 *   stage for the next load.
 * PRODUCER=1 (steps 3-5): warp specialization. Warpgroups 0..CONSUMERS-1
 *   consume; the last warpgroup produces (one thread issues TMA). A stage is
 *   handed back through its "empty" mbarrier once every consumer warp's
 *   wgmmas reading it completed; with MMA_LAG=1 consumers keep one wgmma
 *   group in flight, so a stage goes back one K tile late. With two consumers the producer
 *   gives registers to them (setmaxnreg). PERSISTENT=1: one block per SM
 *   walks tiles b, b+G, ...; the ring runs on across tiles, so the producer
 *   loads the next tile while the consumers store this one.
 *
 * CLUSTER_M x CLUSTER_N > 1: the blocks of a cluster walk neighbouring
 *   tiles together; each loads its slice of the A and B boxes and TMA
 *   multicasts it to the blocks that share it, and consumer warps hand a
 *   stage back to every block that filled it (plan.h, docs/ARCHITECTURE.md).
 * SWAP_AB=1: the family hands the kernel Cᵀ = B·Aᵀ (family.c kernel_view:
 *   A's map over B, B's over A, M and N traded); the kernel runs as ever and
 *   stores its element (row, col) at the caller's C(col, row) (store_pair).
 * SPLIT_K > 1: split-K in one launch. The SPLIT_K blocks of a cluster
 *   compute one tile, each over its range of K tiles; the consumers put
 *   their partial tile in the (now idle) ring, the cluster syncs, and each
 *   block sums BLOCK_M / SPLIT_K rows of all the partials through
 *   distributed shared memory, rank 0 first, and stores them to C.
 *
 *            producer WG              ring (STAGES)            consumer WGs
 *   wait empty[s] ─▶ TMA A,B ─▶ [stage s] ─▶ full[s] ─▶ wgmma ... ─▶ arrive empty[s]
 *
 * Every address, stage, parity and tile comes from src/hopper/plan.h, which
 * the CPU verifier (verify.c) runs the same way.
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

/* BLOCK_M = 256, ...: the line's values, named by the list; ranges and rules checked. */
TG_INSTANCE(TG_HOPPER_PARAMS, TG_HOPPER_NPARAMS, TG_HOPPER_RULES)
#define TG_TILE_INIT TG_INSTANCE_TILE(TG_HOPPER_PARAMS)

enum {
    THREADS = TG_H_THREADS(CONSUMERS, PRODUCER),
    CONSUMER_M = BLOCK_M / CONSUMERS, /* rows of the block tile per consumer warpgroup */
    M_PIECES = TG_H_M_PIECES(BLOCK_M, CONSUMERS),
    ACC_N = BLOCK_N / 2, /* accumulator registers per thread per m64 piece */
    STAGE_BYTES = TG_H_STAGE_BYTES(BLOCK_M, BLOCK_N),
    SMEM_BYTES = TG_H_SMEM_TOTAL(BLOCK_M, BLOCK_N, STAGES, CONSUMERS, EPILOGUE, SPLIT_K),
    SENDS = TG_H_SPLIT_SENDS(SPLIT_K), /* SPLIT_K = 2: partials sent to their owner (exchange) */
    RECV_BYTES = TG_H_RECV_BYTES(BLOCK_M, BLOCK_N, SPLIT_K),
    K16_PER_TILE = BLOCK_K / TG_H_WGMMA_K,
    CLUSTER = TG_H_CLUSTER(CLUSTER_M, CLUSTER_N), /* blocks per cluster sharing loads */
    CLUSTER_ALL = TG_H_CLUSTER_BLOCKS(CLUSTER_M, CLUSTER_N, SPLIT_K), /* blocks per cluster */
    CONSUMER_THREADS = CONSUMERS * TG_H_WG_THREADS,
    BAR_CONSUMERS = 3, /* named barrier of all consumer threads (1 + c: one consumer's) */
};

/* The wgmma of this instance's N. */
static __device__ __forceinline__ void wgmma_n(float d[ACC_N], uint64_t a, uint64_t b, int acc)
{
    tg_wgmma_m64nk16(BLOCK_N, d, a, b, acc);
}

/* ------------------------------------------------------------------------
 * Registers → C
 * ---------------------------------------------------------------------- */

/* One element of C at `at`: v + beta·C (v already scaled by alpha). */
static __device__ __forceinline__ void store_one(const tg_hopper_params *p, void *c, int64_t at,
                                                 float v, const bool read)
{
    if (p->c_dtype == TG_DTYPE_F32) {
        float *dst = (float *)c + at;
        *dst = read ? fmaf(p->beta, *dst, v) : v;
    } else {
        __nv_bfloat16 *dst = (__nv_bfloat16 *)c + at;
        *dst = __float2bfloat16_rn(read ? fmaf(p->beta, __bfloat162float(*dst), v) : v);
    }
}

/*
 * Elements (row, col), (row, col+1) of the kernel's C: alpha·acc + beta·C,
 * one access when allowed (vec_c). SWAP_AB: the kernel's C is the caller's
 * Cᵀ (p->m counts the caller's columns), so they are C(col, row) and
 * C(col+1, row), a row of C apart (tg_hplan_c_at; vec_c is 0); the 8 lanes
 * of a quad's column hold 8 neighbouring elements of one row of C.
 */
static __device__ __forceinline__ void store_pair(const tg_hopper_params *p, void *c, int64_t row,
                                                  int64_t col, float x, float y, const bool read)
{
    if (row >= p->m || col >= p->n)
        return;
    const int64_t at = tg_hplan_c_at(SWAP_AB, row, col, p->ldc);
    const bool both = col + 1 < p->n;
    x *= p->alpha;
    y *= p->alpha;
    if (!SWAP_AB && p->vec_c && both) {
        if (p->c_dtype == TG_DTYPE_F32) {
            float2 *dst = (float2 *)((float *)c + at);
            float2 v = make_float2(x, y);
            if (read) {
                const float2 old = *dst;
                v.x = fmaf(p->beta, old.x, x);
                v.y = fmaf(p->beta, old.y, y);
            }
            *dst = v;
        } else {
            __nv_bfloat162 *dst = (__nv_bfloat162 *)((__nv_bfloat16 *)c + at);
            if (read) {
                const float2 old = __bfloat1622float2(*dst);
                x = fmaf(p->beta, old.x, x);
                y = fmaf(p->beta, old.y, y);
            }
            *dst = __floats2bfloat162_rn(x, y);
        }
        return;
    }
    store_one(p, c, at, x, read);
    if (both)
        store_one(p, c, at + tg_hplan_c_next(SWAP_AB, p->ldc), y, read);
}

/* Register i of one m64 piece (rows from row0) goes to the C element tg_hplan_frag names; i, i+1 are one row. */
static __device__ __forceinline__ void store_piece(const tg_hopper_params *p, void *c, int64_t row0,
                                                   int64_t col0, int warp, int lane, const float a[ACC_N],
                                                   const bool read)
{
#pragma unroll
    for (int i = 0; i < ACC_N; i += 2) {
        const tg_hrc f = tg_hplan_frag(warp, lane, i);
        store_pair(p, c, row0 + f.row, col0 + f.col, a[i], a[i + 1], read);
    }
}

static __device__ __forceinline__ void store_c_(const tg_hopper_params *p, void *c, int64_t row0,
                                                int64_t col0, int warp, int lane,
                                                float acc[M_PIECES][ACC_N], const bool read)
{
#pragma unroll
    for (int mp = 0; mp < M_PIECES; mp++)
        store_piece(p, c, row0 + mp * TG_H_WGMMA_M, col0, warp, lane, acc[mp], read);
}

/* ------------------------------------------------------------------------
 * The kernel
 * ---------------------------------------------------------------------- */

#define KERNEL TG_CAT(tg_hopper_, TG_NAME)
/* A bounded wait's patience and what it records before it traps: the record, this instance, the barrier. */
#define TG_HANG(params, what, stage) (params)->patience, (params)->trap, "hopper/" TG_STR(TG_NAME), (what), (stage)

#include "hopper/kernel_timeline.cuh"

/* Thread `tid` of warpgroup `wg` stores its consumer's share of tile x. */
static __device__ __forceinline__ void epilogue(const tg_hopper_params *p, tg_htilepos x, int c,
                                                int wtid, float acc[M_PIECES][ACC_N])
{
    void *out = (char *)p->c + x.batch * p->stride_c * (p->c_dtype == TG_DTYPE_F32 ? 4 : 2);
    const int64_t row0 = x.row * BLOCK_M + c * CONSUMER_M, col0 = x.col * BLOCK_N;
    if (p->beta != 0.0f)
        store_c_(p, out, row0, col0, wtid / 32, wtid % 32, acc, true);
    else
        store_c_(p, out, row0, col0, wtid / 32, wtid % 32, acc, false);
}

/* a, b, c or d for g = 0, 1, 2, 3 (g held per lane: selects, not an indexed register array). */
static __device__ __forceinline__ float pick4(int g, float a, float b, float c, float d)
{
    return g & 2 ? (g & 1 ? d : c) : (g & 1 ? b : a);
}

/*
 * A staged chunk (64 rows x 128 bytes: 32 fp32 or 64 bf16 columns of C from
 * (row0, col0)) written by the warpgroup itself, where TMA cannot store C (a
 * row of C not 16-byte aligned): warp w its 16 rows, each lane 4 bytes of a
 * row, so a warp writes 128 contiguous bytes of C per row whatever C's
 * alignment (the accumulators' own layout scatters each warp's stores over
 * 8 rows, two elements apart). STORE_ROWS rows are read from shared memory
 * before any is stored: all 16 of the warp's (one row at a time, each store
 * waiting for its load, made 8191^3 2.8 % slower than 8 rows, entry 30; 16
 * rows against 8: 4095^3 +1.4 %, 8191^3 +0.8 %, three runs each,
 * bench/RESULTS.md entry 32).
 */
enum { STORE_ROWS = 16 };
static __device__ __forceinline__ void store_chunk(const tg_hopper_params *p, int64_t batch,
                                                   uint32_t buf, int64_t row0, int64_t col0,
                                                   bool f32, int warp, int lane)
{
    const int64_t first = row0 + 16 * warp, col = col0 + (f32 ? lane : 2 * lane);
    const int64_t rows = p->m - first < 16 ? p->m - first : 16;
    if (rows <= 0 || col >= p->n)
        return;
    const int size = f32 ? 4 : 2;
    char *dst = (char *)p->c + ((batch * p->stride_c) + first * p->ldc + col) * size;
    const int64_t pitch = p->ldc * size;
#pragma unroll 1
    for (int r0 = 0; r0 < 16; r0 += STORE_ROWS) {
        uint32_t v[STORE_ROWS];
#pragma unroll
        for (int j = 0; j < STORE_ROWS; j++)
            v[j] = tg_ld_shared_b32(tg_hplan_epi_addr(buf, 16 * warp + r0 + j, 4 * lane));
#pragma unroll
        for (int j = 0; j < STORE_ROWS; j++) {
            if (r0 + j >= rows)
                break;
            if (f32) {
                *(uint32_t *)dst = v[j];
            } else if (col + 1 < p->n && ((uintptr_t)dst & 3) == 0) {
                *(uint32_t *)dst = v[j];
            } else {
                ((unsigned short *)dst)[0] = (unsigned short)(v[j] & 0xFFFFu);
                if (col + 1 < p->n)
                    ((unsigned short *)dst)[1] = (unsigned short)(v[j] >> 16);
            }
            dst += pitch;
        }
    }
}

/*
 * EPILOGUE=tma: consumer c stores its share of tile x through its two
 * staging buffers, 32 columns of one m64 piece at a time: every thread puts
 * its registers of those columns into the buffer (swizzled as TMA expects),
 * the warpgroup syncs on its named barrier, and one thread issues the TMA
 * store (64 rows x 128 bytes: 32 fp32 or, two steps together, 64 bf16) and
 * goes on; before a buffer is written again, the store that read it two
 * chunks ago must have read it. `chunk` counts the consumer's chunks.
 * fp32 registers go in tg_hplan_epi_group's order: no bank conflicts. Each
 * store's address is the lane's base (tg_hplan_epi_lane, once) XOR a
 * constant (tg_hplan_epi_at): 85 instructions a fp32 chunk where the
 * address arithmetic per store made it 190 (SASS), at the same speed
 * (bench/RESULTS.md entry 33).
 * Where TMA cannot store C, the warpgroup writes each chunk itself
 * (store_chunk). beta = 0 only (the staging holds alpha·acc, rounded to C's
 * type): a call with beta != 0 reads C and stores straight from registers.
 */
static __device__ __forceinline__ void epilogue_tma(const tg_hopper_params *p, const tg_htile *t,
                                                    uint32_t ring, tg_htilepos x, int c, int wtid,
                                                    float acc[M_PIECES][ACC_N], int *chunk)
{
    /* Lane and warp read here, not hoisted: else ptxas keeps every chunk's
     * addresses live across the tile loop beside the accumulators and spills. */
    uint32_t lane, wtid_now;
    asm volatile("mov.u32 %0, %%laneid;\n" : "=r"(lane));
    asm volatile("mov.u32 %0, %%tid.x;\n" : "=r"(wtid_now));
    const int warp = (int)(wtid_now % TG_H_WG_THREADS) / 32;
    const bool f32 = p->c_dtype == TG_DTYPE_F32;
    const int64_t row0 = x.row * BLOCK_M + c * CONSUMER_M, col0 = x.col * BLOCK_N;
    /* The lane's part of every staging address (plan.h tg_hplan_epi_lane; buffers are on 1024). */
    const uint32_t lane_off = tg_hplan_epi_lane(0, warp, (int)lane, f32);
    uint32_t buf = 0;
#pragma unroll
    for (int mp = 0; mp < M_PIECES; mp++)
#pragma unroll
        for (int u = 0; u < BLOCK_N / 32; u++) {
            if (f32 || u % 2 == 0) {
                buf = ring + tg_hplan_epi_buf(t, c, *chunk & 1);
                if (wtid == 0)
                    TG_BULK_WAIT_READ(1);
                tg_named_bar_sync(1 + c, TG_H_WG_THREADS);
            }
            const uint32_t base = buf + lane_off;
            if (f32) {
                /* Slot by slot, each lane its own column group: no bank conflicts (plan.h). */
#pragma unroll
                for (int slot = 0; slot < 4; slot++)
#pragma unroll
                    for (int h = 0; h < 2; h++) {
                        const int g = tg_hplan_epi_group((int)lane, slot);
                        const float *q = &acc[mp][16 * u + 2 * h]; /* group g: q[4g], q[4g + 1] */
                        const float x = pick4(g, q[0], q[4], q[8], q[12]);
                        const float y = pick4(g, q[1], q[5], q[9], q[13]);
                        tg_st_shared_f32x2(tg_hplan_epi_at(base, slot, h, 1), p->alpha * x, p->alpha * y);
                    }
            } else {
#pragma unroll
                for (int i = 16 * u; i < 16 * u + 16; i += 2) {
                    const __nv_bfloat162 h =
                        __floats2bfloat162_rn(p->alpha * acc[mp][i], p->alpha * acc[mp][i + 1]);
                    tg_st_shared_b32(tg_hplan_epi_at(base, i / 4 % 8, i % 4 / 2, 0), *(const uint32_t *)&h);
                }
            }
            if (f32 || u % 2 == 1) {
                const int64_t r = row0 + mp * TG_H_WGMMA_M, k = col0 + (f32 ? u : u - 1) * 32;
                if (p->tma_c) {
                    tg_fence_proxy_async_smem();
                    tg_named_bar_sync(1 + c, TG_H_WG_THREADS);
                    if (wtid == 0) {
                        tg_tma_store_3d(&p->c_map, buf, (int)k, (int)r, (int)x.batch);
                        tg_bulk_commit();
                    }
                } else {
                    tg_named_bar_sync(1 + c, TG_H_WG_THREADS);
                    store_chunk(p, x.batch, buf, r, k, f32, warp, (int)lane);
                }
                (*chunk)++;
            }
        }
}

static __device__ __forceinline__ void zero(float acc[M_PIECES][ACC_N])
{
#pragma unroll
    for (int mp = 0; mp < M_PIECES; mp++)
#pragma unroll
        for (int i = 0; i < ACC_N; i++)
            acc[mp][i] = 0.0f;
}

/* Consumer c's wgmmas on the stage at ring address `ring`, stage s: one K tile. */
/* (first: the tile's first K tile, whose first k16 step overwrites the accumulators: no zeroing.) */
static __device__ __forceinline__ void mma_stage(const tg_htile *t, uint32_t ring, int s, int c,
                                                 float acc[M_PIECES][ACC_N], const bool first = false)
{
    tg_wgmma_fence();
#pragma unroll
    for (int kk = 0; kk < K16_PER_TILE; kk++)
#pragma unroll
        for (int mp = 0; mp < M_PIECES; mp++)
            wgmma_n(acc[mp], tg_hplan_desc_a(t, ring, s, c * M_PIECES + mp, kk),
                    tg_hplan_desc_b(t, ring, s, kk), !(first && kk == 0));
    tg_wgmma_commit();
}

/*
 * Thread 0 of the issuing warpgroup: K tile kt of tile x into stage s, on
 * full[s]. In a cluster the block loads its slices of the A and B boxes
 * (plan.h) and multicasts each to the blocks that share it; the full
 * barrier expects the whole stage, the others' slices included.
 */
static __device__ __forceinline__ void load_stage(const tg_hopper_params *p, const tg_htile *t,
                                                  uint32_t ring, uint32_t full_s, int s, int kt,
                                                  tg_htilepos x, int rank)
{
    const int ar = tg_hplan_a_slice_row(t, rank), br = tg_hplan_b_slice_row(t, rank);
    const uint32_t a = ring + tg_hplan_stage_a(t, s) + (uint32_t)ar * TG_H_SWIZZLE_BYTES;
    const uint32_t b = ring + tg_hplan_stage_b(t, s) + (uint32_t)br * TG_H_SWIZZLE_BYTES;
    const int arow = (int)(x.row * BLOCK_M) + ar, brow = (int)(x.col * BLOCK_N) + br;
    tg_mbar_arrive_expect_tx(full_s, STAGE_BYTES);
    if (CLUSTER_N > 1)
        tg_tma_load_3d_multicast(a, &p->a_map, full_s, kt * BLOCK_K, arow, (int)x.batch,
                                 (uint16_t)tg_hplan_a_mask(t, rank));
    else
        tg_tma_load_3d(a, &p->a_map, full_s, kt * BLOCK_K, arow, (int)x.batch);
    if (CLUSTER_M > 1)
        tg_tma_load_3d_multicast(b, &p->b_map, full_s, kt * BLOCK_K, brow, (int)x.batch,
                                 (uint16_t)tg_hplan_b_mask(t, rank));
    else
        tg_tma_load_3d(b, &p->b_map, full_s, kt * BLOCK_K, brow, (int)x.batch);
}

/*
 * Lane 0 of a consumer warp: stage s goes back to the producer, and in a
 * cluster to every block that filled part of it (their producers wait on
 * their own empty barriers before they write this block's stage again).
 */
static __device__ __forceinline__ void release(const tg_htile *t, uint32_t empty0, int s, int rank)
{
    if (CLUSTER == 1) {
        tg_mbar_arrive(empty0 + 8 * s);
        return;
    }
    const uint32_t mask = tg_hplan_release_mask(t, rank);
#pragma unroll
    for (int r = 0; r < CLUSTER; r++)
        if (r == rank)
            tg_mbar_arrive(empty0 + 8 * s);
        else if (mask >> r & 1)
            tg_mbar_arrive_cluster(empty0 + 8 * s, (uint32_t)r);
}

/*
 * The block's rank in the cluster that shares loads (0 without one; a K
 * split's blocks share none and take their K rank from tg_cluster_rank()
 * once), read from its special register wherever it is used (producer and
 * consumers alike): a rank held in a register
 * across the consumer's tile loop, beside 128 accumulators, made ptxas
 * spill (mc_2x1_128x256: 28 bytes).
 */
static __device__ __forceinline__ int rank_now(void) { return CLUSTER > 1 ? (int)tg_cluster_rank() : 0; }

#include "hopper/kernel_split.cuh"

#include "hopper/kernel_streamk.cuh"

/*
 * Consumer wg's share of tile x to C. This order puts the TMA epilogue's
 * code right after the main loop (ptxas lays the `if` first): behind the 72
 * KB of the beta != 0 stores, a launch's first fp32 TMA epilogue took 8.8 µs
 * instead of 4.2 at 4096^3, fetching cold code (bench/RESULTS.md entry 30).
 */
static __device__ __forceinline__ void store_tile(const tg_hopper_params *p, const tg_htile *t, uint32_t ring,
                                                  tg_htilepos x, int wg, int wtid,
                                                  float acc[M_PIECES][ACC_N], int *chunk)
{
    if (!EPILOGUE || p->beta != 0.0f)
        epilogue(p, x, wg, wtid, acc);
    else
        epilogue_tma(p, t, ring, x, wg, wtid, acc, chunk);
}

/* Consumer warpgroup wg (PRODUCER=1): the block's tiles, K tile by K tile, and their stores. */
static __device__ __forceinline__ void consume(const tg_hopper_params *p, const tg_htile *t,
                                               uint32_t ring, uint32_t full0, uint32_t empty0,
                                               uint32_t recv_bar, int64_t first, int64_t tiles,
                                               int64_t step, tg_hkrange kr, int wg, int wtid)
{
    if (TG_H_SETMAXNREG(CONSUMERS, PRODUCER))
        TG_SETMAXNREG_INC(TG_H_CONSUMER_REGS);
    const int lane = wtid % 32;
    int chunk = 0; /* TMA epilogue chunks stored: which staging buffer is next */
    float acc[M_PIECES][ACC_N];
    tg_hring r = tg_hplan_ring_start(), held = r;
    for (int64_t w = first; w < tiles; w += step) {
        const tg_htilepos x = tg_hplan_tile(t, w, p->grid_m, p->grid_n, rank_now());
        zero(acc);
        for (int kt = kr.k0; kt < kr.k1; kt++) {
            tg_mbar_wait(full0 + 8 * r.stage, tg_hplan_full_parity(r), TG_HANG(p, TG_TRAP_MBAR_FULL, r.stage));
            mma_stage(t, ring, r.stage, wg, acc);
            if (!MMA_LAG) {
                /* This K tile's wgmmas are complete: its stage goes back. */
                TG_WGMMA_WAIT(0);
                if (lane == 0)
                    release(t, empty0, r.stage, rank_now());
            } else {
                if (kt > kr.k0) {
                    /* The group before this one is complete: its stage goes back. */
                    TG_WGMMA_WAIT(1);
                    if (lane == 0)
                        release(t, empty0, held.stage, rank_now());
                }
                held = r;
            }
            r = tg_hplan_ring_next(t, r);
        }
        if (MMA_LAG && kr.k1 > kr.k0) {
            TG_WGMMA_WAIT(0);
            if (lane == 0)
                release(t, empty0, held.stage, rank_now());
        }
        if (TG_TIMELINE && wg == 0 && wtid == 0)
            TG_TL(p, TG_TL_MAIN_END);
        if (CLUSTER > 1 && (x.row >= p->grid_m || x.col >= p->grid_n))
            continue; /* past C's edge: this block only loaded for the others */
        if (SENDS) {
            exchange(p, t, ring, recv_bar, x, wg, wtid, acc); /* the ranks' partials meet */
            if (TG_TIMELINE && wg == 0 && wtid == 0)
                TG_TL(p, TG_TL_EPI_END);
            continue;
        }
        if (SPLIT_K > 1) {
            store_partial(t, ring, wg, wtid, acc); /* the kernel sums the partials */
            continue;
        }
        store_tile(p, t, ring, x, wg, wtid, acc, &chunk);
        if (TG_TIMELINE && wg == 0 && wtid == 0)
            TG_TL(p, TG_TL_EPI_END);
    }
}

/*
 * STREAM_K=1: consume's work, unit by unit (unit_of): the whole tiles,
 * then the stream-K segments, PARTIALs published, FINALs summed.
 */
static __device__ __forceinline__ void consume_sk(const tg_hopper_params *p, const tg_htile *t,
                                               uint32_t ring, uint32_t full0, uint32_t empty0,
                                               int64_t first, int64_t tiles, int64_t step,
                                               tg_hkrange kr, const tg_hunit *list, int n,
                                               uint32_t ready, int wg, int wtid)
{
    if (TG_H_SETMAXNREG(CONSUMERS, PRODUCER))
        TG_SETMAXNREG_INC(TG_H_CONSUMER_REGS);
    const int lane = wtid % 32;
    int chunk = 0; /* TMA epilogue chunks stored: which staging buffer is next */
    float acc[M_PIECES][ACC_N];
    tg_hring r = tg_hplan_ring_start(), held = r;
    const int64_t ndp = tg_hplan_dp_units(tiles, p->sk_tiles, step, first);
    for (int64_t j = 0; j < ndp + n; j++) {
        const tg_hunit u = unit_of(first, step, ndp, kr, list, j);
        mainloop(p, t, ring, full0, empty0, &r, &held, u.k0, u.k1, wg, lane, acc);
        if (TG_TIMELINE && wg == 0 && wtid == 0)
            TG_TL(p, TG_TL_MAIN_END);
        if (u.kind == TG_HU_PARTIAL) {
            sk_publish(p, t, blockIdx.x, wg, wtid, acc);
            continue;
        }
        if (u.kind == TG_HU_FINAL)
            sk_gather(p, t, u.from, blockIdx.x, wg, wtid, ready, acc);
        /* The tile's place, worked out here rather than kept live through the partials. */
        const tg_htilepos x = tg_hplan_tile(t, unit_of(first, step, ndp, kr, list, j).w, p->grid_m,
                                            p->grid_n, 0);
        store_tile(p, t, ring, x, wg, wtid, acc, &chunk);
        if (TG_TIMELINE && wg == 0 && wtid == 0)
            TG_TL(p, TG_TL_EPI_END);
    }
}

static __global__ void __launch_bounds__(THREADS, 1) KERNEL(const __grid_constant__ tg_hopper_params p)
{
    extern __shared__ __align__(1024) unsigned char smem[];
    __shared__ __align__(8) uint64_t full[STAGES];  /* "stage s holds its K tile" */
    __shared__ __align__(8) uint64_t empty[STAGES]; /* "stage s was handed back" (PRODUCER=1) */
    __shared__ tg_hunit sk_list[STREAM_K ? SK_UNITS : 1]; /* this block's stream-K segments */
    __shared__ int sk_count;
    __shared__ __align__(8) uint64_t sk_ready; /* "every partial a FINAL adds is published" */
    __shared__ __align__(8) uint64_t recv; /* SPLIT_K: "the other K ranks' partials landed" */
    const tg_htile tile = TG_TILE_INIT;
    const tg_htile *t = &tile;

    const int tid = threadIdx.x;
    if (TG_TIMELINE && tid == 0)
        TG_TL(&p, TG_TL_ENTER);
    /* Launched without its cluster, it would wait on blocks that do not exist: say so instead. */
    if (CLUSTER_ALL > 1 && tg_cluster_size() != CLUSTER_ALL) {
        tg_griddep_wait(); /* (the trap record is memory: after the previous kernel, as below) */
        tg_trap_why(p.trap, "hopper/" TG_STR(TG_NAME), TG_TRAP_CLUSTER, tg_cluster_size(), CLUSTER_ALL);
    }
    /* The ring on the swizzle pattern's 1024-byte boundary (absolute address bits 7-9). */
    const uint32_t raw = (uint32_t)__cvta_generic_to_shared(smem);
    const uint32_t ring = (raw + TG_H_SWIZZLE_ATOM - 1) & ~(uint32_t)(TG_H_SWIZZLE_ATOM - 1);
    const uint32_t full0 = (uint32_t)__cvta_generic_to_shared(full);
    const uint32_t empty0 = (uint32_t)__cvta_generic_to_shared(empty);
    const uint32_t sk_ready0 = (uint32_t)__cvta_generic_to_shared(&sk_ready);
    const uint32_t recv_bar = (uint32_t)__cvta_generic_to_shared(&recv);

    if (tid == 0) {
        /* The descriptors on their way to the TMA unit while the barriers are set up. */
        tg_prefetch_tensormap(&p.a_map);
        tg_prefetch_tensormap(&p.b_map);
        if (EPILOGUE && p.tma_c)
            tg_prefetch_tensormap(&p.c_map);
#pragma unroll
        for (int s = 0; s < STAGES; s++) {
            tg_mbar_init(full0 + 8 * s, 1);
            tg_mbar_init(empty0 + 8 * s, TG_H_EMPTY_ARRIVALS(CONSUMERS, CLUSTER_M, CLUSTER_N));
        }
        if (STREAM_K)
            tg_mbar_init(sk_ready0, 1);
        if (SENDS) {
            /* Its one arrival now: the phase completes when the other rank's bytes have landed. */
            tg_mbar_init(recv_bar, 1);
            tg_mbar_arrive_expect_tx(recv_bar, RECV_BYTES);
        }
        tg_mbar_fence_init();
        if (STREAM_K) {
            const int64_t all = tg_hplan_tiles(t, p.grid_m, p.grid_n, p.batch);
            const int n = p.sk_tiles ? tg_hplan_sk_units(p.k_tiles, gridDim.x, p.sk_tiles, blockIdx.x) : 0;
            for (int j = 0; j < n && j < SK_UNITS; j++)
                sk_list[j] = tg_hplan_sk_unit(all, p.k_tiles, gridDim.x, p.sk_tiles, blockIdx.x, j);
            sk_count = n;
        }
    }
    /* In a cluster the others' loads and releases reach these barriers: all initialised first.
     * SPLIT_K = 2: the sends are the cluster's first access: its consumers wait for this arrival
     * only then (exchange). */
    if (CLUSTER > 1) {
        tg_cluster_sync();
    } else {
        __syncthreads();
        if (SENDS)
            tg_cluster_arrive();
    }
    /* Everything above touched no memory but this block's (and its cluster's): with PDL
     * (family.c) it ran while the stream's previous kernel finished. Every thread waits for that
     * kernel here, before its first load, store or flag. (No launch_dependents: the next
     * kernel is then scheduled as this grid's blocks exit. Issued here, it cost 2-5 % at 4096^3
     * and 8192^3 and 26 % on ks4's clusters of 4, bench/RESULTS.md entry 36.) */
    tg_griddep_wait();
    if (TG_TIMELINE && tid == 0)
        TG_TL(&p, TG_TL_READY);
    const int sk_n = STREAM_K ? sk_count : 0; /* (the plan gives at most SK_UNITS: host and verifier check) */
    const int64_t per_item = (int64_t)p.grid_m * p.grid_n;
    const int64_t tiles = tg_hplan_tiles(t, p.grid_m, p.grid_n, p.batch);
    const int64_t first = PERSISTENT ? (int64_t)(blockIdx.x / CLUSTER)
                                     : (int64_t)blockIdx.y * per_item + blockIdx.x / SPLIT_K;
    const int64_t step = PERSISTENT ? (int64_t)(gridDim.x / CLUSTER) : tiles;
    float acc[M_PIECES][ACC_N];

    if (!PRODUCER) {
        /* Ladder steps 1-2: one warpgroup, one tile, loads issued by thread 0. */
        const tg_htilepos x = tg_hplan_tile(t, first, p.grid_m, p.grid_n, 0);
        if (tid == 0)
            for (int kt = 0; kt < STAGES && kt < p.k_tiles; kt++)
                load_stage(&p, t, ring, full0 + 8 * tg_hplan_stage_of(t, kt), tg_hplan_stage_of(t, kt),
                           kt, x, 0);
        zero(acc);
        for (int kt = 0; kt < p.k_tiles; kt++) {
            const int s = tg_hplan_stage_of(t, kt);
            tg_mbar_wait(full0 + 8 * s, tg_hplan_parity_of(t, kt), TG_HANG(&p, TG_TRAP_MBAR_FULL, s));
            mma_stage(t, ring, s, 0, acc);
            TG_WGMMA_WAIT(0);
            /* Every thread's wgmmas that read stage s are complete: refill it. */
            __syncthreads();
            const int next = tg_hplan_refill(t, kt);
            if (tid == 0 && next < p.k_tiles)
                load_stage(&p, t, ring, full0 + 8 * tg_hplan_stage_of(t, next),
                           tg_hplan_stage_of(t, next), next, x, 0);
        }
        epilogue(&p, x, 0, tid, acc);
        return;
    }

    const int wg = tid / TG_H_WG_THREADS, wtid = tid % TG_H_WG_THREADS;
    /* The block's K tiles: all of them, or its K rank's share (SPLIT_K > 1). */
    const tg_hkrange kr = tg_hplan_k_range(t, p.k_tiles, SPLIT_K > 1 ? (int)tg_cluster_rank() : 0);
    if (wg == CONSUMERS) {
        /* The producer warpgroup: one thread issues every load of the block. */
        if (TG_H_SETMAXNREG(CONSUMERS, PRODUCER))
            TG_SETMAXNREG_DEC(TG_H_PRODUCER_REGS);
        if (TG_TIMELINE && wtid == 0)
            TG_TL(&p, TG_TL_LOAD0);
        if (wtid == 0 && !STREAM_K) {
            tg_hring r = tg_hplan_ring_start();
            for (int64_t w = first; w < tiles; w += step) {
                const tg_htilepos x = tg_hplan_tile(t, w, p.grid_m, p.grid_n, rank_now());
                for (int kt = kr.k0; kt < kr.k1; kt++) {
                    tg_mbar_wait(empty0 + 8 * r.stage, tg_hplan_empty_parity(r),
                                 TG_HANG(&p, TG_TRAP_MBAR_EMPTY, r.stage));
                    load_stage(&p, t, ring, full0 + 8 * r.stage, r.stage, kt, x, rank_now());
                    r = tg_hplan_ring_next(t, r);
                }
            }
        } else if (wtid == 0) {
            /* STREAM_K: the consumers' units (unit_of), then a FINAL's partials waited on. */
            tg_hring r = tg_hplan_ring_start();
            const int64_t ndp = tg_hplan_dp_units(tiles, p.sk_tiles, step, first);
            for (int64_t j = 0; j < ndp + sk_n; j++) {
                const tg_hunit u = unit_of(first, step, ndp, kr, sk_list, j);
                const tg_htilepos x = tg_hplan_tile(t, u.w, p.grid_m, p.grid_n, 0);
                for (int kt = u.k0; kt < u.k1; kt++) {
                    tg_mbar_wait(empty0 + 8 * r.stage, tg_hplan_empty_parity(r),
                                 TG_HANG(&p, TG_TRAP_MBAR_EMPTY, r.stage));
                    load_stage(&p, t, ring, full0 + 8 * r.stage, r.stage, kt, x, 0);
                    r = tg_hplan_ring_next(t, r);
                }
            }
            if (sk_n > 0 && sk_list[sk_n - 1].kind == TG_HU_FINAL)
                sk_wait_all(&p, t, sk_list[sk_n - 1].from, blockIdx.x, sk_ready0);
        }
#if TG_TIMELINE
        if (wtid == 32 && !STREAM_K)
            tl_observe(&p, full0, first, tiles, kr);
#endif
    } else {
        if (STREAM_K)
            consume_sk(&p, t, ring, full0, empty0, first, tiles, step, kr, sk_list, sk_n, sk_ready0, wg, wtid);
        else
            consume(&p, t, ring, full0, empty0, recv_bar, first, tiles, step, kr, wg, wtid);
    }
    /* The consumers' TMA stores in flight must have read their staging before the block's
     * shared memory goes (.read: their writes complete as any store's do, by the grid's end;
     * CUTLASS's store tail waits the same way). The thread that committed them waits (the
     * producer's thread 0 has no bulk groups: it returns at once). Here, after the roles'
     * branches meet, not at the end of consume: there ptxas held the consumers to the 168
     * registers they start with instead of setmaxnreg's 232 (256x192 tiles, 192 accumulators:
     * 1028 bytes spilled, wgmma serialized, C7512); here it does not. */
    if (EPILOGUE && wtid == 0)
        TG_BULK_WAIT_READ(0);
    if (SPLIT_K > 1 && !SENDS) {
        /* Every block's partial tile is in its shared memory: sum this block's rows of them. */
        tg_cluster_sync();
        if (wg < CONSUMERS)
            reduce(&p, t, ring, tg_hplan_tile(t, first, p.grid_m, p.grid_n, 0), (int)tg_cluster_rank(),
                   tid);
    }
    /* The others may still fill this block's stages, arrive on its barriers or read its partial
     * tile: leave together. (SPLIT_K = 2 need not: each block waited for what it receives.) */
    if (CLUSTER_ALL > 1 && !SENDS)
        tg_cluster_sync();
#if TG_TIMELINE
    __syncthreads(); /* (every thread comes here: the stamps of all are made) */
    if (tid == 0) {
        TG_TL(&p, TG_TL_EXIT);
        tl_flush(&p);
    }
#endif
}

/* ------------------------------------------------------------------------
 * Host side (C linkage, called from src/hopper/family.c)
 * ---------------------------------------------------------------------- */

/*
 * The kernel, its dynamic shared-memory limit raised once per device, and
 * how many of its clusters fit on the device at once (0 without a cluster:
 * one block per SM then), which a persistent grid must not exceed: blocks
 * beyond it would wait for the first ones to finish.
 */
extern "C" tg_status TG_CAT(tg_hopper_kernel_, TG_NAME)(int dev, const void **kernel,
                                                         int *max_clusters)
{
    enum { MAX_DEVICES = 64 };
    static int ready[MAX_DEVICES]; /* atomics: callers may be threads; clusters + 1 once set */
    const int cached = dev >= 0 && dev < MAX_DEVICES;
    int known = cached ? __atomic_load_n(&ready[dev], __ATOMIC_ACQUIRE) : 0;
    if (!known) {
        TG_CUDA_TRY(cudaFuncSetAttribute(KERNEL, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                         SMEM_BYTES));
        int clusters = 0;
        if (CLUSTER_ALL > 1)
            TG_TRY(tg_cluster_capacity((const void *)KERNEL, "hopper/" TG_STR(TG_NAME), CLUSTER_ALL,
                                       THREADS, SMEM_BYTES, dev, &clusters));
        known = clusters + 1;
        if (cached)
            __atomic_store_n(&ready[dev], known, __ATOMIC_RELEASE);
    }
    *kernel = (const void *)KERNEL;
    *max_clusters = known - 1;
    return TG_SUCCESS;
}
