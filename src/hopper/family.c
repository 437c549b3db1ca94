/*
 * family.c — the hopper family as the core sees it: parameters and presets
 * (from TG_HOPPER_PARAMS and presets.def), plan rules, what TMA can take,
 * the tensor maps and launch description of a call, kernel resources, the
 * CPU verifier and the plan in words.
 */
#include <cuda_runtime.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hopper/hopper.h"

/* ------------------------------------------------------------------------
 * Parameters and presets
 * ---------------------------------------------------------------------- */

#define PARAM_(i, key, NAME, lo, hi, values, doc) {#key, #NAME, lo, hi, values, doc},
static const tg_param params[] = {TG_HOPPER_PARAMS(PARAM_)};
#undef PARAM_

_Static_assert(sizeof params / sizeof params[0] == TG_HOPPER_NPARAMS, "one entry per parameter");

static const tg_alias aliases[] = {
    {"block", "block_m", "block_n"},
};

#define TG_HOPPER_PRESET(name, ...)                                                        \
    _Static_assert(TG_NARGS(__VA_ARGS__) == TG_HOPPER_NPARAMS,                             \
                   "presets.def: " #name " must give one value per parameter of TG_HOPPER_PARAMS");
#include "hopper/presets.def"
#undef TG_HOPPER_PRESET

#define TG_HOPPER_PRESET(name, ...) {#name, {__VA_ARGS__}},
static const tg_preset presets[] = {
#include "hopper/presets.def"
};
#undef TG_HOPPER_PRESET

typedef tg_status (*kernel_getter)(int dev, const void **kernel, int *max_clusters);
#define TG_HOPPER_PRESET(name, ...) tg_hopper_kernel_##name,
static const kernel_getter kernels[] = {
#include "hopper/presets.def"
};
#undef TG_HOPPER_PRESET

/* The plan's rules (TG_HOPPER_RULES), each with its reason; also the verifier's first step. */
tg_status tg_hopper_check(const int *p)
{
#define P_(NAME) p[TG_HOPPER_##NAME]
#define RULE_(cond, why)                                                                  \
    if (!(cond))                                                                          \
        return TG_FAIL(TG_ERR_INVALID_CONFIG, "invalid hopper configuration: %s", why);
    TG_HOPPER_RULES(RULE_, P_)
#undef RULE_
#undef P_
    return TG_SUCCESS;
}

/* ------------------------------------------------------------------------
 * What TMA can take
 * ---------------------------------------------------------------------- */

enum { MAX_GRID_X = 2147483647, MAX_GRID_Y = 65535 };
#define TMA_STRIDE_LIMIT ((int64_t)1 << 40) /* bytes; cuTensorMapEncodeTiled */

/* Is a stride of `elems` elements of `size` bytes at TMA's limit or past it (overflow included)? */
static int too_far(int64_t elems, int64_t size)
{
    int64_t bytes;
    return tg_mul_ovf(elems, size, &bytes) || bytes >= TMA_STRIDE_LIMIT;
}

static tg_status refuse(const char *rule) { return tg_refuse_args("hopper", "%s", rule); }

/*
 * The GEMM as the kernel sees it: the caller's, or with SWAP_AB its
 * transpose Cᵀ = B·Aᵀ (A and B trade places, M and N too; C, ldc and
 * stride_c stay the caller's: the kernel stores its tile transposed).
 */
static tg_gemm_args kernel_view(const tg_htile *t, const tg_gemm_args *g)
{
    tg_gemm_args v = *g;
    if (t->swap_ab) {
        v.a = g->b;
        v.b = g->a;
        v.m = g->n;
        v.n = g->m;
        v.lda = g->ldb;
        v.ldb = g->lda;
        v.stride_a = g->stride_b;
        v.stride_b = g->stride_a;
    }
    return v;
}

static tg_status supports(int preset, const tg_gemm_args *caller)
{
    const tg_htile t = tg_htile_from_params(presets[preset].params);
    const tg_gemm_args view = kernel_view(&t, caller), *g = &view;
    if ((uintptr_t)g->a % 16 || (uintptr_t)g->b % 16)
        return refuse("TMA reads A and B from 16-byte aligned addresses");
    if (g->lda % 8 || g->ldb % 8)
        return refuse("TMA strides are multiples of 16 bytes: lda and ldb must be multiples of 8");
    if (g->batch > 1 && (g->stride_a % 8 || g->stride_b % 8))
        return refuse("TMA strides are multiples of 16 bytes: stride_a and stride_b must be "
                      "multiples of 8");
    if (g->batch > 1 && (g->stride_a == 0 || g->stride_b == 0))
        return refuse("a batch that shares A or B (stride 0) is not taken by this family yet");
    if (g->m > INT32_MAX || g->n > INT32_MAX || g->k > INT32_MAX - 64)
        return refuse("TMA coordinates are 32-bit: M, N and K must be below 2^31");
    int64_t a_item, b_item; /* elements */
    if (tg_mul_ovf(g->m, g->lda, &a_item) || tg_mul_ovf(g->n, g->ldb, &b_item) ||
        too_far(g->lda, 2) || too_far(g->ldb, 2) || too_far(g->batch > 1 ? g->stride_a : a_item, 2) ||
        too_far(g->batch > 1 ? g->stride_b : b_item, 2))
        return refuse("TMA strides must be below 2^40 bytes");
    const int64_t grid_m = tg_hplan_grid_m(&t, g->m), grid_n = tg_hplan_grid_n(&t, g->n);
    if (grid_n > 0 && grid_m > MAX_GRID_X / t.split_k / grid_n)
        return refuse("more thread blocks than one launch allows (2^31-1)");
    if (t.persistent && grid_m * grid_n > 0 && g->batch > MAX_GRID_X / (grid_m * grid_n))
        return refuse("more output tiles than a persistent block walks (2^31-1 over all batch "
                      "items)");
    if (g->batch > MAX_GRID_Y)
        return refuse("batch must be <= 65535 (one grid row per item)");
    return TG_SUCCESS;
}

/*
 * STREAM_K: the tiles g's persistent grid of `blocks` shares along K (plan.h
 * tg_hplan_sk_tiles; 0 for other presets and K = 0), and in *bytes the
 * workspace their partial slots and flags take (0 with none shared).
 */
static int64_t sk_share(const tg_htile *t, const tg_gemm_args *g, int64_t blocks, size_t *bytes)
{
    *bytes = 0;
    if (!t->stream_k || g->k == 0)
        return 0;
    const int64_t tiles = tg_hplan_tiles(t, tg_hplan_grid_m(t, g->m), tg_hplan_grid_n(t, g->n), g->batch);
    const int64_t sk = tg_hplan_sk_tiles(tiles, tg_hplan_k_tiles(t, g->k), blocks);
    if (sk)
        *bytes = (size_t)tg_hplan_sk_bytes(t, blocks);
    return sk;
}

/*
 * The persistent grid of the current device (one block per SM: the cached
 * SM count prepare's geometry takes too); asked with no device to answer (a
 * size question on a machine without a GPU), the H100's 132: what the call
 * needs there.
 */
static int64_t grid_blocks(void)
{
    int dev = 0, n = 0;
    if (tg_current_device(&dev) != TG_SUCCESS || tg_device_sm_count(dev, &n) != TG_SUCCESS)
        return 132;
    return n;
}

/*
 * A stream-K call's flag value, new for every call of the process: a flag
 * that holds it was set during this call, whatever the workspace held
 * before (earlier calls' values, poison, another process's leftovers).
 * Odd, so never 0 nor all ones; the start mixes the time and an address.
 */
static unsigned long long next_epoch(void)
{
    static _Atomic unsigned long long last;
    unsigned long long e = atomic_load(&last);
    if (e == 0) {
        int here = 0;
        const unsigned long long seed =
            (((unsigned long long)time(NULL) << 20) ^ (unsigned long long)clock() ^
             (unsigned long long)(uintptr_t)&here) * 0x9E3779B97F4A7C15ull | 1;
        atomic_compare_exchange_strong(&last, &e, seed);
    }
    for (;;) {
        e = atomic_fetch_add(&last, 2) + 2;
        if (e != ~0ull)
            return e;
    }
}

/* ------------------------------------------------------------------------
 * Tensor maps: A and B in prepare(), C here; all through tmap.c's cache
 * ---------------------------------------------------------------------- */

/*
 * C for the TMA epilogue, when TMA can store it (tg_hplan_c_takes_tma, and
 * strides below TMA's limit): a 3-D map (N, M, batch item) of fp32 or bf16,
 * boxes of 128 bytes x 64 rows with the 128-byte swizzle (plan.h's staging
 * layout). Else *tma_c = 0 and the kernel stores from registers.
 */
static tg_status encode_c(CUtensorMap *map, const tg_gemm_args *g, int dev, int *tma_c)
{
    const int64_t size = (int64_t)tg_dtype_size(g->c_dtype);
    int64_t item = 0;
    *tma_c = 0;
    if (!tg_hplan_c_takes_tma((uint64_t)(uintptr_t)g->c, g->n, g->ldc, g->batch, g->stride_c, size))
        return TG_SUCCESS;
    if (tg_mul_ovf(g->m, g->ldc, &item) || too_far(g->ldc, size) ||
        too_far(g->batch > 1 ? g->stride_c : item, size))
        return TG_SUCCESS;
    TG_TRY(tg_tmap_matrix(map, "c", dev, g->c, g->c_dtype, g->m, g->n, g->ldc, g->batch,
                          g->stride_c, (int)(TG_H_SWIZZLE_BYTES / size), TG_H_WGMMA_M));
    *tma_c = 1;
    return TG_SUCCESS;
}

/*
 * PERSISTENT=1: as many clusters (blocks, without a cluster) as fit at once,
 * `fit` of them (0: not known), each walking cluster tiles, at most one per
 * tile; with STREAM_K on few tiles, S blocks a tile (TG_GRID_SHARED_K);
 * else one block per tile (a cluster of SPLIT_K blocks with a K split),
 * batch items in grid.y. supports() bounded the counts.
 */
static tg_grid_kind geometry(int preset, const tg_gemm_args *caller, int fit, tg_launch *out)
{
    const tg_htile t = tg_htile_from_params(presets[preset].params);
    const tg_gemm_args view = kernel_view(&t, caller), *g = &view;
    const int64_t grid_m = tg_hplan_grid_m(&t, g->m), grid_n = tg_hplan_grid_n(&t, g->n);
    const int cluster = TG_H_CLUSTER_BLOCKS(t.cluster_m, t.cluster_n, t.split_k);
    out->smem = tg_hplan_smem_bytes(&t);
    out->block[0] = TG_H_THREADS(t.consumers, t.producer);
    out->block[1] = out->block[2] = 1;
    out->cluster[0] = (unsigned)cluster;
    out->cluster[1] = out->cluster[2] = 1;
    if (t.persistent) {
        const int64_t tiles = tg_hplan_tiles(&t, grid_m, grid_n, g->batch);
        /* Stream-K on few tiles: S blocks a tile (plan.h tg_hplan_sk_split; without the device,
         * the SMs grid_blocks() names) */
        const int64_t s = t.stream_k ? tg_hplan_sk_split(tiles, tg_hplan_k_tiles(&t, g->k),
                                                         fit > 0 ? fit : grid_blocks())
                                     : 1;
        out->grid[0] = (unsigned)(s > 1 ? s * tiles : (fit > 0 && fit < tiles ? fit : tiles) * cluster);
        out->grid[1] = 1;
        out->grid[2] = 1;
        return s > 1 ? TG_GRID_SHARED_K : TG_GRID_PERSISTENT;
    }
    out->grid[0] = (unsigned)(grid_m * grid_n * t.split_k);
    out->grid[1] = (unsigned)g->batch;
    out->grid[2] = 1;
    return TG_GRID_OVER_OUTPUT;
}

/* STREAM_K=1 where it shares tiles: their partial slots and flags (plan.h) for the grid prepare
 * launches on this device; else none. */
static size_t workspace(int preset, const tg_gemm_args *caller)
{
    const tg_htile t = tg_htile_from_params(presets[preset].params);
    if (!t.stream_k)
        return 0;
    tg_launch l;
    geometry(preset, caller, (int)grid_blocks(), &l);
    const tg_gemm_args view = kernel_view(&t, caller);
    size_t bytes;
    sk_share(&t, &view, l.grid[0], &bytes);
    return bytes;
}

static tg_status prepare(int preset, const tg_gemm_args *caller, int dev, tg_launch *out)
{
    const tg_htile t = tg_htile_from_params(presets[preset].params);
    const tg_gemm_args view = kernel_view(&t, caller), *g = &view;
    tg_hopper_params *p = (tg_hopper_params *)out->params;
    _Static_assert(sizeof(tg_hopper_params) <= TG_LAUNCH_PARAMS_MAX, "fits tg_launch");
    memset(p, 0, sizeof *p);
    /* Each map named by the caller's argument it reads. */
    TG_TRY(tg_tmap_matrix(&p->a_map, t.swap_ab ? "b" : "a", dev, g->a, TG_DTYPE_BF16, g->m, g->k,
                          g->lda, g->batch, g->stride_a, TG_H_SWIZZLE_BYTES / 2, tg_hplan_a_rows(&t)));
    TG_TRY(tg_tmap_matrix(&p->b_map, t.swap_ab ? "a" : "b", dev, g->b, TG_DTYPE_BF16, g->n, g->k,
                          g->ldb, g->batch, g->stride_b, TG_H_SWIZZLE_BYTES / 2, tg_hplan_b_rows(&t)));
    p->c = g->c;
    if (t.epilogue)
        TG_TRY(encode_c(&p->c_map, g, dev, &p->tma_c));
    p->m = g->m;
    p->n = g->n;
    p->k = g->k;
    p->ldc = g->ldc;
    p->stride_c = g->batch > 1 ? g->stride_c : 0;
    p->grid_m = (int)tg_hplan_grid_m(&t, g->m); /* supports() bounded their product */
    p->grid_n = (int)tg_hplan_grid_n(&t, g->n);
    p->batch = (int)g->batch;
    p->k_tiles = (int)tg_hplan_k_tiles(&t, g->k);
    p->c_dtype = (int)g->c_dtype;
    p->vec_c = !t.swap_ab && (uintptr_t)g->c % (g->c_dtype == TG_DTYPE_F32 ? 8 : 4) == 0 &&
               g->ldc % 2 == 0 && p->stride_c % 2 == 0; /* SWAP_AB: a pair is a column of C */
    p->alpha = g->alpha;
    p->beta = g->beta;
    p->patience = TG_H_PATIENCE;
    if (TG_TIMELINE) { /* (p is zeroed: no stamps without a buffer attached) */
        size_t tl_blocks = 0;
        p->timeline = tg_timeline_buffer(&tl_blocks);
        p->timeline_blocks = tl_blocks;
    }
    const int e = tg_trap_record_ptr(&p->trap);
    if (e)
        return TG_FAIL(TG_ERR_CUDA, "mapped host memory for the trap record: %s",
                       cudaGetErrorString((cudaError_t)e));
    /* A persistent grid: one block per SM, or as many clusters as fit at once. */
    int fit = 0;
    TG_TRY(kernels[preset](dev, &out->kernel, &fit));
    if (t.persistent && TG_H_CLUSTER_BLOCKS(t.cluster_m, t.cluster_n, t.split_k) == 1)
        TG_TRY(tg_device_sm_count(dev, &fit));
    geometry(preset, caller, fit, out);
    out->workspace = 0;
    /* Stream-K where the plan shares tiles and the workspace holds their slots (else whole tiles). */
    size_t sk_bytes;
    const int64_t sk = sk_share(&t, g, out->grid[0], &sk_bytes);
    if (sk && g->workspace && tg_workspace_holds(g, sk_bytes)) {
        p->sk_tiles = (int)sk;
        p->sk = g->workspace;
        p->sk_epoch = next_epoch();
        out->workspace = sk_bytes;
    } /* (else whole tiles: on a few-tiles grid the blocks past the tiles find no work and leave;
       * tg_gemm refuses such a call first, its workspace short of workspace()'s) */
    out->params_size = sizeof *p;
    return TG_SUCCESS;
}

static tg_status info(int preset, int dev, tg_kernel_info *out)
{
    const tg_htile t = tg_htile_from_params(presets[preset].params);
    const void *kernel = NULL;
    int max_clusters = 0;
    TG_TRY(kernels[preset](dev, &kernel, &max_clusters));
    const size_t smem = tg_hplan_smem_bytes(&t);
    return tg_kernel_resources(kernel, TG_H_THREADS(t.consumers, t.producer), smem, out);
}

/* ------------------------------------------------------------------------
 * The plan in words and numbers
 * ---------------------------------------------------------------------- */

static tg_status describe(const int *p, char *buf, size_t len)
{
    const tg_htile t = tg_htile_from_params(p);
    const int cluster = TG_H_CLUSTER(t.cluster_m, t.cluster_n);
    tg_text x = tg_text_init(buf, len);
    tg_text_add(&x, "  block tile           %d x %d (BLOCK_M x BLOCK_N); %d consumer warpgroup(s) of "
                "%d x %d each\n",
                t.block_m, t.block_n, t.consumers, t.block_m / t.consumers, t.block_n);
    if (t.producer)
        tg_text_add(&x, "  warp specialization  a producer warpgroup (one thread issues TMA), %d threads "
                    "in all; consumers hand stages back through empty barriers (%d arrivals: lane 0 "
                    "of each consumer warp)\n",
                    TG_H_THREADS(t.consumers, t.producer),
                    TG_H_EMPTY_ARRIVALS(t.consumers, t.cluster_m, t.cluster_n));
    else
        tg_text_add(&x, "  one warpgroup        %d threads; thread 0 issues TMA between its wgmmas\n",
                    TG_H_THREADS(t.consumers, t.producer));
    if (TG_H_SETMAXNREG(t.consumers, t.producer))
        tg_text_add(&x, "  registers            setmaxnreg: producer %d, consumers %d per thread (entry %d "
                    "x %d warpgroups)\n",
                    TG_H_PRODUCER_REGS, TG_H_CONSUMER_REGS, TG_H_ENTRY_REGS(t.consumers, t.producer),
                    TG_H_WARPGROUPS(t.consumers, t.producer));
    tg_text_add(&x, "  wgmma                %d x m64n%dk16 per k16 step per consumer, both operands from "
                "shared memory (K-major, 128-byte swizzle); %d fp32 accumulators per thread\n",
                TG_H_M_PIECES(t.block_m, t.consumers), t.block_n,
                TG_H_ACC_REGS(t.block_m, t.block_n, t.consumers));
    /* The operand each box reads: the kernel's A is the caller's B when swapped. */
    const char *a_is = t.swap_ab ? "B" : "A", *b_is = t.swap_ab ? "A" : "B";
    tg_text_add(&x, "  K loop               BLOCK_K %d = %d k16 steps per stage; TMA boxes %d x %d (%s) "
                "and %d x %d (%s)%s\n",
                t.block_k, t.block_k / TG_H_WGMMA_K, t.block_k, tg_hplan_a_rows(&t), a_is, t.block_k,
                tg_hplan_b_rows(&t), b_is,
                cluster > 1 ? ": each block's slice" : "");
    tg_text_add(&x, "  ring                 %d stages of %d bytes (%s %d + %s %d), each on a 1024-byte "
                "boundary, one mbarrier each%s; %d bytes of shared memory\n",
                t.stages, TG_H_STAGE_BYTES(t.block_m, t.block_n), a_is, TG_H_A_BYTES(t.block_m), b_is,
                TG_H_B_BYTES(t.block_n), t.producer ? " (full) and one (empty)" : "",
                (int)tg_hplan_smem_bytes(&t));
    tg_text_add(&x, "  epilogue             %s\n",
                t.epilogue ? "through shared memory (two 8 KB buffers per consumer, 128-byte swizzle) and "
                             "TMA stores that run on during the next tile; where C's pointer or strides are "
                             "not TMA's, the warpgroup writes each staged chunk itself, 128 contiguous bytes "
                             "a row per warp; beta != 0: straight from registers"
                           : "straight from the accumulator registers (alpha, beta applied there)");
    if (cluster > 1)
        tg_text_add(&x, "  cluster              %d x %d blocks (CLUSTER_M x CLUSTER_N) compute a %d x %d "
                    "cluster tile; each loads %d rows of the A box and %d of the B box and TMA "
                    "multicasts them to the blocks that share them; a consumer warp hands a stage "
                    "back to the %d blocks that filled it\n",
                    t.cluster_m, t.cluster_n, t.cluster_m * t.block_m, t.cluster_n * t.block_n,
                    tg_hplan_a_rows(&t), tg_hplan_b_rows(&t), t.cluster_m + t.cluster_n - 1);
    if (t.split_k > 1)
        tg_text_add(&x, "  split-K in a cluster: %d blocks (SPLIT_K) compute one tile, block r over K tiles "
                    "[r*KT/%d, (r+1)*KT/%d), storing rows [%d r, %d (r+1)); no workspace, one launch\n",
                    t.split_k, t.split_k, t.split_k, t.block_m / t.split_k, t.block_m / t.split_k);
    if (TG_H_SPLIT_SENDS(t.split_k))
        tg_text_add(&x, "                       a warp's 16-row pieces that the other block stores go there "
                    "by st.async into its receive buffer (%d bytes past the ring); the owner waits for "
                    "them on one mbarrier, adds rank 0's partial and rank 1's (deterministic) and stores "
                    "from registers with alpha and beta; no cluster sync after the start\n",
                    TG_H_RECV_BYTES(t.block_m, t.block_n, t.split_k));
    else if (t.split_k > 1)
        tg_text_add(&x, "                       each keeps its fp32 partial tile in its ring (%d bytes, rows "
                    "%d bytes apart), the cluster syncs, and block r sums its rows of every block's "
                    "partial, rank 0 first (deterministic), through distributed shared memory and stores "
                    "them with alpha and beta; the cluster syncs again before the blocks leave\n",
                    TG_H_PART_BYTES(t.block_m, t.block_n), TG_H_PART_PITCH(t.block_n));
    if (t.stream_k)
        tg_text_add(&x, "  stream-K             the last tiles' K shared by every block where the last round "
                    "of a persistent grid would leave SMs idle (R = tiles mod blocks: at least %d K tiles "
                    "idle per block and %d a block to share): block b takes iterations [b*R*KT/G, "
                    "(b+1)*R*KT/G); a tile's partials go to the workspace (BLOCK_M*BLOCK_N*4 bytes a "
                    "block, a flag per consumer set with the call's epoch), the block with its last K "
                    "tile adds them in block order (deterministic) and stores C; with fewer tiles than "
                    "half the SMs, S = min(SMs / tiles, %d) blocks share every tile (at least %d K tiles "
                    "a block), split-K in one launch\n",
                    TG_H_SK_MIN_IDLE, TG_H_SK_MIN_SHARE, TG_H_SK_MAX_SPLIT, TG_H_SK_MIN_SHARE);
    tg_text_add(&x, "  tiles                %s, in groups of %d %s rows\n",
                !t.persistent ? (t.split_k > 1 ? "one cluster of SPLIT_K blocks per tile" : "one block per tile")
                : cluster > 1
                    ? "persistent: as many clusters as fit at once, cluster q walks cluster tiles q, q+Q, ..."
                    : "persistent: one block per SM walks tiles b, b+G, ...",
                t.raster, cluster > 1 ? "cluster-tile" : "block");
    if (t.swap_ab)
        tg_text_add(&x, "  operands swapped     SWAP_AB: the block computes a %d x %d tile of Cᵀ = B·Aᵀ (B's "
                    "rows on wgmma's M side, A's rows on its N side): %d columns by %d rows of C, stored "
                    "transposed from registers (a warp's stores: 8 neighbouring elements of each of 4 "
                    "rows of C)\n",
                    t.block_m, t.block_n, t.block_m, t.block_n);
    tg_text_add(&x, "  accumulator          warp w, lane l, register i: row 16w + l/4 (+8 for i%%4 >= 2), "
                "column 8(i/4) + 2(l%%4) + i%%2, in each m64 piece\n");
    return tg_text_done(&x, "tg_config_describe's buffer");
}

static int facts(const int *p, tg_fact *out, int max)
{
    const tg_htile t = tg_htile_from_params(p);
    const tg_fact all[] = {
        {"threads", TG_H_THREADS(t.consumers, t.producer), "threads per block"},
        {"m_pieces", TG_H_M_PIECES(t.block_m, t.consumers), "m64 wgmma pieces per consumer"},
        {"wgmma_n", t.block_n, "N of each wgmma m64nNk16"},
        {"acc_regs", TG_H_ACC_REGS(t.block_m, t.block_n, t.consumers),
         "fp32 accumulator registers per consumer thread"},
        {"stage_bytes", TG_H_STAGE_BYTES(t.block_m, t.block_n), "shared memory per stage"},
        {"cluster", TG_H_CLUSTER_BLOCKS(t.cluster_m, t.cluster_n, t.split_k),
         "blocks per thread-block cluster"},
        {"smem_bytes", (int64_t)tg_hplan_smem_bytes(&t),
         "dynamic shared memory per block"},
    };
    return tg_facts_out(all, (int)(sizeof all / sizeof all[0]), out, max);
}

tg_status tg_hopper_verify(const int *p, char *report, size_t len); /* verify.c */

const tg_family_ops tg_hopper_family = {
    .name = "hopper",
    .id = TG_FAMILY_HOPPER,
    .params = params,
    .nparams = TG_HOPPER_NPARAMS,
    .aliases = aliases,
    .naliases = (int)(sizeof aliases / sizeof aliases[0]),
    .presets = presets,
    .npresets = (int)(sizeof presets / sizeof presets[0]),
    .base = "tma_wgmma",
    .presets_file = "src/hopper/presets.def",
    .preset_macro = "TG_HOPPER_PRESET",
    .pdl = 1, /* kernel.cuh: the wait after the barriers' set-up */
    .check = tg_hopper_check,
    .supports = supports,
    .workspace = workspace,
    .prepare = prepare,
    .geometry = geometry,
    .info = info,
    .verify = tg_hopper_verify,
    .describe = describe,
    .facts = facts,
};
