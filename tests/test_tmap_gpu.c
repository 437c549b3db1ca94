/*
 * test_tmap_gpu — the tensor-map cache (src/hopper/tmap.c) against the
 * driver's own cuTensorMapEncodeTiled, from several threads at once.
 *
 * The cache patches the base address into a template map at a place it
 * proved on its miss (tmap.c says how); here the proof meets the real
 * driver. Every thread runs many calls over a shared pool of random shapes
 * (strides, batches, box rows, two devices' keys; more shapes than a
 * thread's cache holds, and a few the driver refuses) with random 16-byte
 * aligned fake addresses (the encoder records the address, it does not
 * read memory) and some real cudaMalloc'd ones. For each call:
 *   - the cached map equals the driver's map for the same arguments byte
 *     for byte (all 128), or both calls fail alike;
 *   - a hit makes no driver call (counted by a wrapper put in the driver's
 *     place with tg_tmap_set_encoder);
 * and no entry may end up unpatchable: that would mean this driver's layout
 * defeated the proof, and every call encoding in full (correct, but the
 * host-cost target is lost). The time of a hit against an encode is printed
 * for information.
 *
 * Exits 77 (ctest: skipped) when no sm_90 GPU is present.
 *   test_tmap_gpu [--seed S]
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cuda_runtime.h>

#include "check.h"
#include "hopper/hopper.h"
#include "tmap_common.h"

static PFN_cuTensorMapEncodeTiled_v12000 driver;
static _Thread_local long long driver_calls;

/* The driver's function, counted per thread. */
static CUresult CUDAAPI counted(CUtensorMap *map, CUtensorMapDataType dtype, cuuint32_t rank,
                                void *address, const cuuint64_t *dims, const cuuint64_t *strides,
                                const cuuint32_t *box, const cuuint32_t *steps,
                                CUtensorMapInterleave interleave, CUtensorMapSwizzle swizzle,
                                CUtensorMapL2promotion l2, CUtensorMapFloatOOBfill oob)
{
    driver_calls++;
    return driver(map, dtype, rank, address, dims, strides, box, steps, interleave, swizzle, l2,
                  oob);
}

/* ------------------------------------------------------------------------
 * One thread's calls (tmap_common.h)
 * ---------------------------------------------------------------------- */

enum { SHAPES = 40, CALLS = 3000, THREADS = 8, REAL_BYTES = 1 << 20 };

/* Shapes as the hopper family passes them (tg_gemm_supports' limits), a few the driver refuses. */
static const shape_ranges ranges = {
    .narrow_boxes = 1,
    .row_ranges = 4,
    .rows = {{1, 300}, {1, 20000}, {1, 1 << 22}, {(int64_t)1 << 30, ((int64_t)1 << 31) - 1}},
    .k_small = 4096,
    .k_large = 1 << 20,
    .ld_pad = 4,
    .batch_max = 65535,
    .stride_pad = 9,
    .single_stride = 1000,
    .tma_strides = 1,
};

/* Fake addresses from 2^16 up. */
static const uint64_t LOWEST = (uint64_t)1 << 16;

/* A thread's run, with its own context, real memory and &driver_calls (this thread's). */
static void *thread_calls(void *arg)
{
    run *r = (run *)arg;
    cudaError_t e = cudaSetDevice(0);
    void *real = NULL;
    if (e == cudaSuccess)
        e = cudaMalloc(&real, REAL_BYTES); /* also makes the context current in this thread */
    if (e != cudaSuccess) {
        snprintf(r->setup, sizeof r->setup, "cudaSetDevice/cudaMalloc: %s", cudaGetErrorString(e));
        return NULL;
    }
    r->real = (uint64_t)(uintptr_t)real;
    r->real_bytes = REAL_BYTES;
    run_calls(r, &driver_calls);
    cudaFree(real);
    return NULL;
}

static double now_ns(void)
{
    struct timespec ts;
    timespec_get(&ts, TIME_UTC);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Information only: what a hit and a full encode cost on this machine. */
static void time_hit(void)
{
    enum { N = 100000 };
    uint64_t s = 12345;
    CUtensorMap m;
    /* The encoder needs a current context (else CUDA_ERROR_INVALID_CONTEXT; the library's
     * callers have one: tg_gemm_prepare's runtime calls make it current). */
    CHECK(cudaSetDevice(0) == cudaSuccess && cudaFree(NULL) == cudaSuccess, "a context");
    tg_tmap_clear();
    const int64_t n = 8192;
    CHECK(tg_tmap_matrix(&m, "a", 0, (void *)(uintptr_t)0x7f0000000000ull, TG_DTYPE_BF16, n, n, n,
                         1, 0, 64, 128) == TG_SUCCESS,
          "the timed shape: %s", tg_last_error());
    tg_tmap_stats before, after;
    tg_tmap_get_stats(&before);
    double t0 = now_ns();
    for (int i = 0; i < N; i++)
        tg_tmap_matrix(&m, "a", 0, (void *)(uintptr_t)random_address(&s, LOWEST), TG_DTYPE_BF16,
                       n, n, n, 1, 0, 64, 128);
    const double hit = (now_ns() - t0) / N;
    tg_tmap_get_stats(&after);
    CHECK(after.hits - before.hits == N, "the timed calls hit: %lld of %d (%lld misses, %lld "
          "unpatchable)", after.hits - before.hits, N, after.misses, after.unpatchable);
    t0 = now_ns();
    for (int i = 0; i < N / 10; i++)
        tg_tmap_matrix_encode(&m, "a", 0, (void *)(uintptr_t)random_address(&s, LOWEST),
                              TG_DTYPE_BF16, n, n, n, 1, 0, 64, 128);
    const double full = (now_ns() - t0) / (N / 10);
    printf("time per map (information): cached hit %.1f ns, cuTensorMapEncodeTiled %.1f ns\n", hit,
           full);
}

int main(int argc, char **argv)
{
    uint64_t seed;
    const int usage = parse_seed(argc, argv, "test_tmap_gpu", &seed);
    if (usage)
        return usage;
    const tg_status dc = tg_device_check();
    if (dc != TG_SUCCESS) {
        printf("%s: %s\nskipped\n", tg_status_string(dc), tg_last_error());
        return 77;
    }
    printf("seed %" PRIu64 "\n", seed);
    if (tg_tmap_driver_encoder(&driver) != TG_SUCCESS) {
        printf("FAILED: %s\n", tg_last_error());
        return 1;
    }
    tg_tmap_set_encoder(counted);

    shape shapes[SHAPES];
    uint64_t s = seed;
    for (int i = 0; i < SHAPES; i++)
        shapes[i] = random_shape(&s, &ranges);
    refused_shapes(shapes, 2);

    run runs[THREADS];
    pthread_t tid[THREADS];
    memset(runs, 0, sizeof runs);
    for (int t = 0; t < THREADS; t++) {
        runs[t].seed = seed + 1000003ull * (uint64_t)(t + 1);
        runs[t].shapes = shapes;
        runs[t].nshapes = SHAPES;
        runs[t].ncalls = CALLS;
        runs[t].encoder = "driver";
        runs[t].lowest = LOWEST;
        CHECK(pthread_create(&tid[t], NULL, thread_calls, &runs[t]) == 0, "thread %d starts", t);
    }
    for (int t = 0; t < THREADS; t++)
        pthread_join(tid[t], NULL);

    long long hits = 0, misses = 0, unpatchable = 0;
    for (int t = 0; t < THREADS; t++) {
        const run *r = &runs[t];
        char who[32];
        snprintf(who, sizeof who, "thread %d", t);
        CHECK(!r->setup[0], "%s: %s", who, r->setup);
        check_run(r, who);
        CHECK(r->refused > 0, "thread %d: the driver refused none of the invalid shapes", t);
        CHECK(r->hits > CALLS / 4, "thread %d: only %lld hits in %d calls", t, r->hits, CALLS);
        hits += r->stats.hits;
        misses += r->stats.misses;
        unpatchable += r->stats.unpatchable;
        printf("thread %d: %lld calls (%lld real addresses), %lld hits, %lld misses, %lld driver "
               "encodes, %lld refused alike\n",
               t, r->calls, r->real_used, r->stats.hits, r->stats.misses, r->stats.encodes,
               r->refused);
    }
    CHECK(unpatchable == 0,
          "%lld of %lld misses left an unpatchable entry: this driver's CUtensorMap did not pass "
          "the address proof (tmap.c), so every call encodes in full: correct, but the host-cost "
          "target is lost", unpatchable, misses);
    printf("all threads: %lld hits, %lld misses, %lld unpatchable\n", hits, misses, unpatchable);

    tg_tmap_set_encoder(NULL);
    time_hit();
    return check_summary();
}
