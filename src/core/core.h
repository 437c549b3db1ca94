/*
 * core.h — what the family-neutral core and the kernel families share:
 * error recording, overflow-checked arithmetic, the launch description a
 * family returns, and the family table each family registers.
 *
 * The core (src/core/) owns arguments and their checks, configurations
 * (parsing, formatting, ranges), the registry, the dispatcher and the
 * launch. A family (src/<family>/) owns its parameters, plan rules,
 * kernels, CPU verifier and description; it registers one tg_family_ops.
 */
#ifndef TG_CORE_H
#define TG_CORE_H

#include <stddef.h>
#include <stdint.h>

#include "tilegemm.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------
 * Errors, inside the library: record the message for tg_last_error() and
 * return a status. Nothing here exits or prints.
 * ---------------------------------------------------------------------- */

tg_status tg_fail(tg_status s, const char *file, int line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

#define TG_FAIL(status, ...) tg_fail((status), __FILE__, __LINE__, __VA_ARGS__)

/* The longest message tg_last_error() holds (a longer one is cut; the tests look for cuts). */
enum { TG_LAST_ERROR_BYTES = 2048 };

/*
 * Text into a caller's buffer: tg_text_add appends (printf-style) and
 * remembers whether anything was cut; tg_text_done then reports
 * TG_ERR_BUFFER_TOO_SMALL naming `what`. The buffer always ends in '\0'.
 */
typedef struct tg_text {
    char *buf;
    size_t len, used;
    int cut;
} tg_text;

tg_text tg_text_init(char *buf, size_t len);
void tg_text_add(tg_text *t, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
tg_status tg_text_done(const tg_text *t, const char *what);

/*
 * A CPU verifier's report (the families' verify.c): failures counted per
 * check, the first TG_REPORT_LINES of each check described as
 * "  FAIL <check>: ...", and the count line that closes a failed run.
 * names[c] is check c's name (nchecks <= TG_REPORT_MAX_CHECKS).
 */
enum { TG_REPORT_MAX_CHECKS = 16, TG_REPORT_LINES = 3 };

typedef struct tg_report {
    tg_text text;
    const char *const *names;
    int nchecks;
    int failures;
    int per[TG_REPORT_MAX_CHECKS];
} tg_report;

tg_report tg_report_init(char *buf, size_t len, const char *const *names, int nchecks);
void tg_report_fail(tg_report *r, int check, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* "plan verifier: 5 failure(s) (layout 2, ring 3)\n" */
void tg_report_failures(tg_report *r);

/*
 * The verifiers' data (micro, decode, gemv): the next of a seeded sequence
 * of small nonzero integers, ±1..4, exact in bf16, fp32 and double, so a
 * walked kernel's C must equal a plain GEMM exactly.
 */
int tg_verify_small_int(uint64_t *state);

/* tg_config_check on `n` parameters of `family` (a family's tile or verifier entry point). */
tg_status tg_params_check(int family, const int *params, int n);

/* Return from the enclosing function if a tg_status expression failed. */
#define TG_TRY(expr)                           \
    do {                                       \
        tg_status tg_try_s_ = (expr);          \
        if (tg_try_s_ != TG_SUCCESS)           \
            return tg_try_s_;                  \
    } while (0)

/* Check a CUDA runtime call; on failure record call, file and line, and return TG_ERR_CUDA. */
#define TG_CUDA_TRY(call)                                                               \
    do {                                                                                \
        cudaError_t tg_cuda_e_ = (call);                                                \
        if (tg_cuda_e_ != cudaSuccess)                                                  \
            return tg_fail(TG_ERR_CUDA, __FILE__, __LINE__, "%s failed: %s (%s)", #call, \
                           cudaGetErrorString(tg_cuda_e_), cudaGetErrorName(tg_cuda_e_)); \
    } while (0)

/* ------------------------------------------------------------------------
 * Overflow-checked 64-bit arithmetic: 1 if the result overflowed.
 * ---------------------------------------------------------------------- */

#if !defined(__CUDACC__)
static inline int tg_mul_ovf(int64_t a, int64_t b, int64_t *r) { return __builtin_mul_overflow(a, b, r); }
static inline int tg_add_ovf(int64_t a, int64_t b, int64_t *r) { return __builtin_add_overflow(a, b, r); }
#endif

/* ------------------------------------------------------------------------
 * What a family hands the core to launch
 * ---------------------------------------------------------------------- */

#ifdef __cplusplus
#define TG_ALIGNAS(n) alignas(n)
#else
#define TG_ALIGNAS(n) _Alignas(n)
#endif

/* Room for the kernel's single by-value parameter struct (tensor maps are 128 B each). */
#define TG_LAUNCH_PARAMS_MAX 1024

/*
 * Packing (src/core/pack.c, pack.cu): an A or B that a family cannot read
 * as it is (hopper's TMA: a pointer not 16-byte aligned; a leading
 * dimension or, batched, a stride that is not a multiple of 8 elements)
 * copied into the caller's workspace with its rows 16-byte aligned (leading
 * dimension K rounded up to a multiple of 8), so that the family runs on
 * the copy.
 */
/*
 * The regions the core carves from the caller's workspace (packed copies,
 * split-K partials) start on cudaMalloc's alignment, so the workspace must
 * too: does g's workspace hold `need` bytes, so aligned?
 */
#define TG_WORKSPACE_ALIGN 256
static inline int tg_workspace_holds(const tg_gemm_args *g, size_t need)
{
    return g->workspace_size >= need && (uintptr_t)g->workspace % TG_WORKSPACE_ALIGN == 0;
}
/* A region's room in the workspace: bytes rounded up to TG_WORKSPACE_ALIGN (no overflow below
 * INT64_MAX - TG_WORKSPACE_ALIGN, which callers check). */
static inline size_t tg_workspace_room(int64_t bytes)
{
    return (size_t)((bytes + TG_WORKSPACE_ALIGN - 1) / TG_WORKSPACE_ALIGN * TG_WORKSPACE_ALIGN);
}

typedef struct tg_pack_op {
    const void *src;               /* the caller's operand: rows x cols bf16 */
    int64_t rows, cols, ld, stride;
    void *dst;                     /* its copy in the workspace */
    int64_t dst_ld, dst_stride;
    size_t bytes;                  /* the copy's room in the workspace (256-byte multiple) */
} tg_pack_op;

typedef struct tg_pack {
    int a, b;         /* which operands are packed (op[0]: A, op[1]: B) */
    tg_pack_op op[2];
    int64_t batch;
    size_t bytes;     /* workspace the copies take, from its start */
} tg_pack;

/*
 * Split-K (src/core/split.c, split.cu): a call with few output tiles and a
 * long K, run as a batch of S GEMMs over K/S columns each — item s reads
 * the caller's A and B from column s·K/S on, and writes fp32 partial sums
 * to the workspace — then one more kernel writes C = alpha·(sum of the
 * partials, in split order) + beta·C: the same inputs give the same bits,
 * run after run.
 */
typedef struct tg_split {
    int s;             /* splits; 1: none */
    float *partials;   /* s items of M x N fp32 at the workspace's start */
    size_t bytes;      /* their room in the workspace (256-byte multiple) */
    void *c;           /* the caller's C, and what C = ... needs of the call */
    int64_t m, n, ldc;
    tg_dtype c_dtype;
    float alpha, beta;
} tg_split;

typedef struct tg_launch {
    const void *kernel;           /* the __global__ function */
    unsigned grid[3], block[3];
    unsigned cluster[3];          /* thread-block cluster; {1, 1, 1} for none */
    int pdl;                      /* programmatic dependent launch (the family's pdl and the
                                     caller's tg_gemm_args.pdl) */
    size_t smem;                  /* dynamic shared memory, bytes */
    size_t workspace;             /* bytes of args->workspace the kernel uses */
    size_t params_size;           /* bytes of params in use */
    tg_pack pack;                 /* the core's: operands copied before the kernel runs */
    tg_split split;               /* the core's: split-K partials summed after it */
    TG_ALIGNAS(64) unsigned char params[TG_LAUNCH_PARAMS_MAX]; /* the kernel's parameter, built on the host */
} tg_launch;

/* A parameter string key that sets one or two parameters ("block" → block_m, block_n). */
typedef struct tg_alias {
    const char *key;
    const char *first, *second; /* keys of the parameters it sets; second may be NULL */
} tg_alias;

/* A compiled configuration of a family (one line of its presets table). */
typedef struct tg_preset {
    const char *name;
    int params[TG_CONFIG_MAX_PARAMS];
} tg_preset;

/* What a family's geometry() laid out. */
typedef enum tg_grid_kind {
    TG_GRID_OVER_OUTPUT = 0, /* a block, or a cluster, per tile or column group */
    TG_GRID_PERSISTENT = 1,  /* as many blocks (clusters) as fit at once, walking the tiles */
    TG_GRID_SHARED_K = 2,    /* persistent, several blocks a tile along K (stream-K on few tiles:
                              * its size from `fit`, or the device's SMs when 0) */
    TG_GRID_ROWS = 3,        /* as many blocks as fit at once (several an SM), block b of G taking
                              * rows b, b + G, ... of B (the gemv family) */
} tg_grid_kind;

/*
 * Everything the core needs of a family. Parameter arrays are in the
 * family's declaration order (params); every function gets parameters that
 * passed the range check, and check() before anything else.
 */
typedef struct tg_family_ops {
    const char *name;         /* "micro" */
    tg_family id;
    const tg_param *params;   /* the family's parameters (its X-macro list) */
    int nparams;
    const tg_alias *aliases;
    int naliases;
    const tg_preset *presets; /* compiled configurations */
    int npresets;
    const char *base;         /* the preset that the family's name stands for */
    const char *presets_file; /* "src/micro/presets.def" */
    const char *preset_macro; /* "TG_MICRO_PRESET": a line of that file; an enumeration's
                                 value "cp_async" is written TG_CP_ASYNC there */
    int pdl;                  /* 1: its kernels touch no memory before griddepcontrol.wait, so
                                 they may be launched with PDL (tg_gemm_args.pdl) */

    /* The plan rules, in order, with reasons (TG_ERR_INVALID_CONFIG). */
    tg_status (*check)(const int *p);
    /*
     * Can preset `preset` take these (already checked) arguments? TG_SUCCESS,
     * or TG_ERR_INVALID_ARGUMENT naming the rule (a TMA stride, say).
     */
    tg_status (*supports)(int preset, const tg_gemm_args *g);
    /* Bytes of workspace preset needs for g. */
    size_t (*workspace)(int preset, const tg_gemm_args *g);
    /*
     * Fill *out to run preset on g (M, N, K, batch ≥ 1; alpha ≠ 0) on device
     * `dev`, preparing the kernel for that device on first use.
     */
    tg_status (*prepare)(int preset, const tg_gemm_args *g, int dev, tg_launch *out);
    /*
     * The launch's geometry for g (M, N, K, batch ≥ 1), without a device:
     * out's grid, block, cluster and smem, as prepare() sets them. A
     * persistent kernel's grid is as many blocks (or clusters) as fit at
     * once, up to its tiles: `fit` says how many (from the device; 0: not
     * known, and the grid is the tile count, the most it can be). Returns the
     * grid's kind (tg_grid_kind).
     */
    tg_grid_kind (*geometry)(int preset, const tg_gemm_args *g, int fit, tg_launch *out);
    tg_status (*info)(int preset, int dev, tg_kernel_info *out);
    tg_status (*verify)(const int *p, char *report, size_t len);
    tg_status (*describe)(const int *p, char *buf, size_t len);
    int (*facts)(const int *p, tg_fact *out, int max);
} tg_family_ops;

/* Each family's registration (src/<family>/family.c). */
extern const tg_family_ops tg_micro_family;
extern const tg_family_ops tg_hopper_family;
extern const tg_family_ops tg_decode_family;
extern const tg_family_ops tg_gemv_family;

/* The family with id f, or NULL. */
const tg_family_ops *tg_family_get(int f);

/* The family of cfg, or NULL (with the error recorded). */
const tg_family_ops *tg_family_of(const tg_config *cfg);

/* Index of the compiled preset of f with parameters p, or -1. */
int tg_preset_find(const tg_family_ops *f, const int *p);

/* ------------------------------------------------------------------------
 * The core's own pieces, shared between its files
 * ---------------------------------------------------------------------- */

/* M, N or batch = 0: a successful no-op, whatever the rest (nothing is read or launched). */
static inline int tg_nothing_to_do(const tg_gemm_args *g)
{
    return g->m == 0 || g->n == 0 || g->batch == 0;
}

/* K > 0 and alpha != 0: the call reads A and B (else C = beta·C, the core's own kernel). */
static inline int tg_reads_ab(const tg_gemm_args *g) { return g->k > 0 && g->alpha != 0.0f; }

/* tg_gemm_check_args with the pointers optional (for tg_gemm_choose). */
tg_status tg_check_args(const tg_gemm_args *g, int need_pointers);

/*
 * A family's refusal of arguments its kernel cannot take
 * (TG_ERR_INVALID_ARGUMENT): "the <family> family cannot take these
 * arguments: <why>", why a printf format and its values.
 */
tg_status tg_refuse_args(const char *family, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/*
 * The rules of a kernel that reads every row of A and B as whole 16-byte
 * vectors (the decode and gemv families): NULL when g keeps them, else the
 * first it breaks, in words.
 */
const char *tg_vector_rows_rule(const tg_gemm_args *g);

/*
 * What such a kernel (M <= its BLOCK_M rows, the decode and gemv families)
 * takes of the arguments: the gemv kernel's whole parameter, the head of
 * the decode kernel's. Strides are 0 for one matrix (batch 1) or a shared
 * A or B; m is 1..BLOCK_M (the family's supports() refuses more).
 */
typedef struct tg_rows_operands {
    const void *a, *b;
    void *c;
    int64_t n, k;
    int64_t lda, ldb, ldc;
    int64_t stride_a, stride_b, stride_c;
    int m;
    int c_dtype;       /* tg_dtype */
    float alpha, beta; /* C = alpha·sum + beta·C; beta = 0: C is not read */
} tg_rows_operands;

/* g's operands as such a kernel takes them (M already checked against BLOCK_M). */
tg_rows_operands tg_rows_operands_of(const tg_gemm_args *g);

/* A family's facts (tg_family_ops.facts): the first max of its n into out; returns n. */
int tg_facts_out(const tg_fact *all, int n, tg_fact *out, int max);

/* The size of tilegemm 0.2's tg_gemm_args, the first with a size: it ended before `pdl`. */
#define TG_ARGS_SIZE_0_2 offsetof(tg_gemm_args, pdl)

/* Copy the caller's args (of size g->size) into a full, current struct. */
tg_status tg_args_read(const tg_gemm_args *g, tg_gemm_args *out);

/* The current device, checked once per device to be sm_90 (src/core/device.c). */
tg_status tg_current_device(int *dev);

/*
 * The same, and the current context's ID (cuCtxGetId; 0 when no context is
 * current yet): the key of the pointer table below.
 */
tg_status tg_current_context(int *dev, uint64_t *ctx);

/*
 * p is memory the device can read (device, managed, or mapped host memory),
 * else TG_ERR_INVALID_ARGUMENT naming it (`name`: "a", "workspace"). The
 * driver is asked unless p lies in a device allocation it vouched for before
 * in context ctx (the per-thread table below; device.c says what that gives up).
 */
tg_status tg_check_device_pointer(const void *p, const char *name, uint64_t ctx);

/*
 * The pointer table: the address ranges [start, end) of device allocations,
 * each with the ID of the context that owns it; sorted by start, disjoint.
 * A new range drops the ones it overlaps (older views of the same
 * addresses); a full table starts over. Pure functions, for tests too.
 */
enum { TG_PTR_TABLE_MAX = 256 };
typedef struct tg_ptr_range {
    uint64_t ctx, start, end;
} tg_ptr_range;
typedef struct tg_ptr_table {
    unsigned count;
    tg_ptr_range r[TG_PTR_TABLE_MAX];
} tg_ptr_table;
int tg_ptr_table_holds(const tg_ptr_table *t, uint64_t ctx, uint64_t p);
void tg_ptr_table_add(tg_ptr_table *t, uint64_t ctx, uint64_t start, uint64_t end);

/* This thread's pointer checks so far: answered by the table, asked of the driver. */
typedef struct tg_pointer_stats {
    long long table_hits;
    long long driver_queries;
} tg_pointer_stats;
void tg_pointer_get_stats(tg_pointer_stats *out);
void tg_pointer_clear(void); /* forget this thread's table and counts */

/* The SMs of device dev, asked once per device (a persistent grid has one block per SM). */
tg_status tg_device_sm_count(int dev, int *out);

/*
 * A compiled kernel's resources for tg_kernel_get_info: its attributes, and
 * how many of its blocks (threads each, smem bytes of dynamic shared
 * memory) fit on one SM of the current device.
 */
tg_status tg_kernel_resources(const void *kernel, int threads, size_t smem, tg_kernel_info *out);

/*
 * How many clusters of `cluster` blocks of kernel (threads, smem each) fit
 * on the current device (dev) at once; TG_ERR_CUDA naming the instance
 * (`name`, "hopper/mc_2x2") when not one does.
 */
tg_status tg_cluster_capacity(const void *kernel, const char *name, int cluster, int threads,
                              size_t smem, int dev, int *clusters);

/*
 * A driver API function through the runtime's entry point (tilegemm does not
 * link libcuda): cuda.h's name and the version of its PFN_<name>_v<version>
 * type. Uncached (callers keep what they get); TG_ERR_CUDA naming the function
 * when the driver lacks it.
 */
tg_status tg_driver_entry(const char *name, int version, void **out);

/*
 * Packing (see tg_pack): g as the family sees it with the operands p says
 * read from their copies, the copies placed from g->workspace on (a
 * stand-in aligned address when it is NULL: a question about a call, not a
 * call) and the family's workspace after them; the copies, launched on the
 * stream.
 */
void tg_pack_view(const tg_gemm_args *g, tg_pack *p, tg_gemm_args *out);
tg_status tg_pack_launch(const tg_pack *p, void *stream);

/*
 * Can preset of f run g by packing A and/or B (tg_pack)? The operands are
 * f's choice: the fewest bytes of copies with which f->supports takes g. 1
 * with *p set when packing makes f take g and the workspace holds the
 * copies and f's own workspace, or `assume_workspace` (a workspace-size
 * question); else 0, and *need (may be NULL) the workspace it would take (0
 * when packing does not help).
 */
int tg_pack_fits(const tg_gemm_args *g, const tg_family_ops *f, int preset, int assume_workspace,
                 tg_pack *p, size_t *need);

/*
 * Split-K (see tg_split): s splits of g (1: none; s must divide K into
 * whole 64-column K tiles) described in *sp; g as the family sees it, a
 * batch of s GEMMs into the partials at the workspace's start (a stand-in
 * aligned address when it is NULL), the family's workspace after them; the
 * sum into C, on the stream.
 */
void tg_split_plan(const tg_gemm_args *g, int s, tg_split *sp);
void tg_split_view(const tg_gemm_args *g, tg_split *sp, tg_gemm_args *out);
tg_status tg_split_reduce(const tg_split *sp, void *stream);

/*
 * The dispatcher (src/core/dispatch.c, over the table in rules.c): the
 * family and preset for checked arguments g, and the rule that chose them
 * (may be NULL); *pack says
 * which operands it packs (a rule may choose a family that needs TMA's
 * rules for operands that break them, when the workspace holds their
 * copies, or assume_workspace: tg_gemm_workspace_size's question); *split
 * how it splits K (s = 1: it does not).
 */
typedef struct tg_rule tg_rule;
tg_status tg_dispatch(const tg_gemm_args *g, int assume_workspace, const tg_family_ops **fam,
                      int *preset, const tg_rule **rule, tg_pack *pack, tg_split *split);
/*
 * How many blocks of the preset called name the dispatcher counts on an SM
 * holding at once, where a rule of it needs every block resident (a grid of
 * one wave); 0 for a preset no rule counts so. test_hopper_emulator_gpu
 * checks each against the device's occupancy (tg_kernel_info.blocks_per_sm).
 */
int tg_dispatch_blocks_per_sm(const char *name);

/*
 * Everything tg_gemm does before the launch: g receives the caller's
 * arguments as read, l what to launch (l->kernel is NULL when no kernel is
 * needed: nothing to do, or C = beta·C). The host-cost benchmark times
 * this against a bare launch of l.
 */
tg_status tg_gemm_prepare(const tg_gemm_args *args, const tg_config *cfg, tg_gemm_args *g,
                          tg_launch *l);

/* Launch l on stream (cudaLaunchKernel, or cudaLaunchKernelExC for a cluster or PDL). */
tg_status tg_launch_on(const tg_launch *l, void *stream);

/* C = beta·C on the stream (beta = 0 writes zeros): K = 0 or alpha = 0. */
tg_status tg_scale_c(const tg_gemm_args *g, void *stream);

#ifdef __cplusplus
}
#endif

#endif /* TG_CORE_H */
