/*
 * pack.c — operands TMA cannot read, copied so that it can (tg_pack in
 * core.h): which ones, where their copies go in the workspace, and the
 * arguments the family then sees. The copy kernel is pack.cu.
 *
 * TMA reads a row-major bf16 matrix from a 16-byte aligned address with
 * every stride a multiple of 16 bytes. An operand that breaks that (an odd
 * K as its leading dimension, an offset pointer, an odd batch stride) is
 * copied row by row into rows of round_up(K, 8) elements: one pass over
 * its bytes, against a GEMM that reads them many times over.
 */
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

static int64_t round_up(int64_t x, int64_t to) { return (x + to - 1) / to * to; }

/* Does TMA refuse this operand as it is? */
static int breaks_tma(const void *p, int64_t ld, int64_t stride, int64_t batch)
{
    return (uintptr_t)p % 16 != 0 || ld % 8 != 0 || (batch > 1 && stride % 8 != 0);
}

static void plan_op(tg_pack_op *op, const void *src, int64_t rows, int64_t cols, int64_t ld,
                    int64_t stride, int64_t batch)
{
    op->src = src;
    op->rows = rows;
    op->cols = cols;
    op->ld = ld;
    op->stride = batch > 1 ? stride : 0;
    op->dst = NULL;
    op->dst_ld = round_up(cols, 8);
    /* batch items the caller may overlap (a stride of 0) are copied apart: their room can
     * pass what any memory holds, and then the copy cannot be made (SIZE_MAX bytes) */
    int64_t elems = 0;
    if (tg_mul_ovf(rows, op->dst_ld, &op->dst_stride) || tg_mul_ovf(batch, op->dst_stride, &elems) ||
        elems > (INT64_MAX - TG_WORKSPACE_ALIGN) / 2)
        op->bytes = SIZE_MAX;
    else
        op->bytes = (size_t)round_up(elems * 2, TG_WORKSPACE_ALIGN);
}

/* a + b, or SIZE_MAX when either is (or the sum passes it) */
static size_t add_bytes(size_t a, size_t b) { return a > SIZE_MAX - b ? SIZE_MAX : a + b; }

int tg_pack_plan(const tg_gemm_args *g, tg_pack *p)
{
    p->a = breaks_tma(g->a, g->lda, g->stride_a, g->batch);
    p->b = breaks_tma(g->b, g->ldb, g->stride_b, g->batch);
    p->batch = g->batch;
    plan_op(&p->op[0], g->a, g->m, g->k, g->lda, g->stride_a, g->batch);
    plan_op(&p->op[1], g->b, g->n, g->k, g->ldb, g->stride_b, g->batch);
    p->bytes = add_bytes(p->a ? p->op[0].bytes : 0, p->b ? p->op[1].bytes : 0);
    return p->a || p->b;
}

/*
 * The copy of op placed at *at (which moves past it), and read from there.
 * Addresses as integers: a caller's workspace may be any value (it is
 * checked as memory before a launch), and pointer arithmetic must not wrap.
 */
static void view_op(tg_pack_op *op, uintptr_t *at, const void **ptr, int64_t *ld, int64_t *stride)
{
    op->dst = (void *)*at;
    *at += op->bytes;
    *ptr = op->dst;
    *ld = op->dst_ld;
    *stride = op->dst_stride;
}

void tg_pack_view(const tg_gemm_args *g, tg_pack *p, tg_gemm_args *out)
{
    *out = *g;
    uintptr_t at = g->workspace ? (uintptr_t)g->workspace : TG_WORKSPACE_ALIGN;
    if (p->a)
        view_op(&p->op[0], &at, &out->a, &out->lda, &out->stride_a);
    if (p->b)
        view_op(&p->op[1], &at, &out->b, &out->ldb, &out->stride_b);
    out->workspace = g->workspace ? (void *)at : NULL;
    out->workspace_size = g->workspace_size > p->bytes ? g->workspace_size - p->bytes : 0;
}

/* No packing: what *p says when tg_pack_fits answers 0. */
static int none(tg_pack *p)
{
    p->a = p->b = 0;
    p->bytes = 0;
    return 0;
}

int tg_pack_fits(const tg_gemm_args *g, const tg_family_ops *f, int preset, int assume_workspace,
                 tg_pack *p, size_t *need)
{
    if (need)
        *need = 0;
    if (!tg_pack_plan(g, p) || p->bytes == SIZE_MAX)
        return none(p);
    tg_gemm_args view;
    tg_pack_view(g, p, &view);
    /* Refused on the copies too: another rule, which packing does not help (the caller
     * says which: tg_last_error() holds this refusal now). */
    if (f->supports(preset, &view) != TG_SUCCESS)
        return none(p);
    const size_t total = add_bytes(p->bytes, f->workspace(preset, &view));
    if (total == SIZE_MAX)
        return none(p);
    if (need)
        *need = total;
    if (assume_workspace || tg_workspace_holds(g, total))
        return 1;
    return none(p);
}
