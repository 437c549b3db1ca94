/*
 * tmap_common.h — what the tensor-map cache's tests share: random shapes
 * and addresses, and one thread's run of calls, each checked against the
 * encoder's own map. test_tmap.c calls it with fake encoders (CPU),
 * test_tmap_gpu.c with the driver's (GPU); each counts its encoder's calls
 * in a _Thread_local counter and hands run_calls that thread's counter.
 */
#ifndef TG_TEST_TMAP_COMMON_H
#define TG_TEST_TMAP_COMMON_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "hopper/hopper.h"

/* ------------------------------------------------------------------------
 * Random shapes and addresses
 * ---------------------------------------------------------------------- */

typedef struct shape {
    int dev, box_cols, box_rows;
    tg_dtype dtype;
    int64_t rows, k, ld, batch, stride; /* k: the columns (K of A and B, N of C) */
} shape;

/*
 * main's `[--seed S]`: S, or a fresh seed from the clock (never 0, which
 * xorshift cannot leave). Returns 0, or 2 after printing prog's usage.
 */
static inline int parse_seed(int argc, char **argv, const char *prog, uint64_t *seed)
{
    *seed = (uint64_t)time(NULL) * 2654435761u ^ (uint64_t)clock();
    if (argc == 3 && !strcmp(argv[1], "--seed"))
        *seed = strtoull(argv[2], NULL, 10);
    else if (argc != 1) {
        fprintf(stderr, "usage: %s [--seed S]\n", prog);
        return 2;
    }
    if (!*seed)
        *seed = 1;
    return 0;
}

static inline uint64_t next(uint64_t *s) /* xorshift64* */
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545f4914f6cdd1dull;
}

static inline int64_t between(uint64_t *s, int64_t lo, int64_t hi)
{
    return lo + (int64_t)(next(s) % (uint64_t)(hi - lo + 1));
}

/* Where random_shape draws from; a test's ranges are one of these. */
typedef struct shape_ranges {
    int narrow_boxes;          /* one box in four 1/2 or 1/4 as wide */
    int row_ranges;            /* rows: from one of rows[0..row_ranges), each as likely */
    int64_t rows[4][2];        /* [lo, hi] */
    int64_t k_small, k_large;  /* k: from [1, k_small] or [1, k_large], as likely */
    int ld_pad;                /* ld: k rounded up to 8, plus 8 * [0, ld_pad] */
    int64_t batch_max;         /* one shape in three batched: [2, batch_max] items */
    int stride_pad;            /* batched: the stride is rows * ld plus 8 * [0, stride_pad] */
    int64_t single_stride;     /* one item: the stride is not read, [0, single_stride] */
    int tma_strides;           /* rows shrunk until the strides fit TMA's 2^40 bytes */
    int odd_ld;                /* one shape in 16 gets rows of 8-byte multiples (refused) */
} shape_ranges;

static inline shape random_shape(uint64_t *s, const shape_ranges *r)
{
    static const int boxes[] = {64, 128, 256};
    shape x;
    x.dev = (int)between(s, 0, 1); /* the key only: an encoder is not told the device */
    x.box_rows = boxes[next(s) % 3];
    /* A and B: bf16, 64 columns; C: fp32 or bf16, 128 bytes (and narrower boxes). */
    x.dtype = next(s) % 3 ? TG_DTYPE_BF16 : TG_DTYPE_F32;
    x.box_cols = x.dtype == TG_DTYPE_BF16 ? 64 : 32;
    if (r->narrow_boxes)
        x.box_cols >>= next(s) % 4 ? 0 : between(s, 1, 2);
    const int64_t *rows = r->rows[next(s) % (uint64_t)r->row_ranges];
    x.rows = between(s, rows[0], rows[1]);
    x.k = between(s, 1, next(s) % 2 ? r->k_small : r->k_large);
    x.ld = (x.k + 7) / 8 * 8 + 8 * between(s, 0, r->ld_pad);
    x.batch = next(s) % 3 ? 1 : between(s, 2, r->batch_max);
    /* With the TMA limit the batched stride is drawn for one item too: the limit tests it. */
    if (x.batch > 1 || r->tma_strides)
        x.stride = x.rows * x.ld + 8 * between(s, 0, r->stride_pad);
    if (r->tma_strides) {
        const int64_t size = x.dtype == TG_DTYPE_F32 ? 4 : 2;
        while (x.rows * x.ld * size >= (int64_t)1 << 40 || x.stride * size >= (int64_t)1 << 40) {
            x.rows = x.rows / 2 + 1;
            x.stride = x.rows * x.ld;
        }
    }
    if (x.batch == 1)
        x.stride = between(s, 0, r->single_stride);
    if (r->odd_ld && next(s) % 16 == 0)
        x.ld += 4; /* rows of 8-byte multiples: the encoders refuse it */
    return x;
}

/* Shapes every encoder refuses, in place of the first n (at most 2). */
static inline void refused_shapes(shape *x, int n)
{
    if (n > 0) {
        x[0].dtype = TG_DTYPE_BF16;
        x[0].box_cols = 64;
        if (x[0].ld % 8 == 0)
            x[0].ld += 4; /* row stride not a multiple of 16 bytes */
    }
    if (n > 1)
        x[1].box_rows = 512; /* box rows above 256 */
}

/* A 16-byte aligned address in [lowest, 2^46) (where the proof covers it); lowest: a multiple
 * of 16 above 0. */
static inline uint64_t random_address(uint64_t *s, uint64_t lowest)
{
    return lowest + (next(s) % (((uint64_t)1 << 46) - lowest)) / 16 * 16;
}

/* The cache's map and the encoder's own, for a shape on a device. */
static inline tg_status cached(CUtensorMap *m, const char *name, int dev, uint64_t a,
                               const shape *x)
{
    return tg_tmap_matrix(m, name, dev, (const void *)(uintptr_t)a, x->dtype, x->rows, x->k, x->ld,
                          x->batch, x->stride, x->box_cols, x->box_rows);
}

static inline tg_status encoded(CUtensorMap *m, const char *name, int dev, uint64_t a,
                                const shape *x)
{
    return tg_tmap_matrix_encode(m, name, dev, (const void *)(uintptr_t)a, x->dtype, x->rows, x->k,
                                 x->ld, x->batch, x->stride, x->box_cols, x->box_rows);
}

/* ------------------------------------------------------------------------
 * One run: a thread's calls, checked against the encoder's own maps
 * ---------------------------------------------------------------------- */

typedef struct run {
    uint64_t seed;
    const shape *shapes;
    int nshapes, ncalls;
    const char *encoder;       /* "encoder", "driver": its name in messages */
    uint64_t lowest;           /* random addresses from here (random_address) */
    uint64_t real, real_bytes; /* memory for one address in 8, if real_bytes (else none) */
    /* results */
    long long calls, hits, mismatches, status_mismatches, hit_encoder_calls, refused, real_used;
    tg_tmap_stats stats;
    char first[256];
    char setup[256]; /* what failed before the calls (test_tmap_gpu: cudaMalloc), if anything */
} run;

/* r's calls from this thread; encoder_calls: this thread's count of encoder calls. */
static inline void run_calls(run *r, const long long *encoder_calls)
{
    uint64_t s = r->seed;
    tg_tmap_clear();
    int last = -1;
    for (int i = 0; i < r->ncalls; i++) {
        /* Often the shape of the call before (the b map after the a map, a loop of one size). */
        const int j = last >= 0 && next(&s) % 2 ? last : (int)(next(&s) % (uint64_t)r->nshapes);
        last = j;
        const shape *x = &r->shapes[j];
        uint64_t a = random_address(&s, r->lowest);
        if (r->real_bytes && next(&s) % 8 == 0) {
            a = r->real + (next(&s) % (r->real_bytes / 16)) * 16;
            r->real_used++;
        }
        CUtensorMap got, want;
        memset(&got, 0xa5, sizeof got);
        memset(&want, 0x5a, sizeof want);
        tg_tmap_stats before, after;
        tg_tmap_get_stats(&before);
        const long long calls0 = *encoder_calls;
        const tg_status s1 = cached(&got, "a", x->dev, a, x);
        const long long made = *encoder_calls - calls0;
        tg_tmap_get_stats(&after);
        const tg_status s2 = encoded(&want, "a", x->dev, a, x);
        r->calls++;
        if (after.hits > before.hits) {
            r->hits++;
            if (made != 0)
                r->hit_encoder_calls++;
        }
        if (s1 != s2) {
            r->status_mismatches++;
            if (!r->first[0])
                snprintf(r->first, sizeof r->first, "call %d (shape %d): status %d, %s %d", i, j,
                         (int)s1, r->encoder, (int)s2);
        } else if (s1 == TG_SUCCESS && memcmp(&got, &want, sizeof got)) {
            r->mismatches++;
            if (!r->first[0]) {
                const unsigned char *g = (const unsigned char *)&got;
                const unsigned char *w = (const unsigned char *)&want;
                int at = 0;
                while (g[at] == w[at])
                    at++;
                snprintf(r->first, sizeof r->first,
                         "call %d (shape %d: rows %" PRId64 " k %" PRId64 " ld %" PRId64
                         " batch %" PRId64 " box %d; address 0x%" PRIx64
                         "): first differing byte %d (cache 0x%02x, %s 0x%02x)",
                         i, j, x->rows, x->k, x->ld, x->batch, x->box_rows, a, at, g[at],
                         r->encoder, w[at]);
            }
        } else if (s1 != TG_SUCCESS) {
            r->refused++;
        }
    }
    tg_tmap_get_stats(&r->stats);
}

/* What every run must show; who: "thread 3" and the like, first in each message. */
static inline void check_run(const run *r, const char *who)
{
    CHECK(r->calls == r->ncalls, "%s: %lld calls", who, r->calls);
    CHECK(r->mismatches == 0, "%s: %lld maps differ from the %s's; first: %s", who, r->mismatches,
          r->encoder, r->first);
    CHECK(r->status_mismatches == 0, "%s: %lld statuses differ from the %s's; first: %s", who,
          r->status_mismatches, r->encoder, r->first);
    CHECK(r->hit_encoder_calls == 0, "%s: %lld of %lld hits called the %s", who,
          r->hit_encoder_calls, r->hits, r->encoder);
}

#endif /* TG_TEST_TMAP_COMMON_H */
