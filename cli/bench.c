/*
 * bench.c — the bench command: configurations checked, then timed beside
 * cuBLAS on each shape, one table a shape; see cli.h.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

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

/* cli.h */
int check_and_time(const entry *es, int n, const cli_options *o)
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


int cmd_bench(cli_options o)
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
