/*
 * tk.h — what the files of tk_kernel._C share (internal; C11 over the
 * CPython C API and include/tilegemm.h).
 *
 *   module.c   the module: its Python functions and their arguments
 *              (config, out_dtype, alpha, beta), the configuration and plan
 *              dicts, errors and the status → exception mapping
 *   intake.c   arrays: PyTorch tensors (their own attributes), DLPack,
 *              __cuda_array_interface__; each read into one tk_array, and
 *              a tk_array's last two dimensions into a matrix (tk_mat)
 *   launch.c   one GEMM call: streams, dtypes and shapes into tg_gemm_args,
 *              the output and workspace allocations (torch.empty), and
 *              tg_gemm with the GIL released (plus dispatch_micro's
 *              synchronize)
 *
 * Checks happen once, in the library: tg_gemm checks sizes, leading
 * dimensions, strides, pointers (null, alignment, host memory), overlap
 * and the device, and its message names the argument. This extension
 * checks only what Python alone sees: argument types, the dtype of each
 * array, how shapes and strides collapse into (m, n, k, ld, batch,
 * stride), stream objects, config text, and foreign array descriptions.
 *
 * Messages: "tk_kernel.<function>: <argument> <problem>", or
 * "tk_kernel.<function>: <the library's message>".
 */
#ifndef TK_H
#define TK_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stddef.h>
#include <stdint.h>

#include "tilegemm.h"

#if defined(__GNUC__)
#define TK_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define TK_PRINTF(f, a)
#endif

enum { TK_MAX_DIMS = 16, TK_MSG = 1024 };

/* The configuration micro_tk and dispatch_micro run when config=None: the
 * user's refactor of the seed (REG_BLOCK = BLOCK_SIZE/8, 8 accumulators per
 * warp). gemm(config=None) runs the library's choice instead. */
#define TK_MICRO_CONFIG "split8"

/* ------------------------------------------------------------------------
 * Errors (module.c)
 * ---------------------------------------------------------------------- */

typedef struct tk_call {
    const char *fn; /* "tk_kernel.gemm" */
} tk_call;

/* Raise type("<fn>: <message>"); returns -1. */
int tk_fail(PyObject *type, const tk_call *cx, const char *fmt, ...) TK_PRINTF(3, 4);

/* Replace the pending exception with type("<fn>: <what>: <its type>: <its
 * message>"), chained to it (__cause__); returns -1. */
int tk_fail_from(PyObject *type, const tk_call *cx, const char *fmt, ...) TK_PRINTF(3, 4);

/* The exception class of a tilegemm status (TG_ERR_INVALID_ARGUMENT,
 * _UNKNOWN_CONFIG, _INVALID_CONFIG, _NOT_COMPILED: ValueError; the rest:
 * RuntimeError). */
PyObject *tk_status_exception(tg_status s);

/* Raise the status's exception with "<fn>: <msg>"; returns -1. */
int tk_fail_status(const tk_call *cx, tg_status s, const char *msg);

/* The pending exception, taken (a new reference, or NULL); and raised again. */
PyObject *tk_take_exception(void);
void tk_restore_exception(PyObject *exc);

/* str(o) into buf, never failing (errors are cleared). */
const char *tk_text_of(PyObject *o, char *buf, size_t len);

/* "(2, 3, 4)" */
const char *tk_shape_text(const int64_t *shape, int n, char *buf, size_t len);

/* ------------------------------------------------------------------------
 * Interned attribute names (module.c fills them at import)
 * ---------------------------------------------------------------------- */

typedef struct tk_names {
    PyObject *torch, *is_cuda, *device, *index, *type, *dtype, *data_ptr, *shape, *stride,
        *layout, *is_neg, *dlpack, *dlpack_device, *cai, *cuda_stream, *cuda_stream_proto, *ptr,
        *device_index, *cuda, *current_stream, *empty, *uint8, *external_stream, *default_stream,
        *record_stream;
} tk_names;

extern tk_names tk_S;

int tk_intern_names(void);

/* ------------------------------------------------------------------------
 * torch, never imported here: only looked up in sys.modules, so tk_kernel
 * works without it (intake.c)
 * ---------------------------------------------------------------------- */

typedef struct tk_torch {
    PyObject *module; /* the sys.modules["torch"] these came from (strong) */
    PyObject *Tensor, *bfloat16, *float32, *strided;
    PyObject *raw_stream; /* torch._C._cuda_getCurrentRawStream, or NULL */
} tk_torch;

extern tk_torch tk_T;

/* The torch module if it has been imported (and looks usable), else NULL
 * without an error. Fills tk_T. */
PyObject *tk_torch_loaded(void);
void tk_torch_forget(void);

/* ------------------------------------------------------------------------
 * Arrays: one argument (a, b, c or out), whatever produced it (intake.c)
 * ---------------------------------------------------------------------- */

enum { TK_SRC_TORCH, TK_SRC_DLPACK, TK_SRC_CAI };
enum { TK_DT_OTHER, TK_DT_BF16, TK_DT_F32 };

typedef struct tk_array {
    const char *name;    /* "a", "b", "c", "out" */
    PyObject *obj;       /* borrowed from the caller (or owned_obj) */
    PyObject *owned_obj; /* an output tk_kernel allocated */
    int source;          /* TK_SRC_* */
    int device;          /* CUDA ordinal; -1 when the array does not say (__cuda_array_interface__) */
    int dtype;           /* TK_DT_* */
    char dtype_name[128];
    uintptr_t data; /* the first element */
    int ndim;
    int64_t shape[TK_MAX_DIMS];
    int64_t strides[TK_MAX_DIMS]; /* in elements, all >= 0 */
    int readonly;
    /* owned until tk_release_arrays */
    PyObject *cai; /* the __cuda_array_interface__ dict */
    void *dl;      /* DLManagedTensor or DLManagedTensorVersioned */
    int dl_versioned;
    /* __cuda_array_interface__ v3: the stream the producer wrote the data on */
    int has_producer_stream;
    uintptr_t producer_stream;
} tk_array;

void tk_array_init(tk_array *x, const char *name, PyObject *obj);

/*
 * Classify and read one argument. PyTorch tensors and
 * __cuda_array_interface__ arrays are read completely; a DLPack producer
 * only says its device here (the export needs the stream: tk_export_dlpack).
 */
int tk_intake(const tk_call *cx, tk_array *x);

/* __dlpack__(stream=...): shape, strides, dtype and data of a DLPack array. */
int tk_export_dlpack(const tk_call *cx, tk_array *x, uintptr_t stream);

/* Release what the arrays own (DLPack deleters, outputs), keeping any
 * pending exception. */
void tk_release_arrays(tk_array *arr, int n);

/* One operand as tg_gemm sees it: the matrix in the last two dimensions,
 * the leading (batch) dimensions collapsed to one stride. */
typedef struct tk_mat {
    int64_t rows, cols, ld;
    int64_t batch;   /* product of the leading dimensions (1 for a 2-D array) */
    int64_t bstride; /* elements between batch items (0: one matrix shared) */
} tk_mat;

int tk_matrix(const tk_call *cx, const tk_array *x, tk_mat *m);

/* ------------------------------------------------------------------------
 * One GEMM call (launch.c)
 * ---------------------------------------------------------------------- */

enum { TK_MODE_MICRO, TK_MODE_DISPATCH, TK_MODE_GEMM };

typedef struct tk_request {
    int mode;          /* TK_MODE_*: micro_tk, dispatch_micro (synchronizes), gemm */
    PyObject *a, *b;
    PyObject *c;       /* micro_tk's c, gemm's out (None: allocate) */
    const tg_config *cfg; /* NULL: the library's choice */
    int out_dtype;     /* TK_DT_OTHER when not given */
    float alpha, beta;
    PyObject *stream;  /* None, or what parse_stream reads */
} tk_request;

/* None (micro_tk, dispatch_micro) or out (gemm); NULL with an exception. */
PyObject *tk_gemm_call(const tk_call *cx, const tk_request *r);

#endif /* TK_H */
