/*
 * test_pdl_gpu — programmatic dependent launch keeps the stream's order.
 *
 * With args.pdl = 1 (the default) a hopper or decode kernel may start while
 * the stream's previous kernel finishes, and must wait for it before it
 * touches memory. Here a chain of two GEMMs runs R times back to back on one
 * stream, no host synchronisation between: X1 = s_i·A·B1ᵀ (bf16), then
 * X2_i = X1·B2ᵀ (fp32) into its own buffer. Each round's scale s_i is a
 * different power of two, so a correct chain gives X2_i = s_i·X2 exactly
 * (bf16 rounding and fp32 accumulation commute with powers of two), where X2
 * is the chain run once with plain launches and a synchronisation after
 * each GEMM (itself checked against the CPU on sampled rows). Round i's
 * second GEMM reading X1 before its first GEMM has written it (or after the
 * next round's has) gives another scale's values or a mix: the bitwise
 * comparison fails. Shapes where the library chooses the decode family,
 * swapped A and B, split-K in a cluster, 128-row tiles, the persistent
 * 128x256 tiles and stream-K; on a created stream and on the legacy default
 * stream. Fresh random inputs (the seed is printed); X1 is NaN-poisoned
 * before the chain.
 *
 * Exits 77 (ctest: skipped) when no sm_90 GPU is present.
 * Usage: test_pdl_gpu [--seed S]
 */
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "harness.h"

enum { ROUNDS = 6, SAMPLE_ROWS = 4 };

typedef struct chain {
    int64_t m, k, n1, n2; /* X1 = A (m x k) · B1 (n1 x k)ᵀ; X2 = X1 · B2 (n2 x n1)ᵀ */
} chain;

static void *host_alloc(size_t bytes)
{
    void *p = malloc(bytes);
    if (!p) {
        fprintf(stderr, "test_pdl_gpu: out of host memory\n");
        exit(1);
    }
    return p;
}

/* The library's choice for g, for the log. */
static void say_choice(const char *what, const tg_gemm_args *g)
{
    tg_config cfg;
    char name[256] = "?";
    if (tg_gemm_choose(g, &cfg, NULL, 0) == TG_SUCCESS)
        tg_config_format(&cfg, name, sizeof name);
    printf("  %s: %lld x %lld x %lld on %s\n", what, (long long)g->m, (long long)g->n, (long long)g->k,
           name);
}

/* Rows of out (m x n, fp32 or bf16) against the CPU reference of a·bᵀ. */
static void check_rows(const char *what, const void *out, tg_dtype dtype, const uint16_t *a,
                       const uint16_t *b, int64_t m, int64_t n, int64_t k, float alpha)
{
    const int64_t rows[SAMPLE_ROWS] = {0, m / 3, m / 2, m - 1};
    double *ref = host_alloc(sizeof(double) * (size_t)n), *absdot = host_alloc(sizeof(double) * (size_t)n);
    const th_tol tol = th_tolerance(dtype, k);
    th_cmp c;
    th_cmp_init(&c);
    for (int r = 0; r < SAMPLE_ROWS; r++) {
        th_reference(a, k, b, k, n, k, rows[r], 1, ref, absdot, n);
        for (int64_t j = 0; j < n; j++) {
            ref[j] *= alpha;
            absdot[j] *= alpha;
        }
        /* (row rows[r] of out, at ldc n, against ref's one row) */
        th_compare(&c, out, dtype, n, rows[r], 1, n, ref, absdot, n, tol, stdout, 5);
    }
    CHECK(th_cmp_pass(&c, tol), "%s: %lld of %lld sampled elements outside the tolerance (%lld NaN)",
          what, (long long)c.bad, (long long)c.checked, (long long)c.nan);
    free(ref);
    free(absdot);
}

static void run_chain(chain ch, cudaStream_t stream, const char *stream_name, th_rng *rng)
{
    printf("chain %lld x %lld x %lld, then x %lld, on %s\n", (long long)ch.m, (long long)ch.k,
           (long long)ch.n1, (long long)ch.n2, stream_name);
    /* X1 is p1's C (bf16); X2 = X1 · B2ᵀ takes p2's B and C (p2's own A goes unused). Each
     * problem brings the workspace its shape asks for. */
    const th_shape s1 = {.m = ch.m, .n = ch.n1, .k = ch.k, .dtype = TG_DTYPE_BF16};
    const th_shape s2 = {.m = ch.m, .n = ch.n2, .k = ch.n1, .dtype = TG_DTYPE_F32};
    th_problem p1 = th_problem_make(s1, rng), p2 = th_problem_make(s2, rng);
    tg_gemm_args g1 = p1.g, g2 = p2.g;
    g2.a = g1.c;
    g1.pdl = g2.pdl = 0;
    const size_t x1_bytes = th_problem_c_bytes(&p1), x2_bytes = th_problem_c_bytes(&p2);
    const size_t x2_elems = x2_bytes / sizeof(float);
    void *x2[ROUNDS + 1] = {g2.c}; /* the plain chain's, then each round's */
    for (int i = 1; i <= ROUNDS; i++)
        TH_CUDA(cudaMalloc(&x2[i], x2_bytes));
    for (int i = 0; i <= ROUNDS; i++)
        th_poison(x2[i], x2_bytes);
    th_poison(g1.c, x1_bytes);
    say_choice("X1", &g1);
    say_choice("X2", &g2);

    /* The reference chain: plain launches, synchronised. */
    TH_TG(tg_gemm(&g1, NULL, stream));
    TH_CUDA(cudaStreamSynchronize(stream));
    TH_TG(tg_gemm(&g2, NULL, stream));
    TH_CUDA(cudaStreamSynchronize(stream));
    uint16_t *hx1 = host_alloc(x1_bytes);
    float *base = host_alloc(x2_bytes), *got = host_alloc(x2_bytes);
    TH_CUDA(cudaMemcpy(hx1, g1.c, x1_bytes, cudaMemcpyDeviceToHost));
    TH_CUDA(cudaMemcpy(base, x2[0], x2_bytes, cudaMemcpyDeviceToHost));
    check_rows("X1 (plain launches)", hx1, TG_DTYPE_BF16, p1.ha, p1.hb, ch.m, ch.n1, ch.k, 1.0f);
    check_rows("X2 (plain launches)", base, TG_DTYPE_F32, hx1, p2.hb, ch.m, ch.n2, ch.n1, 1.0f);

    /* The chain R times with PDL, nothing between the launches but the next launch. */
    static const float scale[ROUNDS] = {2.0f, 8.0f, 4.0f, 16.0f, 2.0f, 32.0f};
    th_poison(g1.c, x1_bytes);
    for (int i = 0; i < ROUNDS; i++) {
        g1.pdl = g2.pdl = 1;
        g1.alpha = scale[i];
        g2.c = x2[i + 1];
        TH_TG(tg_gemm(&g1, NULL, stream));
        TH_TG(tg_gemm(&g2, NULL, stream));
    }
    TH_CUDA(cudaStreamSynchronize(stream));
    for (int i = 0; i < ROUNDS; i++) {
        TH_CUDA(cudaMemcpy(got, x2[i + 1], x2_bytes, cudaMemcpyDeviceToHost));
        size_t bad = 0, first = 0;
        for (size_t e = 0; e < x2_elems; e++) {
            const float want = scale[i] * base[e];
            if (memcmp(&got[e], &want, sizeof want) != 0 && bad++ == 0)
                first = e;
        }
        CHECK(bad == 0,
              "round %d (scale %g): %zu of %zu elements differ from scale x the plain chain's, "
              "first at row %zu col %zu: %g, want %g",
              i, (double)scale[i], bad, x2_elems, first / (size_t)ch.n2, first % (size_t)ch.n2,
              (double)got[first], (double)(scale[i] * base[first]));
    }
    printf("  %d rounds with PDL: each X2 is its scale times the plain chain's, bit for bit\n", ROUNDS);

    free(hx1);
    free(base);
    free(got);
    for (int i = 1; i <= ROUNDS; i++)
        TH_CUDA(cudaFree(x2[i]));
    th_problem_free(&p1);
    th_problem_free(&p2);
}

int main(int argc, char **argv)
{
    const uint64_t seed = th_gpu_test_seed(argc, argv, "test_pdl_gpu");
    th_rng rng = th_rng_new(seed);
    cudaStream_t s;
    TH_CUDA(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
    /* decode (M = 1, 16), swapped A and B (M = 24), split-K in a cluster (M = 128),
     * 128-row tiles (1000), persistent 128x256 (2048), stream-K (K = 16384 in X2) */
    const chain chains[] = {
        {1, 4096, 4096, 8192},   {16, 4096, 8192, 4096},   {24, 4096, 8192, 4096},
        {128, 4096, 4096, 4096}, {1000, 1000, 1000, 1000}, {2048, 2048, 4096, 2048},
        {4096, 2048, 16384, 4096},
    };
    for (size_t i = 0; i < sizeof chains / sizeof chains[0]; i++)
        run_chain(chains[i], s, "a created stream", &rng);
    const chain legacy = {128, 4096, 4096, 4096};
    run_chain(legacy, NULL, "the legacy default stream", &rng);
    TH_CUDA(cudaStreamDestroy(s));
    return check_summary();
}
