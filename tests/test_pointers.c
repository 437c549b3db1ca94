/*
 * test_pointers — the pointer table (src/core/device.c) on the CPU: the
 * per-thread table of device allocations the driver vouched for, which lets
 * a call skip the driver's pointer query. What a wrong table would do is
 * let host memory through, so this checks its answers exactly:
 *
 *   - a range holds [start, end): start in, end out, only for its context;
 *   - a new range drops the ranges it overlaps (older views of the same
 *     addresses), so a freed-and-reallocated address answers for the newest;
 *   - a full table starts over;
 *   - random operations against a plain list that scans every range: the
 *     same answer for every probe, and the table stays sorted and disjoint.
 *
 * Without a GPU the checks themselves (tg_check_device_pointer) are the GPU
 * test's (tests/test_pointers_gpu.c).
 *
 *   test_pointers [--seed S]
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "core/core.h"

static tg_ptr_table table; /* 6 KB: not on the stack */

static void basics(void)
{
    memset(&table, 0, sizeof table);
    CHECK(!tg_ptr_table_holds(&table, 1, 0x1000), "an empty table holds nothing");
    tg_ptr_table_add(&table, 1, 0x1000, 0x2000);
    CHECK(tg_ptr_table_holds(&table, 1, 0x1000), "start is in");
    CHECK(tg_ptr_table_holds(&table, 1, 0x1fff), "end - 1 is in");
    CHECK(!tg_ptr_table_holds(&table, 1, 0x2000), "end is out");
    CHECK(!tg_ptr_table_holds(&table, 1, 0xfff), "below start is out");
    CHECK(!tg_ptr_table_holds(&table, 2, 0x1800), "another context's range does not answer");
    tg_ptr_table_add(&table, 1, 0x3000, 0x3000);
    CHECK(table.count == 1, "an empty range is not added (count %u)", table.count);

    /* Below, between and above: sorted wherever it lands. */
    tg_ptr_table_add(&table, 1, 0x5000, 0x6000);
    tg_ptr_table_add(&table, 1, 0x100, 0x200);
    tg_ptr_table_add(&table, 2, 0x3000, 0x4000);
    CHECK(table.count == 4, "four ranges (count %u)", table.count);
    for (unsigned i = 1; i < table.count; i++)
        CHECK(table.r[i - 1].end <= table.r[i].start, "sorted and disjoint at %u", i);
    CHECK(tg_ptr_table_holds(&table, 2, 0x3fff) && !tg_ptr_table_holds(&table, 1, 0x3fff),
          "context 2's range answers for context 2 only");
    CHECK(!tg_ptr_table_holds(&table, 1, 0x4800), "the gap between ranges is out");

    /* The addresses of 0x1000..0x2000 now belong to a larger allocation of context 3. */
    tg_ptr_table_add(&table, 3, 0x1800, 0x3800);
    CHECK(!tg_ptr_table_holds(&table, 1, 0x1000), "the overlapped older range is gone");
    CHECK(!tg_ptr_table_holds(&table, 2, 0x3000), "the other overlapped range is gone");
    CHECK(tg_ptr_table_holds(&table, 3, 0x1800) && tg_ptr_table_holds(&table, 3, 0x37ff),
          "the new range answers");
    CHECK(tg_ptr_table_holds(&table, 1, 0x100) && tg_ptr_table_holds(&table, 1, 0x5000),
          "ranges it does not overlap stay");
    CHECK(table.count == 3, "three ranges (count %u)", table.count);

    /* Full: start over. */
    memset(&table, 0, sizeof table);
    for (uint64_t i = 0; i < TG_PTR_TABLE_MAX; i++)
        tg_ptr_table_add(&table, 1, (i + 1) << 20, ((i + 1) << 20) + 4096);
    CHECK(table.count == TG_PTR_TABLE_MAX, "full (count %u)", table.count);
    CHECK(tg_ptr_table_holds(&table, 1, (uint64_t)TG_PTR_TABLE_MAX << 20), "the last one answers");
    tg_ptr_table_add(&table, 1, 1ull << 40, (1ull << 40) + 4096);
    CHECK(table.count == 1, "one more starts over (count %u)", table.count);
    CHECK(tg_ptr_table_holds(&table, 1, 1ull << 40) && !tg_ptr_table_holds(&table, 1, 1ull << 20),
          "only the newest range answers");
}

/* ------------------------------------------------------------------------
 * Random operations against a list that scans every range
 * ---------------------------------------------------------------------- */

static uint64_t rng;
static uint64_t next_random(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static struct {
    unsigned count;
    tg_ptr_range r[TG_PTR_TABLE_MAX];
} model;

static int model_holds(uint64_t ctx, uint64_t p)
{
    for (unsigned i = 0; i < model.count; i++)
        if (model.r[i].start <= p && p < model.r[i].end)
            return model.r[i].ctx == ctx;
    return 0;
}

static void model_add(uint64_t ctx, uint64_t start, uint64_t end)
{
    if (start >= end)
        return;
    unsigned kept = 0;
    for (unsigned i = 0; i < model.count; i++)
        if (model.r[i].end <= start || model.r[i].start >= end)
            model.r[kept++] = model.r[i];
    model.count = kept;
    if (model.count == TG_PTR_TABLE_MAX)
        model.count = 0;
    model.r[model.count++] = (tg_ptr_range){ctx, start, end};
}

static void random_operations(void)
{
    memset(&table, 0, sizeof table);
    memset(&model, 0, sizeof model);
    enum { SPACE = 1 << 16, OPS = 200000 };
    int mismatches = 0, unsorted = 0, holds = 0;
    for (int op = 0; op < OPS; op++) {
        const uint64_t ctx = 1 + next_random() % 3;
        if (next_random() % 3 == 0) {
            const uint64_t start = next_random() % SPACE;
            const uint64_t end = start + next_random() % 256; /* sometimes empty */
            tg_ptr_table_add(&table, ctx, start, end);
            model_add(ctx, start, end);
            for (unsigned i = 1; i < table.count; i++)
                unsorted += table.r[i - 1].end > table.r[i].start;
        } else {
            const uint64_t p = next_random() % (SPACE + 256);
            const int got = tg_ptr_table_holds(&table, ctx, p);
            holds += got;
            if (got != model_holds(ctx, p) && mismatches++ < 5)
                CHECK(0, "op %d: ctx %" PRIu64 ", p %#" PRIx64 ": table %d, list %d", op, ctx, p,
                      got, model_holds(ctx, p));
        }
    }
    CHECK(mismatches == 0, "%d answers differ from the list's", mismatches);
    CHECK(unsorted == 0, "%d times the table was not sorted and disjoint", unsorted);
    CHECK(holds > OPS / 100 && holds < OPS / 2, "the probes found both answers (%d held)", holds);
    CHECK(table.count == model.count, "same count (%u, %u)", table.count, model.count);
}

int main(int argc, char **argv)
{
    rng = (uint64_t)time(NULL) | 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
            rng = strtoull(argv[++i], NULL, 0) | 1;
        } else {
            fprintf(stderr, "usage: test_pointers [--seed S]\n");
            return 2;
        }
    }
    printf("test_pointers --seed %" PRIu64 "\n", rng);
    basics();
    random_operations();
    return check_summary();
}
