/*
 * options.c — the tilegemm command line; see options.h.
 *
 * One table says which options each command takes; getopt_long reads them
 * (POSIX-style: permutation off, so an argument after the options is an
 * error, not silently skipped). Every number is read in full and checked
 * against its range: nothing is truncated.
 */
#define _POSIX_C_SOURCE 200809L
#include "options.h"
#include "suites.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum opt_id {
    O_CONFIG = 1, O_CONFIGS, O_SHAPES, O_M, O_N, O_K, O_LDA, O_LDB, O_LDC, O_BATCH, O_DTYPE,
    O_ALPHA, O_BETA, O_MISALIGN, O_REPS, O_WARMUP, O_WARM_MS, O_ROUNDS, O_SEED, O_NO_LT, O_NO_PDL, O_B2B, O_SUITE, O_CSV,
    O_HELP, O_COUNT
};

static const struct option long_options[] = {
    {"config", required_argument, NULL, O_CONFIG},
    {"configs", required_argument, NULL, O_CONFIGS},
    {"shapes", required_argument, NULL, O_SHAPES},
    {"m", required_argument, NULL, O_M},
    {"n", required_argument, NULL, O_N},
    {"k", required_argument, NULL, O_K},
    {"lda", required_argument, NULL, O_LDA},
    {"ldb", required_argument, NULL, O_LDB},
    {"ldc", required_argument, NULL, O_LDC},
    {"batch", required_argument, NULL, O_BATCH},
    {"dtype", required_argument, NULL, O_DTYPE},
    {"alpha", required_argument, NULL, O_ALPHA},
    {"beta", required_argument, NULL, O_BETA},
    {"misalign", no_argument, NULL, O_MISALIGN},
    {"reps", required_argument, NULL, O_REPS},
    {"warmup", required_argument, NULL, O_WARMUP},
    {"warm-ms", required_argument, NULL, O_WARM_MS},
    {"rounds", required_argument, NULL, O_ROUNDS},
    {"seed", required_argument, NULL, O_SEED},
    {"no-lt", no_argument, NULL, O_NO_LT},
    {"no-pdl", no_argument, NULL, O_NO_PDL},
    {"back-to-back", no_argument, NULL, O_B2B},
    {"suite", required_argument, NULL, O_SUITE},
    {"csv", required_argument, NULL, O_CSV},
    {"help", no_argument, NULL, O_HELP},
    {NULL, 0, NULL, 0},
};

#define BIT(o) (1u << (o))
#define SHAPE_OPTS (BIT(O_M) | BIT(O_N) | BIT(O_K))
#define LAYOUT_OPTS (BIT(O_LDA) | BIT(O_LDB) | BIT(O_LDC) | BIT(O_BATCH) | BIT(O_MISALIGN))
#define TIMING_OPTS (BIT(O_REPS) | BIT(O_WARMUP) | BIT(O_WARM_MS) | BIT(O_ROUNDS) | BIT(O_SEED) | BIT(O_NO_PDL) | BIT(O_B2B))

typedef struct command {
    const char *name;
    unsigned takes; /* BIT(option) for each option it takes (--help: all) */
    const char *usage;
} command;

static const command commands[CMD_COUNT] = {
    [CMD_RUN] = {"run", BIT(O_DTYPE) | TIMING_OPTS | BIT(O_NO_LT),
                 "usage: tilegemm run [--dtype fp32|bf16] [--reps R] [--warmup W] [--warm-ms T]\n"
                 "         [--rounds N] [--seed S] [--no-lt] [--no-pdl] [--back-to-back]\n"
                 "  The main job: 8192^3 with the library's choice, seed and split8, each checked\n"
                 "  and timed beside cuBLAS in the same run. Without a GPU, runs the CPU plan\n"
                 "  verifier for every compiled configuration instead.\n"},
    [CMD_CHECK] = {"check",
                   BIT(O_CONFIG) | SHAPE_OPTS | LAYOUT_OPTS | BIT(O_DTYPE) | BIT(O_ALPHA) |
                       BIT(O_BETA) | BIT(O_SEED),
                   "usage: tilegemm check [--config X] --m M --n N --k K [--lda L] [--ldb L]\n"
                   "         [--ldc L] [--batch B] [--dtype fp32|bf16] [--alpha A] [--beta B]\n"
                   "         [--misalign] [--seed S]\n"
                   "  Run one GEMM, C = alpha*A*B^T + beta*C, on fresh random inputs and check\n"
                   "  every element (CPU reference in double, or cuBLAS plus reference rows for\n"
                   "  large shapes). No --config: the library's choice. Exit 0 pass, 1 fail.\n"},
    [CMD_BENCH] = {"bench",
                   BIT(O_CONFIGS) | BIT(O_SHAPES) | BIT(O_SUITE) | BIT(O_DTYPE) | TIMING_OPTS |
                       BIT(O_NO_LT) | BIT(O_CSV),
                   "usage: tilegemm bench [--configs a,b | \"a;b,key=v\"]\n"
                   "         [--shapes MxNxK[:lda=L][:ldb=L][:ldc=L],... | --suite NAME,...]\n"
                   "         [--dtype fp32|bf16] [--reps R] [--warmup W] [--warm-ms T] [--rounds N]\n"
                   "         [--seed S] [--no-lt] [--no-pdl] [--back-to-back]\n"
                   "         [--csv FILE]\n"
                   "  Check, then time each configuration on each shape, cuBLAS in the same run;\n"
                   "  TFLOP/s and ratios. Configurations: every compiled one, or with --suite the\n"
                   "  library's choice; in --configs, \"default\" is the library's choice. Shapes:\n"
                   "  8192^3, or --shapes (leading dimensions packed unless given), or --suite's\n"
                   "  (below; not with --shapes): each suite ends with the geometric mean of every\n"
                   "  contender's ratios. One whose family does not take a shape (a decode preset\n"
                   "  with M > its BLOCK_M) is n/a.\n"
                   "  Two baselines: cuBLAS as a user calls it (cublasGemmEx, default algorithm)\n"
                   "  and \"cuBLASLt best\": every algorithm cuBLASLt's heuristic offers for the\n"
                   "  shape (64 MiB workspace) timed once, the fastest checked and then timed in\n"
                   "  the rounds; a ratio to each. --no-lt: cuBLAS only.\n"
                   "  Timing: N rounds (default 5), each giving every contender in turn W\n"
                   "  warm-up calls lasting at least T ms (default 100: the clock settles under\n"
                   "  the power cap) and R timed calls (round r starting at the r-th contender:\n"
                   "  each takes each place), on input sets rotated past twice the L2; the median\n"
                   "  of the rounds' medians. Memory-bound shapes (M or N <= 128) also: TB/s\n"
                   "  (A + B + C bytes), each contender timed warm (the same buffers, call after\n"
                   "  call), with L2 flushed before every call (untimed: twice the L2 written)\n"
                   "  and flushed-clean (the same, then read back: no dirty lines left to write\n"
                   "  back during the call), beside a streaming read of as many bytes: each\n"
                   "  contender's share of that limit; rotated only where M and N > 64.\n"
                   "  --csv FILE: a row per shape, contender and condition (docs/BENCH.md).\n"
                   "  --no-pdl: tilegemm's kernels launched plainly, not with programmatic\n"
                   "  dependent launch (tg_gemm_args.pdl, on by default).\n"
                   "  --back-to-back: each round's calls with no event between them, their mean\n"
                   "  (conditions rotated-b2b, warm-b2b): a kernel may then start while the one\n"
                   "  before it finishes, as in a real stream of GEMMs.\n"},
    [CMD_TUNE] = {"tune", SHAPE_OPTS | BIT(O_DTYPE) | TIMING_OPTS,
                  "usage: tilegemm tune [--m M --n N --k K] [--dtype fp32|bf16] [--reps R]\n"
                  "         [--warmup W] [--warm-ms T] [--rounds N] [--seed S] [--no-pdl]\n"
                  "         [--back-to-back]\n"
                  "  Time every compiled configuration on one shape (default 8192^3), fastest\n"
                  "  first, beside cuBLAS.\n"},
    [CMD_PLAN] = {"plan", BIT(O_CONFIG) | SHAPE_OPTS | LAYOUT_OPTS | BIT(O_DTYPE),
                  "usage: tilegemm plan --config X\n"
                  "       tilegemm plan --m M --n N --k K [--lda L --ldb L --ldc L --batch B]\n"
                  "         [--dtype fp32|bf16] [--misalign]\n"
                  "  A configuration's plan (compiled or not): its family, parameters, derived\n"
                  "  sizes and who loads and stores what. With a shape instead: the configuration\n"
                  "  the library chooses for it, and why.\n"},
    [CMD_LIST] = {"list", 0,
                  "usage: tilegemm list\n"
                  "  Compiled configurations with their family, tile, registers, spills and\n"
                  "  shared memory (registers and spills need a GPU).\n"},
    [CMD_VERIFY] = {"verify", BIT(O_CONFIG),
                    "usage: tilegemm verify [--config X]\n"
                    "  The CPU plan verifier for one configuration (compiled or not), or for\n"
                    "  every compiled one.\n"},
};

static const char *program_usage =
    "usage: tilegemm <command> [options]     (tilegemm <command> --help for its options)\n"
    "  run      8192^3: the library's choice, seed and split8 vs cuBLAS\n"
    "  check    one GEMM on random inputs, checked element by element\n"
    "  bench    check and time configurations on shapes or suites, beside cuBLAS\n"
    "  tune     time every compiled configuration on one shape\n"
    "  plan     a configuration's plan, or the library's choice for a shape\n"
    "  list     the compiled configurations\n"
    "  verify   the CPU plan verifier\n"
    "A configuration is a preset (tilegemm list), optionally changed by key=value pairs:\n"
    "  --config split8    --config seed,reg_block_m=16    --config \"micro,block=128,reg=16\"\n";

const char *cli_usage(cli_command c)
{
    return c >= 0 && c < CMD_COUNT ? commands[c].usage : program_usage;
}

const char *cli_command_name(cli_command c)
{
    return c >= 0 && c < CMD_COUNT ? commands[c].name : "tilegemm";
}

/* ------------------------------------------------------------------------
 * Values
 * ---------------------------------------------------------------------- */

static int say(char *err, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (err && len)
        vsnprintf(err, len, fmt, ap);
    va_end(ap);
    return 2;
}

/* A whole decimal integer in [lo, hi]. */
static int int_value(const char *cmd, const char *flag, const char *v, long long lo, long long hi,
                     long long *out, char *err, size_t len)
{
    char *end = NULL;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (end == v || *end != '\0' || errno == ERANGE || x < lo || x > hi)
        return say(err, len, "tilegemm %s: --%s must be an integer in %lld..%lld, got '%s'", cmd,
                   flag, lo, hi, v);
    *out = x;
    return 0;
}

/*
 * A whole, finite number that float32 can hold (alpha and beta are fp32).
 * A value too small for float32 rounds towards 0 as C's strtof rounds it
 * (ERANGE on underflow is not an error); one too large is refused.
 */
static int float_value(const char *cmd, const char *flag, const char *v, float *out, char *err,
                       size_t len)
{
    char *end = NULL;
    errno = 0;
    float x = strtof(v, &end);
    if (end == v || *end != '\0' || isnan(x) || (isinf(x) && errno != ERANGE))
        return say(err, len, "tilegemm %s: --%s must be a finite number, got '%s'", cmd, flag, v);
    if (isinf(x))
        return say(err, len, "tilegemm %s: --%s must be a finite number within float32's range "
                             "(|x| <= 3.4e38), got '%s'", cmd, flag, v);
    *out = x;
    return 0;
}

static int set_dim(const char *cmd, const char *flag, const char *v, long long lo, int64_t *out,
                   char *err, size_t len)
{
    long long x = 0;
    int r = int_value(cmd, flag, v, lo, CLI_MAX_DIM, &x, err, len);
    *out = x;
    return r;
}

/* ------------------------------------------------------------------------
 * The command line
 * ---------------------------------------------------------------------- */

int cli_parse(int argc, char **argv, cli_options *o, char *err, size_t len)
{
    memset(o, 0, sizeof *o);
    o->command = CMD_NONE;
    o->dtype = TG_DTYPE_F32;
    o->alpha = 1.0f;
    o->reps = 20;
    o->warmup = 5;
    o->warm_ms = 100;
    o->rounds = 5;
    if (err && len)
        err[0] = '\0';
    if (argc < 2)
        return say(err, len, "tilegemm: no command given (tilegemm --help lists them)");
    const char *word = argv[1];
    if (!strcmp(word, "--help") || !strcmp(word, "-h") || !strcmp(word, "help")) {
        o->help = 1;
        if (argc > 2 && !strcmp(word, "help")) {
            for (int c = 0; c < CMD_COUNT; c++)
                if (!strcmp(argv[2], commands[c].name))
                    o->command = (cli_command)c;
            if (o->command == CMD_NONE)
                return say(err, len, "tilegemm help: unknown command '%s' (commands: run, check, "
                                     "bench, tune, plan, list, verify)", argv[2]);
        }
        if (argc > (o->command == CMD_NONE ? 2 : 3))
            return say(err, len, "tilegemm help: unexpected argument '%s'",
                       argv[o->command == CMD_NONE ? 2 : 3]);
        return 0;
    }
    for (int c = 0; c < CMD_COUNT; c++)
        if (!strcmp(word, commands[c].name))
            o->command = (cli_command)c;
    if (o->command == CMD_NONE) {
        if (word[0] == '-')
            return say(err, len, "tilegemm: expected a command before the option '%s' "
                                 "(tilegemm --help lists the commands)", word);
        return say(err, len, "tilegemm: unknown command '%s' (commands: run, check, bench, tune, "
                             "plan, list, verify)", word);
    }
    const command *cmd = &commands[o->command];

    char **av = argv + 1; /* getopt_long sees the command as its program name */
    const int ac = argc - 1;
    unsigned seen = 0;
    optind = 0; /* GNU getopt: start afresh (the fuzzer calls this many times) */
    opterr = 0;
    for (;;) {
        /* '+': stop at the first non-option; ':': report a missing value as ':'. */
        int id = getopt_long(ac, av, "+:h", long_options, NULL);
        if (id == -1)
            break;
        /* The word getopt_long just read (it has moved past it). */
        const char *word_read = optind >= 1 && optind <= ac ? av[optind - 1] : "?";
        if (id == ':')
            return say(err, len, "tilegemm %s: option '%s' needs a value", cmd->name, word_read);
        if (id == '?') {
            const char *bad = word_read;
            if (optopt > 0 && optopt < O_COUNT && !strncmp(bad, "--", 2))
                return say(err, len, "tilegemm %s: option '--%s' takes no value", cmd->name,
                           long_options[optopt - 1].name);
            return say(err, len, "tilegemm %s: unknown option '%s' (tilegemm %s --help)",
                       cmd->name, bad ? bad : "?", cmd->name);
        }
        if (id == 'h')
            id = O_HELP;
        const char *flag = long_options[id - 1].name;
        if (id == O_HELP) {
            o->help = 1;
            continue;
        }
        if (!(cmd->takes & BIT(id)))
            return say(err, len, "tilegemm %s: --%s is not an option of %s (tilegemm %s --help)",
                       cmd->name, flag, cmd->name, cmd->name);
        if (seen & BIT(id))
            return say(err, len, "tilegemm %s: --%s given twice", cmd->name, flag);
        seen |= BIT(id);
        const char *v = optarg;
        long long x = 0;
        int r = 0;
        switch (id) {
        case O_CONFIG: o->config = v; break;
        case O_CONFIGS: o->configs = v; break;
        case O_SHAPES: o->shapes = v; break;
        case O_M: r = set_dim(cmd->name, flag, v, 0, &o->m, err, len); o->have_m = 1; break;
        case O_N: r = set_dim(cmd->name, flag, v, 0, &o->n, err, len); o->have_n = 1; break;
        case O_K: r = set_dim(cmd->name, flag, v, 0, &o->k, err, len); o->have_k = 1; break;
        case O_LDA: r = set_dim(cmd->name, flag, v, 1, &o->lda, err, len); break;
        case O_LDB: r = set_dim(cmd->name, flag, v, 1, &o->ldb, err, len); break;
        case O_LDC: r = set_dim(cmd->name, flag, v, 1, &o->ldc, err, len); break;
        case O_BATCH: r = set_dim(cmd->name, flag, v, 1, &o->batch, err, len); break;
        case O_ALPHA: r = float_value(cmd->name, flag, v, &o->alpha, err, len); break;
        case O_BETA: r = float_value(cmd->name, flag, v, &o->beta, err, len); break;
        case O_MISALIGN: o->misalign = 1; break;
        case O_NO_LT: o->no_lt = 1; break;
        case O_NO_PDL: o->no_pdl = 1; break;
        case O_B2B: o->back_to_back = 1; break;
        case O_SUITE: {
            char bad[256];
            if (bench_suites_parse(v, &o->suites, bad, sizeof bad))
                return say(err, len, "tilegemm %s: --suite: unknown suite '%s' (suites: %s)",
                           cmd->name, bad, bench_suite_names());
            break;
        }
        case O_CSV:
            if (!v[0])
                return say(err, len, "tilegemm %s: --csv needs a file name", cmd->name);
            o->csv = v;
            break;
        case O_REPS:
            r = int_value(cmd->name, flag, v, 1, 100000, &x, err, len);
            o->reps = (int)x;
            break;
        case O_WARMUP:
            r = int_value(cmd->name, flag, v, 0, 100000, &x, err, len);
            o->warmup = (int)x;
            break;
        case O_WARM_MS:
            r = int_value(cmd->name, flag, v, 0, 10000, &x, err, len);
            o->warm_ms = (int)x;
            break;
        case O_ROUNDS:
            r = int_value(cmd->name, flag, v, 1, 100, &x, err, len);
            o->rounds = (int)x;
            break;
        case O_SEED: {
            char *end = NULL;
            errno = 0;
            unsigned long long s = strtoull(v, &end, 10);
            if (end == v || *end != '\0' || errno == ERANGE || v[0] == '-')
                return say(err, len, "tilegemm %s: --seed must be an integer in "
                                     "0..18446744073709551615, got '%s'", cmd->name, v);
            o->seed = s;
            o->seed_set = 1;
            break;
        }
        case O_DTYPE:
            if (!strcmp(v, "fp32"))
                o->dtype = TG_DTYPE_F32;
            else if (!strcmp(v, "bf16"))
                o->dtype = TG_DTYPE_BF16;
            else
                return say(err, len, "tilegemm %s: --dtype must be fp32 or bf16, got '%s'",
                           cmd->name, v);
            break;
        }
        if (r)
            return r;
    }
    if (o->help)
        return 0;
    if (optind < ac)
        return say(err, len, "tilegemm %s: unexpected argument '%s' (options start with --)",
                   cmd->name, av[optind]);

    /* What the command needs, beyond what each option takes. */
    const int shape = o->have_m + o->have_n + o->have_k;
    if (o->command == CMD_CHECK && shape != 3)
        return say(err, len, "tilegemm check: --m, --n and --k are all required");
    if (o->suites && o->shapes)
        return say(err, len, "tilegemm bench: --suite and --shapes both give the shapes: give "
                             "one of them");
    if (o->command == CMD_TUNE && shape != 0 && shape != 3)
        return say(err, len, "tilegemm tune: give all of --m, --n and --k, or none (8192^3)");
    if (o->command == CMD_PLAN) {
        if (!o->config && shape != 3)
            return say(err, len, "tilegemm plan: give --config X, or a shape (--m, --n and --k)");
        if (o->config && (shape || (seen & (LAYOUT_OPTS | BIT(O_DTYPE)))))
            return say(err, len, "tilegemm plan: --config and a shape (--m, --n, --k, --lda, "
                                 "--ldb, --ldc, --batch, --dtype, --misalign) are two different "
                                 "questions: give one of them");
        if (!o->config && shape != 3)
            return say(err, len, "tilegemm plan: --m, --n and --k are all required");
    }
    return 0;
}
