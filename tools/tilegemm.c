/*
 * tilegemm — the command line.
 *
 *   tilegemm run                 the main job: 8192³ with seed and split8, each
 *                                checked against cuBLAS and timed beside it; with
 *                                no GPU, runs the CPU plan verifier instead
 *   tilegemm check --config X --m M --n N --k K [options]
 *   tilegemm bench [--configs a,b] [--shapes MxNxK,...] [--dtype fp32|bf16]
 *   tilegemm tune  [--m M --n N --k K]   time every compiled config, best first
 *   tilegemm plan  --config X    the derived tile plan
 *   tilegemm list                configs, with registers, spills, shared memory
 *   tilegemm verify [--config X] the CPU plan verifier
 *
 * Exit status: 0 success, 1 a check failed or an error, 2 bad usage.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "tilegemm.h"

/* ------------------------------------------------------------------------
 * Options
 * ---------------------------------------------------------------------- */

typedef struct options {
    const char *config;   /* --config */
    const char *configs;  /* --configs a,b,c */
    const char *shapes;   /* --shapes MxNxK,... */
    int64_t m, n, k, lda, ldb, ldc, batch;
    tg_dtype dtype;
    int misalign; /* --misalign: offset A, B and C off 16-byte (and pair) alignment */
    int reps, warmup;
    uint64_t seed;
    int seed_set;
} options;

static void usage(FILE *f)
{
    fprintf(f,
            "usage: tilegemm <command> [options]\n"
            "  run                         8192^3 with seed and split8 vs cuBLAS (CPU plan verifier "
            "without a GPU)\n"
            "  check --config X --m M --n N --k K [--lda L --ldb L --ldc L --batch B]\n"
            "        [--dtype fp32|bf16] [--misalign] [--seed S]\n"
            "  bench [--configs a,b] [--shapes MxNxK,...] [--dtype fp32|bf16] [--reps R]\n"
            "  tune  [--m M --n N --k K] [--dtype fp32|bf16]\n"
            "  plan  --config X            print the derived tile plan\n"
            "  list                        compiled configs with registers, spills, shared memory\n"
            "  verify [--config X]         run the CPU plan verifier\n"
            "A config is a preset name (tilegemm list) or key=value pairs, e.g.\n"
            "  --config split8   --config \"block=128,reg_m=16,reg_n=16\"   --config seed,reg=16\n");
}

static int64_t parse_int(const char *flag, const char *v)
{
    char *end = NULL;
    long long x = v ? strtoll(v, &end, 10) : 0;
    if (!v || *end != '\0') {
        fprintf(stderr, "tilegemm: %s needs an integer, got '%s'\n", flag, v ? v : "(nothing)");
        exit(2);
    }
    return (int64_t)x;
}

static options parse_options(int argc, char **argv)
{
    options o = {0};
    o.dtype = TG_DTYPE_F32;
    o.batch = 1;
    o.reps = 20;
    o.warmup = 5;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--misalign")) {
            o.misalign = 1;
            continue;
        }
        if (strncmp(a, "--", 2) || !v) {
            fprintf(stderr, "tilegemm: unexpected argument '%s'\n", a);
            usage(stderr);
            exit(2);
        }
        i++;
        if (!strcmp(a, "--config"))
            o.config = v;
        else if (!strcmp(a, "--configs"))
            o.configs = v;
        else if (!strcmp(a, "--shapes"))
            o.shapes = v;
        else if (!strcmp(a, "--m"))
            o.m = parse_int(a, v);
        else if (!strcmp(a, "--n"))
            o.n = parse_int(a, v);
        else if (!strcmp(a, "--k"))
            o.k = parse_int(a, v);
        else if (!strcmp(a, "--lda"))
            o.lda = parse_int(a, v);
        else if (!strcmp(a, "--ldb"))
            o.ldb = parse_int(a, v);
        else if (!strcmp(a, "--ldc"))
            o.ldc = parse_int(a, v);
        else if (!strcmp(a, "--batch"))
            o.batch = parse_int(a, v);
        else if (!strcmp(a, "--reps"))
            o.reps = (int)parse_int(a, v);
        else if (!strcmp(a, "--warmup"))
            o.warmup = (int)parse_int(a, v);
        else if (!strcmp(a, "--seed")) {
            o.seed = (uint64_t)parse_int(a, v);
            o.seed_set = 1;
        } else if (!strcmp(a, "--dtype")) {
            if (!strcmp(v, "fp32"))
                o.dtype = TG_DTYPE_F32;
            else if (!strcmp(v, "bf16"))
                o.dtype = TG_DTYPE_BF16;
            else {
                fprintf(stderr, "tilegemm: --dtype must be fp32 or bf16, got '%s'\n", v);
                exit(2);
            }
        } else {
            fprintf(stderr, "tilegemm: unknown option '%s'\n", a);
            usage(stderr);
            exit(2);
        }
    }
    if (o.reps < 1 || o.warmup < 0) {
        fprintf(stderr, "tilegemm: --reps must be >= 1 and --warmup >= 0\n");
        exit(2);
    }
    if (!o.seed_set)
        o.seed = th_fresh_seed();
    return o;
}

static tg_config need_config(const char *text)
{
    tg_config cfg;
    if (!text) {
        fprintf(stderr, "tilegemm: --config is required\n");
        exit(2);
    }
    tg_status s = tg_config_parse(text, &cfg);
    if (s != TG_SUCCESS) {
        fprintf(stderr, "tilegemm: --config %s: %s: %s\n", text, tg_status_string(s),
                tg_last_error());
        exit(s == TG_ERR_NOT_COMPILED ? 1 : 2);
    }
    return cfg;
}

static th_shape shape_of(const options *o)
{
    th_shape s = {o->m, o->n, o->k, o->lda, o->ldb, o->ldc, o->batch, o->dtype, o->misalign};
    return s;
}

/* ------------------------------------------------------------------------
 * Timing
 * ---------------------------------------------------------------------- */

typedef struct timing_ctx {
    const tg_config *cfg; /* NULL: cuBLAS */
    cublasHandle_t h;
    tg_gemm_args *sets;   /* input sets rotated so caches do not hold them */
    int nsets;
} timing_ctx;

static void timed_call(void *vctx, int iter)
{
    timing_ctx *t = vctx;
    tg_gemm_args *g = &t->sets[iter % t->nsets];
    if (t->cfg) {
        tg_status s = tg_gemm(g, t->cfg, NULL);
        if (s != TG_SUCCESS) {
            fprintf(stderr, "tilegemm: tg_gemm failed while timing: %s: %s\n",
                    tg_status_string(s), tg_last_error());
            exit(1);
        }
    } else {
        th_cublas_gemm(t->h, g->a, g->lda, g->b, g->ldb, g->c, g->ldc, g->c_dtype, g->m, g->n,
                       g->k, NULL);
    }
}

/*
 * Input sets for timing: the checked problem plus copies of A and B, enough
 * that all of them together exceed twice the L2 cache.
 */
typedef struct timing_sets {
    tg_gemm_args sets[16];
    void *mem[16];
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
    int n = (int)((2.0 * l2) / (double)per) + 1;
    ts.n = n < 1 ? 1 : n > 16 ? 16 : n;
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

static double time_config(const tg_config *cfg, cublasHandle_t h, timing_sets *ts,
                          const options *o)
{
    timing_ctx ctx = {cfg, h, ts->sets, ts->n};
    return th_time_ms(timed_call, &ctx, o->warmup, o->reps, NULL);
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

/* ------------------------------------------------------------------------
 * Commands
 * ---------------------------------------------------------------------- */

static int verify_all(const char *only)
{
    char report[8192];
    int failed = 0;
    for (int i = 0; i < tg_config_count(); i++) {
        tg_config cfg;
        TH_TG(tg_config_get(i, &cfg));
        if (only && strcmp(only, cfg.name))
            continue;
        tg_status s = tg_plan_verify(&cfg.tile, report, sizeof report);
        printf("%-14s %s", cfg.name, report);
        failed |= s != TG_SUCCESS;
    }
    return failed;
}

static int cmd_verify(const options *o)
{
    if (o->config) {
        tg_config cfg = need_config(o->config);
        char report[8192];
        tg_status s = tg_plan_verify(&cfg.tile, report, sizeof report);
        printf("%-14s %s", cfg.name, report);
        return s != TG_SUCCESS;
    }
    return verify_all(NULL);
}

typedef struct row {
    const char *name;
    th_check chk;
    double ms;
} row;

/* Check and time each config on one shape, cuBLAS timed in the same run; print a table. */
enum { MAX_ROWS = 64 };

typedef struct measured {
    row rows[MAX_ROWS];
    int n;
    double cublas_ms;
    int sets; /* input sets rotated while timing */
} measured;

/*
 * Check each config on one fresh problem of o's shape, then time those that
 * passed (a failed one gets ms = INFINITY), and cuBLAS on the same buffers.
 * Returns nonzero if any check failed.
 */
static int measure(const tg_config *cfgs, int ncfg, const options *o, measured *out)
{
    cublasHandle_t h;
    TH_CUBLAS(cublasCreate(&h));
    th_rng rng = th_rng_new(o->seed);
    th_problem p = th_problem_make(shape_of(o), &rng);
    timing_sets ts = make_timing_sets(&p);
    int failed = 0;
    out->n = ncfg < MAX_ROWS ? ncfg : MAX_ROWS;
    for (int i = 0; i < out->n; i++) {
        row *r = &out->rows[i];
        r->name = cfgs[i].name;
        r->chk = th_check_config(&cfgs[i], &p, h, stderr);
        failed |= !r->chk.pass;
        r->ms = r->chk.pass ? time_config(&cfgs[i], h, &ts, o) : INFINITY;
    }
    out->cublas_ms = time_config(NULL, h, &ts, o);
    out->sets = ts.n;
    free_timing_sets(&ts);
    th_problem_free(&p);
    TH_CUBLAS(cublasDestroy(h));
    return failed;
}

/* Check and time each config on one shape, cuBLAS timed in the same run; print a table. */
static int check_and_time(const tg_config *cfgs, int ncfg, const options *o)
{
    measured m;
    int failed = measure(cfgs, ncfg, o, &m);
    printf("M=%" PRId64 " N=%" PRId64 " K=%" PRId64 ", bf16 in, %s out, median of %d, %d input "
           "set(s), seed %" PRIu64 "\n",
           o->m, o->n, o->k, tg_dtype_name(o->dtype), o->reps, m.sets, o->seed);
    printf("%-14s %-7s %-10s %-10s %-10s %9s %9s %9s\n", "config", "check", "rel_fro", "err/bound",
           "=cuBLAS?", "ms", "TFLOP/s", "vs cuBLAS");
    for (int i = 0; i < m.n; i++) {
        const row *r = &m.rows[i];
        char same[16] = "-";
        if (r->chk.cublas_rel_fro >= 0)
            snprintf(same, sizeof same, "%.1e", r->chk.cublas_rel_fro);
        printf("%-14s %-7s %-10.2e %-10.3f %-10s", r->name, r->chk.pass ? "pass" : "FAIL",
               r->chk.rel_fro, r->chk.max_ratio, same);
        if (r->chk.pass)
            printf(" %9.3f %9.1f %8.1f%%\n", r->ms, th_tflops(o->m, o->n, o->k, r->ms),
                   100.0 * m.cublas_ms / r->ms);
        else
            printf(" %9s %9s %9s\n", "-", "-", "-"); /* never timed: it failed its check */
    }
    printf("%-14s %-7s %-10s %-10s %-10s %9.3f %9.1f %8.1f%%\n", "cuBLAS", "-", "-", "-", "-",
           m.cublas_ms, th_tflops(o->m, o->n, o->k, m.cublas_ms), 100.0);
    return failed;
}

static int cmd_run(options o)
{
    if (!th_have_gpu(stdout)) {
        printf("No usable GPU found: running the CPU plan verifier for every compiled "
               "configuration instead (GEMMs need an sm_90 GPU).\n");
        return verify_all(NULL);
    }
    print_device();
    tg_config cfgs[2];
    TH_TG(tg_config_parse("seed", &cfgs[0]));
    TH_TG(tg_config_parse("split8", &cfgs[1]));
    o.m = o.n = o.k = 8192;
    return check_and_time(cfgs, 2, &o);
}

static int need_gpu(void)
{
    if (!th_have_gpu(stderr)) {
        fprintf(stderr, "tilegemm: this command needs an sm_90 GPU\n");
        return 0;
    }
    return 1;
}

static int cmd_check(options o)
{
    tg_config cfg = need_config(o.config);
    if (o.m < 1 || o.n < 1 || o.k < 1) {
        fprintf(stderr, "tilegemm check: --m, --n and --k are required and must be >= 1\n");
        return 2;
    }
    if (!need_gpu())
        return 1;
    /* cuBLAS only for problems too large for the CPU reference (and so not
     * under compute-sanitizer, which runs small shapes). */
    cublasHandle_t h = NULL;
    double macs = (double)o.m * (double)o.n * (double)o.k * (double)(o.batch > 1 ? o.batch : 1);
    if (macs > (double)TH_FULL_REFERENCE_MACS)
        TH_CUBLAS(cublasCreate(&h));
    th_rng rng = th_rng_new(o.seed);
    th_problem p = th_problem_make(shape_of(&o), &rng);
    th_check r = th_check_config(&cfg, &p, h, stderr);
    printf("%s M=%" PRId64 " N=%" PRId64 " K=%" PRId64 " lda=%" PRId64 " ldb=%" PRId64
           " ldc=%" PRId64 " batch=%" PRId64 " %s%s seed=%" PRIu64 ": %s (against %s: %" PRId64
           " elements, %" PRId64 " bad, rel_fro %.2e vs double, max err/bound %.3f)\n",
           cfg.name, p.g.m, p.g.n, p.g.k, p.g.lda, p.g.ldb, p.g.ldc, p.g.batch,
           tg_dtype_name(o.dtype), o.misalign ? " misaligned" : "", o.seed,
           r.pass ? "PASS" : "FAIL", r.against ? r.against : "-", r.checked, r.bad, r.rel_fro,
           r.max_ratio);
    th_problem_free(&p);
    if (h)
        TH_CUBLAS(cublasDestroy(h));
    return !r.pass;
}

static int split_list(char *text, char **items, int max)
{
    int n = 0;
    for (char *tok = strtok(text, ";"); tok && n < max; tok = strtok(NULL, ";"))
        items[n++] = tok;
    return n;
}

static int cmd_bench(options o)
{
    if (!need_gpu())
        return 1;
    print_device();
    tg_config cfgs[MAX_ROWS];
    int ncfg = 0;
    if (o.configs) {
        /* Configs are separated by ';' (a parameter string has commas). A
         * list of plain preset names may also use commas. */
        char buf[2048];
        snprintf(buf, sizeof buf, "%s", o.configs);
        if (!strchr(buf, '=') && !strchr(buf, ';'))
            for (char *c = buf; *c; c++)
                if (*c == ',')
                    *c = ';';
        char *items[MAX_ROWS];
        int n = split_list(buf, items, MAX_ROWS);
        for (int i = 0; i < n; i++)
            cfgs[ncfg++] = need_config(items[i]);
    } else {
        for (int i = 0; i < tg_config_count() && ncfg < MAX_ROWS; i++)
            TH_TG(tg_config_get(i, &cfgs[ncfg++]));
    }
    const char *shapes = o.shapes ? o.shapes : "8192x8192x8192,4096x4096x4096,2048x2048x2048";
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", shapes);
    int failed = 0;
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        long long m, n, k;
        char *save = tok;
        if (sscanf(save, "%lldx%lldx%lld", &m, &n, &k) != 3) {
            fprintf(stderr, "tilegemm bench: shape '%s' is not MxNxK\n", save);
            return 2;
        }
        options so = o;
        so.m = m;
        so.n = n;
        so.k = k;
        /* strtok is not reentrant: check_and_time does not use it. */
        failed |= check_and_time(cfgs, ncfg, &so);
        printf("\n");
    }
    return failed;
}

static int cmp_row_ms(const void *x, const void *y)
{
    double a = ((const row *)x)->ms, b = ((const row *)y)->ms;
    return (a > b) - (a < b);
}

static int cmd_tune(options o)
{
    if (!need_gpu())
        return 1;
    print_device();
    if (!o.m)
        o.m = o.n = o.k = 8192;
    tg_config cfgs[MAX_ROWS];
    int n = 0;
    for (int i = 0; i < tg_config_count() && n < MAX_ROWS; i++)
        TH_TG(tg_config_get(i, &cfgs[n++]));
    measured m;
    int failed = measure(cfgs, n, &o, &m);
    qsort(m.rows, (size_t)m.n, sizeof(row), cmp_row_ms);
    printf("tune M=%" PRId64 " N=%" PRId64 " K=%" PRId64 " (%s out): fastest first\n", o.m, o.n,
           o.k, tg_dtype_name(o.dtype));
    for (int i = 0; i < m.n; i++)
        printf("  %-14s %9.3f ms %8.1f TFLOP/s %7.1f%% of cuBLAS%s\n", m.rows[i].name,
               m.rows[i].ms, th_tflops(o.m, o.n, o.k, m.rows[i].ms),
               100.0 * m.cublas_ms / m.rows[i].ms, m.rows[i].chk.pass ? "" : "  (failed its check)");
    printf("  %-14s %9.3f ms %8.1f TFLOP/s\n", "cuBLAS", m.cublas_ms,
           th_tflops(o.m, o.n, o.k, m.cublas_ms));
    if (m.rows[0].chk.pass)
        printf("best: --config %s\n", m.rows[0].name);
    return failed;
}

static int cmd_plan(const options *o)
{
    tg_config cfg = need_config(o->config);
    const tg_tile *t = &cfg.tile;
    char text[512];
    TH_TG(tg_config_format(&cfg, text, sizeof text));
    int am = tg_plan_acc_m(t), an = tg_plan_acc_n(t);
    printf("config %s: %s\n", cfg.name, text);
    printf("  block tile           %d x %d (BLOCK_M x BLOCK_N), %d threads = %d x %d warps\n",
           t->block_m, t->block_n, tg_plan_threads(t), t->warps_m, t->warps_n);
    printf("  warp tile            %d x %d; warp w: warp_row = w / %d, warp_col = w %% %d\n",
           tg_plan_warp_tile_m(t), tg_plan_warp_tile_n(t), t->warps_n, t->warps_n);
    printf("  accumulators/warp    %d x %d = %d tiles of %d x %d fp32 (REG_BLOCK_M x "
           "REG_BLOCK_N), %d registers/thread\n",
           am, an, am * an, t->reg_block_m, t->reg_block_n, tg_plan_acc_regs(t));
    printf("  mma tiles/accum.     %d x %d of m16n8k16\n", TG_MMA_TILES_M(t->reg_block_m),
           TG_MMA_TILES_N(t->reg_block_n));
    printf("  K loop               K_STEP %d = %d slices of DOT_SLICE_SHARED %d; each slice "
           "= %d DOT_SLICE of %d\n",
           t->k_step, tg_plan_slices_per_step(t), t->dot_slice_shared,
           t->dot_slice_shared / t->dot_slice, t->dot_slice);
    printf("  pipeline             %s, %d stages, %d bytes shared memory, min %d blocks/SM\n",
           t->pipe == TG_PIPE_CP_ASYNC ? "cp.async global->shared" : "global->registers->shared",
           t->stages, tg_plan_smem_bytes(t), t->min_blocks);
    printf("  loads per slice      %d + %d 16-byte vectors per thread (A + B)\n",
           TG_LOAD_VECS(t->block_m, t->dot_slice_shared, t->warps_m, t->warps_n),
           TG_LOAD_VECS(t->block_n, t->dot_slice_shared, t->warps_m, t->warps_n));
    printf("  layout               %s\n", t->layout == TG_LAYOUT_INTERLEAVED
                                             ? "interleaved (the seed's): piece = warp + grid*i"
                                             : "contiguous: piece = warp*count + i");
    printf("\n  warp (row,col)  accumulator (i,j)  A subtile rows  B subtile rows  C tile "
           "(rows, cols) in block\n");
    for (int w = 0; w < tg_plan_warps(t); w++) {
        int wr = tg_plan_warp_row(t, w), wc = tg_plan_warp_col(t, w);
        for (int i = 0; i < am; i++)
            for (int j = 0; j < an; j++) {
                tg_rc a = tg_plan_a_subtile(t, wr, i, 0), b = tg_plan_b_subtile(t, wc, j, 0);
                tg_rc64 c = tg_plan_c_tile(t, 0, 0, wr, wc, i, j);
                printf("  %2d (%d,%d)        (%d,%d)              %4d..%-4d       %4d..%-4d       "
                       "(%lld..%lld, %lld..%lld)\n",
                       w, wr, wc, i, j, a.row, a.row + t->reg_block_m - 1, b.row,
                       b.row + t->reg_block_n - 1, (long long)c.row,
                       (long long)c.row + t->reg_block_m - 1, (long long)c.col,
                       (long long)c.col + t->reg_block_n - 1);
            }
    }
    printf("  (A and B subtiles at K columns s*DOT_SLICE of each shared slice, s = 0..%d)\n",
           t->dot_slice_shared / t->dot_slice - 1);
    return 0;
}

static int cmd_list(void)
{
    int gpu = th_have_gpu(NULL);
    if (gpu)
        print_device();
    else
        printf("(no GPU: registers and spills of compiled kernels need one; plan figures "
               "shown)\n");
    printf("%-14s %-9s %-7s %-8s %-5s %-11s %-8s %-6s %6s %6s %8s %6s\n", "config", "block",
           "reg", "acc/warp", "warps", "layout", "pipe", "stages", "regs", "spill", "smem", "blk/SM");
    for (int i = 0; i < tg_config_count(); i++) {
        tg_config cfg;
        TH_TG(tg_config_get(i, &cfg));
        const tg_tile *t = &cfg.tile;
        char block[16], reg[16], warps[8];
        snprintf(block, sizeof block, "%dx%d", t->block_m, t->block_n);
        snprintf(reg, sizeof reg, "%dx%d", t->reg_block_m, t->reg_block_n);
        snprintf(warps, sizeof warps, "%dx%d", t->warps_m, t->warps_n);
        printf("%-14s %-9s %-7s %-8d %-5s %-11s %-8s %-6d", cfg.name, block, reg,
               tg_plan_acc_m(t) * tg_plan_acc_n(t), warps,
               t->layout == TG_LAYOUT_INTERLEAVED ? "interleaved" : "contiguous",
               t->pipe == TG_PIPE_CP_ASYNC ? "cp_async" : "regs", t->stages);
        tg_kernel_info info;
        if (gpu && tg_kernel_get_info(&cfg, &info) == TG_SUCCESS)
            printf(" %6d %6zu %8zu %6d\n", info.registers, info.local_bytes, info.dynamic_smem,
                   info.blocks_per_sm);
        else
            printf(" %6s %6s %8d %6s\n", "-", "-", tg_plan_smem_bytes(t), "-");
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
        !strcmp(argv[1], "help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *cmd = argv[1];
    options o = parse_options(argc - 2, argv + 2);
    if (!strcmp(cmd, "run"))
        return cmd_run(o);
    if (!strcmp(cmd, "check"))
        return cmd_check(o);
    if (!strcmp(cmd, "bench"))
        return cmd_bench(o);
    if (!strcmp(cmd, "tune"))
        return cmd_tune(o);
    if (!strcmp(cmd, "plan"))
        return cmd_plan(&o);
    if (!strcmp(cmd, "list"))
        return cmd_list();
    if (!strcmp(cmd, "verify"))
        return cmd_verify(&o);
    fprintf(stderr, "tilegemm: unknown command '%s'\n", cmd);
    usage(stderr);
    return 2;
}
