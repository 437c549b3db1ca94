/*
 * bench.c — the bench command: configurations checked, then timed beside
 * cuBLAS (measure.c) on each shape, one table a shape. Shapes come from
 * --shapes or from named suites (suites.c); a suite ends with the
 * geometric means of every contender's ratios. A memory-bound shape is
 * timed warm and with L2 flushed, in TB/s too, beside the streaming-read
 * limit. --csv writes every figure of the run, a row per shape, contender
 * and condition (docs/BENCH.md describes the columns).
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "suites.h"

/* The name of the library's choice in a suite's means and in --csv (its table row says
 * "default=NAME"). */
#define LIBRARY_CHOICE "tilegemm"

/* ------------------------------------------------------------------------
 * One shape's table
 * ---------------------------------------------------------------------- */

/* How much faster row i ran than row base under c (base's time over i's): 1.25 is 25 %
 * faster. NAN where either was not timed, or base is absent. */
static double speed_ratio(const measured *m, int base, int i, condition c)
{
    if (base < 0 || !m->rows[base].timed || !m->rows[i].timed)
        return NAN;
    return m->rows[base].ms[c] / m->rows[i].ms[c];
}

/* The check's columns: config, check, rel_fro, err/bound, =cuBLAS?. */
static void print_check(const char *name, const th_check *c)
{
    char same[16] = "-";
    if (c->cublas_rel_fro >= 0)
        snprintf(same, sizeof same, "%.1e", c->cublas_rel_fro);
    printf("%-17s %-7s %-10.2e %-10.3f %-10s", name, c->pass ? "pass" : "FAIL", c->rel_fro,
           c->max_ratio, same);
}

static void print_lt_note(const measured *m)
{
    printf("   (algorithm %d of the %d its heuristic offered, the fastest timed once each)\n",
           m->lt_algo, m->lt_offered);
}

/* A percentage cell of width w, or "-" for NAN. */
static void print_pct(int w, double ratio)
{
    if (isnan(ratio))
        printf(" %*s", w, "-");
    else
        printf(" %*.1f%%", w - 1, 100.0 * ratio);
}

/* Compute-bound: one line a contender, check and timing side by side. */
static void print_compute_bound(const measured *m, const cli_options *o)
{
    const condition c = COND_ROTATED;
    const int lt = m->lt >= 0; /* the "vs Lt best" column (--no-lt: the table without it) */
    printf("%-17s %-7s %-10s %-10s %-10s %9s %9s %9s%s\n", "config", "check", "rel_fro",
           "err/bound", "=cuBLAS?", "ms", "TFLOP/s", "vs cuBLAS", lt ? "   vs Lt best" : "");
    for (int i = 0; i < m->n; i++) {
        const row *r = &m->rows[i];
        if (r->refused) {
            printf("%-17s %-7s (its family does not take this shape)\n", r->name, "n/a");
            continue;
        }
        print_check(r->name, &r->chk);
        if (r->timed)
            printf(" %9.3f %9.1f", r->ms[c], th_tflops(o->m, o->n, o->k, r->ms[c]));
        else
            printf(" %9s %9s", "-", "-"); /* never timed: it failed its check */
        print_pct(9, speed_ratio(m, m->cublas, i, c));
        if (lt)
            print_pct(13, speed_ratio(m, m->lt, i, c));
        printf("\n");
    }
    const double cublas_ms = m->rows[m->cublas].ms[c];
    printf("%-17s %-7s %-10s %-10s %-10s %9.3f %9.1f", "cuBLAS", "-", "-", "-", "-", cublas_ms,
           th_tflops(o->m, o->n, o->k, cublas_ms));
    print_pct(9, 1.0);
    if (lt)
        print_pct(13, speed_ratio(m, m->lt, m->cublas, c));
    printf("\n");
    if (!lt)
        return;
    if (m->lt_algo < 0) {
        printf("%-17s (cuBLASLt offered no algorithm that runs on this shape)\n", "cuBLASLt best");
        return;
    }
    const row *r = &m->rows[m->lt];
    print_check(r->name, &r->chk);
    if (r->timed) {
        printf(" %9.3f %9.1f", r->ms[c], th_tflops(o->m, o->n, o->k, r->ms[c]));
        print_pct(9, speed_ratio(m, m->cublas, m->lt, c));
        print_pct(13, 1.0);
    }
    print_lt_note(m);
}

/* Memory-bound: the checks, then a line per contender and condition, TB/s and the share of
 * the streaming read beside TFLOP/s. */
static void print_memory_bound(const measured *m, const cli_options *o)
{
    printf("memory-bound (M or N <= %d): a call moves at least %.4g MB (A + B + C%s); each "
           "contender timed %swarm (the same buffers, call after call), flushed (%.0f MB "
           "written before every call, untimed) and flushed-clean (written, then read back: L2 "
           "cold and clean), beside a streaming read of as many bytes\n",
           BENCH_MEMORY_BOUND_MN, m->bytes / 1e6, o->beta != 0.0f ? ", C read and written" : "",
           m->conds & 1u << COND_ROTATED ? "rotated (as compute-bound shapes), " : "",
           (double)m->flush_bytes / 1e6);
    printf("%-17s %-7s %-10s %-10s %-10s\n", "config", "check", "rel_fro", "err/bound",
           "=cuBLAS?");
    for (int i = 0; i < m->n; i++) {
        if (m->rows[i].refused) {
            printf("%-17s %-7s (its family does not take this shape)\n", m->rows[i].name, "n/a");
            continue;
        }
        print_check(m->rows[i].name, &m->rows[i].chk);
        printf("\n");
    }
    if (m->lt >= 0 && m->lt_algo < 0)
        printf("%-17s (cuBLASLt offered no algorithm that runs on this shape)\n", "cuBLASLt best");
    else if (m->lt >= 0) {
        print_check(m->rows[m->lt].name, &m->rows[m->lt].chk);
        print_lt_note(m);
    }
    printf("%-17s %-11s %9s %9s %8s %10s %12s %15s\n", "contender", "condition", "ms", "TFLOP/s",
           "TB/s", "vs cuBLAS", "vs Lt best", "of stream read");
    for (int i = 0; i < m->count; i++) {
        const row *r = &m->rows[i];
        if (r->kind == K_LT && m->lt_algo < 0)
            continue;
        for (int c = 0; c < COND_COUNT; c++) {
            if (!(m->conds & 1u << c))
                continue;
            printf("%-17s %-11s", r->name, condition_name((condition)c, o->back_to_back));
            if (!r->timed) {
                printf(r->refused ? " (n/a: its family does not take this shape)\n"
                                  : " (not timed: it failed its check)\n");
                continue;
            }
            const int gemm = r->kind != K_STREAM;
            printf(" %9.4f", r->ms[c]);
            if (gemm)
                printf(" %9.2f", th_tflops(o->m, o->n, o->k, r->ms[c]));
            else
                printf(" %9s", "-");
            printf(" %8.3f", m->bytes / (r->ms[c] * 1e-3) / 1e12);
            print_pct(10, gemm ? speed_ratio(m, m->cublas, i, (condition)c) : NAN);
            print_pct(12, gemm ? speed_ratio(m, m->lt, i, (condition)c) : NAN);
            print_pct(15, speed_ratio(m, m->stream, i, (condition)c));
            printf("\n");
        }
    }
}

/* cli.h */
int check_and_time(const entry *es, int n, const cli_options *o, int memory_bound, measured *m)
{
    int failed = measure(es, n, o, memory_bound, m);
    char lds[96] = "";
    if (o->lda || o->ldb || o->ldc)
        snprintf(lds, sizeof lds, " (lda %" PRId64 ", ldb %" PRId64 ", ldc %" PRId64 ")",
                 o->lda ? o->lda : o->k, o->ldb ? o->ldb : o->k, o->ldc ? o->ldc : o->n);
    printf("M=%" PRId64 " N=%" PRId64 " K=%" PRId64 "%s, bf16 in, %s out, median of %d rounds x "
           "%d calls (interleaved%s), %d input set(s), seed %" PRIu64 "\n",
           o->m, o->n, o->k, lds, tg_dtype_name(o->dtype), o->rounds, o->reps,
           o->back_to_back ? "; a round's calls back to back, their mean" : "", m->sets, o->seed);
    if (memory_bound)
        print_memory_bound(m, o);
    else
        print_compute_bound(m, o);
    return failed;
}

/* ------------------------------------------------------------------------
 * A suite's geometric means
 * ---------------------------------------------------------------------- */

typedef struct mean {
    double log_sum;
    int count;
} mean;

/* Per contender (the entries, cuBLAS, cuBLASLt best: the rows every shape has, in the same
 * places) and condition. */
typedef struct suite_means {
    char names[MAX_ROWS + 2][64];
    int rows;
    mean vs_cublas[MAX_ROWS + 2][COND_COUNT], vs_lt[MAX_ROWS + 2][COND_COUNT],
        share[MAX_ROWS + 2][COND_COUNT];
    int shapes[COND_COUNT]; /* shapes timed under each condition */
} suite_means;

static void mean_add(mean *x, double ratio)
{
    if (ratio > 0 && isfinite(ratio)) {
        x->log_sum += log(ratio);
        x->count++;
    }
}

/* A contender's name across the shapes of a suite. */
static const char *contender_name(const entry *es, const measured *m, int i)
{
    return i < m->n && !es[i].use_cfg ? LIBRARY_CHOICE : m->rows[i].name;
}

static void means_add(suite_means *s, const entry *es, const measured *m)
{
    s->rows = m->lt >= 0 ? m->lt + 1 : m->cublas + 1;
    for (int i = 0; i < s->rows; i++)
        snprintf(s->names[i], sizeof s->names[i], "%s", contender_name(es, m, i));
    for (int c = 0; c < COND_COUNT; c++) {
        if (!(m->conds & 1u << c))
            continue;
        s->shapes[c]++;
        for (int i = 0; i < s->rows; i++) {
            if (i != m->cublas)
                mean_add(&s->vs_cublas[i][c], speed_ratio(m, m->cublas, i, (condition)c));
            if (i != m->lt)
                mean_add(&s->vs_lt[i][c], speed_ratio(m, m->lt, i, (condition)c));
            mean_add(&s->share[i][c], speed_ratio(m, m->stream, i, (condition)c));
        }
    }
}

/* A geometric mean with how many shapes it is over: "97.3% (17/18)", or "-". */
static void print_mean(const mean *x, int shapes)
{
    char cell[48] = "-";
    if (x->count)
        snprintf(cell, sizeof cell, "%.1f%% (%d/%d)", 100.0 * exp(x->log_sum / x->count),
                 x->count, shapes);
    printf(" %16s", cell);
}

static void print_means(const char *suite, const suite_means *s, int b2b)
{
    printf("suite %s: geometric means of the ratios of speed over its shapes (above 100%% is "
           "faster than the baseline; (timed/shapes); %s is the library's choice)\n",
           suite, LIBRARY_CHOICE);
    printf("%-17s %-11s %16s %16s %16s\n", "contender", "condition", "vs cuBLAS", "vs Lt best",
           "of stream read");
    for (int i = 0; i < s->rows; i++)
        for (int c = 0; c < COND_COUNT; c++) {
            if (!s->shapes[c])
                continue;
            printf("%-17s %-11s", s->names[i], condition_name((condition)c, b2b));
            print_mean(&s->vs_cublas[i][c], s->shapes[c]);
            print_mean(&s->vs_lt[i][c], s->shapes[c]);
            print_mean(&s->share[i][c], s->shapes[c]);
            printf("\n");
        }
}

/* ------------------------------------------------------------------------
 * --csv
 * ---------------------------------------------------------------------- */

/* A field, quoted (RFC 4180) when it holds a comma, a quote or a line break. */
static void csv_text(FILE *f, const char *text)
{
    if (!strpbrk(text, ",\"\r\n")) {
        fputs(text, f);
        return;
    }
    fputc('"', f);
    for (const char *p = text; *p; p++) {
        if (*p == '"')
            fputc('"', f);
        fputc(*p, f);
    }
    fputc('"', f);
}

/* ",x" with printf's format, or "," alone where x is NAN or infinite. */
static void csv_number(FILE *f, const char *fmt, double x)
{
    fputc(',', f);
    if (isfinite(x))
        fprintf(f, fmt, x);
}

/* A row per contender and condition of one shape. */
static void csv_rows(FILE *f, const char *suite, const char *device, const entry *es,
                     const measured *m, const cli_options *o)
{
    const tg_gemm_args g = th_shape_args(shape_of(o));
    for (int i = 0; i < m->count; i++) {
        const row *r = &m->rows[i];
        char config[96];
        switch (r->kind) {
        case K_TILEGEMM:
            snprintf(config, sizeof config, "%.*s", TG_CONFIG_NAME_MAX, es[i].cfg.name);
            break;
        case K_CUBLAS: snprintf(config, sizeof config, "cublasGemmEx"); break;
        case K_LT:
            if (m->lt_algo < 0)
                snprintf(config, sizeof config, "-");
            else
                snprintf(config, sizeof config, "algorithm %d of %d", m->lt_algo, m->lt_offered);
            break;
        case K_STREAM: snprintf(config, sizeof config, "16-byte loads"); break;
        }
        const char *check = r->refused                                  ? "n/a"
                            : r->kind == K_TILEGEMM || r->kind == K_LT ? (r->chk.pass ? "pass" : "FAIL")
                                                                       : "-";
        if (r->kind == K_LT && m->lt_algo < 0)
            check = "none offered";
        for (int c = 0; c < COND_COUNT; c++) {
            if (!(m->conds & 1u << c))
                continue;
            const double ms = r->timed ? r->ms[c] : NAN;
            const int gemm = r->kind != K_STREAM;
            csv_text(f, suite);
            fprintf(f, ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64
                       ",%s,",
                    g.m, g.n, g.k, g.lda, g.ldb, g.ldc, tg_dtype_name(g.c_dtype));
            csv_text(f, contender_name(es, m, i));
            fputc(',', f);
            csv_text(f, config);
            fprintf(f, ",%s,%s", condition_name((condition)c, o->back_to_back), check);
            csv_number(f, "%.6f", ms);
            csv_number(f, "%.3f", gemm ? th_tflops(g.m, g.n, g.k, ms) : NAN);
            csv_number(f, "%.4f", m->stream >= 0 ? m->bytes / (ms * 1e-3) / 1e12 : NAN);
            csv_number(f, "%.4f", gemm ? speed_ratio(m, m->cublas, i, (condition)c) : NAN);
            csv_number(f, "%.4f", gemm ? speed_ratio(m, m->lt, i, (condition)c) : NAN);
            csv_number(f, "%.4f", speed_ratio(m, m->stream, i, (condition)c));
            fputc(',', f);
            csv_text(f, device);
            fputc('\n', f);
        }
    }
    fflush(f); /* a run cut short keeps the shapes it finished */
}

/* ------------------------------------------------------------------------
 * The command
 * ---------------------------------------------------------------------- */

/* Split text at `sep` into at most max items (text is cut in place); -1 if there are more. */
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

/*
 * The configurations to time: --configs ("default" is the library's
 * choice), or with --suite the library's choice, or every compiled one.
 * Exits 2 (or 1: not compiled) on a bad one.
 */
static int bench_configs(const cli_options *o, entry *es)
{
    if (!o->configs && o->suites) {
        memset(&es[0], 0, sizeof es[0]);
        snprintf(es[0].label, sizeof es[0].label, "default");
        return 1;
    }
    if (!o->configs)
        return every_compiled(es);
    /* Configurations are separated by ';' (a parameter string has commas); a
     * list of plain preset names may use commas too. */
    char buf[4096];
    if (strlen(o->configs) >= sizeof buf) {
        fprintf(stderr, "tilegemm bench: --configs is longer than %zu characters\n",
                sizeof buf - 1);
        exit(2);
    }
    strcpy(buf, o->configs);
    char sep = strchr(buf, '=') || strchr(buf, ';') ? ';' : ',';
    char *items[MAX_ROWS];
    int n = split(buf, sep, items, MAX_ROWS);
    if (n < 0) {
        fprintf(stderr, "tilegemm bench: --configs names more than %d configurations\n",
                MAX_ROWS);
        exit(2);
    }
    for (int i = 0; i < n; i++) {
        if (strcmp(items[i], "default")) {
            es[i] = runnable("bench", "--configs", items[i]);
            continue;
        }
        memset(&es[i], 0, sizeof es[i]);
        snprintf(es[i].label, sizeof es[i].label, "default");
    }
    return n;
}

/* A list of shapes to run: a suite's, or --shapes' (suite "shapes"). */
typedef struct shape_list {
    const char *suite;
    const char *what; /* a suite's line; NULL for --shapes */
    bench_shape shapes[MAX_ROWS];
    int n;
} shape_list;

/* o with shape s (its leading dimensions too). */
static cli_options at_shape(const cli_options *o, const bench_shape *s)
{
    cli_options so = *o;
    so.m = s->m;
    so.n = s->n;
    so.k = s->k;
    so.lda = s->lda;
    so.ldb = s->ldb;
    so.ldc = s->ldc;
    return so;
}

/* The lists to run, every shape checked by the library; exits 2 on a bad one. */
static int bench_shape_lists(const cli_options *o, shape_list *lists)
{
    int nl = 0;
    char err[512];
    if (!o->suites) {
        lists[0].suite = "shapes";
        lists[0].what = NULL;
        lists[0].n = bench_shapes_parse(o->shapes ? o->shapes : "8192x8192x8192",
                                        lists[0].shapes, MAX_ROWS, err, sizeof err);
        if (lists[0].n < 0) {
            fprintf(stderr, "tilegemm bench: --shapes: %s\n", err);
            exit(2);
        }
        nl = 1;
    }
    for (int i = 0; i < bench_suite_count(); i++) {
        if (!(o->suites & 1u << i))
            continue;
        const bench_suite *su = bench_suite_get(i);
        shape_list *l = &lists[nl++];
        l->suite = su->name;
        l->what = su->what;
        l->n = bench_shapes_parse(su->shapes, l->shapes, MAX_ROWS, err, sizeof err);
        if (l->n < 0) { /* a broken table: tests/test_bench_suites.c reads every suite */
            fprintf(stderr, "tilegemm bench: suite %s: %s\n", su->name, err);
            exit(1);
        }
    }
    for (int i = 0; i < nl; i++)
        for (int j = 0; j < lists[i].n; j++) {
            const cli_options so = at_shape(o, &lists[i].shapes[j]);
            const th_shape s = shape_of(&so);
            check_shape("bench", &s);
        }
    return nl;
}

/* cli.h */
void bench_print_suites(FILE *f)
{
    fprintf(f, "  Suites (--suite NAME,...; each is a list of shapes, as --shapes takes them):\n");
    for (int i = 0; i < bench_suite_count(); i++) {
        const bench_suite *su = bench_suite_get(i);
        fprintf(f, "    %-7s %s:\n", su->name, su->what);
        /* The shapes, wrapped at the commas. */
        const char *p = su->shapes;
        while (*p) {
            int len = (int)strlen(p);
            if (len > 68) {
                len = 68;
                while (len > 0 && p[len - 1] != ',')
                    len--;
            }
            fprintf(f, "            %.*s\n", len, p);
            p += len;
        }
    }
}

int cmd_bench(cli_options o)
{
    static entry es[MAX_ROWS];
    static shape_list lists[32 + 1];
    const int n = bench_configs(&o, es);
    const int nlists = bench_shape_lists(&o, lists);
    if (!need_gpu("bench"))
        return 1;
    print_device();
    if (!o.seed_set)
        o.seed = th_fresh_seed();
    struct cudaDeviceProp prop;
    int dev = 0;
    TH_CUDA(cudaGetDevice(&dev));
    TH_CUDA(cudaGetDeviceProperties(&prop, dev));
    FILE *csv = NULL;
    if (o.csv) {
        csv = fopen(o.csv, "w");
        if (!csv) {
            fprintf(stderr, "tilegemm bench: --csv: cannot write '%s': %s\n", o.csv,
                    strerror(errno));
            return 1;
        }
        fputs(BENCH_CSV_HEADER "\n", csv);
    }
    int failed = 0;
    static measured m;
    static suite_means means;
    for (int l = 0; l < nlists; l++) {
        const shape_list *list = &lists[l];
        if (list->what)
            printf("== suite %s: %s (%d shapes)\n\n", list->suite, list->what, list->n);
        memset(&means, 0, sizeof means);
        for (int i = 0; i < list->n; i++) {
            const cli_options so = at_shape(&o, &list->shapes[i]);
            const th_shape s = shape_of(&so);
            entry shape_es[MAX_ROWS]; /* the library's choice named for this shape */
            for (int e = 0; e < n; e++)
                shape_es[e] = es[e].use_cfg ? es[e] : library_choice(&s);
            failed |= check_and_time(shape_es, n, &so, bench_memory_bound(&list->shapes[i]), &m);
            means_add(&means, shape_es, &m);
            if (csv)
                csv_rows(csv, list->suite, prop.name, shape_es, &m, &so);
            printf("\n");
        }
        if (list->what) {
            print_means(list->suite, &means, o.back_to_back);
            printf("\n");
        }
    }
    if (csv) {
        const int bad = ferror(csv) | fclose(csv);
        if (bad) {
            fprintf(stderr, "tilegemm bench: --csv: writing '%s' failed: %s\n", o.csv,
                    strerror(errno));
            return 1;
        }
        printf("wrote %s\n", o.csv);
    }
    return failed;
}
