/*
 * main.c — the tilegemm command: run, check, bench, tune, plan, list,
 * verify (options.c parses the command line; tilegemm --help lists them).
 *
 * Exit status: 0 success, 1 a check failed or an error, 2 bad usage.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cublaslt.h"
#include "harness.h"
#include "options.h"
#include "tilegemm.h"

/* ------------------------------------------------------------------------
 * Configurations on the command line
 * ---------------------------------------------------------------------- */

/* A configuration to run: cfg, or the library's choice (use_cfg = 0). */
typedef struct entry {
    tg_config cfg;
    int use_cfg;
    char label[64];
} entry;

static const tg_config *entry_cfg(const entry *e) { return e->use_cfg ? &e->cfg : NULL; }

/* Parse text, given with option flag, as a configuration; on failure print why and exit 2. */
static tg_config parse_config(const char *cmd, const char *flag, const char *text)
{
    tg_config cfg;
    tg_status s = tg_config_parse(text, &cfg);
    if (s != TG_SUCCESS) {
        fprintf(stderr, "tilegemm %s: %s: %s: %s\n", cmd, flag, tg_status_string(s),
                tg_last_error());
        exit(2);
    }
    return cfg;
}

/* A configuration that must have a kernel (to run it); exit 1 if it has none. */
static entry runnable(const char *cmd, const char *flag, const char *text)
{
    entry e;
    memset(&e, 0, sizeof e);
    e.cfg = parse_config(cmd, flag, text);
    e.use_cfg = 1;
    if (!tg_config_compiled(&e.cfg)) {
        char line[512];
        TH_TG(tg_config_preset_line(&e.cfg, line, sizeof line));
        fprintf(stderr,
                "tilegemm %s: %s '%s' is valid but not compiled; add this line to compile "
                "it: %s\n",
                cmd, flag, text, line);
        exit(1);
    }
    snprintf(e.label, sizeof e.label, "%.*s", TG_CONFIG_NAME_MAX, e.cfg.name);
    return e;
}

/* The library's choice for a shape, labelled with the configuration it is today. */
static entry library_choice(const th_shape *s)
{
    entry e;
    memset(&e, 0, sizeof e);
    const tg_gemm_args g = th_shape_args(*s);
    tg_config chosen;
    TH_TG(tg_gemm_choose(&g, &chosen, NULL, 0));
    snprintf(e.label, sizeof e.label, "default=%s", chosen.name);
    return e;
}

/* Exit 2 with the library's reason if the command line's shape is not a valid GEMM. */
static void check_shape(const char *cmd, const th_shape *s)
{
    const tg_gemm_args g = th_shape_args(*s);
    tg_status st = tg_gemm_check_args(&g);
    if (st != TG_SUCCESS) {
        fprintf(stderr, "tilegemm %s: %s: %s\n", cmd, tg_status_string(st), tg_last_error());
        exit(2);
    }
}

static th_shape shape_of(const cli_options *o)
{
    th_shape s = {o->m, o->n, o->k, o->lda, o->ldb, o->ldc, o->batch, o->dtype, o->misalign,
                  1, o->alpha, o->beta};
    return s;
}

/* ------------------------------------------------------------------------
 * Timing: every contender in one process on the same buffers, in
 * interleaved rounds; the median of the rounds' medians
 * ---------------------------------------------------------------------- */

enum { MAX_ROUNDS = 100, MAX_ROWS = 64, MAX_SETS = 16 };

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

static void print_device(void)
{
    struct cudaDeviceProp prop;
    int dev = 0;
    TH_CUDA(cudaGetDevice(&dev));
    TH_CUDA(cudaGetDeviceProperties(&prop, dev));
    printf("device: %s, %d SMs, %.0f MB L2, sm_%d%d\n", prop.name, prop.multiProcessorCount,
           prop.l2CacheSize / 1e6, prop.major, prop.minor);
}

typedef struct row {
    const char *name;
    th_check chk;
    double ms;
    int refused; /* its family does not take the shape (tg_gemm_supports): not run, not failed */
} row;

typedef struct measured {
    row rows[MAX_ROWS];
    int n;
    double cublas_ms;
    int sets; /* input sets rotated while timing */
    /* "cuBLASLt best": the algorithm picked (-1: none), of how many offered, its check and time */
    int lt_algo, lt_offered;
    th_check lt_chk;
    double lt_ms;
} measured;

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

/*
 * Check each entry on one fresh problem of o's shape, then time those that
 * passed (a failed one gets ms = INFINITY) and cuBLAS on the same buffers,
 * in o->rounds interleaved rounds of o->reps calls each. Returns nonzero if
 * any check failed.
 */
static int measure(const entry *es, int n, const cli_options *o, measured *out)
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
        memset(r, 0, sizeof *r);
        r->name = es[i].label;
        /* A family's rule (a decode preset and M > BLOCK_M, TMA's strides) is no failure. */
        const tg_config *cfg = entry_cfg(&es[i]);
        r->refused = cfg && tg_gemm_supports(&p.g, cfg) != TG_SUCCESS;
        if (r->refused) {
            fprintf(stderr, "%s does not take this shape: %s\n", r->name, tg_last_error());
            continue;
        }
        r->chk = th_check_config(cfg, &p, h, stderr);
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

/* Check and time each entry on one shape, cuBLAS timed in the same run; print a table. */
static int check_and_time(const entry *es, int n, const cli_options *o)
{
    measured m;
    int failed = measure(es, n, o, &m);
    printf("M=%" PRId64 " N=%" PRId64 " K=%" PRId64 ", bf16 in, %s out, median of %d rounds x "
           "%d calls (interleaved), %d input set(s), seed %" PRIu64 "\n",
           o->m, o->n, o->k, tg_dtype_name(o->dtype), o->rounds, o->reps, m.sets, o->seed);
    const int lt = !o->no_lt; /* the "vs Lt best" column (--no-lt: the table without it) */
    printf("%-17s %-7s %-10s %-10s %-10s %9s %9s %9s%s\n", "config", "check", "rel_fro",
           "err/bound", "=cuBLAS?", "ms", "TFLOP/s", "vs cuBLAS", lt ? "   vs Lt best" : "");
    for (int i = 0; i < m.n; i++) {
        const row *r = &m.rows[i];
        char same[16] = "-";
        if (r->chk.cublas_rel_fro >= 0)
            snprintf(same, sizeof same, "%.1e", r->chk.cublas_rel_fro);
        if (r->refused) {
            printf("%-17s %-7s (its family does not take this shape)\n", r->name, "n/a");
            continue;
        }
        printf("%-17s %-7s %-10.2e %-10.3f %-10s", r->name, r->chk.pass ? "pass" : "FAIL",
               r->chk.rel_fro, r->chk.max_ratio, same);
        if (r->chk.pass)
            printf(" %9.3f %9.1f %8.1f%%", r->ms, th_tflops(o->m, o->n, o->k, r->ms),
                   100.0 * m.cublas_ms / r->ms);
        else
            printf(" %9s %9s %9s", "-", "-", "-"); /* never timed: it failed its check */
        if (lt && r->chk.pass && isfinite(m.lt_ms))
            printf(" %12.1f%%", 100.0 * m.lt_ms / r->ms);
        else if (lt)
            printf(" %13s", "-");
        printf("\n");
    }
    printf("%-17s %-7s %-10s %-10s %-10s %9.3f %9.1f %8.1f%%", "cuBLAS", "-", "-", "-", "-",
           m.cublas_ms, th_tflops(o->m, o->n, o->k, m.cublas_ms), 100.0);
    if (lt && isfinite(m.lt_ms))
        printf(" %12.1f%%", 100.0 * m.lt_ms / m.cublas_ms);
    else if (lt)
        printf(" %13s", "-");
    printf("\n");
    if (!lt)
        return failed;
    if (m.lt_algo < 0) {
        printf("%-17s (cuBLASLt offered no algorithm that runs on this shape)\n", "cuBLASLt best");
        return failed;
    }
    const th_check *c = &m.lt_chk;
    char same[16] = "-";
    if (c->cublas_rel_fro >= 0)
        snprintf(same, sizeof same, "%.1e", c->cublas_rel_fro);
    printf("%-17s %-7s %-10.2e %-10.3f %-10s", "cuBLASLt best", c->pass ? "pass" : "FAIL",
           c->rel_fro, c->max_ratio, same);
    if (c->pass)
        printf(" %9.3f %9.1f %8.1f%% %12.1f%%", m.lt_ms, th_tflops(o->m, o->n, o->k, m.lt_ms),
               100.0 * m.cublas_ms / m.lt_ms, 100.0);
    printf("   (algorithm %d of the %d its heuristic offered, the fastest timed once each)\n",
           m.lt_algo, m.lt_offered);
    return failed;
}

/* ------------------------------------------------------------------------
 * Commands
 * ---------------------------------------------------------------------- */

static int verify_one(const tg_config *cfg)
{
    static char report[16384];
    tg_status s = tg_config_verify(cfg, report, sizeof report);
    printf("%-14s %-6s %s", cfg->name, tg_family_name((tg_family)cfg->family), report);
    if (s != TG_SUCCESS && report[0] == '\0')
        printf("%s: %s\n", tg_status_string(s), tg_last_error());
    return s != TG_SUCCESS;
}

static int verify_all(void)
{
    int failed = 0;
    for (int i = 0; i < tg_config_count(); i++) {
        tg_config cfg;
        TH_TG(tg_config_get(i, &cfg));
        failed |= verify_one(&cfg);
    }
    return failed;
}

static int cmd_verify(const cli_options *o)
{
    if (o->config) {
        tg_config cfg = parse_config("verify", "--config", o->config);
        return verify_one(&cfg);
    }
    return verify_all();
}

static int need_gpu(const char *cmd)
{
    if (!th_have_gpu(stderr)) {
        fprintf(stderr, "tilegemm %s: this command runs GEMMs and needs an sm_90 GPU\n", cmd);
        return 0;
    }
    return 1;
}

static int cmd_run(cli_options o)
{
    if (!th_have_gpu(stdout)) {
        printf("No usable GPU: running the CPU plan verifier for every compiled configuration "
               "instead (GEMMs need an sm_90 GPU).\n");
        return verify_all();
    }
    print_device();
    o.m = o.n = o.k = 8192;
    if (!o.seed_set)
        o.seed = th_fresh_seed();
    th_shape s = shape_of(&o);
    entry es[3] = {library_choice(&s), runnable("run", "--config", "seed"),
                   runnable("run", "--config", "split8")};
    return check_and_time(es, 3, &o);
}

static int cmd_check(cli_options o)
{
    entry e;
    th_shape s = shape_of(&o);
    check_shape("check", &s);
    if (o.config)
        e = runnable("check", "--config", o.config);
    if (!need_gpu("check"))
        return 1;
    if (!o.config)
        e = library_choice(&s);
    if (!o.seed_set)
        o.seed = th_fresh_seed();
    /* cuBLAS only for problems too large for the CPU reference (and so not
     * under compute-sanitizer, which runs small shapes). */
    cublasHandle_t h = NULL;
    double macs = (double)o.m * (double)o.n * (double)o.k * (double)(o.batch > 1 ? o.batch : 1);
    if (macs > (double)TH_FULL_REFERENCE_MACS)
        TH_CUBLAS(cublasCreate(&h));
    th_rng rng = th_rng_new(o.seed);
    th_problem p = th_problem_make(s, &rng);
    th_check r = th_check_config(entry_cfg(&e), &p, h, stderr);
    printf("%s M=%" PRId64 " N=%" PRId64 " K=%" PRId64 " lda=%" PRId64 " ldb=%" PRId64
           " ldc=%" PRId64 " batch=%" PRId64 " %s alpha=%g beta=%g%s seed=%" PRIu64
           ": %s (against %s: %" PRId64 " elements, %" PRId64 " bad, %" PRId64
           " stray bytes, rel_fro %.2e vs double, max err/bound %.3f)\n",
           e.label, p.g.m, p.g.n, p.g.k, p.g.lda, p.g.ldb, p.g.ldc, p.g.batch,
           tg_dtype_name(o.dtype), o.alpha, o.beta, o.misalign ? " misaligned" : "", o.seed,
           r.pass ? "PASS" : "FAIL", r.against ? r.against : "-", r.checked, r.bad, r.stray,
           r.rel_fro, r.max_ratio);
    th_problem_free(&p);
    if (h)
        TH_CUBLAS(cublasDestroy(h));
    return !r.pass;
}

/* Split text at `sep` into at most max items; -1 if there are more. */
static int split(char *text, char sep, char **items, int max)
{
    int n = 0;
    for (char *p = text;; p++) {
        if (n == max)
            return -1;
        items[n++] = p;
        p = strchr(p, sep);
        if (!p)
            return n;
        *p = '\0';
    }
}

/* "MxNxK" into three whole numbers in 1..CLI_MAX_DIM; 0 if it is not one. */
static int parse_shape(const char *text, int64_t *mnk)
{
    const char *p = text;
    for (int i = 0; i < 3; i++) {
        char *end = NULL;
        if (*p < '0' || *p > '9')
            return 0;
        long long x = strtoll(p, &end, 10);
        if (x < 1 || x > CLI_MAX_DIM || *end != (i < 2 ? 'x' : '\0'))
            return 0;
        mnk[i] = x;
        p = end + 1;
    }
    return 1;
}

static int every_compiled(entry *es)
{
    int n = 0;
    for (int i = 0; i < tg_config_count() && n < MAX_ROWS; i++, n++) {
        memset(&es[n], 0, sizeof es[n]);
        TH_TG(tg_config_get(i, &es[n].cfg));
        es[n].use_cfg = 1;
        snprintf(es[n].label, sizeof es[n].label, "%.*s", TG_CONFIG_NAME_MAX, es[n].cfg.name);
    }
    return n;
}

static int cmd_bench(cli_options o)
{
    static entry es[MAX_ROWS];
    int n = 0;
    if (o.configs) {
        /* Configurations are separated by ';' (a parameter string has commas); a
         * list of plain preset names may use commas too. */
        char buf[4096];
        if (strlen(o.configs) >= sizeof buf) {
            fprintf(stderr, "tilegemm bench: --configs is longer than %zu characters\n",
                    sizeof buf - 1);
            return 2;
        }
        strcpy(buf, o.configs);
        char sep = strchr(buf, '=') || strchr(buf, ';') ? ';' : ',';
        char *items[MAX_ROWS];
        n = split(buf, sep, items, MAX_ROWS);
        if (n < 0) {
            fprintf(stderr, "tilegemm bench: --configs names more than %d configurations\n",
                    MAX_ROWS);
            return 2;
        }
        for (int i = 0; i < n; i++)
            es[i] = runnable("bench", "--configs", items[i]);
    } else {
        n = every_compiled(es);
    }
    char shapes[4096];
    const char *given = o.shapes ? o.shapes : "8192x8192x8192";
    if (strlen(given) >= sizeof shapes) {
        fprintf(stderr, "tilegemm bench: --shapes is longer than %zu characters\n",
                sizeof shapes - 1);
        return 2;
    }
    strcpy(shapes, given);
    char *items[MAX_ROWS];
    int nshapes = split(shapes, ',', items, MAX_ROWS);
    int64_t mnk[MAX_ROWS][3];
    if (nshapes < 0) {
        fprintf(stderr, "tilegemm bench: --shapes lists more than %d shapes\n", MAX_ROWS);
        return 2;
    }
    for (int i = 0; i < nshapes; i++)
        if (!parse_shape(items[i], mnk[i])) {
            fprintf(stderr, "tilegemm bench: shape '%s' is not MxNxK with each in 1..%lld\n",
                    items[i], CLI_MAX_DIM);
            return 2;
        }
    if (!need_gpu("bench"))
        return 1;
    print_device();
    if (!o.seed_set)
        o.seed = th_fresh_seed();
    int failed = 0;
    for (int i = 0; i < nshapes; i++) {
        cli_options so = o;
        so.m = mnk[i][0];
        so.n = mnk[i][1];
        so.k = mnk[i][2];
        failed |= check_and_time(es, n, &so);
        printf("\n");
    }
    return failed;
}

static int cmp_row_ms(const void *x, const void *y)
{
    double a = ((const row *)x)->ms, b = ((const row *)y)->ms;
    return (a > b) - (a < b);
}

static int cmd_tune(cli_options o)
{
    if (!need_gpu("tune"))
        return 1;
    print_device();
    if (!o.have_m)
        o.m = o.n = o.k = 8192;
    if (!o.seed_set)
        o.seed = th_fresh_seed();
    static entry es[MAX_ROWS];
    int n = every_compiled(es);
    measured m;
    int failed = measure(es, n, &o, &m);
    qsort(m.rows, (size_t)m.n, sizeof(row), cmp_row_ms);
    printf("tune M=%" PRId64 " N=%" PRId64 " K=%" PRId64 " (%s out): fastest first\n", o.m, o.n,
           o.k, tg_dtype_name(o.dtype));
    for (int i = 0; i < m.n; i++)
        if (m.rows[i].refused)
            printf("  %-14s (its family does not take this shape)\n", m.rows[i].name);
        else
            printf("  %-14s %9.3f ms %8.1f TFLOP/s %7.1f%% of cuBLAS%s\n", m.rows[i].name,
                   m.rows[i].ms, th_tflops(o.m, o.n, o.k, m.rows[i].ms),
                   100.0 * m.cublas_ms / m.rows[i].ms,
                   m.rows[i].chk.pass ? "" : "  (failed its check)");
    printf("  %-14s %9.3f ms %8.1f TFLOP/s\n", "cuBLAS", m.cublas_ms,
           th_tflops(o.m, o.n, o.k, m.cublas_ms));
    if (isfinite(m.lt_ms))
        printf("  %-14s %9.3f ms %8.1f TFLOP/s (cuBLASLt's algorithm %d of %d offered, the fastest)\n",
               "cuBLASLt best", m.lt_ms, th_tflops(o.m, o.n, o.k, m.lt_ms), m.lt_algo, m.lt_offered);
    if (m.rows[0].chk.pass)
        printf("best: --config %s\n", m.rows[0].name);
    return failed;
}

/* A configuration's plan: family, parameters, whether compiled, the family's description. */
static int print_plan(const tg_config *cfg)
{
    static char text[65536];
    TH_TG(tg_config_format(cfg, text, sizeof text));
    const int compiled = tg_config_compiled(cfg);
    printf("config %s (family %s, %s): %s\n", cfg->name, tg_family_name((tg_family)cfg->family),
           compiled ? "compiled" : "not compiled", text);
    if (!compiled) {
        TH_TG(tg_config_preset_line(cfg, text, sizeof text));
        printf("  to compile it, add:  %s\n", text);
    }
    TH_TG(tg_config_describe(cfg, text, sizeof text));
    fputs(text, stdout);
    return 0;
}

static int cmd_plan(const cli_options *o)
{
    if (o->config) {
        tg_config cfg = parse_config("plan", "--config", o->config);
        return print_plan(&cfg);
    }
    const th_shape shape = shape_of(o);
    check_shape("plan", &shape);
    const tg_gemm_args g = th_shape_args(shape);
    tg_config cfg;
    char why[1024];
    tg_status s = tg_gemm_choose(&g, &cfg, why, sizeof why);
    if (s != TG_SUCCESS) {
        fprintf(stderr, "tilegemm plan: %s: %s\n", tg_status_string(s), tg_last_error());
        return s == TG_ERR_INVALID_ARGUMENT ? 2 : 1;
    }
    size_t workspace = 0;
    TH_TG(tg_gemm_workspace_size(&g, &cfg, &workspace));
    printf("M=%" PRId64 " N=%" PRId64 " K=%" PRId64 " %s out: the library chooses %s\n  why: %s\n"
           "  workspace: %zu bytes\n\n",
           o->m, o->n, o->k, tg_dtype_name(o->dtype), cfg.name, why, workspace);
    return print_plan(&cfg);
}

static int cmd_list(void)
{
    int gpu = th_have_gpu(NULL);
    if (gpu)
        print_device();
    else
        printf("(no GPU: registers and spills of compiled kernels need one; plan figures "
               "shown)\n");
    printf("%-14s %-6s %6s %8s %6s %6s %8s %6s  %s\n", "config", "family", "thread", "acc_regs",
           "regs", "spill", "smem", "blk/SM", "parameters");
    for (int i = 0; i < tg_config_count(); i++) {
        tg_config cfg;
        TH_TG(tg_config_get(i, &cfg));
        tg_fact facts[64];
        int nf = tg_config_facts(&cfg, facts, 64);
        long long threads = -1, acc_regs = -1, smem = -1;
        for (int f = 0; f < nf && f < 64; f++) {
            if (!strcmp(facts[f].key, "threads"))
                threads = facts[f].value;
            if (!strcmp(facts[f].key, "acc_regs"))
                acc_regs = facts[f].value;
            if (!strcmp(facts[f].key, "smem_bytes"))
                smem = facts[f].value;
        }
        char params[1024];
        TH_TG(tg_config_format(&cfg, params, sizeof params));
        printf("%-14s %-6s %6lld %8lld", cfg.name, tg_family_name((tg_family)cfg.family), threads,
               acc_regs);
        tg_kernel_info info;
        if (gpu && tg_kernel_get_info(&cfg, &info) == TG_SUCCESS)
            printf(" %6d %6zu %8zu %6d", info.registers, info.local_bytes, info.dynamic_smem,
                   info.blocks_per_sm);
        else
            printf(" %6s %6s %8lld %6s", "-", "-", smem, "-");
        printf("  %s\n", strchr(params, ',') + 1);
    }
    return 0;
}

int main(int argc, char **argv)
{
    cli_options o;
    char err[512];
    if (cli_parse(argc, argv, &o, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    if (o.help) {
        fputs(cli_usage(o.command), stdout);
        return 0;
    }
    switch (o.command) {
    case CMD_RUN: return cmd_run(o);
    case CMD_CHECK: return cmd_check(o);
    case CMD_BENCH: return cmd_bench(o);
    case CMD_TUNE: return cmd_tune(o);
    case CMD_PLAN: return cmd_plan(&o);
    case CMD_LIST: return cmd_list();
    case CMD_VERIFY: return cmd_verify(&o);
    default: fputs(cli_usage(CMD_NONE), stderr); return 2;
    }
}
