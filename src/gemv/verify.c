/*
 * verify.c — the gemv family's CPU plan verifier.
 *
 * It checks the plan the way src/gemv/kernel.cuh uses it, with no GPU:
 *   block      for K from 8 to the longest the configuration takes: a
 *              block is the fewest whole warps, at most MAX_THREADS, whose VECS
 *              vectors each cover the row's K/8 vectors; each vector of a
 *              row is one thread's (tid, j) exactly once;
 *   order      each of a warp's loads is 32 consecutive vectors, 512
 *              contiguous bytes of a row (the streaming read's order, what
 *              the family is for: a permutation that breaks it is correct
 *              and slow, so it fails here);
 *   rows       for grids of 1 to more blocks than rows: each row of B is one
 *              block's, once, and a block's rows are in increasing order;
 *   reduction  the partial sums in shared memory: one slot per (buffer,
 *              row slot, warp, row of A), inside the block's shared memory;
 *              each of a group's 32 row slots finished by exactly one warp,
 *              for every block size; consecutive groups in different
 *              buffers (what lets one barrier a group suffice);
 * and then the whole kernel walked on the CPU over small odd shapes and
 * grids: A_SMEM = 1's load of A into shared memory (each of A's M x K/8
 * vectors to one slot inside the block's bytes, once), each thread's loads,
 * its fp32-order products (A from those slots), the warp sums, the slots
 * written and read in each group, the stores to C, through the plan, on
 * small-integer data:
 *   coverage   every vector of B's N x K window is loaded once (rows past a
 *              block's last, read again from its last row, are counted as
 *              redundant, not stored); each finishing warp reads only slots
 *              written in that group; every element of C is written once;
 *   execution  C equals a plain reference GEMM exactly.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gemv/verify.h"

const tg_gplan_ops tg_gplan_real_ops = {
    tg_gplan_block_threads, tg_gplan_vector,     tg_gplan_block_rows,  tg_gplan_row,
    tg_gplan_buffer,        tg_gplan_red_offset, tg_gplan_finish_slot, tg_gplan_a_slot,
};

enum { CK_BLOCK, CK_ORDER, CK_ROWS, CK_REDUCTION, CK_COVERAGE, CK_EXECUTION, CHECKS };
static const char *const check_names[CHECKS] = {"block",     "order",    "rows",
                                                "reduction", "coverage", "execution"};
typedef tg_report report;

static int max_k(const tg_gtile *t) { return 8 * t->max_threads * t->vecs; }

/* block: threads from K, and each vector of a row one thread's. */
static void check_block(const tg_gtile *t, const tg_gplan_ops *ops, report *r)
{
    unsigned char *seen = malloc((size_t)t->max_threads * (size_t)t->vecs);
    if (!seen) {
        tg_report_fail(r, CK_BLOCK, "out of memory");
        return;
    }
    for (int k = 8; k <= max_k(t); k += k < 512 ? 8 : 8 * 37) {
        const int64_t vectors = k / TG_G_VEC_ELEMS;
        const int64_t bt = ops->block_threads(t, k);
        if (bt < TG_G_WARP_SIZE || bt % TG_G_WARP_SIZE || bt > t->max_threads) {
            tg_report_fail(r, CK_BLOCK, "K=%d: %lld threads a block (whole warps, at most %d)", k,
                           (long long)bt, t->max_threads);
            continue;
        }
        if (bt * t->vecs < vectors || (bt - TG_G_WARP_SIZE) * t->vecs >= vectors)
            tg_report_fail(r, CK_BLOCK,
                           "K=%d: %lld threads of %d vectors for %lld vectors a row: not the "
                           "fewest whole warps that cover it",
                           k, (long long)bt, t->vecs, (long long)vectors);
        memset(seen, 0, (size_t)vectors);
        for (int tid = 0; tid < bt; tid++)
            for (int j = 0; j < t->vecs; j++) {
                const int64_t v = ops->vector(tid, j, (int)bt);
                if (tid % TG_G_WARP_SIZE && v != ops->vector(tid - 1, j, (int)bt) + 1)
                    tg_report_fail(r, CK_ORDER,
                                   "K=%d: lane %d of warp %d reads vector %lld in load %d, not "
                                   "the one after lane %d's (%lld): a warp's load is not 512 "
                                   "contiguous bytes",
                                   k, tid % TG_G_WARP_SIZE, tid / TG_G_WARP_SIZE, (long long)v, j,
                                   tid % TG_G_WARP_SIZE - 1,
                                   (long long)ops->vector(tid - 1, j, (int)bt));
                if (v < 0)
                    tg_report_fail(r, CK_BLOCK, "K=%d: thread %d's vector %d is %lld", k, tid, j,
                                   (long long)v);
                else if (v < vectors && seen[v]++)
                    tg_report_fail(r, CK_BLOCK, "K=%d: vector %lld of a row is read twice (thread "
                                   "%d, j %d)", k, (long long)v, tid, j);
            }
        for (int64_t v = 0; v < vectors; v++)
            if (!seen[v])
                tg_report_fail(r, CK_BLOCK, "K=%d: vector %lld of a row is no thread's", k,
                               (long long)v);
    }
    free(seen);
}

/* rows: each row of B one block's, once, in increasing order within a block. */
static void check_rows(const tg_gplan_ops *ops, report *r)
{
    const int64_t ns[] = {1, 5, 31, 33, 264, 1000};
    const int64_t gs[] = {1, 2, 7, 32, 264, 2000};
    for (size_t a = 0; a < sizeof ns / sizeof ns[0]; a++)
        for (size_t b = 0; b < sizeof gs / sizeof gs[0]; b++) {
            const int64_t n = ns[a], g = gs[b] < n ? gs[b] : n;
            unsigned char *seen = calloc((size_t)n, 1);
            if (!seen) {
                tg_report_fail(r, CK_ROWS, "out of memory");
                return;
            }
            for (int64_t blk = 0; blk < g; blk++) {
                const int64_t rows = ops->block_rows(n, g, blk);
                for (int64_t i = 0; i < rows; i++) {
                    const int64_t row = ops->row(g, blk, i);
                    if (row < 0 || row >= n) {
                        tg_report_fail(r, CK_ROWS, "N=%lld G=%lld: block %lld's row %lld is %lld",
                                       (long long)n, (long long)g, (long long)blk, (long long)i,
                                       (long long)row);
                        continue;
                    }
                    if (i > 0 && row <= ops->row(g, blk, i - 1))
                        tg_report_fail(r, CK_ROWS, "N=%lld G=%lld: block %lld's rows not in order",
                                       (long long)n, (long long)g, (long long)blk);
                    if (seen[row]++)
                        tg_report_fail(r, CK_ROWS, "N=%lld G=%lld: row %lld is taken twice",
                                       (long long)n, (long long)g, (long long)row);
                }
            }
            for (int64_t row = 0; row < n; row++)
                if (!seen[row])
                    tg_report_fail(r, CK_ROWS, "N=%lld G=%lld: row %lld is no block's",
                                   (long long)n, (long long)g, (long long)row);
            free(seen);
        }
}

/* reduction: slots distinct and inside shared memory; every row slot finished once. */
static void check_reduction(const tg_gtile *t, const tg_gplan_ops *ops, report *r)
{
    const int floats = TG_G_SMEM_BYTES(t->block_m, t->max_threads) / 4;
    const int warps_max = TG_G_WARPS(t->max_threads);
    unsigned char *seen = calloc((size_t)floats, 1);
    if (!seen) {
        tg_report_fail(r, CK_REDUCTION, "out of memory");
        return;
    }
    for (int buf = 0; buf < 2; buf++)
        for (int s = 0; s < TG_G_GROUP_ROWS; s++)
            for (int w = 0; w < warps_max; w++)
                for (int m = 0; m < t->block_m; m++) {
                    const int at = ops->red_offset(t, buf, s, w, m);
                    if (at < 0 || at >= floats)
                        tg_report_fail(r, CK_REDUCTION,
                                       "slot (buffer %d, row %d, warp %d, m %d) at float %d, "
                                       "outside the %d of shared memory",
                                       buf, s, w, m, at, floats);
                    else if (seen[at]++)
                        tg_report_fail(r, CK_REDUCTION,
                                       "slot (buffer %d, row %d, warp %d, m %d) shares float %d",
                                       buf, s, w, m, at);
                }
    free(seen);
    for (int warps = 1; warps <= warps_max; warps++) {
        int finished[TG_G_GROUP_ROWS] = {0};
        for (int w = 0; w < warps; w++)
            for (int q = 0;; q++) {
                const int s = ops->finish_slot(w, warps, q);
                if (s < 0 || s >= TG_G_GROUP_ROWS || q > TG_G_GROUP_ROWS)
                    break;
                finished[s]++;
            }
        for (int s = 0; s < TG_G_GROUP_ROWS; s++)
            if (finished[s] != 1)
                tg_report_fail(r, CK_REDUCTION, "%d warps: row slot %d is finished %d times", warps,
                               s, finished[s]);
    }
    for (int64_t i0 = TG_G_GROUP_ROWS; i0 < 8 * TG_G_GROUP_ROWS; i0 += TG_G_GROUP_ROWS)
        if (ops->buffer(i0) == ops->buffer(i0 - TG_G_GROUP_ROWS) || ops->buffer(i0) < 0 ||
            ops->buffer(i0) > 1)
            tg_report_fail(r, CK_REDUCTION,
                           "the groups at rows %lld and %lld use buffers %d and %d: one barrier "
                           "a group needs them to alternate",
                           (long long)(i0 - TG_G_GROUP_ROWS), (long long)i0,
                           ops->buffer(i0 - TG_G_GROUP_ROWS), ops->buffer(i0));
}


/* One shape on a grid of g blocks through the whole kernel. */
static void check_walk(const tg_gtile *t, const tg_gplan_ops *ops, int m, int64_t n, int64_t k,
                       int64_t g, uint64_t seed, report *r, int64_t *redundant)
{
    const int64_t vectors = k / TG_G_VEC_ELEMS;
    const int bt = (int)ops->block_threads(t, k), warps = bt / TG_G_WARP_SIZE;
    const int floats = TG_G_SMEM_BYTES(t->block_m, t->max_threads) / 4;
    double *a = malloc(sizeof(double) * (size_t)(m * k));
    double *b = malloc(sizeof(double) * (size_t)(n * k));
    double *c = malloc(sizeof(double) * (size_t)(m * n));
    double *smem = malloc(sizeof(double) * (size_t)floats);
    int *written = malloc(sizeof(int) * (size_t)floats); /* the group that wrote a float */
    unsigned char *loads = calloc((size_t)(n * vectors) + 1, 1);
    unsigned char *c_writes = calloc((size_t)(m * n), 1);
    double *a_sm = NULL; /* A_SMEM = 1: the block's shared copy of A, by slot */
    if (!a || !b || !c || !smem || !written || !loads || !c_writes) {
        tg_report_fail(r, CK_EXECUTION, "out of memory");
        goto done;
    }
    for (int64_t x = 0; x < m * k; x++)
        a[x] = (double)tg_verify_small_int(&seed);
    for (int64_t x = 0; x < n * k; x++)
        b[x] = (double)tg_verify_small_int(&seed);
    for (int64_t x = 0; x < m * n; x++)
        c[x] = NAN;
    /* A_SMEM = 1: the block's load of A into its shared memory (every block loads the same). */
    if (t->a_smem) {
        const int64_t slots = tg_gplan_a_smem_bytes(t, m, k) / 16;
        a_sm = malloc(sizeof(double) * (size_t)(slots * 8 + 1));
        unsigned char *filled = calloc((size_t)slots + 1, 1);
        if (!a_sm || !filled) {
            free(filled);
            tg_report_fail(r, CK_EXECUTION, "out of memory");
            goto done;
        }
        for (int64_t x = 0; x < slots * 8; x++)
            a_sm[x] = NAN;
        for (int tid = 0; tid < bt; tid++)
            for (int64_t x = tid; x < m * vectors; x += bt) {
                const int mm = (int)(x / vectors);
                const int64_t v = x % vectors, at = ops->a_slot(vectors, mm, v);
                if (at < 0 || at >= slots || filled[at]++) {
                    tg_report_fail(r, CK_COVERAGE,
                                   "M=%d K=%lld: A's vector (%d, %lld) goes to slot %lld, outside "
                                   "the %lld slots or onto another vector",
                                   m, (long long)k, mm, (long long)v, (long long)at,
                                   (long long)slots);
                    continue;
                }
                for (int e = 0; e < TG_G_VEC_ELEMS; e++)
                    a_sm[at * 8 + e] = a[mm * k + v * 8 + e];
            }
        free(filled);
    }
    for (int64_t blk = 0; blk < g; blk++) {
        const int64_t rows = ops->block_rows(n, g, blk);
        for (int x = 0; x < floats; x++)
            written[x] = -1;
        for (int64_t i0 = 0; i0 < rows; i0 += TG_G_GROUP_ROWS) {
            const int buf = ops->buffer(i0);
            const int group = (int)(i0 / TG_G_GROUP_ROWS);
            for (int s0 = 0; s0 < TG_G_GROUP_ROWS && i0 + s0 < rows; s0 += t->rows)
                for (int rr = 0; rr < t->rows; rr++) {
                    const int64_t i = i0 + s0 + rr < rows ? i0 + s0 + rr : rows - 1;
                    const int64_t row = ops->row(g, blk, i);
                    if (row < 0 || row >= n)
                        continue; /* rows: reported there */
                    for (int w = 0; w < warps; w++)
                        for (int mm = 0; mm < t->block_m; mm++) {
                            double warp_sum = 0;
                            for (int lane = 0; lane < TG_G_WARP_SIZE; lane++) {
                                const int tid = w * TG_G_WARP_SIZE + lane;
                                for (int j = 0; j < t->vecs; j++) {
                                    const int64_t v = ops->vector(tid, j, bt);
                                    if (v < 0 || v >= vectors)
                                        continue;
                                    if (mm == 0) {
                                        if (i0 + s0 + rr < rows)
                                            loads[row * vectors + v]++;
                                        else
                                            ++*redundant;
                                    }
                                    const int64_t at = t->a_smem ? ops->a_slot(vectors, mm, v) : 0;
                                    if (mm < m && t->a_smem && (at < 0 || at * 8 >= m * k))
                                        continue; /* reported by the load above */
                                    if (mm < m)
                                        for (int e = 0; e < TG_G_VEC_ELEMS; e++)
                                            warp_sum += (t->a_smem ? a_sm[at * 8 + e]
                                                                   : a[mm * k + v * 8 + e]) *
                                                        b[row * k + v * 8 + e];
                                }
                            }
                            const int at = ops->red_offset(t, buf, s0 + rr, w, mm);
                            if (at >= 0 && at < floats) {
                                smem[at] = warp_sum;
                                written[at] = group;
                            }
                        }
                }
            /* __syncthreads(); then the finishing warps */
            for (int w = 0; w < warps; w++)
                for (int q = 0; q <= TG_G_GROUP_ROWS; q++) {
                    const int s = ops->finish_slot(w, warps, q);
                    if (s < 0 || s >= TG_G_GROUP_ROWS || i0 + s >= rows)
                        break;
                    const int64_t col = ops->row(g, blk, i0 + s);
                    if (col < 0 || col >= n)
                        continue;
                    for (int mm = 0; mm < m; mm++) {
                        double sum = 0;
                        for (int lane = 0; lane < warps; lane++) {
                            const int at = ops->red_offset(t, buf, s, lane, mm);
                            if (at < 0 || at >= floats || written[at] != group) {
                                tg_report_fail(r, CK_COVERAGE,
                                               "M=%d N=%lld K=%lld G=%lld: block %lld reads warp "
                                               "%d's partial of row slot %d not written in this "
                                               "group",
                                               m, (long long)n, (long long)k, (long long)g,
                                               (long long)blk, lane, s);
                                continue;
                            }
                            sum += smem[at];
                        }
                        c[mm * n + col] = sum;
                        c_writes[mm * n + col]++;
                    }
                }
        }
    }
    int bad = 0;
    for (int64_t row = 0; row < n; row++)
        for (int64_t v = 0; v < vectors; v++)
            if (loads[row * vectors + v] != 1 && bad++ < 3)
                tg_report_fail(r, CK_COVERAGE,
                               "M=%d N=%lld K=%lld G=%lld: B(%lld, %lld..%lld) is loaded %d "
                               "times, not once",
                               m, (long long)n, (long long)k, (long long)g, (long long)row,
                               (long long)v * 8, (long long)v * 8 + 7, loads[row * vectors + v]);
    bad = 0;
    for (int mm = 0; mm < m; mm++)
        for (int64_t col = 0; col < n; col++) {
            if (c_writes[mm * n + col] != 1)
                tg_report_fail(r, CK_COVERAGE,
                               "M=%d N=%lld K=%lld G=%lld: C(%d, %lld) is written %d times, not "
                               "once",
                               m, (long long)n, (long long)k, (long long)g, mm, (long long)col,
                               c_writes[mm * n + col]);
            double ref = 0;
            for (int64_t x = 0; x < k; x++)
                ref += a[mm * k + x] * b[col * k + x];
            if (!(c[mm * n + col] == ref) && bad++ < 3)
                tg_report_fail(r, CK_EXECUTION,
                               "M=%d N=%lld K=%lld G=%lld: C(%d, %lld) = %g, reference %g", m,
                               (long long)n, (long long)k, (long long)g, mm, (long long)col,
                               c[mm * n + col], ref);
        }
done:
    free(a);
    free(b);
    free(c);
    free(a_sm);
    free(smem);
    free(written);
    free(loads);
    free(c_writes);
}

tg_status tg_gemv_verify_ops(const int *params, const tg_gplan_ops *ops, char *buf, size_t len)
{
    if (!params || !ops)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "tg_gemv_verify_ops: params or ops is NULL");
    TG_TRY(tg_params_check(TG_FAMILY_GEMV, params, TG_GEMV_NPARAMS));
    const tg_gtile t = tg_gtile_from_params(params);
    report r = tg_report_init(buf, len, check_names, CHECKS);

    check_block(&t, ops, &r);
    check_rows(ops, &r);
    check_reduction(&t, ops, &r);

    /* M from 1 to BLOCK_M; K of one vector, ragged against the block's threads, the longest
     * the configuration takes; N of one row, fewer rows than blocks, several groups a block
     * (a last group and a last batch part-full). */
    const int bm = t.block_m, kmax = max_k(&t);
    const int64_t shapes[][4] = {
        {1, 1, 8, 1},
        {bm, 7, 8 * 33, 3},
        {bm, 70, 8 * (t.vecs * 32 + 1), 2},
        {1, 97, kmax, 3},
        {bm, 2 * TG_G_GROUP_ROWS + 5, 40, 1},
        {bm > 1 ? bm - 1 : 1, 5, 64, 8},
    };
    const int nshapes = (int)(sizeof shapes / sizeof shapes[0]);
    int64_t redundant = 0;
    if (r.per[CK_BLOCK] + r.per[CK_ROWS] + r.per[CK_REDUCTION] == 0)
        for (int s = 0; s < nshapes && r.per[CK_EXECUTION] + r.per[CK_COVERAGE] < 3; s++)
            check_walk(&t, ops, (int)shapes[s][0], shapes[s][1], shapes[s][2], shapes[s][3],
                       0x9E3779B97F4A7C15ULL + (uint64_t)s, &r, &redundant);
    else
        tg_text_add(&r.text, "  (the kernel's walk skipped: its structure is broken)\n");

    if (r.failures) {
        tg_report_failures(&r);
        return TG_FAIL(TG_ERR_INVALID_CONFIG, "gemv plan failed %d verifier check(s)", r.failures);
    }
    tg_text_add(&r.text,
                "plan verifier: ok (threads from K, each vector of a row one thread's, a warp's "
                "load 512 contiguous bytes; each row "
                "one block's, in order; partial-sum slots distinct, each row slot finished once, "
                "groups alternating buffers; the kernel walked on %d shapes: each vector of B "
                "loaded once, each partial read in the group that wrote it, each C element "
                "written once, exact); %lld redundant B loads (a last batch's rows past the "
                "block's last)\n",
                nshapes, (long long)redundant);
    return TG_SUCCESS;
}

tg_status tg_gemv_verify(const int *params, char *buf, size_t len)
{
    return tg_gemv_verify_ops(params, &tg_gplan_real_ops, buf, len);
}
