/*
 * fake_args.h — GEMM arguments for the CPU tests that ask the library about
 * a call without making it (argument checks, the dispatcher's choice, a
 * family's refusals): pointers that are never dereferenced, far apart
 * (1 TiB) so that even a 65535-item batch of one does not reach the next.
 */
#ifndef TG_TEST_FAKE_ARGS_H
#define TG_TEST_FAKE_ARGS_H

#include <stdint.h>

#include "tilegemm.h"

#define FAKE_A ((const void *)((uintptr_t)1 << 40))
#define FAKE_B ((const void *)((uintptr_t)2 << 40))
#define FAKE_C ((void *)((uintptr_t)3 << 40))

/* M x N x K with packed rows (lda = ldb = K, ldc = N), fp32 output, batch 1. */
static inline tg_gemm_args packed_args(int64_t m, int64_t n, int64_t k)
{
    tg_gemm_args g = tg_gemm_args_default();
    g.a = FAKE_A;
    g.b = FAKE_B;
    g.c = FAKE_C;
    g.m = m;
    g.n = g.ldc = n;
    g.k = g.lda = g.ldb = k;
    return g;
}

#endif /* TG_TEST_FAKE_ARGS_H */
