/*
 * timeline.c — where a hopper kernel's time goes, block by block.
 *
 * Runs one configuration on one shape, CALLS times back to back on one
 * stream (as bench times it: the launches overlap through PDL), each call
 * recording its blocks' stamps (src/core/timeline.h) into its own buffer,
 * and prints, for the median call by span, when the blocks reached each
 * mark and how long each phase took, across blocks. Needs a library built
 * with -DTG_TIMELINE=ON (scripts/gpu-suite.sh timeline builds one in
 * build-tl/); the stamps cost a few instructions per block and tile.
 *
 *   tg_timeline --config NAME --m M --n N --k K [--dtype fp32|bf16]
 *               [--condition rotated|warm|flushed|flushed-clean] [--calls C]
 *               [--csv FILE]
 *
 * rotated (default): input sets rotated past twice the L2, as bench's
 * "rotated"; warm: one set; flushed: L2 flushed (in the stream) before
 * every call; flushed-clean: the same, the flush's lines then read back (L2
 * cold and clean, as bench's flushed-clean). The first call's output is
 * checked against the reference (cuBLAS above TH_FULL_REFERENCE_MACS): the
 * stamps must not change C. Every block's marks must come in order (ENTER
 * <= READY <= FULL0 <= MAIN_END <= EPI_END <= EXIT on the SM's clock, where
 * reached) or the run fails. Exit: 0, 1 (a failure, or a build without stamps), 2
 * (usage), 77 (no GPU).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "core/timeline.h"
#include "harness.h"

enum { MAX_CALLS = 16, MAX_SETS = 16, MAX_BLOCKS = 16384 };
enum { COND_ROTATED, COND_WARM, COND_FLUSHED, COND_CLEAN };

static const char *const mark_names[TG_TL_MARKS] = {"enter",    "ready",   "load0", "full0",
                                                     "main_end", "epi_end", "exit"};

static void usage(void)
{
    fputs("usage: tg_timeline --config NAME --m M --n N --k K [--dtype fp32|bf16]\n"
          "                   [--condition rotated|warm|flushed|flushed-clean] [--calls C]\n"
          "                   [--csv FILE]\n",
          stderr);
    exit(2);
}

/* The q-quantile (0..1) of n sorted values. */
static double quantile(const double *v, int n, double q)
{
    if (n == 0)
        return NAN;
    int i = (int)(q * (n - 1) + 0.5);
    return v[i < 0 ? 0 : i >= n ? n - 1 : i];
}

typedef struct call_view {
    const tg_timeline_block *rec;
    int blocks;              /* records with ENTER stamped */
    unsigned long long t0;   /* the earliest ENTER (ns) */
    unsigned long long t1;   /* the latest EXIT (ns) */
    double span_us;          /* the earliest ENTER to the latest EXIT */
} call_view;

static call_view view_of(const tg_timeline_block *rec, int max)
{
    call_view v = {rec, 0, ~0ull, 0, 0};
    unsigned long long t1 = 0;
    for (int b = 0; b < max; b++) {
        if (!rec[b].ns[TG_TL_ENTER])
            continue;
        v.blocks = b + 1;
        if (rec[b].ns[TG_TL_ENTER] < v.t0)
            v.t0 = rec[b].ns[TG_TL_ENTER];
        if (rec[b].ns[TG_TL_EXIT] > t1)
            t1 = rec[b].ns[TG_TL_EXIT];
    }
    v.t1 = t1;
    v.span_us = v.blocks ? (double)(t1 - v.t0) * 1e-3 : 0;
    return v;
}

/* Marks out of order on the SM's clock (LOAD0 is another thread's: not compared). */
static int check_order(const call_view *v, int call)
{
    static const int order[] = {TG_TL_ENTER,    TG_TL_READY,   TG_TL_FULL0,
                                TG_TL_MAIN_END, TG_TL_EPI_END, TG_TL_EXIT};
    int bad = 0;
    for (int b = 0; b < v->blocks; b++) {
        const tg_timeline_block *r = &v->rec[b];
        if (!r->ns[TG_TL_ENTER])
            continue;
        unsigned long long last = 0;
        for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
            if (!r->ns[order[i]])
                continue;
            if (r->clk[order[i]] < last && bad++ < 3)
                fprintf(stderr, "FAIL call %d block %d: mark %s before the one ahead of it\n",
                        call, b, mark_names[order[i]]);
            last = r->clk[order[i]];
        }
    }
    return bad;
}

/* One phase across blocks: from mark a to mark b (where both were reached), in µs by the SM
 * clock at ghz; per = a divisor (K tiles) for a per-step figure, 0 for none. */
static void phase(const call_view *v, const char *name, int a, int b, double ghz, double per)
{
    static double d[MAX_BLOCKS];
    int n = 0;
    for (int i = 0; i < v->blocks; i++) {
        const tg_timeline_block *r = &v->rec[i];
        if (r->ns[a] && r->ns[b])
            d[n++] = (double)(long long)(r->clk[b] - r->clk[a]) / (ghz * 1e3);
    }
    if (!n)
        return;
    th_sort(d, (size_t)n);
    printf("  %-34s %7.2f %7.2f %7.2f %7.2f", name, quantile(d, n, 0.1), quantile(d, n, 0.5),
           quantile(d, n, 0.9), d[n - 1]);
    if (per > 0)
        printf("   %.0f ns a K tile (p50)", quantile(d, n, 0.5) * 1e3 / per);
    printf("\n");
}

int main(int argc, char **argv)
{
    const char *config = NULL, *csv = NULL;
    long long m = 0, n = 0, k = 0;
    int calls = 5, cond = COND_ROTATED;
    tg_dtype dtype = TG_DTYPE_F32;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!val)
            usage();
        i++;
        if (!strcmp(a, "--config"))
            config = val;
        else if (!strcmp(a, "--m"))
            m = atoll(val);
        else if (!strcmp(a, "--n"))
            n = atoll(val);
        else if (!strcmp(a, "--k"))
            k = atoll(val);
        else if (!strcmp(a, "--calls"))
            calls = atoi(val);
        else if (!strcmp(a, "--csv"))
            csv = val;
        else if (!strcmp(a, "--dtype") && (!strcmp(val, "fp32") || !strcmp(val, "bf16")))
            dtype = !strcmp(val, "fp32") ? TG_DTYPE_F32 : TG_DTYPE_BF16;
        else if (!strcmp(a, "--condition") && !strcmp(val, "rotated"))
            cond = COND_ROTATED;
        else if (!strcmp(a, "--condition") && !strcmp(val, "warm"))
            cond = COND_WARM;
        else if (!strcmp(a, "--condition") && !strcmp(val, "flushed"))
            cond = COND_FLUSHED;
        else if (!strcmp(a, "--condition") && !strcmp(val, "flushed-clean"))
            cond = COND_CLEAN;
        else
            usage();
    }
    if (!config || m <= 0 || n <= 0 || k <= 0 || calls < 1 || calls > MAX_CALLS)
        usage();
    if (!th_have_gpu(stderr))
        return 77;
    tg_config cfg;
    TH_TG(tg_config_parse(config, &cfg));
    if (cfg.family != TG_FAMILY_HOPPER) {
        fprintf(stderr, "tg_timeline: %s is not a hopper configuration: only the hopper family "
                        "has stamps\n", cfg.name);
        return 2;
    }
    tg_status s = tg_timeline_attach(NULL, 0);
    if (s != TG_SUCCESS) {
        fprintf(stderr, "tg_timeline: %s\n", tg_last_error());
        return 1;
    }
    int split = 1;
    TH_TG(tg_config_param(&cfg, "SPLIT_K", &split));

    /* Input sets: enough to pass twice the L2 when rotated. */
    struct cudaDeviceProp prop;
    int dev = 0;
    TH_CUDA(cudaGetDevice(&dev));
    TH_CUDA(cudaGetDeviceProperties(&prop, dev));
    const double set_bytes = 2.0 * (double)(m * k + n * k);
    int sets = cond == COND_ROTATED ? (int)ceil(2.0 * prop.l2CacheSize / set_bytes) + 1 : 1;
    if (sets > MAX_SETS)
        sets = MAX_SETS;
    const th_shape shape = {m, n, k, 0, 0, 0, 1, dtype, 0, 0, 1.0f, 0.0f};
    th_rng rng = th_rng_new(th_fresh_seed());
    static th_problem p[MAX_SETS];
    for (int i = 0; i < sets; i++)
        p[i] = th_problem_make(shape, &rng);

    /* The stamps must leave C as it was: the first set checked with the stamps on. */
    tg_timeline_block *buf = NULL;
    const size_t per_call = MAX_BLOCKS;
    TH_CUDA(cudaMalloc((void **)&buf, per_call * (MAX_CALLS + 1) * sizeof *buf));
    TH_CUDA(cudaMemset(buf, 0, per_call * (MAX_CALLS + 1) * sizeof *buf));
    cublasHandle_t h = NULL;
    if ((double)m * n * k > (double)TH_FULL_REFERENCE_MACS)
        TH_CUBLAS(cublasCreate(&h));
    TH_TG(tg_timeline_attach(buf + per_call * MAX_CALLS, per_call));
    th_check chk = th_check_config(&cfg, &p[0], h, stderr);
    TH_TG(tg_timeline_attach(NULL, 0));
    if (h)
        TH_CUBLAS(cublasDestroy(h));

    const int flushed = cond == COND_FLUSHED || cond == COND_CLEAN;
    th_flush fl;
    if (flushed)
        fl = th_flush_make(cond == COND_CLEAN);
    for (int i = 0; i < 3 * sets; i++) /* warm-up: unstamped */
        TH_TG(tg_gemm(&p[i % sets].g, &cfg, NULL));
    for (int c = 0; c < calls; c++) {
        if (flushed)
            th_flush_run(&fl, NULL);
        TH_TG(tg_timeline_attach(buf + per_call * c, per_call));
        TH_TG(tg_gemm(&p[c % sets].g, &cfg, NULL));
    }
    TH_TG(tg_timeline_attach(NULL, 0));
    TH_CUDA(cudaDeviceSynchronize());
    static tg_timeline_block host[MAX_CALLS][MAX_BLOCKS];
    TH_CUDA(cudaMemcpy(host, buf, per_call * calls * sizeof *buf, cudaMemcpyDeviceToHost));

    int bad = 0;
    call_view v[MAX_CALLS];
    double spans[MAX_CALLS];
    for (int c = 0; c < calls; c++) {
        v[c] = view_of(host[c], MAX_BLOCKS);
        bad += check_order(&v[c], c);
        spans[c] = v[c].span_us;
    }
    th_sort(spans, (size_t)calls);
    const double mid = spans[calls / 2];
    int pick = 0;
    for (int c = 0; c < calls; c++)
        if (v[c].span_us == mid)
            pick = c;
    const call_view *w = &v[pick];

    /* The SM clock over the call: cycles / ns summed over the blocks' ENTER..EXIT. */
    double cyc = 0, ns = 0;
    int sms[1024] = {0}, nsm = 0;
    for (int b = 0; b < w->blocks; b++) {
        const tg_timeline_block *r = &w->rec[b];
        if (!r->ns[TG_TL_ENTER] || !r->ns[TG_TL_EXIT])
            continue;
        cyc += (double)(r->clk[TG_TL_EXIT] - r->clk[TG_TL_ENTER]);
        ns += (double)(r->ns[TG_TL_EXIT] - r->ns[TG_TL_ENTER]);
        if (r->sm < 1024 && !sms[r->sm]++)
            nsm++;
    }
    const double ghz = ns > 0 ? cyc / ns : 1.0;
    const long long k_tiles = (k + 63) / 64;
    printf("tg_timeline: %s on %lldx%lldx%lld, %s C, %s, call %d of %d back to back: %d blocks on "
           "%d SMs, check %s\n",
           cfg.name, m, n, k, tg_dtype_name(dtype),
           cond == COND_ROTATED ? "rotated" : cond == COND_WARM ? "warm"
           : cond == COND_FLUSHED ? "L2 flushed" : "L2 flushed clean", pick + 1,
           calls, w->blocks, nsm, chk.pass ? "passed" : "FAILED");
    printf("spans of the calls (first enter to last exit, us):");
    for (int c = 0; c < calls; c++)
        printf(" %.2f", v[c].span_us);
    printf("\nfrom one call's last exit to the next one's first enter (us):");
    for (int c = 0; c + 1 < calls; c++)
        printf(" %.2f", ((double)v[c + 1].t0 - (double)v[c].t1) * 1e-3);
    printf("\nSM clock over the call: %.3f GHz (cycles / global-timer ns, blocks' enter..exit)\n",
           ghz);
    printf("when the blocks reached each mark, us after the first block entered:\n");
    printf("  %-34s %7s %7s %7s %7s\n", "mark", "p10", "p50", "p90", "max");
    for (int mk = 0; mk < TG_TL_MARKS; mk++) {
        static double d[MAX_BLOCKS];
        int cnt = 0;
        for (int b = 0; b < w->blocks; b++)
            if (w->rec[b].ns[mk])
                d[cnt++] = (double)(w->rec[b].ns[mk] - w->t0) * 1e-3;
        if (!cnt)
            continue;
        th_sort(d, (size_t)cnt);
        printf("  %-34s %7.2f %7.2f %7.2f %7.2f\n", mark_names[mk], quantile(d, cnt, 0.1),
               quantile(d, cnt, 0.5), quantile(d, cnt, 0.9), d[cnt - 1]);
    }
    /* Tiles of consumer 0 per block, for the per-K-tile figure. */
    double tiles = 0;
    for (int b = 0; b < w->blocks; b++)
        tiles += w->rec[b].tiles;
    tiles = w->blocks ? tiles / w->blocks : 0;
    printf("phases of each block, us by its SM's clock (%.2f tiles a block, %lld K tiles a tile "
           "over %d splits):\n", tiles, k_tiles, split);
    printf("  %-34s %7s %7s %7s %7s\n", "phase", "p10", "p50", "p90", "max");
    phase(w, "setup (enter..ready)", TG_TL_ENTER, TG_TL_READY, ghz, 0);
    phase(w, "first stage (ready..full0)", TG_TL_READY, TG_TL_FULL0, ghz, 0);
    phase(w, "producer start (ready..load0)", TG_TL_READY, TG_TL_LOAD0, ghz, 0);
    phase(w, "first bytes (load0..full0)", TG_TL_LOAD0, TG_TL_FULL0, ghz, 0);
    phase(w, "main loop (full0..main_end)", TG_TL_FULL0, TG_TL_MAIN_END, ghz,
          tiles * (double)k_tiles / split);
    phase(w, split > 1 ? "epilogue, split-K exchange (main_end..epi_end)" : "epilogue (main_end..epi_end)",
          TG_TL_MAIN_END, TG_TL_EPI_END, ghz, 0);
    phase(w, "leave (epi_end..exit)", TG_TL_EPI_END, TG_TL_EXIT, ghz, 0);
    phase(w, "whole block (enter..exit)", TG_TL_ENTER, TG_TL_EXIT, ghz, 0);

    if (csv) {
        FILE *f = fopen(csv, "w");
        if (!f) {
            perror(csv);
            return 1;
        }
        fprintf(f, "config,m,n,k,call,call_start_ns,block,sm,tiles");
        for (int mk = 0; mk < TG_TL_MARKS; mk++)
            fprintf(f, ",%s_ns", mark_names[mk]);
        for (int mk = 0; mk < TG_TL_MARKS; mk++)
            fprintf(f, ",%s_clk", mark_names[mk]);
        fprintf(f, "\n");
        for (int c = 0; c < calls; c++)
            for (int b = 0; b < v[c].blocks; b++) {
                const tg_timeline_block *r = &v[c].rec[b];
                fprintf(f, "%s,%lld,%lld,%lld,%d,%lld,%d,%u,%u", cfg.name, m, n, k, c,
                        (long long)(v[c].t0 - v[0].t0), b, r->sm, r->tiles);
                for (int mk = 0; mk < TG_TL_MARKS; mk++)
                    fprintf(f, ",%lld", r->ns[mk] ? (long long)(r->ns[mk] - v[c].t0) : -1);
                for (int mk = 0; mk < TG_TL_MARKS; mk++)
                    fprintf(f, ",%lld", r->ns[mk] ? (long long)(r->clk[mk] - r->clk[TG_TL_ENTER]) : -1);
                fprintf(f, "\n");
            }
        fclose(f);
    }
    if (flushed)
        th_flush_free(&fl);
    for (int i = 0; i < sets; i++)
        th_problem_free(&p[i]);
    TH_CUDA(cudaFree(buf));
    if (bad)
        fprintf(stderr, "tg_timeline: %d marks out of order\n", bad);
    return bad || !chk.pass;
}
