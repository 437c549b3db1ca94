/*
 * test_plan.c — the tile plan of every compiled configuration, on the CPU
 * (the micro family's in detail; other families through their verifier).
 *
 * For each line of presets.def: the tile rules hold and the plan verifier
 * passes. For the presets the user reasons about, the plan's numbers are
 * compared with values worked out by hand from the seed kernel:
 *
 *   seed    REG_BLOCK = BLOCK_SIZE/4 = 32: 1×2 accumulators per warp, and
 *           accumulator j is stored where the seed stores C_accum[j]:
 *           store(g.c, C_accum[j], {0, 0, row*4 + warp_row, col*4 + warp_col + 2*j})
 *           in units of 32×32 tiles;
 *   split8  REG_BLOCK = BLOCK_SIZE/8 = 16: 2×4 accumulators, rows
 *           {warp_row, warp_row+4}·16 and columns {warp_col, +2, +4, +6}·16;
 *   *_contig each warp owns one contiguous 32×64 region.
 *
 * Also: the raster block order is a bijection onto the grid.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "micro/verify.h"
#include "tilegemm.h"

enum { REPORT_LEN = 8192 };

/* The compiled configuration called name; fails the test if there is none. */
static int get_named(const char *name, tg_config *out)
{
    for (int i = 0; i < tg_config_count(); i++)
        if (tg_config_get(i, out) == TG_SUCCESS && strcmp(out->name, name) == 0)
            return 1;
    CHECK(0, "presets.def has no preset '%s'", name);
    return 0;
}

/* ------------------------------------------------------------------------
 * Every compiled configuration
 * ---------------------------------------------------------------------- */

/*
 * An independent check, written without the verifier: the warps' accumulator
 * tiles of one block partition the BLOCK_M×BLOCK_N tile (each element once),
 * and each A/B register tile is read at the rows its C tile needs.
 */
static void check_block_partition(const tg_config *cfg)
{
    const tg_tile tile_ = tg_tile_from_params(cfg->params), *t = &tile_;
    unsigned char *owner = calloc((size_t)t->block_m * (size_t)t->block_n, 1);
    CHECK(owner != NULL, "out of memory");
    if (!owner)
        return;
    int outside = 0, twice = 0, misread = 0;
    for (int w = 0; w < tg_plan_warps(t); w++) {
        int wr = tg_plan_warp_row(t, w), wc = tg_plan_warp_col(t, w);
        for (int i = 0; i < tg_plan_acc_m(t); i++)
            for (int j = 0; j < tg_plan_acc_n(t); j++) {
                tg_rc64 c = tg_plan_c_tile(t, 0, 0, wr, wc, i, j);
                tg_rc a = tg_plan_a_subtile(t, wr, i, 0), b = tg_plan_b_subtile(t, wc, j, 0);
                if (a.row != c.row || b.row != c.col)
                    misread++;
                for (int r = 0; r < t->reg_block_m; r++)
                    for (int q = 0; q < t->reg_block_n; q++) {
                        int64_t row = c.row + r, col = c.col + q;
                        if (row < 0 || row >= t->block_m || col < 0 || col >= t->block_n) {
                            outside++;
                            continue;
                        }
                        if (owner[row * t->block_n + col]++)
                            twice++;
                    }
            }
    }
    int missed = 0;
    for (int e = 0; e < t->block_m * t->block_n; e++)
        missed += owner[e] == 0;
    CHECK(outside == 0 && twice == 0 && missed == 0,
          "%s: accumulators of one block leave it %d times, overlap on %d elements, miss %d",
          cfg->name, outside, twice, missed);
    CHECK(misread == 0, "%s: %d accumulators read A/B rows other than their C rows", cfg->name,
          misread);
    free(owner);
}

static void check_every_config(void)
{
    int count = tg_config_count();
    CHECK(count >= 6, "expected the presets of presets.def (at least 6), got %d", count);
    CHECK(tg_config_get(-1, &(tg_config){0}) == TG_ERR_INVALID_ARGUMENT,
          "tg_config_get(-1) must fail");
    CHECK(tg_config_get(count, &(tg_config){0}) == TG_ERR_INVALID_ARGUMENT,
          "tg_config_get(count) must fail");
    char *report = malloc(REPORT_LEN);
    CHECK(report != NULL, "out of memory");
    if (!report)
        return;
    for (int i = 0; i < count; i++) {
        tg_config cfg;
        tg_status s = tg_config_get(i, &cfg);
        CHECK(s == TG_SUCCESS, "tg_config_get(%d): %s", i, tg_status_string(s));
        if (s != TG_SUCCESS)
            continue;
        if (cfg.family != TG_FAMILY_MICRO) {
            /* Another family's plan: its own verifier, through the public call. */
            memset(report, 0, REPORT_LEN);
            s = tg_config_verify(&cfg, report, REPORT_LEN);
            printf("config %s (%s): %s", cfg.name, tg_family_name((tg_family)cfg.family), report);
            CHECK(s == TG_SUCCESS && strstr(report, "plan verifier: ok") != NULL,
                  "%s: tg_config_verify: %s: %s", cfg.name, tg_status_string(s), tg_last_error());
            continue;
        }
        const tg_tile tile_ = tg_tile_from_params(cfg.params), *t = &tile_;
        printf("config %s: %dx%d block, reg %dx%d, warps %dx%d, %s, %s: acc %dx%d\n", cfg.name,
               t->block_m, t->block_n, t->reg_block_m, t->reg_block_n, t->warps_m, t->warps_n,
               t->layout == TG_INTERLEAVED ? "interleaved" : "contiguous",
               t->pipe == TG_CP_ASYNC ? "cp_async" : "regs", tg_plan_acc_m(t),
               tg_plan_acc_n(t));

        s = tg_micro_check_tile(t);
        CHECK(s == TG_SUCCESS, "%s: tg_micro_check_tile: %s", cfg.name, tg_last_error());

        /* The derived numbers agree with each other. */
        CHECK(tg_plan_acc_m(t) * t->reg_block_m == tg_plan_warp_tile_m(t) &&
                  tg_plan_acc_n(t) * t->reg_block_n == tg_plan_warp_tile_n(t),
              "%s: %dx%d accumulators of %dx%d do not make the %dx%d warp tile", cfg.name,
              tg_plan_acc_m(t), tg_plan_acc_n(t), t->reg_block_m, t->reg_block_n,
              tg_plan_warp_tile_m(t), tg_plan_warp_tile_n(t));
        CHECK(tg_plan_acc_regs(t) * TG_WARP_SIZE == tg_plan_warp_tile_m(t) * tg_plan_warp_tile_n(t),
              "%s: %d accumulator registers per lane for a %dx%d warp tile", cfg.name,
              tg_plan_acc_regs(t), tg_plan_warp_tile_m(t), tg_plan_warp_tile_n(t));
        /* STAGES slices of A (BLOCK_M rows) and B (BLOCK_N rows), bf16. */
        CHECK(tg_plan_smem_bytes(t) ==
                  t->stages * (t->block_m + t->block_n) * t->dot_slice_shared * 2,
              "%s: shared memory %d bytes", cfg.name, tg_plan_smem_bytes(t));
        CHECK(tg_plan_threads(t) == 32 * t->warps_m * t->warps_n, "%s: %d threads", cfg.name,
              tg_plan_threads(t));
        check_block_partition(&cfg);

        memset(report, 0, REPORT_LEN);
        s = tg_plan_verify_ops(t, &tg_plan_real_ops, report, REPORT_LEN);
        printf("%s", report);
        CHECK(s == TG_SUCCESS, "%s: tg_plan_verify: %s: %s", cfg.name, tg_status_string(s),
              tg_last_error());
        CHECK(strstr(report, "plan verifier: ok") != NULL && strstr(report, "FAIL") == NULL,
              "%s: the verifier's report does not say ok", cfg.name);
    }
    free(report);
}

/* ------------------------------------------------------------------------
 * Hand-computed expectations
 * ---------------------------------------------------------------------- */

static void check_tile_params(const tg_config *cfg, int bm, int bn, int rm, int rn, int layout)
{
    const tg_tile tile_ = tg_tile_from_params(cfg->params), *t = &tile_;
    CHECK(t->block_m == bm && t->block_n == bn && t->reg_block_m == rm && t->reg_block_n == rn &&
              t->warps_m == 4 && t->warps_n == 2 && t->layout == layout,
          "%s: expected %dx%d block, reg %dx%d, warps 4x2, layout %d; got %dx%d, %dx%d, %dx%d, %d",
          cfg->name, bm, bn, rm, rn, layout, t->block_m, t->block_n, t->reg_block_m,
          t->reg_block_n, t->warps_m, t->warps_n, t->layout);
}

static void check_acc(const tg_config *cfg, int acc_m, int acc_n)
{
    const tg_tile tile_ = tg_tile_from_params(cfg->params), *t = &tile_;
    CHECK(tg_plan_acc_m(t) == acc_m && tg_plan_acc_n(t) == acc_n,
          "%s: expected %dx%d accumulators per warp, plan says %dx%d", cfg->name, acc_m, acc_n,
          tg_plan_acc_m(t), tg_plan_acc_n(t));
}

/* Blocks at a few grid positions, so block_row/block_col enter the checks too. */
static const int64_t block_pos[][2] = {{0, 0}, {1, 0}, {0, 1}, {3, 5}, {1000, 7}};
enum { BLOCK_POS = (int)(sizeof block_pos / sizeof block_pos[0]) };

/*
 * Interleaved ownership, by hand: accumulator (i, j) of warp (warp_row,
 * warp_col) is C tile row warp_row + 4i, column warp_col + 2j, in register
 * tiles; A(i) and B(j) are read from the same rows.
 */
static void check_interleaved_ownership(const tg_config *cfg, int rm, int rn)
{
    const tg_tile tile_ = tg_tile_from_params(cfg->params), *t = &tile_;
    int bad = 0;
    for (int w = 0; w < 8; w++) {
        int warp_row = w / 2, warp_col = w % 2;
        CHECK(tg_plan_warp_row(t, w) == warp_row && tg_plan_warp_col(t, w) == warp_col,
              "%s: warp %d is (%d,%d) in the plan, (%d,%d) in the seed", cfg->name, w,
              tg_plan_warp_row(t, w), tg_plan_warp_col(t, w), warp_row, warp_col);
        for (int i = 0; i < tg_plan_acc_m(t); i++)
            for (int j = 0; j < tg_plan_acc_n(t); j++) {
                for (int p = 0; p < BLOCK_POS; p++) {
                    int64_t br = block_pos[p][0], bc = block_pos[p][1];
                    tg_rc64 c = tg_plan_c_tile(t, br, bc, warp_row, warp_col, i, j);
                    int64_t row = br * 128 + (int64_t)(warp_row + 4 * i) * rm;
                    int64_t col = bc * 128 + (int64_t)(warp_col + 2 * j) * rn;
                    if (c.row != row || c.col != col) {
                        bad++;
                        CHECK(0, "%s: block (%lld,%lld) warp %d acc (%d,%d) stores at (%lld,%lld), "
                                 "expected (%lld,%lld)",
                              cfg->name, (long long)br, (long long)bc, w, i, j, (long long)c.row,
                              (long long)c.col, (long long)row, (long long)col);
                    }
                }
                for (int s = 0; s < t->dot_slice_shared / t->dot_slice; s++) {
                    tg_rc a = tg_plan_a_subtile(t, warp_row, i, s);
                    tg_rc b = tg_plan_b_subtile(t, warp_col, j, s);
                    CHECK(a.row == (warp_row + 4 * i) * rm && a.col == s * t->dot_slice,
                          "%s: warp %d A(%d) slice %d at (%d,%d), expected (%d,%d)", cfg->name,
                          w, i, s, a.row, a.col, (warp_row + 4 * i) * rm, s * t->dot_slice);
                    CHECK(b.row == (warp_col + 2 * j) * rn && b.col == s * t->dot_slice,
                          "%s: warp %d B(%d) slice %d at (%d,%d), expected (%d,%d)", cfg->name,
                          w, j, s, b.row, b.col, (warp_col + 2 * j) * rn, s * t->dot_slice);
                }
            }
    }
    CHECK(bad == 0, "%s: %d store coordinates differ from the hand-computed ones", cfg->name, bad);
}

static void check_seed(void)
{
    tg_config cfg;
    if (!get_named("seed", &cfg))
        return;
    check_tile_params(&cfg, 128, 128, 32, 32, TG_INTERLEAVED);
    check_acc(&cfg, 1, 2);
    const tg_tile tile_ = tg_tile_from_params(cfg.params), *t = &tile_;
    CHECK(tg_plan_warp_tile_m(t) == 32 && tg_plan_warp_tile_n(t) == 64,
          "seed: warp tile %dx%d, expected 32x64", tg_plan_warp_tile_m(t), tg_plan_warp_tile_n(t));

    /* The seed's store, literally: tile (row*4 + warp_row, col*4 + warp_col + 2*j) of 32×32. */
    for (int w = 0; w < 8; w++) {
        int warp_row = w / 2, warp_col = w % 2;
        for (int p = 0; p < BLOCK_POS; p++) {
            int64_t row = block_pos[p][0], col = block_pos[p][1];
            for (int j = 0; j < 2; j++) {
                tg_rc64 c = tg_plan_c_tile(t, row, col, warp_row, warp_col, 0, j);
                int64_t tile_r = row * 4 + warp_row, tile_c = col * 4 + warp_col + 2 * j;
                CHECK(c.row == tile_r * 32 && c.col == tile_c * 32,
                      "seed: block (%lld,%lld) warp %d C_accum[%d] at (%lld,%lld), the seed "
                      "stores tile {%lld,%lld} = (%lld,%lld)",
                      (long long)row, (long long)col, w, j, (long long)c.row, (long long)c.col,
                      (long long)tile_r, (long long)tile_c, (long long)tile_r * 32,
                      (long long)tile_c * 32);
            }
        }
    }
    check_interleaved_ownership(&cfg, 32, 32);
    printf("seed: 1x2 accumulators of 32x32; stores match the seed's store() coordinates\n");
}

static void check_split8(void)
{
    tg_config cfg;
    if (!get_named("split8", &cfg))
        return;
    check_tile_params(&cfg, 128, 128, 16, 16, TG_INTERLEAVED);
    check_acc(&cfg, 2, 4);
    const tg_tile tile_ = tg_tile_from_params(cfg.params), *t = &tile_;
    CHECK(tg_plan_acc_m(t) * tg_plan_acc_n(t) == 8, "split8: %d accumulators per warp, expected 8",
          tg_plan_acc_m(t) * tg_plan_acc_n(t));

    /* Rows {warp_row, warp_row+4}·16, columns {warp_col, +2, +4, +6}·16, as sets. */
    for (int w = 0; w < 8; w++) {
        int warp_row = w / 2, warp_col = w % 2;
        int rows[2] = {warp_row * 16, (warp_row + 4) * 16};
        int cols[4] = {warp_col * 16, (warp_col + 2) * 16, (warp_col + 4) * 16,
                       (warp_col + 6) * 16};
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 4; j++) {
                tg_rc64 c = tg_plan_c_tile(t, 0, 0, warp_row, warp_col, i, j);
                CHECK(c.row == rows[i] && c.col == cols[j],
                      "split8: warp %d acc (%d,%d) at (%lld,%lld), expected (%d,%d)", w, i, j,
                      (long long)c.row, (long long)c.col, rows[i], cols[j]);
            }
    }
    check_interleaved_ownership(&cfg, 16, 16);
    printf("split8: 2x4 accumulators of 16x16; rows {wr, wr+4}*16, cols {wc, +2, +4, +6}*16\n");

    /* The mixed splits sit between: 16×32 and 32×16 accumulators. */
    tg_config m, n;
    if (get_named("split8_m", &m)) {
        check_tile_params(&m, 128, 128, 16, 32, TG_INTERLEAVED);
        check_acc(&m, 2, 2);
        check_interleaved_ownership(&m, 16, 32);
    }
    if (get_named("split8_n", &n)) {
        check_tile_params(&n, 128, 128, 32, 16, TG_INTERLEAVED);
        check_acc(&n, 1, 4);
        check_interleaved_ownership(&n, 32, 16);
    }
}

/*
 * Contiguous layout: warp (warp_row, warp_col) owns exactly the 32×64 region
 * at (32·warp_row, 64·warp_col), each element once, read from the same A and
 * B rows.
 */
static void check_contiguous(const char *name, int rm, int rn, int acc_m, int acc_n)
{
    tg_config cfg;
    if (!get_named(name, &cfg))
        return;
    check_tile_params(&cfg, 128, 128, rm, rn, TG_CONTIGUOUS);
    check_acc(&cfg, acc_m, acc_n);
    const tg_tile tile_ = tg_tile_from_params(cfg.params), *t = &tile_;
    for (int w = 0; w < 8; w++) {
        int warp_row = w / 2, warp_col = w % 2;
        unsigned char mark[128][128];
        memset(mark, 0, sizeof mark);
        int outside = 0, twice = 0, misread = 0;
        for (int i = 0; i < tg_plan_acc_m(t); i++)
            for (int j = 0; j < tg_plan_acc_n(t); j++) {
                tg_rc64 c = tg_plan_c_tile(t, 2, 3, warp_row, warp_col, i, j);
                c.row -= 2 * 128;
                c.col -= 3 * 128;
                tg_rc a = tg_plan_a_subtile(t, warp_row, i, 1);
                tg_rc b = tg_plan_b_subtile(t, warp_col, j, 1);
                misread += a.row != c.row || b.row != c.col;
                for (int r = 0; r < rm; r++)
                    for (int q = 0; q < rn; q++) {
                        int64_t row = c.row + r, col = c.col + q;
                        if (row < 0 || row >= 128 || col < 0 || col >= 128) {
                            outside++;
                            continue;
                        }
                        twice += mark[row][col]++ != 0;
                    }
            }
        int wrong = 0;
        for (int row = 0; row < 128; row++)
            for (int col = 0; col < 128; col++) {
                int inside = row >= 32 * warp_row && row < 32 * warp_row + 32 &&
                             col >= 64 * warp_col && col < 64 * warp_col + 64;
                wrong += (mark[row][col] != 0) != inside;
            }
        CHECK(outside == 0 && twice == 0 && wrong == 0,
              "%s: warp %d should own rows %d..%d, cols %d..%d exactly once: %d outside, %d "
              "twice, %d elements wrong",
              name, w, 32 * warp_row, 32 * warp_row + 31, 64 * warp_col, 64 * warp_col + 63,
              outside, twice, wrong);
        CHECK(misread == 0, "%s: warp %d: %d accumulators read A/B rows other than their C rows",
              name, w, misread);
    }
    printf("%s: each warp owns one contiguous 32x64 region\n", name);
}

/* ------------------------------------------------------------------------
 * Raster order
 * ---------------------------------------------------------------------- */

static void check_raster(void)
{
    tg_config seed;
    if (!get_named("seed", &seed))
        return;
    /* grid_m below, equal to, and not a multiple of raster; one-row and one-column grids. */
    static const int64_t grids[][2] = {{1, 1}, {1, 9}, {9, 1}, {3, 5}, {8, 4}, {13, 7},
                                       {17, 3}, {20, 11}, {64, 2}, {65, 3}};
    static const int rasters[] = {1, 2, 3, 5, 8, 16, 64};
    int cases = 0;
    for (size_t g = 0; g < sizeof grids / sizeof grids[0]; g++)
        for (size_t r = 0; r < sizeof rasters / sizeof rasters[0]; r++) {
            tg_tile t = tg_tile_from_params(seed.params);
            t.raster = rasters[r];
            int64_t gm = grids[g][0], gn = grids[g][1];
            unsigned char *seen = calloc((size_t)(gm * gn), 1);
            CHECK(seen != NULL, "out of memory");
            if (!seen)
                return;
            int64_t outside = 0, twice = 0, missed = 0, order = 0;
            /* The first group, ragged or whole, runs down its rows column by column. */
            int64_t first_rows = gm < t.raster ? gm : t.raster;
            for (int64_t bid = 0; bid < gm * gn; bid++) {
                int64_t br = -1, bc = -1;
                tg_plan_block(&t, bid, gm, gn, &br, &bc);
                if (br < 0 || br >= gm || bc < 0 || bc >= gn) {
                    outside++;
                    continue;
                }
                twice += seen[br * gn + bc]++ != 0;
                if (bid < first_rows * gn)
                    order += br != bid % first_rows || bc != bid / first_rows;
            }
            for (int64_t x = 0; x < gm * gn; x++)
                missed += seen[x] == 0;
            CHECK(outside == 0 && twice == 0 && missed == 0,
                  "raster %d over a %lldx%lld grid: %lld blocks outside, %lld twice, %lld missed",
                  t.raster, (long long)gm, (long long)gn, (long long)outside, (long long)twice,
                  (long long)missed);
            CHECK(order == 0, "raster %d over a %lldx%lld grid: %lld blocks of the first group "
                              "out of column-major order",
                  t.raster, (long long)gm, (long long)gn, (long long)order);
            free(seen);
            cases++;
        }
    printf("raster: tg_plan_block is a bijection on %d (grid, raster) cases\n", cases);
}

int main(void)
{
    check_every_config();
    check_seed();
    check_split8();
    check_contiguous("seed_contig", 32, 32, 1, 2);
    check_contiguous("split8_contig", 16, 16, 2, 4);
    check_raster();
    return check_summary();
}
