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
 * Random shapes and addresses
 * ---------------------------------------------------------------------- */

typedef struct shape {
    int dev, box_cols, box_rows;
    tg_dtype dtype;
    int64_t rows, k, ld, batch, stride; /* k: the columns (K of A and B, N of C) */
} shape;

static uint64_t next(uint64_t *s) /* xorshift64* */
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545f4914f6cdd1dull;
}

static int64_t between(uint64_t *s, int64_t lo, int64_t hi)
{
    return lo + (int64_t)(next(s) % (uint64_t)(hi - lo + 1));
}

/* Shapes as the hopper family passes them (tg_gemm_supports' limits), a few the driver refuses. */
static shape random_shape(uint64_t *s)
{
    static const int boxes[] = {64, 128, 256};
    shape x;
    x.dev = (int)between(s, 0, 1); /* the key only: the driver is not told the device */
    x.box_rows = boxes[next(s) % 3];
    /* A and B: bf16, 64 columns; C: fp32 or bf16, 128 bytes (and narrower boxes). */
    x.dtype = next(s) % 3 ? TG_DTYPE_BF16 : TG_DTYPE_F32;
    x.box_cols = (x.dtype == TG_DTYPE_BF16 ? 64 : 32) >> (next(s) % 4 ? 0 : between(s, 1, 2));
    switch (next(s) % 4) {
    case 0: x.rows = between(s, 1, 300); break;
    case 1: x.rows = between(s, 1, 20000); break;
    case 2: x.rows = between(s, 1, 1 << 22); break;
    default: x.rows = between(s, (int64_t)1 << 30, ((int64_t)1 << 31) - 1); break;
    }
    x.k = next(s) % 2 ? between(s, 1, 4096) : between(s, 1, 1 << 20);
    x.ld = (x.k + 7) / 8 * 8 + 8 * between(s, 0, 4);
    x.batch = next(s) % 3 ? 1 : between(s, 2, 65535);
    x.stride = x.rows * x.ld + 8 * between(s, 0, 9);
    /* TMA strides below 2^40 bytes: shrink what does not fit. */
    const int64_t size = x.dtype == TG_DTYPE_F32 ? 4 : 2;
    while (x.rows * x.ld * size >= (int64_t)1 << 40 || x.stride * size >= (int64_t)1 << 40) {
        x.rows = x.rows / 2 + 1;
        x.stride = x.rows * x.ld;
    }
    if (x.batch == 1)
        x.stride = between(s, 0, 1000); /* not read for one item */
    return x;
}

static void refused_shapes(shape *x, int n)
{
    if (n > 0) {
        x[0].dtype = TG_DTYPE_BF16;
        x[0].box_cols = 64;
        x[0].ld += 4; /* row stride not a multiple of 16 bytes */
    }
    if (n > 1)
        x[1].box_rows = 512; /* box rows above 256 */
}

/* A 16-byte aligned address in [2^16, 2^46), not NULL. */
static uint64_t random_address(uint64_t *s)
{
    return ((uint64_t)1 << 16) + (next(s) % (((uint64_t)1 << 46) - ((uint64_t)1 << 16))) / 16 * 16;
}

/* ------------------------------------------------------------------------
 * One thread's calls
 * ---------------------------------------------------------------------- */

enum { SHAPES = 40, CALLS = 3000, THREADS = 8, REAL_BYTES = 1 << 20 };

typedef struct run {
    uint64_t seed;
    const shape *shapes;
    long long calls, hits, mismatches, status_mismatches, hit_driver_calls, refused, real_used;
    tg_tmap_stats stats;
    char first[256];
    char setup[256];
} run;

static void *run_calls(void *arg)
{
    run *r = (run *)arg;
    uint64_t s = r->seed;
    cudaError_t e = cudaSetDevice(0);
    void *real = NULL;
    if (e == cudaSuccess)
        e = cudaMalloc(&real, REAL_BYTES); /* also makes the context current in this thread */
    if (e != cudaSuccess) {
        snprintf(r->setup, sizeof r->setup, "cudaSetDevice/cudaMalloc: %s", cudaGetErrorString(e));
        return NULL;
    }
    tg_tmap_clear();
    int last = -1;
    for (int i = 0; i < CALLS; i++) {
        const int j = last >= 0 && next(&s) % 2 ? last : (int)(next(&s) % SHAPES);
        last = j;
        const shape *x = &r->shapes[j];
        uint64_t a = random_address(&s);
        if (next(&s) % 8 == 0) {
            a = (uint64_t)(uintptr_t)real + (next(&s) % (REAL_BYTES / 16)) * 16;
            r->real_used++;
        }
        CUtensorMap got, want;
        memset(&got, 0xa5, sizeof got);
        memset(&want, 0x5a, sizeof want);
        tg_tmap_stats before, after;
        tg_tmap_get_stats(&before);
        const long long calls0 = driver_calls;
        const tg_status s1 = tg_tmap_matrix(&got, "a", x->dev, (const void *)(uintptr_t)a, x->dtype,
                                            x->rows, x->k, x->ld, x->batch, x->stride, x->box_cols,
                                            x->box_rows);
        const long long made = driver_calls - calls0;
        tg_tmap_get_stats(&after);
        const tg_status s2 = tg_tmap_matrix_encode(&want, "a", x->dev, (const void *)(uintptr_t)a,
                                                   x->dtype, x->rows, x->k, x->ld, x->batch,
                                                   x->stride, x->box_cols, x->box_rows);
        r->calls++;
        if (after.hits > before.hits) {
            r->hits++;
            if (made != 0)
                r->hit_driver_calls++;
        }
        if (s1 != s2) {
            r->status_mismatches++;
            if (!r->first[0])
                snprintf(r->first, sizeof r->first, "call %d (shape %d): status %d, driver %d", i,
                         j, (int)s1, (int)s2);
        } else if (s1 == TG_SUCCESS && memcmp(&got, &want, sizeof got)) {
            r->mismatches++;
            if (!r->first[0]) {
                const unsigned char *g = (const unsigned char *)&got, *w = (const unsigned char *)&want;
                int at = 0;
                while (g[at] == w[at])
                    at++;
                snprintf(r->first, sizeof r->first,
                         "call %d (shape %d: rows %" PRId64 " k %" PRId64 " ld %" PRId64
                         " batch %" PRId64 " box %d; address 0x%" PRIx64
                         "): first differing byte %d (cache 0x%02x, driver 0x%02x)",
                         i, j, x->rows, x->k, x->ld, x->batch, x->box_rows, a, at, g[at], w[at]);
            }
        } else if (s1 != TG_SUCCESS) {
            r->refused++;
        }
    }
    tg_tmap_get_stats(&r->stats);
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
        tg_tmap_matrix(&m, "a", 0, (void *)(uintptr_t)random_address(&s), TG_DTYPE_BF16, n, n, n,
                       1, 0, 64, 128);
    const double hit = (now_ns() - t0) / N;
    tg_tmap_get_stats(&after);
    CHECK(after.hits - before.hits == N, "the timed calls hit: %lld of %d (%lld misses, %lld "
          "unpatchable)", after.hits - before.hits, N, after.misses, after.unpatchable);
    t0 = now_ns();
    for (int i = 0; i < N / 10; i++)
        tg_tmap_matrix_encode(&m, "a", 0, (void *)(uintptr_t)random_address(&s), TG_DTYPE_BF16, n,
                              n, n, 1, 0, 64, 128);
    const double full = (now_ns() - t0) / (N / 10);
    printf("time per map (information): cached hit %.1f ns, cuTensorMapEncodeTiled %.1f ns\n", hit,
           full);
}

int main(int argc, char **argv)
{
    uint64_t seed = (uint64_t)time(NULL) * 2654435761u ^ (uint64_t)clock();
    if (argc == 3 && !strcmp(argv[1], "--seed"))
        seed = strtoull(argv[2], NULL, 10);
    else if (argc != 1) {
        fprintf(stderr, "usage: test_tmap_gpu [--seed S]\n");
        return 2;
    }
    if (!seed)
        seed = 1;
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
        shapes[i] = random_shape(&s);
    refused_shapes(shapes, 2);

    run runs[THREADS];
    pthread_t tid[THREADS];
    memset(runs, 0, sizeof runs);
    for (int t = 0; t < THREADS; t++) {
        runs[t].seed = seed + 1000003ull * (uint64_t)(t + 1);
        runs[t].shapes = shapes;
        CHECK(pthread_create(&tid[t], NULL, run_calls, &runs[t]) == 0, "thread %d starts", t);
    }
    for (int t = 0; t < THREADS; t++)
        pthread_join(tid[t], NULL);

    long long hits = 0, misses = 0, unpatchable = 0;
    for (int t = 0; t < THREADS; t++) {
        const run *r = &runs[t];
        CHECK(!r->setup[0], "thread %d: %s", t, r->setup);
        CHECK(r->calls == CALLS, "thread %d: %lld calls", t, r->calls);
        CHECK(r->mismatches == 0, "thread %d: %lld maps differ from the driver's; first: %s", t,
              r->mismatches, r->first);
        CHECK(r->status_mismatches == 0, "thread %d: %lld statuses differ from the driver's; "
              "first: %s", t, r->status_mismatches, r->first);
        CHECK(r->hit_driver_calls == 0, "thread %d: %lld of %lld hits called the driver", t,
              r->hit_driver_calls, r->hits);
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
