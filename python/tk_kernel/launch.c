/*
 * launch.c — one GEMM call (micro_tk, dispatch_micro, gemm), in order:
 *
 *   1. stream= read (None, an int handle, torch.cuda.Stream, CuPy, CUDA Python);
 *   2. a, b and c/out taken in (intake.c); those that say their device
 *      must agree;
 *   3. the stream: stream=, else PyTorch's current stream on the tensors'
 *      device when any argument is a torch tensor, else the legacy default
 *      stream; DLPack producers then export for that stream;
 *   4. dtypes, shapes (…, M, K)·(…, N, K)ᵀ → (…, M, N) and batch shapes;
 *      gemm's out allocated with torch.empty when it is None;
 *   5. each matrix collapsed into (rows, cols, ld, batch, batch stride), the
 *      tg_gemm_args filled;
 *   6. the workspace the call needs (tg_gemm_workspace_size), allocated with
 *      torch.empty for the stream the call runs on (take_workspace); before
 *      it is recorded on another stream, tg_gemm_check_pointers finds A, B
 *      and C to be device memory;
 *   7. with the GIL released: the tensors' device made current, the
 *      producers' streams waited for (__cuda_array_interface__ v3), and the
 *      workspace's when it is not the call's, tg_gemm on the stream and, for
 *      dispatch_micro, a synchronize of that stream;
 *   8. the workspace released (the call is enqueued) and DLPack tensors
 *      handed back to their producers, on every path.
 *
 * tg_gemm checks everything else (sizes, leading dimensions, pointers,
 * alignment, overlap, the device) once, and its message names the argument.
 */
#include "tk.h"

#include <cuda_runtime.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------------------
 * Streams
 * ---------------------------------------------------------------------- */

typedef struct stream_arg {
    int given;        /* stream= was passed */
    uintptr_t handle; /* cudaStream_t; 0 = the legacy default stream */
    int device;       /* a torch.cuda.Stream's device, else -1 */
} stream_arg;

/* An int stream handle: ≥ 0 and no wider than a pointer. */
static int stream_handle(const tk_call *cx, PyObject *h, uintptr_t *out)
{
    char text[64];
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(h, &overflow);
    if (v == -1 && PyErr_Occurred())
        return tk_fail_from(PyExc_ValueError, cx, "stream: reading the handle");
    if (overflow < 0 || (!overflow && v < 0))
        return tk_fail(PyExc_ValueError, cx, "stream must be a stream handle >= 0, got %s",
                       tk_text_of(h, text, sizeof text));
    unsigned long long u = (unsigned long long)v;
    int fits = 1;
    if (overflow > 0) {
        u = PyLong_AsUnsignedLongLong(h);
        if (PyErr_Occurred()) { /* wider than 64 bits */
            PyErr_Clear();
            fits = 0;
        }
    }
    if (!fits || u > (unsigned long long)UINTPTR_MAX)
        return tk_fail(PyExc_ValueError, cx,
                       "stream handle %s does not fit a pointer (%d bits)",
                       tk_text_of(h, text, sizeof text), (int)(8 * sizeof(void *)));
    *out = (uintptr_t)u;
    return 0;
}

/* stream=: None, an int handle, a torch.cuda.Stream (cuda_stream, device_index),
 * an object with __cuda_stream__ (CUDA Python) or a CuPy stream (ptr). */
static int parse_stream(const tk_call *cx, PyObject *o, stream_arg *s)
{
    s->given = 0;
    s->handle = 0;
    s->device = -1;
    if (!o || o == Py_None)
        return 0;
    s->given = 1;
    PyObject *h = NULL;
    if (PyLong_Check(o)) {
        h = o;
        Py_INCREF(h);
    } else if (PyObject_HasAttr(o, tk_S.cuda_stream)) {
        h = PyObject_GetAttr(o, tk_S.cuda_stream);
        PyObject *d = PyObject_GetAttr(o, tk_S.device_index);
        if (d && PyLong_Check(d))
            s->device = (int)PyLong_AsLong(d);
        Py_XDECREF(d);
    } else if (PyObject_HasAttr(o, tk_S.cuda_stream_proto)) {
        PyObject *r = PyObject_CallMethodNoArgs(o, tk_S.cuda_stream_proto);
        if (r && PyTuple_Check(r) && PyTuple_GET_SIZE(r) == 2) {
            h = PyTuple_GET_ITEM(r, 1);
            Py_INCREF(h);
        }
        Py_XDECREF(r);
    } else if (PyObject_HasAttr(o, tk_S.ptr)) {
        h = PyObject_GetAttr(o, tk_S.ptr);
    }
    PyErr_Clear();
    if (!h || !PyLong_Check(h)) {
        Py_XDECREF(h);
        return tk_fail(PyExc_TypeError, cx,
                       "stream must be None, an int (cudaStream_t), a torch.cuda.Stream, a CuPy "
                       "stream or an object with __cuda_stream__, got %s",
                       Py_TYPE(o)->tp_name);
    }
    int r = stream_handle(cx, h, &s->handle);
    Py_DECREF(h);
    return r;
}

/* torch's current CUDA stream on a device (torch.cuda.current_stream(d).cuda_stream). */
static int torch_current_stream(const tk_call *cx, int device, uintptr_t *out)
{
    PyObject *r = NULL;
    if (!tk_torch_loaded())
        return tk_fail(PyExc_RuntimeError, cx, "torch is no longer imported");
    if (tk_T.raw_stream) {
        r = PyObject_CallFunction(tk_T.raw_stream, "i", device);
    } else {
        PyObject *cuda = PyObject_GetAttr(tk_T.module, tk_S.cuda);
        PyObject *fn = cuda ? PyObject_GetAttr(cuda, tk_S.current_stream) : NULL;
        PyObject *s = fn ? PyObject_CallFunction(fn, "i", device) : NULL;
        r = s ? PyObject_GetAttr(s, tk_S.cuda_stream) : NULL;
        Py_XDECREF(cuda);
        Py_XDECREF(fn);
        Py_XDECREF(s);
    }
    void *p = r ? PyLong_AsVoidPtr(r) : NULL;
    Py_XDECREF(r);
    if (!r || PyErr_Occurred())
        return tk_fail_from(PyExc_RuntimeError, cx,
                            "reading PyTorch's current stream on cuda:%d", device);
    *out = (uintptr_t)p;
    return 0;
}

/* ------------------------------------------------------------------------
 * The launch, without the GIL
 * ---------------------------------------------------------------------- */

typedef struct job {
    tg_gemm_args args;
    const tg_config *cfg; /* NULL: the library's choice */
    uintptr_t stream;
    int torch_stream; /* stream is PyTorch's current stream on device (no stream=) */
    int sync;   /* dispatch_micro: wait for the stream */
    int device; /* the arrays' device; -1 when none says (run on the current one) */
    const char *device_from;
    const tk_array *arrays[3];
    int n_arrays;
    /* the workspace came from torch's pool for ws_stream, not for stream: wait for it */
    int ws_wait;
    uintptr_t ws_stream;
    /* result */
    tg_status status;
    char msg[TK_MSG];
} job;

static int job_fail(job *j, tg_status s, const char *fmt, ...) TK_PRINTF(3, 4);

static int job_fail(job *j, tg_status s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(j->msg, sizeof j->msg, fmt, ap);
    va_end(ap);
    j->status = s;
    return -1;
}

/* The same stream? 0 and 1 are both the legacy default stream. */
static int same_stream(uintptr_t x, uintptr_t y) { return (x == 0 ? 1 : x) == (y == 0 ? 1 : y); }

/* Order the job's stream after the work enqueued so far on `other` (whose
 * stream: "a's", "the workspace's"). */
static int wait_for(job *j, uintptr_t other, const char *whose, int *checked)
{
    if (same_stream(other, j->stream))
        return 0;
    if (!*checked) { /* without a usable device, the library's message says why */
        tg_status s = tg_device_check();
        if (s != TG_SUCCESS)
            return job_fail(j, s, "%s", tg_last_error());
        *checked = 1;
    }
    cudaEvent_t ev;
    cudaError_t e = cudaEventCreateWithFlags(&ev, cudaEventDisableTiming);
    if (e == cudaSuccess) {
        e = cudaEventRecord(ev, (cudaStream_t)other);
        if (e == cudaSuccess)
            e = cudaStreamWaitEvent((cudaStream_t)j->stream, ev, 0);
        cudaEventDestroy(ev);
    }
    if (e != cudaSuccess) {
        cudaGetLastError();
        return job_fail(j, TG_ERR_CUDA, "ordering after %s stream 0x%llx: %s (%s)", whose,
                        (unsigned long long)other, cudaGetErrorString(e), cudaGetErrorName(e));
    }
    return 0;
}

/* Order the launch after the producers' streams (__cuda_array_interface__ v3)
 * and after the stream torch allocated the workspace for (take_workspace). */
static int wait_streams(job *j)
{
    char whose[16];
    int checked = 0;
    for (int i = 0; i < j->n_arrays; i++) {
        const tk_array *x = j->arrays[i];
        if (!x->has_producer_stream)
            continue;
        snprintf(whose, sizeof whose, "%s's", x->name);
        if (wait_for(j, x->producer_stream, whose, &checked) < 0)
            return -1;
    }
    return j->ws_wait ? wait_for(j, j->ws_stream, "the workspace's", &checked) : 0;
}

static void run_job(job *j)
{
    /* M, N or batch = 0: tg_gemm has nothing to enqueue, so no device is touched here. */
    const int empty = j->args.m == 0 || j->args.n == 0 || j->args.batch == 0;
    int prev = -1;
    if (!empty && j->device >= 0) {
        if (cudaGetDevice(&prev) != cudaSuccess) {
            cudaGetLastError(); /* no usable device: tg_gemm says why */
            prev = -1;
        } else if (prev != j->device) {
            cudaError_t e = cudaSetDevice(j->device);
            if (e != cudaSuccess) {
                cudaGetLastError();
                job_fail(j, TG_ERR_CUDA, "%s is on cuda:%d, which cannot be made current: %s (%s)",
                         j->device_from, j->device, cudaGetErrorString(e), cudaGetErrorName(e));
                return;
            }
        }
    }
    if (empty || wait_streams(j) == 0) {
        j->status = tg_gemm(&j->args, j->cfg, (void *)j->stream);
        if (j->status != TG_SUCCESS) {
            snprintf(j->msg, sizeof j->msg, "%s", tg_last_error());
        } else if (j->sync && !empty) {
            cudaError_t e = cudaStreamSynchronize((cudaStream_t)j->stream);
            if (e != cudaSuccess) {
                cudaGetLastError();
                job_fail(j, TG_ERR_CUDA, "the kernel failed: cudaStreamSynchronize: %s (%s)",
                         cudaGetErrorString(e), cudaGetErrorName(e));
            }
        }
    }
    if (prev >= 0 && prev != j->device)
        cudaSetDevice(prev);
}

/* ------------------------------------------------------------------------
 * Shapes
 * ---------------------------------------------------------------------- */

/* x's leading (batch) dimensions equal bshape[0..nb)? */
static int same_batch(const tk_array *x, const int64_t *bshape, int nb)
{
    if (x->ndim - 2 != nb)
        return 0;
    for (int i = 0; i < nb; i++)
        if (x->shape[i] != bshape[i])
            return 0;
    return 1;
}

/* torch.empty(shape, dtype=dtype, device=device); `what` names it in the error. */
static PyObject *torch_alloc(const tk_call *cx, const char *what, const int64_t *shape, int n,
                             PyObject *dtype, PyObject *device)
{
    PyObject *size = PyTuple_New(n);
    if (!size)
        return NULL;
    for (int i = 0; i < n; i++) {
        PyObject *v = PyLong_FromLongLong(shape[i]);
        if (!v) {
            Py_DECREF(size);
            return NULL;
        }
        PyTuple_SET_ITEM(size, i, v);
    }
    PyObject *empty = PyObject_GetAttr(tk_T.module, tk_S.empty);
    PyObject *args = PyTuple_Pack(1, size);
    PyObject *kw = Py_BuildValue("{s:O,s:O}", "dtype", dtype, "device", device);
    PyObject *out = empty && args && kw ? PyObject_Call(empty, args, kw) : NULL;
    Py_XDECREF(empty);
    Py_XDECREF(args);
    Py_XDECREF(kw);
    Py_DECREF(size);
    if (!out)
        tk_fail_from(PyExc_RuntimeError, cx, "allocating %s with torch.empty", what);
    return out;
}

/* torch.empty(shape, dtype=..., device=like.device) */
static PyObject *torch_empty(const tk_call *cx, const tk_array *like, const int64_t *shape, int n,
                             int dtype)
{
    PyObject *dev = PyObject_GetAttr(like->obj, tk_S.device);
    PyObject *out = dev ? torch_alloc(cx, "out", shape, n,
                                      dtype == TK_DT_BF16 ? tk_T.bfloat16 : tk_T.float32, dev)
                        : NULL;
    Py_XDECREF(dev);
    if (!dev)
        tk_fail_from(PyExc_RuntimeError, cx, "allocating out with torch.empty");
    return out;
}

static int check_dtypes(const tk_call *cx, const tk_request *r, const tk_array *arr)
{
    const tk_array *c = &arr[2];
    for (int i = 0; i < 2; i++)
        if (arr[i].dtype != TK_DT_BF16)
            return tk_fail(PyExc_TypeError, cx, "%s must be bfloat16, got %s", arr[i].name,
                           arr[i].dtype_name);
    if (!c->obj)
        return 0;
    if (r->mode != TK_MODE_GEMM && c->dtype != TK_DT_F32)
        return tk_fail(PyExc_TypeError, cx,
                       "c must be float32, got %s (it is written in fp32, as the seed's; "
                       "tk_kernel.gemm(a, b, out_dtype=torch.bfloat16) writes bf16)",
                       c->dtype_name);
    if (c->dtype != TK_DT_F32 && c->dtype != TK_DT_BF16)
        return tk_fail(PyExc_TypeError, cx, "out must be float32 or bfloat16, got %s",
                       c->dtype_name);
    if (r->out_dtype != TK_DT_OTHER && r->out_dtype != c->dtype)
        return tk_fail(PyExc_TypeError, cx, "out is %s but out_dtype is %s", c->dtype_name,
                       r->out_dtype == TK_DT_F32 ? "float32" : "bfloat16");
    if (c->readonly)
        return tk_fail(PyExc_ValueError, cx, "%s is read-only", c->name);
    return 0;
}

/*
 * a (…, M, K), b (…, N, K), c (…, M, N). The batch shape is c's; without c,
 * a's or b's, and gemm allocates out. A 2-D a or b is one matrix shared by
 * every batch item; otherwise batch shapes must match.
 */
static int check_shapes(const tk_call *cx, const tk_request *r, tk_array *arr, int n_in)
{
    char s1[160], s2[160], s3[160], s4[160];
    tk_array *a = &arr[0], *b = &arr[1], *c = &arr[2];
    for (int i = 0; i < n_in; i++)
        if (arr[i].ndim < 2)
            return tk_fail(PyExc_ValueError, cx,
                           "%s must have at least 2 dimensions (%s), got shape %s", arr[i].name,
                           i == 0 ? "M, K" : i == 1 ? "N, K" : "M, N",
                           tk_shape_text(arr[i].shape, arr[i].ndim, s1, sizeof s1));
    const int64_t M = a->shape[a->ndim - 2], K = a->shape[a->ndim - 1];
    const int64_t N = b->shape[b->ndim - 2];
    if (b->shape[b->ndim - 1] != K)
        return tk_fail(PyExc_ValueError, cx,
                       "b has K=%lld but a has K=%lld: a is (..., M, K) and b is (..., N, K) "
                       "(a shape %s, b shape %s)",
                       (long long)b->shape[b->ndim - 1], (long long)K,
                       tk_shape_text(a->shape, a->ndim, s1, sizeof s1),
                       tk_shape_text(b->shape, b->ndim, s2, sizeof s2));
    if (c->obj) {
        const int nb = c->ndim - 2;
        if (c->shape[nb] != M || c->shape[nb + 1] != N)
            return tk_fail(PyExc_ValueError, cx,
                           "%s must have shape (..., M, N) = (..., %lld, %lld) for a of shape %s "
                           "and b of shape %s, got %s",
                           c->name, (long long)M, (long long)N,
                           tk_shape_text(a->shape, a->ndim, s1, sizeof s1),
                           tk_shape_text(b->shape, b->ndim, s2, sizeof s2),
                           tk_shape_text(c->shape, c->ndim, s3, sizeof s3));
        for (int i = 0; i < 2; i++)
            if (arr[i].ndim > 2 && !same_batch(&arr[i], c->shape, nb))
                return tk_fail(PyExc_ValueError, cx,
                               "%s has batch shape %s but %s has %s (shapes %s and %s); batch "
                               "dimensions must match, or %s be 2-D to share one matrix",
                               arr[i].name,
                               tk_shape_text(arr[i].shape, arr[i].ndim - 2, s1, sizeof s1),
                               c->name, tk_shape_text(c->shape, nb, s2, sizeof s2),
                               tk_shape_text(arr[i].shape, arr[i].ndim, s3, sizeof s3),
                               tk_shape_text(c->shape, c->ndim, s4, sizeof s4), arr[i].name);
        return 0;
    }
    if (a->ndim > 2 && b->ndim > 2 && !same_batch(b, a->shape, a->ndim - 2))
        return tk_fail(PyExc_ValueError, cx,
                       "b has batch shape %s but a has %s; batch dimensions must match, or one "
                       "operand be 2-D to share one matrix",
                       tk_shape_text(b->shape, b->ndim - 2, s1, sizeof s1),
                       tk_shape_text(a->shape, a->ndim - 2, s2, sizeof s2));

    /* gemm allocates out like the torch tensor among its inputs */
    const tk_array *like = a->source == TK_SRC_TORCH ? a : b->source == TK_SRC_TORCH ? b : NULL;
    if (!like || !tk_torch_loaded())
        return tk_fail(PyExc_TypeError, cx,
                       "pass out= when a and b are not PyTorch tensors (tk_kernel allocates "
                       "outputs with torch.empty)");
    const tk_array *ref = a->ndim > 2 ? a : b;
    int64_t oshape[TK_MAX_DIMS];
    const int nb = ref->ndim - 2;
    for (int i = 0; i < nb; i++)
        oshape[i] = ref->shape[i];
    oshape[nb] = M;
    oshape[nb + 1] = N;
    PyObject *out = torch_empty(cx, like, oshape, nb + 2,
                                r->out_dtype == TK_DT_OTHER ? TK_DT_F32 : r->out_dtype);
    if (!out)
        return -1;
    c->owned_obj = out;
    c->obj = out;
    return tk_intake(cx, c);
}

/* ------------------------------------------------------------------------
 * The call
 * ---------------------------------------------------------------------- */

/* The arrays' device, from those that say it; -1 if none does. */
static int agree_on_device(const tk_call *cx, const tk_array *arr, int n, job *j)
{
    for (int i = 0; i < n; i++) {
        if (arr[i].device < 0)
            continue; /* __cuda_array_interface__: the library checks the pointer */
        if (j->device < 0) {
            j->device = arr[i].device;
            j->device_from = arr[i].name;
        } else if (arr[i].device != j->device) {
            return tk_fail(PyExc_ValueError, cx, "%s is on cuda:%d but %s is on cuda:%d",
                           arr[i].name, arr[i].device, j->device_from, j->device);
        }
    }
    return 0;
}

static int choose_stream(const tk_call *cx, const stream_arg *st, const tk_array *arr, int n,
                         job *j)
{
    if (st->given) {
        j->stream = st->handle;
        if (st->device >= 0 && j->device >= 0 && st->device != j->device)
            return tk_fail(PyExc_ValueError, cx, "stream is on cuda:%d but %s is on cuda:%d",
                           st->device, j->device_from, j->device);
        return 0;
    }
    j->stream = 0;
    for (int i = 0; i < n; i++)
        if (arr[i].source == TK_SRC_TORCH) {
            j->torch_stream = 1;
            return torch_current_stream(cx, j->device, &j->stream);
        }
    return 0;
}

/* ------------------------------------------------------------------------
 * The workspace, from PyTorch's allocator
 * ---------------------------------------------------------------------- */

/* What tg_gemm needs of a workspace's address (src/core/pack.c: each copy
 * starts 256-byte aligned, as cudaMalloc's memory does). */
enum { TK_WORKSPACE_ALIGN = 256 };

/*
 * A torch stream object for a stream handle on device: torch.cuda.default_stream
 * for 0 and 1 (the legacy default stream: ExternalStream(0) would be a new
 * stream from torch's pool, and torch reads an odd id as one of its pool's),
 * else torch.cuda.ExternalStream(handle, device).
 */
static PyObject *torch_stream_object(uintptr_t handle, PyObject *device)
{
    PyObject *cuda = PyObject_GetAttr(tk_T.module, tk_S.cuda);
    PyObject *fn = cuda ? PyObject_GetAttr(cuda, handle <= 1 ? tk_S.default_stream
                                                             : tk_S.external_stream)
                        : NULL;
    PyObject *s = !fn           ? NULL
                  : handle <= 1 ? PyObject_CallOneArg(fn, device)
                                : PyObject_CallFunction(fn, "KO", (unsigned long long)handle, device);
    Py_XDECREF(cuda);
    Py_XDECREF(fn);
    return s;
}

/*
 * The workspace the call needs (tg_gemm_workspace_size: A and/or B that TMA
 * cannot read are copied there so that the hopper kernels run): when it is
 * more than 0 bytes and torch is imported, a uint8 tensor of that size from
 * torch.empty on the job's device, its pointer and size put in j->args and
 * the tensor in *ws (a new reference; the caller holds it until tg_gemm has
 * enqueued the call, with the GIL held all the while, then releases it).
 * Without torch in sys.modules no workspace is passed: the library's choice
 * is then a family that needs none (micro's warp64), and a config= that
 * needs one is refused by tg_gemm with the size it needs.
 *
 * Streams. PyTorch's caching allocator is stream-ordered: torch.empty hands
 * out a block of the pool of the device's current stream, which work already
 * enqueued on that stream may still use (it was freed there), and a block
 * freed after our launch is handed out again at once to the next allocation
 * on that stream. Both are safe for work on that stream only.
 *   - No stream= and a torch tensor among the arrays (the usual call): the
 *     job runs on torch's current stream (choose_stream), the stream the
 *     block belongs to. Nothing more is needed: releasing the tensor once the
 *     call is enqueued is what torch's own ops do with their temporaries.
 *   - Otherwise (stream= given, or only DLPack / __cuda_array_interface__
 *     arrays, on the legacy default stream), when the job's stream is not
 *     torch's current one: run_job orders the launch after torch's stream
 *     (an event, as for producers' streams: the block's earlier users finish
 *     first), and the tensor is recorded on the job's stream
 *     (tensor.record_stream(torch.cuda.ExternalStream(stream, device)), or
 *     default_stream(device) for the legacy default stream), so
 *     that on release the allocator holds the block until the job's stream
 *     has passed our kernels.
 */
static int take_workspace(const tk_call *cx, job *j, PyObject **ws)
{
    size_t bytes = 0;
    tg_status s = tg_gemm_workspace_size(&j->args, j->cfg, &bytes);
    if (s != TG_SUCCESS)
        return tk_fail_status(cx, s, tg_last_error());
    if (bytes == 0 || !tk_torch_loaded())
        return 0;
    int dev = j->device;
    if (dev < 0 && cudaGetDevice(&dev) != cudaSuccess) {
        /* only __cuda_array_interface__ arrays (they run on the current device), and no
         * usable device: tg_gemm says why */
        cudaGetLastError();
        return 0;
    }
    char what[96], name[32];
    snprintf(what, sizeof what, "a workspace of %zu bytes", bytes);
    snprintf(name, sizeof name, "cuda:%d", dev);
    PyObject *device = PyUnicode_FromString(name);
    PyObject *uint8 = PyObject_GetAttr(tk_T.module, tk_S.uint8);
    const int64_t shape[1] = {(int64_t)bytes};
    if (!uint8)
        tk_fail_from(PyExc_RuntimeError, cx, "allocating %s: torch.uint8", what);
    else if (device)
        *ws = torch_alloc(cx, what, shape, 1, uint8, device);
    Py_XDECREF(uint8);
    if (!*ws) {
        Py_XDECREF(device);
        return -1;
    }

    PyObject *p = PyObject_CallMethodNoArgs(*ws, tk_S.data_ptr);
    void *ptr = p ? PyLong_AsVoidPtr(p) : NULL;
    Py_XDECREF(p);
    if (!p || PyErr_Occurred()) {
        Py_DECREF(device);
        return tk_fail_from(PyExc_RuntimeError, cx, "reading the data_ptr() of %s", what);
    }
    if ((uintptr_t)ptr % TK_WORKSPACE_ALIGN) {
        Py_DECREF(device);
        return tk_fail(PyExc_RuntimeError, cx,
                       "%s from torch.empty on %s is at %p, which is not %d-byte aligned as "
                       "tilegemm needs (PyTorch's caching allocator gives 512-byte aligned "
                       "blocks: is another CUDA allocator in use?)",
                       what, name, ptr, TK_WORKSPACE_ALIGN);
    }

    uintptr_t pool = j->stream;
    int r = j->torch_stream ? 0 : torch_current_stream(cx, dev, &pool);
    if (r == 0 && !same_stream(pool, j->stream)) {
        /* A stream= handle is used only for a call known to be valid: the pointers tg_gemm
         * would read, checked first (made-up ones with a made-up handle crashed in
         * record_stream). Without a usable device, tg_gemm says why, as for every call. */
        s = tg_gemm_check_pointers(&j->args);
        if (s != TG_SUCCESS && s != TG_ERR_NO_DEVICE) {
            Py_DECREF(device);
            return tk_fail_status(cx, s, tg_last_error());
        }
        PyObject *stream = torch_stream_object(j->stream, device);
        PyObject *done = stream ? PyObject_CallMethodOneArg(*ws, tk_S.record_stream, stream)
                                : NULL;
        Py_XDECREF(stream);
        Py_XDECREF(done);
        if (!done)
            r = tk_fail_from(PyExc_RuntimeError, cx, "recording %s on stream 0x%llx", what,
                             (unsigned long long)j->stream);
        j->ws_wait = 1;
        j->ws_stream = pool;
    }
    Py_DECREF(device);
    if (r < 0)
        return -1;
    j->args.workspace = ptr;
    j->args.workspace_size = bytes;
    return 0;
}

PyObject *tk_gemm_call(const tk_call *cx, const tk_request *r)
{
    tk_array arr[3];
    tk_array *a = &arr[0], *b = &arr[1], *c = &arr[2];
    PyObject *result = NULL;
    PyObject *workspace = NULL; /* held until tg_gemm has enqueued the call */
    job j;
    stream_arg st;
    tk_mat ma, mb, mc;

    /* gemm's out=None is "allocate"; micro_tk's c=None is an error (intake says so). */
    const int gemm = r->mode == TK_MODE_GEMM;
    tk_array_init(a, "a", r->a);
    tk_array_init(b, "b", r->b);
    tk_array_init(c, gemm ? "out" : "c", gemm && r->c == Py_None ? NULL : r->c);
    memset(&j, 0, sizeof j);
    j.device = -1;
    j.cfg = r->cfg;
    j.sync = r->mode == TK_MODE_DISPATCH;
    const int n_in = c->obj ? 3 : 2; /* arrays the caller passed */

    if (parse_stream(cx, r->stream, &st) < 0)
        goto done;
    /* Where each array lives comes first, so "a is on the CPU" is the error a
     * CPU tensor gets, whatever else is wrong with it. */
    for (int i = 0; i < n_in; i++)
        if (tk_intake(cx, &arr[i]) < 0)
            goto done;
    if (agree_on_device(cx, arr, n_in, &j) < 0 || choose_stream(cx, &st, arr, n_in, &j) < 0)
        goto done;
    /* DLPack producers order their pending writes before this stream. */
    for (int i = 0; i < n_in; i++)
        if (arr[i].source == TK_SRC_DLPACK && tk_export_dlpack(cx, &arr[i], j.stream) < 0)
            goto done;
    if (check_dtypes(cx, r, arr) < 0 || check_shapes(cx, r, arr, n_in) < 0)
        goto done;
    if (n_in == 2 && agree_on_device(cx, c, 1, &j) < 0)
        goto done;
    if (tk_matrix(cx, a, &ma) < 0 || tk_matrix(cx, b, &mb) < 0 || tk_matrix(cx, c, &mc) < 0)
        goto done;

    j.args = tg_gemm_args_default();
    j.args.a = (const void *)a->data;
    j.args.b = (const void *)b->data;
    j.args.c = (void *)c->data;
    j.args.m = ma.rows;
    j.args.n = mb.rows;
    j.args.k = ma.cols;
    j.args.lda = ma.ld;
    j.args.ldb = mb.ld;
    j.args.ldc = mc.ld;
    j.args.c_dtype = c->dtype == TK_DT_BF16 ? TG_DTYPE_BF16 : TG_DTYPE_F32;
    j.args.batch = mc.batch;
    j.args.stride_a = ma.batch > 1 ? ma.bstride : 0;
    j.args.stride_b = mb.batch > 1 ? mb.bstride : 0;
    j.args.stride_c = mc.batch > 1 ? mc.bstride : 0;
    j.args.alpha = r->alpha;
    j.args.beta = r->beta;
    for (int i = 0; i < 3; i++)
        j.arrays[i] = &arr[i];
    j.n_arrays = 3;
    if (take_workspace(cx, &j, &workspace) < 0)
        goto done;
    Py_BEGIN_ALLOW_THREADS
    run_job(&j);
    Py_END_ALLOW_THREADS
    if (j.status != TG_SUCCESS) {
        tk_fail_status(cx, j.status, j.msg);
        goto done;
    }
    result = gemm ? c->obj : Py_None;
    Py_INCREF(result);

done:
    if (workspace) { /* enqueued, or never launched: torch may hand the block out again */
        PyObject *pending = tk_take_exception();
        Py_DECREF(workspace);
        tk_restore_exception(pending);
    }
    tk_release_arrays(arr, 3);
    return result;
}
