/*
 * kernel.cuh — the decode family: C (fp32 or bf16) = alpha·A·Bᵀ + beta·C for
 * M <= BLOCK_M <= 64, A bf16 M×K, B bf16 N×K, row-major, where the time is
 * the time it takes to read B once.
 *
 * What changed from its neighbours (src/micro: A and B tiles staged in
 * shared memory, each reused by many warps; src/hopper: TMA and wgmma on
 * 64-row tiles): with M <= 64 nothing of B is reused, so nothing of B goes
 * through shared memory. Each warp streams its own REG_BLOCK_N rows of B
 * over its part of K with 16-byte loads that bypass L1, STAGES K steps in
 * flight in a ring of registers, and feeds them to mma.sync m16n8k16 as
 * they are: the K permutation of src/decode/plan.h makes a lane's 16 bytes
 * of a row its B fragments of two k16 steps, and the lane's A vectors of
 * the same columns (zeros past M) its A fragments. K is split over the
 * WARPS_K warps of a block and the SPLIT_K blocks of a cluster; partial sums
 * meet in shared memory and distributed shared memory in a fixed order, so
 * C is bitwise the same run after run, with no workspace and one launch.
 *
 *   per warp:  load ring [step x .. x+STAGES-1]  ─►  mma step x, reload its slot with x+STAGES ...
 *   per block: warp partials ─► shared memory ─► sum in warp order
 *              SPLIT_K = 1:  ─► C
 *              SPLIT_K > 1:  ─► cluster barrier ─► rank r sums its share of the elements over the
 *                            cluster's blocks in rank order (ld.shared::cluster) ─► C ─► barrier
 *
 * Every index comes from src/decode/plan.h, which the CPU verifier
 * (verify.c) runs the same way. Included once per line of presets.def by a
 * file CMake generates (TG_NAME, TG_PRESET_VALUES), like the other families.
 * Build: part of the library; run: tilegemm check --config decode_m16 --m 1 --n 8192 --k 8192.
 */
#include <cuda_bf16.h>
#include <cuda_runtime.h>
#include <stdint.h>

#include "core/store_c.cuh"
#include "decode/decode.h"
#include "ptx.cuh"

#if !defined(TG_NAME) || !defined(TG_PRESET_VALUES)
#error "define TG_NAME and TG_PRESET_VALUES (one line of presets.def) before including kernel.cuh"
#endif

/* BLOCK_M = 16, ...: the line's values, named by the list; ranges and rules checked. */
TG_INSTANCE(TG_DECODE_PARAMS, TG_DECODE_NPARAMS, TG_DECODE_RULES)
#define TG_TILE_INIT TG_INSTANCE_TILE(TG_DECODE_PARAMS)

enum {
    M_TILES = TG_D_M_TILES(BLOCK_M),          /* m16 tiles of A and C */
    N_TILES = TG_D_N_TILES(REG_BLOCK_N),      /* n8 tiles of a warp */
    BLOCK_N = TG_D_BLOCK_N(REG_BLOCK_N, WARPS_N),
    THREADS = TG_D_THREADS(WARPS_N, WARPS_K),
    SMEM_BYTES = TG_D_SMEM_BYTES(BLOCK_M, REG_BLOCK_N, WARPS_N, WARPS_K),
};

/* ------------------------------------------------------------------------
 * Global → registers: one K step of a lane
 * ---------------------------------------------------------------------- */

/* One ring stage: a lane's 16-byte vectors of one K step of 32 columns. */
typedef struct stage {
    uint4 b[N_TILES];    /* B row tg_dplan_b_row(.., j, lane) */
    uint4 a[M_TILES][2]; /* A rows tg_dplan_a_row(i, h, lane): zeros past M */
} stage;

/*
 * Where a lane's vectors of step 0 are; step x is x·32 elements further
 * along each row. Rows of A past M are zeros, never read: halves of 8 rows
 * below a_halves are whole (uniform), half a_halves is where M ends.
 */
typedef struct lane_src {
    const __nv_bfloat16 *b[N_TILES];
    const __nv_bfloat16 *a[M_TILES][2];
    int a_halves; /* 8-row halves of A wholly below M: M / 8 */
    bool a_edge;  /* this lane's row of half a_halves is below M */
} lane_src;

static __device__ __forceinline__ lane_src make_lane_src(const tg_dtile *t, const tg_rows_operands *p,
                                                         const __nv_bfloat16 *a,
                                                         const __nv_bfloat16 *b, int64_t group,
                                                         int wn, int lane)
{
    lane_src s;
    const int lk = tg_dplan_lane_k(lane);
#pragma unroll
    for (int j = 0; j < N_TILES; j++) {
        /* Rows past N read row N-1 (the same sectors as the lane that owns it; never stored). */
        int64_t row = tg_dplan_b_row(t, group, wn, j, lane);
        row = row < p->n ? row : p->n - 1;
        s.b[j] = b + row * p->ldb + lk;
    }
#pragma unroll
    for (int i = 0; i < M_TILES; i++)
#pragma unroll
        for (int h = 0; h < 2; h++) {
            const int row = tg_dplan_a_row(i, h, lane);
            s.a[i][h] = a + (int64_t)(row < p->m ? row : 0) * p->lda + lk;
        }
    s.a_halves = p->m / 8;
    s.a_edge = tg_dplan_a_row(0, 0, lane) < p->m % 8;
    return s;
}

/*
 * Step x of the lane's rows into a stage. `tail` (the last, partial step
 * when K % 32 != 0): a lane whose 8 columns lie past K loads nothing and
 * holds zeros, for A and B alike (K is a multiple of 8, so a vector is all
 * in or all out).
 */
static __device__ __forceinline__ void load_step(const lane_src *s, int x, stage *st, const bool tail,
                                                 bool in_k)
{
    const int64_t off = (int64_t)x * TG_D_K_STEP;
    const uint4 zero = make_uint4(0, 0, 0, 0);
#pragma unroll
    for (int j = 0; j < N_TILES; j++)
        st->b[j] = !tail || in_k ? tg_ld_global16_stream(s->b[j] + off) : zero;
#pragma unroll
    for (int i = 0; i < M_TILES; i++)
#pragma unroll
        for (int h = 0; h < 2; h++) {
            const int half = tg_dplan_a_half(i, h);
            if (8 * half >= BLOCK_M) /* past BLOCK_M (BLOCK_M = 8): zeros, known at compile time */
                st->a[i][h] = zero;
            else if (half < s->a_halves) /* every lane's row is below M */
                st->a[i][h] = !tail || in_k ? tg_ld_global16(s->a[i][h] + off) : zero;
            else if (half == s->a_halves) /* M ends in this half: the lanes below it */
                st->a[i][h] = s->a_edge && (!tail || in_k) ? tg_ld_global16(s->a[i][h] + off) : zero;
            else /* past M */
                st->a[i][h] = zero;
        }
}

/* ------------------------------------------------------------------------
 * Registers → mma: the K permutation (plan.h) in action
 * ---------------------------------------------------------------------- */

/* Word w (a constant after unrolling) of a vector. */
static __device__ __forceinline__ uint32_t word(uint4 v, int w)
{
    return w == 0 ? v.x : w == 1 ? v.y : w == 2 ? v.z : v.w;
}

typedef float acc_tiles[M_TILES][N_TILES][4];

/* Both k16 steps of one K step: every m16 tile of A times every n8 tile of B. */
static __device__ __forceinline__ void mma_step(const stage *st, acc_tiles acc)
{
#pragma unroll
    for (int s = 0; s < TG_D_MMAS_PER_STEP; s++) {
        uint32_t bf[N_TILES][2];
#pragma unroll
        for (int j = 0; j < N_TILES; j++) {
            bf[j][0] = word(st->b[j], tg_dplan_b_word(s, 0));
            bf[j][1] = word(st->b[j], tg_dplan_b_word(s, 1));
        }
#pragma unroll
        for (int i = 0; i < M_TILES; i++) {
            /* a0 row g, a1 row g+8 (k 2t, 2t+1); a2, a3 the same rows at k 2t+8, 2t+9 */
            const uint32_t af[4] = {word(st->a[i][0], tg_dplan_a_word(s, 0)),
                                    word(st->a[i][1], tg_dplan_a_word(s, 0)),
                                    word(st->a[i][0], tg_dplan_a_word(s, 1)),
                                    word(st->a[i][1], tg_dplan_a_word(s, 1))};
#pragma unroll
            for (int j = 0; j < N_TILES; j++)
                tg_mma_bf16_16816(acc[i][j], af, bf[j]);
        }
    }
}

/*
 * Full K steps [begin, end) of the lane's rows, in step order, STAGES in
 * flight: the step in slot s is multiplied, then the slot is reloaded with
 * the step STAGES later. Inside the main loop every slot is consumed and
 * refilled (no guards); the last steps drain the ring.
 */
static __device__ __forceinline__ void stream_steps(const lane_src *src, int begin, int end,
                                                    acc_tiles acc)
{
    stage st[STAGES];
#pragma unroll
    for (int s = 0; s < STAGES; s++)
        if (begin + s < end)
            load_step(src, begin + s, &st[s], false, true);
    int x = begin;
    for (; x + 2 * STAGES <= end; x += STAGES) {
#pragma unroll
        for (int s = 0; s < STAGES; s++) {
            mma_step(&st[s], acc);
            load_step(src, x + s + STAGES, &st[s], false, true);
        }
    }
    for (; x < end; x += STAGES) {
#pragma unroll
        for (int s = 0; s < STAGES; s++)
            if (x + s < end) {
                mma_step(&st[s], acc);
                if (x + s + STAGES < end)
                    load_step(src, x + s + STAGES, &st[s], false, true);
            }
    }
}

/* ------------------------------------------------------------------------
 * The reduction and C
 * ---------------------------------------------------------------------- */

/* C(row, col) = alpha·v + beta·C(row, col) (tg_store_c); columns past N are not C's. */
static __device__ __forceinline__ void store_c(const tg_rows_operands *p, void *c, int row,
                                               int64_t col, float v)
{
    if (col < p->n)
        tg_store_c(c, row * p->ldc + col, p->c_dtype, p->alpha, p->beta, v);
}

/* ------------------------------------------------------------------------
 * The kernel
 * ---------------------------------------------------------------------- */

#define KERNEL TG_CAT(tg_decode_, TG_NAME)

static __global__ void __launch_bounds__(THREADS, MIN_BLOCKS) KERNEL(const tg_decode_params p)
{
    extern __shared__ __align__(16) float red[];
    const tg_dtile tile = TG_TILE_INIT;
    const tg_dtile *t = &tile;

    /* PDL (family.c): the stream's previous kernel done before any memory is touched (as the
     * hopper kernel, no launch_dependents). */
    tg_griddep_wait();
    /* Launched without its cluster, it would read blocks that do not exist: say so instead. */
    if (SPLIT_K > 1 && tg_cluster_size() != SPLIT_K)
        tg_trap_why(p.trap, "decode/" TG_STR(TG_NAME), TG_TRAP_CLUSTER, tg_cluster_size(), SPLIT_K);

    const int tid = threadIdx.x;
    const int lane = tid % TG_D_WARP_SIZE;
    const int warp = tid / TG_D_WARP_SIZE;
    const int wn = tg_dplan_warp_n(t, warp), wk = tg_dplan_warp_k(t, warp);
    const tg_dblock blk = tg_dplan_block(t, blockIdx.x);
    const int64_t batch = blockIdx.y;
    const __nv_bfloat16 *a = (const __nv_bfloat16 *)p.op.a + batch * p.op.stride_a;
    const __nv_bfloat16 *b = (const __nv_bfloat16 *)p.op.b + batch * p.op.stride_b;

    /* This warp's part of K: steps [begin, end) (plan.h). */
    const int steps = tg_dplan_steps(p.op.k), full = tg_dplan_full_steps(p.op.k);
    const int part = tg_dplan_part(t, blk.rank, wk);
    const int begin = tg_dplan_part_begin(t, part, steps);
    const int end = tg_dplan_part_begin(t, part + 1, steps);

    acc_tiles acc;
#pragma unroll
    for (int i = 0; i < M_TILES; i++)
#pragma unroll
        for (int j = 0; j < N_TILES; j++)
#pragma unroll
            for (int r = 0; r < 4; r++)
                acc[i][j][r] = 0.0f;

    /* A warp whose rows of B all lie past N streams nothing (its columns are not stored). */
    if (tg_dplan_b_row(t, blk.group, wn, 0, 0) < p.op.n) {
        const lane_src src = make_lane_src(t, &p.op, a, b, blk.group, wn, lane);
        stream_steps(&src, begin, end < full ? end : full, acc);
        if (begin <= full && full < end) {
            /* This part holds the last step, and it is partial (K % 32 != 0). */
            stage st;
            load_step(&src, full, &st, true,
                      (int64_t)full * TG_D_K_STEP + tg_dplan_lane_k(lane) < p.op.k);
            mma_step(&st, acc);
        }
    }

    /* Each warp's partial sums (rows below M) into its slot of shared memory. */
#pragma unroll
    for (int i = 0; i < M_TILES; i++)
#pragma unroll
        for (int j = 0; j < N_TILES; j++)
#pragma unroll
            for (int h = 0; h < 2; h++) {
                const tg_drc f = tg_dplan_frag_c(lane, 2 * h); /* register 2h+1: the next column */
                const int row = i * TG_D_MMA_M + f.row;
                const int col = wn * REG_BLOCK_N + j * TG_D_MMA_N + f.col;
                if (row < p.op.m)
                    *(float2 *)&red[tg_dplan_red_offset(t, wk, row, col)] =
                        make_float2(acc[i][j][2 * h], acc[i][j][2 * h + 1]);
            }
    __syncthreads();

    /* The block's sum of each element, in warp order; to C, or (cluster) back into slot 0. */
    void *c = (char *)p.op.c + batch * p.op.stride_c * (p.op.c_dtype == TG_DTYPE_F32 ? 4 : 2);
    const int64_t col0 = blk.group * BLOCK_N;
    const int elems = p.op.m * BLOCK_N;
    for (int i = 0;; i++) {
        const int e = tg_dplan_block_elem(t, tid, i);
        if (e >= elems)
            break;
        const int row = e / BLOCK_N, col = e % BLOCK_N;
        float v = red[tg_dplan_red_offset(t, 0, row, col)];
#pragma unroll
        for (int w = 1; w < WARPS_K; w++)
            v += red[tg_dplan_red_offset(t, w, row, col)];
        if (SPLIT_K == 1)
            store_c(&p.op, c, row, col0 + col, v);
        else
            red[tg_dplan_red_offset(t, 0, row, col)] = v;
    }
    if (SPLIT_K == 1)
        return;

    /* Every block's sums are in its shared memory (release / acquire at cluster scope). */
    tg_cluster_sync();
    const uint32_t red0 = tg_smem_addr(red);
    for (int i = 0;; i++) {
        const int e = tg_dplan_cluster_elem(t, blk.rank, tid, i);
        if (e >= elems)
            break;
        const int row = e / BLOCK_N, col = e % BLOCK_N;
        const uint32_t at = red0 + 4 * (uint32_t)tg_dplan_red_offset(t, 0, row, col);
        float v = tg_ld_cluster_f32(at, 0);
#pragma unroll
        for (int q = 1; q < SPLIT_K; q++)
            v += tg_ld_cluster_f32(at, (uint32_t)q);
        store_c(&p.op, c, row, col0 + col, v);
    }
    /* No block leaves while another may still read its shared memory. */
    tg_cluster_sync();
}

/* ------------------------------------------------------------------------
 * Host side (C linkage, called from src/decode/family.c)
 * ---------------------------------------------------------------------- */

/*
 * The kernel, its dynamic shared-memory limit raised once per device
 * (idempotent: a race between threads repeats the same calls); with a
 * cluster, TG_ERR_CUDA when not one cluster of SPLIT_K blocks fits.
 */
extern "C" tg_status TG_CAT(tg_decode_kernel_, TG_NAME)(int dev, const void **kernel)
{
    enum { MAX_DEVICES = 64 };
    static int ready[MAX_DEVICES]; /* atomics: callers may be threads */
    const int cached = dev >= 0 && dev < MAX_DEVICES;
    if (!cached || !__atomic_load_n(&ready[dev], __ATOMIC_ACQUIRE)) {
        TG_CUDA_TRY(cudaFuncSetAttribute(KERNEL, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                         SMEM_BYTES));
        int clusters = 0;
        if (SPLIT_K > 1)
            TG_TRY(tg_cluster_capacity((const void *)KERNEL, "decode/" TG_STR(TG_NAME), SPLIT_K,
                                       THREADS, SMEM_BYTES, dev, &clusters));
        if (cached)
            __atomic_store_n(&ready[dev], 1, __ATOMIC_RELEASE);
    }
    *kernel = (const void *)KERNEL;
    return TG_SUCCESS;
}
