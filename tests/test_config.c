/*
 * test_config.c — configuration names and parameter strings, and the tile
 * rules behind them.
 *
 * tg_config_parse is how a user asks for "the seed with REG_BLOCK = 16": the
 * seed's own names (BLOCK_SIZE, REG_BLOCK_M, ...) must work, every mistake
 * must come back as a status with a message that says what to change, every
 * parameter's range is enforced, and every rule of TG_MICRO_RULES must be
 * able to fire with its own reason.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "micro/plan.h"
#include "tilegemm.h"

static int params_equal(const tg_config *x, const tg_config *y)
{
    return x->family == y->family && !memcmp(x->params, y->params, sizeof x->params);
}

static tg_config preset(const char *name)
{
    tg_config cfg;
    memset(&cfg, 0, sizeof cfg);
    for (int i = 0; i < tg_config_count(); i++)
        if (tg_config_get(i, &cfg) == TG_SUCCESS && strcmp(cfg.name, name) == 0)
            return cfg;
    CHECK(0, "presets.def has no preset '%s'", name);
    memset(&cfg, 0, sizeof cfg);
    return cfg;
}

/* text must parse to the compiled preset `name`, with its exact parameters. */
static void expect_preset(const char *text, const char *name)
{
    tg_config want = preset(name), got;
    memset(&got, 0, sizeof got);
    tg_status s = tg_config_parse(text, &got);
    CHECK(s == TG_SUCCESS, "\"%s\": %s: %s", text, tg_status_string(s), tg_last_error());
    CHECK(strcmp(got.name, name) == 0, "\"%s\" is named '%s', expected '%s'", text, got.name, name);
    CHECK(params_equal(&got, &want), "\"%s\" does not have the parameters of '%s'", text, name);
    CHECK(tg_config_compiled(&got) == 1, "\"%s\" must be compiled", text);
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
        /* No two presets of a family share their parameters: a configuration is found by them
         * (tg_preset_find), so the second name would run the first one's kernel (bench/RESULTS.md
         * entry 45: a trial preset that copied a shipped one's ran as the shipped one). */
        for (int j = 0; j < i; j++) {
            tg_config other;
            CHECK(tg_config_get(j, &other) == TG_SUCCESS && !params_equal(&cfg, &other),
                  "presets %s and %s have the same parameters", other.name, cfg.name);
        }
    }
    printf("presets: %d names parse to themselves, in any case; no two share their parameters\n",
           tg_config_count());
}

static void check_parameter_strings(void)
{
    /* The user's request, several ways. */
    expect_preset("seed,reg=16", "split8");
    expect_preset("seed,block=128,reg_m=16,reg_n=16", "split8");
    expect_preset("micro,reg_m=16,reg_n=16", "split8");
    /* The seed's own vocabulary. */
    expect_preset("seed,BLOCK_SIZE=128,REG_BLOCK_M=16,REG_BLOCK_N=16", "split8");
    expect_preset("seed,BLOCK_SIZE=128,K_STEP=256,DOT_SLICE_SHARED=64,DOT_SLICE=16,REG_BLOCK=16",
                  "split8");
    expect_preset("split8,REG_BLOCK=32", "seed");
    expect_preset("seed,reg_block_m=16,reg_block_n=32", "split8_m");
    expect_preset("seed,reg_m=32,reg_n=16", "split8_n");
    /* Keys after a preset change it; the others stay. */
    expect_preset("split8,reg_n=32", "split8_m");
    expect_preset("seed,layout=contiguous", "seed_contig");
    expect_preset("split8,layout=contiguous", "split8_contig");
    expect_preset("split8_contig,layout=interleaved", "split8");
    expect_preset("seed,pipe=regs,stages=2,min_blocks=1", "seed_regs");
    expect_preset("split8,pipe=regs,stages=2,min_blocks=1", "split8_regs");
    expect_preset("seed_regs,pipe=cp_async,stages=3,min_blocks=2", "seed");
    expect_preset("seed,block_m=256,min_blocks=1", "b256");
    /* The family's name stands for its base preset, the seed. */
    expect_preset("micro", "seed");
    expect_preset("MICRO,warps_m=2", "warp64");
    /* Spaces around items, keys and values; enum values in any case. */
    expect_preset(" split8 , layout = CONTIGUOUS ", "split8_contig");
    expect_preset("Seed, Reg_M=16 ,reg_n= 16", "split8");
    printf("parameter strings: seed vocabulary, aliases, bases and enum keys parse to their "
           "presets\n");
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

    /* A bare key list has no base: one documented meaning, an error that says so. */
    expect_error("stages=4", TG_ERR_INVALID_CONFIG, "name its base first");
    expect_error("reg_m=16,reg_n=16", TG_ERR_INVALID_CONFIG, "'seed,reg_m=16,reg_n=16'");

    /* Unknown keys are named, with the family's keys. */
    expect_error("seed,regs=16", TG_ERR_UNKNOWN_CONFIG, "'regs'");
    expect_error("seed,foo=3", TG_ERR_UNKNOWN_CONFIG, "keys: block_m");
    expect_error("split8,REG_BLOCK_K=16", TG_ERR_UNKNOWN_CONFIG, "REG_BLOCK_K");

    /* Values that are not integers in range: the key and its range are named. */
    expect_error("seed,reg_m=abc", TG_ERR_INVALID_CONFIG, "reg_block_m must be an integer");
    expect_error("seed,reg_m=16x", TG_ERR_INVALID_CONFIG, "reg_block_m");
    expect_error("seed,reg_n=1.5", TG_ERR_INVALID_CONFIG, "reg_block_n");
    expect_error("seed,block=0", TG_ERR_INVALID_CONFIG, "block_m must be 16..512, got 0");
    expect_error("seed,stages=0", TG_ERR_INVALID_CONFIG, "stages must be 2..8");
    expect_error("seed,reg_m=-16", TG_ERR_INVALID_CONFIG, "reg_block_m must be 16..512, got -16");
    expect_error("seed,k_step=-256", TG_ERR_INVALID_CONFIG, "k_step");
    expect_error("seed,raster=", TG_ERR_INVALID_CONFIG, "raster");
    expect_error("seed,raster=+", TG_ERR_INVALID_CONFIG, "raster");
    expect_error("seed,warps_m=99999999999999999999", TG_ERR_INVALID_CONFIG, "warps_m must be 1..32");
    expect_error("seed,block=1048576", TG_ERR_INVALID_CONFIG, "block_m must be 16..512");
    expect_error("seed,layout=diagonal", TG_ERR_INVALID_CONFIG, "interleaved|contiguous");
    expect_error("seed,pipe=tma", TG_ERR_INVALID_CONFIG, "cp_async|regs");
    /* The review's crash: huge values are refused by range before any product is formed. */
    expect_error("seed,block_m=262144,block_n=131072,warps_m=16384,warps_n=8192,reg=16",
                 TG_ERR_INVALID_CONFIG, "block_m must be 16..512");

    /* A parameter set twice, directly or through an alias. */
    expect_error("seed,stages=4,stages=3", TG_ERR_INVALID_CONFIG, "sets stages twice");
    expect_error("seed,reg=16,reg_m=32", TG_ERR_INVALID_CONFIG, "sets reg_block_m twice");
    expect_error("seed,block_n=64,block=128", TG_ERR_INVALID_CONFIG, "sets block_n twice");

    /* Bytes that are not printable ASCII, and overlong strings. */
    expect_error("seed,stages=\xc3\xa9", TG_ERR_INVALID_CONFIG, "not printable ASCII (0xc3");
    expect_error("seed\n", TG_ERR_INVALID_CONFIG, "0x0a at offset 4");
    {
        static char longtext[5000];
        memset(longtext, ' ', sizeof longtext - 1);
        memcpy(longtext, "seed", 4);
        expect_error(longtext, TG_ERR_INVALID_CONFIG, "longer than 4096 characters");
    }

    /* Rule violations carry the rule's reason. */
    expect_error("seed,reg_m=24", TG_ERR_INVALID_CONFIG, "REG_BLOCK_M must be a multiple of 16");
    expect_error("seed,reg_n=24", TG_ERR_INVALID_CONFIG, "REG_BLOCK_N must be a multiple of 16");
    expect_error("seed,block=100", TG_ERR_INVALID_CONFIG,
                 "BLOCK_M must be a multiple of WARPS_M*REG_BLOCK_M");
    expect_error("seed,dot_slice=24", TG_ERR_INVALID_CONFIG, "DOT_SLICE must be a multiple of 16");
    expect_error("seed,pipe=regs", TG_ERR_INVALID_CONFIG, "exactly 2 shared stages");
    /* 256-row blocks with the seed's 2 blocks per SM: 2*144 KB of shared memory. */
    expect_error("seed,block_m=256", TG_ERR_INVALID_CONFIG, "MIN_BLOCKS blocks of this shared memory");
    /* Four stages and two blocks per SM do not fit either (2*128 KB > 228 KB). */
    expect_error("seed,stages=4", TG_ERR_INVALID_CONFIG, "MIN_BLOCKS blocks of this shared memory");
    printf("parse errors: unknown names and keys, bad values and rule violations are named\n");
}

static tg_config preset_at(int i);

/* src without its spaces into dst (which may be src: it never runs ahead); presets.def pads its
 * columns, so its lines and the library's are compared squeezed. */
static void squeeze(char *dst, const char *src)
{
    for (; *src; src++)
        if (*src != ' ')
            *dst++ = *src;
    *dst = '\0';
}

/* A text file whole, squeezed (malloc'd; NULL if it cannot be read). */
static char *read_squeezed(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    long size = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    char *text = size >= 0 && fseek(f, 0, SEEK_SET) == 0 ? malloc((size_t)size + 1) : NULL;
    if (text && fread(text, 1, (size_t)size, f) != (size_t)size) {
        free(text);
        text = NULL;
    }
    fclose(f);
    if (text) {
        text[size] = '\0';
        squeeze(text, text);
    }
    return text;
}

static void check_not_compiled(void)
{
    static const struct {
        const char *text;
        const char *line; /* the presets.def line tg_config_preset_line must offer */
    } cases[] = {
        /* Odd values on purpose, so no line of presets.def matches them. */
        {"seed,stages=7,min_blocks=1",
         "src/micro/presets.def: TG_MICRO_PRESET(my_config, 128, 128, 256, 64, 16, 32, 32, 4, 2, "
         "TG_INTERLEAVED, TG_CP_ASYNC, 7, 1, 8)"},
        {"split8,raster=37",
         "src/micro/presets.def: TG_MICRO_PRESET(my_config, 128, 128, 256, 64, 16, 16, 16, 4, 2, "
         "TG_INTERLEAVED, TG_CP_ASYNC, 3, 2, 37)"},
        {"split8_regs,layout=contiguous,raster=37",
         "src/micro/presets.def: TG_MICRO_PRESET(my_config, 128, 128, 256, 64, 16, 16, 16, 4, 2, "
         "TG_CONTIGUOUS, TG_REGS, 2, 1, 37)"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        tg_config got;
        memset(&got, 0, sizeof got);
        tg_status s = tg_config_parse(cases[c].text, &got);
        CHECK(s == TG_SUCCESS, "\"%s\": got %s (%s); a valid configuration parses, compiled or "
              "not", cases[c].text, tg_status_string(s), tg_last_error());
        CHECK(strcmp(got.name, "custom") == 0 && tg_config_compiled(&got) == 0,
              "\"%s\": named '%s', compiled %d", cases[c].text, got.name, tg_config_compiled(&got));
        char line[512];
        s = tg_config_preset_line(&got, line, sizeof line);
        CHECK(s == TG_SUCCESS && strcmp(line, cases[c].line) == 0, "\"%s\": line '%s', expected '%s'",
              cases[c].text, line, cases[c].line);
        /* tg_gemm refuses it with the same line (the arguments are checked first). */
        tg_gemm_args g = tg_gemm_args_default();
        g.a = (const void *)((uintptr_t)1 << 40);
        g.b = (const void *)((uintptr_t)2 << 40);
        g.c = (void *)((uintptr_t)3 << 40);
        g.m = g.n = g.k = g.lda = g.ldb = g.ldc = 64;
        s = tg_gemm(&g, &got, NULL);
        CHECK(s == TG_ERR_NOT_COMPILED && strstr(tg_last_error(), cases[c].line) != NULL,
              "\"%s\": tg_gemm gave %s: %s", cases[c].text, tg_status_string(s), tg_last_error());
    }
    /* Every compiled preset's line is its own line of the file the line names. */
    char *text = NULL, text_path[512] = "";
    for (int i = 0; i < tg_config_count(); i++) {
        tg_config cfg = preset_at(i);
        char line[512], squeezed[512], path[512];
        CHECK(tg_config_preset_line(&cfg, line, sizeof line) == TG_SUCCESS, "%s", cfg.name);
        const char *colon = strchr(line, ':');
        CHECK(colon != NULL, "%s: '%s' names no file", cfg.name, line);
        if (!colon)
            continue;
        snprintf(path, sizeof path, "%s/%.*s", TG_SOURCE_DIR, (int)(colon - line), line);
        if (strcmp(path, text_path) != 0) { /* the presets of a family are listed together */
            free(text);
            text = read_squeezed(path);
            CHECK(text != NULL, "cannot read %s", path);
            snprintf(text_path, sizeof text_path, "%s", path);
        }
        if (!text)
            continue;
        squeeze(squeezed, colon + 2);
        CHECK(strstr(text, squeezed) != NULL, "%s has no line '%s'", path, squeezed);
    }
    free(text);
    printf("not compiled: valid parameters parse, and come back with the presets.def line to add\n");
}

static tg_config preset_at(int i)
{
    tg_config cfg;
    memset(&cfg, 0, sizeof cfg);
    CHECK(tg_config_get(i, &cfg) == TG_SUCCESS, "tg_config_get(%d)", i);
    return cfg;
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
                  params_equal(&back, &cfg),
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
    CHECK(tg_config_check(NULL) == TG_ERR_INVALID_ARGUMENT, "check(NULL)");
    CHECK(tg_config_describe(&cfg, NULL, 10) == TG_ERR_INVALID_ARGUMENT, "describe(NULL buf)");
    CHECK(tg_config_preset_line(&cfg, buf, 0) == TG_ERR_BUFFER_TOO_SMALL, "preset_line(0 bytes)");
    CHECK(tg_config_preset_line(&cfg, NULL, 10) == TG_ERR_INVALID_ARGUMENT, "preset_line(NULL)");
    CHECK(tg_config_param(&cfg, NULL, NULL) == TG_ERR_INVALID_ARGUMENT, "param(NULL)");
    /* A hand-made config is checked wherever it is taken. */
    tg_config bad = cfg;
    bad.family = 7;
    CHECK(tg_config_check(&bad) == TG_ERR_INVALID_CONFIG && strstr(tg_last_error(), "family 7"),
          "family 7: %s", tg_last_error());
    bad = cfg;
    bad.params[TG_CONFIG_MAX_PARAMS - 1] = 5;
    CHECK(tg_config_check(&bad) == TG_ERR_INVALID_CONFIG && strstr(tg_last_error(), "must be 0"),
          "an extra parameter: %s", tg_last_error());
    bad = cfg;
    memset(bad.name, 'x', sizeof bad.name);
    CHECK(tg_config_check(&bad) == TG_ERR_INVALID_CONFIG &&
              strstr(tg_last_error(), "not NUL-terminated"),
          "an unterminated name: %s", tg_last_error());
    bad = cfg;
    bad.params[TG_MICRO_BLOCK_M] = 1 << 30;
    CHECK(tg_config_format(&bad, buf, sizeof buf) == TG_ERR_INVALID_CONFIG &&
              strstr(tg_last_error(), "block_m must be 16..512"),
          "an out-of-range parameter: %s", tg_last_error());
    /* Parameters by key and alias. */
    int v = 0;
    CHECK(tg_config_param(&cfg, "REG_BLOCK_M", &v) == TG_SUCCESS && v == 32, "REG_BLOCK_M = %d", v);
    CHECK(tg_config_param(&cfg, "reg", &v) == TG_SUCCESS && v == 32, "reg = %d", v);
    tg_config m8 = preset("split8_m");
    CHECK(tg_config_param(&m8, "reg", &v) == TG_ERR_INVALID_ARGUMENT, "reg of split8_m differs");
    CHECK(tg_config_param(&cfg, "nope", &v) == TG_ERR_UNKNOWN_CONFIG, "unknown key");
    printf("NULL arguments: invalid argument\n");
}

/* ------------------------------------------------------------------------
 * Every rule can fire
 * ---------------------------------------------------------------------- */

/* The reasons of TG_MICRO_RULES, in order, read from the macro itself. */
#define RULE_REASON(cond, why) why,
static const char *const reasons[] = {TG_MICRO_RULES(RULE_REASON, 0)};
#undef RULE_REASON
enum { RULES = (int)(sizeof reasons / sizeof reasons[0]) };

/* The first rule parameters p break, evaluated in order like the family's check; -1 if none. */
#define P_(NAME) p[TG_MICRO_##NAME]
#define RULE_FIRST(cond, why) \
    if (!(cond))              \
        return index;         \
    index++;
static int first_broken(const int *p)
{
    int index = 0;
    TG_MICRO_RULES(RULE_FIRST, P_)
    return -1;
}
#undef RULE_FIRST
#undef P_

/* Changes to the seed that break one rule, keep every rule before it, and stay in range. */
typedef struct param_set {
    int index, value;
} param_set;

#define SET(NAME, v) {TG_MICRO_##NAME, (v)}
enum { MAX_SETS = 8 };

typedef struct rule_case {
    const char *reason; /* the start of the rule's reason */
    int sets;
    param_set set[MAX_SETS];
} rule_case;

static const rule_case rule_cases[] = {
    {"WARPS_M*WARPS_N*32 must be <= 1024", 2, {SET(WARPS_M, 16), SET(WARPS_N, 4)}},
    {"REG_BLOCK_M must be a multiple of 16", 1, {SET(REG_BLOCK_M, 24)}},
    {"REG_BLOCK_N must be a multiple of 16", 1, {SET(REG_BLOCK_N, 24)}},
    {"BLOCK_M must be a multiple of WARPS_M*REG_BLOCK_M", 1, {SET(BLOCK_M, 96)}},
    {"BLOCK_N must be a multiple of WARPS_N*REG_BLOCK_N", 1, {SET(BLOCK_N, 96)}},
    {"DOT_SLICE must be a multiple of 16", 1, {SET(DOT_SLICE, 24)}},
    {"DOT_SLICE_SHARED must be a multiple of DOT_SLICE", 1, {SET(DOT_SLICE, 48)}},
    {"DOT_SLICE_SHARED must be 32, 64 or 128", 1, {SET(DOT_SLICE_SHARED, 48)}},
    {"K_STEP must be a multiple of DOT_SLICE_SHARED", 1, {SET(K_STEP, 96)}},
    /* 64×32 A slice = 256 vectors over 16 warps' 512 threads. */
    {"BLOCK_M*DOT_SLICE_SHARED/8",
     6,
     {SET(BLOCK_M, 64), SET(DOT_SLICE_SHARED, 32), SET(REG_BLOCK_M, 16), SET(WARPS_M, 4),
      SET(WARPS_N, 4), SET(REG_BLOCK_N, 32)}},
    {"BLOCK_N*DOT_SLICE_SHARED/8",
     6,
     {SET(BLOCK_N, 64), SET(DOT_SLICE_SHARED, 32), SET(REG_BLOCK_N, 16), SET(WARPS_M, 4),
      SET(WARPS_N, 4), SET(REG_BLOCK_M, 32)}},
    /* 64 threads over 16 chunks per row: 4 rows per pass, not a multiple of 8. */
    {"threads/(DOT_SLICE_SHARED/8)",
     3,
     {SET(WARPS_M, 1), SET(WARPS_N, 2), SET(DOT_SLICE_SHARED, 128)}},
    /* 2×1 warps: each owns 64×128 elements, 256 registers per lane. */
    {"a warp tile needs", 2, {SET(WARPS_M, 2), SET(WARPS_N, 1)}},
    {"the register pipeline", 1, {SET(PIPE, TG_REGS)}},
    /* 8 × 32 KB stages. */
    {"STAGES*(BLOCK_M+BLOCK_N)*DOT_SLICE_SHARED*2", 2, {SET(STAGES, 8), SET(MIN_BLOCKS, 1)}},
    {"MIN_BLOCKS*threads must be <= 2048", 1, {SET(MIN_BLOCKS, 9)}},
    /* 3 blocks of 96 KB. */
    {"MIN_BLOCKS blocks of this shared memory", 1, {SET(MIN_BLOCKS, 3)}},
};
#undef SET

static void check_rules_fire(void)
{
    tg_config seed = preset("seed");
    int fired[RULES];
    memset(fired, 0, sizeof fired);
    CHECK(tg_config_check(&seed) == TG_SUCCESS && first_broken(seed.params) == -1,
          "the seed must break no rule: %s", tg_last_error());

    for (size_t c = 0; c < sizeof rule_cases / sizeof rule_cases[0]; c++) {
        const rule_case *rc = &rule_cases[c];
        tg_config t = seed;
        for (int x = 0; x < rc->sets; x++)
            t.params[rc->set[x].index] = rc->set[x].value;

        /* Which rule the case means, by its reason; the case must break that one first. */
        int want = -1;
        for (int r = 0; r < RULES; r++)
            if (strncmp(reasons[r], rc->reason, strlen(rc->reason)) == 0)
                want = r;
        CHECK(want >= 0, "case %zu: no rule's reason starts with '%s'", c, rc->reason);
        if (want < 0)
            continue;
        int first = first_broken(t.params);
        CHECK(first == want, "case %zu: meant to break rule %d (%s) first, breaks rule %d", c,
              want, rc->reason, first);

        tg_status s = tg_config_check(&t);
        CHECK(s == TG_ERR_INVALID_CONFIG, "case %zu (%s): tg_config_check gave %s", c, rc->reason,
              tg_status_string(s));
        CHECK(strstr(tg_last_error(), reasons[want]) != NULL,
              "case %zu: message '%s' is not the reason '%s'", c, tg_last_error(), reasons[want]);
        if (s == TG_ERR_INVALID_CONFIG && strstr(tg_last_error(), reasons[want]))
            fired[want]++;
    }
    /* A rule added to TG_MICRO_RULES needs a case here. */
    for (int r = 0; r < RULES; r++)
        CHECK(fired[r] > 0, "rule %d ('%s') never fired: add a case to rule_cases", r,
              reasons[r]);
    printf("rules: all %d rules of TG_MICRO_RULES fire with their own reason\n", RULES);
}

/* Every parameter's range: one below and one above are refused, naming it and its range. */
static void check_ranges(void)
{
    tg_config seed = preset("seed");
    const int n = tg_param_count(TG_FAMILY_MICRO);
    CHECK(n == TG_MICRO_NPARAMS, "the micro family declares %d parameters", n);
    CHECK(tg_param_get(TG_FAMILY_MICRO, n) == NULL && tg_param_get(TG_FAMILY_MICRO, -1) == NULL,
          "out-of-range parameter index");
    for (int i = 0; i < n; i++) {
        const tg_param *p = tg_param_get(TG_FAMILY_MICRO, i);
        char want[128];
        snprintf(want, sizeof want, "%s must be %d..%d, got", p->key, p->min, p->max);
        const int outside[2] = {p->min - 1, p->max + 1};
        for (int o = 0; o < 2; o++) {
            tg_config t = seed;
            t.params[i] = outside[o];
            tg_status s = tg_config_check(&t);
            CHECK(s == TG_ERR_INVALID_CONFIG && strstr(tg_last_error(), want),
                  "%s = %d: %s (%s), expected '%s'", p->key, outside[o], tg_status_string(s),
                  tg_last_error(), want);
        }
        /* The key is the lower-case kernel constant: the seed's vocabulary either way. */
        char lower[64];
        size_t k = 0;
        for (; p->name[k] && k + 1 < sizeof lower; k++)
            lower[k] = (char)tolower((unsigned char)p->name[k]);
        lower[k] = '\0';
        CHECK(strcmp(lower, p->key) == 0, "key %s is not lower-case %s", p->key, p->name);
    }
    printf("ranges: every one of the %d parameters refuses min-1 and max+1 by name\n", n);
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
    check_ranges();
    return check_summary();
}
