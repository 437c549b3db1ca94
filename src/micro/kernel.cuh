/*
 * kernel.cuh — the micro family: the seed's micro kernel (HipKittens
 * micro_tk) in CUDA C for Hopper: C (fp32 or bf16) = alpha·A·Bᵀ + beta·C,
 * A bf16 M×K, B bf16 N×K, all row-major.
 *
 * The seed's structure, kept: a BLOCK_M×BLOCK_N C tile per thread block, a
 * WARPS_M×WARPS_N warp grid (4×2: warp_row = id/2, warp_col = id%2), K walked
 * in K_STEP steps of DOT_SLICE_SHARED-wide shared slices of A and B, each
 * slice consumed DOT_SLICE columns at a time: load the warp's register tiles
 * of A and B, then mma every accumulator tile (REG_BLOCK_M×REG_BLOCK_N fp32)
 * — the seed's mma_ABt. Every coordinate comes from the tile plan
 * (src/micro/plan.h); nothing here computes an index of its own.
 *
 * Changed from the seed, for Hopper and for safety:
 *   - mma.sync.m16n8k16 bf16 → fp32 and ldmatrix.x4 replace HipKittens'
 *     mma_ABt and load; shared slices are XOR-swizzled (tg_plan_smem_offset).
 *   - The seed stores the prefetched registers into its one As/Bs buffer while
 *     other warps may still be reading it. Here slices rotate through STAGES
 *     shared buffers and one __syncthreads per slice orders them (see
 *     docs/ARCHITECTURE.md, "Synchronization"):
 *       pipe REGS      the seed's global → registers → shared, 2 stages;
 *       pipe CP_ASYNC  cp.async global → shared, STAGES-1 slices in flight.
 *   - Any M, N, K ≥ 1 (edges are zero-filled on load, masked on store),
 *     leading dimensions, batches and 64-bit offsets. When pointers or
 *     leading dimensions rule out 16-byte loads, a second kernel of the same
 *     instance loads element by element (vec = false).
 *   - The epilogue applies alpha and beta (beta = 0 never reads C).
 *
 * Included once per line of presets.def by a file CMake generates:
 *     #define TG_NAME            seed
 *     #define TG_PRESET_VALUES   128, 128, 256, 64, 16, 32, 32, 4, 2, TG_INTERLEAVED, ...
 *     #include "micro/kernel.cuh"
 * Build: part of the library (cmake --build build); run: tilegemm check --config seed.
 */
#include <cuda_bf16.h>
#include <cuda_runtime.h>
#include <stdint.h>

#include "micro/micro.h"
#include "ptx.cuh"

#if !defined(TG_NAME) || !defined(TG_PRESET_VALUES)
#error "define TG_NAME and TG_PRESET_VALUES (one line of presets.def) before including kernel.cuh"
#endif

/* ------------------------------------------------------------------------
 * This instance's parameters, as compile-time constants
 * ---------------------------------------------------------------------- */

/* BLOCK_M = 128, BLOCK_N = 128, ...: the line's values, named by the list; every
 * range and every plan rule checked for this instance at compile time. */
TG_INSTANCE(TG_MICRO_PARAMS, TG_MICRO_NPARAMS, TG_MICRO_RULES)

/* Derived, from the plan's macros (the same ones tg_plan_* call). */
enum {
    THREADS = TG_THREADS(WARPS_M, WARPS_N),
    ACC_M = TG_ACC_M(BLOCK_M, WARPS_M, REG_BLOCK_M), /* accumulator tiles per warp along M */
    ACC_N = TG_ACC_N(BLOCK_N, WARPS_N, REG_BLOCK_N), /* ... along N */
    MMA_TM = TG_MMA_TILES_M(REG_BLOCK_M),            /* m16 tiles in one accumulator tile */
    MMA_TN = TG_MMA_TILES_N(REG_BLOCK_N),            /* n8 tiles in one accumulator tile */
    A_VECS = TG_LOAD_VECS(BLOCK_M, DOT_SLICE_SHARED, WARPS_M, WARPS_N),
    B_VECS = TG_LOAD_VECS(BLOCK_N, DOT_SLICE_SHARED, WARPS_M, WARPS_N),
    A_SLICE_BYTES = BLOCK_M * DOT_SLICE_SHARED * 2,
    STAGE_BYTES = TG_STAGE_ELEMS(BLOCK_M, BLOCK_N, DOT_SLICE_SHARED) * 2,
    SMEM_BYTES = TG_SMEM_BYTES(BLOCK_M, BLOCK_N, DOT_SLICE_SHARED, STAGES),
    SLICES_PER_STEP = K_STEP / DOT_SLICE_SHARED,
    K16_PER_DOT = DOT_SLICE / TG_MMA_K,
};

/* This instance's tile, for the plan functions: {BLOCK_M, BLOCK_N, ...} in list order. */
#define TG_TILE_INIT TG_INSTANCE_TILE(TG_MICRO_PARAMS)

/* ------------------------------------------------------------------------
 * Global → shared: one slice of one operand
 * ---------------------------------------------------------------------- */

/*
 * One operand (A or B) of this block, as this thread loads it: where its
 * vector 0 comes from and lands. Vector v is v passes further down
 * (tg_plan_load_vec): source + v·ROWS_PER_PASS·ld elements, destination +
 * v·PASS_BYTES (the swizzle repeats every pass; the verifier checks it).
 */
enum {
    ROWS_PER_PASS = TG_LOAD_ROWS_PER_PASS(DOT_SLICE_SHARED, WARPS_M, WARPS_N),
    PASS_BYTES = ROWS_PER_PASS * DOT_SLICE_SHARED * 2,
};

typedef struct loader {
    const __nv_bfloat16 *src; /* vector 0 at K column 0 */
    int64_t pass_elems;       /* ROWS_PER_PASS · ld */
    uint32_t dst;             /* byte offset of vector 0 inside a slice */
    int row, col;             /* vector 0's position inside the slice */
    int rows;                 /* rows of the panel that exist (≤ the block's) */
} loader;

static __device__ __forceinline__ loader make_loader(const tg_tile *t, const __nv_bfloat16 *panel,
                                                     int64_t ld, int64_t rows_left, int block_rows,
                                                     int tid)
{
    tg_rc rc = tg_plan_load_vec(t, tid, 0);
    loader l;
    l.src = panel + rc.row * ld + rc.col;
    l.pass_elems = ROWS_PER_PASS * ld;
    l.dst = 2 * tg_plan_smem_offset(t, rc.row, rc.col);
    l.row = rc.row;
    l.col = rc.col;
    l.rows = rows_left < block_rows ? (int)rows_left : block_rows;
    return l;
}

/* Elements of the 8-element vector at column kcol that lie inside K. */
static __device__ __forceinline__ int vec_valid(int64_t k, int64_t kcol)
{
    int64_t left = k - kcol;
    return (int)(left < 0 ? 0 : left > TG_VEC_ELEMS ? TG_VEC_ELEMS : left);
}

/* 8 elements one at a time, zeros past `valid`: for any alignment. */
static __device__ __forceinline__ uint4 load_vec_scalar(const __nv_bfloat16 *src, int valid)
{
    const unsigned short *s = (const unsigned short *)src;
    unsigned short e[TG_VEC_ELEMS];
#pragma unroll
    for (int i = 0; i < TG_VEC_ELEMS; i++)
        e[i] = i < valid ? s[i] : (unsigned short)0;
    uint4 v;
    v.x = e[0] | (uint32_t)e[1] << 16;
    v.y = e[2] | (uint32_t)e[3] << 16;
    v.z = e[4] | (uint32_t)e[5] << 16;
    v.w = e[6] | (uint32_t)e[7] << 16;
    return v;
}

/* Vector v of slice k0 through registers: 16 bytes at once when whole and aligned. */
static __device__ __forceinline__ uint4 load_vec(const loader *l, int v, int64_t k0, int64_t k,
                                                 bool full, bool vec)
{
    const __nv_bfloat16 *src = l->src + k0 + v * l->pass_elems;
    bool row_ok = l->row + v * ROWS_PER_PASS < l->rows;
    if (vec && full)
        return row_ok ? tg_ld_global16(src) : make_uint4(0, 0, 0, 0);
    return load_vec_scalar(src, row_ok ? vec_valid(k, k0 + l->col) : 0);
}

/*
 * The cp.async pipeline's copy of this thread's `vecs` vectors of the slice
 * at K column k0 into the slice buffer at `slice`. Rows past the edge and
 * columns past K are zero-filled by the copy itself (its source size).
 * `full` (uniform): the slice lies inside K; with all rows present too
 * (every block but the last row and column of blocks) no masking at all.
 */
static __device__ __forceinline__ void copy_slice_async(const loader *l, int vecs, int block_rows,
                                                        int64_t k0, int64_t k, uint32_t slice,
                                                        bool vec)
{
    const bool full = k0 + DOT_SLICE_SHARED <= k;
    if (vec && full && l->rows == block_rows) {
#pragma unroll
        for (int v = 0; v < vecs; v++)
            tg_cp_async16_full(slice + l->dst + v * PASS_BYTES, l->src + k0 + v * l->pass_elems);
        return;
    }
#pragma unroll
    for (int v = 0; v < vecs; v++) {
        uint32_t d = slice + l->dst + v * PASS_BYTES;
        if (vec) {
            /* A vector outside the matrix copies 0 bytes (all zero-fill):
             * its address is formed but never read. */
            const __nv_bfloat16 *src = l->src + k0 + v * l->pass_elems;
            bool row_ok = l->row + v * ROWS_PER_PASS < l->rows;
            int bytes = full ? 16 : 2 * vec_valid(k, k0 + l->col);
            tg_cp_async16(d, src, row_ok ? bytes : 0);
        } else {
            /* No 16-byte alignment: load synchronously; the barrier that
             * follows orders these stores like the cp.async ones. */
            tg_st_shared16(d, load_vec(l, v, k0, k, full, false));
        }
    }
}

/* The register pipeline's first half (the seed's load_global_to_registers). */
static __device__ __forceinline__ void fetch_slice(const loader *l, int vecs, int64_t k0, int64_t k,
                                                   uint4 *regs, bool vec)
{
    const bool full = k0 + DOT_SLICE_SHARED <= k;
#pragma unroll
    for (int v = 0; v < vecs; v++)
        regs[v] = load_vec(l, v, k0, k, full, vec);
}

/* ... and its second half (the seed's store_registers_to_shared). */
static __device__ __forceinline__ void store_slice(const loader *l, int vecs, const uint4 *regs,
                                                   uint32_t slice)
{
#pragma unroll
    for (int v = 0; v < vecs; v++)
        tg_st_shared16(slice + l->dst + v * PASS_BYTES, regs[v]);
}

/* ------------------------------------------------------------------------
 * Shared → registers → mma: one shared slice
 * ---------------------------------------------------------------------- */

typedef float acc_tiles[ACC_M][ACC_N][MMA_TM][MMA_TN][4];

/*
 * Per-lane parts of the ldmatrix addresses, one per 16-column position of a
 * slice: byte offsets of the lane's row and column inside a 16-row register
 * tile that starts at row 0. The swizzle repeats every 16 rows
 * (the verifier checks it), so a tile at row R adds 2·R·DOT_SLICE_SHARED:
 * the kernel keeps 2·DOT_SLICE_SHARED/16 lane offsets in registers instead
 * of one address per ldmatrix.
 */
enum { K16_PER_SLICE = DOT_SLICE_SHARED / TG_MMA_K };
/*
 * Fragment prefetch: with registers to spare, the next k16 step's fragments
 * load while this step's mma run, across slice boundaries too (two fragment
 * buffers live). Under a tight register cap (the seed's 8 warps at 2 blocks
 * per SM: 128 registers, 64 of them accumulators) two buffers spill, which
 * measured 45% slower on the H100 than loading each step just before its
 * mma (bench/RESULTS.md); the compiler still overlaps inside a slice then.
 * 40 registers are left for addresses, loop state and the loaders.
 */
enum {
    FRAG_REGS = ACC_M * MMA_TM * 4 + ACC_N * MMA_TN * 2,
    REG_BUDGET = 65536 / (THREADS * MIN_BLOCKS) > 255 ? 255 : 65536 / (THREADS * MIN_BLOCKS),
    FRAG_PREFETCH = TG_ACC_REGS(BLOCK_M, BLOCK_N, WARPS_M, WARPS_N) + 2 * FRAG_REGS + 40 <= REG_BUDGET,
};
static_assert(K16_PER_SLICE % 2 == 0,
              "the mainloop's two fragment buffers alternate across slice boundaries, so a "
              "slice must hold an even number of k16 steps");

typedef struct lane_offsets {
    uint32_t a[K16_PER_SLICE];
    uint32_t b[K16_PER_SLICE];
} lane_offsets;

static __device__ __forceinline__ lane_offsets make_lane_offsets(const tg_tile *t, int lane)
{
    const tg_rc la = tg_plan_ldsm_a(lane);
    const tg_rc lb = tg_plan_ldsm_b(lane);
    lane_offsets o;
#pragma unroll
    for (int p = 0; p < K16_PER_SLICE; p++) {
        o.a[p] = 2 * tg_plan_smem_offset(t, la.row, p * TG_MMA_K + la.col);
        o.b[p] = 2 * tg_plan_smem_offset(t, lb.row, p * TG_MMA_K + lb.col);
    }
    return o;
}

/*
 * The warp's register tiles for one k16 step q of a shared slice (q = 0 ..
 * K16_PER_SLICE-1, inside dot slice q / K16_PER_DOT): A(i) from
 * tg_plan_a_subtile and B(j) from tg_plan_b_subtile — the seed's
 * rt_bf<REG_BLOCK, DOT_SLICE> loads, one k16 column block at a time so the
 * next step's loads overlap this step's mma.
 */
typedef struct frags {
    uint32_t a[ACC_M][MMA_TM][4];
    uint32_t b[ACC_N][MMA_TN][2];
} frags;

static __device__ __forceinline__ void load_frags(const tg_tile *t, uint32_t a_smem, uint32_t b_smem,
                                                  int warp_row, int warp_col, const lane_offsets *lo,
                                                  int q, frags *f)
{
    const int d = q / K16_PER_DOT, kk = q % K16_PER_DOT;
#pragma unroll
    for (int i = 0; i < ACC_M; i++) {
        tg_rc s = tg_plan_a_subtile(t, warp_row, i, d);
#pragma unroll
        for (int mt = 0; mt < MMA_TM; mt++)
            tg_ldmatrix_x4(f->a[i][mt], a_smem + 2 * (s.row + mt * TG_MMA_M) * DOT_SLICE_SHARED +
                                            lo->a[(s.col + kk * TG_MMA_K) / TG_MMA_K]);
    }
#pragma unroll
    for (int j = 0; j < ACC_N; j++) {
        tg_rc s = tg_plan_b_subtile(t, warp_col, j, d);
#pragma unroll
        for (int np = 0; np < MMA_TN / 2; np++) {
            uint32_t r[4];
            tg_ldmatrix_x4(r, b_smem + 2 * (s.row + np * 2 * TG_MMA_N) * DOT_SLICE_SHARED +
                                  lo->b[(s.col + kk * TG_MMA_K) / TG_MMA_K]);
            f->b[j][2 * np][0] = r[0];
            f->b[j][2 * np][1] = r[1];
            f->b[j][2 * np + 1][0] = r[2];
            f->b[j][2 * np + 1][1] = r[3];
        }
    }
}

/* Every accumulator (i, j) += A(i)·B(j)ᵀ for one k16 step: the seed's mma_ABt. */
static __device__ __forceinline__ void mma_frags(const frags *f, acc_tiles acc)
{
#pragma unroll
    for (int i = 0; i < ACC_M; i++)
#pragma unroll
        for (int j = 0; j < ACC_N; j++)
#pragma unroll
            for (int mt = 0; mt < MMA_TM; mt++)
#pragma unroll
                for (int nt = 0; nt < MMA_TN; nt++)
                    tg_mma_bf16_16816(acc[i][j][mt][nt], f->a[i][mt], f->b[j][nt]);
}

/* One whole shared slice, step after step (the register pipeline's compute). */
static __device__ __forceinline__ void compute_slice(const tg_tile *t, uint32_t a_smem,
                                                     uint32_t b_smem, int warp_row, int warp_col,
                                                     const lane_offsets *lo, acc_tiles acc)
{
    frags f[2];
    load_frags(t, a_smem, b_smem, warp_row, warp_col, lo, 0, &f[0]);
#pragma unroll
    for (int q = 0; q < K16_PER_SLICE; q++) {
        if (q + 1 < K16_PER_SLICE)
            load_frags(t, a_smem, b_smem, warp_row, warp_col, lo, q + 1, &f[(q + 1) % 2]);
        mma_frags(&f[q % 2], acc);
    }
}

/* ------------------------------------------------------------------------
 * Registers → C
 * ---------------------------------------------------------------------- */

/*
 * Elements (row, col) and (row, col+1) of C: alpha·acc + beta·C, the pair
 * one access when allowed. beta = 0 never reads C (it may hold NaN).
 */
static __device__ __forceinline__ void store_pair(const tg_micro_params *p, void *c, int64_t row,
                                                  int64_t col, float x, float y, const bool read)
{
    const int64_t at = row * p->ldc + col;
    const bool first = col < p->n, both = col + 1 < p->n;
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
            if (first)
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
            if (first)
                dst[0] = __float2bfloat16_rn(read ? fmaf(p->beta, __bfloat162float(dst[0]), x) : x);
            if (both)
                dst[1] = __float2bfloat16_rn(read ? fmaf(p->beta, __bfloat162float(dst[1]), y) : y);
        }
    }
}

/*
 * Accumulator (i, j) goes to C at tg_plan_c_tile; inside it, mma tile (mt, nt)
 * and lane registers by tg_plan_frag_c. Registers 2h and 2h+1 of a lane are
 * adjacent columns of one row (checked by the verifier), hence pairs.
 * `read` (beta != 0) is a constant in each of store_c's two expansions, so
 * the common beta = 0 epilogue carries nothing of C's read.
 */
static __device__ __forceinline__ void store_c_(const tg_tile *t, const tg_micro_params *p, void *c,
                                                int64_t block_row, int64_t block_col, int warp_row,
                                                int warp_col, int lane, acc_tiles acc,
                                                const bool read)
{
#pragma unroll
    for (int i = 0; i < ACC_M; i++)
#pragma unroll
        for (int j = 0; j < ACC_N; j++) {
            tg_rc64 ct = tg_plan_c_tile(t, block_row, block_col, warp_row, warp_col, i, j);
#pragma unroll
            for (int mt = 0; mt < MMA_TM; mt++)
#pragma unroll
                for (int nt = 0; nt < MMA_TN; nt++)
#pragma unroll
                    for (int h = 0; h < 2; h++) {
                        tg_rc f = tg_plan_frag_c(lane, 2 * h);
                        int64_t row = ct.row + mt * TG_MMA_M + f.row;
                        int64_t col = ct.col + nt * TG_MMA_N + f.col;
                        if (row < p->m)
                            store_pair(p, c, row, col, acc[i][j][mt][nt][2 * h],
                                       acc[i][j][mt][nt][2 * h + 1], read);
                    }
        }
}

static __device__ __forceinline__ void store_c(const tg_tile *t, const tg_micro_params *p, void *c,
                                               int64_t block_row, int64_t block_col, int warp_row,
                                               int warp_col, int lane, acc_tiles acc)
{
    if (p->beta != 0.0f)
        store_c_(t, p, c, block_row, block_col, warp_row, warp_col, lane, acc, true);
    else
        store_c_(t, p, c, block_row, block_col, warp_row, warp_col, lane, acc, false);
}

/* ------------------------------------------------------------------------
 * The kernel
 * ---------------------------------------------------------------------- */

static __device__ __forceinline__ void micro_body(const tg_micro_params p, const bool vec)
{
    extern __shared__ __align__(128) unsigned char smem[];
    const tg_tile tile = TG_TILE_INIT;
    const tg_tile *t = &tile;

    const int tid = threadIdx.x;
    const int lane = tid % TG_WARP_SIZE;
    const int warp = tid / TG_WARP_SIZE;
    const int warp_row = tg_plan_warp_row(t, warp);
    const int warp_col = tg_plan_warp_col(t, warp);
    int64_t block_row, block_col;
    tg_plan_block(t, blockIdx.x, p.grid_m, p.grid_n, &block_row, &block_col);
    const int64_t batch = blockIdx.y;

    const loader a_ld = make_loader(t, (const __nv_bfloat16 *)p.a + batch * p.stride_a +
                                            block_row * BLOCK_M * p.lda,
                                    p.lda, p.m - block_row * BLOCK_M, BLOCK_M, tid);
    const loader b_ld = make_loader(t, (const __nv_bfloat16 *)p.b + batch * p.stride_b +
                                            block_col * BLOCK_N * p.ldb,
                                    p.ldb, p.n - block_col * BLOCK_N, BLOCK_N, tid);
    const uint32_t smem0 = tg_smem_addr(smem);
    const lane_offsets lo = make_lane_offsets(t, lane);

    acc_tiles acc;
#pragma unroll
    for (int i = 0; i < ACC_M; i++)
#pragma unroll
        for (int j = 0; j < ACC_N; j++)
#pragma unroll
            for (int mt = 0; mt < MMA_TM; mt++)
#pragma unroll
                for (int nt = 0; nt < MMA_TN; nt++)
#pragma unroll
                    for (int r = 0; r < 4; r++)
                        acc[i][j][mt][nt][r] = 0.0f;

    const int slices = (int)((p.k + DOT_SLICE_SHARED - 1) / DOT_SLICE_SHARED);

    if ((int)PIPE == (int)TG_CP_ASYNC) {
        /*
         * Prologue: slices 0..STAGES-2 in flight, one commit group each;
         * then slice 0 landed and visible, and its first fragments loaded.
         */
#pragma unroll
        for (int s = 0; s < STAGES - 1; s++) {
            if (s < slices) {
                uint32_t stage = smem0 + s * STAGE_BYTES;
                copy_slice_async(&a_ld, A_VECS, BLOCK_M, (int64_t)s * DOT_SLICE_SHARED, p.k, stage,
                                 vec);
                copy_slice_async(&b_ld, B_VECS, BLOCK_N, (int64_t)s * DOT_SLICE_SHARED, p.k,
                                 stage + A_SLICE_BYTES, vec);
            }
            tg_cp_async_commit();
        }
        TG_CP_ASYNC_WAIT(STAGES - 2);
        __syncthreads();

        int read = 0, write = STAGES - 1; /* stages of slice s and of slice s+STAGES-1 */
        uint32_t a_read = smem0, b_read = smem0 + A_SLICE_BYTES;
        frags f[2];
        if (FRAG_PREFETCH)
            load_frags(t, a_read, b_read, warp_row, warp_col, &lo, 0, &f[0]);

        for (int step = 0; step < slices; step += SLICES_PER_STEP) {            /* K_STEP */
            for (int s = step; s < step + SLICES_PER_STEP && s < slices; s++) { /* shared slices */
                if (!FRAG_PREFETCH && s > 0) {
                    /* Slice s has landed for this thread; the barrier makes it
                     * visible to all, and guarantees every warp has finished
                     * slice s-1, whose stage the copy below overwrites. */
                    TG_CP_ASYNC_WAIT(STAGES - 2);
                    __syncthreads();
                    read = read + 1 == STAGES ? 0 : read + 1;
                    a_read = smem0 + read * STAGE_BYTES;
                    b_read = a_read + A_SLICE_BYTES;
                }
#pragma unroll
                for (int q = 0; q < K16_PER_SLICE; q++) { /* k16 steps */
                    if (FRAG_PREFETCH && q == K16_PER_SLICE - 1 && s + 1 < slices) {
                        /* Every fragment of slice s is loaded: wait until slice
                         * s+1 has landed (this thread's copies) and, at the
                         * barrier, for every thread's copies — and for every
                         * warp to have read slice s-1's stage, which the next
                         * copy overwrites. */
                        TG_CP_ASYNC_WAIT(STAGES - 2);
                        __syncthreads();
                        read = read + 1 == STAGES ? 0 : read + 1;
                        a_read = smem0 + read * STAGE_BYTES;
                        b_read = a_read + A_SLICE_BYTES;
                    }
                    if (FRAG_PREFETCH && (q + 1 < K16_PER_SLICE || s + 1 < slices))
                        load_frags(t, a_read, b_read, warp_row, warp_col, &lo,
                                   (q + 1) % K16_PER_SLICE, &f[(q + 1) % 2]);
                    if (!FRAG_PREFETCH)
                        load_frags(t, a_read, b_read, warp_row, warp_col, &lo, q, &f[q % 2]);
                    if (q == 0) {
                        /* Slice s+STAGES-1 into the stage slice s-1 used. */
                        int next = s + STAGES - 1;
                        if (next < slices) {
                            uint32_t stage = smem0 + write * STAGE_BYTES;
                            copy_slice_async(&a_ld, A_VECS, BLOCK_M,
                                             (int64_t)next * DOT_SLICE_SHARED, p.k, stage, vec);
                            copy_slice_async(&b_ld, B_VECS, BLOCK_N,
                                             (int64_t)next * DOT_SLICE_SHARED, p.k,
                                             stage + A_SLICE_BYTES, vec);
                        }
                        tg_cp_async_commit();
                        write = write + 1 == STAGES ? 0 : write + 1;
                    }
                    mma_frags(&f[q % 2], acc);
                }
            }
        }
        TG_CP_ASYNC_WAIT(0);
    } else {
        /* The seed's pipeline: the next slice travels global → registers
         * while this one is computed, then registers → the other stage. */
        uint4 a_regs[A_VECS], b_regs[B_VECS];
        fetch_slice(&a_ld, A_VECS, 0, p.k, a_regs, vec);
        fetch_slice(&b_ld, B_VECS, 0, p.k, b_regs, vec);
        store_slice(&a_ld, A_VECS, a_regs, smem0);
        store_slice(&b_ld, B_VECS, b_regs, smem0 + A_SLICE_BYTES);
        __syncthreads();
        for (int step = 0; step < slices; step += SLICES_PER_STEP) {            /* K_STEP */
            for (int s = step; s < step + SLICES_PER_STEP && s < slices; s++) { /* shared slices */
                bool more = s + 1 < slices;
                if (more) {
                    fetch_slice(&a_ld, A_VECS, (int64_t)(s + 1) * DOT_SLICE_SHARED, p.k, a_regs,
                                vec);
                    fetch_slice(&b_ld, B_VECS, (int64_t)(s + 1) * DOT_SLICE_SHARED, p.k, b_regs,
                                vec);
                }
                uint32_t stage = smem0 + (s & 1) * STAGE_BYTES;
                compute_slice(t, stage, stage + A_SLICE_BYTES, warp_row, warp_col, &lo, acc);
                if (more) {
                    /* The other stage was last read in iteration s-1, which
                     * every warp finished before the previous barrier. */
                    uint32_t other = smem0 + ((s + 1) & 1) * STAGE_BYTES;
                    store_slice(&a_ld, A_VECS, a_regs, other);
                    store_slice(&b_ld, B_VECS, b_regs, other + A_SLICE_BYTES);
                }
                __syncthreads();
            }
        }
    }

    void *c = (char *)p.c + batch * p.stride_c * (p.c_dtype == TG_DTYPE_F32 ? 4 : 2);
    store_c(t, &p, c, block_row, block_col, warp_row, warp_col, lane, acc);
}

#define KERNEL_VEC TG_CAT(TG_CAT(tg_micro_, TG_NAME), _vec)
#define KERNEL_ANY TG_CAT(TG_CAT(tg_micro_, TG_NAME), _any)

/* 16-byte aligned A and B (the fast path). */
static __global__ void __launch_bounds__(THREADS, MIN_BLOCKS) KERNEL_VEC(const tg_micro_params p)
{
    micro_body(p, true);
}

/* Any alignment: element-wise global loads. */
static __global__ void __launch_bounds__(THREADS, MIN_BLOCKS) KERNEL_ANY(const tg_micro_params p)
{
    micro_body(p, false);
}

/* ------------------------------------------------------------------------
 * Host side (C linkage, called from src/micro/family.c, which builds the
 * launch; the core launches it)
 * ---------------------------------------------------------------------- */

/*
 * The kernel for 16-byte aligned rows (vec) or any alignment, its dynamic
 * shared-memory limit raised once per device (idempotent, so a race between
 * threads only repeats the same calls).
 */
extern "C" tg_status TG_CAT(tg_micro_kernel_, TG_NAME)(int vec, int dev, const void **kernel)
{
    enum { MAX_DEVICES = 64 };
    static int ready[MAX_DEVICES]; /* read and written with atomics: callers may be threads */
    const int cached = dev >= 0 && dev < MAX_DEVICES;
    if (!cached || !__atomic_load_n(&ready[dev], __ATOMIC_ACQUIRE)) {
        TG_CUDA_TRY(cudaFuncSetAttribute(KERNEL_VEC, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                         SMEM_BYTES));
        TG_CUDA_TRY(cudaFuncSetAttribute(KERNEL_ANY, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                         SMEM_BYTES));
        TG_CUDA_TRY(cudaFuncSetAttribute(KERNEL_VEC, cudaFuncAttributePreferredSharedMemoryCarveout,
                                         cudaSharedmemCarveoutMaxShared));
        TG_CUDA_TRY(cudaFuncSetAttribute(KERNEL_ANY, cudaFuncAttributePreferredSharedMemoryCarveout,
                                         cudaSharedmemCarveoutMaxShared));
        if (cached)
            __atomic_store_n(&ready[dev], 1, __ATOMIC_RELEASE);
    }
    *kernel = vec ? (const void *)KERNEL_VEC : (const void *)KERNEL_ANY;
    return TG_SUCCESS;
}
