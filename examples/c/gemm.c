/*
 * gemm.c — tilegemm from a C program, as an installed dependency: device
 * memory from cudaMalloc, one tg_gemm with the library's choice of kernel
 * (config NULL), and C checked against a CPU dot product.
 *
 *   C (M×N, fp32) = A (M×K, bf16) · Bᵀ (B: N×K, bf16)
 *
 * Build against an installed tilegemm (cmake --install build --prefix PREFIX):
 *
 *   cmake -S examples/c -B build-example -DCMAKE_PREFIX_PATH=PREFIX
 *   cmake --build build-example          # find_package(tilegemm) → tilegemm::tilegemm
 *
 *   PKG_CONFIG_PATH=PREFIX/lib/pkgconfig \
 *     cc -std=c11 gemm.c $(pkg-config --cflags --libs tilegemm) -o gemm
 *
 * Exit status: 0 the result is right; 1 it is wrong, or a call failed;
 * 77 no usable GPU (none, no driver, or not an sm_90 one): the library's
 * message is printed and nothing is run (77 is what the tests use for
 * "skipped").
 *
 * The inputs are small integers, exact in bf16, and every product sum is
 * an integer below 2^24, exact in fp32: the check is equality, not a
 * tolerance.
 */
#include <cuda_runtime.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tilegemm.h>

enum { M = 300, N = 200, K = 520 }; /* not multiples of the tile: edges are exercised */
enum { EXIT_NO_GPU = 77 };

/* float → bf16 bits (the top half; the values here are exact, so no rounding is needed). */
static uint16_t to_bf16(float f)
{
    uint32_t bits;
    memcpy(&bits, &f, sizeof bits);
    return (uint16_t)(bits >> 16);
}

/* -3..3, different for A and B, so a swapped or transposed operand shows. */
static int a_value(int i, int k) { return (i * 3 + k * 5 + 1) % 7 - 3; }
static int b_value(int j, int k) { return (j * 5 + k * 11) % 7 - 3; }

static int cuda_ok(cudaError_t e, const char *what)
{
    if (e == cudaSuccess)
        return 1;
    fprintf(stderr, "gemm: %s failed: %s\n", what, cudaGetErrorString(e));
    return 0;
}

int main(void)
{
    /* Without a usable GPU there is nothing to run: say why, in the library's words. */
    tg_status s = tg_device_check();
    if (s != TG_SUCCESS) {
        printf("%s: %s\n", tg_status_string(s), tg_last_error());
        return s == TG_ERR_NO_DEVICE || s == TG_ERR_UNSUPPORTED_DEVICE ? EXIT_NO_GPU : 1;
    }

    uint16_t *a = malloc(sizeof *a * M * K), *b = malloc(sizeof *b * N * K);
    float *c = malloc(sizeof *c * M * N);
    if (!a || !b || !c) {
        fprintf(stderr, "gemm: out of memory\n");
        return 1;
    }
    for (int i = 0; i < M; i++)
        for (int k = 0; k < K; k++)
            a[i * K + k] = to_bf16((float)a_value(i, k));
    for (int j = 0; j < N; j++)
        for (int k = 0; k < K; k++)
            b[j * K + k] = to_bf16((float)b_value(j, k));

    void *d_a = NULL, *d_b = NULL, *d_c = NULL;
    if (!cuda_ok(cudaMalloc(&d_a, sizeof *a * M * K), "cudaMalloc(a)") ||
        !cuda_ok(cudaMalloc(&d_b, sizeof *b * N * K), "cudaMalloc(b)") ||
        !cuda_ok(cudaMalloc(&d_c, sizeof *c * M * N), "cudaMalloc(c)") ||
        !cuda_ok(cudaMemcpy(d_a, a, sizeof *a * M * K, cudaMemcpyHostToDevice), "copy a") ||
        !cuda_ok(cudaMemcpy(d_b, b, sizeof *b * N * K, cudaMemcpyHostToDevice), "copy b"))
        return 1;

    tg_gemm_args g = tg_gemm_args_default(); /* fp32 C, alpha 1, beta 0 */
    g.a = d_a;
    g.b = d_b;
    g.c = d_c;
    g.m = M;
    g.n = N;
    g.k = K;
    g.lda = K;
    g.ldb = K;
    g.ldc = N;

    tg_config chosen;
    char why[TG_WHY_BYTES];
    s = tg_gemm_choose(&g, &chosen, why, sizeof why);
    if (s != TG_SUCCESS) {
        printf("tg_gemm_choose: %s: %s\n", tg_status_string(s), tg_last_error());
        return 1;
    }
    s = tg_gemm(&g, NULL, NULL); /* NULL config: the library's choice; NULL stream: the default */
    if (s != TG_SUCCESS) {
        printf("tg_gemm: %s: %s\n", tg_status_string(s), tg_last_error());
        return 1;
    }
    if (!cuda_ok(cudaMemcpy(c, d_c, sizeof *c * M * N, cudaMemcpyDeviceToHost), "copy c"))
        return 1; /* the copy waits for the kernel, and reports its errors */

    int wrong = 0;
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            long dot = 0;
            for (int k = 0; k < K; k++)
                dot += (long)a_value(i, k) * b_value(j, k);
            if (c[i * N + j] != (float)dot && wrong++ < 5)
                printf("C[%d][%d] = %g, expected %ld\n", i, j, c[i * N + j], dot);
        }
    printf("%dx%dx%d with '%s' (%s): %s, %d of %d elements differ from the CPU dot product\n", M,
           N, K, chosen.name, why, wrong ? "WRONG" : "right", wrong, M * N);

    cudaFree(d_a);
    cudaFree(d_b);
    cudaFree(d_c);
    free(a);
    free(b);
    free(c);
    return wrong ? 1 : 0;
}
