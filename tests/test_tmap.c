/*
 * test_tmap — the tensor-map cache (src/hopper/tmap.c) on the CPU, against
 * fake encoders that lay a map out in several ways, since the real
 * CUtensorMap layout is undocumented and no GPU is needed to test the logic:
 *
 *   raw at 0        the address as it is, in the first word: patchable
 *   flags at 8      the address in word 1 with other bits set beside it: patchable
 *   unaligned 20    the address at byte 20 (not a word boundary): patchable
 *   shifted         address >> 4 stored: the patch cannot reproduce it
 *   checksum        the address, plus a hash of it elsewhere: bytes differ
 *                   in two places
 *   refuses probe   addresses at or above 2^46 are refused (as if checked)
 *
 * For each, many random shapes (more than the cache holds) and random
 * 16-byte aligned addresses: the cached map equals the encoder's map byte
 * for byte (or both calls fail alike), a hit makes no encoder call, and an
 * unpatchable layout still gives correct maps (encoded every call). Then
 * the same from several threads at once, an address outside the proven
 * bits, and an encoder that refuses a shape (nothing cached, the error
 * each time).
 *
 *   test_tmap [--seed S]
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "hopper/hopper.h"
#include "tmap_common.h"

/* ------------------------------------------------------------------------
 * Fake encoders
 * ---------------------------------------------------------------------- */

typedef enum layout { RAW0, FLAGS8, UNALIGNED20, SHIFTED, CHECKSUM, REFUSES_PROBE, LAYOUTS } layout;
static const char *const layout_names[LAYOUTS] = {"raw at 0",  "flags at 8", "unaligned 20",
                                                  "shifted",   "checksum",   "refuses probe"};
static const int patchable[LAYOUTS] = {1, 1, 1, 0, 0, 0};

static layout current;                  /* set before each run, read by the threads */
static _Thread_local long long encoder_calls;

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    return h * 0xff51afd7ed558ccdull;
}

static CUresult CUDAAPI fake(CUtensorMap *map, CUtensorMapDataType dtype, cuuint32_t rank,
                             void *address, const cuuint64_t *dims, const cuuint64_t *strides,
                             const cuuint32_t *box, const cuuint32_t *steps,
                             CUtensorMapInterleave interleave, CUtensorMapSwizzle swizzle,
                             CUtensorMapL2promotion l2, CUtensorMapFloatOOBfill oob)
{
    encoder_calls++;
    const uint64_t a = (uint64_t)(uintptr_t)address;
    if (a % 16 || rank != 3 || box[1] > 256 || strides[0] % 16)
        return CUDA_ERROR_INVALID_VALUE;
    if (current == REFUSES_PROBE && a >> 46)
        return CUDA_ERROR_INVALID_VALUE;
    uint64_t h = mix(dtype, rank);
    for (unsigned i = 0; i < rank; i++)
        h = mix(mix(mix(h, dims[i]), box[i]), steps[i]);
    for (unsigned i = 0; i + 1 < rank; i++)
        h = mix(h, strides[i]);
    h = mix(mix(mix(mix(h, interleave), swizzle), l2), oob);
    uint64_t w[16];
    for (int i = 0; i < 16; i++)
        w[i] = h = mix(h, (uint64_t)i);
    unsigned char *bytes = (unsigned char *)w;
    switch (current) {
    case RAW0:
    case REFUSES_PROBE: w[0] = a; break;
    case FLAGS8: w[1] = (0x5ull << 60) | ((h >> 20) & 0x0f00000000000000ull) | a | 0x9; break;
    case UNALIGNED20: memcpy(bytes + 20, &a, 8); break;
    case SHIFTED: w[2] = a >> 4; break;
    case CHECKSUM:
        w[0] = a;
        w[15] = mix(h, a);
        break;
    default: break;
    }
    memcpy(map, w, sizeof w);
    return CUDA_SUCCESS;
}

/* ------------------------------------------------------------------------
 * Runs of random calls (tmap_common.h), in each layout
 * ---------------------------------------------------------------------- */

enum { SHAPES = 24, CALLS = 4000, THREADS = 6 };

static const shape_ranges ranges = {
    .row_ranges = 2,
    .rows = {{1, 1 << 24}, {1, 5000}},
    .k_small = 300,
    .k_large = 1 << 20,
    .ld_pad = 3,
    .batch_max = 9,
    .stride_pad = 5,
    .single_stride = 100,
    .odd_ld = 1,
};

/* A thread's run: &encoder_calls taken here is this thread's counter. */
static void *thread_calls(void *arg)
{
    run_calls((run *)arg, &encoder_calls);
    return NULL;
}

static void check_layout(layout l, uint64_t seed, int threads)
{
    current = l;
    tg_tmap_set_encoder(fake);
    shape shapes[SHAPES];
    uint64_t s = seed ^ (uint64_t)l * 0x9e3779b97f4a7c15ull;
    for (int i = 0; i < SHAPES; i++)
        shapes[i] = random_shape(&s, &ranges);
    refused_shapes(shapes, 1); /* at least one shape the encoder refuses */
    run runs[THREADS];
    pthread_t tid[THREADS];
    memset(runs, 0, sizeof runs);
    for (int t = 0; t < threads; t++) {
        runs[t].seed = seed + 1000003ull * (uint64_t)(t + 1) + (uint64_t)l;
        runs[t].shapes = shapes;
        runs[t].nshapes = SHAPES;
        runs[t].ncalls = CALLS;
        runs[t].encoder = "encoder";
        runs[t].lowest = 16;
    }
    if (threads == 1) {
        run_calls(&runs[0], &encoder_calls);
    } else {
        for (int t = 0; t < threads; t++)
            CHECK(pthread_create(&tid[t], NULL, thread_calls, &runs[t]) == 0, "thread %d", t);
        for (int t = 0; t < threads; t++)
            pthread_join(tid[t], NULL);
    }
    for (int t = 0; t < threads; t++) {
        const run *r = &runs[t];
        const char *name = layout_names[l];
        char who[64];
        snprintf(who, sizeof who, "%s, thread %d", name, t);
        check_run(r, who);
        CHECK(r->refused > 0 && r->refused < CALLS / 2,
              "%s, thread %d: %lld calls refused alike (some shapes are invalid)", name, t,
              r->refused);
        if (patchable[l]) {
            CHECK(r->stats.hits > CALLS / 4, "%s, thread %d: only %lld hits in %d calls", name, t,
                  r->stats.hits, CALLS);
            CHECK(r->stats.unpatchable == 0, "%s, thread %d: %lld entries unpatchable", name, t,
                  r->stats.unpatchable);
        } else {
            CHECK(r->stats.hits == 0, "%s, thread %d: %lld hits on a layout that cannot be patched",
                  name, t, r->stats.hits);
            CHECK(r->stats.unpatchable > 0, "%s, thread %d: %lld of %lld misses unpatchable",
                  name, t, r->stats.unpatchable, r->stats.misses);
        }
    }
    printf("%-14s %d thread(s): hits %lld, misses %lld, encoder calls %lld, unpatchable %lld "
           "(thread 0)\n",
           layout_names[l], threads, runs[0].stats.hits, runs[0].stats.misses,
           runs[0].stats.encodes, runs[0].stats.unpatchable);
}

/* An address whose bits outside the proof differ: encoded in full, still right. */
static void check_outside_proof(void)
{
    current = RAW0;
    tg_tmap_set_encoder(fake);
    tg_tmap_clear();
    CUtensorMap got, want;
    const shape x = {0, 64, 128, TG_DTYPE_BF16, 1000, 512, 512, 1, 0};
    const uint64_t low = 0x7f0000001000ull, high = (1ull << 50) | 0x2000;
    CHECK(cached(&got, "a", x.dev, low, &x) == TG_SUCCESS, "miss");
    const long long calls0 = encoder_calls;
    CHECK(cached(&got, "a", x.dev, high, &x) == TG_SUCCESS, "address above 2^47");
    CHECK(encoder_calls == calls0 + 1, "an address outside the proven bits is encoded in full "
                                       "(%lld encoder calls)", encoder_calls - calls0);
    encoded(&want, "a", x.dev, high, &x);
    CHECK(!memcmp(&got, &want, sizeof got), "the map of an address above 2^47");
    /* Another device, same shape: its own entry. */
    tg_tmap_stats st, st2;
    tg_tmap_get_stats(&st);
    CHECK(cached(&got, "a", 1, low, &x) == TG_SUCCESS, "device 1");
    tg_tmap_get_stats(&st2);
    CHECK(st2.misses == st.misses + 1, "device 1 misses: the key holds the device");
    /* The batch stride is not part of the map of one item: same entry. */
    shape y = x;
    y.stride = 12345 * 8;
    CHECK(cached(&got, "a", x.dev, low + 4096, &y) == TG_SUCCESS, "batch 1, another stride");
    tg_tmap_get_stats(&st);
    CHECK(st.hits == st2.hits + 1, "batch 1 ignores stride: a hit");
    /* The same numbers as fp32: another map, another entry. */
    y = x;
    y.dtype = TG_DTYPE_F32;
    y.box_cols = 32;
    CHECK(cached(&got, "a", x.dev, low, &y) == TG_SUCCESS, "fp32");
    tg_tmap_get_stats(&st2);
    CHECK(st2.misses == st.misses + 1, "fp32 misses: the key holds the data type");
}

/* A refused shape: the error every time, nothing cached, the message names the operand. */
static void check_refused(void)
{
    current = RAW0;
    tg_tmap_set_encoder(fake);
    tg_tmap_clear();
    CUtensorMap m;
    const shape x = {0, 64, 128, TG_DTYPE_BF16, 100, 100, 108, 1, 0}; /* 216-byte rows */
    for (int i = 0; i < 3; i++) {
        const tg_status s = cached(&m, "b", 0, 0x10000, &x);
        CHECK(s == TG_ERR_CUDA, "a refused shape fails (try %d): %d", i, (int)s);
        CHECK(strstr(tg_last_error(), "cuTensorMapEncodeTiled for b failed") != NULL,
              "the message: %s", tg_last_error());
    }
    tg_tmap_stats st;
    tg_tmap_get_stats(&st);
    CHECK(st.hits == 0 && st.misses == 3, "refused shapes are not cached (%lld hits, %lld misses)",
          st.hits, st.misses);
}

int main(int argc, char **argv)
{
    uint64_t seed;
    const int usage = parse_seed(argc, argv, "test_tmap", &seed);
    if (usage)
        return usage;
    printf("seed %" PRIu64 "\n", seed);
    for (int l = 0; l < LAYOUTS; l++)
        check_layout((layout)l, seed, 1);
    for (int l = 0; l < LAYOUTS; l++)
        check_layout((layout)l, seed, THREADS);
    check_outside_proof();
    check_refused();
    tg_tmap_set_encoder(NULL);
    return check_summary();
}
