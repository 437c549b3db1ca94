/*
 * test_plan_verifier.c — a test of the CPU plan verifier itself.
 *
 * A verifier that passes everything proves nothing. Each case here copies
 * the real plan (tg_plan_real_ops) and replaces one function with a broken
 * one that reproduces a mistake made on the way from REG_BLOCK = BLOCK_SIZE/4
 * to BLOCK_SIZE/8, then asserts that tg_plan_verify_ops rejects it and that
 * its report blames the right check. The same plan with the real functions
 * must pass.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "micro/verify.h"
#include "tilegemm.h"

enum { REPORT_LEN = 8192 };

static const char *const check_names[] = {"structure", "pairing", "loads",
                                          "layout",    "coverage", "execution"};
enum { CHECK_NAMES = (int)(sizeof check_names / sizeof check_names[0]) };

static tg_tile named_tile(const char *name)
{
    tg_config cfg;
    memset(&cfg, 0, sizeof cfg);
    tg_status s = tg_config_parse(name, &cfg);
    CHECK(s == TG_SUCCESS, "tg_config_parse(\"%s\"): %s", name, tg_last_error());
    return tg_tile_from_params(cfg.params);
}

/*
 * Run the verifier with ops on tile: it must fail, and its report must name
 * every check in `expect` (NULL-terminated). With `only`, no other check may
 * fail: for a broken function that exactly one check can see.
 */
static void expect_failure(const char *what, const char *tile_name, const tg_tile *t,
                           const tg_plan_ops *ops, const char *const *expect, int only)
{
    char *report = calloc(REPORT_LEN, 1);
    CHECK(report != NULL, "out of memory");
    if (!report)
        return;
    tg_status s = tg_plan_verify_ops(t, ops, report, REPORT_LEN);
    printf("--- %s, %s tile: %s\n%s", what, tile_name, tg_status_string(s), report);
    CHECK(s == TG_ERR_INVALID_CONFIG, "%s (%s): the verifier returned %s, expected a failure",
          what, tile_name, tg_status_string(s));
    for (const char *const *e = expect; *e; e++)
        CHECK(report_fails(report, *e), "%s (%s): the report does not name the '%s' check", what,
              tile_name, *e);
    CHECK(strstr(report, "failure(s)") != NULL && strstr(report, "plan verifier: ok") == NULL,
          "%s (%s): the report does not end in a failure count", what, tile_name);
    CHECK(strstr(tg_last_error(), "verifier check") != NULL,
          "%s (%s): tg_last_error() is '%s'", what, tile_name, tg_last_error());
    if (only)
        for (int c = 0; c < CHECK_NAMES; c++)
            if (strcmp(check_names[c], expect[0]) != 0)
                CHECK(!report_fails(report, check_names[c]),
                      "%s (%s): only '%s' should fail, but '%s' failed too", what, tile_name,
                      expect[0], check_names[c]);
    free(report);
}

/* The checks a broken plan must trip, as a NULL-terminated list. */
#define TRIPS(...) ((const char *const[]){__VA_ARGS__, NULL})

static void expect_pass(const char *what, const char *tile_name, const tg_tile *t,
                        const tg_plan_ops *ops)
{
    char *report = calloc(REPORT_LEN, 1);
    CHECK(report != NULL, "out of memory");
    if (!report)
        return;
    tg_status s = tg_plan_verify_ops(t, ops, report, REPORT_LEN);
    printf("--- %s, %s tile: %s\n%s", what, tile_name, tg_status_string(s), report);
    CHECK(s == TG_SUCCESS, "%s (%s): the verifier rejected it: %s", what, tile_name, report);
    CHECK(strstr(report, "plan verifier: ok") != NULL, "%s (%s): no ok line in the report", what,
          tile_name);
    free(report);
}

/* ------------------------------------------------------------------------
 * Broken plans
 * ---------------------------------------------------------------------- */

/* (a) "double the accumulators": 2 → 4 per warp instead of 2 → 8. */
static int acc_n_half(const tg_tile *t) { return tg_plan_acc_n(t) / 2; }

/*
 * (b) the user's starting point: the seed's store
 *     store(g.c, C_accum[j], {0, 0, row*4 + warp_row, col*4 + warp_col + 2*j})
 * kept while REG_BLOCK shrinks, so its tile units are the new REG_BLOCK and
 * the accumulator row i is not in it. Right for REG_BLOCK = 32 only.
 */
static tg_rc64 c_tile_stale(const tg_tile *t, int64_t block_row, int64_t block_col, int warp_row,
                            int warp_col, int i, int j)
{
    (void)i;
    tg_rc64 rc = {(block_row * 4 + warp_row) * t->reg_block_m,
                  (block_col * 4 + warp_col + 2 * j) * t->reg_block_n};
    return rc;
}

/*
 * (c) the last answer given to the user: A register tiles loaded from a
 * contiguous piece (warp_row*2 + i) while the stores stay interleaved
 * (warp_row + 4i).
 */
static tg_rc a_subtile_contiguous(const tg_tile *t, int warp_row, int i, int s)
{
    tg_rc rc = {(warp_row * 2 + i) * t->reg_block_m, s * t->dot_slice};
    return rc;
}

/* (d) a swizzle that is not a bijection: OR where XOR belongs. */
static int smem_offset_or(const tg_tile *t, int row, int col)
{
    int chunks = t->dot_slice_shared / TG_VEC_ELEMS;
    int chunk = col / TG_VEC_ELEMS;
    int key = row % TG_SMEM_LINE_CHUNKS % chunks;
    return row * t->dot_slice_shared + (chunk | key) % chunks * TG_VEC_ELEMS + col % TG_VEC_ELEMS;
}

/*
 * (d2) a bijective swizzle keyed on row/16: a permutation, but one that does
 * not repeat every 16 rows (the kernel's ldmatrix addressing assumes it does)
 * nor every loader pass.
 */
static int smem_offset_row16(const tg_tile *t, int row, int col)
{
    int chunks = t->dot_slice_shared / TG_VEC_ELEMS;
    int chunk = col / TG_VEC_ELEMS;
    int key = row / 16 % chunks;
    return row * t->dot_slice_shared + (chunk ^ key) * TG_VEC_ELEMS + col % TG_VEC_ELEMS;
}

/* (e) ldmatrix B lane map with the k halves swapped: lanes 8-15 address k 0-7. */
static tg_rc ldsm_b_k_swapped(int lane)
{
    tg_rc rc = tg_plan_ldsm_b(lane);
    rc.col = 8 - rc.col;
    return rc;
}

/* (e2) ldmatrix A lane map with the row halves swapped. */
static tg_rc ldsm_a_rows_swapped(int lane)
{
    tg_rc rc = tg_plan_ldsm_a(lane);
    rc.row = (rc.row + 8) % 16;
    return rc;
}

/* (f) a loader that loads one chunk twice: thread 1 repeats thread 0's vector 0. */
static tg_rc load_vec_dup(const tg_tile *t, int tid, int v)
{
    return tg_plan_load_vec(t, tid == 1 && v == 0 ? 0 : tid, v);
}

/* (g) a raster order that forgets the last group can be partial. */
static void block_whole_groups(const tg_tile *t, int64_t bid, int64_t grid_m, int64_t grid_n,
                               int64_t *block_row, int64_t *block_col)
{
    (void)grid_m;
    int64_t group_blocks = (int64_t)t->raster * grid_n;
    int64_t local = bid % group_blocks;
    *block_row = bid / group_blocks * t->raster + local % t->raster;
    *block_col = local / t->raster;
}

/* (h) a C fragment map with registers 1 and 2 exchanged: pairs are not adjacent columns. */
static tg_rc frag_c_swapped(int lane, int r)
{
    static const int perm[4] = {0, 2, 1, 3};
    return tg_plan_frag_c(lane, perm[r]);
}

/* (i) B register tiles read one REG_BLOCK_N further right: stores and loads disagree. */
static tg_rc b_subtile_shifted(const tg_tile *t, int warp_col, int j, int s)
{
    tg_rc rc = tg_plan_b_subtile(t, warp_col, j, s);
    rc.row = (rc.row + t->reg_block_n) % t->block_n;
    return rc;
}

/* (j) block offsets in the wrong unit: block_row * BLOCK_N. Invisible while BLOCK_M = BLOCK_N. */
static tg_rc64 c_tile_block_n(const tg_tile *t, int64_t block_row, int64_t block_col, int warp_row,
                              int warp_col, int i, int j)
{
    tg_rc64 rc = tg_plan_c_tile(t, 0, 0, warp_row, warp_col, i, j);
    rc.row += block_row * t->block_n;
    rc.col += block_col * t->block_n;
    return rc;
}

int main(void)
{
    tg_tile split8 = named_tile("split8");
    tg_tile seed = named_tile("seed");
    tg_plan_ops ops;

    /* The real plan passes; otherwise nothing below means anything. */
    expect_pass("real plan", "split8", &split8, &tg_plan_real_ops);
    expect_pass("real plan", "seed", &seed, &tg_plan_real_ops);

    ops = tg_plan_real_ops;
    ops.acc_n = acc_n_half;
    /* The accumulators no longer cover the warp tile, so half of C is never written. */
    expect_failure("(a) accumulators doubled, not quadrupled", "split8", &split8, &ops,
                   TRIPS("structure", "coverage"), 0);
    expect_failure("(a) accumulators halved", "seed", &seed, &ops, TRIPS("structure"), 0);

    ops = tg_plan_real_ops;
    ops.c_tile = c_tile_stale;
    expect_failure("(b) stale seed store coordinates", "split8", &split8, &ops,
                   TRIPS("pairing"), 0);
    /* The same formula in units of 32 is the seed's own store: it must pass. */
    expect_pass("(b) the seed's store formula", "seed", &seed, &ops);

    ops = tg_plan_real_ops;
    ops.a_subtile = a_subtile_contiguous;
    expect_failure("(c) A contiguous, stores interleaved", "split8", &split8, &ops,
                   TRIPS("pairing"), 0);
    /* With the seed's 4 warp rows, warp_row*2 runs past the block's 4 pieces. */
    expect_failure("(c) A contiguous, stores interleaved", "seed", &seed, &ops,
                   TRIPS("pairing"), 0);

    ops = tg_plan_real_ops;
    ops.smem_offset = smem_offset_or;
    expect_failure("(d) swizzle not a bijection", "split8", &split8, &ops, TRIPS("layout"), 1);
    expect_failure("(d) swizzle not a bijection", "seed", &seed, &ops, TRIPS("layout"), 1);
    ops.smem_offset = smem_offset_row16;
    expect_failure("(d2) swizzle not periodic in 16 rows", "split8", &split8, &ops,
                   TRIPS("layout"), 1);

    ops = tg_plan_real_ops;
    ops.ldsm_b = ldsm_b_k_swapped;
    expect_failure("(e) ldmatrix B k halves swapped", "split8", &split8, &ops,
                   TRIPS("execution"), 1);
    expect_failure("(e) ldmatrix B k halves swapped", "seed", &seed, &ops, TRIPS("execution"), 1);
    ops = tg_plan_real_ops;
    ops.ldsm_a = ldsm_a_rows_swapped;
    expect_failure("(e2) ldmatrix A row halves swapped", "split8", &split8, &ops,
                   TRIPS("execution"), 1);

    ops = tg_plan_real_ops;
    ops.load_vec = load_vec_dup;
    expect_failure("(f) loader loads a chunk twice", "split8", &split8, &ops, TRIPS("loads"), 1);
    expect_failure("(f) loader loads a chunk twice", "seed", &seed, &ops, TRIPS("loads"), 1);

    ops = tg_plan_real_ops;
    ops.block = block_whole_groups;
    expect_failure("(g) raster ignores the partial last group", "split8", &split8, &ops,
                   TRIPS("coverage"), 0);

    ops = tg_plan_real_ops;
    ops.frag_c = frag_c_swapped;
    expect_failure("(h) C fragment registers 1 and 2 swapped", "split8", &split8, &ops,
                   TRIPS("structure"), 0);

    ops = tg_plan_real_ops;
    ops.b_subtile = b_subtile_shifted;
    expect_failure("(i) B register tiles one piece off", "split8", &split8, &ops,
                   TRIPS("pairing"), 0);

    /* A 256x128 block: the wrong block unit leaves rows of C unwritten. */
    tg_tile b256 = named_tile("b256");
    ops = tg_plan_real_ops;
    ops.c_tile = c_tile_block_n;
    expect_pass("(j) block_row * BLOCK_N on a square block", "split8", &split8, &ops);
    expect_failure("(j) block_row * BLOCK_N", "b256", &b256, &ops, TRIPS("coverage"), 0);

    /* Arguments: a NULL plan, and a tile that breaks a rule, are refused up front. */
    CHECK(tg_plan_verify_ops(&split8, NULL, NULL, 0) == TG_ERR_INVALID_ARGUMENT,
          "a NULL plan must be an invalid argument");
    CHECK(tg_plan_verify_ops(NULL, &tg_plan_real_ops, NULL, 0) == TG_ERR_INVALID_ARGUMENT,
          "a NULL tile must be an invalid argument");
    tg_tile bad = split8;
    bad.reg_block_m = 24;
    CHECK(tg_plan_verify_ops(&bad, &tg_plan_real_ops, NULL, 0) == TG_ERR_INVALID_CONFIG &&
              strstr(tg_last_error(), "REG_BLOCK_M must be a multiple of 16") != NULL,
          "a tile with REG_BLOCK_M=24 must be refused by its rule, got '%s'", tg_last_error());
    /* A tiny report buffer is truncated, never overrun. */
    char tiny[16];
    memset(tiny, 'x', sizeof tiny);
    ops = tg_plan_real_ops;
    ops.acc_n = acc_n_half;
    CHECK(tg_plan_verify_ops(&split8, &ops, tiny, 8) == TG_ERR_INVALID_CONFIG,
          "a failing plan with a short report must still fail");
    CHECK(memchr(tiny, '\0', 8) != NULL && tiny[8] == 'x',
          "the report must stay inside its 8 bytes and be terminated");

    return check_summary();
}
