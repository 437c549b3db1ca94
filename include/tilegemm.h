/*
 * tilegemm — bf16 GEMM kernels for NVIDIA Hopper (sm_90a), with a C API.
 *
 *   C (M×N, fp32 or bf16) = alpha · A (M×K, bf16) · Bᵀ (B is N×K, bf16) + beta · C
 *
 * All matrices are row-major with leading dimensions lda ≥ K, ldb ≥ K,
 * ldc ≥ N (in elements). Batched calls add a batch count and per-matrix
 * strides. Every call is asynchronous on the stream you pass.
 *
 * Kernels come in families (micro: the seed's mma.sync kernel; hopper: TMA
 * and wgmma; decode: M <= 64, bound by reading B). A
 * configuration names one compiled kernel: a preset ("split8") or a preset
 * changed by key=value pairs ("seed,reg_block_m=16"). Pass NULL instead and
 * the library chooses one for the shape and device (tg_gemm_choose says
 * which, and why).
 *
 * Usage:
 *
 *   tg_gemm_args g = tg_gemm_args_default();   // sets g.size: see below
 *   g.a = d_a; g.b = d_b; g.c = d_c;            // device pointers
 *   g.m = M; g.n = N; g.k = K;
 *   g.lda = K; g.ldb = K; g.ldc = N;
 *   tg_status s = tg_gemm(&g, NULL, stream);    // NULL: the library's choice
 *   if (s != TG_SUCCESS)
 *       fprintf(stderr, "%s: %s\n", tg_status_string(s), tg_last_error());
 *
 * Errors: every function returns a tg_status; 0 is success, errors are
 * negative. tg_last_error() gives a message for the calling thread's last
 * failure that names the argument (or the CUDA call, file and line).
 *
 * Compatibility: enums and status codes are append-only. tg_gemm_args
 * starts with its own size; new fields are only ever appended, and a field
 * beyond the size a caller was compiled with takes its documented default,
 * so a program built against this header keeps working with later
 * libraries. Always start from tg_gemm_args_default() (an inline function:
 * it sets the size your program was compiled with).
 */
#ifndef TILEGEMM_H
#define TILEGEMM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define TG_API __declspec(dllexport)
#else
#define TG_API __attribute__((visibility("default")))
#endif

#define TG_VERSION_MAJOR 0
#define TG_VERSION_MINOR 3

/* Status codes. Append only; never renumber. */
typedef enum tg_status {
    TG_SUCCESS = 0,
    TG_ERR_INVALID_ARGUMENT = -1,   /* a null pointer, bad size, stride or alignment */
    TG_ERR_UNKNOWN_CONFIG = -2,     /* no preset of that name, or an unknown key */
    TG_ERR_INVALID_CONFIG = -3,     /* a value out of range, or a broken plan rule */
    TG_ERR_NOT_COMPILED = -4,       /* a valid configuration, but no kernel was built for it */
    TG_ERR_NO_DEVICE = -5,          /* no CUDA GPU or driver */
    TG_ERR_UNSUPPORTED_DEVICE = -6, /* the device is not compute capability 9.0 */
    TG_ERR_CUDA = -7,               /* a CUDA runtime call failed */
    TG_ERR_BUFFER_TOO_SMALL = -8,   /* a caller's text buffer was too short */
} tg_status;

/* Output element types. Append only. */
typedef enum tg_dtype {
    TG_DTYPE_F32 = 0,
    TG_DTYPE_BF16 = 1,
} tg_dtype;

/* Kernel families. Append only. */
typedef enum tg_family {
    TG_FAMILY_MICRO = 0,  /* the seed's kernel: cp.async, ldmatrix, mma.sync */
    TG_FAMILY_HOPPER = 1, /* TMA, mbarriers, wgmma */
    TG_FAMILY_DECODE = 2, /* M <= 64: B streamed once into mma.sync, K split over a cluster */
    TG_FAMILY_GEMV = 3,   /* M <= 4: B read front to back as a streaming read, fp32 FMAs */
} tg_family;

TG_API const char *tg_status_string(tg_status s);
TG_API const char *tg_dtype_name(tg_dtype d);
TG_API size_t tg_dtype_size(tg_dtype d); /* bytes per element; 0 for an unknown dtype */
TG_API const char *tg_family_name(tg_family f); /* "micro"; NULL for an unknown family */
TG_API int tg_family_count(void);

/* Message for the calling thread's most recent failure ("" if none). */
TG_API const char *tg_last_error(void);

/*
 * After a launch failed (a CUDA error at synchronisation): nonzero when a
 * tilegemm kernel gave up waiting on a barrier and trapped, with which
 * barrier, kernel, block and thread in buf. The next failing tilegemm call
 * adds the same words to tg_last_error().
 */
TG_API int tg_trap_report(char *buf, size_t len);

/* ------------------------------------------------------------------------
 * Configurations
 * ---------------------------------------------------------------------- */

#define TG_CONFIG_NAME_MAX 32
#define TG_CONFIG_MAX_PARAMS 32

/*
 * A configuration: a family and the values of its parameters, in the order
 * the family declares them (tg_param_get). Fill one with tg_config_parse or
 * tg_config_get; the library checks it again wherever it takes one.
 */
typedef struct tg_config {
    char name[TG_CONFIG_NAME_MAX];      /* the preset's name, or "custom" */
    int family;                         /* tg_family */
    int params[TG_CONFIG_MAX_PARAMS];   /* unused entries are 0 */
} tg_config;

/* One parameter of a family, as the parser, the printer and the checks see it. */
typedef struct tg_param {
    const char *key;    /* "reg_block_m": its key in a configuration string (any case) */
    const char *name;   /* "REG_BLOCK_M": the kernel's constant (the seed's vocabulary) */
    int min, max;       /* the accepted range; values outside it are refused */
    const char *values; /* NULL for an integer; else the names of 0, 1, ...: "cp_async|regs" */
    const char *doc;    /* what it means, and why it is bounded */
} tg_param;

/* The parameters of a family: tg_param_get(f, i) for i in 0..tg_param_count(f)-1. */
TG_API int tg_param_count(tg_family f);
TG_API const tg_param *tg_param_get(tg_family f, int i); /* NULL when out of range */

/* The value of the parameter `key` (or an alias such as "reg_m") of cfg. */
TG_API tg_status tg_config_param(const tg_config *cfg, const char *key, int *value);

/* Number of compiled configurations (every family), and the i-th of them. */
TG_API int tg_config_count(void);
TG_API tg_status tg_config_get(int i, tg_config *out);

/*
 * Parse a configuration:
 *   "split8"                        a preset (tilegemm list)
 *   "seed,reg_block_m=16,stages=4"  a preset, then changes to it
 *   "micro,block_m=128,..."         a family's name stands for its base preset
 * Keys are the family's parameters (tg_param_get), any case, plus aliases
 * ("block" sets block_m and block_n; "reg" sets reg_block_m and reg_block_n;
 * "reg_m", "reg_n"). Setting a parameter twice is an error. The result is
 * checked against the family's rules (TG_ERR_INVALID_CONFIG, with the rule's
 * reason in tg_last_error()). Any valid configuration parses, compiled or
 * not: plan and verify it; tg_gemm needs a compiled one (tg_config_compiled).
 */
TG_API tg_status tg_config_parse(const char *text, tg_config *out);

/* Check a configuration's parameters: ranges, then the family's plan rules. */
TG_API tg_status tg_config_check(const tg_config *cfg);

/* 1 if a kernel was built for cfg's parameters, else 0. */
TG_API int tg_config_compiled(const tg_config *cfg);

/* "micro,block_m=128,block_n=128,...": every parameter; tg_config_parse reads it back. */
TG_API tg_status tg_config_format(const tg_config *cfg, char *buf, size_t len);

/*
 * The line that compiles cfg, and the file it goes in:
 * "src/micro/presets.def: TG_MICRO_PRESET(my_config, 128, 128, ...)".
 */
TG_API tg_status tg_config_preset_line(const tg_config *cfg, char *buf, size_t len);

/* The family's plan for cfg in words: derived sizes, ownership, pipeline. */
TG_API tg_status tg_config_describe(const tg_config *cfg, char *buf, size_t len);

/* A derived quantity of a plan (threads, shared-memory bytes, ...). */
typedef struct tg_fact {
    const char *key; /* "threads" */
    int64_t value;
    const char *doc; /* "threads per block" */
} tg_fact;

/* Up to max facts of cfg's plan into out; returns how many there are (may exceed max), or < 0. */
TG_API int tg_config_facts(const tg_config *cfg, tg_fact *out, int max);

/*
 * The family's CPU verifier for cfg (compiled or not): the plan walked on
 * the CPU exactly as the kernel uses it. report (may be NULL) receives a
 * summary or the first failures.
 */
TG_API tg_status tg_config_verify(const tg_config *cfg, char *report, size_t len);

/* ------------------------------------------------------------------------
 * GEMM
 * ---------------------------------------------------------------------- */

typedef struct tg_gemm_args {
    size_t size;   /* sizeof(tg_gemm_args) where the caller was compiled: tg_gemm_args_default() */
    const void *a; /* bf16, M×K row-major, device memory */
    const void *b; /* bf16, N×K row-major, device memory */
    void *c;       /* c_dtype, M×N row-major, device memory; must not overlap a or b */
    int64_t m, n, k;
    int64_t lda, ldb, ldc; /* in elements: lda ≥ K, ldb ≥ K, ldc ≥ N */
    tg_dtype c_dtype;
    int64_t batch;                        /* ≥ 0 (0: nothing to do) */
    int64_t stride_a, stride_b, stride_c; /* elements between batch items; 0 shares one A or B */
    float alpha, beta;    /* C = alpha·A·Bᵀ + beta·C; beta = 0 never reads C (it may hold NaN) */
    void *workspace;      /* device memory the call may use (tg_gemm_workspace_size) */
    size_t workspace_size;
    /* Appended in tilegemm 0.3 (a 0.2 caller's smaller size reads as 1 here). 1: programmatic
     * dependent launch where the kernel supports it (the hopper and decode families): the
     * kernel's blocks may start as the stream's previous kernel's blocks exit, set up their
     * barriers, then wait for that kernel (griddepcontrol.wait) before they touch any memory,
     * so the stream's order holds as without it. 0: a plain launch. An event recorded between
     * two calls keeps them apart either way. */
    int pdl;
} tg_gemm_args;

/*
 * A valid starting point: size set, no pointers, zero sizes, fp32 output,
 * batch 1, alpha 1, beta 0, no workspace. Inline, so that `size` is the
 * size of the struct the caller was compiled with.
 */
static inline tg_gemm_args tg_gemm_args_default(void)
{
    tg_gemm_args g = {0};
    g.size = sizeof(tg_gemm_args);
    g.c_dtype = TG_DTYPE_F32;
    g.batch = 1;
    g.alpha = 1.0f;
    g.beta = 0.0f;
    g.pdl = 1;
    return g;
}

/*
 * Check arguments without launching (no device needed): sizes, leading
 * dimensions, strides, every byte span that they imply (in 64 bits, with
 * overflow checks), pointers and their alignment, and that C overlaps
 * neither A nor B. M, N or batch = 0 is a valid no-op (pointers may then be
 * NULL); K = 0 (or alpha = 0) gives C = beta·C and reads neither A nor B.
 */
TG_API tg_status tg_gemm_check_args(const tg_gemm_args *args);

/*
 * What tg_gemm checks of the pointers before it launches, without
 * launching: tg_gemm_check_args, then that C (and A and B, when the call
 * reads them) is memory the current device can reach (device, managed or
 * mapped host memory), through the driver. For a caller that must know
 * before it does anything else for the call: allocate a workspace, order
 * streams. The workspace is checked by tg_gemm, when it is used.
 */
TG_API tg_status tg_gemm_check_pointers(const tg_gemm_args *args);

/*
 * Bytes of workspace the call would need with cfg (NULL: the library's
 * choice). Pass at least that much in args->workspace / workspace_size.
 */
TG_API tg_status tg_gemm_workspace_size(const tg_gemm_args *args, const tg_config *cfg,
                                        size_t *bytes);

/*
 * The configuration tg_gemm(args, NULL, ...) would run, on the current
 * device (or for sm_90 when there is none), and why, in words: the
 * dispatcher's row, the measurement that chose it, the grid. Pointers in
 * args may be NULL here; only their alignment is looked at. A why of
 * TG_WHY_BYTES always holds the answer (a shorter one may not: the call
 * then fails, naming it).
 */
#define TG_WHY_BYTES 2048
TG_API tg_status tg_gemm_choose(const tg_gemm_args *args, tg_config *out, char *why,
                                size_t len);

/*
 * Can cfg's kernel (NULL: the library's choice) take these arguments?
 * TG_SUCCESS, or the status and message tg_gemm would give before launching
 * (a family's rule, such as TMA's 16-byte strides, names itself). Pointers
 * in args may be NULL here; only their alignment is looked at.
 */
TG_API tg_status tg_gemm_supports(const tg_gemm_args *args, const tg_config *cfg);

/*
 * C = alpha·A·Bᵀ + beta·C with cfg's kernel (NULL: the library's choice),
 * enqueued on stream (a cudaStream_t; NULL is the legacy default stream) on
 * the calling thread's current device. Returns once the kernel is enqueued.
 * Any alignment and leading dimension is computed correctly; 16-byte
 * aligned rows take the fast path.
 */
TG_API tg_status tg_gemm(const tg_gemm_args *args, const tg_config *cfg, void *stream);

/* ------------------------------------------------------------------------
 * Devices and introspection
 * ---------------------------------------------------------------------- */

typedef struct tg_kernel_info {
    int registers;       /* per thread */
    size_t local_bytes;  /* per-thread local memory (stack / spills) */
    size_t static_smem;  /* bytes */
    size_t dynamic_smem; /* bytes, from the plan */
    int max_threads;     /* the kernel's launch bound */
    int blocks_per_sm;   /* occupancy on the current device */
} tg_kernel_info;

/* Resources of cfg's compiled kernel (needs a device). */
TG_API tg_status tg_kernel_get_info(const tg_config *cfg, tg_kernel_info *out);

/* Is a usable (compute capability 9.0) device current? TG_SUCCESS if so. */
TG_API tg_status tg_device_check(void);

#ifdef __cplusplus
}
#endif

#endif /* TILEGEMM_H */
