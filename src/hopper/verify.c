/*
 * verify.c — the hopper family's CPU verifier: the plan's addresses walked
 * the way the kernel uses them, from definitions taken from the PTX ISA
 * (docs/HOPPER-PTX.md), with no GPU:
 *   1. layout     every stage's A and B tile starts on a 1024-byte boundary
 *                 (the swizzle is computed on absolute addresses), and the
 *                 ring fits the shared memory the kernel is given;
 *   2. tma        a TMA box written with the 128-byte swizzle puts every
 *                 element at a distinct byte inside its own tile;
 *   3. operands   what each wgmma reads, through the kernel's own descriptors
 *                 decoded field by field, is A[m][k] and B[n][k] of its m64
 *                 piece and k16 step, for every stage;
 *   4. fragment   the m64nNk16 accumulator: every (row, column) held by
 *                 exactly one (warp, lane, register), registers i and i+1
 *                 of a pair adjacent columns of one row;
 *   5. execution  whole K loops on small odd shapes (edges zero-filled as
 *                 TMA does): boxes into an emulated shared memory, wgmma from
 *                 it through the descriptors, accumulators through the
 *                 fragment map into C — equal to a plain GEMM exactly
 *                 (small integers), every element of C written once;
 *   6. ring       the stage and parity schedule for K loops of 1 .. 3·STAGES+1
 *                 tiles: each wait sees the load of its own tile, and no stage
 *                 is refilled before the iteration that read it finished.
 * Not yet: mutation tests that show each check failing on a broken plan.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hopper/hopper.h"

typedef struct report {
    tg_text text;
    int failures;
} report;

static void fail(report *r, const char *check, const char *fmt, ...)
{
    if (r->failures++ >= 8)
        return;
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    tg_text_add(&r->text, "  FAIL %s: %s\n", check, line);
}

enum { RING = 1024 }; /* the emulated ring's absolute base (1024-aligned, not 0) */

/* ------------------------------------------------------------------------ */

static void check_layout(const tg_htile *t, report *r)
{
    for (int s = 0; s < t->stages; s++) {
        if ((RING + tg_hplan_stage_a(t, s)) % TG_H_SWIZZLE_ATOM ||
            (RING + tg_hplan_stage_b(t, s)) % TG_H_SWIZZLE_ATOM)
            fail(r, "layout", "stage %d's tiles are not on 1024-byte boundaries", s);
        if (tg_hplan_stage_b(t, s) + TG_H_B_BYTES(t->block_n) + TG_H_SWIZZLE_ATOM >
            (uint32_t)TG_H_SMEM_BYTES(t->block_m, t->block_n, t->stages))
            fail(r, "layout", "stage %d ends past the shared memory the kernel is given", s);
    }
}

/* The byte each element of a rows x 64 box lands on must be distinct and inside the tile. */
static void check_tma(const tg_htile *t, uint32_t tile, int rows, const char *what, report *r)
{
    const uint32_t bytes = (uint32_t)rows * TG_H_SWIZZLE_BYTES;
    unsigned char *seen = calloc(bytes, 1);
    if (!seen) {
        fail(r, "tma", "out of memory");
        return;
    }
    for (int row = 0; row < rows; row++)
        for (int col = 0; col < t->block_k; col++) {
            uint32_t a = tg_hplan_tma_addr(tile, row, col);
            if (a < tile || a + 2 > tile + bytes || a % 2)
                fail(r, "tma", "%s element (%d,%d) lands at %u, outside its tile", what, row, col, a);
            else if (seen[a - tile]++)
                fail(r, "tma", "%s element (%d,%d) lands where another one did", what, row, col);
        }
    free(seen);
}

/* What the wgmma of (stage s, piece mp, step kk) reads is the element it means. */
static void check_operands(const tg_htile *t, report *r)
{
    for (int s = 0; s < t->stages; s++)
        for (int kk = 0; kk < t->block_k / TG_H_WGMMA_K; kk++) {
            for (int mp = 0; mp < TG_H_M_PIECES(t->block_m); mp++) {
                uint64_t d = tg_hplan_desc_a(t, RING, s, mp, kk);
                for (int m = 0; m < TG_H_WGMMA_M; m++)
                    for (int k = 0; k < TG_H_WGMMA_K; k++) {
                        uint32_t got = tg_hplan_desc_addr(d, m, k);
                        uint32_t want = tg_hplan_tma_addr(RING + tg_hplan_stage_a(t, s),
                                                          mp * TG_H_WGMMA_M + m, kk * TG_H_WGMMA_K + k);
                        if (got != want)
                            fail(r, "operands", "stage %d, A piece %d, k16 step %d: (%d,%d) read at %u, "
                                 "TMA put it at %u", s, mp, kk, m, k, got, want);
                    }
            }
            uint64_t d = tg_hplan_desc_b(t, RING, s, kk);
            for (int n = 0; n < t->block_n; n++)
                for (int k = 0; k < TG_H_WGMMA_K; k++) {
                    uint32_t got = tg_hplan_desc_addr(d, n, k);
                    uint32_t want = tg_hplan_tma_addr(RING + tg_hplan_stage_b(t, s), n,
                                                      kk * TG_H_WGMMA_K + k);
                    if (got != want)
                        fail(r, "operands", "stage %d, B, k16 step %d: (%d,%d) read at %u, TMA put "
                             "it at %u", s, kk, n, k, got, want);
                }
        }
}

static void check_fragment(const tg_htile *t, report *r)
{
    const int n = t->block_n;
    unsigned char *seen = calloc((size_t)(TG_H_WGMMA_M * n), 1);
    if (!seen) {
        fail(r, "fragment", "out of memory");
        return;
    }
    for (int w = 0; w < 4; w++)
        for (int lane = 0; lane < 32; lane++)
            for (int i = 0; i < n / 2; i++) {
                tg_hrc e = tg_hplan_frag(w, lane, i);
                if (e.row < 0 || e.row >= TG_H_WGMMA_M || e.col < 0 || e.col >= n) {
                    fail(r, "fragment", "warp %d lane %d register %d holds (%d,%d), outside m64n%d",
                         w, lane, i, e.row, e.col, n);
                    continue;
                }
                seen[e.row * n + e.col]++;
                if (i % 2 == 0) {
                    tg_hrc f = tg_hplan_frag(w, lane, i + 1);
                    if (f.row != e.row || f.col != e.col + 1)
                        fail(r, "fragment", "registers %d, %d of lane %d are not adjacent columns",
                             i, i + 1, lane);
                }
            }
    for (int x = 0; x < TG_H_WGMMA_M * n; x++)
        if (seen[x] != 1)
            fail(r, "fragment", "accumulator element (%d,%d) is held %d times", x / n, x % n,
                 seen[x]);
    free(seen);
}

/* ------------------------------------------------------------------------
 * 5. execution
 * ---------------------------------------------------------------------- */

static int small_value(uint64_t *state)
{
    *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (int)(*state >> 60) - 8; /* -8 .. 7: exact in bf16, fp32 and double */
}

/* A TMA box: rows of `src` (rows x k, ld k) from (row0, k0) into the tile, zeros outside. */
static void emulate_tma(int16_t *smem, uint32_t tile, const int *src, int64_t rows, int64_t k,
                        int64_t row0, int64_t k0, int box_rows, int box_k)
{
    for (int r = 0; r < box_rows; r++)
        for (int c = 0; c < box_k; c++) {
            int64_t gr = row0 + r, gc = k0 + c;
            int v = gr < rows && gc < k ? src[gr * k + gc] : 0;
            smem[tg_hplan_tma_addr(tile, r, c) / 2] = (int16_t)v;
        }
}

static void check_execution(const tg_htile *t, int64_t m, int64_t n, int64_t k, uint64_t seed,
                            report *r)
{
    int *a = malloc(sizeof(int) * (size_t)(m * k)), *b = malloc(sizeof(int) * (size_t)(n * k));
    long long *c = malloc(sizeof(long long) * (size_t)(m * n));
    int *writes = calloc((size_t)(m * n), sizeof(int));
    const uint32_t smem_bytes = RING + (uint32_t)TG_H_SMEM_BYTES(t->block_m, t->block_n, t->stages);
    int16_t *smem = calloc(smem_bytes / 2, sizeof(int16_t));
    long long *acc = malloc(sizeof(long long) * (size_t)(TG_H_M_PIECES(t->block_m) * 128 * t->block_n / 2));
    if (!a || !b || !c || !writes || !smem || !acc) {
        fail(r, "execution", "out of memory");
        goto done;
    }
    for (int64_t x = 0; x < m * k; x++)
        a[x] = small_value(&seed);
    for (int64_t x = 0; x < n * k; x++)
        b[x] = small_value(&seed);
    const int64_t grid_m = tg_hplan_grid_m(t, m), grid_n = tg_hplan_grid_n(t, n);
    const int64_t k_tiles = tg_hplan_k_tiles(t, k);
    const int acc_n = t->block_n / 2, pieces = TG_H_M_PIECES(t->block_m);
    for (int64_t bid = 0; bid < grid_m * grid_n; bid++) {
        int64_t br, bc;
        tg_raster_order(t->raster, bid, grid_m, grid_n, &br, &bc);
        memset(acc, 0, sizeof(long long) * (size_t)(pieces * 128 * acc_n));
        for (int64_t kt = 0; kt < k_tiles; kt++) {
            const int s = (int)(kt % t->stages);
            emulate_tma(smem, RING + tg_hplan_stage_a(t, s), a, m, k, br * t->block_m,
                        kt * t->block_k, t->block_m, t->block_k);
            emulate_tma(smem, RING + tg_hplan_stage_b(t, s), b, n, k, bc * t->block_n,
                        kt * t->block_k, t->block_n, t->block_k);
            /* Every thread's registers, through the fragment map and the descriptors. */
            for (int mp = 0; mp < pieces; mp++)
                for (int kk = 0; kk < t->block_k / TG_H_WGMMA_K; kk++) {
                    uint64_t da = tg_hplan_desc_a(t, RING, s, mp, kk), db = tg_hplan_desc_b(t, RING, s, kk);
                    for (int th = 0; th < 128; th++)
                        for (int i = 0; i < acc_n; i++) {
                            tg_hrc e = tg_hplan_frag(th / 32, th % 32, i);
                            long long sum = 0;
                            for (int kx = 0; kx < TG_H_WGMMA_K; kx++)
                                sum += (long long)smem[tg_hplan_desc_addr(da, e.row, kx) / 2] *
                                       smem[tg_hplan_desc_addr(db, e.col, kx) / 2];
                            acc[(mp * 128 + th) * acc_n + i] += sum;
                        }
                }
        }
        for (int mp = 0; mp < pieces; mp++)
            for (int th = 0; th < 128; th++)
                for (int i = 0; i < acc_n; i++) {
                    tg_hrc e = tg_hplan_frag(th / 32, th % 32, i);
                    int64_t row = br * t->block_m + mp * TG_H_WGMMA_M + e.row, col = bc * t->block_n + e.col;
                    if (row < m && col < n) {
                        c[row * n + col] = acc[(mp * 128 + th) * acc_n + i];
                        writes[row * n + col]++;
                    }
                }
    }
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) {
            long long want = 0;
            for (int64_t x = 0; x < k; x++)
                want += (long long)a[i * k + x] * b[j * k + x];
            if (writes[i * n + j] != 1)
                fail(r, "execution", "%lldx%lldx%lld: C(%lld,%lld) written %d times", (long long)m,
                     (long long)n, (long long)k, (long long)i, (long long)j, writes[i * n + j]);
            else if (c[i * n + j] != want)
                fail(r, "execution", "%lldx%lldx%lld: C(%lld,%lld) = %lld, expected %lld",
                     (long long)m, (long long)n, (long long)k, (long long)i, (long long)j,
                     c[i * n + j], want);
        }
done:
    free(a);
    free(b);
    free(c);
    free(writes);
    free(smem);
    free(acc);
}

/* ------------------------------------------------------------------------
 * 6. ring: the kernel's schedule, through its own functions: thread 0 loads
 * tiles 0 .. STAGES-1 before the loop, and tg_hplan_refill(kt) after
 * iteration kt; iteration kt waits on stage tg_hplan_stage_of(kt) with
 * parity tg_hplan_parity_of(kt). An mbarrier's phase p completes with the
 * p-th load into its stage; a wait on parity x returns once the latest
 * completed phase has parity x (and at once on a fresh barrier for x = 1).
 * ---------------------------------------------------------------------- */

enum { MAX_RING = 8 };

typedef struct stage_state {
    int loads;    /* phases completed: loads into the stage */
    int holds;    /* the tile of the latest load, -1 before any */
    int consumed; /* the tile it holds was read by its iteration */
} stage_state;

static void ring_load(const tg_htile *t, stage_state *st, int tiles, int kt, report *r)
{
    stage_state *x = &st[tg_hplan_stage_of(t, kt)];
    if (x->holds >= 0 && !x->consumed)
        fail(r, "ring", "%d tiles: tile %d overwrites tile %d in stage %d before it was read",
             tiles, kt, x->holds, tg_hplan_stage_of(t, kt));
    x->loads++;
    x->holds = kt;
    x->consumed = 0;
}

static void check_ring(const tg_htile *t, report *r)
{
    for (int tiles = 1; tiles <= 3 * t->stages + 1; tiles++) {
        stage_state st[MAX_RING];
        for (int s = 0; s < MAX_RING; s++)
            st[s] = (stage_state){0, -1, 0};
        for (int kt = 0; kt < t->stages && kt < tiles; kt++) /* the prologue */
            ring_load(t, st, tiles, kt, r);
        for (int kt = 0; kt < tiles; kt++) {
            const int s = tg_hplan_stage_of(t, kt);
            const uint32_t parity = tg_hplan_parity_of(t, kt);
            stage_state *x = &st[s];
            /* Does the wait return (completed phase of this parity), and on this tile? */
            const int returns = x->loads > 0 ? (uint32_t)((x->loads - 1) & 1) == parity : parity == 1;
            if (!returns)
                fail(r, "ring", "%d tiles: iteration %d waits forever on stage %d (parity %u, %d "
                     "phases completed)", tiles, kt, s, parity, x->loads);
            else if (x->holds != kt)
                fail(r, "ring", "%d tiles: iteration %d reads stage %d, which holds tile %d",
                     tiles, kt, s, x->holds);
            x->consumed = 1;
            const int next = tg_hplan_refill(t, kt);
            if (next < tiles)
                ring_load(t, st, tiles, next, r);
        }
    }
}

tg_status tg_hopper_verify(const int *p, char *buf, size_t len)
{
    const tg_htile t = tg_htile_from_params(p);
    report r = {tg_text_init(buf, len), 0};
    check_layout(&t, &r);
    for (int s = 0; s < t.stages; s++) {
        check_tma(&t, RING + tg_hplan_stage_a(&t, s), t.block_m, "A", &r);
        check_tma(&t, RING + tg_hplan_stage_b(&t, s), t.block_n, "B", &r);
    }
    check_operands(&t, &r);
    check_fragment(&t, &r);
    const int64_t bm = t.block_m, bn = t.block_n, bk = t.block_k;
    const int64_t shapes[][3] = {{1, 1, 1}, {bm + 3, bn - 5, 2 * bk + 7}, {2 * bm - 1, bn + 9, bk * t.stages + 13}};
    const int nshapes = (int)(sizeof shapes / sizeof shapes[0]);
    if (r.failures == 0)
        for (int i = 0; i < nshapes; i++)
            check_execution(&t, shapes[i][0], shapes[i][1], shapes[i][2], 0x5DEECE66DULL + (uint64_t)i, &r);
    check_ring(&t, &r);
    if (r.failures) {
        tg_text_add(&r.text, "plan verifier: %d failure(s)\n", r.failures);
        return TG_FAIL(TG_ERR_INVALID_CONFIG, "hopper plan failed %d verifier check(s)", r.failures);
    }
    tg_text_add(&r.text, "plan verifier: ok (layout, TMA placement, wgmma operands through the "
                         "descriptors, accumulator fragment, execution on %d shapes: exact, ring "
                         "schedule for 1..%d tiles)\n",
                nshapes, 3 * t.stages + 1);
    return TG_SUCCESS;
}
