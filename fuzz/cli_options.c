/*
 * cli_options.c — libFuzzer harness: the tilegemm command's command line
 * (cli/options.c, the very parser the command uses; it never prints or
 * exits).
 *
 * The input is split into words at NUL bytes and newlines; argv is
 * "tilegemm" followed by them (an empty input: no words) (at most MAX_WORDS; each word its own heap
 * block of exact size, so ASan sees any read past a terminator).
 *
 * What must hold:
 *   - cli_parse returns 0 or 2; on 2 the message is a terminated line that
 *     starts "tilegemm", and is cut, not overrun, in a short buffer;
 *   - parsing the same argv twice gives the same result (cli_parse resets
 *     getopt_long's globals itself);
 *   - on 0 without --help the command is a real one, every option it read
 *     is one the command's usage text lists, every number is within its
 *     documented range, the command's required options are there, and the
 *     strings it kept point into argv; --suite names only suites of the
 *     table (cli/suites.c), never beside --shapes; --csv is never empty.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "options.h"
#include "suites.h"

enum { MAX_WORDS = 64, ERR_LEN = 512 };

/* Does c's usage text list the option `flag` ("--m": not "--misalign")? */
static int usage_lists(cli_command c, const char *flag)
{
    const char *u = cli_usage(c);
    const size_t n = strlen(flag);
    for (const char *p = strstr(u, flag); p; p = strstr(p + 1, flag)) {
        const char next = p[n];
        if (!(next >= 'a' && next <= 'z') && next != '_')
            return 1;
    }
    return 0;
}

/* Is s NULL or inside one of argv's words ("--config=X" keeps X)? Not a copy, not freed memory. */
static int in_argv(const char *s, int argc, char **argv)
{
    if (!s)
        return 1;
    for (int i = 1; i < argc; i++)
        if (s >= argv[i] && s <= argv[i] + strlen(argv[i]))
            return 1;
    return 0;
}

static void check_success(const cli_options *o, int argc, char **argv)
{
    if (o->help) {
        FUZZ_CHECK(o->command == CMD_NONE || (o->command >= 0 && o->command < CMD_COUNT),
                   "--help with command %d", (int)o->command);
        return;
    }
    const cli_command c = o->command;
    FUZZ_CHECK(c >= 0 && c < CMD_COUNT, "success without a command (%d)", (int)c);
    FUZZ_CHECK(cli_command_name(c) && !strcmp(cli_command_name(c), argv[1]),
               "command %d is not the word '%s'", (int)c, argv[1]);

    /* Every option that was read is one the command documents. */
    struct {
        int given;
        const char *flag;
    } const opts[] = {
        {o->config != NULL, "--config"}, {o->configs != NULL, "--configs"},
        {o->shapes != NULL, "--shapes"}, {o->have_m, "--m"},
        {o->have_n, "--n"},              {o->have_k, "--k"},
        {o->lda != 0, "--lda"},          {o->ldb != 0, "--ldb"},
        {o->ldc != 0, "--ldc"},          {o->batch != 0, "--batch"},
        {o->dtype != TG_DTYPE_F32, "--dtype"}, {o->alpha != 1.0f, "--alpha"},
        {o->beta != 0.0f, "--beta"},     {o->misalign, "--misalign"},
        {o->reps != 20, "--reps"},       {o->warmup != 5, "--warmup"},
        {o->rounds != 5, "--rounds"},    {o->seed_set, "--seed"},
        {o->suites != 0, "--suite"},     {o->csv != NULL, "--csv"},
    };
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
        if (opts[i].given)
            FUZZ_CHECK(usage_lists(c, opts[i].flag), "%s accepted %s, which its usage omits",
                       argv[1], opts[i].flag);

    /* Ranges (options.h: dimensions up to CLI_MAX_DIM; ld and batch ≥ 1 when given). */
    FUZZ_CHECK(o->m >= 0 && o->m <= CLI_MAX_DIM && o->n >= 0 && o->n <= CLI_MAX_DIM &&
                   o->k >= 0 && o->k <= CLI_MAX_DIM,
               "shape %lld x %lld x %lld out of range", (long long)o->m, (long long)o->n,
               (long long)o->k);
    FUZZ_CHECK(o->lda >= 0 && o->lda <= CLI_MAX_DIM && o->ldb >= 0 && o->ldb <= CLI_MAX_DIM &&
                   o->ldc >= 0 && o->ldc <= CLI_MAX_DIM && o->batch >= 0 &&
                   o->batch <= CLI_MAX_DIM,
               "a leading dimension or batch out of range");
    FUZZ_CHECK(isfinite(o->alpha) && isfinite(o->beta), "alpha or beta not finite");
    FUZZ_CHECK(o->dtype == TG_DTYPE_F32 || o->dtype == TG_DTYPE_BF16, "dtype %d", (int)o->dtype);
    FUZZ_CHECK(o->reps >= 1 && o->reps <= 100000 && o->warmup >= 0 && o->warmup <= 100000 &&
                   o->rounds >= 1 && o->rounds <= 100,
               "reps %d, warmup %d or rounds %d out of range", o->reps, o->warmup, o->rounds);
    FUZZ_CHECK(o->have_m || o->m == 0, "m set without --m");
    FUZZ_CHECK(in_argv(o->config, argc, argv) && in_argv(o->configs, argc, argv) &&
                   in_argv(o->shapes, argc, argv) && in_argv(o->csv, argc, argv),
               "a kept string does not point into argv");
    FUZZ_CHECK(o->suites >> bench_suite_count() == 0, "suite mask 0x%x names no suite",
               o->suites);
    FUZZ_CHECK(!o->csv || o->csv[0], "an empty --csv accepted");

    /* What each command needs. */
    const int shape = o->have_m + o->have_n + o->have_k;
    if (c == CMD_CHECK)
        FUZZ_CHECK(shape == 3, "check without a full shape");
    if (c == CMD_TUNE)
        FUZZ_CHECK(shape == 0 || shape == 3, "tune with a partial shape");
    if (c == CMD_PLAN)
        FUZZ_CHECK(o->config ? shape == 0 : shape == 3, "plan needs --config or a shape, not both");
    FUZZ_CHECK(!(o->suites && o->shapes), "--suite and --shapes both accepted");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *argv[MAX_WORDS + 2];
    int argc = 0;
    static char program[] = "tilegemm";
    argv[argc++] = program;
    size_t start = 0;
    for (size_t i = 0; size > 0 && i <= size && argc <= MAX_WORDS; i++) { /* empty: no words */
        if (i < size && data[i] != '\0' && data[i] != '\n')
            continue;
        char *w = malloc(i - start + 1);
        memcpy(w, data + start, i - start);
        w[i - start] = '\0';
        argv[argc++] = w;
        start = i + 1;
    }
    argv[argc] = NULL;

    cli_options o, o2;
    char *err = malloc(ERR_LEN), *err2 = malloc(ERR_LEN);
    const int r = cli_parse(argc, argv, &o, err, ERR_LEN);
    FUZZ_CHECK(r == 0 || r == 2, "cli_parse returned %d", r);
    FUZZ_CHECK(memchr(err, '\0', ERR_LEN) != NULL, "err is not terminated");
    if (r == 2)
        FUZZ_CHECK(!strncmp(err, "tilegemm", 8) && !strchr(err, '\n'),
                   "error message '%s' is not one line starting 'tilegemm'", err);
    else
        check_success(&o, argc, argv);

    /* Again: the same answer (getopt_long's state must not leak between calls). */
    const int r2 = cli_parse(argc, argv, &o2, err2, ERR_LEN);
    FUZZ_CHECK(r2 == r && !strcmp(err, err2) && !memcmp(&o, &o2, sizeof o),
               "a second parse differs: %d '%s' vs %d '%s'", r, err, r2, err2);

    /* A short message buffer (exact size, for ASan): the message cut, never overrun. */
    const size_t short_len = 1 + size % 16;
    char *cut = malloc(short_len);
    const int r3 = cli_parse(argc, argv, &o2, cut, short_len);
    FUZZ_CHECK(r3 == r && memchr(cut, '\0', short_len) != NULL &&
                   !strncmp(cut, err, short_len - 1),
               "with %zu bytes for the message: %d '%s'", short_len, r3, cut);
    free(cut);

    free(err);
    free(err2);
    for (int i = 1; i < argc; i++)
        free(argv[i]);
    return 0;
}
