/*
 * cli.h — what the tilegemm command's files share:
 *   main.c     the commands, and configurations and shapes on the command line
 *   measure.c  checking and timing contenders beside cuBLAS (interleaved rounds)
 *   bench.c    the bench command: its shapes, its tables
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
/* The library's choice for a shape, labelled with the configuration it is today. */
entry library_choice(const th_shape *s);
/* Every compiled configuration, at most MAX_ROWS; returns how many. */
int every_compiled(entry *es);
/* Exit 2 with the library's reason if the command line's shape is not a valid GEMM. */
void check_shape(const char *cmd, const th_shape *s);
th_shape shape_of(const cli_options *o);
/* Is there an sm_90 GPU? If not, say so for cmd (to stderr) and return 0. */
int need_gpu(const char *cmd);
void print_device(void);
/* Split text at `sep` into at most max items (text is cut in place); -1 if there are more. */
int split(char *text, char sep, char **items, int max);

/* ---- measure.c: checked, then timed beside cuBLAS ------------------------ */

typedef struct row {
    const char *name;
    th_check chk;
    double ms;
} row;

typedef struct measured {
    row rows[MAX_ROWS];
    int n;
    double cublas_ms;
    int sets; /* input sets rotated while timing */
    /* "cuBLASLt best": the algorithm picked (-1: none), of how many offered, its check and time */
    int lt_algo, lt_offered;
    th_check lt_chk;
    double lt_ms;
} measured;

/*
 * Check each entry on one fresh problem of o's shape, then time those that
 * passed (a failed one gets ms = INFINITY) and cuBLAS on the same buffers,
 * in o->rounds interleaved rounds of o->reps calls each. Returns nonzero if
 * any check failed.
 */
int measure(const entry *es, int n, const cli_options *o, measured *out);

/* ---- bench.c ------------------------------------------------------------- */

/* Check and time each entry on o's shape, cuBLAS timed in the same run; print a table. */
int check_and_time(const entry *es, int n, const cli_options *o);
int cmd_bench(cli_options o);

#endif /* TG_CLI_CLI_H */
