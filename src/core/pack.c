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
#include <stdint.h>

#include "core/core.h"

enum { PACK_ALIGN = 256 }; /* each copy's start: cudaMalloc's alignment */

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
    op->dst_stride = rows * op->dst_ld;
    /* tg_check_args bounded rows·ld·batch by the span of memory, so this cannot overflow */
    op->bytes = (size_t)round_up(batch * op->dst_stride * 2, PACK_ALIGN);
}

int tg_pack_plan(const tg_gemm_args *g, tg_pack *p)
{
    p->a = breaks_tma(g->a, g->lda, g->stride_a, g->batch);
    p->b = breaks_tma(g->b, g->ldb, g->stride_b, g->batch);
    p->batch = g->batch;
    plan_op(&p->op[0], g->a, g->m, g->k, g->lda, g->stride_a, g->batch);
    plan_op(&p->op[1], g->b, g->n, g->k, g->ldb, g->stride_b, g->batch);
    p->bytes = (p->a ? p->op[0].bytes : 0) + (p->b ? p->op[1].bytes : 0);
    return p->a || p->b;
}

/* The copy of op placed at *at (which moves past it), and read from there. */
static void view_op(tg_pack_op *op, char **at, const void **ptr, int64_t *ld, int64_t *stride)
{
    op->dst = *at;
    *at += op->bytes;
    *ptr = op->dst;
    *ld = op->dst_ld;
    *stride = op->dst_stride;
}

void tg_pack_view(const tg_gemm_args *g, tg_pack *p, tg_gemm_args *out)
{
    *out = *g;
    char *at = g->workspace ? (char *)g->workspace : (char *)(uintptr_t)PACK_ALIGN;
    if (p->a)
        view_op(&p->op[0], &at, &out->a, &out->lda, &out->stride_a);
    if (p->b)
        view_op(&p->op[1], &at, &out->b, &out->ldb, &out->stride_b);
    out->workspace = g->workspace ? at : NULL;
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
    if (!tg_pack_plan(g, p))
        return none(p);
    tg_gemm_args view;
    tg_pack_view(g, p, &view);
    /* Refused on the copies too: another rule, which packing does not help (the caller
     * says which: tg_last_error() holds this refusal now). */
    if (f->supports(preset, &view) != TG_SUCCESS)
        return none(p);
    const size_t total = p->bytes + f->workspace(preset, &view);
    if (need)
        *need = total;
    if (assume_workspace ||
        (g->workspace_size >= total && (uintptr_t)g->workspace % PACK_ALIGN == 0))
        return 1;
    return none(p);
}
