/* suites.c — the bench command's tables; see suites.h. */
#define _POSIX_C_SOURCE 200809L /* strnlen */
#include "suites.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

/* ------------------------------------------------------------------------
 * Shapes
 * ---------------------------------------------------------------------- */

/* A whole decimal in 1..CLI_MAX_DIM at *p (digits only: no sign, no space); advances *p. */
static int dim(const char **p, int64_t *out)
{
    char *end = NULL;
    if (**p < '0' || **p > '9')
        return 0;
    errno = 0;
    long long x = strtoll(*p, &end, 10);
    if (errno == ERANGE || x < 1 || x > CLI_MAX_DIM)
        return 0;
    *out = x;
    *p = end;
    return 1;
}

int bench_shape_parse(const char *text, bench_shape *out)
{
    if (strnlen(text, BENCH_SHAPE_TEXT_MAX + 1) > BENCH_SHAPE_TEXT_MAX)
        return 0;
    bench_shape s;
    memset(&s, 0, sizeof s);
    const char *p = text;
    if (!dim(&p, &s.m) || *p++ != 'x' || !dim(&p, &s.n) || *p++ != 'x' || !dim(&p, &s.k))
        return 0;
    static const char *const keys[3] = {":lda=", ":ldb=", ":ldc="};
    int64_t *lds[3] = {&s.lda, &s.ldb, &s.ldc};
    while (*p) {
        int key = -1;
        for (int i = 0; i < 3; i++)
            if (!strncmp(p, keys[i], 5))
                key = i;
        if (key < 0 || *lds[key] != 0) /* not a key, or given twice */
            return 0;
        p += 5;
        if (!dim(&p, lds[key]))
            return 0;
    }
    *out = s;
    return 1;
}

void bench_shape_format(const bench_shape *s, char *buf, size_t len)
{
    int at = snprintf(buf, len, "%lldx%lldx%lld", (long long)s->m, (long long)s->n,
                      (long long)s->k);
    const char *const keys[3] = {"lda", "ldb", "ldc"};
    const int64_t lds[3] = {s->lda, s->ldb, s->ldc};
    for (int i = 0; i < 3; i++)
        if (lds[i] && at >= 0 && (size_t)at < len)
            at += snprintf(buf + at, len - (size_t)at, ":%s=%lld", keys[i], (long long)lds[i]);
}

int bench_shapes_parse(const char *list, bench_shape *out, int max, char *err, size_t len)
{
    int n = 0;
    for (const char *p = list;; p++) {
        const char *end = strchr(p, ',');
        const size_t item = end ? (size_t)(end - p) : strlen(p);
        char text[BENCH_SHAPE_TEXT_MAX + 1];
        if (n == max) {
            snprintf(err, len, "lists more than %d shapes", max);
            return -1;
        }
        snprintf(text, sizeof text, "%.*s", (int)(item < sizeof text ? item : sizeof text - 1), p);
        if (item > BENCH_SHAPE_TEXT_MAX || !bench_shape_parse(text, &out[n])) {
            snprintf(err, len, "shape '%.*s' is not MxNxK[:lda=L][:ldb=L][:ldc=L] with each in "
                               "1..%lld", (int)(item < 200 ? item : 200), p, CLI_MAX_DIM);
            return -1;
        }
        n++;
        if (!end)
            return n;
        p = end;
    }
}

/* ------------------------------------------------------------------------
 * Suites
 * ---------------------------------------------------------------------- */

static const bench_suite suites[] = {
    {"square", "square GEMMs, the classic compute-bound case",
     "2048x2048x2048,4096x4096x4096,8192x8192x8192"},
    /* M tokens (a prefill chunk or a large batch) times the weight matrices of
     * 7B-70B LLMs: attention projections (4096x4096; q,k,v fused 12288x4096),
     * MLP up and down (11008, 22016 = 2x11008 gate+up fused; 28672 and 8192 for 70B). */
    {"llm", "M = 128, 4096, 8192 tokens times LLM weight matrices (N x K)",
     "128x4096x4096,128x12288x4096,128x4096x11008,128x22016x4096,128x28672x8192,128x8192x28672,"
     "4096x4096x4096,4096x12288x4096,4096x4096x11008,4096x22016x4096,4096x28672x8192,"
     "4096x8192x28672,"
     "8192x4096x4096,8192x12288x4096,8192x4096x11008,8192x22016x4096,8192x28672x8192,"
     "8192x8192x28672"},
    {"small", "shapes too small to fill the GPU with large tiles, and a long K",
     "1000x1000x1000,2048x2048x2048,512x512x8192"},
    /* Generation: M = tokens in the batch; memory-bound (BENCH_DECODE_MN). */
    {"decode", "M = 1, 16, 64 tokens: memory-bound, timed warm and with L2 flushed",
     "1x8192x8192,16x8192x8192,64x8192x8192,16x28672x8192,1x4096x4096"},
    /* A few tokens times a narrow weight matrix (a k or v projection of 8 KV heads of 128:
     * N = 1024 at K = 4096 or 8192), where 64-column tiles are 8 to 48 and K is split over a
     * cluster of 8 or 4 (bench/RESULTS.md entry 54); memory-bound, as decode. */
    {"narrow", "M = 4, 13, 32, 64 tokens times narrow weight matrices (N = 512..3072)",
     "4x512x8192,4x1024x4096,4x1024x8192,4x3072x8192,13x512x8192,13x1024x4096,13x1024x8192,"
     "13x3072x8192,32x512x8192,32x1024x4096,32x1024x8192,32x3072x8192,64x512x8192,"
     "64x1024x4096,64x1024x8192,64x3072x8192"},
    /* A decode batch of 16, 32 or 64 tokens through the llm suite's weight matrices: up to
     * 448 tiles of 64 columns, where the wave count decides (bench/RESULTS.md entry 55);
     * memory-bound, as decode. */
    {"batch", "M = 16, 32, 64 tokens (a decode batch) times LLM weight matrices (N x K)",
     "16x4096x4096,16x12288x4096,16x4096x11008,16x22016x4096,16x28672x8192,16x8192x28672,"
     "32x4096x4096,32x12288x4096,32x4096x11008,32x22016x4096,32x28672x8192,32x8192x28672,"
     "64x4096x4096,64x12288x4096,64x4096x11008,64x22016x4096,64x28672x8192,64x8192x28672"},
    /* Leading dimensions equal to odd sizes are not multiples of 8 elements: rows
     * break TMA's and vector loads' 16-byte rules. The last one keeps C's rows
     * 16-byte aligned (ldc 8192) with N odd. */
    {"odd", "odd sizes: packed rows that break 16-byte alignment, a ragged N in a padded C",
     "8191x8191x8191,4095x4095x4095,8192x8192x8191,8191x8192x8192,8192x8191x8192:ldc=8192"},
};
enum { NSUITES = sizeof suites / sizeof suites[0] };
_Static_assert(NSUITES <= 32, "--suite's mask (cli_options.suites) has 32 bits");

int bench_suite_count(void) { return NSUITES; }

const bench_suite *bench_suite_get(int i) { return i >= 0 && i < NSUITES ? &suites[i] : NULL; }

int bench_suite_find(const char *name)
{
    for (int i = 0; i < NSUITES; i++)
        if (!strcmp(name, suites[i].name))
            return i;
    return -1;
}

const char *bench_suite_names(void)
{
    static char names[256];
    if (!names[0])
        for (int i = 0; i < NSUITES; i++)
            snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? ", " : "",
                     suites[i].name);
    return names;
}

int bench_suites_parse(const char *list, unsigned *mask, char *bad, size_t len)
{
    unsigned m = 0;
    for (const char *p = list;; p++) {
        const char *end = strchr(p, ',');
        const size_t item = end ? (size_t)(end - p) : strlen(p);
        int found = -1;
        for (int i = 0; i < NSUITES; i++)
            if (strlen(suites[i].name) == item && !strncmp(p, suites[i].name, item))
                found = i;
        if (found < 0) {
            snprintf(bad, len, "%.*s", (int)(item < 200 ? item : 200), p);
            return -1;
        }
        m |= 1u << found;
        if (!end)
            break;
        p = end;
    }
    *mask = m;
    return 0;
}

/* ------------------------------------------------------------------------
 * Memory-bound shapes
 * ---------------------------------------------------------------------- */

int bench_memory_bound(const bench_shape *s)
{
    const int64_t least = s->m < s->n ? s->m : s->n;
    return least <= BENCH_DECODE_MN ? BENCH_DECODE : least <= BENCH_MEMORY_BOUND_MN ? BENCH_SKINNY : 0;
}

double bench_bytes(const bench_shape *s, size_t c_size, int reads_c)
{
    const double m = (double)s->m, n = (double)s->n, k = (double)s->k;
    return m * k * 2 + n * k * 2 + m * n * (double)c_size * (reads_c ? 2 : 1);
}
