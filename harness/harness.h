/*
 * harness.h — what the CLI and the tests share to check and time GEMMs:
 * bf16 conversion, random inputs, a CPU reference accumulated in double,
 * comparison with per-element and Frobenius bounds, the cuBLAS baseline,
 * and event timing. Not part of the library (the library needs no cuBLAS).
 *
 * Errors here are the second tier: TH_CUDA / TH_CUBLAS print the failing
 * call with file and line and exit(1). Use them only in programs.
 */
#ifndef TG_HARNESS_H
#define TG_HARNESS_H

#include <stdint.h>
#include <stdio.h>

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include "cublas.h"
#include "tilegemm.h"

#ifdef __cplusplus
extern "C" {
#endif

/* After a CUDA failure: a tilegemm kernel's trap record, if one trapped (tg_trap_report). */
void th_trap_note(void);

#define TH_CUDA(call)                                                                      \
    do {                                                                                   \
        cudaError_t th_e_ = (call);                                                        \
        if (th_e_ != cudaSuccess) {                                                        \
            fprintf(stderr, "%s:%d: %s failed: %s (%s)\n", __FILE__, __LINE__, #call,      \
                    cudaGetErrorString(th_e_), cudaGetErrorName(th_e_));                    \
            th_trap_note();                                                                \
            exit(1);                                                                       \
        }                                                                                  \
    } while (0)

#define TH_CUBLAS(call)                                                                    \
    do {                                                                                   \
        cublasStatus_t th_s_ = (call);                                                     \
        if (th_s_ != CUBLAS_STATUS_SUCCESS) {                                              \
            fprintf(stderr, "%s:%d: %s failed: %s\n", __FILE__, __LINE__, #call,           \
                    cublasGetStatusString(th_s_));                                         \
            exit(1);                                                                       \
        }                                                                                  \
    } while (0)

#define TH_TG(call)                                                                        \
    do {                                                                                   \
        tg_status th_t_ = (call);                                                          \
        if (th_t_ != TG_SUCCESS) {                                                         \
            fprintf(stderr, "%s:%d: %s failed: %s: %s\n", __FILE__, __LINE__, #call,       \
                    tg_status_string(th_t_), tg_last_error());                             \
            exit(1);                                                                       \
        }                                                                                  \
    } while (0)

/* ---- bf16 ---------------------------------------------------------------- */

uint16_t th_f32_to_bf16(float x); /* round to nearest even; NaN stays NaN */
float th_bf16_to_f32(uint16_t x);

/* ---- random inputs ------------------------------------------------------- */

typedef struct th_rng {
    uint64_t state;
} th_rng;

th_rng th_rng_new(uint64_t seed);
uint64_t th_rng_next(th_rng *r);
/* Uniform in [lo, hi). */
float th_rng_uniform(th_rng *r, float lo, float hi);
/* A seed from the clock: fresh inputs every run (printed by callers so a failure can be replayed). */
uint64_t th_fresh_seed(void);

/* rows×cols bf16 values, uniform in [-1, 1] (after rounding), row stride ld; padding gets NaN bits. */
void th_fill_bf16(uint16_t *x, int64_t rows, int64_t cols, int64_t ld, th_rng *r);

/* ---- reference ----------------------------------------------------------- */

/*
 * ref[i*ldr + j] = Σ_k A[i,k]·B[j,k] in double over the bf16 values (so the
 * only difference from a correct kernel is its fp32 accumulation), and
 * absdot = Σ_k |A[i,k]·B[j,k]| (the scale of the rounding error), for rows
 * [row0, row0+rows) and all N columns. Uses every core (OpenMP if built in).
 */
void th_reference(const uint16_t *a, int64_t lda, const uint16_t *b, int64_t ldb, int64_t n,
                  int64_t k, int64_t row0, int64_t rows, double *ref, double *absdot, int64_t ldr);

/* ---- comparison ---------------------------------------------------------- */

/*
 * Pass when every element has |out − ref| ≤ atol·absdot + rtol·|ref| and no
 * NaN, and ‖out − ref‖_F / ‖ref‖_F ≤ fro. absdot is Σ|a·b| of the element:
 * fp32 accumulation of K products errs by a small multiple of
 * 2^-24·absdot·sqrt-ish(K); bf16 output adds half an ulp, rtol = 2^-8.
 */
typedef struct th_tol {
    double atol; /* relative to absdot */
    double rtol; /* relative to |ref| */
    double fro;  /* relative Frobenius bound */
} th_tol;

th_tol th_tolerance(tg_dtype out, int64_t k);

typedef struct th_cmp {
    int64_t checked, bad, nan;
    double max_abs_err, max_ratio; /* max |err| / bound over elements */
    double fro_err, fro_ref;       /* sums of squares */
} th_cmp;

void th_cmp_init(th_cmp *c);

/*
 * Compare rows [row0, row0+rows) of out (M×N, ldc, of dtype) with ref/absdot
 * (ldr); print up to max_print mismatches with coordinates to `log` (may be NULL).
 */
void th_compare(th_cmp *c, const void *out, tg_dtype dtype, int64_t ldc, int64_t row0,
                int64_t rows, int64_t n, const double *ref, const double *absdot, int64_t ldr,
                th_tol tol, FILE *log, int max_print);

/* Compare out against another result (e.g. cuBLAS's fp32 output) with bound 2·tol. */
void th_compare_result(th_cmp *c, const void *out, tg_dtype dtype, const float *other,
                       const float *absdot_est, int64_t m, int64_t n, int64_t ldc, th_tol tol,
                       FILE *log, int max_print);

int th_cmp_pass(const th_cmp *c, th_tol tol);
double th_cmp_rel_fro(const th_cmp *c);

/* ---- device helpers ------------------------------------------------------ */

/* Is a compute-capability-9.0 device present? Prints why not to `log`. */
int th_have_gpu(FILE *log);
/* For a GPU test's main: without such a device, say why and exit 77 (ctest's "skipped"). */
void th_require_gpu(void);
/*
 * For a GPU test whose only option is [--seed S]: anything else prints
 * "usage: NAME [--seed S]" and exits 2; then th_require_gpu(); the seed
 * (S, or th_fresh_seed()) is printed and returned.
 */
uint64_t th_gpu_test_seed(int argc, char **argv, const char *name);

/* Fill device memory with NaN bits (0xFF bytes: NaN in fp32 and bf16); done when it returns. */
void th_poison(void *d, size_t bytes);

/* Milliseconds per call: `warmup` calls, then the median of `reps` event-timed calls. */
typedef void (*th_fn)(void *ctx, int iter);
double th_time_ms(th_fn fn, void *ctx, int warmup, int reps, cudaStream_t stream);
/*
 * Milliseconds per call with nothing between the calls: `warmup` calls, then
 * `reps` calls back to back between one pair of events; their mean. What a
 * stream of GEMMs costs: an event after every call (th_time_ms) keeps a
 * kernel from starting while the one before it finishes (programmatic
 * dependent launch), as nothing in a real sequence of kernels does.
 */
double th_time_batch_ms(th_fn fn, void *ctx, int warmup, int reps, cudaStream_t stream);
/*
 * Warm-up before timing: at least `calls` calls and at least `min_ms` of the
 * GPU's time (events), in batches that double, then a sync (both 0: none).
 * Under the power cap the clock settles over tens of milliseconds: a kernel
 * timed right after a lighter one (or an idle GPU) runs faster for a while
 * (8192^3, bf16 C: 6-13 %, bench/RESULTS.md entry 41).
 */
void th_warm(th_fn fn, void *ctx, int calls, double min_ms, cudaStream_t stream);

/* ---- cold caches and the streaming-read limit ------------------------------ */

/*
 * The streaming-read limit of a memory-bound kernel: a kernel that reads
 * `bytes` bytes of its own buffer (harness/stream_read.cu; not part of
 * the library) with 16-byte loads, several in flight per thread,
 * grid-stride, and XORs every 32-bit word into *sink so that no load can
 * be dropped. What a GEMM that must move as many bytes could do at best.
 */
typedef struct th_reader {
    void *buf;      /* bytes of data (th_reader_make fills it with a pattern) */
    size_t bytes;
    unsigned *sink; /* device word: XOR of every little-endian 32-bit word read,
                       the last one zero-padded, XORed into it by each run */
    int blocks;     /* the grid: enough to fill the GPU, no more than the data needs */
} th_reader;

th_reader th_reader_make(size_t bytes);
void th_reader_run(const th_reader *r, cudaStream_t stream);
void th_reader_free(th_reader *r);
/* Launch the kernel over buf (16-byte aligned) on stream; returns cudaGetLastError after the
 * launch (th_reader_run checks it). */
cudaError_t th_stream_read_launch(const void *buf, size_t bytes, int blocks, unsigned *sink,
                                  cudaStream_t stream);
/* Threads a block of the streaming-read kernel, and 16-byte loads each thread has in flight. */
enum { TH_READ_THREADS = 256, TH_READ_UNROLL = 4 };

/*
 * A device buffer of at least twice the L2 cache (cudaDevAttrL2CacheSize):
 * writing all of it leaves nothing an earlier call brought into L2, but
 * leaves L2 full of its dirty lines, whose write-back the next call's reads
 * share HBM with. `clean`: the buffer is then read back twice (it is a
 * th_reader's), so L2 holds only clean lines of it (bench/RESULTS.md entry
 * 40: at decode the dirty lines hid a 4-11 % gap to cuBLAS).
 */
typedef struct th_flush {
    th_reader data; /* the buffer (data.buf, data.bytes), read back by th_reader_run */
    int writes;     /* how many times it was written (each write another byte value) */
    int clean;      /* read back after the write */
} th_flush;

th_flush th_flush_make(int clean);
void th_flush_run(th_flush *f, cudaStream_t stream); /* write every byte (and read all twice), on stream */
void th_flush_free(th_flush *f);

/*
 * th_time_ms with L2 flushed before every call: `warmup` calls, then `reps`
 * times a flush followed by one call, each call alone between two events
 * (the flush before it is not timed); the median.
 */
double th_time_flushed_ms(th_fn fn, void *ctx, int warmup, int reps, th_flush *f,
                          cudaStream_t stream);

double th_tflops(int64_t m, int64_t n, int64_t k, double ms);
/* v[0..n) in ascending order (for medians and quantiles of timings). */
void th_sort(double *v, size_t n);

/* ---- a checked problem on the device ------------------------------------- */

typedef struct th_shape {
    int64_t m, n, k;
    int64_t lda, ldb, ldc; /* 0: packed (k, k, n; at least 1) */
    int64_t batch;         /* 0 or 1: one GEMM */
    tg_dtype dtype;
    int misalign;          /* move A, B and C one element off alignment */
    int scaled;            /* 0: alpha 1, beta 0; 1: the alpha and beta below */
    float alpha, beta;
} th_shape;

typedef struct th_problem {
    tg_gemm_args g;              /* ready for tg_gemm */
    uint16_t *ha, *hb;           /* host copies of A and B (every batch item) */
    unsigned char *hc;           /* C's whole buffer as it is before each run: 0xFF (NaN)
                                    outside C's window, and inside it too when beta = 0;
                                    random values inside it when beta != 0 */
    void *a_mem, *b_mem, *c_mem; /* device allocations (g may point one element in) */
    void *ws_mem;                /* g.workspace: what any compiled configuration asks for, or NULL */
    size_t a_elems, b_elems, c_elems;
    size_t c_mem_bytes;          /* the whole C allocation */
} th_problem;

/*
 * The arguments of a shape: packed leading dimensions and batch strides
 * where not given, alpha and beta, and placeholder pointers (never
 * dereferenced) that pass the pointer checks, so tg_gemm_check_args judges
 * the shape alone.
 */
tg_gemm_args th_shape_args(th_shape s);

/*
 * Allocate, fill A and B (and C when beta != 0) with fresh random values and
 * upload them; g's workspace is the most any configuration asks for.
 */
th_problem th_problem_make(th_shape s, th_rng *rng);
void th_problem_free(th_problem *p);
size_t th_problem_c_bytes(const th_problem *p);

/* Problems up to this many multiply-adds are checked in full on the CPU. */
#define TH_FULL_REFERENCE_MACS (1LL << 31)

typedef struct th_check {
    int pass;
    double rel_fro;        /* relative Frobenius error against the double reference
                              (every row, or the sampled rows for large problems) */
    double max_ratio;      /* largest |error| / bound over every element checked */
    double cublas_rel_fro; /* against cuBLAS (large problems), else -1 */
    int64_t checked, bad;
    int64_t stray;         /* bytes outside C's window that changed */
    const char *against;
} th_check;

/*
 * Reset C's buffer (poisoned, or random values inside C when beta != 0),
 * run cfg once (NULL: the library's choice), and check the whole output,
 * alpha·A·Bᵀ + beta·C: against a CPU reference in double when the problem
 * is small; otherwise against cuBLAS with the same alpha and beta (fp32
 * output, error scale from a second cuBLAS GEMM on |A|, |B|, |C|) plus CPU
 * reference rows sampled at the top, middle, bottom and at random. Every
 * byte of C's buffer outside its window must be left as it was (M or N = 0:
 * every byte). Mismatches go to log (first few, with coordinates).
 */
th_check th_check_config(const tg_config *cfg, th_problem *p, cublasHandle_t h, FILE *log);

/*
 * The same check for any GEMM: fn(ctx, g, log) computes g on the default
 * stream and returns 0, or says why it could not to log and returns nonzero
 * (the check then fails). For baselines the CLI times beside cuBLAS.
 */
typedef int (*th_gemm_fn)(void *ctx, const tg_gemm_args *g, FILE *log);
th_check th_check_gemm(th_gemm_fn fn, void *ctx, th_problem *p, cublasHandle_t h, FILE *log);

#ifdef __cplusplus
}
#endif

#endif /* TG_HARNESS_H */
