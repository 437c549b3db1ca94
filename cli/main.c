/*
 * main.c — the tilegemm command: run, check, bench, tune, plan, list,
 * verify (options.c parses the command line; tilegemm --help lists them;
 * measure.c times, bench.c is the bench command: cli.h).
 *
 * Exit status: 0 success, 1 a check failed or an error, 2 bad usage.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* ------------------------------------------------------------------------
 * Configurations, shapes and the device
 * ---------------------------------------------------------------------- */

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

entry runnable(const char *cmd, const char *flag, const char *text)
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

entry library_choice(const th_shape *s)
{
    entry e;
    memset(&e, 0, sizeof e);
    tg_gemm_args g = th_shape_args(*s);
    /* with the workspace the harness passes (th_problem_make), as the timed calls have it */
    TH_TG(tg_gemm_workspace_size(&g, NULL, &g.workspace_size));
    TH_TG(tg_gemm_choose(&g, &e.cfg, NULL, 0)); /* named, not used: use_cfg stays 0 */
    snprintf(e.label, sizeof e.label, "default=%s", e.cfg.name);
    return e;
}

void check_shape(const char *cmd, const th_shape *s)
{
    const tg_gemm_args g = th_shape_args(*s);
    tg_status st = tg_gemm_check_args(&g);
    if (st != TG_SUCCESS) {
        fprintf(stderr, "tilegemm %s: %s: %s\n", cmd, tg_status_string(st), tg_last_error());
        exit(2);
    }
}

th_shape shape_of(const cli_options *o)
{
    th_shape s = {o->m, o->n, o->k, o->lda, o->ldb, o->ldc, o->batch, o->dtype, o->misalign,
                  1, o->alpha, o->beta};
    return s;
}

int every_compiled(entry *es)
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

void print_device(void)
{
    struct cudaDeviceProp prop;
    int dev = 0;
    TH_CUDA(cudaGetDevice(&dev));
    TH_CUDA(cudaGetDeviceProperties(&prop, dev));
    printf("device: %s, %d SMs, %.0f MB L2, sm_%d%d\n", prop.name, prop.multiProcessorCount,
           prop.l2CacheSize / 1e6, prop.major, prop.minor);
}

int need_gpu(const char *cmd)
{
    if (!th_have_gpu(stderr)) {
        fprintf(stderr, "tilegemm %s: this command runs GEMMs and needs an sm_90 GPU\n", cmd);
        return 0;
    }
    return 1;
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
    static measured m;
    return check_and_time(es, 3, &o, 0, &m);
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

static int cmp_row_ms(const void *x, const void *y)
{
    double a = ((const row *)x)->ms[COND_ROTATED], b = ((const row *)y)->ms[COND_ROTATED];
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
    static measured m;
    int failed = measure(es, n, &o, 0, &m);
    const double cublas_ms = m.rows[m.cublas].ms[COND_ROTATED];
    const double lt_ms = m.lt >= 0 ? m.rows[m.lt].ms[COND_ROTATED] : INFINITY;
    qsort(m.rows, (size_t)m.n, sizeof(row), cmp_row_ms); /* the entries only */
    printf("tune M=%" PRId64 " N=%" PRId64 " K=%" PRId64 " (%s out): fastest first\n", o.m, o.n,
           o.k, tg_dtype_name(o.dtype));
    for (int i = 0; i < m.n; i++) {
        const double ms = m.rows[i].ms[COND_ROTATED];
        printf("  %-14s %9.3f ms %8.1f TFLOP/s %7.1f%% of cuBLAS%s\n", m.rows[i].name, ms,
               th_tflops(o.m, o.n, o.k, ms), 100.0 * cublas_ms / ms,
               m.rows[i].chk.pass ? "" : "  (failed its check)");
    }
    printf("  %-14s %9.3f ms %8.1f TFLOP/s\n", "cuBLAS", cublas_ms,
           th_tflops(o.m, o.n, o.k, cublas_ms));
    if (isfinite(lt_ms))
        printf("  %-14s %9.3f ms %8.1f TFLOP/s (cuBLASLt's algorithm %d of %d offered, the fastest)\n",
               "cuBLASLt best", lt_ms, th_tflops(o.m, o.n, o.k, lt_ms), m.lt_algo, m.lt_offered);
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
    tg_gemm_args g = th_shape_args(shape);
    /* As a caller that passes the workspace the library asks for. */
    size_t workspace = 0;
    tg_status s = tg_gemm_workspace_size(&g, NULL, &workspace);
    g.workspace_size = workspace;
    tg_config cfg;
    char why[TG_WHY_BYTES];
    if (s == TG_SUCCESS)
        s = tg_gemm_choose(&g, &cfg, why, sizeof why);
    if (s != TG_SUCCESS) {
        fprintf(stderr, "tilegemm plan: %s: %s\n", tg_status_string(s), tg_last_error());
        return s == TG_ERR_INVALID_ARGUMENT ? 2 : 1;
    }
    printf("M=%" PRId64 " N=%" PRId64 " K=%" PRId64 " %s out: the library chooses %s\n  why: %s\n"
           "  workspace: %zu bytes (tg_gemm_workspace_size)\n",
           o->m, o->n, o->k, tg_dtype_name(o->dtype), cfg.name, why, workspace);
    if (workspace) {
        tg_config bare;
        g.workspace_size = 0;
        TH_TG(tg_gemm_choose(&g, &bare, why, sizeof why));
        printf("  without a workspace: %s (%s)\n", bare.name, why);
    }
    printf("\n");
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
        if (o.command == CMD_BENCH)
            bench_print_suites(stdout); /* from the table itself */
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
