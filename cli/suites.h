/*
 * suites.h — the bench command's tables: a shape as --shapes writes it
 * (MxNxK, optionally with its leading dimensions), the named suites (each
 * a list of shapes in that syntax), which shapes are memory-bound and the
 * bytes a call moves, and the columns of --csv. Plain C, no CUDA and no
 * printing: options.c (and so the fuzzer) and the tests link it.
 */
#ifndef TG_CLI_SUITES_H
#define TG_CLI_SUITES_H

#include <stddef.h>
#include <stdint.h>

/* One GEMM shape of a benchmark; C = A·Bᵀ with A M×K, B N×K, C M×N, row-major. */
typedef struct bench_shape {
    int64_t m, n, k;
    int64_t lda, ldb, ldc; /* 0: packed (K, K, N) */
} bench_shape;

/* The longest shape text bench_shape_parse reads (a longer one is not a shape). */
enum { BENCH_SHAPE_TEXT_MAX = 96 };

/*
 * "MxNxK", then optionally ":lda=L", ":ldb=L", ":ldc=L" (any order, each at
 * most once): "8192x8191x8192:ldc=8192". Every number is a whole decimal in
 * 1..CLI_MAX_DIM (options.h). Returns 1 and fills out, or 0 if text is not
 * one (whether a leading dimension is large enough is the library's
 * question: tg_gemm_check_args). Reads at most BENCH_SHAPE_TEXT_MAX bytes.
 */
int bench_shape_parse(const char *text, bench_shape *out);

/* The text bench_shape_parse reads back into s (leading dimensions only where given). */
void bench_shape_format(const bench_shape *s, char *buf, size_t len);

/*
 * A list of shapes separated by ',' (what --shapes takes, and each suite's
 * list) into out. Returns how many, or -1 with a one-line message in err
 * (no "tilegemm" prefix): "shape '64x64' is not MxNxK[:ldc=L] ...", or
 * "lists more than MAX shapes".
 */
int bench_shapes_parse(const char *list, bench_shape *out, int max, char *err, size_t len);

/* ---- suites ----------------------------------------------------------------- */

typedef struct bench_suite {
    const char *name;   /* what --suite takes */
    const char *what;   /* one line: what the suite is for */
    const char *shapes; /* its shapes, as --shapes takes them */
} bench_suite;

int bench_suite_count(void);
const bench_suite *bench_suite_get(int i); /* 0 <= i < bench_suite_count() */
int bench_suite_find(const char *name);    /* its index, or -1 */
/* The suites' names, separated by ", " (for messages). */
const char *bench_suite_names(void);

/*
 * --suite's value, names separated by ',' ("square,odd"), as a mask:
 * bit i for suite i. Returns 0 and sets *mask, or -1 with the first
 * unknown name (at most len - 1 bytes of it) in bad.
 */
int bench_suites_parse(const char *list, unsigned *mask, char *bad, size_t len);

/* ---- memory-bound shapes ---------------------------------------------------- */

/*
 * A shape with M or N at most BENCH_MEMORY_BOUND_MN is memory-bound on
 * Hopper: it does at most M flops per byte of B (bf16: 2·M·N·K flops over
 * 2·N·K bytes; N the same by symmetry), below the 206 (H200: 989 TFLOP/s
 * over 4.8 TB/s) to 295 (H100, 3.35 TB/s) where the tensor cores would
 * limit it. Decode shapes (M = batch of tokens, at most BENCH_DECODE_MN)
 * are timed warm, flushed and flushed-clean; the skinny ones above that (M
 * = 128 tokens against LLM weights) rotated too, as the compute-bound
 * shapes are, so that a suite's rotated mean still covers all its shapes.
 * bench_memory_bound: 0 (compute-bound), BENCH_DECODE or BENCH_SKINNY.
 */
#define BENCH_DECODE_MN 64
#define BENCH_MEMORY_BOUND_MN 128
enum { BENCH_DECODE = 1, BENCH_SKINNY = 2 };

int bench_memory_bound(const bench_shape *s);

/*
 * The bytes one call must move at least: A and B read once (bf16), C
 * written once (c_size bytes an element), and read once more when
 * reads_c (beta != 0).
 */
double bench_bytes(const bench_shape *s, size_t c_size, int reads_c);

/* ---- --csv ------------------------------------------------------------------ */

/* The columns of --csv's rows, in order: the file's first line (docs/BENCH.md says what each is). */
#define BENCH_CSV_HEADER                                                                    \
    "suite,m,n,k,lda,ldb,ldc,dtype,contender,config,condition,check,ms,tflops,tbps,"         \
    "ratio_cublas,ratio_lt,stream_share,device"

#endif /* TG_CLI_SUITES_H */
