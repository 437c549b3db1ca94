/*
 * split.c — split-K as a batch (tg_split in core.h): the partial sums'
 * room in the workspace, and the batched call the family runs into it.
 * The sum into C is split.cu.
 */
#include <stdint.h>

#include "core/core.h"

void tg_split_plan(const tg_gemm_args *g, int s, tg_split *sp)
{
    sp->s = s;
    sp->partials = NULL;
    /* s <= 16 splits of at most 64 x 64 tiles of 128 x 128 (the dispatcher's rule): no overflow */
    sp->bytes = s > 1 ? tg_workspace_room(s * g->m * g->n * 4) : 0;
    sp->c = g->c;
    sp->m = g->m;
    sp->n = g->n;
    sp->ldc = g->ldc;
    sp->c_dtype = g->c_dtype;
    sp->alpha = g->alpha;
    sp->beta = g->beta;
}

void tg_split_view(const tg_gemm_args *g, tg_split *sp, tg_gemm_args *out)
{
    *out = *g;
    /* an integer: a caller's workspace may be any value, and pointer arithmetic must not wrap */
    const uintptr_t at = g->workspace ? (uintptr_t)g->workspace : TG_WORKSPACE_ALIGN;
    sp->partials = (float *)at;
    /* item s: A and B from column s·K/S (so the batch stride is K/S elements, the items'
     * rows interleaved in the caller's matrices), C the s-th M x N block of partials */
    out->k = g->k / sp->s;
    out->batch = sp->s;
    out->stride_a = out->k;
    out->stride_b = out->k;
    out->c = (void *)at;
    out->ldc = g->n;
    out->stride_c = g->m * g->n;
    out->c_dtype = TG_DTYPE_F32;
    out->alpha = 1.0f;
    out->beta = 0.0f;
    out->workspace = g->workspace ? (void *)(at + sp->bytes) : NULL;
    out->workspace_size = g->workspace_size > sp->bytes ? g->workspace_size - sp->bytes : 0;
}
