/*
 * measure.c — contenders checked on one fresh problem, then timed beside
 * cuBLAS (and "cuBLASLt best") on the same buffers in interleaved rounds;
 * see cli.h.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "suites.h"

/* ------------------------------------------------------------------------
 * Timing: every contender in one process on the same buffers, in
 * interleaved rounds; the median of the rounds' medians
 * ---------------------------------------------------------------------- */

enum { MAX_ROUNDS = 100, MAX_SETS = 16 };

const char *condition_name(condition c, int b2b)
{
    static const char *const names[COND_COUNT] = {"rotated", "warm", "flushed", "flushed-clean"};
    static const char *const b2b_names[COND_COUNT] = {"rotated-b2b", "warm-b2b", "flushed",
                                                      "flushed-clean"};
    return c >= 0 && c < COND_COUNT ? (b2b ? b2b_names : names)[c] : "?";
}

/* One contender's call: a configuration (NULL: the library's choice), cuBLAS, one
 * algorithm of "cuBLASLt best", or the streaming read. */
typedef struct timing_ctx {
    contender_kind kind;
    const tg_config *cfg;
    cublasHandle_t h;
    tg_gemm_args *sets; /* input sets, taken in turn (one: the same buffers every call) */
    int nsets;
    const baseline_lt *lt;
    int lt_algo;
    const th_reader *reader;
} timing_ctx;

static void timed_call(void *vctx, int iter)
{
    timing_ctx *t = vctx;
    tg_gemm_args *g = &t->sets[iter % t->nsets];
    switch (t->kind) {
    case K_CUBLAS: TH_CUBLAS(baseline_cublas_gemm(t->h, g, NULL)); return;
    case K_LT: TH_CUBLAS(baseline_lt_gemm(t->lt, t->lt_algo, g, NULL)); return;
    case K_STREAM: th_reader_run(t->reader, NULL); return;
    case K_TILEGEMM: break;
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
    /* Each copy sits as the checked problem's does: A and B on 256-byte boundaries (as
     * cudaMalloc and PyTorch's allocator give), plus the element it was moved by (--misalign).
     * B used to follow A 16 bytes on: every 128-byte row of B then spanned two lines, TMA
     * read 160 bytes of it (bench/RESULTS.md entry 31), and every set but the first timed that. */
    const size_t a_off = (size_t)((const uint16_t *)p->g.a - (const uint16_t *)p->a_mem);
    const size_t b_off = (size_t)((const uint16_t *)p->g.b - (const uint16_t *)p->b_mem);
    const size_t a_span = ((a_off + p->a_elems) * 2 + 255) / 256 * 256;
    for (int i = 1; i < ts.n; i++) {
        TH_CUDA(cudaMalloc(&ts.mem[i], a_span + (b_off + p->b_elems) * 2));
        uint16_t *a = (uint16_t *)ts.mem[i] + a_off;
        uint16_t *b = (uint16_t *)((char *)ts.mem[i] + a_span) + b_off;
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

static double median(double *v, int n)
{
    th_sort(v, (size_t)n);
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
 * (64 MiB workspace), each warmed up (o's warm-up calls lasting o's warm-ms)
 * and timed once (o's reps) on the timing sets; the fastest is checked like a
 * configuration, into r. Sets
 * out->lt_*; -1 for lt_algo when cuBLASLt offers nothing for the shape (a
 * batch, say).
 */
static void pick_lt(baseline_lt *lt, const cli_options *o, th_problem *p, cublasHandle_t h,
                    timing_sets *ts, row *r, measured *out)
{
    out->lt_algo = -1;
    out->lt_offered = 0;
    if (baseline_lt_init(lt, &p->g) != CUBLAS_STATUS_SUCCESS)
        return;
    out->lt_offered = lt->nalgos;
    double best = INFINITY;
    for (int a = 0; a < lt->nalgos; a++) {
        if (lt->algos[a].state != CUBLAS_STATUS_SUCCESS ||
            baseline_lt_gemm(lt, a, &ts->sets[0], NULL) != CUBLAS_STATUS_SUCCESS)
            continue; /* offered, but it does not run on these operands */
        timing_ctx ctx = {K_LT, NULL, h, ts->sets, ts->n, lt, a, NULL};
        /* Warmed up as the rounds' contenders are (th_warm): a bare 5 calls left the first
         * algorithms timed on a clock still settling, and the pick to chance. */
        th_warm(timed_call, &ctx, o->warmup, o->warm_ms, NULL);
        const double ms = th_time_ms(timed_call, &ctx, 0, o->reps, NULL);
        if (ms < best) {
            best = ms;
            out->lt_algo = a;
        }
    }
    TH_CUDA(cudaGetLastError());
    if (out->lt_algo >= 0) {
        timing_ctx ctx = {K_LT, NULL, h, ts->sets, ts->n, lt, out->lt_algo, NULL};
        r->chk = th_check_gemm(run_lt, &ctx, p, h, stderr);
        r->timed = r->chk.pass;
    }
}

/* A row of out, with nothing timed yet. */
static row *add_row(measured *out, const char *name, contender_kind kind)
{
    row *r = &out->rows[out->count++];
    memset(r, 0, sizeof *r);
    r->name = name;
    r->kind = kind;
    for (int c = 0; c < COND_COUNT; c++)
        r->ms[c] = INFINITY;
    return r;
}

/* cli.h */
int measure(const entry *es, int n, const cli_options *o, int memory_bound, measured *out)
{
    memset(out, 0, sizeof *out);
    out->lt = out->stream = -1;
    /* (suites.h: a skinny shape is timed rotated too) */
    out->conds = memory_bound ? 1u << COND_WARM | 1u << COND_FLUSHED | 1u << COND_CLEAN |
                                    (memory_bound == BENCH_SKINNY ? 1u << COND_ROTATED : 0u)
                              : 1u << COND_ROTATED;
    cublasHandle_t h;
    TH_CUBLAS(cublasCreate(&h));
    th_rng rng = th_rng_new(o->seed);
    const th_shape shape = shape_of(o);
    th_problem p = th_problem_make(shape, &rng);
    p.g.pdl = !o->no_pdl;
    timing_sets ts = make_timing_sets(&p);
    int failed = 0;
    out->n = n;
    for (int i = 0; i < n; i++) {
        row *r = add_row(out, es[i].label, K_TILEGEMM);
        /* A family's rule (a decode preset and M > its BLOCK_M, TMA's strides) is no failure. */
        const tg_config *cfg = entry_cfg(&es[i]);
        r->refused = cfg && tg_gemm_supports(&p.g, cfg) != TG_SUCCESS;
        if (r->refused) {
            fprintf(stderr, "%s does not take this shape: %s\n", r->name, tg_last_error());
            continue;
        }
        r->chk = th_check_config(cfg, &p, h, stderr);
        r->timed = r->chk.pass;
        failed |= !r->chk.pass;
    }
    out->cublas = out->count;
    add_row(out, "cuBLAS", K_CUBLAS)->timed = 1; /* the reference the checks use */
    baseline_lt lt = {0};
    if (!o->no_lt) {
        out->lt = out->count;
        pick_lt(&lt, o, &p, h, &ts, add_row(out, "cuBLASLt best", K_LT), out);
    }
    th_reader reader = {0};
    th_flush flush = {0}, clean = {0}; /* COND_FLUSHED's, COND_CLEAN's */
    if (memory_bound) {
        const bench_shape bs = {p.g.m, p.g.n, p.g.k, p.g.lda, p.g.ldb, p.g.ldc};
        out->bytes = bench_bytes(&bs, tg_dtype_size(p.g.c_dtype), p.g.beta != 0.0f);
        reader = th_reader_make((size_t)out->bytes);
        flush = th_flush_make(0);
        clean = th_flush_make(1);
        out->flush_bytes = flush.data.bytes;
        out->stream = out->count;
        add_row(out, "stream read", K_STREAM)->timed = 1;
    }

    /* Round r takes the contenders in turn from contender r on (mod their count), and each
     * is warmed up for at least o->warm_ms before it is timed: under the power cap a kernel
     * that follows a lighter one runs at a higher clock for a while, and in a fixed order
     * with 5 warm-up calls the first contender, after cuBLAS, ran 6-13 % faster than the
     * same kernel second (bf16 C 8192^3, bench/RESULTS.md entry 41). Settled and rotated,
     * the two agreed within 0.7 %. */
    static double rounds[MAX_ROWS + 3][COND_COUNT][MAX_ROUNDS];
    for (int round = 0; round < o->rounds; round++)
        for (int j = 0; j < out->count; j++) {
            const int i = (j + round) % out->count;
            row *r = &out->rows[i];
            if (!r->timed)
                continue;
            for (int c = 0; c < COND_COUNT; c++) {
                if (!(out->conds & 1u << c))
                    continue;
                /* Rotated: every input set in turn; warm and flushed: the same buffers. */
                timing_ctx ctx = {r->kind, i < n ? entry_cfg(&es[i]) : NULL, h, ts.sets,
                                  c == COND_ROTATED ? ts.n : 1, &lt, out->lt_algo, &reader};
                th_warm(timed_call, &ctx, o->warmup, o->warm_ms, NULL);
                if (c == COND_FLUSHED || c == COND_CLEAN)
                    rounds[i][c][round] = th_time_flushed_ms(timed_call, &ctx, 0, o->reps,
                                                             c == COND_CLEAN ? &clean : &flush, NULL);
                else if (o->back_to_back)
                    rounds[i][c][round] = th_time_batch_ms(timed_call, &ctx, 0, o->reps, NULL);
                else
                    rounds[i][c][round] = th_time_ms(timed_call, &ctx, 0, o->reps, NULL);
            }
        }
    for (int i = 0; i < out->count; i++)
        for (int c = 0; c < COND_COUNT; c++)
            if (out->rows[i].timed && out->conds & 1u << c)
                out->rows[i].ms[c] = median(rounds[i][c], o->rounds);
    out->sets = ts.n;
    if (memory_bound) {
        th_reader_free(&reader);
        th_flush_free(&flush);
        th_flush_free(&clean);
    }
    if (out->lt_offered)
        baseline_lt_free(&lt);
    free_timing_sets(&ts);
    th_problem_free(&p);
    TH_CUBLAS(cublasDestroy(h));
    return failed;
}
