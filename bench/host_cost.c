/*
 * host_cost.c — what one tg_gemm call costs the host, beside a bare
 * cudaLaunchKernel of the same kernel (and cublasGemmEx), in one run.
 *
 * "tg_gemm_prepare alone" is everything tg_gemm does but the launch: the
 * library's own share of the cost.
 *
 * Each call gets fresh pointers: every call of the run (all contenders, all
 * rounds) has addresses no other call had (one of `sets` sets of three
 * cudaMalloc'd buffers, at one of SHIFTS 16-byte offsets, never the same
 * pair twice), so nothing the library might cache per pointer helps; what
 * may help is a cache keyed on the shape (the hopper family's tensor-map
 * templates, src/hopper/tmap.c) or on the allocation (the pointer table,
 * src/core/device.c, which holds TG_PTR_TABLE_MAX ranges a thread: the
 * default 64 sets, 192 allocations, fit; --sets 512 does not, and shows
 * the cost when the table misses).
 * Calls are enqueued in batches of BATCH on
 * one stream (small problems: the GPU drains them faster than the queue
 * fills), the host time of a batch divided by BATCH is one sample; the
 * stream is synchronized between batches. Reported: the median sample, in
 * microseconds per call, over ROUNDS rounds in which the contenders take
 * turns; and for the target, the median over rounds of tg_gemm's batch
 * minus the bare batch of the same round (a paired difference: the host's
 * slow and fast phases, which move both by tenths of a microsecond between
 * runs, cancel), beside the difference of the two medians.
 *
 *   tg_host_cost [--config NAME] [--sets N]   (default warp64, 64 sets; exits 77 without a GPU)
 *   tg_host_cost --config persistent  (a hopper preset: two tensor maps per call)
 *   tg_host_cost --parts [--config NAME]  what the library's share is made of:
 *       each step of a call alone, on fresh pointers, ns per call
 *
 * The target: tg_gemm(args, cfg) at most 1 us above the bare launch;
 * the last line says whether this run met it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/core.h"
#include "harness.h"
#include "hopper/hopper.h"

enum { SETS_DEFAULT = 64, SETS_MAX = 512, SHIFTS = 1024, BATCH = 200, ROUNDS = 30, DIM = 256 };
enum { CONTENDERS_MAX = 6 }; /* the contenders below */
#define TARGET_US 1.0 /* tg_gemm(args, cfg) above the bare launch, at most */

_Static_assert(CONTENDERS_MAX * (ROUNDS + 1) * BATCH <= SETS_DEFAULT * SHIFTS,
               "every call of the run has fresh pointers");

static int nsets = SETS_DEFAULT;

/* Call i of the run (every contender, every round): set i % nsets, its buffers moved by a
 * 16-byte step no other call had. */
static tg_gemm_args fresh(const tg_gemm_args *sets, int i)
{
    tg_gemm_args g = sets[i % nsets];
    const size_t shift = (size_t)(i / nsets % SHIFTS) * 16;
    g.a = (const char *)g.a + shift;
    g.b = (const char *)g.b + shift;
    g.c = (char *)g.c + shift;
    return g;
}

static double now_us(void)
{
    struct timespec ts;
    timespec_get(&ts, TIME_UTC);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec * 1e-3;
}

typedef enum contender { BARE, TG_CFG, TG_CHOICE, PREPARE, PREPARE_BARE, CUBLAS, CONTENDERS } contender;
_Static_assert((int)CONTENDERS == (int)CONTENDERS_MAX, "CONTENDERS_MAX counts the contenders");
static const char *const names[CONTENDERS] = {
    "cudaLaunchKernel(ExC) (bare, same kernel)", "tg_gemm(args, cfg)",
    "tg_gemm(args, NULL: library's choice)", "tg_gemm_prepare alone (no launch)",
    "tg_gemm_prepare, then a bare launch", "cublasGemmEx"};

/*
 * The bare launch of a prepared call: what tg_launch_on does, without the
 * library (so "prepare, then a bare launch" shows whether the prepare makes
 * the launch after it dearer: it was about 0.5 us dearer than prepare + bare).
 */
static void bare_launch(const tg_launch *l, cudaStream_t stream)
{
    void *params[1] = {(void *)l->params};
    const dim3 grid = {l->grid[0], l->grid[1], l->grid[2]};
    const dim3 block = {l->block[0], l->block[1], l->block[2]};
    if (l->cluster[0] * l->cluster[1] * l->cluster[2] == 1) {
        TH_CUDA(cudaLaunchKernel(l->kernel, grid, block, params, l->smem, stream));
    } else { /* a cluster kernel: its launch names the cluster */
        cudaLaunchAttribute attr;
        attr.id = cudaLaunchAttributeClusterDimension;
        attr.val.clusterDim.x = l->cluster[0];
        attr.val.clusterDim.y = l->cluster[1];
        attr.val.clusterDim.z = l->cluster[2];
        cudaLaunchConfig_t c = {grid, block, l->smem, stream, &attr, 1};
        TH_CUDA(cudaLaunchKernelExC(&c, l->kernel, params));
    }
}

/*
 * --parts: the steps of a call, each timed alone over PART_CALLS calls on
 * fresh pointers (ns per call, the median of ROUNDS): the runtime's
 * cudaGetDevice (what the library asked before it kept the context's ID),
 * the library's current device and context, the driver's pointer query
 * (2 attributes: what every check asked before the table), one pointer
 * check as the library makes it (three per call: the table's answer once
 * it holds the allocation; and a miss, the table emptied first: the
 * driver's answer and the insertion), the hopper family's tensor maps from the cache
 * (three per call), and the whole prepare of the configuration.
 */
enum { PART_CALLS = 2000 };
typedef enum part {
    GET_DEVICE,
    CURRENT_CONTEXT,
    POINTER_QUERY,
    POINTER_CHECK,
    POINTER_MISS,
    TENSOR_MAP,
    PREPARE_ALL,
    PARTS
} part;
static const char *const part_names[PARTS] = {
    "cudaGetDevice", "tg_current_context (cuCtxGetId)", "cuPointerGetAttributes (2 attributes)",
    "tg_check_device_pointer (one pointer)",
    "tg_check_device_pointer, table emptied first", "tensor map from the cache (tg_tmap_matrix)",
    "tg_gemm_prepare (the whole call but the launch)"};

static int parts(const tg_gemm_args *sets, const tg_config *cfg)
{
    void *q = NULL;
    TH_TG(tg_driver_entry("cuPointerGetAttributes", 7000, &q));
    PFN_cuPointerGetAttributes_v7000 query = (PFN_cuPointerGetAttributes_v7000)q;
    static double samples[PARTS][ROUNDS];
    int call = 0;
    for (int round = -1; round < ROUNDS; round++)
        for (int who = 0; who < PARTS; who++) {
            const double t0 = now_us();
            for (int i = 0; i < PART_CALLS; i++, call++) {
                const tg_gemm_args g = fresh(sets, call);
                switch (who) {
                case GET_DEVICE: {
                    int dev;
                    TH_CUDA(cudaGetDevice(&dev));
                    break;
                }
                case CURRENT_CONTEXT: {
                    int dev;
                    uint64_t ctx;
                    TH_TG(tg_current_context(&dev, &ctx));
                    break;
                }
                case POINTER_MISS: {
                    int dev;
                    uint64_t ctx;
                    tg_pointer_clear(); /* every check a miss: the driver, then the table */
                    TH_TG(tg_current_context(&dev, &ctx));
                    TH_TG(tg_check_device_pointer(g.a, "a", ctx));
                    break;
                }
                case POINTER_CHECK: {
                    int dev;
                    uint64_t ctx;
                    TH_TG(tg_current_context(&dev, &ctx)); /* once per call in the library */
                    TH_TG(tg_check_device_pointer(g.a, "a", ctx));
                    break;
                }
                case POINTER_QUERY: {
                    unsigned int type = 0;
                    CUdeviceptr view = 0;
                    CUpointer_attribute what[2] = {CU_POINTER_ATTRIBUTE_MEMORY_TYPE,
                                                   CU_POINTER_ATTRIBUTE_DEVICE_POINTER};
                    void *into[2] = {&type, &view};
                    if (query(2, what, into, (CUdeviceptr)(uintptr_t)g.a) != CUDA_SUCCESS ||
                        type != CU_MEMORYTYPE_DEVICE) {
                        fprintf(stderr, "cuPointerGetAttributes: not device memory\n");
                        return 1;
                    }
                    break;
                }
                case TENSOR_MAP: {
                    CUtensorMap map;
                    TH_TG(tg_tmap_matrix(&map, "a", 0, g.a, TG_DTYPE_BF16, g.m, g.k, g.lda, 1, 0,
                                         64, 128));
                    break;
                }
                case PREPARE_ALL: {
                    tg_gemm_args read;
                    tg_launch l;
                    TH_TG(tg_gemm_prepare(&g, cfg, &read, &l));
                    break;
                }
                }
            }
            if (round >= 0)
                samples[who][round] = (now_us() - t0) * 1e3 / PART_CALLS;
        }
    tg_pointer_stats ps;
    tg_pointer_get_stats(&ps);
    printf("host cost by part (%s, fresh pointers every call from %d sets, median of %d rounds of "
           "%d calls; pointer checks: %lld from the table, %lld asked of the driver):\n",
           cfg->name, nsets, ROUNDS, PART_CALLS, ps.table_hits, ps.driver_queries);
    for (int who = 0; who < PARTS; who++) {
        th_sort(samples[who], ROUNDS);
        printf("  %-50s %7.1f ns\n", part_names[who], samples[who][ROUNDS / 2]);
    }
    return 0;
}

int main(int argc, char **argv)
{
    int want_parts = 0;
    const char *config = "warp64";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--parts"))
            want_parts = 1;
        else if (!strcmp(argv[i], "--config") && i + 1 < argc)
            config = argv[++i];
        else if (!strcmp(argv[i], "--sets") && i + 1 < argc && atoi(argv[i + 1]) >= SETS_DEFAULT &&
                 atoi(argv[i + 1]) <= SETS_MAX)
            nsets = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: tg_host_cost [--parts] [--config NAME] [--sets %d..%d]\n",
                    SETS_DEFAULT, SETS_MAX);
            return 2;
        }
    }
    if (!th_have_gpu(stdout))
        return 77;
    tg_config cfg;
    TH_TG(tg_config_parse(config, &cfg));
    cublasHandle_t h;
    TH_CUBLAS(cublasCreate(&h));
    cudaStream_t stream;
    TH_CUDA(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));

    static tg_gemm_args sets[SETS_MAX];
    static tg_launch launches[SETS_MAX];
    for (int i = 0; i < nsets; i++) {
        void *a, *b, *c;
        TH_CUDA(cudaMalloc(&a, DIM * DIM * 2 + SHIFTS * 16));
        TH_CUDA(cudaMalloc(&b, DIM * DIM * 2 + SHIFTS * 16));
        TH_CUDA(cudaMalloc(&c, DIM * DIM * 4 + SHIFTS * 16));
        TH_CUDA(cudaMemset(a, 0x3c, DIM * DIM * 2 + SHIFTS * 16)); /* bf16 1.0-ish, never NaN */
        TH_CUDA(cudaMemset(b, 0x3c, DIM * DIM * 2 + SHIFTS * 16));
        tg_gemm_args g = tg_gemm_args_default();
        g.a = a;
        g.b = b;
        g.c = c;
        g.m = g.n = g.k = g.lda = g.ldb = g.ldc = DIM;
        sets[i] = g;
        tg_gemm_args read;
        TH_TG(tg_gemm_prepare(&sets[i], &cfg, &read, &launches[i]));
    }
    if (want_parts)
        return parts(sets, &cfg);

    static double samples[CONTENDERS][ROUNDS];
    for (int round = -1; round < ROUNDS; round++) /* round -1: warm-up */
        for (int who = 0; who < CONTENDERS; who++) {
            TH_CUDA(cudaStreamSynchronize(stream));
            const double t0 = now_us();
            for (int i = 0; i < BATCH; i++) {
                const int call = (who * (ROUNDS + 1) + round + 1) * BATCH + i;
                const tg_gemm_args g = fresh(sets, call);
                switch (who) {
                case BARE: bare_launch(&launches[call % nsets], stream); break;
                case TG_CFG: TH_TG(tg_gemm(&g, &cfg, stream)); break;
                case TG_CHOICE: TH_TG(tg_gemm(&g, NULL, stream)); break;
                case PREPARE: {
                    tg_gemm_args read;
                    tg_launch l;
                    TH_TG(tg_gemm_prepare(&g, &cfg, &read, &l));
                    break;
                }
                case PREPARE_BARE: {
                    tg_gemm_args read;
                    tg_launch l;
                    TH_TG(tg_gemm_prepare(&g, &cfg, &read, &l));
                    bare_launch(&launches[call % nsets], stream);
                    break;
                }
                case CUBLAS: TH_CUBLAS(baseline_cublas_gemm(h, &g, stream)); break;
                }
            }
            const double t1 = now_us();
            if (round >= 0)
                samples[who][round] = (t1 - t0) / BATCH;
        }
    TH_CUDA(cudaStreamSynchronize(stream));
    TH_CUDA(cudaGetLastError());

    /* The target's difference paired by round (each round's tg_gemm batch against the bare
     * batch just before it: the host's slow and fast phases cancel), before sorting. */
    double paired[ROUNDS];
    for (int round = 0; round < ROUNDS; round++)
        paired[round] = samples[TG_CFG][round] - samples[BARE][round];
    th_sort(paired, ROUNDS);
    double med[CONTENDERS];
    for (int who = 0; who < CONTENDERS; who++) {
        th_sort(samples[who], ROUNDS);
        med[who] = samples[who][ROUNDS / 2];
    }
    tg_pointer_stats ps;
    tg_pointer_get_stats(&ps);
    printf("host cost per call (%s, %dx%dx%d, fresh pointers every call from %d sets of 3 "
           "allocations, median of %d batches of %d; pointer checks: %lld from the table, %lld "
           "asked of the driver):\n",
           cfg.name, DIM, DIM, DIM, nsets, ROUNDS, BATCH, ps.table_hits, ps.driver_queries);
    for (int who = 0; who < CONTENDERS; who++)
        printf("  %-40s %7.2f us   (%+.2f us vs bare)\n", names[who], med[who], med[who] - med[BARE]);
    const double over = paired[ROUNDS / 2];
    printf("tg_gemm(args, cfg) - bare, paired by round: median %+.2f us (quartiles %+.2f .. "
           "%+.2f; the medians' difference above: %+.2f)\n",
           over, paired[ROUNDS / 4], paired[3 * ROUNDS / 4], med[TG_CFG] - med[BARE]);
    printf("target: tg_gemm(args, cfg) at most %.2f us above the bare launch: %s (%+.2f us, "
           "paired)\n",
           TARGET_US, over <= TARGET_US ? "met" : "NOT met", over);
    return 0;
}
