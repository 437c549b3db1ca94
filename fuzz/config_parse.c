/*
 * config_parse.c — libFuzzer harness: configuration strings, and raw
 * tg_config structs, through every call that takes a configuration.
 *
 * The input, up to its first NUL, is a configuration string.
 * tg_config_parse must succeed or fail with a documented status and a
 * message of its own. A configuration it accepts must
 *   - round-trip: tg_config_format, then tg_config_parse, gives the same
 *     family, parameters and name, and formats to the same text again;
 *   - have every parameter in its documented range, and tg_config_param
 *     must return it under its key and under its constant's name;
 *   - describe, list facts and print its preset line; each text call fills
 *     a buffer of exactly the right size and reports a buffer one byte
 *     shorter as TG_ERR_BUFFER_TOO_SMALL (buffers are heap blocks of the
 *     exact size, so ASan sees any write past them).
 * The same bytes also make a configuration of in-range values (one byte a
 * parameter: check_in_range), and an input of at least sizeof(tg_config)
 * bytes is taken as a raw tg_config (any name bytes, family and values),
 * as a caller could pass one: every call must refuse these or treat them
 * like parsed ones.
 *
 * tg_config_verify (the CPU plan verifier) takes about a second a
 * configuration under ASan, too slow for the loop. With TG_FUZZ_VERIFY=1
 * every valid configuration is verified too: for a pass over a finished
 * corpus (-runs=0), see docs/FUZZING.md. A valid configuration that the
 * verifier rejects is a bug (the plan rules let a broken plan through).
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

enum { BIG = 1 << 18 }; /* more than any description: at most 32x32 accumulator lines */

static char *big;      /* scratch for texts of unknown length */
static int verify_too; /* TG_FUZZ_VERIFY=1 */

typedef tg_status (*text_fn)(const tg_config *, char *, size_t);

/*
 * fn's text for cfg: it must fit BIG, come back identical in a buffer of
 * exactly its size, and be refused (still NUL-terminated) one byte shorter.
 * Returns a heap copy of the text.
 */
static char *checked_text(text_fn fn, const tg_config *cfg, const char *what)
{
    fuzz_mark();
    tg_status s = fn(cfg, big, BIG);
    if (s != TG_SUCCESS)
        FUZZ_CHECK_FAILURE(s, what);
    FUZZ_CHECK(s == TG_SUCCESS, "%s of a valid configuration failed", what);
    const size_t n = strlen(big);
    FUZZ_CHECK(n > 0 && n < BIG, "%s gave %zu characters", what, n);

    char *exact = malloc(n + 1);
    s = fn(cfg, exact, n + 1);
    FUZZ_CHECK(s == TG_SUCCESS && !strcmp(exact, big), "%s into %zu bytes: status %d, '%s'", what,
               n + 1, (int)s, exact);

    char *shorter = malloc(n);
    fuzz_mark();
    s = fn(cfg, shorter, n);
    FUZZ_CHECK(s == TG_ERR_BUFFER_TOO_SMALL, "%s into %zu bytes (one short): status %d", what, n,
               (int)s);
    FUZZ_CHECK_FAILURE(s, what);
    FUZZ_CHECK(memchr(shorter, '\0', n) != NULL, "%s left a short buffer unterminated", what);
    free(shorter);

    s = fn(cfg, NULL, 0); /* no buffer at all: refused, nothing written */
    FUZZ_CHECK(s != TG_SUCCESS, "%s into a NULL buffer of 0 bytes succeeded", what);
    return exact;
}

/* The parameters, by key and by constant name, and the documented aliases. */
static void check_params(const tg_config *cfg)
{
    const tg_family f = (tg_family)cfg->family;
    const int count = tg_param_count(f);
    FUZZ_CHECK(count > 0 && count <= TG_CONFIG_MAX_PARAMS, "family %d has %d parameters",
               cfg->family, count);
    FUZZ_CHECK(tg_param_get(f, count) == NULL && tg_param_get(f, -1) == NULL,
               "tg_param_get past the ends is not NULL");
    for (int i = 0; i < count; i++) {
        const tg_param *p = tg_param_get(f, i);
        FUZZ_CHECK(p && p->key && p->name && p->doc, "parameter %d is incomplete", i);
        FUZZ_CHECK(cfg->params[i] >= p->min && cfg->params[i] <= p->max,
                   "a valid configuration has %s = %d outside %d..%d", p->key, cfg->params[i],
                   p->min, p->max);
        int v = -1;
        tg_status s = tg_config_param(cfg, p->key, &v);
        FUZZ_CHECK(s == TG_SUCCESS && v == cfg->params[i], "tg_config_param(%s): status %d, %d != %d",
                   p->key, (int)s, v, cfg->params[i]);
        v = -1;
        s = tg_config_param(cfg, p->name, &v);
        FUZZ_CHECK(s == TG_SUCCESS && v == cfg->params[i], "tg_config_param(%s): status %d, %d != %d",
                   p->name, (int)s, v, cfg->params[i]);
    }
    for (int i = count; i < TG_CONFIG_MAX_PARAMS; i++)
        FUZZ_CHECK(cfg->params[i] == 0, "a valid configuration has params[%d] = %d", i,
                   cfg->params[i]);

    /* tilegemm.h's aliases of the micro family: "block" and "reg" stand for two parameters. */
    if (f == TG_FAMILY_MICRO) {
        static const char *const pairs[][3] = {{"block", "block_m", "block_n"},
                                               {"reg", "reg_block_m", "reg_block_n"}};
        for (int a = 0; a < 2; a++) {
            int x = -1, y = -1, v = -1;
            FUZZ_CHECK(tg_config_param(cfg, pairs[a][1], &x) == TG_SUCCESS &&
                           tg_config_param(cfg, pairs[a][2], &y) == TG_SUCCESS,
                       "%s or %s unknown", pairs[a][1], pairs[a][2]);
            fuzz_mark();
            tg_status s = tg_config_param(cfg, pairs[a][0], &v);
            if (x == y)
                FUZZ_CHECK(s == TG_SUCCESS && v == x, "'%s' with both %d: status %d, %d",
                           pairs[a][0], x, (int)s, v);
            else
                FUZZ_CHECK(s == TG_ERR_INVALID_ARGUMENT, "'%s' with %d and %d: status %d",
                           pairs[a][0], x, y, (int)s);
            if (s != TG_SUCCESS)
                FUZZ_CHECK_FAILURE(s, "tg_config_param of an alias");
        }
    }
    fuzz_mark();
    int v = 0;
    tg_status s = tg_config_param(cfg, "no_such_key", &v);
    FUZZ_CHECK(s == TG_ERR_UNKNOWN_CONFIG, "an unknown key gave status %d", (int)s);
    FUZZ_CHECK_FAILURE(s, "tg_config_param of an unknown key");
}

/* Everything a valid configuration must satisfy; parsed: it came from tg_config_parse. */
static void check_valid(const tg_config *cfg, int parsed)
{
    const int compiled = tg_config_compiled(cfg);
    FUZZ_CHECK(compiled == 0 || compiled == 1, "tg_config_compiled gave %d", compiled);
    if (parsed)
        FUZZ_CHECK(compiled == (strcmp(cfg->name, "custom") != 0),
                   "parsed configuration named '%s' but compiled = %d", cfg->name, compiled);

    /* Round trip: the formatted text parses back to the same configuration and text. */
    char *text = checked_text(tg_config_format, cfg, "tg_config_format");
    tg_config back;
    memset(&back, 0xA5, sizeof back);
    fuzz_mark();
    tg_status s = tg_config_parse(text, &back);
    FUZZ_CHECK(s == TG_SUCCESS, "round trip: '%s' does not parse back (status %d)", text, (int)s);
    FUZZ_CHECK(back.family == cfg->family &&
                   !memcmp(back.params, cfg->params, sizeof back.params),
               "round trip: '%s' parses to other parameters", text);
    FUZZ_CHECK(memchr(back.name, '\0', sizeof back.name) != NULL, "round trip: name unterminated");
    if (parsed)
        FUZZ_CHECK(!strcmp(back.name, cfg->name), "round trip: name '%s' became '%s'", cfg->name,
                   back.name);
    else
        FUZZ_CHECK(compiled == (strcmp(back.name, "custom") != 0),
                   "round trip: named '%s' but compiled = %d", back.name, compiled);
    char *again = checked_text(tg_config_format, &back, "tg_config_format (again)");
    FUZZ_CHECK(!strcmp(text, again), "round trip: '%s' formats again as '%s'", text, again);
    free(again);
    free(text);

    check_params(cfg);

    char *line = checked_text(tg_config_preset_line, cfg, "tg_config_preset_line");
    FUZZ_CHECK(strstr(line, compiled ? back.name : "my_config") != NULL,
               "preset line '%s' does not name '%s'", line, compiled ? back.name : "my_config");
    free(line);
    free(checked_text(tg_config_describe, cfg, "tg_config_describe"));

    const int nfacts = tg_config_facts(cfg, NULL, 0);
    FUZZ_CHECK(nfacts > 0 && nfacts < 1000, "tg_config_facts counted %d", nfacts);
    tg_fact *facts = malloc(sizeof(tg_fact) * (size_t)nfacts);
    FUZZ_CHECK(tg_config_facts(cfg, facts, nfacts) == nfacts, "facts: a second count differs");
    for (int i = 0; i < nfacts; i++)
        FUZZ_CHECK(facts[i].key && facts[i].doc, "fact %d is incomplete", i);
    free(facts);
    facts = malloc(sizeof(tg_fact)); /* room for one: the rest must not be written */
    FUZZ_CHECK(tg_config_facts(cfg, facts, 1) == nfacts, "facts: count with max 1 differs");
    free(facts);

    if (verify_too) {
        s = tg_config_verify(cfg, big, BIG);
        FUZZ_CHECK(s == TG_SUCCESS, "the CPU verifier rejects a valid configuration: %s", big);
    }
}

/* Every call that takes a configuration, given one that may be anything. */
static void check_raw(const tg_config *cfg)
{
    fuzz_mark();
    const tg_status s = tg_config_check(cfg);
    if (s == TG_SUCCESS) {
        check_valid(cfg, 0);
        return;
    }
    FUZZ_CHECK_FAILURE(s, "tg_config_check");
    FUZZ_CHECK(tg_config_compiled(cfg) == 0, "an invalid configuration counts as compiled");
    int v = 0;
    char buf[64];
    FUZZ_CHECK(tg_config_param(cfg, "block_m", &v) == s, "tg_config_param took an invalid config");
    FUZZ_CHECK(tg_config_format(cfg, buf, sizeof buf) == s, "tg_config_format took it");
    FUZZ_CHECK(tg_config_preset_line(cfg, buf, sizeof buf) == s, "tg_config_preset_line took it");
    FUZZ_CHECK(tg_config_describe(cfg, buf, sizeof buf) == s, "tg_config_describe took it");
    FUZZ_CHECK(tg_config_facts(cfg, NULL, 0) == (int)s, "tg_config_facts took it");
    FUZZ_CHECK(tg_config_verify(cfg, buf, sizeof buf) == s, "tg_config_verify took it");
}

/*
 * A configuration of in-range values: byte 0 picks the family, byte 1+i
 * parameter i. Random strings and structs rarely pass the ranges and the
 * plan rules together, so this reaches valid configurations (and each rule
 * on its own) far more often: a byte with its top bit set gives the
 * parameter's minimum times a power of two (the rules ask for multiples),
 * any other byte a value anywhere in the range.
 */
static void check_in_range(const uint8_t *data, size_t size)
{
    tg_config cfg;
    memset(&cfg, 0, sizeof cfg);
    snprintf(cfg.name, sizeof cfg.name, "custom");
    cfg.family = data[0] % tg_family_count();
    const int count = tg_param_count((tg_family)cfg.family);
    for (int i = 0; i < count; i++) {
        const tg_param *p = tg_param_get((tg_family)cfg.family, i);
        const unsigned b = (size_t)i + 1 < size ? data[i + 1] : 0;
        int v = p->min + (int)(b % (unsigned)(p->max - p->min + 1));
        if (b & 0x80) {
            v = p->min;
            for (unsigned doublings = b & 15; doublings > 0 && v > 0 && v <= p->max / 2; doublings--)
                v *= 2;
        }
        cfg.params[i] = v;
    }
    check_raw(&cfg);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    big = malloc(BIG);
    const char *v = getenv("TG_FUZZ_VERIFY");
    verify_too = v && !strcmp(v, "1");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1); /* exact size: ASan sees a read past the terminator */
    memcpy(text, data, size);
    text[size] = '\0';
    tg_config cfg;
    fuzz_mark();
    const tg_status s = tg_config_parse(text, &cfg);
    if (s == TG_SUCCESS)
        check_valid(&cfg, 1);
    else
        FUZZ_CHECK_FAILURE(s, "tg_config_parse");
    free(text);

    if (size > 0)
        check_in_range(data, size);
    if (size >= sizeof(tg_config)) {
        tg_config raw;
        memcpy(&raw, data, sizeof raw);
        check_raw(&raw);
    }
    return 0;
}
