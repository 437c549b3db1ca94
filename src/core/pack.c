/*
 * pack.c — operands a family cannot read as they are, copied so that it
 * can (tg_pack in core.h): which ones, where their copies go in the
 * workspace, and the arguments the family then sees. The copy kernel is
 * pack.cu.
 *
 * The family's supports() owns its rules (hopper's TMA reads a row-major
 * bf16 matrix from a 16-byte aligned address with every stride a multiple
 * of 16 bytes; an odd K as the leading dimension, an offset pointer or an
 * odd batch stride breaks them). Here a copy is what every such rule asks
 * for: rows of round_up(K, 8) elements from an aligned start, made in one
 * pass over the operand's bytes, against a GEMM that reads them many times
 * over. Which operands to copy is the family's answer too: the fewest
 * bytes of copies with which supports() takes the call.
 */
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

static int64_t round_up(int64_t x, int64_t to) { return (x + to - 1) / to * to; }

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
    /* An operand every batch item shares (stride 0, or batch 1) is copied once and stays
     * shared: a copy fixes rows, it does not turn sharing into batch copies (a weight
     * shared by a batch would take batch times its bytes). Items the caller overlaps
     * otherwise are copied apart: their room can pass what any memory holds, and then the
     * copy cannot be made (SIZE_MAX bytes). */
    const int64_t items = op->stride == 0 ? 1 : batch;
    int64_t elems = 0, item = 0;
    if (tg_mul_ovf(rows, op->dst_ld, &item) || tg_mul_ovf(items, item, &elems) ||
        elems > (INT64_MAX - TG_WORKSPACE_ALIGN) / 2)
        op->bytes = SIZE_MAX;
    else
        op->bytes = tg_workspace_room(elems * 2);
    op->dst_stride = op->stride == 0 ? 0 : item;
}

/* a + b, or SIZE_MAX when either is (or the sum passes it) */
static size_t add_bytes(size_t a, size_t b) { return a > SIZE_MAX - b ? SIZE_MAX : a + b; }

/* Copy A (a), B (b) or both: the copies' bytes. */
static void choose(tg_pack *p, int a, int b)
{
    p->a = a;
    p->b = b;
    p->bytes = add_bytes(a ? p->op[0].bytes : 0, b ? p->op[1].bytes : 0);
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
    p->batch = g->batch;
    plan_op(&p->op[0], g->a, g->m, g->k, g->lda, g->stride_a, g->batch);
    plan_op(&p->op[1], g->b, g->n, g->k, g->ldb, g->stride_b, g->batch);
    /* The smaller copy alone, the other alone, then both: the first the family takes. */
    const int a_first = p->op[0].bytes <= p->op[1].bytes;
    const int tries[3][2] = {{a_first, !a_first}, {!a_first, a_first}, {1, 1}};
    tg_gemm_args view;
    int taken = 0;
    for (int t = 0; t < 3 && !taken; t++) {
        choose(p, tries[t][0], tries[t][1]);
        if (p->bytes == SIZE_MAX)
            continue;
        tg_pack_view(g, p, &view);
        taken = f->supports(preset, &view) == TG_SUCCESS;
    }
    /* Refused on every copy: another rule, which packing does not help (the caller says
     * which: tg_last_error() holds the refusal of both copies, or of the room they need). */
    if (!taken)
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
