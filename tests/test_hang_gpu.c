/*
 * test_hang_gpu.c — a hopper pipeline that can never complete ends in a trap
 * that names its barrier, not in a hang.
 *
 * The warp-specialized configuration `ws` launched without its producer
 * warpgroup (128 threads instead of 256): nothing ever loads a stage, so the
 * consumers' first wait on full[0] (parity 0) can never complete. With the
 * wait's patience shortened (the library passes 2^26 failed try_waits; here
 * 2^12), the wait must give up, write the trap record and trap: the launch
 * fails at synchronisation, and tg_trap_report() names the kernel, the
 * barrier, its stage and parity. ctest's TIMEOUT catches a real hang.
 *
 * `test_hang_gpu cluster`: the cluster configuration mc_1x2 launched
 * without its cluster (its blocks would wait on peers that do not exist)
 * must trap at once with a record that says so.
 *
 * The trap leaves the CUDA context unusable, so this is its own process.
 * Exits 77 (ctest: skipped) when no sm_90 GPU is present.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "hopper/hopper.h"
#include "tilegemm.h"

static double seconds(void)
{
    struct timespec t;
    timespec_get(&t, TIME_UTC);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* mc_1x2 launched as plain blocks, without its cluster of 2. */
static int no_cluster(const tg_gemm_args *g)
{
    tg_config cfg;
    TH_TG(tg_config_parse("mc_1x2", &cfg));
    tg_gemm_args checked;
    tg_launch l;
    TH_TG(tg_gemm_prepare(g, &cfg, &checked, &l));
    if (l.cluster[0] != 2) {
        printf("FAIL: mc_1x2 should launch clusters of 2 blocks, not %u\n", l.cluster[0]);
        return 1;
    }
    l.cluster[0] = 1;
    TH_TG(tg_launch_on(&l, NULL));
    const cudaError_t e = cudaDeviceSynchronize();
    char why[512] = "";
    const int trapped = tg_trap_report(why, sizeof why);
    printf("synchronize: %s\ntrap report: %s\n", cudaGetErrorName(e), trapped ? why : "(none)");
    const int ok = e != cudaSuccess && trapped && strstr(why, "kernel hopper/mc_1x2 trapped") &&
                   strstr(why, "launched with clusters of 1 blocks, built for clusters of 2");
    printf("%s\n", ok ? "ok: launched without its cluster, the kernel trapped and said so"
                      : "FAIL: expected a failed launch and a trap record naming the cluster");
    return ok ? 0 : 1;
}

/*
 * test_hang_gpu [LOG2]: the wait's patience is 2^LOG2 failed try_waits (default 12).
 * test_hang_gpu cluster: the launch without its cluster.
 */
int main(int argc, char **argv)
{
    const int cluster = argc > 1 && !strcmp(argv[1], "cluster");
    const int log2_patience = argc > 1 && !cluster ? atoi(argv[1]) : 12;
    if (log2_patience < 0 || log2_patience > 31) {
        fprintf(stderr, "usage: test_hang_gpu [LOG2 of the patience, 0..31]\n");
        return 2;
    }
    th_require_gpu();
    enum { N = 256 };
    void *a, *b, *c;
    TH_CUDA(cudaMalloc(&a, N * N * 2));
    TH_CUDA(cudaMalloc(&b, N * N * 2));
    TH_CUDA(cudaMalloc(&c, N * N * 4));
    TH_CUDA(cudaMemset(a, 0, N * N * 2));
    TH_CUDA(cudaMemset(b, 0, N * N * 2));

    tg_config cfg;
    TH_TG(tg_config_parse("ws", &cfg));
    tg_gemm_args g = tg_gemm_args_default(), checked;
    g.a = a;
    g.b = b;
    g.c = c;
    g.m = g.n = g.k = g.lda = g.ldb = g.ldc = N;
    if (cluster)
        return no_cluster(&g);
    tg_launch l;
    TH_TG(tg_gemm_prepare(&g, &cfg, &checked, &l));
    char before[512];
    if (tg_trap_report(before, sizeof before)) {
        printf("FAIL: a trap record exists before any kernel ran: %s\n", before);
        return 1;
    }
    if (l.block[0] != 256) {
        printf("FAIL: ws should launch 256 threads (a consumer and a producer warpgroup), not %u\n",
               l.block[0]);
        return 1;
    }
    l.block[0] = 128; /* the consumer warpgroup alone: nobody produces */
    ((tg_hopper_params *)l.params)->patience = 1u << log2_patience;
    TH_CUDA(cudaDeviceSynchronize());
    const double t0 = seconds();
    TH_TG(tg_launch_on(&l, NULL));
    const cudaError_t e = cudaDeviceSynchronize();
    printf("patience 2^%d failed try_waits: the launch ended after %.3f s\n", log2_patience,
           seconds() - t0);
    char why[512] = "";
    const int trapped = tg_trap_report(why, sizeof why);
    printf("synchronize: %s (%s)\ntrap report: %s\n", cudaGetErrorName(e), cudaGetErrorString(e),
           trapped ? why : "(none)");
    int ok = e != cudaSuccess && trapped;
    ok = ok && strstr(why, "kernel hopper/ws trapped") && strstr(why, "mbarrier full[0]") &&
         strstr(why, "parity 0");
    /* The next library call that fails says the same. */
    const tg_status s = tg_gemm(&g, &cfg, NULL);
    printf("next tg_gemm: %s: %s\n", tg_status_string(s), tg_last_error());
    ok = ok && s == TG_ERR_CUDA && strstr(tg_last_error(), "mbarrier full[0]");
    printf("%s\n", ok ? "ok: the wait gave up, trapped and named its barrier"
                      : "FAIL: expected a failed launch and a trap record naming full[0], parity 0");
    return ok ? 0 : 1;
}
