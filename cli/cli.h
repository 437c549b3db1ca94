/*
 * cli.h — what the tilegemm command's files share:
 *   main.c     the commands, and configurations and shapes on the command line
 *   measure.c  checking and timing contenders beside cuBLAS (interleaved rounds)
 *   bench.c    the bench command: its tables, suites' means, --csv
 *   suites.c   the bench command's shapes and suites (plain C: suites.h)
 * Errors here are the CLI's: they print and exit (harness.h's TH_ macros).
 */
#ifndef TG_CLI_CLI_H
#define TG_CLI_CLI_H

#include <stdio.h>

#include "cublaslt.h"
#include "harness.h"
#include "options.h"
#include "tilegemm.h"

/* Configurations a command takes at most, and shapes bench takes at most. */
enum { MAX_ROWS = 64 };

/* ---- main.c: configurations and shapes on the command line -------------- */

/* A configuration to run: cfg, or the library's choice (use_cfg = 0). */
typedef struct entry {
    tg_config cfg;
    int use_cfg;
    char label[64];
} entry;

static inline const tg_config *entry_cfg(const entry *e) { return e->use_cfg ? &e->cfg : NULL; }

/* A configuration that must have a kernel (to run it); exit 2 if invalid, 1 if it has none. */
entry runnable(const char *cmd, const char *flag, const char *text);
/* The library's choice for a shape, labelled "default=NAME" with the configuration it is
 * today (in cfg, for its name; use_cfg is 0: tg_gemm gets NULL and chooses). */
entry library_choice(const th_shape *s);
/* Every compiled configuration, at most MAX_ROWS; returns how many. */
int every_compiled(entry *es);
/* Exit 2 with the library's reason if the command line's shape is not a valid GEMM. */
void check_shape(const char *cmd, const th_shape *s);
th_shape shape_of(const cli_options *o);
/* Is there an sm_90 GPU? If not, say so for cmd (to stderr) and return 0. */
int need_gpu(const char *cmd);
void print_device(void);

/* ---- measure.c: checked, then timed beside cuBLAS ------------------------ */

/* How a contender is timed (--csv's column "condition"). */
typedef enum condition {
    COND_ROTATED, /* calls back to back on input sets rotated past twice the L2 */
    COND_WARM,    /* calls back to back on the same buffers: what L2 holds stays there */
    COND_FLUSHED, /* L2 flushed before every call (untimed), each call timed alone */
    COND_CLEAN,   /* the same, the flush's lines then read back: L2 cold and clean */
    COND_COUNT
} condition;

/* "rotated", "warm", "flushed", "flushed-clean"; timed --back-to-back, "rotated-b2b" and
 * "warm-b2b" */
const char *condition_name(condition c, int b2b);

typedef enum contender_kind {
    K_TILEGEMM, /* an entry: a configuration or the library's choice */
    K_CUBLAS,   /* cublasGemmEx, default algorithm: the baseline of every ratio */
    K_LT,       /* "cuBLASLt best": the fastest algorithm cuBLASLt's heuristic offers */
    K_STREAM    /* the streaming-read kernel over the bytes a call moves (not a GEMM) */
} contender_kind;

typedef struct row {
    const char *name;
    contender_kind kind;
    th_check chk;          /* K_TILEGEMM and K_LT; cuBLAS is the checks' reference */
    int timed;             /* checked and passed (K_CUBLAS, K_STREAM: always) */
    int refused;           /* its family does not take the shape (tg_gemm_supports): n/a, no failure */
    double ms[COND_COUNT]; /* the median of each condition timed; INFINITY otherwise */
} row;

typedef struct measured {
    /* The entries (rows[0..n)), then cuBLAS, "cuBLASLt best" (unless --no-lt)
     * and, for a memory-bound shape, the streaming read. */
    row rows[MAX_ROWS + 3];
    int n, count;
    int cublas, lt, stream; /* their rows; -1 where there is none */
    unsigned conds;         /* bit c for each condition c timed */
    int sets;               /* input sets rotated while timing */
    int lt_algo, lt_offered; /* "cuBLASLt best": the algorithm picked (-1: none), of how many */
    double bytes;           /* memory-bound: what a call must move (bench_bytes) */
    size_t flush_bytes;     /* memory-bound: what the L2 flush writes */
} measured;

/*
 * Check each entry on one fresh problem of o's shape, then time those that
 * passed, cuBLAS and "cuBLASLt best" on the same buffers, in o->rounds
 * interleaved rounds of o->reps calls each: rotated, or for a
 * memory_bound shape (bench_memory_bound's class, suites.h) warm, flushed
 * and flushed-clean (BENCH_SKINNY: rotated too), with the streaming read of
 * as many bytes beside them.
 * Returns nonzero if any entry's check failed.
 */
int measure(const entry *es, int n, const cli_options *o, int memory_bound, measured *out);

/* ---- bench.c ------------------------------------------------------------- */

/*
 * Check and time each entry on o's shape (measure), cuBLAS timed in the
 * same run; print a table. Returns nonzero if any check failed.
 */
int check_and_time(const entry *es, int n, const cli_options *o, int memory_bound, measured *m);
int cmd_bench(cli_options o);
/* The suites and their shapes (the end of tilegemm bench --help). */
void bench_print_suites(FILE *f);

#endif /* TG_CLI_CLI_H */
