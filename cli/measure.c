/*
 * measure.c — contenders checked on one fresh problem, then timed beside
 * cuBLAS (and "cuBLASLt best") on the same buffers in interleaved rounds;
 * see cli.h.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* ------------------------------------------------------------------------
 * Timing: every contender in one process on the same buffers, in
 * interleaved rounds; the median of the rounds' medians
 * ---------------------------------------------------------------------- */

enum { MAX_ROUNDS = 100, MAX_SETS = 16 };

typedef struct timing_ctx {
    const tg_config *cfg; /* the library's choice when NULL and neither baseline */
    int cublas;
    cublasHandle_t h;
    tg_gemm_args *sets; /* input sets rotated so caches do not hold them */
    int nsets;
    const baseline_lt *lt; /* "cuBLASLt best": algorithm lt_algo of lt, when lt is set */
    int lt_algo;
} timing_ctx;

static void timed_call(void *vctx, int iter)
{
    timing_ctx *t = vctx;
    tg_gemm_args *g = &t->sets[iter % t->nsets];
    if (t->cublas) {
        TH_CUBLAS(baseline_cublas_gemm(t->h, g, NULL));
        return;
    }
    if (t->lt) {
        TH_CUBLAS(baseline_lt_gemm(t->lt, t->lt_algo, g, NULL));
        return;
    }
    tg_status s = tg_gemm(g, t->cfg, NULL);
    if (s != TG_SUCCESS) {
        fprintf(stderr, "tilegemm: tg_gemm failed while timing: %s: %s\n", tg_status_string(s),
                tg_last_error());
        exit(1);
    }
}

/*
 * Input sets for timing: the checked problem plus copies of A and B, enough
 * that all of them together exceed twice the L2 cache.
 */
typedef struct timing_sets {
    tg_gemm_args sets[MAX_SETS];
    void *mem[MAX_SETS];
    int n;
} timing_sets;

static timing_sets make_timing_sets(const th_problem *p)
{
    timing_sets ts;
    memset(&ts, 0, sizeof ts);
    int l2 = 0, dev = 0;
    TH_CUDA(cudaGetDevice(&dev));
    TH_CUDA(cudaDeviceGetAttribute(&l2, cudaDevAttrL2CacheSize, dev));
    size_t per = (p->a_elems + p->b_elems) * 2;
    int n = per ? (int)((2.0 * l2) / (double)per) + 1 : 1;
    ts.n = n < 1 ? 1 : n > MAX_SETS ? MAX_SETS : n;
    ts.sets[0] = p->g;
    for (int i = 1; i < ts.n; i++) {
        TH_CUDA(cudaMalloc(&ts.mem[i], per + 32));
        uint16_t *a = (uint16_t *)ts.mem[i] + ((const uint16_t *)p->g.a - (const uint16_t *)p->a_mem);
        uint16_t *b = a + p->a_elems + 8;
        TH_CUDA(cudaMemcpy(a, p->g.a, p->a_elems * 2, cudaMemcpyDeviceToDevice));
        TH_CUDA(cudaMemcpy(b, p->g.b, p->b_elems * 2, cudaMemcpyDeviceToDevice));
        ts.sets[i] = p->g;
        ts.sets[i].a = a;
        ts.sets[i].b = b;
    }
    return ts;
}

static void free_timing_sets(timing_sets *ts)
{
    for (int i = 1; i < ts->n; i++)
        TH_CUDA(cudaFree(ts->mem[i]));
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* th_check_gemm's GEMM for "cuBLASLt best". */
static int run_lt(void *ctx, const tg_gemm_args *g, FILE *log)
{
    const timing_ctx *t = ctx;
    cublasStatus_t s = baseline_lt_gemm(t->lt, t->lt_algo, g, NULL);
    if (s != CUBLAS_STATUS_SUCCESS && log)
        fprintf(log, "  cuBLASLt algorithm %d: %s\n", t->lt_algo, cublasGetStatusString(s));
    return s != CUBLAS_STATUS_SUCCESS;
}

/*
 * "cuBLASLt best" for p's shape: every algorithm cuBLASLt's heuristic offers
 * (64 MiB workspace), each timed once (o's warm-up and reps) on the timing
 * sets; the fastest is checked like a configuration. Sets out->lt_*; -1 for
 * lt_algo when cuBLASLt offers nothing for the shape (a batch, say).
 */
static void pick_lt(baseline_lt *lt, const cli_options *o, th_problem *p, cublasHandle_t h,
                    timing_sets *ts, measured *out)
{
    out->lt_algo = -1;
    out->lt_offered = 0;
    if (o->no_lt || baseline_lt_init(lt, &p->g) != CUBLAS_STATUS_SUCCESS)
        return;
    out->lt_offered = lt->nalgos;
    double best = INFINITY;
    for (int a = 0; a < lt->nalgos; a++) {
        if (lt->algos[a].state != CUBLAS_STATUS_SUCCESS ||
            baseline_lt_gemm(lt, a, &ts->sets[0], NULL) != CUBLAS_STATUS_SUCCESS)
            continue; /* offered, but it does not run on these operands */
        timing_ctx ctx = {NULL, 0, h, ts->sets, ts->n, lt, a};
        const double ms = th_time_ms(timed_call, &ctx, o->warmup, o->reps, NULL);
        if (ms < best) {
            best = ms;
            out->lt_algo = a;
        }
    }
    TH_CUDA(cudaGetLastError());
    if (out->lt_algo >= 0) {
        timing_ctx ctx = {NULL, 0, h, ts->sets, ts->n, lt, out->lt_algo};
        out->lt_chk = th_check_gemm(run_lt, &ctx, p, h, stderr);
    }
}

/* cli.h */
int measure(const entry *es, int n, const cli_options *o, measured *out)
{
    cublasHandle_t h;
    TH_CUBLAS(cublasCreate(&h));
    th_rng rng = th_rng_new(o->seed);
    th_problem p = th_problem_make(shape_of(o), &rng);
    timing_sets ts = make_timing_sets(&p);
    int failed = 0;
    out->n = n;
    for (int i = 0; i < n; i++) {
        row *r = &out->rows[i];
        r->name = es[i].label;
        r->chk = th_check_config(entry_cfg(&es[i]), &p, h, stderr);
        failed |= !r->chk.pass;
    }
    baseline_lt lt;
    pick_lt(&lt, o, &p, h, &ts, out);
    const int with_lt = out->lt_algo >= 0 && out->lt_chk.pass;
    static double rounds[MAX_ROWS + 2][MAX_ROUNDS];
    for (int round = 0; round < o->rounds; round++)
        for (int i = 0; i <= n + with_lt; i++) { /* i == n: cuBLAS; n + 1: cuBLASLt best */
            if (i < n && !out->rows[i].chk.pass)
                continue;
            timing_ctx ctx = {i < n ? entry_cfg(&es[i]) : NULL, i == n, h, ts.sets, ts.n,
                              i == n + 1 ? &lt : NULL, out->lt_algo};
            rounds[i][round] = th_time_ms(timed_call, &ctx, o->warmup, o->reps, NULL);
        }
    for (int i = 0; i < n; i++)
        out->rows[i].ms = out->rows[i].chk.pass ? median(rounds[i], o->rounds) : INFINITY;
    out->cublas_ms = median(rounds[n], o->rounds);
    out->lt_ms = with_lt ? median(rounds[n + 1], o->rounds) : INFINITY;
    out->sets = ts.n;
    if (out->lt_offered)
        baseline_lt_free(&lt);
    free_timing_sets(&ts);
    th_problem_free(&p);
    TH_CUBLAS(cublasDestroy(h));
    return failed;
}
