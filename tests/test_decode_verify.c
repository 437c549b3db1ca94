/*
 * test_decode_verify.c — the decode family on the CPU: its verifier tested,
 * and what the family tells the core (arguments it takes, workspace, the
 * dispatcher's choice, its plan in numbers).
 *
 * A verifier that passes everything proves nothing. Each case copies the
 * real plan (tg_dplan_real_ops), replaces one function with a broken one —
 * a mistake someone could make in src/decode/plan.h — runs
 * tg_decode_verify_ops on every compiled decode preset, and asserts which
 * checks the report names ("  FAIL <check>: "): the expected ones (or
 * exactly one) on the presets where the function matters, none where it
 * does not (a broken cluster rank cannot matter without a cluster). Two
 * harmless changes must pass: warps numbered K-first, and partial sums
 * without padding (which the report must show as bank conflicts). The real
 * plan must pass on every preset and on valid configurations no preset has.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "decode/verify.h"
#include "fake_args.h"
#include "tilegemm.h"

enum { REPORT_LEN = 16384 };

static const char *const check_names[] = {"pairing", "structure", "layout",   "order",
                                          "cluster", "loads",     "coverage", "execution"};
enum { CHECK_NAMES = (int)(sizeof check_names / sizeof check_names[0]) };

/* The compiled decode presets. */
enum { MAX_PRESETS = 32 };
static tg_config presets[MAX_PRESETS];
static int npresets;

static void load_presets(void)
{
    for (int i = 0; i < tg_config_count() && npresets < MAX_PRESETS; i++) {
        tg_config cfg;
        CHECK(tg_config_get(i, &cfg) == TG_SUCCESS, "tg_config_get(%d): %s", i, tg_last_error());
        if (cfg.family == TG_FAMILY_DECODE)
            presets[npresets++] = cfg;
    }
    CHECK(npresets >= 2, "expected several compiled decode presets, found %d", npresets);
}

static tg_dtile tile_of(const tg_config *cfg) { return tg_dtile_from_params(cfg->params); }

/* ------------------------------------------------------------------------
 * The real plan
 * ---------------------------------------------------------------------- */

static void expect_pass(const char *name, const int *params, const tg_dplan_ops *ops, char *report)
{
    memset(report, 0, REPORT_LEN);
    tg_status s = tg_decode_verify_ops(params, ops, report, REPORT_LEN);
    printf("--- %s: %s\n%s", name, tg_status_string(s), report);
    CHECK(s == TG_SUCCESS && strstr(report, "plan verifier: ok"), "%s: the verifier rejected it: %s",
          name, report);
}

static void real_plan(char *report)
{
    for (int i = 0; i < npresets; i++)
        expect_pass(presets[i].name, presets[i].params, &tg_dplan_real_ops, report);
    /* The public entry point runs the same verifier. */
    CHECK(tg_config_verify(&presets[0], report, REPORT_LEN) == TG_SUCCESS &&
              strstr(report, "plan verifier: ok"),
          "tg_config_verify(%s): %s", presets[0].name, report);
    /* Valid configurations no preset has: a cluster of 8, of 3 (not a power of two), none,
     * one warp along K, 48 rows, 8 rows of B per warp, 64 per warp. */
    static const char *const custom[] = {
        "decode_m16,split_k=8",
        "decode_m16,warps_k=1,split_k=1,stages=2",
        "decode,block_m=48,reg_block_n=8,warps_n=4,warps_k=2,split_k=3,stages=2,min_blocks=1",
        "decode_m64,warps_n=1,warps_k=4,split_k=2",
        "decode_m32,reg_block_n=64,stages=1,min_blocks=1",
    };
    for (size_t i = 0; i < sizeof custom / sizeof custom[0]; i++) {
        tg_config cfg;
        tg_status s = tg_config_parse(custom[i], &cfg);
        CHECK(s == TG_SUCCESS, "tg_config_parse(\"%s\"): %s", custom[i], tg_last_error());
        if (s == TG_SUCCESS)
            expect_pass(custom[i], cfg.params, &tg_dplan_real_ops, report);
    }
}

/* ------------------------------------------------------------------------
 * Broken plans
 * ---------------------------------------------------------------------- */

/* Lane's columns by its row g instead of its k position t. */
static int bad_lane_k(int lane) { return lane / 4 % 4 * TG_D_VEC_ELEMS; }
/* A's register w of mma step s from word 2w+s: A and B permuted differently. */
static int bad_a_word(int s, int w) { return 2 * w + s; }
/* B's two registers of a step swapped. */
static int bad_b_word(int s, int w) { return 2 * s + 1 - w; }
/* B streamed one row down. */
static int64_t bad_b_row(const tg_dtile *t, int64_t group, int wn, int j, int lane)
{
    return tg_dplan_b_row(t, group, wn, j, lane) + 1;
}
/* A's halves swapped: rows g+8 into a0, a2. */
static int bad_a_row(int i, int h, int lane) { return 16 * i + 8 * (1 - h) + lane / 4; }
/* Halves numbered in another order than a_row's rows. */
static int bad_a_half(int i, int h) { return i + 2 * h; }
/* The accumulator fragment without its second 8 rows. */
static tg_drc bad_frag_c(int lane, int r)
{
    tg_drc rc = {lane / 4, lane % 4 * 2 + r % 2};
    return rc;
}
/* Rows of partial sums half as far apart as they are long: they overlap. */
static int bad_red_offset(const tg_dtile *t, int wk, int row, int col)
{
    return (wk * t->block_m + row) * (tg_dplan_block_n(t) / 2) + col;
}
/* Rows of partial sums packed, no padding: correct, with bank conflicts. */
static int packed_red_offset(const tg_dtile *t, int wk, int row, int col)
{
    return (wk * t->block_m + row) * tg_dplan_block_n(t) + col;
}
/* Parts of steps/PARTS steps, the remainder dropped. */
static int bad_part_begin(const tg_dtile *t, int p, int steps)
{
    return p * (steps / tg_dplan_parts(t));
}
/* Parts numbered warp-major: every K step still summed once, but not in K order. */
static int bad_part(const tg_dtile *t, int rank, int wk) { return wk * t->split_k + rank; }
/* Plan ranks rotated against the hardware's. */
static tg_dblock bad_block_rank(const tg_dtile *t, int64_t bid)
{
    tg_dblock b = tg_dplan_block(t, bid);
    b.rank = (b.rank + 1) % t->split_k;
    return b;
}
/* Every block of a cluster rank 0. */
static tg_dblock bad_block_rank0(const tg_dtile *t, int64_t bid)
{
    tg_dblock b = {bid / t->split_k, 0};
    return b;
}
/* Threads 2 elements apart in the block's reduction: half the elements never reduced. */
static int bad_block_elem(const tg_dtile *t, int tid, int i)
{
    return 2 * tid + i * tg_dplan_threads(t);
}
/* Every rank of the cluster finishes every element: the same values, written SPLIT_K times. */
static int bad_cluster_elem(const tg_dtile *t, int rank, int tid, int i)
{
    (void)rank;
    return i * tg_dplan_threads(t) + tid;
}
/* Warps numbered along K first: a relabelling, harmless. */
static int kfirst_warp_n(const tg_dtile *t, int warp) { return warp / t->warps_k; }
static int kfirst_warp_k(const tg_dtile *t, int warp) { return warp % t->warps_k; }

/* When a broken function can show: on every preset, or only with a cluster, or with K split both ways. */
enum { ALWAYS, CLUSTER, CLUSTER_AND_WARPS_K };

typedef struct mutation {
    const char *what;
    tg_dplan_ops ops;
    int when;
    const char *const *expect; /* checks the report must name */
    int only;                  /* no other check may fail */
} mutation;

#define TRIPS(...) ((const char *const[]){__VA_ARGS__, NULL})

static int applies(int when, const tg_dtile *t)
{
    return when == ALWAYS || (when == CLUSTER && t->split_k > 1) ||
           (when == CLUSTER_AND_WARPS_K && t->split_k > 1 && t->warps_k > 1);
}

static void run_mutation(const mutation *mu, char *report)
{
    int shown = 0;
    for (int i = 0; i < npresets; i++) {
        const tg_dtile t = tile_of(&presets[i]);
        memset(report, 0, REPORT_LEN);
        tg_status s = tg_decode_verify_ops(presets[i].params, &mu->ops, report, REPORT_LEN);
        if (!applies(mu->when, &t)) {
            CHECK(s == TG_SUCCESS, "%s on %s: nothing to break there, yet: %s", mu->what,
                  presets[i].name, report);
            continue;
        }
        if (!shown++)
            printf("--- %s, %s: %s\n%s", mu->what, presets[i].name, tg_status_string(s), report);
        CHECK(s == TG_ERR_INVALID_CONFIG && strstr(tg_last_error(), "verifier check"),
              "%s on %s: the verifier returned %s", mu->what, presets[i].name, tg_status_string(s));
        for (const char *const *e = mu->expect; *e; e++)
            CHECK(report_fails(report, *e), "%s on %s: the report does not name '%s': %s", mu->what,
                  presets[i].name, *e, report);
        if (mu->only)
            for (int c = 0; c < CHECK_NAMES; c++)
                if (strcmp(check_names[c], mu->expect[0]))
                    CHECK(!report_fails(report, check_names[c]),
                          "%s on %s: only '%s' should fail, but '%s' did: %s", mu->what,
                          presets[i].name, mu->expect[0], check_names[c], report);
    }
}

static void broken_plans(char *report)
{
    mutation m[16];
    int n = 0;
    /* One expression statement each (no inner block): TRIPS' compound literal lives as long
     * as this function. */
#define MUTANT(WHAT, FIELD, FN, WHEN, ONLY, ...)                                         \
    (m[n].what = WHAT, m[n].ops = tg_dplan_real_ops, m[n].ops.FIELD = FN, m[n].when = WHEN, \
     m[n].only = ONLY, m[n].expect = TRIPS(__VA_ARGS__), n++)
    MUTANT("lane columns by row", lane_k, bad_lane_k, ALWAYS, 1, "pairing");
    MUTANT("A permuted unlike B", a_word, bad_a_word, ALWAYS, 1, "pairing");
    MUTANT("B's registers swapped", b_word, bad_b_word, ALWAYS, 1, "pairing");
    MUTANT("B one row down", b_row, bad_b_row, ALWAYS, 1, "pairing");
    MUTANT("A's halves swapped", a_row, bad_a_row, ALWAYS, 0, "pairing", "structure");
    MUTANT("halves unlike rows", a_half, bad_a_half, ALWAYS, 1, "structure");
    MUTANT("fragment without +8 rows", frag_c, bad_frag_c, ALWAYS, 1, "structure");
    MUTANT("partial sums overlapping", red_offset, bad_red_offset, ALWAYS, 0, "layout", "execution");
    MUTANT("parts drop the remainder", part_begin, bad_part_begin, ALWAYS, 0, "order", "loads",
           "execution");
    MUTANT("parts warp-major", part, bad_part, CLUSTER_AND_WARPS_K, 1, "order");
    MUTANT("plan rank not the cluster rank", block, bad_block_rank, CLUSTER, 1, "cluster");
    MUTANT("every block rank 0", block, bad_block_rank0, CLUSTER, 0, "cluster", "loads",
           "execution");
    /* (with one warp along K and a cluster, slot 0 already holds the block's sum: C stays right) */
    MUTANT("block reduction skips elements", block_elem, bad_block_elem, ALWAYS, 0, "coverage");
    MUTANT("every rank finishes everything", cluster_elem, bad_cluster_elem, CLUSTER, 1,
           "coverage");
#undef MUTANT
    for (int i = 0; i < n; i++)
        run_mutation(&m[i], report);

    /* Harmless: warps numbered K-first; partial sums packed (bank conflicts, reported). */
    tg_dplan_ops kfirst = tg_dplan_real_ops;
    kfirst.warp_n = kfirst_warp_n;
    kfirst.warp_k = kfirst_warp_k;
    tg_dplan_ops packed = tg_dplan_real_ops;
    packed.red_offset = packed_red_offset;
    for (int i = 0; i < npresets; i++) {
        expect_pass("warps numbered K-first", presets[i].params, &kfirst, report);
        expect_pass("partial sums packed", presets[i].params, &packed, report);
        const char *c = strstr(report, "redundant B requests");
        CHECK(c && !strstr(report, ", 0 bank conflicts"),
              "%s: packed partial sums should show bank conflicts: %s", presets[i].name, report);
    }
    char real[REPORT_LEN];
    tg_decode_verify_ops(presets[0].params, &tg_dplan_real_ops, real, sizeof real);
    CHECK(strstr(real, ", 0 bank conflicts") != NULL,
          "%s: the padded partial sums should have no bank conflicts: %s", presets[0].name, real);
}

/* ------------------------------------------------------------------------
 * What the family tells the core
 * ---------------------------------------------------------------------- */

/* packed_args for a batch of packed items, one after another. */
static tg_gemm_args batched_args(int64_t m, int64_t n, int64_t k, int64_t batch)
{
    tg_gemm_args g = packed_args(m, n, k);
    g.batch = batch;
    g.stride_a = m * k;
    g.stride_b = n * k;
    g.stride_c = m * n;
    return g;
}

static int named(const char *name, tg_config *cfg)
{
    tg_status s = tg_config_parse(name, cfg);
    CHECK(s == TG_SUCCESS && tg_config_compiled(cfg), "%s is not a compiled configuration: %s",
          name, tg_last_error());
    return s == TG_SUCCESS;
}

/* A workspace ample for any stream-K plan (never dereferenced: the choice only asks its size). */
static void give_workspace(tg_gemm_args *g)
{
    g->workspace = (void *)((uintptr_t)1 << 44);
    g->workspace_size = (size_t)1 << 30;
}

static void expect_choice(const char *what, const tg_gemm_args *g, const char *name)
{
    tg_config out;
    char why[TG_WHY_BYTES];
    tg_status s = tg_gemm_choose(g, &out, why, sizeof why);
    CHECK(s == TG_SUCCESS && !strcmp(out.name, name), "%s: chose %s (%s), expected %s: %s", what,
          s == TG_SUCCESS ? out.name : "-", tg_status_string(s), name, why);
    if (s == TG_SUCCESS && out.family == TG_FAMILY_DECODE)
        CHECK(strstr(why, "bench/RESULTS.md") != NULL,
              "%s: a decode rule must name the measurement that chose it: %s", what, why);
}

static void expect_refusal(const char *what, const tg_gemm_args *g, const char *cfg_name,
                           const char *needle)
{
    tg_config cfg;
    if (!named(cfg_name, &cfg))
        return;
    tg_status s = tg_gemm_supports(g, &cfg);
    CHECK(s == TG_ERR_INVALID_ARGUMENT && strstr(tg_last_error(), "decode family cannot take") &&
              strstr(tg_last_error(), needle),
          "%s: %s: %s (%s), expected a refusal saying '%s'", what, cfg_name, tg_status_string(s),
          tg_last_error(), needle);
}

static void family_calls(void)
{
    tg_config m16, m64;
    if (!named("decode_m16", &m16) || !named("decode_m64", &m64))
        return;
    /* The library's choice: M (and N) decide the preset; what the family cannot take falls
     * to the hopper rows, or to micro without a workspace to pack into. */
    static const struct {
        int64_t m, n, k;
        int workspace; /* an ample workspace (give_workspace), for stream-K */
        const char *config, *why;
    } plain[] = {
        {1, 8192, 8192, 0, "gemv_m1", "M = 1: the gemv family, B read as a streaming read does"},
        {1, 28672, 8192, 0, "gemv_m1", ""},
        {1, 4096, 2048, 0, "gemv_m1", "from K = 2048"},
        {1, 4096, 16384, 0, "gemv_m1", "up to the K a block covers"},
        {1, 4096, 16392, 0, "gemv_m1_long", "past it: A in shared memory"},
        {1, 8192, 28672, 0, "gemv_m1_long", ""},
        {1, 4096, 32776, 0, "sw8_k2", "past gemv_m1_long's K: 64 blocks of 64 columns, K over a pair"},
        {1, 4095, 20480, 0, "sw8_k2", "N below 4096 at a long K"},
        {2, 4160, 20480, 0, "decode_m8", "65 blocks at a long K"},
        {1, 4096, 2040, 0, "decode_m8", "K below 2048"},
        {1, 1024, 8192, 0, "gemv_m1", "from N = 1024"},
        {1, 1023, 8192, 0, "sw16_k8", "N below 1024: 16 blocks of 64 columns, K over a cluster of 8"},
        {1, 1023, 4096, 0, "decode_m16", "N below 1024, K below 8192"},
        {1, 1023, 2048, 0, "decode_m16", "N below 1024, K below 4096"},
        {1, 8192, 1024, 0, "decode_m8", "K = 1024"},
        {2, 8192, 8192, 0, "sw16", "128 blocks of 64 columns: one an SM, the hopper family"},
        {16, 8192, 8192, 0, "sw16", ""},
        {9, 8448, 8192, 0, "sw16", "the edge: 132 blocks"},
        {2, 8128, 8192, 0, "decode_m8", "127 blocks: M <= 8, A's second half known zero"},
        {9, 8128, 8192, 0, "decode_m16_s1", ""},
        {16, 8449, 8192, 0, "decode_m16_s1", "133 blocks"},
        {16, 8192, 3072, 0, "sw16", "from K = 3072"},
        {16, 8192, 3064, 0, "decode_m16_s1", "K below 3072"},
        {16, 4160, 4104, 0, "decode_m16_s1", "K not a multiple of 32"},
        {16, 28672, 8192, 0, "sw16_x4", "wide N: the hopper family, A and B swapped, 448 blocks four an SM"},
        {9, 12224, 4096, 0, "decode_m16_s1", "191 blocks of 64 columns: below sw16_x4's class"},
        {9, 12225, 4096, 0, "sw16_x4", "192 blocks"},
        {9, 16383, 4096, 0, "sw16_x4", ""},
        {8, 16384, 4096, 0, "sw16_x4", ""},
        {2, 33792, 4096, 0, "sw16_x4", "the edge: 528 blocks, four an SM"},
        {16, 33793, 4096, 0, "sw16", "529 blocks: past one wave at four an SM"},
        {1, 4096, 4096, 0, "sw8_k4", "B of 32 MiB, L2-resident when repeated"},
        {8, 4096, 4096, 0, "sw8_k4", ""},
        {9, 4096, 4096, 0, "decode_m16_k8", "M past sw8_k4's class: N <= 4096, K <= 8192"},
        {2, 4096, 2048, 0, "decode_m16_k8", "N = 4096 with another K: the decode family"},
        {2, 4096, 2040, 0, "decode_m8", "K below 2048"},
        {2, 8192, 2048, 0, "decode_m8", ""},
        {2, 1024, 2048, 0, "decode_m16", "narrow N, K below 4096: K over a cluster of 4"},
        {16, 512, 8192, 0, "decode_m16_s8", "N <= 512, K >= 8192: K over a cluster of 8"},
        {16, 512, 8184, 0, "decode_m16", "K below 8192"},
        {16, 513, 8192, 0, "sw16_k8", "9 blocks of 64 columns, K >= 4096: swapped, K over 8"},
        {2, 1024, 4096, 0, "decode_m16", "N <= 1024 below K = 8192: K over a cluster of 4"},
        {2, 1025, 4096, 0, "sw16_k8", "17 blocks from K = 4096"},
        {2, 1536, 4096, 0, "sw16_k8", "the edge: 24 blocks"},
        {2, 1537, 8192, 0, "sw16_k4", "25 blocks, K >= 8192: K over 4"},
        {2, 1537, 4096, 0, "decode_m16_k8", "K below 8192"},
        {16, 3072, 8192, 0, "sw16_k4", "the edge: 48 blocks"},
        {8, 3073, 8192, 0, "sw8_k2", "49 blocks, M <= 8: sw8 with K over a pair"},
        {8, 4096, 8192, 0, "sw8_k2", "the edge: 64 blocks"},
        {8, 4097, 8192, 0, "decode_m8", "65 blocks"},
        {9, 3073, 8192, 0, "decode_m16_k8", "M past 8"},
        {16, 4096, 8200, 0, "decode_m16_s1", "K past 8192 at N > 2048"},
        {16, 1025, 2048, 0, "decode_m16_k8", "K over 8 warps"},
        {2, 2048, 4096, 0, "decode_m16_k8", ""},
        {2, 2049, 4096, 0, "decode_m16_k8", "N <= 4096 with 2048 <= K <= 8192"},
        {2, 4097, 4096, 0, "decode_m8", "past N = 4096"},
        {16, 4097, 4096, 0, "decode_m16_s1", ""},
        {17, 4096, 4096, 0, "sw32_k2", "17 <= M <= 32 on at most 64 blocks: K over a cluster pair"},
        {24, 512, 8192, 0, "sw32_k8_deep", "8 blocks of 64 columns: K over a cluster of 8, K >= 4096: 8 stages"},
        {24, 1088, 4096, 0, "sw32_k8_deep", "the edges: 17 blocks, K = 4096"},
        {24, 1089, 4096, 0, "sw32_k8", "18 blocks: the shallower ring"},
        {24, 512, 4088, 0, "sw32_k8", "K below 4096"},
        {24, 1536, 4096, 0, "sw32_k8", "the edges: 24 blocks, K = 4096"},
        {24, 1088, 2048, 0, "sw32_k8", "17 blocks at K = 2048"},
        {24, 1089, 2048, 0, "sw32_k4", "18 blocks at K = 2048: K over 4"},
        {24, 1536, 2048, 0, "sw32_k4", ""},
        {24, 1537, 2048, 0, "sw32_k2", "25 blocks at K = 2048"},
        {24, 1536, 2040, 0, "sw32_k2", "K below 2048"},
        {32, 1537, 4096, 0, "sw32_k4", "25 blocks, K >= 4096: K over 4"},
        {32, 3072, 4096, 0, "sw32_k4", "the edge: 48 blocks"},
        {32, 2048, 2048, 0, "sw32_k2", "K below 4096"},
        {32, 3073, 4096, 0, "sw32_k2", "49 blocks"},
        {32, 8192, 8192, 0, "sw32", "17 <= M <= 32: C's rows the wgmma N"},
        {24, 4097, 8192, 0, "sw32", "past N = 4096"},
        {24, 12224, 8192, 0, "sw32", "191 blocks"},
        {24, 12225, 8192, 0, "sw32_x3", "192 blocks: three an SM, one wave"},
        {32, 16384, 8192, 0, "sw32_x3", ""},
        {17, 25344, 4096, 0, "sw32_x3", "the edge: 396 blocks"},
        {32, 25345, 4096, 0, "ws_64x256", "397 blocks, K >= 4096: 64x256 tiles, one wave of 100"},
        {32, 28672, 8192, 0, "ws_64x256", ""},
        {17, 33792, 4096, 0, "ws_64x256", "the edge: 132 tiles of 64x256"},
        {17, 33793, 4096, 0, "sw32_k2", "133 tiles of 64x256: K over a cluster pair"},
        {32, 28672, 4088, 0, "sw32_k2", "K below 4096"},
        {33, 8192, 8192, 0, "ws_64", "past sw32's class"},
        {33, 1000, 24, 0, "ws_64", "decode_m64 measured slower"},
        {65, 4096, 4096, 0, "ws_64", "past the decode rows: M*N < 768^2"},
        {128, 22016, 4096, 0, "tma_store_128x192", "115 tiles of 128x192 in one wave, 86 of 128x256 in one"},
        {96, 20480, 4096, 0, "tma_store_128x192", ""},
        {128, 28672, 8192, 0, "tma_store_128x256", "112 tiles in one wave against 150 in two"},
        {8192, 8192, 8192, 0, "tma_store_256x192", "M, N >= 4096"},
        {4096, 4096, 4096, 0, "mc_2x1_128x256", "M, N >= 4096, M*N <= 8192*4096"},
        {2048, 2048, 2048, 0, "tma_store_128x256", "M*N >= 2048^2"},
        {4096, 1024, 4096, 0, "tma_store_128x256", "the class's edge: M*N = 2048^2"},
        {3072, 3072, 3072, 0, "tma_store_128x192", "3 waves of 128x192 against 3 of 128x256"},
        {1536, 3072, 4096, 0, "tma_store_128x192", "2 waves against 2"},
        {3072, 6144, 4096, 0, "tma_store_128x192", "6 waves of 3/4 the work against 5"},
        {2560, 2560, 2560, 0, "tma_store_128x256", "3 waves of 128x192 against 2"},
        {2048, 6144, 4096, 0, "tma_store_128x256", "4 against 3"},
        {128, 8192, 28672, 0, "ks2", "M <= 128, long K: K split in clusters of 2"},
        {97, 8448, 16384, 0, "ks2", "the class's edges: 66 tiles of 128x128"},
        {65, 8192, 8192, 0, "ks2", ""},
        {128, 8449, 16384, 0, "tma_store_128x128", "N past the class: 67 tiles"},
        {128, 8192, 4096, 0, "tma_store_128x64", "K below the class: one wave of 128x64 tiles"},
        {96, 8192, 28672, 0, "ks2", "M = 96"},
        {128, 4096, 4096, 0, "ks2_128x64", "64 tiles of 128x64, K split in clusters of 2"},
        {97, 4224, 4096, 0, "ks2_128x64", "the class's edges: 66 tiles of 128x64"},
        {128, 4096, 4032, 0, "ws_64", "K below the class"},
        {96, 4096, 4096, 0, "ws_64", "M = 96, below the class"},
        {128, 2048, 16384, 0, "ks4", "at most 30 tiles of 128x128: clusters of 4"},
        {512, 512, 8192, 0, "ks4", ""},
        {900, 1000, 8192, 0, "tma_store_128x128", "M > 128, 31..64 tiles: unsplit from M = 256 on"},
        {1000, 1000, 1000, 0, "tma_store_128x128", "768^2 <= M*N < 2048^2, rows off the 128-byte lines"},
        {256, 2304, 1024, 0, "tma_store_128x64", "the class's edges: M = 256, M*N = 768^2; 72 tiles of 128x64"},
        {1024, 1024, 1024, 0, "tma_store_128x64", "one wave of 128x64 tiles, rows on 128-byte lines"},
        {256, 4224, 4096, 0, "tma_store_128x64", "the edges: 132 tiles of 128x64, K = 4096"},
        {256, 4225, 1024, 0, "tma_store_128x128", "134 tiles of 128x64"},
        {1024, 1024, 4160, 0, "tma_store_128x128", "K past 4096"},
        {1024, 1024, 1000, 0, "tma_store_128x128", "rows of 2000 bytes, off the 128-byte lines"},
        {1152, 1152, 1152, 0, "tma_store_128x128", "162 tiles of 128x64"},
        {384, 4096, 8192, 0, "ks2_128x192", "96 tiles of 128x128, 66 of 128x192: K over a cluster pair"},
        {352, 4096, 16384, 0, "ks2_128x192", "the last row of tiles 96 rows full"},
        {640, 2048, 8192, 0, "ks2_128x192", ""},
        {351, 4096, 8192, 0, "tma_store_128x128", "95 rows"},
        {384, 4096, 4096, 0, "tma_store_128x128", "K below 8192"},
        {384, 4232, 8192, 0, "tma_store_128x128", "67 tiles of 128x192"},
        {4096, 384, 8192, 0, "tma_store_128x128", "N < 2048: the orientation not measured"},
        {255, 4096, 1024, 0, "tma_store_128x64", "M = 255: one wave of 128x64 tiles"},
        {255, 4288, 1024, 0, "tma_store_128x128", "M = 255, 134 tiles of 128x64"},
        {64, 8192, 28672, 0, "ws_64", "M <= 64 is not the class"},
        {129, 22016, 2048, 0, "tma_store_128x128", "past M <= 128: 768^2 <= M*N < 2048^2 (K = 4096 is sw256x160)"},
        {129, 22016, 4096, 0, "sw256x160", "128 < M <= 160, 86 tiles of 160x256"},
        /* small N: the small-M rows' mirror (n16, n32 unswapped; K split in pairs on few rows) */
        {8192, 1, 8192, 0, "n16", "N = 1: A's rows on the wgmma M side, N the wgmma N of 16"},
        {4225, 16, 4096, 0, "n16", "67 blocks of 64 rows"},
        {12224, 16, 4096, 0, "n16", "191 blocks"},
        {12225, 16, 4096, 0, "n16_x4", "192 blocks of 64 rows: four an SM, one wave"},
        {28672, 1, 8192, 0, "n16_x4", ""},
        {33792, 16, 4096, 0, "n16_x4", "the edge: 528 blocks"},
        {33793, 16, 4096, 0, "n16", "529 blocks"},
        {4224, 16, 4096, 0, "n32_k2", "the edges: 66 blocks of 64 rows, K = 4096"},
        {4096, 16, 4032, 0, "n16", "K below the split's class"},
        {65, 1, 4096, 0, "n32_k2", "M = 65, the class's lower edge"},
        {64, 1, 4096, 0, "ws_64", "M <= 64: the small-M rows"},
        {8192, 17, 8192, 0, "n32", "17 <= N <= 32"},
        {8192, 32, 8192, 0, "n32", ""},
        {4096, 32, 8192, 0, "n32_k2", "64 blocks of 64 rows"},
        {8192, 33, 8192, 0, "ws_64", "N = 33..64: 64x64 tiles"},
        {8192, 64, 8192, 0, "ws_64", "128 tiles"},
        {4096, 64, 4096, 0, "ks2_64x64", "64 tiles of 64x64, K >= 4096: K over a cluster pair"},
        {48, 4096, 4096, 0, "ks2_64x64", "M = 33..64 the same"},
        {64, 4224, 4096, 0, "ks2_64x64", "the edges: 66 tiles"},
        {64, 4225, 4096, 0, "ws_64", "67 tiles"},
        {64, 4096, 2040, 0, "ws_64", "K below the class"},
        {64, 4096, 2048, 0, "ks2_64x64", "M in 33..64 from K = 2048"},
        {4096, 64, 2048, 0, "ws_64", "not its mirror: K = 2048 not measured there"},
        {48, 512, 2048, 0, "ks8_64x64", "8 tiles of 64x64: K over a cluster of 8"},
        {48, 512, 4096, 0, "ks8_64x64_deep", "K >= 4096 on at most 17 tiles: 6 stages"},
        {64, 1088, 8192, 0, "ks8_64x64_deep", "the edge: 17 tiles"},
        {64, 1089, 8192, 0, "ks8_64x64", "18 tiles"},
        {64, 1536, 8192, 0, "ks8_64x64", "the edge: 24 tiles"},
        {64, 1537, 2048, 0, "ks4_64x64", "25 tiles: K over 4"},
        {48, 3072, 8192, 0, "ks4_64x64", "the edge: 48 tiles"},
        {48, 3073, 2048, 0, "ks2_64x64", "49 tiles"},
        {40, 1536, 2048, 0, "ks4_64x64", "24 tiles at K = 2048: K over 4"},
        {48, 1088, 2048, 0, "ks8_64x64", "17 tiles at K = 2048"},
        {48, 2560, 2048, 0, "ks4_64x64", "40 tiles at K = 2048"},
        {48, 2561, 2048, 0, "ks2_64x64", "41 tiles at K = 2048: a pair"},
        {48, 512, 2040, 0, "ws_64", "K below 2048"},
        {48, 32, 8192, 0, "ws_64", "N below 33: not the class"},
        {64, 8448, 4096, 0, "ws_64", "132 tiles: one wave"},
        {64, 8449, 4096, 0, "tma_wgmma_64", "133 tiles: two waves of ws_64, one of three blocks an SM"},
        {48, 12288, 4096, 0, "tma_wgmma_64", "192 tiles"},
        {64, 16896, 4096, 0, "tma_wgmma_64", "the edge: 264 tiles"},
        {64, 16897, 4096, 0, "ws_64x256", "265 tiles, M in 33..64, K >= 4096: 64x256 tiles, one wave of 67"},
        {48, 25344, 8192, 0, "ws_64x256", "396 tiles: 99 of 64x256"},
        {48, 28672, 8192, 0, "ws_64x256", ""},
        {64, 33792, 4096, 0, "ws_64x256", "the edge: 132 tiles of 64x256"},
        {64, 33793, 4096, 0, "ws_64", "133 tiles of 64x256"},
        {64, 28672, 4088, 0, "ws_64", "K below 4096"},
        {64, 16897, 4088, 0, "ws_64", "265 tiles, K below 4096"},
        {28672, 64, 8192, 0, "ws_64", "N = 33..64 past 264 tiles: M in 33..64 measured, not its mirror"},
        {12288, 48, 4096, 0, "tma_wgmma_64", "N = 33..64 the same"},
        {4096, 128, 4096, 0, "ks2_64", "96 < N <= 128: 64x128 tiles, K over a cluster pair"},
        {4224, 97, 4096, 0, "ks2_64", "the edges: 66 tiles of 64x128"},
        {129, 100, 4096, 0, "ks2_64", "M = 129, just past the M <= 128 rows"},
        {8192, 128, 8192, 0, "ks2", "64 < N <= 128, K >= 8192: 64 tiles of 128x128 in pairs"},
        {8192, 96, 8192, 0, "ks2", ""},
        {16384, 128, 4096, 0, "tma_store_128x128", "past both: 128 tiles, K < 8192"},
        /* 768^2 <= M*N < 2048^2: the tile with the fewest waves' worth of work */
        {1536, 1536, 1536, 0, "tma_store_128x192", "96 tiles of 128x192 in one wave, 144 of 128x128 in two"},
        {192, 12288, 2048, 0, "tma_store_128x192", "128 tiles against 192 (K = 4096 is sw192)"},
        {192, 12288, 4096, 0, "sw192", "96 tiles of 192x128, A and B swapped"},
        {1792, 1792, 1792, 0, "tma_store_128x256", "98 tiles in one wave against 196 in two: a tie, the larger"},
        {1280, 1280, 1280, 0, "tma_store_128x128", "100 tiles of 128x128: one wave"},
        {384, 4096, 4096, 0, "tma_store_128x128", "96 tiles: one wave"},
        /* With a workspace, 256x192 tiles with stream-K from K >= 8192 (K >= 16384 on few tiles) */
        {4096, 28672, 8192, 1, "tma_store_256x192_sk", "with a workspace: K >= 8192"},
        {8192, 28672, 8192, 1, "tma_store_256x192_sk", "with a workspace: K >= 8192"},
        {8192, 8192, 8192, 1, "tma_store_256x192_sk", "with a workspace: the last round 56 of 132"},
        {8192, 8192, 4096, 1, "tma_store_256x192", "with a workspace: K < 8192"},
        {8192, 12288, 4096, 1, "tma_store_256x192", "with a workspace: K too short to share"},
        {4096, 8192, 28672, 1, "tma_store_256x192_sk", "with a workspace: few tiles, K >= 16384"},
        {4096, 8192, 16320, 1, "mc_2x1_128x256", "with a workspace: few tiles, K < 16384"},
        {4096, 28672, 8192, 0, "tma_store_256x192", "no workspace: 256x192 tiles"},
    };
    tg_gemm_args g;
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
        char what[128];
        snprintf(what, sizeof what, "%lld x %lld x %lld %s", (long long)plain[i].m,
                 (long long)plain[i].n, (long long)plain[i].k, plain[i].why);
        g = packed_args(plain[i].m, plain[i].n, plain[i].k);
        if (plain[i].workspace)
            give_workspace(&g);
        expect_choice(what, &g, plain[i].config);
    }
    g = packed_args(1000, 1000, 1000);
    g.lda = g.ldb = 1024;
    expect_choice("1000^3 with rows of A and B padded to 1024 elements", &g, "tma_store_128x64");
    g = packed_args(8192, 8192, 28672);
    expect_choice("8192 x 8192 x 28672, no workspace: 256x192 tiles without stream-K", &g, "tma_store_256x192");
    give_workspace(&g);
    expect_choice("8192 x 8192 x 28672 with a workspace: stream-K", &g, "tma_store_256x192_sk");
    g.workspace_size = 1 << 20;
    expect_choice("8192 x 8192 x 28672, a workspace too small for stream-K", &g, "tma_store_256x192");
    g = packed_args(64, 4099, 8192);
    g.c_dtype = TG_DTYPE_BF16;
    expect_choice("64 x 4099 x 8192 bf16: 65 tiles of 64x64, K over a cluster pair", &g, "ks2_64x64");
    g = batched_args(4096, 16, 4096, 2);
    expect_choice("4096 x 16 x 4096, batch 2: 128 blocks of 64 rows, K unsplit", &g, "n16");
    g.batch = 1;
    expect_choice("4096 x 16 x 4096 alone: 64 blocks, K over a cluster pair", &g, "n32_k2");
    g = batched_args(6144, 16, 4096, 2);
    expect_choice("6144 x 16 x 4096, batch 2: 192 blocks of 64 rows", &g, "n16_x4");
    g = packed_args(16, 28672, 8200);
    expect_choice("16 x 28672 x 8200", &g, "sw16_x4");
    g = batched_args(16, 28672, 8200, 2);
    g.stride_a = 0; /* one A shared by the batch: the hopper family does not take it, decode does */
    expect_choice("16 x 28672 x 8200, batch 2 sharing A", &g, "decode_m16_s2");
    g = packed_args(8, 4096, 4100);
    expect_choice("K = 4100 (rows not 16-byte multiples)", &g, "warp64");
    g = packed_args(8, 4096, 4096);
    g.a = (const void *)((uintptr_t)FAKE_A + 2);
    expect_choice("A 2 bytes off 16-byte alignment", &g, "warp64");
    g = packed_args(32, 8192, 8192);
    g.a = (const void *)((uintptr_t)FAKE_A + 2);
    expect_choice("32 x 8192 x 8192, A 2 bytes off 16-byte alignment: no swapped TMA", &g, "warp64");
    g = packed_args(0, 4096, 4096);
    expect_choice("M = 0 (nothing to do)", &g, "ws_64"); /* the first class that holds */
    g = batched_args(7, 300, 264, 3);
    g.stride_a = 0; /* one A shared by the batch: the decode family takes it */
    expect_choice("batch 3 sharing A", &g, "decode_m16");

    /* What the family refuses, by rule. */
    g = packed_args(17, 4096, 4096);
    expect_refusal("M past BLOCK_M", &g, "decode_m16", "M = 17 is more than this configuration's "
                                                       "BLOCK_M = 16");
    g = packed_args(8, 4096, 4100);
    expect_refusal("K = 4100", &g, "decode_m16", "K must be a multiple of 8");
    g = packed_args(8, 4096, 4096);
    g.lda = 4100;
    expect_refusal("lda = 4100", &g, "decode_m64", "lda and ldb must be multiples of 8");
    g = packed_args(8, 4096, 4096);
    g.b = (const void *)((uintptr_t)FAKE_B + 8);
    expect_refusal("B 8 bytes off", &g, "decode_m64", "16-byte aligned");
    g = packed_args(8, 256, 256);
    g.batch = 2;
    g.stride_a = 8 * 256 + 4;
    g.stride_b = 256 * 256;
    g.stride_c = 8 * 256;
    expect_refusal("stride_a not a multiple of 8", &g, "decode_m16", "stride_a and stride_b");
    g = packed_args(8, 16, 64);
    g.batch = 65536;
    g.stride_a = g.stride_b = 0;
    g.stride_c = 8 * 16;
    expect_refusal("batch 65536", &g, "decode_m16", "batch must be <= 65535");

    /* No workspace: partial sums meet in (distributed) shared memory. */
    g = packed_args(1, 8192, 8192);
    size_t bytes = 1;
    CHECK(tg_gemm_workspace_size(&g, &m16, &bytes) == TG_SUCCESS && bytes == 0,
          "decode_m16 workspace: %zu bytes (%s)", bytes, tg_last_error());
    bytes = 1;
    CHECK(tg_gemm_workspace_size(&g, NULL, &bytes) == TG_SUCCESS && bytes == 0,
          "the library's choice for 1 x 8192 x 8192 needs %zu bytes of workspace", bytes);

    /* The plan in numbers and words. */
    tg_fact facts[32];
    const int nf = tg_config_facts(&m16, facts, 32);
    long long threads = -1, parts = -1, cluster = -1, smem = -1;
    for (int i = 0; i < nf && i < 32; i++) {
        if (!strcmp(facts[i].key, "threads"))
            threads = facts[i].value;
        if (!strcmp(facts[i].key, "parts"))
            parts = facts[i].value;
        if (!strcmp(facts[i].key, "cluster"))
            cluster = facts[i].value;
        if (!strcmp(facts[i].key, "smem_bytes"))
            smem = facts[i].value;
    }
    /* 2 x 4 warps; 4 warps x 4 blocks along K; 4 x 16 x (32 + 8) fp32 of partial sums */
    CHECK(threads == 256 && parts == 16 && cluster == 4 && smem == 4 * 16 * 40 * 4,
          "decode_m16 facts: threads %lld, parts %lld, cluster %lld, smem %lld", threads, parts,
          cluster, smem);
    char text[4096];
    CHECK(tg_config_describe(&m64, text, sizeof text) == TG_SUCCESS &&
              strstr(text, "K permutation") && strstr(text, "rank order"),
          "decode_m64's description: %s", text);
    printf("decode_m64:\n%s", text);
}

int main(void)
{
    char *report = malloc(REPORT_LEN);
    CHECK(report != NULL, "out of memory");
    if (!report)
        return check_summary();
    load_presets();
    real_plan(report);
    broken_plans(report);
    family_calls();
    free(report);
    return check_summary();
}
