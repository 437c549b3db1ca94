/*
 * test_pointers_gpu — the pointer checks on the GPU (src/core/device.c):
 * which memory is accepted, which refused with its name, and which answers
 * come from the per-thread table instead of the driver.
 *
 *   - cudaMalloc'd A, B, C: the driver is asked once per allocation, then
 *     pointers anywhere inside are answered by the table (no driver query);
 *   - pageable host memory: refused, naming the argument, on every call;
 *   - registered host memory: accepted while registered, refused after
 *     cudaHostUnregister (never in the table: its kind can change);
 *   - managed memory and memory from a pool (cudaMallocAsync): accepted,
 *     asked every time (never in the table);
 *   - another thread: the driver's answers until a context is current
 *     there, then a table of its own;
 *   - a device reset: the new context's ID differs, so the old context's
 *     ranges no longer answer (asked again), whatever addresses come back;
 *   - and tg_gemm on table-answered pointers computes C (one small GEMM
 *     against the CPU).
 *
 * Exit 77 without a Hopper GPU.
 */
#include <cuda_runtime.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/core.h"
#include "harness.h"

enum { DIM = 64 };

static tg_gemm_args args_of(const void *a, const void *b, void *c)
{
    tg_gemm_args g = tg_gemm_args_default();
    g.a = a;
    g.b = b;
    g.c = c;
    g.m = g.n = g.k = g.lda = g.ldb = g.ldc = DIM;
    return g;
}

static tg_pointer_stats stats_now(void)
{
    tg_pointer_stats s;
    tg_pointer_get_stats(&s);
    return s;
}

/* The check of (a, b, c): its status, and the driver queries and table hits it made. */
static tg_status checked(const void *a, const void *b, void *c, long long *queries, long long *hits)
{
    const tg_pointer_stats before = stats_now();
    const tg_gemm_args g = args_of(a, b, c);
    const tg_status s = tg_gemm_check_pointers(&g);
    const tg_pointer_stats after = stats_now();
    *queries = after.driver_queries - before.driver_queries;
    *hits = after.table_hits - before.table_hits;
    return s;
}

static int names(const char *what) { return strstr(tg_last_error(), what) != NULL; }

/*
 * A new thread has no current context until its first CUDA work (the
 * runtime binds one then): its checks are the driver's every time, and
 * right. After that, a table of its own.
 */
static void *other_thread(void *arg)
{
    void **abc = arg;
    long long q, h;
    for (int round = 0; round < 2; round++) {
        const tg_status s = checked(abc[0], abc[1], abc[2], &q, &h);
        CHECK(s == TG_SUCCESS && q == 3 && h == 0,
              "a thread with no current context asks the driver (round %d): %s, %lld queries, "
              "%lld hits",
              round, tg_status_string(s), q, h);
    }
    TH_CUDA(cudaFree(0)); /* its first CUDA work: the context is current now */
    tg_status s = checked(abc[0], abc[1], abc[2], &q, &h);
    CHECK(s == TG_SUCCESS && q == 3 && h == 0,
          "then it asks the driver for its own table: %s, %lld queries, %lld hits",
          tg_status_string(s), q, h);
    s = checked((char *)abc[0] + 256, abc[1], abc[2], &q, &h);
    CHECK(s == TG_SUCCESS && q == 0 && h == 3, "then its table answers: %lld queries, %lld hits",
          q, h);
    return NULL;
}

/* tg_gemm, and the pointer checks it made (th_check_gemm's GEMM). */
static int gemm_counted(void *ctx, const tg_gemm_args *g, FILE *log)
{
    tg_pointer_stats *made = ctx, before, after;
    tg_pointer_get_stats(&before);
    const tg_status s = tg_gemm(g, NULL, NULL);
    tg_pointer_get_stats(&after);
    made->table_hits = after.table_hits - before.table_hits;
    made->driver_queries = after.driver_queries - before.driver_queries;
    if (s != TG_SUCCESS)
        fprintf(log, "tg_gemm: %s (%s)\n", tg_status_string(s), tg_last_error());
    return s != TG_SUCCESS;
}

/* One small GEMM through tg_gemm on pointers the table answers for, against the CPU. */
static void gemm_on_table(void)
{
    th_rng rng = th_rng_new(th_fresh_seed());
    const th_shape shape = {.m = DIM, .n = DIM, .k = DIM, .dtype = TG_DTYPE_F32};
    th_problem p = th_problem_make(shape, &rng);
    TH_TG(tg_gemm(&p.g, NULL, NULL)); /* the first call fills the table */
    tg_pointer_stats made = {0, 0};
    const th_check c = th_check_gemm(gemm_counted, &made, &p, NULL, stdout);
    CHECK(c.pass && c.stray == 0, "C on table-answered pointers: %lld of %lld bad, %lld stray, "
          "rel_fro %.2e (against %s)",
          (long long)c.bad, (long long)c.checked, (long long)c.stray, c.rel_fro, c.against);
    CHECK(made.driver_queries == 0 && made.table_hits == 3,
          "the checked call's pointers came from the table (%lld queries, %lld hits)",
          made.driver_queries, made.table_hits);
    th_problem_free(&p);
}

int main(void)
{
    const tg_status dc = tg_device_check();
    if (dc != TG_SUCCESS) {
        printf("%s: %s\nskipped\n", tg_status_string(dc), tg_last_error());
        return 77;
    }
    TH_CUDA(cudaFree(0)); /* a current context */
    void *a, *b, *c;
    TH_CUDA(cudaMalloc(&a, 1 << 20));
    TH_CUDA(cudaMalloc(&b, 1 << 20));
    TH_CUDA(cudaMalloc(&c, 1 << 20));
    tg_pointer_clear();
    long long q, h;

    /* Device memory: asked once per allocation, then the table. */
    tg_status s = checked(a, b, c, &q, &h);
    CHECK(s == TG_SUCCESS && q == 3 && h == 0, "first call asks the driver: %s, %lld, %lld",
          tg_status_string(s), q, h);
    s = checked((char *)a + 4096, (char *)b + 16, (char *)c + (1 << 20) - 16, &q, &h);
    CHECK(s == TG_SUCCESS && q == 0 && h == 3,
          "pointers inside the same allocations: the table (%lld queries, %lld hits)", q, h);

    /* Pageable host memory: refused every time, by name. */
    void *host = malloc(1 << 20);
    memset(host, 0, 1 << 20);
    for (int round = 0; round < 2; round++) {
        s = checked(a, host, c, &q, &h);
        CHECK(s == TG_ERR_INVALID_ARGUMENT && names("b (") && names("is host memory") && q == 1,
              "pageable B refused (round %d): %s: %s; %lld queries", round, tg_status_string(s),
              tg_last_error(), q);
    }

    /* Registered host memory: accepted while registered, never in the table. */
    TH_CUDA(cudaHostRegister(host, 1 << 20, cudaHostRegisterMapped));
    for (int round = 0; round < 2; round++) {
        s = checked(host, b, c, &q, &h);
        CHECK(s == TG_SUCCESS && q == 1 && h == 2,
              "registered A accepted and asked again (round %d): %s, %lld queries, %lld hits",
              round, tg_status_string(s), q, h);
    }
    TH_CUDA(cudaHostUnregister(host));
    s = checked(host, b, c, &q, &h);
    CHECK(s == TG_ERR_INVALID_ARGUMENT && names("a (") && names("is host memory"),
          "unregistered A refused: %s: %s", tg_status_string(s), tg_last_error());

    /* Managed memory and pool memory: accepted, never in the table. */
    void *managed, *pooled;
    TH_CUDA(cudaMallocManaged(&managed, 1 << 20, cudaMemAttachGlobal));
    TH_CUDA(cudaMallocAsync(&pooled, 1 << 20, 0));
    TH_CUDA(cudaStreamSynchronize(0));
    for (int round = 0; round < 2; round++) {
        s = checked(managed, pooled, c, &q, &h);
        CHECK(s == TG_SUCCESS && q == 2 && h == 1,
              "managed A and pool B accepted and asked again (round %d): %s, %lld, %lld", round,
              tg_status_string(s), q, h);
    }
    TH_CUDA(cudaFree(managed));
    TH_CUDA(cudaFreeAsync(pooled, 0));
    TH_CUDA(cudaStreamSynchronize(0));

    /* Another thread: a table of its own. */
    void *abc[3] = {a, b, c};
    pthread_t t;
    CHECK(pthread_create(&t, NULL, other_thread, abc) == 0, "thread");
    pthread_join(t, NULL);

    gemm_on_table();

    /* A device reset: a new context, a new ID; the old ranges no longer answer. */
    int dev = 0;
    uint64_t before = 0, after = 0;
    CHECK(tg_current_context(&dev, &before) == TG_SUCCESS && before != 0, "a context ID (%llu)",
          (unsigned long long)before);
    TH_CUDA(cudaDeviceReset());
    TH_CUDA(cudaFree(0));
    CHECK(tg_current_context(&dev, &after) == TG_SUCCESS && after != 0 && after != before,
          "a new context ID after the reset (%llu, was %llu)", (unsigned long long)after,
          (unsigned long long)before);
    TH_CUDA(cudaMalloc(&a, 1 << 20));
    TH_CUDA(cudaMalloc(&b, 1 << 20));
    TH_CUDA(cudaMalloc(&c, 1 << 20));
    s = checked(a, b, c, &q, &h);
    CHECK(s == TG_SUCCESS && q == 3 && h == 0,
          "after the reset the driver is asked again: %s, %lld queries, %lld hits",
          tg_status_string(s), q, h);
    s = checked(host, b, c, &q, &h);
    CHECK(s == TG_ERR_INVALID_ARGUMENT && names("is host memory"), "host memory still refused: %s",
          tg_last_error());
    TH_CUDA(cudaFree(a));
    TH_CUDA(cudaFree(b));
    TH_CUDA(cudaFree(c));
    free(host);
    return check_summary();
}
