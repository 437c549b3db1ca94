/*
 * options.h — the tilegemm command's command line, parsed with getopt_long
 * into a struct. Nothing here prints or exits: a bad command line comes
 * back as exit status 2 and one message naming what was wrong, so the
 * fuzzer (fuzz/cli_options.c) can drive the very parser the command uses.
 */
#ifndef TG_CLI_OPTIONS_H
#define TG_CLI_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "tilegemm.h"

typedef enum cli_command {
    CMD_RUN,
    CMD_CHECK,
    CMD_BENCH,
    CMD_TUNE,
    CMD_PLAN,
    CMD_LIST,
    CMD_VERIFY,
    CMD_COUNT,
    CMD_NONE = -1 /* "tilegemm --help" */
} cli_command;

/* Largest M, N, K, leading dimension or batch the command takes: cuBLAS, the baseline, takes int. */
#define CLI_MAX_DIM 2147483647LL

typedef struct cli_options {
    cli_command command;
    int help;              /* --help: print the command's usage, exit 0 */
    const char *config;    /* --config (NULL: the library's choice) */
    const char *configs;   /* --configs a,b or a;b */
    const char *shapes;    /* --shapes MxNxK,... */
    int64_t m, n, k, lda, ldb, ldc, batch; /* 0 where not given (ld: packed) */
    int have_m, have_n, have_k;
    tg_dtype dtype;        /* --dtype fp32|bf16 */
    float alpha, beta;     /* --alpha, --beta (1, 0) */
    int misalign;          /* --misalign */
    int reps, warmup;      /* --reps (20), --warmup (5) */
    int warm_ms;           /* --warm-ms (100): a contender's warm-up lasts at least this */
    int rounds;            /* --rounds (5): interleaved timing rounds */
    int no_lt;             /* --no-lt: time cuBLAS only, not "cuBLASLt best" too */
    int no_pdl;            /* --no-pdl: tilegemm's calls with args.pdl = 0 */
    int back_to_back;      /* --back-to-back: a round's calls with no event between them */
    unsigned suites;       /* --suite a,b: bit i for suite i of suites.h's table */
    const char *csv;       /* --csv FILE */
    uint64_t seed;         /* --seed */
    int seed_set;
} cli_options;

/*
 * Parse argv (argv[0] the program, argv[1] the command). Returns 0, or 2
 * with a one-line message in err ("tilegemm check: --m needs a value").
 * Calls getopt_long, so it resets its globals (optind) first.
 */
int cli_parse(int argc, char **argv, cli_options *o, char *err, size_t len);

/* The usage text of a command (CMD_NONE: of the whole program). */
const char *cli_usage(cli_command c);

/* The name of a command ("check"). */
const char *cli_command_name(cli_command c);

#endif /* TG_CLI_OPTIONS_H */
