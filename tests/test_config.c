/*
 * test_config.c — configuration names and parameter strings, and the tile
 * rules behind them.
 *
 * tg_config_parse is how a user asks for "the seed with REG_BLOCK = 16": the
 * seed's own names (BLOCK_SIZE, REG_BLOCK_M, ...) must work, every mistake
 * must come back as a status with a message that says what to change, and
 * every rule of TG_TILE_RULES must be able to fire with its own reason.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tilegemm.h"

static int tile_equal(const tg_tile *x, const tg_tile *y)
{
    return x->block_m == y->block_m && x->block_n == y->block_n && x->k_step == y->k_step &&
           x->dot_slice_shared == y->dot_slice_shared && x->dot_slice == y->dot_slice &&
           x->reg_block_m == y->reg_block_m && x->reg_block_n == y->reg_block_n &&
           x->warps_m == y->warps_m && x->warps_n == y->warps_n && x->layout == y->layout &&
           x->pipe == y->pipe && x->stages == y->stages && x->min_blocks == y->min_blocks &&
           x->raster == y->raster;
}

static tg_config preset(const char *name)
{
    tg_config cfg;
    memset(&cfg, 0, sizeof cfg);
    for (int i = 0; i < tg_config_count(); i++)
        if (tg_config_get(i, &cfg) == TG_SUCCESS && strcmp(cfg.name, name) == 0)
            return cfg;
    CHECK(0, "configs.def has no preset '%s'", name);
    memset(&cfg, 0, sizeof cfg);
    return cfg;
}

/* text must parse to the compiled preset `name`, with its exact tile. */
static void expect_preset(const char *text, const char *name)
{
    tg_config want = preset(name), got;
    memset(&got, 0, sizeof got);
    tg_status s = tg_config_parse(text, &got);
    CHECK(s == TG_SUCCESS, "\"%s\": %s: %s", text, tg_status_string(s), tg_last_error());
    CHECK(strcmp(got.name, name) == 0, "\"%s\" is named '%s', expected '%s'", text, got.name, name);
    CHECK(tile_equal(&got.tile, &want.tile), "\"%s\" does not have the tile of '%s'", text, name);
}

/* text must fail with status, and tg_last_error() must contain `needle`. */
static void expect_error(const char *text, tg_status status, const char *needle)
{
    tg_config got;
    tg_status s = tg_config_parse(text, &got);
    CHECK(s == status, "\"%s\": got %s (%s), expected %s", text, tg_status_string(s),
          tg_last_error(), tg_status_string(status));
    CHECK(strstr(tg_last_error(), needle) != NULL, "\"%s\": message '%s' does not mention '%s'",
          text, tg_last_error(), needle);
}

/* ------------------------------------------------------------------------
 * Names and parameter strings
 * ---------------------------------------------------------------------- */

static void check_presets(void)
{
    for (int i = 0; i < tg_config_count(); i++) {
        tg_config cfg;
        CHECK(tg_config_get(i, &cfg) == TG_SUCCESS, "tg_config_get(%d)", i);
        expect_preset(cfg.name, cfg.name);
        /* Names are case-insensitive: all upper case, and first letter only. */
        char upper[TG_CONFIG_NAME_MAX], title[TG_CONFIG_NAME_MAX];
        size_t n = strlen(cfg.name);
        for (size_t c = 0; c <= n; c++) {
            upper[c] = (char)toupper((unsigned char)cfg.name[c]);
            title[c] = c == 0 ? upper[c] : cfg.name[c];
        }
        expect_preset(upper, cfg.name);
        expect_preset(title, cfg.name);
    }
    printf("presets: %d names parse to themselves, in any case\n", tg_config_count());
}

static void check_parameter_strings(void)
{
    /* The user's request, three ways. */
    expect_preset("seed,reg=16", "split8");
    expect_preset("block=128,reg_m=16,reg_n=16", "split8");
    expect_preset("reg_m=16,reg_n=16", "split8");
    /* The seed's own vocabulary. */
    expect_preset("BLOCK_SIZE=128,REG_BLOCK_M=16,REG_BLOCK_N=16", "split8");
    expect_preset("BLOCK_SIZE=128,K_STEP=256,DOT_SLICE_SHARED=64,DOT_SLICE=16,REG_BLOCK=16",
                  "split8");
    expect_preset("REG_BLOCK=32", "seed");
    expect_preset("reg_block_m=16,reg_block_n=32", "split8_m");
    expect_preset("reg_m=32,reg_n=16", "split8_n");
    /* Keys after a preset change it; the others stay. */
    expect_preset("split8,reg_n=32", "split8_m");
    expect_preset("layout=contiguous", "seed_contig");
    expect_preset("split8,layout=contiguous", "split8_contig");
    expect_preset("split8_contig,layout=interleaved", "split8");
    expect_preset("pipe=regs,stages=2,min_blocks=1", "seed_regs");
    expect_preset("split8,pipe=regs,stages=2,min_blocks=1", "split8_regs");
    expect_preset("seed_regs,pipe=cp_async,stages=3,min_blocks=2", "seed");
    expect_preset("block_m=256,min_blocks=1", "b256");
    /* Spaces around items, keys and values; enum values in any case. */
    expect_preset(" split8 , layout = CONTIGUOUS ", "split8_contig");
    expect_preset("Seed, Reg_M=16 ,reg_n= 16", "split8");
    printf("parameter strings: seed vocabulary, layout and pipe keys parse to their presets\n");
}

static void check_parse_errors(void)
{
    /* Unknown preset: the message lists every preset. */
    tg_config got;
    tg_status s = tg_config_parse("seeed", &got);
    CHECK(s == TG_ERR_UNKNOWN_CONFIG, "\"seeed\": got %s", tg_status_string(s));
    CHECK(strstr(tg_last_error(), "seeed") != NULL, "message '%s' does not repeat the name",
          tg_last_error());
    s = tg_config_parse("split16", &got);
    char message[1024];
    snprintf(message, sizeof message, "%s", tg_last_error());
    CHECK(s == TG_ERR_UNKNOWN_CONFIG, "\"split16\": got %s", tg_status_string(s));
    for (int i = 0; i < tg_config_count(); i++) {
        tg_config cfg;
        tg_config_get(i, &cfg);
        CHECK(strstr(message, cfg.name) != NULL,
              "the unknown-preset message '%s' does not list '%s'", message, cfg.name);
    }
    expect_error("split8_x", TG_ERR_UNKNOWN_CONFIG, "split8_x");

    /* Unknown keys are named. */
    expect_error("seed,regs=16", TG_ERR_UNKNOWN_CONFIG, "'regs'");
    expect_error("foo=3", TG_ERR_UNKNOWN_CONFIG, "'foo'");
    expect_error("split8,REG_BLOCK_K=16", TG_ERR_UNKNOWN_CONFIG, "REG_BLOCK_K");

    /* Values that are not positive integers: the key is named. */
    expect_error("reg_m=abc", TG_ERR_INVALID_CONFIG, "reg_m");
    expect_error("reg_m=16x", TG_ERR_INVALID_CONFIG, "reg_m");
    expect_error("reg_n=1.5", TG_ERR_INVALID_CONFIG, "reg_n");
    expect_error("block=0", TG_ERR_INVALID_CONFIG, "block");
    expect_error("stages=0", TG_ERR_INVALID_CONFIG, "stages");
    expect_error("reg_m=-16", TG_ERR_INVALID_CONFIG, "reg_m");
    expect_error("k_step=-256", TG_ERR_INVALID_CONFIG, "k_step");
    expect_error("raster=", TG_ERR_INVALID_CONFIG, "raster");
    expect_error("warps_m=99999999999999999999", TG_ERR_INVALID_CONFIG, "warps_m");
    expect_error("layout=diagonal", TG_ERR_INVALID_CONFIG, "layout");
    expect_error("pipe=tma", TG_ERR_INVALID_CONFIG, "pipe");

    /* Malformed strings. */
    expect_error("", TG_ERR_INVALID_CONFIG, "empty");
    expect_error("seed,,reg=16", TG_ERR_INVALID_CONFIG, "empty");
    expect_error("seed,split8", TG_ERR_INVALID_CONFIG, "split8");
    expect_error("reg=16,seed", TG_ERR_INVALID_CONFIG, "seed");

    /* Rule violations carry the rule's reason. */
    expect_error("reg_m=24", TG_ERR_INVALID_CONFIG, "REG_BLOCK_M must be a multiple of 16");
    expect_error("reg_n=8", TG_ERR_INVALID_CONFIG, "REG_BLOCK_N must be a multiple of 16");
    expect_error("block=100", TG_ERR_INVALID_CONFIG,
                 "BLOCK_M must be a multiple of WARPS_M*REG_BLOCK_M");
    expect_error("stages=1", TG_ERR_INVALID_CONFIG, "STAGES must be 2..8");
    expect_error("dot_slice=24", TG_ERR_INVALID_CONFIG, "DOT_SLICE must be a multiple of 16");
    expect_error("seed,pipe=regs", TG_ERR_INVALID_CONFIG, "exactly 2 shared stages");
    /* 256-row blocks with the seed's 2 blocks per SM: 2*144 KB of shared memory. */
    expect_error("block_m=256", TG_ERR_INVALID_CONFIG, "min_blocks blocks of this shared memory");
    /* Four stages and two blocks per SM do not fit either (2*128 KB > 228 KB). */
    expect_error("seed,stages=4", TG_ERR_INVALID_CONFIG, "min_blocks blocks of this shared memory");
    printf("parse errors: unknown names and keys, bad values and rule violations are named\n");
}

static void check_not_compiled(void)
{
    static const struct {
        const char *text;
        const char *line; /* the configs.def line the message must offer */
        int stages, raster;
    } cases[] = {
        /* Odd values on purpose, so no tuning line of configs.def matches them. */
        {"seed,stages=7,min_blocks=1",
         "TG_CONFIG(my_name, 128, 128, 256, 64, 16, 32, 32, 4, 2, INTERLEAVED, CP_ASYNC, 7, 1, 8)",
         7, 8},
        {"split8,raster=37",
         "TG_CONFIG(my_name, 128, 128, 256, 64, 16, 16, 16, 4, 2, INTERLEAVED, CP_ASYNC, 3, 2, 37)",
         3, 37},
        {"split8_regs,layout=contiguous,raster=37",
         "TG_CONFIG(my_name, 128, 128, 256, 64, 16, 16, 16, 4, 2, CONTIGUOUS, REGS, 2, 1, 37)", 2,
         37},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        tg_config got;
        memset(&got, 0, sizeof got);
        tg_status s = tg_config_parse(cases[c].text, &got);
        CHECK(s == TG_ERR_NOT_COMPILED, "\"%s\": got %s (%s), expected not compiled",
              cases[c].text, tg_status_string(s), tg_last_error());
        CHECK(strstr(tg_last_error(), "TG_CONFIG(") != NULL &&
                  strstr(tg_last_error(), "configs.def") != NULL,
              "\"%s\": message '%s' does not offer a configs.def line", cases[c].text,
              tg_last_error());
        CHECK(strstr(tg_last_error(), cases[c].line) != NULL,
              "\"%s\": message '%s' does not contain '%s'", cases[c].text, tg_last_error(),
              cases[c].line);
        /* *out still holds the parsed, valid parameters, for planning. */
        CHECK(strcmp(got.name, "custom") == 0 && got.tile.stages == cases[c].stages &&
                  got.tile.raster == cases[c].raster && tg_tile_check(&got.tile) == TG_SUCCESS,
              "\"%s\": out is '%s' with stages %d, raster %d", cases[c].text, got.name,
              got.tile.stages, got.tile.raster);
    }
    printf("not compiled: valid parameters come back with the configs.def line to add\n");
}

static void check_format(void)
{
    char buf[512];
    for (int i = 0; i < tg_config_count(); i++) {
        tg_config cfg, back;
        tg_config_get(i, &cfg);
        tg_status s = tg_config_format(&cfg, buf, sizeof buf);
        CHECK(s == TG_SUCCESS, "format %s: %s", cfg.name, tg_last_error());
        memset(&back, 0, sizeof back);
        s = tg_config_parse(buf, &back);
        CHECK(s == TG_SUCCESS && strcmp(back.name, cfg.name) == 0 &&
                  tile_equal(&back.tile, &cfg.tile),
              "%s formats as \"%s\", which parses back to '%s' (%s)", cfg.name, buf, back.name,
              tg_status_string(s));
        if (i == 0)
            printf("format: %s = \"%s\"\n", cfg.name, buf);

        /* Exactly enough room works; one byte less does not, and the text stays terminated. */
        size_t need = strlen(buf) + 1;
        char *exact = malloc(need);
        CHECK(exact && tg_config_format(&cfg, exact, need) == TG_SUCCESS &&
                  strcmp(exact, buf) == 0,
              "%s: a buffer of exactly %zu bytes must do", cfg.name, need);
        if (exact) {
            s = tg_config_format(&cfg, exact, need - 1);
            CHECK(s == TG_ERR_BUFFER_TOO_SMALL && memchr(exact, '\0', need - 1) != NULL,
                  "%s: %zu bytes: got %s", cfg.name, need - 1, tg_status_string(s));
        }
        free(exact);
    }
    tg_config seed = preset("seed");
    CHECK(tg_config_format(&seed, buf, 10) == TG_ERR_BUFFER_TOO_SMALL,
          "a 10-byte buffer must be too small");
    CHECK(tg_config_format(&seed, buf, 0) == TG_ERR_BUFFER_TOO_SMALL,
          "a 0-byte buffer must be too small");
    printf("format: every preset round-trips through tg_config_parse\n");
}

static void check_null_arguments(void)
{
    tg_config cfg = preset("seed");
    char buf[256];
    CHECK(tg_config_parse(NULL, &cfg) == TG_ERR_INVALID_ARGUMENT, "parse(NULL text)");
    CHECK(tg_config_parse("seed", NULL) == TG_ERR_INVALID_ARGUMENT, "parse(NULL out)");
    CHECK(tg_config_format(NULL, buf, sizeof buf) == TG_ERR_INVALID_ARGUMENT, "format(NULL cfg)");
    CHECK(tg_config_format(&cfg, NULL, sizeof buf) == TG_ERR_INVALID_ARGUMENT, "format(NULL buf)");
    CHECK(tg_config_get(0, NULL) == TG_ERR_INVALID_ARGUMENT, "get(0, NULL)");
    CHECK(tg_config_get(-1, &cfg) == TG_ERR_INVALID_ARGUMENT, "get(-1)");
    CHECK(tg_config_get(tg_config_count(), &cfg) == TG_ERR_INVALID_ARGUMENT, "get(count)");
    CHECK(tg_tile_check(NULL) == TG_ERR_INVALID_ARGUMENT, "tile_check(NULL)");
    printf("NULL arguments: invalid argument\n");
}

/* ------------------------------------------------------------------------
 * Every rule can fire
 * ---------------------------------------------------------------------- */

/* The reasons of TG_TILE_RULES, in order, read from the macro itself. */
#define RULE_REASON(cond, why) why,
static const char *const reasons[] = {
    TG_TILE_RULES(RULE_REASON, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)};
#undef RULE_REASON
enum { RULES = (int)(sizeof reasons / sizeof reasons[0]) };

/* The first rule a tile breaks, evaluated in order like tg_tile_check; -1 if none. */
#define RULE_FIRST(cond, why) \
    if (!(cond))              \
        return index;         \
    index++;
static int first_broken(const tg_tile *t)
{
    int index = 0;
    TG_TILE_RULES(RULE_FIRST, t->block_m, t->block_n, t->k_step, t->dot_slice_shared,
                  t->dot_slice, t->reg_block_m, t->reg_block_n, t->warps_m, t->warps_n,
                  t->layout, t->pipe, t->stages, t->min_blocks, t->raster)
    return -1;
}
#undef RULE_FIRST

/* Changes to the seed's tile that break one rule and keep every rule before it. */
typedef struct field_set {
    size_t offset;
    int value;
} field_set;

#define SET(field, v) {offsetof(tg_tile, field), (v)}
enum { MAX_SETS = 8 };

typedef struct rule_case {
    const char *reason; /* the start of the rule's reason */
    int sets;
    field_set set[MAX_SETS];
} rule_case;

static const rule_case rule_cases[] = {
    {"all tile sizes must be positive", 1, {SET(block_m, 0)}},
    {"all tile sizes must be positive", 1, {SET(reg_block_n, -16)}},
    {"WARPS_M and WARPS_N must be positive", 1, {SET(warps_n, 0)}},
    {"WARPS_M and WARPS_N must be positive", 2, {SET(warps_m, 16), SET(warps_n, 4)}},
    {"REG_BLOCK_M must be a multiple of 16", 1, {SET(reg_block_m, 24)}},
    {"REG_BLOCK_N must be a multiple of 16", 1, {SET(reg_block_n, 8)}},
    {"BLOCK_M must be a multiple of WARPS_M*REG_BLOCK_M", 1, {SET(block_m, 96)}},
    {"BLOCK_N must be a multiple of WARPS_N*REG_BLOCK_N", 1, {SET(block_n, 96)}},
    {"DOT_SLICE must be a multiple of 16", 1, {SET(dot_slice, 24)}},
    {"DOT_SLICE_SHARED must be a multiple of DOT_SLICE", 1, {SET(dot_slice, 48)}},
    {"DOT_SLICE_SHARED must be 32, 64 or 128", 1, {SET(dot_slice_shared, 256)}},
    {"K_STEP must be a multiple of DOT_SLICE_SHARED", 1, {SET(k_step, 96)}},
    /* 64×32 A slice = 256 vectors over 16 warps' 512 threads. */
    {"BLOCK_M*DOT_SLICE_SHARED/8",
     6,
     {SET(block_m, 64), SET(dot_slice_shared, 32), SET(reg_block_m, 16), SET(warps_m, 4),
      SET(warps_n, 4), SET(reg_block_n, 32)}},
    {"BLOCK_N*DOT_SLICE_SHARED/8",
     6,
     {SET(block_n, 64), SET(dot_slice_shared, 32), SET(reg_block_n, 16), SET(warps_m, 4),
      SET(warps_n, 4), SET(reg_block_m, 32)}},
    /* 64 threads over 16 chunks per row: 4 rows per pass, not a multiple of 8. */
    {"threads/(DOT_SLICE_SHARED/8)",
     3,
     {SET(warps_m, 1), SET(warps_n, 2), SET(dot_slice_shared, 128)}},
    /* 2×1 warps: each owns 64×128 elements, 256 registers per lane. */
    {"a warp tile needs", 2, {SET(warps_m, 2), SET(warps_n, 1)}},
    {"layout must be interleaved or contiguous", 1, {SET(layout, 2)}},
    {"layout must be interleaved or contiguous", 1, {SET(layout, -1)}},
    {"pipe must be cp_async or regs", 1, {SET(pipe, 2)}},
    {"STAGES must be 2..8", 1, {SET(stages, 1)}},
    {"STAGES must be 2..8", 1, {SET(stages, 9)}},
    {"the register pipeline", 1, {SET(pipe, TG_PIPE_REGS)}},
    /* 8 × 32 KB stages. */
    {"STAGES*(BLOCK_M+BLOCK_N)*DOT_SLICE_SHARED*2", 2, {SET(stages, 8), SET(min_blocks, 1)}},
    {"min_blocks must be >= 1", 1, {SET(min_blocks, 0)}},
    {"min_blocks must be >= 1", 1, {SET(min_blocks, 9)}},
    /* 3 blocks of 96 KB. */
    {"min_blocks blocks of this shared memory", 1, {SET(min_blocks, 3)}},
    {"raster must be 1..64", 1, {SET(raster, 0)}},
    {"raster must be 1..64", 1, {SET(raster, 65)}},
};
#undef SET

static void check_rules_fire(void)
{
    tg_config seed = preset("seed");
    int fired[RULES];
    memset(fired, 0, sizeof fired);
    CHECK(tg_tile_check(&seed.tile) == TG_SUCCESS && first_broken(&seed.tile) == -1,
          "the seed must break no rule: %s", tg_last_error());

    for (size_t c = 0; c < sizeof rule_cases / sizeof rule_cases[0]; c++) {
        const rule_case *rc = &rule_cases[c];
        tg_tile t = seed.tile;
        for (int x = 0; x < rc->sets; x++)
            *(int *)((char *)&t + rc->set[x].offset) = rc->set[x].value;

        /* Which rule the case means, by its reason; the case must break that one first. */
        int want = -1;
        for (int r = 0; r < RULES; r++)
            if (strncmp(reasons[r], rc->reason, strlen(rc->reason)) == 0)
                want = r;
        CHECK(want >= 0, "case %zu: no rule's reason starts with '%s'", c, rc->reason);
        if (want < 0)
            continue;
        int first = first_broken(&t);
        CHECK(first == want, "case %zu: meant to break rule %d (%s) first, breaks rule %d", c,
              want, rc->reason, first);

        tg_status s = tg_tile_check(&t);
        CHECK(s == TG_ERR_INVALID_CONFIG, "case %zu (%s): tg_tile_check gave %s", c, rc->reason,
              tg_status_string(s));
        CHECK(strstr(tg_last_error(), reasons[want]) != NULL,
              "case %zu: message '%s' is not the reason '%s'", c, tg_last_error(), reasons[want]);
        if (s == TG_ERR_INVALID_CONFIG && strstr(tg_last_error(), reasons[want]))
            fired[want]++;
    }
    /* A rule added to TG_TILE_RULES needs a case here. */
    for (int r = 0; r < RULES; r++)
        CHECK(fired[r] > 0, "rule %d ('%s') never fired: add a case to rule_cases", r,
              reasons[r]);
    printf("rules: all %d rules of TG_TILE_RULES fire with their own reason\n", RULES);
}

int main(void)
{
    check_presets();
    check_parameter_strings();
    check_parse_errors();
    check_not_compiled();
    check_format();
    check_null_arguments();
    check_rules_fire();
    return check_summary();
}
