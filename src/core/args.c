/*
 * args.c — the GEMM arguments: reading a caller's tg_gemm_args of any
 * (older or current) size, and checking every value and every size they
 * imply, in 64 bits with overflow checks, before anything is launched;
 * and the words in which a family refuses arguments its kernel cannot take.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/core.h"

tg_status tg_args_read(const tg_gemm_args *g, tg_gemm_args *out)
{
    if (!g)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "args is NULL");
    if (g->size == 0)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT,
                       "args->size is 0: start from tg_gemm_args_default(), which sets it");
    /* tilegemm 0.2's struct is the first with a size (it ends at `pdl`); later ones only append
     * fields, which a smaller size leaves at tg_gemm_args_default()'s values. */
    if (g->size < TG_ARGS_SIZE_0_2)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT,
                       "args->size is %zu, smaller than any tilegemm's tg_gemm_args (%zu): start "
                       "from tg_gemm_args_default()",
                       g->size, (size_t)TG_ARGS_SIZE_0_2);
    if (g->size > sizeof(tg_gemm_args))
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT,
                       "args->size is %zu, larger than this library's tg_gemm_args (%zu): the "
                       "program was built against a newer tilegemm",
                       g->size, sizeof(tg_gemm_args));
    *out = tg_gemm_args_default();
    memcpy(out, g, g->size);
    return TG_SUCCESS;
}

static int aligned(const void *p, uintptr_t bytes) { return (uintptr_t)p % bytes == 0; }

/*
 * Elements from the first to one past the last element of a (batched)
 * matrix: (batch-1)·stride + (rows-1)·ld + cols, all ≥ 1. Returns 0 when
 * it or its byte count does not fit int64.
 */
static int span_elems(int64_t batch, int64_t stride, int64_t rows, int64_t ld, int64_t cols,
                      int64_t elem_bytes, int64_t *out)
{
    int64_t s1, s2, s, bytes;
    if (tg_mul_ovf(batch - 1, stride, &s1) || tg_mul_ovf(rows - 1, ld, &s2) ||
        tg_add_ovf(s1, s2, &s) || tg_add_ovf(s, cols, &s) || tg_mul_ovf(s, elem_bytes, &bytes))
        return 0;
    *out = s;
    return 1;
}

/* [p, p + bytes) must not pass the end of the address space. */
static tg_status check_range(const void *p, int64_t bytes, const char *name, uintptr_t *end)
{
    uintptr_t start = (uintptr_t)p;
    if ((uintptr_t)bytes > UINTPTR_MAX - start)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT,
                       "%s (%p) plus its %lld bytes passes the end of the address space", name, p,
                       (long long)bytes);
    *end = start + (uintptr_t)bytes;
    return TG_SUCCESS;
}

tg_status tg_check_args(const tg_gemm_args *g, int need_pointers)
{
    if (g->m < 0)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "m must be >= 0, got %lld", (long long)g->m);
    if (g->n < 0)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "n must be >= 0, got %lld", (long long)g->n);
    if (g->k < 0)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "k must be >= 0, got %lld", (long long)g->k);
    if (g->batch < 0)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "batch must be >= 0, got %lld",
                       (long long)g->batch);
    const size_t c_size = tg_dtype_size(g->c_dtype);
    if (c_size == 0)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "c_dtype %d is not TG_DTYPE_F32 or TG_DTYPE_BF16",
                       (int)g->c_dtype);
    if (g->pdl != 0 && g->pdl != 1)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "pdl must be 0 or 1, got %d", g->pdl);
    if (g->workspace_size > 0 && !g->workspace && need_pointers)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "workspace is NULL but workspace_size is %zu",
                       g->workspace_size);
    if (g->m == 0 || g->n == 0 || g->batch == 0)
        return TG_SUCCESS; /* nothing to compute: nothing else is read */

    const int reads_ab = tg_reads_ab(g); /* else C = beta·C */
    const int batched = g->batch > 1;
    if (reads_ab && g->lda < g->k)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "lda must be >= k (%lld), got %lld",
                       (long long)g->k, (long long)g->lda);
    if (reads_ab && g->ldb < g->k)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "ldb must be >= k (%lld), got %lld",
                       (long long)g->k, (long long)g->ldb);
    if (g->ldc < g->n)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "ldc must be >= n (%lld), got %lld",
                       (long long)g->n, (long long)g->ldc);
    if (batched && reads_ab && (g->stride_a < 0 || g->stride_b < 0))
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT,
                       "stride_a and stride_b must be >= 0 (0 shares one matrix), got %lld and "
                       "%lld",
                       (long long)g->stride_a, (long long)g->stride_b);

    /* Every span in elements and bytes fits int64 (so no offset a kernel forms overflows). */
    int64_t span_c, span_a = 0, span_b = 0, c_one;
    if (!span_elems(1, 0, g->m, g->ldc, g->n, (int64_t)c_size, &c_one))
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT,
                       "c is too large: ((m-1)*ldc+n)*%zu bytes overflow 64 bits (m=%lld, "
                       "ldc=%lld, n=%lld)",
                       c_size, (long long)g->m, (long long)g->ldc, (long long)g->n);
    /* Batch items of C must not overlap, or blocks of different items race. */
    if (batched && g->stride_c < c_one)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT,
                       "stride_c must be >= (m-1)*ldc+n = %lld so batch items of c do not "
                       "overlap, got %lld",
                       (long long)c_one, (long long)g->stride_c);
    if (!span_elems(g->batch, g->stride_c, g->m, g->ldc, g->n, (int64_t)c_size, &span_c))
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT,
                       "c is too large: (batch-1)*stride_c+(m-1)*ldc+n bytes overflow 64 bits "
                       "(batch=%lld, stride_c=%lld)",
                       (long long)g->batch, (long long)g->stride_c);
    if (reads_ab && !span_elems(g->batch, batched ? g->stride_a : 0, g->m, g->lda, g->k, 2, &span_a))
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT,
                       "a is too large: (batch-1)*stride_a+(m-1)*lda+k bytes overflow 64 bits "
                       "(batch=%lld, stride_a=%lld, m=%lld, lda=%lld)",
                       (long long)g->batch, (long long)g->stride_a, (long long)g->m,
                       (long long)g->lda);
    if (reads_ab && !span_elems(g->batch, batched ? g->stride_b : 0, g->n, g->ldb, g->k, 2, &span_b))
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT,
                       "b is too large: (batch-1)*stride_b+(n-1)*ldb+k bytes overflow 64 bits "
                       "(batch=%lld, stride_b=%lld, n=%lld, ldb=%lld)",
                       (long long)g->batch, (long long)g->stride_b, (long long)g->n,
                       (long long)g->ldb);
    if (!need_pointers)
        return TG_SUCCESS;

    /* Pointers: present, aligned for their element type, and C apart from A and B. */
    if (reads_ab && !g->a)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "a is NULL");
    if (reads_ab && !g->b)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "b is NULL");
    if (!g->c)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "c is NULL");
    if (reads_ab && !aligned(g->a, 2))
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "a (%p) is not 2-byte aligned, as bf16 needs",
                       g->a);
    if (reads_ab && !aligned(g->b, 2))
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "b (%p) is not 2-byte aligned, as bf16 needs",
                       g->b);
    if (!aligned(g->c, (uintptr_t)c_size))
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "c (%p) is not %zu-byte aligned, as %s needs", g->c,
                       c_size, tg_dtype_name(g->c_dtype));
    uintptr_t c_end = 0, a_end = 0, b_end = 0;
    TG_TRY(check_range(g->c, span_c * (int64_t)c_size, "c", &c_end));
    if (!reads_ab)
        return TG_SUCCESS;
    TG_TRY(check_range(g->a, span_a * 2, "a", &a_end));
    TG_TRY(check_range(g->b, span_b * 2, "b", &b_end));
    /* C must not overlap A or B: blocks would read what others already wrote. */
    const uintptr_t c0 = (uintptr_t)g->c, a0 = (uintptr_t)g->a, b0 = (uintptr_t)g->b;
    if (c0 < a_end && a0 < c_end)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "c overlaps a: the output must not alias an input");
    if (c0 < b_end && b0 < c_end)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "c overlaps b: the output must not alias an input");
    return TG_SUCCESS;
}

tg_status tg_gemm_check_args(const tg_gemm_args *args)
{
    tg_gemm_args g;
    TG_TRY(tg_args_read(args, &g));
    return tg_check_args(&g, 1);
}

tg_status tg_refuse_args(const char *family, const char *fmt, ...)
{
    char why[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "the %s family cannot take these arguments: %s",
                   family, why);
}

tg_rows_operands tg_rows_operands_of(const tg_gemm_args *g)
{
    const int batched = g->batch > 1;
    tg_rows_operands o = {
        .a = g->a,
        .b = g->b,
        .c = g->c,
        .n = g->n,
        .k = g->k,
        .lda = g->lda,
        .ldb = g->ldb,
        .ldc = g->ldc,
        .stride_a = batched ? g->stride_a : 0,
        .stride_b = batched ? g->stride_b : 0,
        .stride_c = batched ? g->stride_c : 0,
        .m = (int)g->m,
        .c_dtype = (int)g->c_dtype,
        .alpha = g->alpha,
        .beta = g->beta,
    };
    return o;
}

const char *tg_vector_rows_rule(const tg_gemm_args *g)
{
    if ((uintptr_t)g->a % 16 || (uintptr_t)g->b % 16)
        return "A and B must start 16-byte aligned: their rows are read as 16-byte vectors";
    if (g->k % 8)
        return "K must be a multiple of 8: rows of A and B are read as whole 16-byte vectors "
               "(8 bf16)";
    if (g->lda % 8 || g->ldb % 8)
        return "lda and ldb must be multiples of 8: every row of A and B starts 16-byte aligned";
    if (g->batch > 1 && (g->stride_a % 8 || g->stride_b % 8))
        return "stride_a and stride_b must be multiples of 8: every batch item of A and B starts "
               "16-byte aligned";
    return NULL;
}
