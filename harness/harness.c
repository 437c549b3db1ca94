/* harness.c — see harness.h. */
#include "harness.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void th_trap_note(void)
{
    char why[512];
    if (tg_trap_report(why, sizeof why))
        fprintf(stderr, "tilegemm: %s\n", why);
}

/* ---- bf16 ---------------------------------------------------------------- */

uint16_t th_f32_to_bf16(float x)
{
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    if ((u & 0x7fffffffu) > 0x7f800000u)
        return (uint16_t)(u >> 16 | 0x40); /* quiet NaN */
    u += 0x7fffu + (u >> 16 & 1);         /* round to nearest even */
    return (uint16_t)(u >> 16);
}

float th_bf16_to_f32(uint16_t x)
{
    uint32_t u = (uint32_t)x << 16;
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* ---- random inputs ------------------------------------------------------- */

th_rng th_rng_new(uint64_t seed)
{
    th_rng r = {seed ^ 0x9E3779B97F4A7C15ULL};
    th_rng_next(&r);
    return r;
}

/* splitmix64 */
uint64_t th_rng_next(th_rng *r)
{
    uint64_t z = (r->state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

float th_rng_uniform(th_rng *r, float lo, float hi)
{
    return lo + (hi - lo) * (float)((th_rng_next(r) >> 40) * (1.0 / 16777216.0));
}

uint64_t th_fresh_seed(void)
{
    struct timespec ts;
    timespec_get(&ts, TIME_UTC);
    return (uint64_t)ts.tv_sec * 1000000007ULL ^ (uint64_t)ts.tv_nsec;
}

void th_fill_bf16(uint16_t *x, int64_t rows, int64_t cols, int64_t ld, th_rng *r)
{
    for (int64_t i = 0; i < rows; i++) {
        for (int64_t j = 0; j < cols; j++)
            x[i * ld + j] = th_f32_to_bf16(th_rng_uniform(r, -1.0f, 1.0f));
        for (int64_t j = cols; j < ld; j++)
            x[i * ld + j] = 0x7fc1; /* NaN in padding: a kernel that reads it fails */
    }
}

/* ---- reference ----------------------------------------------------------- */

void th_reference(const uint16_t *a, int64_t lda, const uint16_t *b, int64_t ldb, int64_t n,
                  int64_t k, int64_t row0, int64_t rows, double *ref, double *absdot, int64_t ldr)
{
#if defined(_OPENMP)
#pragma omp parallel for schedule(dynamic, 1)
#endif
    for (int64_t i = 0; i < rows; i++) {
        double *arow = malloc(sizeof(double) * (size_t)k);
        if (!arow) {
            fprintf(stderr, "th_reference: out of memory\n");
            exit(1);
        }
        for (int64_t x = 0; x < k; x++)
            arow[x] = th_bf16_to_f32(a[(row0 + i) * lda + x]);
        for (int64_t j = 0; j < n; j++) {
            const uint16_t *brow = b + j * ldb;
            double s = 0, sa = 0;
            for (int64_t x = 0; x < k; x++) {
                double p = arow[x] * th_bf16_to_f32(brow[x]);
                s += p;
                sa += fabs(p);
            }
            ref[i * ldr + j] = s;
            absdot[i * ldr + j] = sa;
        }
        free(arow);
    }
}

/* ---- comparison ---------------------------------------------------------- */

th_tol th_tolerance(tg_dtype out, int64_t k)
{
    /* A rigorous bound for fp32 accumulation: one error of at most 2^-22
     * (allowing truncated rather than rounded adds) per accumulation step —
     * K/16 mma steps plus the 16 products inside one — times Σ|a·b|. */
    th_tol t;
    t.atol = ((double)k / 16.0 + 32.0) * ldexp(1.0, -22);
    t.rtol = out == TG_DTYPE_BF16 ? ldexp(1.0, -8) * 1.01 : 0.0;
    t.fro = out == TG_DTYPE_BF16 ? 5e-3 : 1e-4;
    return t;
}

void th_cmp_init(th_cmp *c) { memset(c, 0, sizeof *c); }

static double load_out(const void *out, tg_dtype dtype, int64_t at)
{
    return dtype == TG_DTYPE_F32 ? ((const float *)out)[at]
                                 : th_bf16_to_f32(((const uint16_t *)out)[at]);
}

static void cmp_element(th_cmp *c, double got, double ref, double absdot, int64_t i, int64_t j,
                        th_tol tol, FILE *log, int max_print)
{
    c->checked++;
    double err = fabs(got - ref);
    double bound = tol.atol * absdot + tol.rtol * fabs(ref);
    if (isnan(got))
        c->nan++;
    c->fro_err += isnan(got) ? INFINITY : err * err;
    c->fro_ref += ref * ref;
    if (!isnan(got) && err > c->max_abs_err)
        c->max_abs_err = err;
    double ratio = bound > 0 ? err / bound : err > 0 ? INFINITY : 0;
    if (!isnan(got) && ratio > c->max_ratio)
        c->max_ratio = ratio;
    if (isnan(got) || err > bound) {
        if (log && c->bad < max_print)
            fprintf(log, "    mismatch C(%lld,%lld): got %.9g, reference %.9g, |err| %.3g > bound %.3g\n",
                    (long long)i, (long long)j, got, ref, err, bound);
        c->bad++;
    }
}

void th_compare(th_cmp *c, const void *out, tg_dtype dtype, int64_t ldc, int64_t row0,
                int64_t rows, int64_t n, const double *ref, const double *absdot, int64_t ldr,
                th_tol tol, FILE *log, int max_print)
{
    for (int64_t i = 0; i < rows; i++)
        for (int64_t j = 0; j < n; j++)
            cmp_element(c, load_out(out, dtype, (row0 + i) * ldc + j), ref[i * ldr + j],
                        absdot[i * ldr + j], row0 + i, j, tol, log, max_print);
}

void th_compare_result(th_cmp *c, const void *out, tg_dtype dtype, const float *other,
                       const float *absdot_est, int64_t m, int64_t n, int64_t ldc, th_tol tol,
                       FILE *log, int max_print)
{
    /* Both results carry fp32 accumulation error: twice the bound. */
    th_tol t2 = {2 * tol.atol, tol.rtol, 2 * tol.fro};
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++)
            cmp_element(c, load_out(out, dtype, i * ldc + j), other[i * n + j],
                        absdot_est[i * n + j], i, j, t2, log, max_print);
}

double th_cmp_rel_fro(const th_cmp *c)
{
    return c->fro_ref > 0 ? sqrt(c->fro_err / c->fro_ref) : sqrt(c->fro_err);
}

int th_cmp_pass(const th_cmp *c, th_tol tol)
{
    return c->checked > 0 && c->bad == 0 && c->nan == 0 && th_cmp_rel_fro(c) <= tol.fro;
}

/* ---- device helpers ------------------------------------------------------ */

int th_have_gpu(FILE *log)
{
    tg_status s = tg_device_check();
    if (s != TG_SUCCESS && log)
        fprintf(log, "%s: %s\n", tg_status_string(s), tg_last_error());
    return s == TG_SUCCESS;
}

void th_require_gpu(void)
{
    if (!th_have_gpu(stdout)) {
        printf("SKIP: no sm_90 GPU\n");
        exit(77);
    }
}

uint64_t th_gpu_test_seed(int argc, char **argv, const char *name)
{
    uint64_t seed = th_fresh_seed();
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
            seed = strtoull(argv[++i], NULL, 10);
        } else {
            fprintf(stderr, "usage: %s [--seed S]\n", name);
            exit(2);
        }
    }
    th_require_gpu();
    printf("seed %" PRIu64 "\n", seed);
    return seed;
}

void th_poison(void *d, size_t bytes)
{
    TH_CUDA(cudaMemset(d, 0xff, bytes));
    /* cudaMemset runs on the legacy default stream, which a non-blocking stream does not wait
     * for: done before returning, so that work on any stream comes after it (test_pdl_gpu's
     * first round, on a non-blocking stream, read X1 half-poisoned once the GPU was shared). */
    TH_CUDA(cudaDeviceSynchronize());
}

static int cmp_float(const void *x, const void *y)
{
    float a = *(const float *)x, b = *(const float *)y;
    return (a > b) - (a < b);
}

/*
 * The median of `reps` event-timed calls after `warmup` calls. Without a
 * flush, back-to-back calls with an event between each: per-call times
 * without host gaps (the GPU stays busy, as in a real sequence of GEMMs).
 * With one, a flush before each call and two events around the call alone.
 * batch (no flush): one event before the first call and one after the last,
 * nothing between; their mean.
 */
static double time_calls(th_fn fn, void *ctx, int warmup, int reps, th_flush *f, int batch,
                         cudaStream_t stream)
{
    th_warm(fn, ctx, warmup, 0, stream);
    const int nev = f ? 2 * reps : batch ? 2 : reps + 1;
    cudaEvent_t *ev = malloc(sizeof(cudaEvent_t) * (size_t)nev);
    float *ms = malloc(sizeof(float) * (size_t)reps);
    if (!ev || !ms) {
        fprintf(stderr, "th_time_ms: out of memory\n");
        exit(1);
    }
    for (int i = 0; i < nev; i++)
        TH_CUDA(cudaEventCreate(&ev[i]));
    if (!f)
        TH_CUDA(cudaEventRecord(ev[0], stream));
    for (int i = 0; i < reps; i++) {
        if (f) {
            th_flush_run(f, stream);
            TH_CUDA(cudaEventRecord(ev[2 * i], stream));
        }
        fn(ctx, warmup + i);
        if (!batch)
            TH_CUDA(cudaEventRecord(ev[f ? 2 * i + 1 : i + 1], stream));
    }
    if (batch)
        TH_CUDA(cudaEventRecord(ev[1], stream));
    TH_CUDA(cudaEventSynchronize(ev[nev - 1]));
    double median;
    if (batch) {
        TH_CUDA(cudaEventElapsedTime(&ms[0], ev[0], ev[1]));
        median = ms[0] / reps;
    } else {
        for (int i = 0; i < reps; i++)
            TH_CUDA(f ? cudaEventElapsedTime(&ms[i], ev[2 * i], ev[2 * i + 1])
                      : cudaEventElapsedTime(&ms[i], ev[i], ev[i + 1]));
        qsort(ms, (size_t)reps, sizeof(float), cmp_float);
        median = reps % 2 ? ms[reps / 2] : 0.5 * (ms[reps / 2 - 1] + ms[reps / 2]);
    }
    for (int i = 0; i < nev; i++)
        TH_CUDA(cudaEventDestroy(ev[i]));
    free(ev);
    free(ms);
    return median;
}

void th_warm(th_fn fn, void *ctx, int calls, double min_ms, cudaStream_t stream)
{
    if (calls <= 0 && min_ms <= 0)
        return;
    cudaEvent_t start, now;
    TH_CUDA(cudaEventCreate(&start));
    TH_CUDA(cudaEventCreate(&now));
    TH_CUDA(cudaEventRecord(start, stream));
    int done = 0;
    for (int batch = calls > 0 ? calls : 1;; batch = done) {
        for (int i = 0; i < batch; i++)
            fn(ctx, done++);
        TH_CUDA(cudaEventRecord(now, stream));
        TH_CUDA(cudaEventSynchronize(now));
        float ms = 0;
        TH_CUDA(cudaEventElapsedTime(&ms, start, now));
        if ((done >= calls && ms >= min_ms) || done >= (1 << 20))
            break;
    }
    TH_CUDA(cudaEventDestroy(start));
    TH_CUDA(cudaEventDestroy(now));
}

double th_time_ms(th_fn fn, void *ctx, int warmup, int reps, cudaStream_t stream)
{
    return time_calls(fn, ctx, warmup, reps, NULL, 0, stream);
}

double th_time_batch_ms(th_fn fn, void *ctx, int warmup, int reps, cudaStream_t stream)
{
    return time_calls(fn, ctx, warmup, reps, NULL, 1, stream);
}

double th_time_flushed_ms(th_fn fn, void *ctx, int warmup, int reps, th_flush *f,
                          cudaStream_t stream)
{
    return time_calls(fn, ctx, warmup, reps, f, 0, stream);
}

/* ---- cold caches and the streaming-read limit ------------------------------ */

/* An attribute of the current device. */
static int device_attribute(enum cudaDeviceAttr what)
{
    int dev = 0, value = 0;
    TH_CUDA(cudaGetDevice(&dev));
    TH_CUDA(cudaDeviceGetAttribute(&value, what, dev));
    return value;
}

th_flush th_flush_make(int clean)
{
    th_flush f;
    memset(&f, 0, sizeof f);
    size_t bytes = 2 * (size_t)device_attribute(cudaDevAttrL2CacheSize);
    if (bytes < ((size_t)1 << 20))
        bytes = (size_t)1 << 20; /* an attribute of 0 (unknown) still gets a real flush */
    f.data = th_reader_make(bytes);
    f.clean = clean;
    return f;
}

void th_flush_run(th_flush *f, cudaStream_t stream)
{
    /* A new value each time: every byte is written again, never a no-op. */
    TH_CUDA(cudaMemsetAsync(f->data.buf, f->writes++ & 0xff, f->data.bytes, stream));
    /* The first read evicts (writes back) the dirty lines; the second leaves only clean ones. */
    for (int pass = 0; f->clean && pass < 2; pass++)
        th_reader_run(&f->data, stream);
}

void th_flush_free(th_flush *f)
{
    th_reader_free(&f->data);
    memset(f, 0, sizeof *f);
}

th_reader th_reader_make(size_t bytes)
{
    th_reader r;
    memset(&r, 0, sizeof r);
    r.bytes = bytes;
    TH_CUDA(cudaMalloc(&r.buf, bytes ? bytes : 1));
    TH_CUDA(cudaMemset(r.buf, 0x5a, bytes));
    TH_CUDA(cudaMalloc((void **)&r.sink, sizeof *r.sink));
    TH_CUDA(cudaMemset(r.sink, 0, sizeof *r.sink));
    /* Every SM full of threads, unless the data runs out first. */
    const size_t full = (size_t)device_attribute(cudaDevAttrMultiProcessorCount) *
                        (size_t)(device_attribute(cudaDevAttrMaxThreadsPerMultiProcessor) /
                                 TH_READ_THREADS);
    const size_t per_block = (size_t)TH_READ_THREADS * TH_READ_UNROLL * 16;
    const size_t needed = (bytes + per_block - 1) / per_block;
    r.blocks = (int)(needed < 1 ? 1 : needed < full ? needed : full);
    return r;
}

void th_reader_run(const th_reader *r, cudaStream_t stream)
{
    TH_CUDA(th_stream_read_launch(r->buf, r->bytes, r->blocks, r->sink, stream));
}

void th_reader_free(th_reader *r)
{
    TH_CUDA(cudaFree(r->buf));
    TH_CUDA(cudaFree(r->sink));
    memset(r, 0, sizeof *r);
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

void th_sort(double *v, size_t n) { qsort(v, n, sizeof *v, cmp_double); }

double th_tflops(int64_t m, int64_t n, int64_t k, double ms)
{
    return 2.0 * (double)m * (double)n * (double)k / (ms * 1e-3) / 1e12;
}

/* ---- a checked problem on the device ------------------------------------- */

static void *xmalloc(size_t bytes)
{
    void *p = malloc(bytes ? bytes : 1);
    if (!p) {
        fprintf(stderr, "harness: out of host memory (%zu bytes)\n", bytes);
        exit(1);
    }
    return p;
}

tg_gemm_args th_shape_args(th_shape s)
{
    tg_gemm_args g = tg_gemm_args_default();
    g.m = s.m;
    g.n = s.n;
    g.k = s.k;
    g.lda = s.lda ? s.lda : s.k > 0 ? s.k : 1;
    g.ldb = s.ldb ? s.ldb : s.k > 0 ? s.k : 1;
    g.ldc = s.ldc ? s.ldc : s.n > 0 ? s.n : 1;
    g.c_dtype = s.dtype;
    g.batch = s.batch > 1 ? s.batch : 1;
    /* Packed batch items; a product that overflows is left for the checks to name. */
    if (__builtin_mul_overflow(g.m, g.lda, &g.stride_a) ||
        __builtin_mul_overflow(g.n, g.ldb, &g.stride_b) ||
        __builtin_mul_overflow(g.m, g.ldc, &g.stride_c))
        g.stride_a = g.stride_b = g.stride_c = -1;
    if (s.scaled) {
        g.alpha = s.alpha;
        g.beta = s.beta;
    }
    /* Placeholder addresses, aligned (or one element off, for misalign) and
     * 1 TiB apart, so they pass the pointer and overlap checks. */
    const uintptr_t shift = s.misalign ? 1 : 0;
    g.a = (const void *)(((uintptr_t)1 << 40) + 2 * shift);
    g.b = (const void *)(((uintptr_t)2 << 40) + 2 * shift);
    g.c = (void *)(((uintptr_t)3 << 40) + tg_dtype_size(s.dtype) * shift);
    return g;
}

th_problem th_problem_make(th_shape s, th_rng *rng)
{
    th_problem p;
    memset(&p, 0, sizeof p);
    tg_gemm_args *g = &p.g;
    *g = th_shape_args(s);
    TH_TG(tg_gemm_check_args(g)); /* sizes first, before allocating */
    p.a_elems = (size_t)(g->batch * g->stride_a);
    p.b_elems = (size_t)(g->batch * g->stride_b);
    p.c_elems = (size_t)(g->batch * g->stride_c);
    size_t cs = tg_dtype_size(s.dtype);
    size_t shift = s.misalign ? 1 : 0;
    p.c_mem_bytes = p.c_elems * cs + 16;
    /* A problem that cannot fit is refused before anything is allocated. */
    size_t free_bytes = 0, total_bytes = 0;
    TH_CUDA(cudaMemGetInfo(&free_bytes, &total_bytes));
    const double need = (double)p.a_elems * 2 + (double)p.b_elems * 2 + (double)p.c_mem_bytes;
    if (need > 0.9 * (double)free_bytes) {
        fprintf(stderr, "harness: M=%lld N=%lld K=%lld batch=%lld needs %.1f GB of device memory; "
                        "%.1f GB are free\n",
                (long long)g->m, (long long)g->n, (long long)g->k, (long long)g->batch, need / 1e9,
                (double)free_bytes / 1e9);
        exit(1);
    }
    p.ha = xmalloc(p.a_elems * 2);
    p.hb = xmalloc(p.b_elems * 2);
    for (int64_t bi = 0; bi < g->batch; bi++) {
        th_fill_bf16(p.ha + bi * g->stride_a, g->m, g->k, g->lda, rng);
        th_fill_bf16(p.hb + bi * g->stride_b, g->n, g->k, g->ldb, rng);
    }
    TH_CUDA(cudaMalloc(&p.a_mem, p.a_elems * 2 + 16));
    TH_CUDA(cudaMalloc(&p.b_mem, p.b_elems * 2 + 16));
    TH_CUDA(cudaMalloc(&p.c_mem, p.c_mem_bytes));
    g->a = (uint16_t *)p.a_mem + shift;
    g->b = (uint16_t *)p.b_mem + shift;
    g->c = (char *)p.c_mem + shift * cs;
    TH_CUDA(cudaMemcpy((void *)g->a, p.ha, p.a_elems * 2, cudaMemcpyHostToDevice));
    TH_CUDA(cudaMemcpy((void *)g->b, p.hb, p.b_elems * 2, cudaMemcpyHostToDevice));
    /*
     * The workspace a caller would pass: the most that the library's choice or
     * any compiled configuration asks for (tg_gemm_workspace_size), poisoned
     * (NaN bytes) so that a kernel reading what it never wrote shows.
     */
    size_t ws = 0, one = 0;
    if (tg_gemm_workspace_size(g, NULL, &one) == TG_SUCCESS)
        ws = one;
    for (int i = 0; i < tg_config_count(); i++) {
        tg_config cfg;
        if (tg_config_get(i, &cfg) == TG_SUCCESS && tg_gemm_workspace_size(g, &cfg, &one) == TG_SUCCESS &&
            one > ws)
            ws = one;
    }
    if (ws) {
        TH_CUDA(cudaMalloc(&p.ws_mem, ws));
        TH_CUDA(cudaMemset(p.ws_mem, 0xff, ws));
        g->workspace = p.ws_mem;
        g->workspace_size = ws;
    }
    /* C's buffer before every run: NaN bytes, and random values in C's window when beta != 0. */
    p.hc = xmalloc(p.c_mem_bytes);
    memset(p.hc, 0xff, p.c_mem_bytes);
    if (g->beta != 0.0f) {
        unsigned char *c = p.hc + shift * cs;
        for (int64_t bi = 0; bi < g->batch; bi++)
            for (int64_t i = 0; i < g->m; i++)
                for (int64_t j = 0; j < g->n; j++) {
                    int64_t at = bi * g->stride_c + i * g->ldc + j;
                    float v = th_rng_uniform(rng, -1.0f, 1.0f);
                    if (s.dtype == TG_DTYPE_F32)
                        memcpy(c + at * 4, &v, 4);
                    else {
                        uint16_t h = th_f32_to_bf16(v);
                        memcpy(c + at * 2, &h, 2);
                    }
                }
    }
    return p;
}

void th_problem_free(th_problem *p)
{
    free(p->ha);
    free(p->hb);
    free(p->hc);
    TH_CUDA(cudaFree(p->a_mem));
    TH_CUDA(cudaFree(p->b_mem));
    TH_CUDA(cudaFree(p->c_mem));
    if (p->ws_mem)
        TH_CUDA(cudaFree(p->ws_mem));
    memset(p, 0, sizeof *p);
}

size_t th_problem_c_bytes(const th_problem *p) { return p->c_elems * tg_dtype_size(p->g.c_dtype); }

/* C before the run (beta != 0 only), as a double: element `at` of C's window. */
static double c_before(const th_problem *p, int64_t at)
{
    const unsigned char *c = p->hc + ((const char *)p->g.c - (const char *)p->c_mem);
    return load_out(c, p->g.c_dtype, at);
}

/*
 * ref, absdot (rows × N, stride ldr) of batch item bi, first row row0:
 * alpha·ref + beta·C_before, |alpha|·absdot + |beta·C_before|.
 */
static void apply_alpha_beta(const th_problem *p, int64_t bi, int64_t row0, int64_t rows,
                             double *ref, double *absdot, int64_t ldr)
{
    const tg_gemm_args *g = &p->g;
    for (int64_t i = 0; i < rows; i++)
        for (int64_t j = 0; j < g->n; j++) {
            double c0 = g->beta != 0.0f
                            ? (double)g->beta * c_before(p, bi * g->stride_c + (row0 + i) * g->ldc + j)
                            : 0.0;
            ref[i * ldr + j] = g->alpha * ref[i * ldr + j] + c0;
            absdot[i * ldr + j] = fabs(g->alpha) * absdot[i * ldr + j] + fabs(c0);
        }
}

/* CPU reference rows (all N columns) of batch item bi, compared with hc. */
static void compare_rows_cpu(th_cmp *c, const th_problem *p, const void *hc, int64_t bi,
                             const int64_t *rows, int64_t nrows, th_tol tol, FILE *log)
{
    const tg_gemm_args *g = &p->g;
    enum { CHUNK = 64 };
    double *ref = xmalloc(sizeof(double) * (size_t)(g->n * CHUNK));
    double *abs = xmalloc(sizeof(double) * (size_t)(g->n * CHUNK));
    const char *cb = (const char *)hc + (size_t)(bi * g->stride_c) * tg_dtype_size(g->c_dtype);
    for (int64_t r0 = 0; r0 < nrows; r0 += CHUNK) {
        int64_t cnt = nrows - r0 < CHUNK ? nrows - r0 : CHUNK;
        /* Consecutive rows go to th_reference together (it parallelizes over rows). */
        int contiguous = rows[r0 + cnt - 1] - rows[r0] == cnt - 1;
        for (int64_t r = r0; r < r0 + cnt; r += contiguous ? cnt : 1) {
            int64_t n_rows = contiguous ? cnt : 1;
            th_reference(p->ha + bi * g->stride_a, g->lda, p->hb + bi * g->stride_b, g->ldb,
                         g->n, g->k, rows[r], n_rows, ref, abs, g->n);
            apply_alpha_beta(p, bi, rows[r], n_rows, ref, abs, g->n);
            th_compare(c, cb, g->c_dtype, g->ldc, rows[r], n_rows, g->n, ref, abs, g->n, tol,
                       log, 5);
        }
    }
    free(ref);
    free(abs);
}

/*
 * cuBLAS on the same device inputs with the same alpha and beta (fp32 out,
 * starting from C before the run), and with |alpha|, |beta| on |A|, |B|,
 * |C before| for the error scale.
 */
static void compare_cublas(th_cmp *c, const th_problem *p, const void *hc, int64_t bi,
                           cublasHandle_t h, th_tol tol, FILE *log)
{
    const tg_gemm_args *g = &p->g;
    size_t mn = (size_t)(g->m * g->n);
    size_t ae = (size_t)(g->m * g->lda), be = (size_t)(g->n * g->ldb);
    float *d_ref, *d_abs;
    uint16_t *d_absa, *d_absb;
    TH_CUDA(cudaMalloc((void **)&d_ref, sizeof(float) * mn));
    TH_CUDA(cudaMalloc((void **)&d_abs, sizeof(float) * mn));
    TH_CUDA(cudaMalloc((void **)&d_absa, ae * 2));
    TH_CUDA(cudaMalloc((void **)&d_absb, be * 2));
    float *h_ref = xmalloc(sizeof(float) * mn);
    float *h_abs = xmalloc(sizeof(float) * mn);
    uint16_t *tmp = xmalloc((ae > be ? ae : be) * 2);
    const uint16_t *ha = p->ha + bi * g->stride_a, *hb = p->hb + bi * g->stride_b;
    for (size_t x = 0; x < ae; x++)
        tmp[x] = ha[x] & 0x7fff; /* |a|: clear the sign bit (padding NaNs stay NaN) */
    TH_CUDA(cudaMemcpy(d_absa, tmp, ae * 2, cudaMemcpyHostToDevice));
    for (size_t x = 0; x < be; x++)
        tmp[x] = hb[x] & 0x7fff;
    TH_CUDA(cudaMemcpy(d_absb, tmp, be * 2, cudaMemcpyHostToDevice));
    if (g->beta != 0.0f) {
        for (int64_t i = 0; i < g->m; i++)
            for (int64_t j = 0; j < g->n; j++) {
                double v = c_before(p, bi * g->stride_c + i * g->ldc + j);
                h_ref[i * g->n + j] = (float)v;
                h_abs[i * g->n + j] = (float)fabs(v);
            }
        TH_CUDA(cudaMemcpy(d_ref, h_ref, sizeof(float) * mn, cudaMemcpyHostToDevice));
        TH_CUDA(cudaMemcpy(d_abs, h_abs, sizeof(float) * mn, cudaMemcpyHostToDevice));
    }
    tg_gemm_args r = *g;
    r.a = (const uint16_t *)g->a + bi * g->stride_a;
    r.b = (const uint16_t *)g->b + bi * g->stride_b;
    r.c = d_ref;
    r.ldc = g->n;
    r.c_dtype = TG_DTYPE_F32;
    r.batch = 1;
    TH_CUBLAS(baseline_cublas_gemm(h, &r, NULL));
    r.a = d_absa;
    r.b = d_absb;
    r.c = d_abs;
    r.alpha = fabsf(g->alpha);
    r.beta = fabsf(g->beta);
    TH_CUBLAS(baseline_cublas_gemm(h, &r, NULL));
    TH_CUDA(cudaDeviceSynchronize());
    TH_CUDA(cudaMemcpy(h_ref, d_ref, sizeof(float) * mn, cudaMemcpyDeviceToHost));
    TH_CUDA(cudaMemcpy(h_abs, d_abs, sizeof(float) * mn, cudaMemcpyDeviceToHost));
    th_compare_result(c, (const char *)hc + (size_t)(bi * g->stride_c) * tg_dtype_size(g->c_dtype),
                      g->c_dtype, h_ref, h_abs, g->m, g->n, g->ldc, tol, log, 5);
    free(h_ref);
    free(h_abs);
    free(tmp);
    TH_CUDA(cudaFree(d_ref));
    TH_CUDA(cudaFree(d_abs));
    TH_CUDA(cudaFree(d_absa));
    TH_CUDA(cudaFree(d_absb));
}

/* Bytes in [from, to) of C's buffer that differ from before the run. */
static int64_t changed(const th_problem *p, const unsigned char *after, int64_t from, int64_t to,
                       int64_t *shown, FILE *log)
{
    int64_t n = 0;
    if (to <= from || !memcmp(after + from, p->hc + from, (size_t)(to - from)))
        return 0;
    for (int64_t x = from; x < to; x++)
        if (after[x] != p->hc[x]) {
            if (log && (*shown)++ < 3)
                fprintf(log, "    stray write: byte %lld of C's buffer, outside C, changed\n",
                        (long long)x);
            n++;
        }
    return n;
}

/* Bytes of C's buffer outside its window (rows of n elements) that changed. */
static int64_t stray_bytes(const th_problem *p, const unsigned char *after, FILE *log)
{
    const tg_gemm_args *g = &p->g;
    const int64_t cs = (int64_t)tg_dtype_size(g->c_dtype);
    const int64_t first = (int64_t)((const char *)g->c - (const char *)p->c_mem);
    int64_t pos = 0, stray = 0, shown = 0; /* bytes before pos are checked */
    for (int64_t bi = 0; g->m > 0 && g->n > 0 && bi < g->batch; bi++)
        for (int64_t i = 0; i < g->m; i++) {
            int64_t row = first + (bi * g->stride_c + i * g->ldc) * cs;
            stray += changed(p, after, pos, row, &shown, log);
            pos = row + g->n * cs;
        }
    return stray + changed(p, after, pos, (int64_t)p->c_mem_bytes, &shown, log);
}

/* th_check_config's GEMM: tg_gemm with the configuration ctx (NULL: the library's choice). */
static int run_tg_gemm(void *ctx, const tg_gemm_args *g, FILE *log)
{
    const tg_config *cfg = ctx;
    tg_status s = tg_gemm(g, cfg, NULL);
    if (s != TG_SUCCESS && log)
        fprintf(log, "  %s: tg_gemm failed: %s: %s\n", cfg ? cfg->name : "(library's choice)",
                tg_status_string(s), tg_last_error());
    return s != TG_SUCCESS;
}

th_check th_check_config(const tg_config *cfg, th_problem *p, cublasHandle_t h, FILE *log)
{
    return th_check_gemm(run_tg_gemm, (void *)cfg, p, h, log);
}

th_check th_check_gemm(th_gemm_fn fn, void *ctx, th_problem *p, cublasHandle_t h, FILE *log)
{
    th_check res = {0};
    const tg_gemm_args *g = &p->g;
    th_tol tol = th_tolerance(g->c_dtype, g->k);
    TH_CUDA(cudaMemcpy(p->c_mem, p->hc, p->c_mem_bytes, cudaMemcpyHostToDevice));
    if (fn(ctx, g, log)) {
        res.against = "nothing (launch failed)";
        return res;
    }
    TH_CUDA(cudaGetLastError());
    TH_CUDA(cudaDeviceSynchronize());
    unsigned char *after = xmalloc(p->c_mem_bytes);
    TH_CUDA(cudaMemcpy(after, p->c_mem, p->c_mem_bytes, cudaMemcpyDeviceToHost));
    const void *hc = after + ((const char *)g->c - (const char *)p->c_mem);
    res.stray = stray_bytes(p, after, log);

    th_cmp c;
    th_cmp_init(&c);
    res.cublas_rel_fro = -1;
    double macs = (double)g->m * (double)g->n * (double)g->k * (double)g->batch;
    if (g->m == 0 || g->n == 0) {
        res.against = "untouched buffer";
        res.pass = res.stray == 0;
    } else if (macs <= (double)TH_FULL_REFERENCE_MACS) {
        res.against = "CPU double";
        int64_t *rows = xmalloc(sizeof(int64_t) * (size_t)g->m);
        for (int64_t i = 0; i < g->m; i++)
            rows[i] = i;
        for (int64_t bi = 0; bi < g->batch; bi++)
            compare_rows_cpu(&c, p, hc, bi, rows, g->m, tol, log);
        free(rows);
        res.pass = th_cmp_pass(&c, tol) && res.stray == 0;
        res.rel_fro = th_cmp_rel_fro(&c);
    } else {
        res.against = "cuBLAS + CPU rows";
        th_cmp rowc;
        th_cmp_init(&rowc);
        for (int64_t bi = 0; bi < g->batch; bi++) {
            compare_cublas(&c, p, hc, bi, h, tol, log);
            th_rng rr = th_rng_new((uint64_t)bi * 77 + 1);
            int64_t rows[8] = {0, g->m - 1, g->m / 2, g->m / 3};
            for (int r = 4; r < 8; r++)
                rows[r] = (int64_t)(th_rng_next(&rr) % (uint64_t)g->m);
            compare_rows_cpu(&rowc, p, hc, bi, rows, 8, tol, log);
        }
        /* Against cuBLAS both sides carry fp32 error: th_compare_result
         * doubled the element bound; double the Frobenius bound too. */
        th_tol t2 = tol;
        t2.fro *= 2;
        res.pass = th_cmp_pass(&c, t2) && th_cmp_pass(&rowc, tol) && res.stray == 0;
        res.rel_fro = th_cmp_rel_fro(&rowc);
        res.cublas_rel_fro = th_cmp_rel_fro(&c);
        c.checked += rowc.checked;
        c.bad += rowc.bad;
        if (rowc.max_ratio > c.max_ratio)
            c.max_ratio = rowc.max_ratio;
    }
    res.checked = c.checked;
    res.bad = c.bad; /* NaNs are counted among the bad */
    res.max_ratio = c.max_ratio;
    free(after);
    return res;
}
