/*
 * _C.c — the core of tk_kernel: the seed's Python module (micro_tk,
 * dispatch_micro) plus gemm, the configuration listing and the tile plan,
 * written in C11 against the CPython C API over the tilegemm C API
 * (include/tilegemm.h). python/tk_kernel/__init__.py only re-exports it.
 *
 * One call, in order:
 *   1. arguments: config (a preset name or "key=value,..."), stream, out_dtype;
 *   2. intake of a, b and c/out (struct array below): PyTorch tensors are
 *      read directly (device, dtype, sizes, strides, data_ptr), anything else
 *      through DLPack (__dlpack__) or __cuda_array_interface__;
 *   3. checks, each naming the argument: dtypes, shapes (…, M, K)·(…, N, K)ᵀ
 *      → (…, M, N), strides (row-major; padded rows allowed; leading batch
 *      dimensions that collapse to one regular batch stride), alignment,
 *      output overlapping an input;
 *   4. the launch with the GIL released (struct job): the tensors' device made
 *      current, tg_gemm on the stream — PyTorch's current stream by default —
 *      and, for dispatch_micro, a synchronize of that stream;
 *   5. DLPack tensors handed back to their producers (their deleters), on
 *      every path.
 *
 * Why PyTorch tensors skip the protocols: torch's __dlpack__ refuses tensors
 * that require grad or live on a device other than the current one, and its
 * __cuda_array_interface__ spelled bfloat16 "<f2" (= float16) before 2.6.
 * Reading the tensor's own attributes has neither problem and costs less.
 *
 * Exceptions: TypeError for what is not a usable CUDA array or has the wrong
 * dtype; ValueError for shapes, strides, alignment, devices that differ, and
 * configurations; RuntimeError for no (or an unsupported) GPU and CUDA errors.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <cuda_runtime.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tilegemm.h"

/* The configuration micro_tk, dispatch_micro and gemm use when config=None:
 * the user's refactor of the seed (REG_BLOCK = BLOCK_SIZE/8, 8 accumulators
 * per warp). set_default_config() changes it for the process. */
#define TK_DEFAULT_CONFIG "split8"

enum { MAX_DIMS = 16, MSG = 1024 };

/* ------------------------------------------------------------------------
 * DLPack (dlpack.h, v0.8 and v1.x): the stable, public ABI; the parts a
 * consumer reads.
 * ---------------------------------------------------------------------- */

enum {
    kDLCPU = 1,
    kDLCUDA = 2,
    kDLCUDAHost = 3,
    kDLROCM = 10,
    kDLROCMHost = 11,
    kDLCUDAManaged = 13,
};
enum { kDLInt = 0, kDLUInt = 1, kDLFloat = 2, kDLBfloat = 4, kDLComplex = 5, kDLBool = 6 };

typedef struct {
    int32_t device_type; /* DLDeviceType, a C enum */
    int32_t device_id;
} DLDevice;

typedef struct {
    uint8_t code, bits;
    uint16_t lanes;
} DLDataType;

typedef struct {
    void *data;
    DLDevice device;
    int32_t ndim;
    DLDataType dtype;
    int64_t *shape;
    int64_t *strides; /* in elements; NULL = compact row-major */
    uint64_t byte_offset;
} DLTensor;

typedef struct DLManagedTensor {
    DLTensor dl_tensor;
    void *manager_ctx;
    void (*deleter)(struct DLManagedTensor *self);
} DLManagedTensor;

typedef struct {
    uint32_t major, minor;
} DLPackVersion;

typedef struct DLManagedTensorVersioned {
    DLPackVersion version;
    void *manager_ctx;
    void (*deleter)(struct DLManagedTensorVersioned *self);
    uint64_t flags;
    DLTensor dl_tensor;
} DLManagedTensorVersioned;

#define DLPACK_FLAG_READ_ONLY (1ULL << 0)

/* ------------------------------------------------------------------------
 * Errors: "tk_kernel.<function>: <argument> <problem>"
 * ---------------------------------------------------------------------- */

typedef struct call {
    const char *fn; /* "tk_kernel.micro_tk" */
} call;

static int fail(PyObject *type, const call *cx, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static int fail(PyObject *type, const call *cx, const char *fmt, ...)
{
    char msg[MSG];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    PyErr_Format(type, "%s: %s", cx->fn, msg);
    return -1;
}

/* Fetch the pending exception (a new reference, or NULL). */
static PyObject *take_exception(void)
{
#if PY_VERSION_HEX >= 0x030C0000
    return PyErr_GetRaisedException();
#else
    PyObject *t, *v, *tb;
    PyErr_Fetch(&t, &v, &tb);
    if (!t)
        return NULL;
    PyErr_NormalizeException(&t, &v, &tb);
    if (v && tb)
        PyException_SetTraceback(v, tb);
    Py_XDECREF(t);
    Py_XDECREF(tb);
    return v;
#endif
}

/* Raise exc again (a reference from take_exception; NULL: nothing). */
static void restore_exception(PyObject *exc)
{
    if (!exc)
        return;
#if PY_VERSION_HEX >= 0x030C0000
    PyErr_SetRaisedException(exc);
#else
    PyObject *type = (PyObject *)Py_TYPE(exc);
    Py_INCREF(type);
    PyErr_Restore(type, exc, PyException_GetTraceback(exc)); /* steals all three */
#endif
}

/*
 * Replace the pending exception (raised by a producer's __dlpack__, a
 * property, ...) with one of `type` whose message says which argument and
 * what was being done, chained to the original (__cause__).
 */
static int fail_from(PyObject *type, const call *cx, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static int fail_from(PyObject *type, const call *cx, const char *fmt, ...)
{
    PyObject *cause = take_exception();
    char what[MSG];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    const char *text = "unknown error";
    PyObject *s = cause ? PyObject_Str(cause) : NULL;
    if (s && PyUnicode_Check(s)) {
        const char *u = PyUnicode_AsUTF8(s);
        if (u)
            text = u;
    }
    PyErr_Clear();
    PyErr_Format(type, "%s: %s: %s: %s", cx->fn, what,
                 cause ? Py_TYPE(cause)->tp_name : "error", text);
    Py_XDECREF(s);
    if (cause) {
        PyObject *exc = take_exception();
        if (exc) {
            Py_INCREF(cause);
            PyException_SetContext(exc, cause); /* steals */
            PyException_SetCause(exc, cause);   /* steals */
            restore_exception(exc);
        } else {
            Py_DECREF(cause);
        }
    }
    return -1;
}

/* The exception class for a tilegemm status. */
static PyObject *status_exception(tg_status s)
{
    switch (s) {
    case TG_ERR_INVALID_ARGUMENT:
    case TG_ERR_UNKNOWN_CONFIG:
    case TG_ERR_INVALID_CONFIG:
    case TG_ERR_NOT_COMPILED:
        return PyExc_ValueError;
    default:
        return PyExc_RuntimeError;
    }
}

/* str(o) into buf, never failing (errors are cleared). */
static const char *text_of(PyObject *o, char *buf, size_t len)
{
    snprintf(buf, len, "?");
    PyObject *s = o ? PyObject_Str(o) : NULL;
    const char *u = s ? PyUnicode_AsUTF8(s) : NULL;
    if (u)
        snprintf(buf, len, "%s", u);
    else
        PyErr_Clear();
    Py_XDECREF(s);
    return buf;
}

static const char *shape_text(const int64_t *shape, int n, char *buf, size_t len)
{
    size_t used = (size_t)snprintf(buf, len, "(");
    for (int i = 0; i < n && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s%lld", i ? ", " : "",
                                 (long long)shape[i]);
    if (used < len)
        snprintf(buf + used, len - used, n == 1 ? ",)" : ")");
    return buf;
}

/* ------------------------------------------------------------------------
 * Interned names and the torch module (never imported here: only looked up
 * in sys.modules, so tk_kernel works without torch)
 * ---------------------------------------------------------------------- */

static struct {
    PyObject *torch, *is_cuda, *device, *index, *type, *dtype, *data_ptr, *shape, *stride,
        *layout, *is_neg, *dlpack, *dlpack_device, *cai, *cuda_stream, *cuda_stream_proto, *ptr,
        *device_index, *cuda, *current_stream, *empty;
} S;

static int intern_names(void)
{
#define N(field, text)                                   \
    if (!(S.field = PyUnicode_InternFromString(text)))  \
        return -1;
    N(torch, "torch")
    N(is_cuda, "is_cuda")
    N(device, "device")
    N(index, "index")
    N(type, "type")
    N(dtype, "dtype")
    N(data_ptr, "data_ptr")
    N(shape, "shape")
    N(stride, "stride")
    N(layout, "layout")
    N(is_neg, "is_neg")
    N(dlpack, "__dlpack__")
    N(dlpack_device, "__dlpack_device__")
    N(cai, "__cuda_array_interface__")
    N(cuda_stream, "cuda_stream")
    N(cuda_stream_proto, "__cuda_stream__")
    N(ptr, "ptr")
    N(device_index, "device_index")
    N(cuda, "cuda")
    N(current_stream, "current_stream")
    N(empty, "empty")
#undef N
    return 0;
}

/* What tk_kernel needs from torch, cached for one torch module object. */
static struct {
    PyObject *module; /* the sys.modules["torch"] these came from (strong) */
    PyObject *Tensor, *bfloat16, *float32, *strided;
    PyObject *raw_stream; /* torch._C._cuda_getCurrentRawStream, or NULL */
} T;

static void torch_forget(void)
{
    Py_CLEAR(T.module);
    Py_CLEAR(T.Tensor);
    Py_CLEAR(T.bfloat16);
    Py_CLEAR(T.float32);
    Py_CLEAR(T.strided);
    Py_CLEAR(T.raw_stream);
}

/* The torch module if it has been imported, else NULL (without an error). */
static PyObject *torch_loaded(void)
{
    PyObject *m = PyDict_GetItemWithError(PyImport_GetModuleDict(), S.torch);
    if (!m || m == Py_None) {
        PyErr_Clear();
        return NULL;
    }
    if (m == T.module)
        return m;
    torch_forget();
    PyObject *tensor = PyObject_GetAttrString(m, "Tensor");
    PyObject *bf16 = PyObject_GetAttrString(m, "bfloat16");
    PyObject *f32 = PyObject_GetAttrString(m, "float32");
    PyObject *strided = PyObject_GetAttrString(m, "strided");
    if (!tensor || !bf16 || !f32 || !strided || !PyType_Check(tensor)) {
        /* torch half-imported (or something else named torch): not usable */
        PyErr_Clear();
        Py_XDECREF(tensor);
        Py_XDECREF(bf16);
        Py_XDECREF(f32);
        Py_XDECREF(strided);
        return NULL;
    }
    T.Tensor = tensor;
    T.bfloat16 = bf16;
    T.float32 = f32;
    T.strided = strided;
    PyObject *c = PyObject_GetAttrString(m, "_C");
    T.raw_stream = c ? PyObject_GetAttrString(c, "_cuda_getCurrentRawStream") : NULL;
    Py_XDECREF(c);
    PyErr_Clear();
    Py_INCREF(m);
    T.module = m;
    return m;
}

static int is_torch_tensor(PyObject *o)
{
    return torch_loaded() && PyObject_TypeCheck(o, (PyTypeObject *)T.Tensor);
}

/* torch's current CUDA stream on a device (torch.cuda.current_stream(d).cuda_stream). */
static int torch_current_stream(const call *cx, int device, uintptr_t *out)
{
    PyObject *r = NULL;
    if (!torch_loaded())
        return fail(PyExc_RuntimeError, cx, "torch is no longer imported");
    if (T.raw_stream) {
        r = PyObject_CallFunction(T.raw_stream, "i", device);
    } else {
        PyObject *cuda = PyObject_GetAttr(T.module, S.cuda);
        PyObject *fn = cuda ? PyObject_GetAttr(cuda, S.current_stream) : NULL;
        PyObject *s = fn ? PyObject_CallFunction(fn, "i", device) : NULL;
        r = s ? PyObject_GetAttr(s, S.cuda_stream) : NULL;
        Py_XDECREF(cuda);
        Py_XDECREF(fn);
        Py_XDECREF(s);
    }
    if (!r)
        return fail_from(PyExc_RuntimeError, cx, "reading PyTorch's current stream on cuda:%d",
                         device);
    void *p = PyLong_AsVoidPtr(r);
    Py_DECREF(r);
    if (PyErr_Occurred())
        return fail_from(PyExc_RuntimeError, cx, "reading PyTorch's current stream on cuda:%d",
                         device);
    *out = (uintptr_t)p;
    return 0;
}

/* ------------------------------------------------------------------------
 * Arrays: one argument (a, b, c or out), whatever produced it
 * ---------------------------------------------------------------------- */

enum { SRC_TORCH, SRC_DLPACK, SRC_CAI };
enum { DT_OTHER, DT_BF16, DT_F32 };

typedef struct array {
    const char *name; /* "a", "b", "c", "out" */
    PyObject *obj;    /* borrowed from the caller (or owned_obj) */
    PyObject *owned_obj; /* an output tk_kernel allocated */
    int source;
    int device;       /* CUDA ordinal; -1 until known (__cuda_array_interface__) */
    int dtype;        /* DT_* */
    int itemsize;     /* bytes, for DT_BF16 and DT_F32 */
    char dtype_name[128];
    uintptr_t data;   /* the first element */
    int ndim;
    int64_t shape[MAX_DIMS];
    int64_t strides[MAX_DIMS]; /* elements */
    int readonly;
    /* owned until array_release */
    PyObject *cai;    /* the __cuda_array_interface__ dict */
    void *dl;         /* DLManagedTensor or DLManagedTensorVersioned */
    int dl_versioned;
    /* __cuda_array_interface__ v3: the stream the producer wrote the data on */
    int has_producer_stream;
    uintptr_t producer_stream;
} array;

static void array_init(array *x, const char *name, PyObject *obj)
{
    memset(x, 0, sizeof *x);
    x->name = name;
    x->obj = obj;
    x->device = -1;
}

static void array_release(array *x)
{
    if (x->dl) {
        if (x->dl_versioned) {
            DLManagedTensorVersioned *t = x->dl;
            if (t->deleter)
                t->deleter(t);
        } else {
            DLManagedTensor *t = x->dl;
            if (t->deleter)
                t->deleter(t);
        }
        x->dl = NULL;
    }
    Py_CLEAR(x->cai);
    Py_CLEAR(x->owned_obj);
}

/*
 * Release a call's arrays. DLPack deleters and the last reference to an
 * output may run Python code, which must not see the call's pending
 * exception: it is set aside meanwhile.
 */
static void release_arrays(array *arr, int n)
{
    PyObject *pending = take_exception();
    for (int i = 0; i < n; i++)
        array_release(&arr[i]);
    if (PyErr_Occurred())
        PyErr_WriteUnraisable(NULL); /* a deleter that raised */
    restore_exception(pending);
}

static void set_dtype(array *x, int dtype, const char *name)
{
    x->dtype = dtype;
    x->itemsize = dtype == DT_BF16 ? 2 : dtype == DT_F32 ? 4 : 0;
    snprintf(x->dtype_name, sizeof x->dtype_name, "%s", name);
}

/* Row-major strides for arrays that give none. */
static void compact_strides(array *x)
{
    int64_t s = 1;
    for (int i = x->ndim - 1; i >= 0; i--) {
        x->strides[i] = s;
        s *= x->shape[i] > 0 ? x->shape[i] : 1;
    }
}

/* A tuple or list of Python ints into out[]; returns the count, or -1 with an exception. */
static int read_ints(const call *cx, const array *x, const char *what, PyObject *seq,
                     int64_t *out)
{
    PyObject *fast = PySequence_Fast(seq, "");
    if (!fast) {
        PyErr_Clear();
        return fail(PyExc_TypeError, cx, "%s: %s must be a tuple of ints", x->name, what);
    }
    Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
    if (n > MAX_DIMS) {
        Py_DECREF(fast);
        return fail(PyExc_ValueError, cx, "%s has %zd dimensions; at most %d are supported",
                    x->name, n, MAX_DIMS);
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = PySequence_Fast_GET_ITEM(fast, i);
        long long v = PyLong_AsLongLong(item);
        if (v == -1 && PyErr_Occurred()) {
            Py_DECREF(fast);
            return fail_from(PyExc_TypeError, cx, "%s: reading %s[%zd]", x->name, what, i);
        }
        out[i] = v;
    }
    Py_DECREF(fast);
    return (int)n;
}

/* ---- PyTorch tensors ------------------------------------------------------ */

static int intake_torch(const call *cx, array *x)
{
    PyObject *o = x->obj;
    char buf[64];
    x->source = SRC_TORCH;

    PyObject *v = PyObject_GetAttr(o, S.is_cuda);
    int cuda = v ? PyObject_IsTrue(v) : -1;
    Py_XDECREF(v);
    if (cuda < 0)
        return fail_from(PyExc_TypeError, cx, "%s: reading is_cuda", x->name);
    PyObject *dev = PyObject_GetAttr(o, S.device);
    if (!dev)
        return fail_from(PyExc_TypeError, cx, "%s: reading device", x->name);
    if (!cuda) {
        PyObject *t = PyObject_GetAttr(dev, S.type);
        text_of(t, buf, sizeof buf);
        Py_XDECREF(t);
        Py_DECREF(dev);
        if (!strcmp(buf, "cpu"))
            return fail(PyExc_TypeError, cx, "%s is on the CPU; pass a CUDA tensor (%s.cuda())",
                        x->name, x->name);
        return fail(PyExc_TypeError, cx, "%s is on device '%s'; pass a CUDA tensor", x->name, buf);
    }
    PyObject *idx = PyObject_GetAttr(dev, S.index);
    Py_DECREF(dev);
    if (!idx)
        return fail_from(PyExc_TypeError, cx, "%s: reading device.index", x->name);
    x->device = idx == Py_None ? 0 : (int)PyLong_AsLong(idx);
    Py_DECREF(idx);
    if (PyErr_Occurred())
        return fail_from(PyExc_TypeError, cx, "%s: reading device.index", x->name);

    v = PyObject_GetAttr(o, S.layout);
    if (!v)
        return fail_from(PyExc_TypeError, cx, "%s: reading layout", x->name);
    if (v != T.strided) {
        text_of(v, buf, sizeof buf);
        Py_DECREF(v);
        return fail(PyExc_TypeError, cx, "%s has layout %s; pass a dense (torch.strided) tensor",
                    x->name, buf);
    }
    Py_DECREF(v);

    v = PyObject_GetAttr(o, S.dtype);
    if (!v)
        return fail_from(PyExc_TypeError, cx, "%s: reading dtype", x->name);
    if (v == T.bfloat16)
        set_dtype(x, DT_BF16, "bfloat16");
    else if (v == T.float32)
        set_dtype(x, DT_F32, "float32");
    else {
        text_of(v, buf, sizeof buf);
        set_dtype(x, DT_OTHER, strncmp(buf, "torch.", 6) ? buf : buf + 6);
    }
    Py_DECREF(v);

    /* A lazily negated view (torch._neg_view) holds the un-negated values. */
    v = PyObject_CallMethodNoArgs(o, S.is_neg);
    int neg = v ? PyObject_IsTrue(v) : 0;
    Py_XDECREF(v);
    PyErr_Clear();
    if (neg > 0)
        return fail(PyExc_ValueError, cx,
                    "%s has its negative bit set (a lazy negation view); pass %s.resolve_neg()",
                    x->name, x->name);

    v = PyObject_GetAttr(o, S.shape);
    if (!v)
        return fail_from(PyExc_TypeError, cx, "%s: reading shape", x->name);
    int n = read_ints(cx, x, "shape", v, x->shape);
    Py_DECREF(v);
    if (n < 0)
        return -1;
    x->ndim = n;
    v = PyObject_CallMethodNoArgs(o, S.stride);
    if (!v)
        return fail_from(PyExc_TypeError, cx, "%s: reading stride()", x->name);
    int ns = read_ints(cx, x, "stride()", v, x->strides);
    Py_DECREF(v);
    if (ns < 0)
        return -1;
    if (ns != n)
        return fail(PyExc_ValueError, cx, "%s has %d sizes but %d strides", x->name, n, ns);
    v = PyObject_CallMethodNoArgs(o, S.data_ptr);
    if (!v)
        return fail_from(PyExc_TypeError, cx, "%s: reading data_ptr()", x->name);
    x->data = (uintptr_t)PyLong_AsVoidPtr(v);
    Py_DECREF(v);
    if (PyErr_Occurred())
        return fail_from(PyExc_TypeError, cx, "%s: reading data_ptr()", x->name);
    return 0;
}

/* ---- DLPack -------------------------------------------------------------- */

/* __dlpack_device__(): CUDA (or managed) memory only. */
static int probe_dlpack(const call *cx, array *x)
{
    x->source = SRC_DLPACK;
    PyObject *r = PyObject_CallMethodNoArgs(x->obj, S.dlpack_device);
    if (!r)
        return fail_from(PyExc_TypeError, cx, "%s.__dlpack_device__() failed", x->name);
    long type = -1, id = -1;
    if (PyTuple_Check(r) && PyTuple_GET_SIZE(r) == 2) {
        type = PyLong_AsLong(PyTuple_GET_ITEM(r, 0));
        id = PyLong_AsLong(PyTuple_GET_ITEM(r, 1));
    }
    Py_DECREF(r);
    if (PyErr_Occurred() || type < 0)
        return fail(PyExc_TypeError, cx,
                    "%s.__dlpack_device__() must return a (device_type, device_id) tuple of ints",
                    x->name);
    switch (type) {
    case kDLCUDA:
    case kDLCUDAManaged:
        if (id < 0 || id > 1 << 20)
            return fail(PyExc_ValueError, cx, "%s: DLPack device id %ld is not a CUDA ordinal",
                        x->name, id);
        x->device = (int)id;
        return 0;
    case kDLCPU:
        return fail(PyExc_TypeError, cx, "%s is on the CPU; pass a CUDA tensor or array",
                    x->name);
    case kDLCUDAHost:
        return fail(PyExc_TypeError, cx,
                    "%s is pinned host memory (DLPack kDLCUDAHost); pass CUDA device memory",
                    x->name);
    case kDLROCM:
    case kDLROCMHost:
        return fail(PyExc_TypeError, cx,
                    "%s is on a ROCm device; tk_kernel runs on NVIDIA CUDA devices", x->name);
    default:
        return fail(PyExc_TypeError, cx, "%s is on DLPack device type %ld, not a CUDA device",
                    x->name, type);
    }
}

static void dlpack_dtype(array *x, DLDataType t)
{
    if (t.lanes == 1 && t.code == kDLBfloat && t.bits == 16) {
        set_dtype(x, DT_BF16, "bfloat16");
        return;
    }
    if (t.lanes == 1 && t.code == kDLFloat && t.bits == 32) {
        set_dtype(x, DT_F32, "float32");
        return;
    }
    const char *kind = t.code == kDLInt      ? "int"
                       : t.code == kDLUInt    ? "uint"
                       : t.code == kDLFloat   ? "float"
                       : t.code == kDLBfloat  ? "bfloat"
                       : t.code == kDLComplex ? "complex"
                       : t.code == kDLBool    ? "bool"
                                              : "type";
    char name[48];
    if (t.lanes == 1)
        snprintf(name, sizeof name, "%s%d", kind, t.bits);
    else
        snprintf(name, sizeof name, "%s%dx%d", kind, t.bits, t.lanes);
    set_dtype(x, DT_OTHER, name);
}

/*
 * __dlpack__(stream=...): the producer makes its pending writes visible to
 * that stream (DLPack's rule), and hands over a capsule that we rename
 * "used_dltensor" and whose deleter array_release() calls.
 */
static int export_dlpack(const call *cx, array *x, uintptr_t stream)
{
    /* DLPack's stream numbers: 1 is the legacy default stream (handle 0 or 1). */
    long long hint = stream == 0 ? 1 : (long long)stream;
    PyObject *meth = PyObject_GetAttr(x->obj, S.dlpack);
    PyObject *args = PyTuple_New(0);
    PyObject *kw = Py_BuildValue("{s:L}", "stream", hint);
    PyObject *cap = meth && args && kw ? PyObject_Call(meth, args, kw) : NULL;
    if (!cap && meth && PyErr_ExceptionMatches(PyExc_TypeError)) {
        /* a producer older than the stream keyword (DLPack before 0.6) */
        PyErr_Clear();
        cap = PyObject_CallNoArgs(meth);
    }
    Py_XDECREF(meth);
    Py_XDECREF(args);
    Py_XDECREF(kw);
    if (!cap)
        return fail_from(PyExc_TypeError, cx, "%s.__dlpack__() failed", x->name);

    DLTensor *t = NULL;
    if (PyCapsule_IsValid(cap, "dltensor")) {
        DLManagedTensor *m = PyCapsule_GetPointer(cap, "dltensor");
        if (m && PyCapsule_SetName(cap, "used_dltensor") == 0) {
            x->dl = m;
            x->dl_versioned = 0;
            t = &m->dl_tensor;
        }
    } else if (PyCapsule_IsValid(cap, "dltensor_versioned")) {
        DLManagedTensorVersioned *m = PyCapsule_GetPointer(cap, "dltensor_versioned");
        if (m && PyCapsule_SetName(cap, "used_dltensor_versioned") == 0) {
            x->dl = m;
            x->dl_versioned = 1;
            t = &m->dl_tensor;
            x->readonly = (m->flags & DLPACK_FLAG_READ_ONLY) != 0;
            if (m->version.major > 1) {
                Py_DECREF(cap);
                return fail(PyExc_TypeError, cx,
                            "%s: DLPack version %u.%u is newer than tk_kernel reads (1.x)",
                            x->name, m->version.major, m->version.minor);
            }
        }
    } else {
        char name[64];
        const char *cn = PyCapsule_CheckExact(cap) ? PyCapsule_GetName(cap) : NULL;
        PyErr_Clear();
        snprintf(name, sizeof name, "%s", cn ? cn : "?");
        int capsule = PyCapsule_CheckExact(cap);
        const char *tn = Py_TYPE(cap)->tp_name;
        Py_DECREF(cap);
        if (capsule)
            return fail(PyExc_TypeError, cx,
                        "%s.__dlpack__() returned a capsule named '%s', not an unused DLPack "
                        "tensor ('dltensor')",
                        x->name, name);
        return fail(PyExc_TypeError, cx, "%s.__dlpack__() returned a %s, not a DLPack capsule",
                    x->name, tn);
    }
    Py_DECREF(cap);
    if (!t) {
        PyErr_Clear();
        return fail(PyExc_TypeError, cx, "%s: could not take the DLPack capsule", x->name);
    }

    if (t->device.device_type != kDLCUDA && t->device.device_type != kDLCUDAManaged)
        return fail(PyExc_TypeError, cx,
                    "%s: __dlpack__() gave a tensor on DLPack device type %d, not CUDA", x->name,
                    (int)t->device.device_type);
    if (t->device.device_id != x->device)
        return fail(PyExc_ValueError, cx,
                    "%s: __dlpack__() gave a tensor on cuda:%d but __dlpack_device__() said "
                    "cuda:%d",
                    x->name, (int)t->device.device_id, x->device);
    if (t->ndim < 0 || t->ndim > MAX_DIMS)
        return fail(PyExc_ValueError, cx, "%s has %d dimensions; at most %d are supported",
                    x->name, (int)t->ndim, MAX_DIMS);
    dlpack_dtype(x, t->dtype);
    x->ndim = t->ndim;
    for (int i = 0; i < x->ndim; i++)
        x->shape[i] = t->shape[i];
    if (t->strides)
        for (int i = 0; i < x->ndim; i++)
            x->strides[i] = t->strides[i];
    else
        compact_strides(x);
    x->data = (uintptr_t)t->data + (uintptr_t)t->byte_offset;
    return 0;
}

/* ---- __cuda_array_interface__ -------------------------------------------- */

/* The typestr's dtype; bfloat16 is "<V2", as ml_dtypes, JAX and PyTorch ≥ 2.6 write it. */
static int cai_dtype(const call *cx, array *x, const char *ts, int *itemsize)
{
    char kind = 0;
    int size = 0;
    char order = ts[0];
    if (strlen(ts) >= 3) {
        kind = ts[1];
        size = atoi(ts + 2);
    }
    if (size <= 0 || (order != '<' && order != '|' && order != '=' && order != '>'))
        return fail(PyExc_TypeError, cx, "%s: __cuda_array_interface__ typestr '%s' is not valid",
                    x->name, ts);
    *itemsize = size;
    char name[128];
    if (order == '>' && size > 1) {
        snprintf(name, sizeof name, "big-endian '%s'", ts);
        set_dtype(x, DT_OTHER, name);
    } else if (kind == 'V' && size == 2) {
        set_dtype(x, DT_BF16, "bfloat16");
    } else if (kind == 'f' && size == 4) {
        set_dtype(x, DT_F32, "float32");
    } else {
        switch (kind) {
        case 'f': snprintf(name, sizeof name, "float%d", size * 8); break;
        case 'i': snprintf(name, sizeof name, "int%d", size * 8); break;
        case 'u': snprintf(name, sizeof name, "uint%d", size * 8); break;
        case 'c': snprintf(name, sizeof name, "complex%d", size * 8); break;
        case 'b': snprintf(name, sizeof name, "bool"); break;
        default: snprintf(name, sizeof name, "typestr '%s'", ts); break;
        }
        if (kind == 'f' && size == 2)
            snprintf(name, sizeof name, "float16 (typestr '<f2'; PyTorch before 2.6 also wrote "
                                        "bfloat16 so: pass the tensor itself)");
        set_dtype(x, DT_OTHER, name);
    }
    return 0;
}

static int intake_cai(const call *cx, array *x, PyObject *cai)
{
    x->source = SRC_CAI;
    x->cai = cai; /* owned from here */
    if (!PyDict_Check(cai))
        return fail(PyExc_TypeError, cx, "%s.__cuda_array_interface__ is a %s, not a dict",
                    x->name, Py_TYPE(cai)->tp_name);
    PyObject *shape = PyDict_GetItemString(cai, "shape");
    PyObject *typestr = PyDict_GetItemString(cai, "typestr");
    PyObject *data = PyDict_GetItemString(cai, "data");
    PyObject *strides = PyDict_GetItemString(cai, "strides");
    PyObject *mask = PyDict_GetItemString(cai, "mask");
    PyObject *stream = PyDict_GetItemString(cai, "stream");
    if (!shape || !typestr || !data)
        return fail(PyExc_TypeError, cx,
                    "%s.__cuda_array_interface__ lacks %s (it needs shape, typestr and data)",
                    x->name, !shape ? "shape" : !typestr ? "typestr" : "data");
    if (mask && mask != Py_None)
        return fail(PyExc_ValueError, cx, "%s has a mask; masked arrays are not supported",
                    x->name);
    const char *ts = PyUnicode_Check(typestr) ? PyUnicode_AsUTF8(typestr) : NULL;
    if (!ts) {
        PyErr_Clear();
        return fail(PyExc_TypeError, cx, "%s: __cuda_array_interface__ typestr must be a str",
                    x->name);
    }
    int itemsize = 0;
    if (cai_dtype(cx, x, ts, &itemsize) < 0)
        return -1;
    int n = read_ints(cx, x, "__cuda_array_interface__ shape", shape, x->shape);
    if (n < 0)
        return -1;
    x->ndim = n;
    if (strides && strides != Py_None) {
        int64_t bytes[MAX_DIMS];
        int ns = read_ints(cx, x, "__cuda_array_interface__ strides", strides, bytes);
        if (ns < 0)
            return -1;
        if (ns != n)
            return fail(PyExc_ValueError, cx, "%s has %d sizes but %d strides", x->name, n, ns);
        for (int i = 0; i < n; i++) {
            if (bytes[i] % itemsize)
                return fail(PyExc_ValueError, cx,
                            "%s: stride %lld bytes (dimension %d) is not a multiple of the "
                            "%d-byte element",
                            x->name, (long long)bytes[i], i, itemsize);
            x->strides[i] = bytes[i] / itemsize;
        }
    } else {
        compact_strides(x);
    }
    if (!PyTuple_Check(data) || PyTuple_GET_SIZE(data) != 2)
        return fail(PyExc_TypeError, cx,
                    "%s: __cuda_array_interface__ data must be a (pointer, read_only) tuple",
                    x->name);
    PyObject *p = PyTuple_GET_ITEM(data, 0);
    x->data = PyLong_Check(p) ? (uintptr_t)PyLong_AsVoidPtr(p) : 0;
    if (!PyLong_Check(p) || PyErr_Occurred()) {
        PyErr_Clear();
        return fail(PyExc_TypeError, cx,
                    "%s: __cuda_array_interface__ data pointer must be an int", x->name);
    }
    int ro = PyObject_IsTrue(PyTuple_GET_ITEM(data, 1));
    if (ro < 0)
        return -1;
    x->readonly = ro;
    if (stream && stream != Py_None) {
        long long s = PyLong_Check(stream) ? PyLong_AsLongLong(stream) : -1;
        if (PyErr_Occurred())
            PyErr_Clear();
        if (s < 0)
            return fail(PyExc_TypeError, cx,
                        "%s: __cuda_array_interface__ stream must be None or a stream handle",
                        x->name);
        if (s == 0)
            return fail(PyExc_ValueError, cx,
                        "%s: __cuda_array_interface__ stream 0 is not allowed (v3 uses 1 for the "
                        "legacy default stream)",
                        x->name);
        x->has_producer_stream = 1;
        x->producer_stream = (uintptr_t)s;
    }
    return 0;
}

/*
 * Classify and read one argument. PyTorch tensors and __cuda_array_interface__
 * arrays are read completely here; DLPack producers only say their device
 * (the export needs the stream: export_dlpack).
 */
static int intake(const call *cx, array *x)
{
    PyObject *o = x->obj;
    if (o == Py_None)
        return fail(PyExc_TypeError, cx, "%s is None; pass a CUDA tensor", x->name);
    if (is_torch_tensor(o))
        return intake_torch(cx, x);
    if (PyObject_HasAttr(o, S.dlpack) && PyObject_HasAttr(o, S.dlpack_device))
        return probe_dlpack(cx, x);
    PyObject *cai = PyObject_GetAttr(o, S.cai);
    if (cai)
        return intake_cai(cx, x, cai);
    if (!PyErr_ExceptionMatches(PyExc_AttributeError))
        return fail_from(PyExc_TypeError, cx, "%s.__cuda_array_interface__ failed", x->name);
    PyErr_Clear();
    return fail(PyExc_TypeError, cx,
                "%s must be a CUDA array (a PyTorch CUDA tensor, or an object with "
                "__dlpack__ or __cuda_array_interface__), got %s",
                x->name, Py_TYPE(o)->tp_name);
}

/* ------------------------------------------------------------------------
 * Streams
 * ---------------------------------------------------------------------- */

typedef struct stream_arg {
    int given;        /* stream= was passed */
    uintptr_t handle; /* cudaStream_t; 0 = the legacy default stream */
    int device;       /* a torch.cuda.Stream's device, else -1 */
} stream_arg;

/* stream=: None, an int handle, torch.cuda.Stream (cuda_stream), an object
 * with __cuda_stream__ (CUDA Python), or a CuPy stream (ptr). */
static int parse_stream(const call *cx, PyObject *o, stream_arg *s)
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
    } else if (PyObject_HasAttr(o, S.cuda_stream)) {
        h = PyObject_GetAttr(o, S.cuda_stream);
        PyObject *d = PyObject_GetAttr(o, S.device_index);
        if (d && PyLong_Check(d))
            s->device = (int)PyLong_AsLong(d);
        Py_XDECREF(d);
        PyErr_Clear();
    } else if (PyObject_HasAttr(o, S.cuda_stream_proto)) {
        PyObject *r = PyObject_CallMethodNoArgs(o, S.cuda_stream_proto);
        if (r && PyTuple_Check(r) && PyTuple_GET_SIZE(r) == 2) {
            h = PyTuple_GET_ITEM(r, 1);
            Py_INCREF(h);
        }
        Py_XDECREF(r);
    } else if (PyObject_HasAttr(o, S.ptr)) {
        h = PyObject_GetAttr(o, S.ptr);
    }
    if (!h || !PyLong_Check(h)) {
        Py_XDECREF(h);
        PyErr_Clear();
        return fail(PyExc_TypeError, cx,
                    "stream must be None, an int (cudaStream_t), a torch.cuda.Stream, a CuPy "
                    "stream or an object with __cuda_stream__, got %s",
                    Py_TYPE(o)->tp_name);
    }
    long long v = PyLong_AsLongLong(h);
    int overflow = PyErr_Occurred() != NULL;
    PyErr_Clear();
    if (overflow)
        v = (long long)(uintptr_t)PyLong_AsVoidPtr(h);
    PyErr_Clear();
    Py_DECREF(h);
    if (!overflow && v < 0)
        return fail(PyExc_ValueError, cx, "stream must be a stream handle >= 0, got %lld", v);
    s->handle = (uintptr_t)v;
    return 0;
}

/* ------------------------------------------------------------------------
 * Configurations
 * ---------------------------------------------------------------------- */

static tg_config default_config;

/*
 * config= (None: the default). With `compiled` NULL the configuration must
 * have a compiled kernel; otherwise valid but uncompiled parameters are
 * accepted too (for planning) and *compiled says which it was.
 */
static int parse_config(const call *cx, PyObject *o, tg_config *cfg, int *compiled)
{
    if (compiled)
        *compiled = 1;
    if (!o || o == Py_None) {
        *cfg = default_config;
        return 0;
    }
    if (!PyUnicode_Check(o))
        return fail(PyExc_TypeError, cx,
                    "config must be a str (a preset name such as 'split8', or "
                    "'block=128,reg_m=16,reg_n=16'), got %s",
                    Py_TYPE(o)->tp_name);
    Py_ssize_t len = 0;
    const char *text = PyUnicode_AsUTF8AndSize(o, &len);
    if (!text)
        return -1;
    if ((size_t)len != strlen(text))
        return fail(PyExc_ValueError, cx, "config contains a NUL character");
    tg_status s = tg_config_parse(text, cfg);
    if (s == TG_ERR_NOT_COMPILED && compiled) {
        *compiled = 0;
        return 0;
    }
    if (s != TG_SUCCESS)
        return fail(PyExc_ValueError, cx, "config '%s': %s", text, tg_last_error());
    return 0;
}

/* out_dtype: None, torch.float32 / torch.bfloat16, or "float32"/"fp32"/"bfloat16"/"bf16". */
static int parse_out_dtype(const call *cx, PyObject *o, int *dtype)
{
    *dtype = DT_OTHER;
    if (!o || o == Py_None)
        return 0;
    char buf[64];
    text_of(o, buf, sizeof buf);
    const char *n = strncmp(buf, "torch.", 6) ? buf : buf + 6;
    if (!strcmp(n, "float32") || !strcmp(n, "float") || !strcmp(n, "fp32") || !strcmp(n, "f32"))
        *dtype = DT_F32;
    else if (!strcmp(n, "bfloat16") || !strcmp(n, "bf16"))
        *dtype = DT_BF16;
    else
        return fail(PyExc_TypeError, cx,
                    "out_dtype must be torch.float32 or torch.bfloat16 (or 'float32', "
                    "'bfloat16'), got %s",
                    buf);
    return 0;
}

/* ------------------------------------------------------------------------
 * Shapes and strides
 * ---------------------------------------------------------------------- */

/* One operand as tg_gemm sees it. */
typedef struct mat {
    int64_t rows, cols, ld;
    int64_t batch;  /* product of the leading dimensions (1 for a 2-D array) */
    int64_t bstride; /* elements between batch items (0 = one matrix shared) */
} mat;

/* Strides must be >= 0: no reversed views. */
static int check_strides_sign(const call *cx, const array *x)
{
    for (int i = 0; i < x->ndim; i++)
        if (x->strides[i] < 0) {
            char sh[160];
            return fail(PyExc_ValueError, cx,
                        "%s has a negative stride (strides %s); pass a copy "
                        "(%s.contiguous())",
                        x->name, shape_text(x->strides, x->ndim, sh, sizeof sh), x->name);
        }
    return 0;
}

/*
 * The matrix in the last two dimensions: its row stride is the leading
 * dimension (≥ the row length: padded rows are fine); the elements of a row
 * must be adjacent. The leading dimensions collapse to one batch stride.
 */
static int matrix_layout(const call *cx, const array *x, mat *m)
{
    char st[160], sh[160];
    int d = x->ndim;
    m->rows = x->shape[d - 2];
    m->cols = x->shape[d - 1];
    int64_t rs = x->strides[d - 2], cs = x->strides[d - 1];
    if (m->cols > 1 && cs != 1) {
        const char *hint = rs == 1 ? " (it looks transposed: pass the untransposed tensor, or "
                                     ".contiguous() for a copy)"
                                   : "; pass a copy (.contiguous())";
        return fail(PyExc_ValueError, cx,
                    "%s: the last dimension must be contiguous (stride 1), got strides %s for "
                    "shape %s%s",
                    x->name, shape_text(x->strides, d, st, sizeof st),
                    shape_text(x->shape, d, sh, sizeof sh), hint);
    }
    if (m->rows > 1 && rs < m->cols)
        return fail(PyExc_ValueError, cx,
                    "%s: rows overlap: the row stride (leading dimension) %lld is smaller than "
                    "the row length %lld (strides %s)",
                    x->name, (long long)rs, (long long)m->cols,
                    shape_text(x->strides, d, st, sizeof st));
    m->ld = m->rows > 1 ? rs : m->cols;
    if (m->ld < 1)
        m->ld = 1;

    /* Leading (batch) dimensions: size-1 dimensions are skipped; the others
     * must nest like a row-major array, stride[i] == stride[i+1]*size[i+1]. */
    m->batch = 1;
    m->bstride = 0;
    int have = 0;
    int64_t expect = 0;
    for (int i = d - 3; i >= 0; i--) {
        int64_t size = x->shape[i], s = x->strides[i];
        if (size == 1)
            continue;
        if (!have) {
            m->bstride = s;
            have = 1;
        } else if (s != expect) {
            return fail(PyExc_ValueError, cx,
                        "%s: the batch dimensions of shape %s (strides %s) do not collapse to "
                        "one batch stride; pass %s.contiguous() or a tensor whose batch "
                        "dimensions nest",
                        x->name, shape_text(x->shape, d, sh, sizeof sh),
                        shape_text(x->strides, d, st, sizeof st), x->name);
        }
        if (__builtin_mul_overflow(s, size, &expect) ||
            __builtin_mul_overflow(m->batch, size, &m->batch))
            return fail(PyExc_ValueError, cx, "%s: shape %s is too large", x->name,
                        shape_text(x->shape, d, sh, sizeof sh));
    }
    return 0;
}

/* Byte range [lo, hi) that an array's elements span (all strides ≥ 0, non-empty). */
static int array_span(const array *x, uintptr_t *lo, uintptr_t *hi)
{
    int64_t last = 0;
    for (int i = 0; i < x->ndim; i++) {
        int64_t t;
        if (x->shape[i] == 0)
            return 0;
        if (__builtin_mul_overflow(x->shape[i] - 1, x->strides[i], &t) ||
            __builtin_add_overflow(last, t, &last))
            return 0;
    }
    *lo = x->data;
    *hi = x->data + (uintptr_t)(last + 1) * (uintptr_t)x->itemsize;
    return 1;
}

static int check_pointer(const call *cx, const array *x)
{
    if (x->data == 0)
        return fail(PyExc_ValueError, cx, "%s has a NULL data pointer", x->name);
    if (x->data % (uintptr_t)x->itemsize)
        return fail(PyExc_ValueError, cx,
                    "%s: data pointer 0x%llx is not %d-byte aligned, as %s needs", x->name,
                    (unsigned long long)x->data, x->itemsize, x->dtype_name);
    return 0;
}

/* ------------------------------------------------------------------------
 * The launch, without the GIL
 * ---------------------------------------------------------------------- */

enum { ERR_NONE, ERR_VALUE, ERR_RUNTIME };

typedef struct job {
    tg_gemm_args args;
    tg_config cfg;
    uintptr_t stream;
    int sync;      /* dispatch_micro: wait for the stream */
    int device;    /* the arrays' device, -1 if only pointers can tell */
    const char *device_from;
    array *arrays[3];
    int n_arrays;
    /* result */
    int err;
    tg_status status;
    char msg[MSG];
} job;

static void job_fail(job *j, int err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static void job_fail(job *j, int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(j->msg, sizeof j->msg, fmt, ap);
    va_end(ap);
    j->err = err;
}

/* Where an __cuda_array_interface__ pointer lives (those arrays do not say). */
static int pointer_device(job *j, const array *x)
{
    struct cudaPointerAttributes attr;
    cudaError_t e = cudaPointerGetAttributes(&attr, (const void *)x->data);
    if (e != cudaSuccess) {
        cudaGetLastError();
        job_fail(j, ERR_VALUE, "%s (0x%llx) is not memory CUDA knows: %s", x->name,
                 (unsigned long long)x->data, cudaGetErrorString(e));
        return -1;
    }
    if (attr.type == cudaMemoryTypeUnregistered ||
        (attr.type == cudaMemoryTypeHost && attr.devicePointer == NULL)) {
        job_fail(j, ERR_VALUE, "%s (0x%llx) is host memory; pass CUDA device memory", x->name,
                 (unsigned long long)x->data);
        return -1;
    }
    return attr.device;
}

/* Order the launch after the producer's stream (__cuda_array_interface__ v3). */
static int wait_producer(job *j, const array *x)
{
    if (!x->has_producer_stream)
        return 0;
    uintptr_t ours = j->stream == 0 ? 1 : j->stream; /* 0 and 1: the legacy default stream */
    if (x->producer_stream == ours)
        return 0;
    cudaEvent_t ev;
    cudaError_t e = cudaEventCreateWithFlags(&ev, cudaEventDisableTiming);
    if (e == cudaSuccess) {
        e = cudaEventRecord(ev, (cudaStream_t)x->producer_stream);
        if (e == cudaSuccess)
            e = cudaStreamWaitEvent((cudaStream_t)j->stream, ev, 0);
        cudaEventDestroy(ev);
    }
    if (e != cudaSuccess) {
        cudaGetLastError();
        job_fail(j, ERR_RUNTIME, "ordering after %s's stream 0x%llx: %s (%s)", x->name,
                 (unsigned long long)x->producer_stream, cudaGetErrorString(e),
                 cudaGetErrorName(e));
        return -1;
    }
    return 0;
}

static void run_job(job *j)
{
    int count = 0;
    cudaError_t e = cudaGetDeviceCount(&count);
    if (e != cudaSuccess || count == 0) {
        cudaGetLastError();
        job_fail(j, ERR_RUNTIME,
                 "no CUDA device is visible (cudaGetDeviceCount: %s); tk_kernel runs on an "
                 "NVIDIA Hopper (sm_90) GPU",
                 e == cudaSuccess ? "0 devices" : cudaGetErrorString(e));
        return;
    }
    for (int i = 0; i < j->n_arrays; i++) {
        array *x = j->arrays[i];
        if (x->device >= 0)
            continue;
        int d = pointer_device(j, x);
        if (d < 0)
            return;
        x->device = d;
        if (j->device < 0) {
            j->device = d;
            j->device_from = x->name;
        } else if (d != j->device) {
            job_fail(j, ERR_VALUE, "%s is on cuda:%d but %s is on cuda:%d", x->name, d,
                     j->device_from, j->device);
            return;
        }
    }
    if (j->device >= count) {
        job_fail(j, ERR_RUNTIME, "%s is on cuda:%d but only %d CUDA device%s visible",
                 j->device_from, j->device, count, count == 1 ? " is" : "s are");
        return;
    }
    int prev = -1;
    e = cudaGetDevice(&prev);
    if (e == cudaSuccess && prev != j->device)
        e = cudaSetDevice(j->device);
    if (e != cudaSuccess) {
        cudaGetLastError();
        job_fail(j, ERR_RUNTIME, "cannot make cuda:%d current: %s", j->device,
                 cudaGetErrorString(e));
        return;
    }
    int ok = 1;
    for (int i = 0; i < j->n_arrays && ok; i++)
        ok = wait_producer(j, j->arrays[i]) == 0;
    if (ok) {
        j->status = tg_gemm(&j->args, &j->cfg, (void *)j->stream);
        if (j->status != TG_SUCCESS) {
            job_fail(j, status_exception(j->status) == PyExc_ValueError ? ERR_VALUE : ERR_RUNTIME,
                     "%s", tg_last_error());
        } else if (j->sync) {
            e = cudaStreamSynchronize((cudaStream_t)j->stream);
            if (e != cudaSuccess) {
                cudaGetLastError();
                job_fail(j, ERR_RUNTIME, "the kernel failed: cudaStreamSynchronize: %s (%s)",
                         cudaGetErrorString(e), cudaGetErrorName(e));
            }
        }
    }
    if (prev >= 0 && prev != j->device)
        cudaSetDevice(prev);
}

/* ------------------------------------------------------------------------
 * One GEMM call: micro_tk, dispatch_micro, gemm
 * ---------------------------------------------------------------------- */

enum { MODE_MICRO, MODE_DISPATCH, MODE_GEMM };

/* batch shape equality: x's leading dimensions against ref's */
static int same_batch(const array *x, const int64_t *bshape, int nb)
{
    if (x->ndim - 2 != nb)
        return 0;
    for (int i = 0; i < nb; i++)
        if (x->shape[i] != bshape[i])
            return 0;
    return 1;
}

static PyObject *make_torch_out(const call *cx, const array *like, const int64_t *shape, int n,
                                int dtype)
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
    PyObject *empty = PyObject_GetAttr(T.module, S.empty);
    PyObject *dev = PyObject_GetAttr(like->obj, S.device);
    PyObject *args = PyTuple_Pack(1, size);
    PyObject *kw = dev ? Py_BuildValue("{s:O,s:O}", "dtype",
                                       dtype == DT_BF16 ? T.bfloat16 : T.float32, "device", dev)
                       : NULL;
    PyObject *out = empty && args && kw ? PyObject_Call(empty, args, kw) : NULL;
    Py_XDECREF(empty);
    Py_XDECREF(dev);
    Py_XDECREF(args);
    Py_XDECREF(kw);
    Py_DECREF(size);
    if (!out)
        fail_from(PyExc_RuntimeError, cx, "allocating out with torch.empty");
    return out;
}

static PyObject *gemm_call(const char *fn, int mode, PyObject *a_obj, PyObject *b_obj,
                           PyObject *c_obj, PyObject *config, PyObject *stream_obj,
                           PyObject *out_dtype_obj)
{
    call cx = {fn};
    array arr[3];
    array *a = &arr[0], *b = &arr[1], *c = &arr[2];
    PyObject *result = NULL;
    char s1[160], s2[160], s3[160], s4[160];
    job j;
    stream_arg st;
    int want_out = DT_OTHER; /* gemm's out_dtype */
    int n_in = 2;            /* arrays the caller passed */
    int64_t M = 0, N = 0, K = 0, batch = 0;
    int nb = 0; /* batch dimensions (c's) */
    mat ma, mb, mc;
    uintptr_t clo, chi;

    /* gemm's out=None is "allocate"; micro_tk's c=None is an error (intake says so). */
    array_init(a, "a", a_obj);
    array_init(b, "b", b_obj);
    array_init(c, mode == MODE_GEMM ? "out" : "c",
               mode == MODE_GEMM && c_obj == Py_None ? NULL : c_obj);
    memset(&j, 0, sizeof j);
    j.device = -1;
    j.sync = mode == MODE_DISPATCH;

    if (parse_config(&cx, config, &j.cfg, NULL) < 0 ||
        parse_out_dtype(&cx, out_dtype_obj, &want_out) < 0 ||
        parse_stream(&cx, stream_obj, &st) < 0)
        goto done;

    /* ---- intake: where each array lives comes first, so "a is on the CPU"
     * is the error a CPU tensor gets, whatever else is wrong with it */
    if (c->obj)
        n_in = 3;
    for (int i = 0; i < n_in; i++)
        if (intake(&cx, &arr[i]) < 0)
            goto done;
    for (int i = 0; i < n_in; i++) {
        if (arr[i].device < 0)
            continue; /* __cuda_array_interface__: its pointer tells, in run_job */
        if (j.device < 0) {
            j.device = arr[i].device;
            j.device_from = arr[i].name;
        } else if (arr[i].device != j.device) {
            fail(PyExc_ValueError, &cx, "%s is on cuda:%d but %s is on cuda:%d", arr[i].name,
                 arr[i].device, j.device_from, j.device);
            goto done;
        }
    }

    /* ---- the stream: stream=, else PyTorch's current stream on the
     * tensors' device when any argument is a torch tensor, else the legacy
     * default stream */
    if (st.given) {
        j.stream = st.handle;
        if (st.device >= 0 && j.device >= 0 && st.device != j.device) {
            fail(PyExc_ValueError, &cx, "stream is on cuda:%d but %s is on cuda:%d", st.device,
                 j.device_from, j.device);
            goto done;
        }
    } else {
        int any_torch = 0;
        for (int i = 0; i < n_in; i++)
            any_torch |= arr[i].source == SRC_TORCH;
        j.stream = 0;
        if (any_torch && torch_current_stream(&cx, j.device, &j.stream) < 0)
            goto done;
    }
    /* DLPack producers order their pending writes before this stream. */
    for (int i = 0; i < n_in; i++)
        if (arr[i].source == SRC_DLPACK && export_dlpack(&cx, &arr[i], j.stream) < 0)
            goto done;

    /* ---- dtypes */
    for (int i = 0; i < 2; i++)
        if (arr[i].dtype != DT_BF16) {
            fail(PyExc_TypeError, &cx, "%s must be bfloat16, got %s", arr[i].name,
                 arr[i].dtype_name);
            goto done;
        }
    if (c->obj) {
        if (mode != MODE_GEMM && c->dtype != DT_F32) {
            fail(PyExc_TypeError, &cx,
                 "c must be float32, got %s (it is written in fp32, as the seed's; "
                 "tk_kernel.gemm(a, b, out_dtype=torch.bfloat16) writes bf16)",
                 c->dtype_name);
            goto done;
        }
        if (c->dtype != DT_F32 && c->dtype != DT_BF16) {
            fail(PyExc_TypeError, &cx, "out must be float32 or bfloat16, got %s", c->dtype_name);
            goto done;
        }
        if (want_out != DT_OTHER && want_out != c->dtype) {
            fail(PyExc_TypeError, &cx, "out is %s but out_dtype is %s", c->dtype_name,
                 want_out == DT_F32 ? "float32" : "bfloat16");
            goto done;
        }
        if (c->readonly) {
            fail(PyExc_ValueError, &cx, "%s is read-only", c->name);
            goto done;
        }
    }

    /* ---- shapes: a (…, M, K), b (…, N, K), c (…, M, N) */
    for (int i = 0; i < n_in; i++)
        if (arr[i].ndim < 2) {
            fail(PyExc_ValueError, &cx, "%s must have at least 2 dimensions (%s), got shape %s",
                 arr[i].name, i == 0 ? "M, K" : i == 1 ? "N, K" : "M, N",
                 shape_text(arr[i].shape, arr[i].ndim, s1, sizeof s1));
            goto done;
        }
    M = a->shape[a->ndim - 2];
    K = a->shape[a->ndim - 1];
    N = b->shape[b->ndim - 2];
    if (b->shape[b->ndim - 1] != K) {
        fail(PyExc_ValueError, &cx,
             "b has K=%lld but a has K=%lld: a is (..., M, K) and b is (..., N, K) "
             "(a shape %s, b shape %s)",
             (long long)b->shape[b->ndim - 1], (long long)K,
             shape_text(a->shape, a->ndim, s1, sizeof s1),
             shape_text(b->shape, b->ndim, s2, sizeof s2));
        goto done;
    }

    /* The batch shape is c's; without c, a's or b's. A 2-D a or b is one
     * matrix shared by every batch item; otherwise batch shapes must match. */
    if (c->obj) {
        const int64_t *bshape = c->shape;
        nb = c->ndim - 2;
        if (c->shape[c->ndim - 2] != M || c->shape[c->ndim - 1] != N) {
            fail(PyExc_ValueError, &cx,
                 "%s must have shape (..., M, N) = (..., %lld, %lld) for a of shape %s and b of "
                 "shape %s, got %s",
                 c->name, (long long)M, (long long)N,
                 shape_text(a->shape, a->ndim, s1, sizeof s1),
                 shape_text(b->shape, b->ndim, s2, sizeof s2),
                 shape_text(c->shape, c->ndim, s3, sizeof s3));
            goto done;
        }
        for (int i = 0; i < 2; i++)
            if (arr[i].ndim > 2 && !same_batch(&arr[i], bshape, nb)) {
                fail(PyExc_ValueError, &cx,
                     "%s has batch shape %s but %s has %s (shapes %s and %s); batch dimensions "
                     "must match, or %s be 2-D to share one matrix",
                     arr[i].name, shape_text(arr[i].shape, arr[i].ndim - 2, s1, sizeof s1),
                     c->name, shape_text(bshape, nb, s2, sizeof s2),
                     shape_text(arr[i].shape, arr[i].ndim, s3, sizeof s3),
                     shape_text(c->shape, c->ndim, s4, sizeof s4), arr[i].name);
                goto done;
            }
    } else {
        if (a->ndim > 2 && b->ndim > 2 && !same_batch(b, a->shape, a->ndim - 2)) {
            fail(PyExc_ValueError, &cx,
                 "b has batch shape %s but a has %s; batch dimensions must match, or one "
                 "operand be 2-D to share one matrix",
                 shape_text(b->shape, b->ndim - 2, s1, sizeof s1),
                 shape_text(a->shape, a->ndim - 2, s2, sizeof s2));
            goto done;
        }
        const array *ref = a->ndim > 2 ? a : b;
        int64_t oshape[MAX_DIMS];
        nb = ref->ndim - 2;
        for (int i = 0; i < nb; i++)
            oshape[i] = ref->shape[i];
        oshape[nb] = M;
        oshape[nb + 1] = N;

        /* gemm allocates out like the torch tensor among its inputs */
        const array *like = a->source == SRC_TORCH ? a : b->source == SRC_TORCH ? b : NULL;
        if (!like || !torch_loaded()) {
            fail(PyExc_TypeError, &cx,
                 "pass out= when a and b are not PyTorch tensors (tk_kernel allocates outputs "
                 "with torch.empty)");
            goto done;
        }
        PyObject *out = make_torch_out(&cx, like, oshape, nb + 2,
                                       want_out == DT_OTHER ? DT_F32 : want_out);
        if (!out)
            goto done;
        c->owned_obj = out;
        c->obj = out;
        if (intake(&cx, c) < 0)
            goto done;
        if (j.device < 0) {
            j.device = c->device;
            j.device_from = c->name;
        }
    }

    /* ---- layouts: row-major matrices, padded rows allowed, one batch stride */
    for (int i = 0; i < 3; i++)
        if (check_strides_sign(&cx, &arr[i]) < 0)
            goto done;
    if (matrix_layout(&cx, a, &ma) < 0 || matrix_layout(&cx, b, &mb) < 0 ||
        matrix_layout(&cx, c, &mc) < 0)
        goto done;
    batch = mc.batch;
    if (M == 0 || N == 0 || batch == 0) {
        result = mode == MODE_GEMM ? c->obj : Py_None; /* nothing to write */
        Py_INCREF(result);
        goto done;
    }
    if (K == 0) {
        fail(PyExc_ValueError, &cx, "K is 0 (a shape %s); tk_kernel needs K >= 1",
             shape_text(a->shape, a->ndim, s1, sizeof s1));
        goto done;
    }
    for (int i = 0; i < 3; i++)
        if (check_pointer(&cx, &arr[i]) < 0)
            goto done;
    if (batch > 1 && mc.bstride < (M - 1) * mc.ld + N) {
        fail(PyExc_ValueError, &cx,
             "%s: batch items overlap (batch stride %lld < (M-1)*ld+N = %lld); every batch item "
             "needs its own memory (shape %s, strides %s)",
             c->name, (long long)mc.bstride, (long long)((M - 1) * mc.ld + N),
             shape_text(c->shape, c->ndim, s1, sizeof s1),
             shape_text(c->strides, c->ndim, s2, sizeof s2));
        goto done;
    }
    if (array_span(c, &clo, &chi))
        for (int i = 0; i < 2; i++) {
            uintptr_t lo, hi;
            if (array_span(&arr[i], &lo, &hi) && lo < chi && clo < hi) {
                fail(PyExc_ValueError, &cx,
                     "%s overlaps %s in memory; the output must not alias an input", c->name,
                     arr[i].name);
                goto done;
            }
        }

    /* ---- launch, without the GIL */
    j.args = tg_gemm_args_default();
    j.args.a = (const void *)a->data;
    j.args.b = (const void *)b->data;
    j.args.c = (void *)c->data;
    j.args.m = M;
    j.args.n = N;
    j.args.k = K;
    j.args.lda = ma.ld;
    j.args.ldb = mb.ld;
    j.args.ldc = mc.ld;
    j.args.c_dtype = c->dtype == DT_BF16 ? TG_DTYPE_BF16 : TG_DTYPE_F32;
    j.args.batch = batch;
    j.args.stride_a = ma.batch > 1 ? ma.bstride : 0;
    j.args.stride_b = mb.batch > 1 ? mb.bstride : 0;
    j.args.stride_c = batch > 1 ? mc.bstride : 0;
    for (int i = 0; i < 3; i++)
        j.arrays[i] = &arr[i];
    j.n_arrays = 3;
    Py_BEGIN_ALLOW_THREADS
    run_job(&j);
    Py_END_ALLOW_THREADS
    if (j.err != ERR_NONE) {
        fail(j.err == ERR_VALUE ? PyExc_ValueError : PyExc_RuntimeError, &cx, "%s", j.msg);
        goto done;
    }
    result = mode == MODE_GEMM ? c->obj : Py_None;
    Py_INCREF(result);

done:
    release_arrays(arr, 3);
    return result;
}

/* ------------------------------------------------------------------------
 * Python functions
 * ---------------------------------------------------------------------- */

PyDoc_STRVAR(micro_tk_doc,
"micro_tk(a, b, c, *, config=None, stream=None)\n"
"--\n\n"
"c = a @ b.T, launched asynchronously (the seed's micro_tk).\n\n"
"a: bfloat16 (..., M, K); b: bfloat16 (..., N, K); c: float32 (..., M, N),\n"
"all CUDA arrays on one device, row-major with padded rows allowed. Leading\n"
"dimensions run as a batched GEMM (a 2-D a or b is shared by every item).\n"
"The work is ordered on PyTorch's current stream for torch tensors (the\n"
"legacy default stream otherwise), or on stream= (an int cudaStream_t, a\n"
"torch.cuda.Stream, ...). config: a preset name or 'key=value,...' (see\n"
"configs()); None uses default_config().");

static PyObject *py_micro_tk(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"a", "b", "c", "config", "stream", NULL};
    PyObject *a, *b, *c, *config = Py_None, *stream = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OOO|$OO:micro_tk", kwlist, &a, &b, &c, &config,
                                     &stream))
        return NULL;
    return gemm_call("tk_kernel.micro_tk", MODE_MICRO, a, b, c, config, stream, NULL);
}

PyDoc_STRVAR(dispatch_micro_doc,
"dispatch_micro(a, b, c, *, config=None, stream=None)\n"
"--\n\n"
"c = a @ b.T, then wait for it (the seed's dispatch_micro: set the\n"
"shared-memory limit, launch, synchronize). Arguments as micro_tk; the\n"
"stream it launched on is synchronized with the GIL released, and a kernel\n"
"failure is raised as RuntimeError.");

static PyObject *py_dispatch_micro(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"a", "b", "c", "config", "stream", NULL};
    PyObject *a, *b, *c, *config = Py_None, *stream = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OOO|$OO:dispatch_micro", kwlist, &a, &b, &c,
                                     &config, &stream))
        return NULL;
    return gemm_call("tk_kernel.dispatch_micro", MODE_DISPATCH, a, b, c, config, stream, NULL);
}

PyDoc_STRVAR(gemm_doc,
"gemm(a, b, out=None, *, config=None, out_dtype=None, stream=None)\n"
"--\n\n"
"Return out = a @ b.T (asynchronous, like micro_tk).\n\n"
"a: bfloat16 (..., M, K); b: bfloat16 (..., N, K). out: float32 or bfloat16\n"
"(..., M, N); when None it is allocated with torch.empty on the inputs'\n"
"device (torch tensors only) with out_dtype (torch.float32 by default, or\n"
"torch.bfloat16). Batch dimensions of a and b must match, or one of them be\n"
"2-D to be shared.");

static PyObject *py_gemm(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"a", "b", "out", "config", "out_dtype", "stream", NULL};
    PyObject *a, *b, *out = Py_None, *config = Py_None, *out_dtype = Py_None, *stream = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|O$OOO:gemm", kwlist, &a, &b, &out, &config,
                                     &out_dtype, &stream))
        return NULL;
    return gemm_call("tk_kernel.gemm", MODE_GEMM, a, b, out, config, stream, out_dtype);
}

/* ---- configurations and their plans -------------------------------------- */

static int put(PyObject *d, const char *key, PyObject *v)
{
    if (!v)
        return -1;
    int r = PyDict_SetItemString(d, key, v);
    Py_DECREF(v);
    return r;
}

#define PUT_INT(d, key, v) put(d, key, PyLong_FromLongLong((long long)(v)))
#define PUT_STR(d, key, v) put(d, key, PyUnicode_FromString(v))

/* The configuration and everything its tile plan derives, as a dict. */
static PyObject *plan_dict(const tg_config *cfg, int compiled, int with_tiles)
{
    const tg_tile *t = &cfg->tile;
    char params[512];
    if (tg_config_format(cfg, params, sizeof params) != TG_SUCCESS)
        snprintf(params, sizeof params, "?");
    PyObject *d = PyDict_New();
    if (!d)
        return NULL;
    int am = tg_plan_acc_m(t), an = tg_plan_acc_n(t);
    int bad = PUT_STR(d, "name", cfg->name) || PUT_STR(d, "params", params) ||
              put(d, "compiled", PyBool_FromLong(compiled)) ||
              put(d, "default", PyBool_FromLong(!strcmp(cfg->name, default_config.name) &&
                                                compiled)) ||
              PUT_INT(d, "block_m", t->block_m) || PUT_INT(d, "block_n", t->block_n) ||
              PUT_INT(d, "k_step", t->k_step) ||
              PUT_INT(d, "dot_slice_shared", t->dot_slice_shared) ||
              PUT_INT(d, "dot_slice", t->dot_slice) ||
              PUT_INT(d, "reg_block_m", t->reg_block_m) ||
              PUT_INT(d, "reg_block_n", t->reg_block_n) || PUT_INT(d, "warps_m", t->warps_m) ||
              PUT_INT(d, "warps_n", t->warps_n) ||
              PUT_STR(d, "layout",
                      t->layout == TG_LAYOUT_INTERLEAVED ? "interleaved" : "contiguous") ||
              PUT_STR(d, "pipe", t->pipe == TG_PIPE_CP_ASYNC ? "cp_async" : "regs") ||
              PUT_INT(d, "stages", t->stages) || PUT_INT(d, "min_blocks", t->min_blocks) ||
              PUT_INT(d, "raster", t->raster) ||
              /* derived */
              PUT_INT(d, "threads", tg_plan_threads(t)) || PUT_INT(d, "warps", tg_plan_warps(t)) ||
              PUT_INT(d, "warp_tile_m", tg_plan_warp_tile_m(t)) ||
              PUT_INT(d, "warp_tile_n", tg_plan_warp_tile_n(t)) || PUT_INT(d, "acc_m", am) ||
              PUT_INT(d, "acc_n", an) || PUT_INT(d, "accumulators", am * an) ||
              PUT_INT(d, "acc_regs", tg_plan_acc_regs(t)) ||
              PUT_INT(d, "mma_tiles_m", TG_MMA_TILES_M(t->reg_block_m)) ||
              PUT_INT(d, "mma_tiles_n", TG_MMA_TILES_N(t->reg_block_n)) ||
              PUT_INT(d, "slices_per_step", tg_plan_slices_per_step(t)) ||
              PUT_INT(d, "dots_per_slice", t->dot_slice_shared / t->dot_slice) ||
              PUT_INT(d, "smem_bytes", tg_plan_smem_bytes(t)) ||
              PUT_INT(d, "load_vecs_a",
                      TG_LOAD_VECS(t->block_m, t->dot_slice_shared, t->warps_m, t->warps_n)) ||
              PUT_INT(d, "load_vecs_b",
                      TG_LOAD_VECS(t->block_n, t->dot_slice_shared, t->warps_m, t->warps_n));
    if (!bad && with_tiles) {
        /* (warp, i, j, C row, C column) of every accumulator, in the block */
        PyObject *tiles = PyList_New(0);
        int err = tiles == NULL;
        for (int w = 0; !err && w < tg_plan_warps(t); w++) {
            int wr = tg_plan_warp_row(t, w), wc = tg_plan_warp_col(t, w);
            for (int i = 0; !err && i < am; i++)
                for (int jj = 0; !err && jj < an; jj++) {
                    tg_rc64 rc = tg_plan_c_tile(t, 0, 0, wr, wc, i, jj);
                    PyObject *tup = Py_BuildValue("(iiiLL)", w, i, jj, (long long)rc.row,
                                                  (long long)rc.col);
                    err = !tup || PyList_Append(tiles, tup) < 0;
                    Py_XDECREF(tup);
                }
        }
        if (err)
            Py_XDECREF(tiles);
        bad = err || put(d, "tiles", tiles) < 0; /* put consumes tiles */
    }
    if (bad) {
        Py_DECREF(d);
        return NULL;
    }
    return d;
}

PyDoc_STRVAR(configs_doc,
"configs()\n"
"--\n\n"
"The compiled configurations, as a list of dicts: name, params (the\n"
"parameter string), compiled, default, the tile parameters (block_m, block_n,\n"
"k_step, dot_slice_shared, dot_slice, reg_block_m, reg_block_n, warps_m,\n"
"warps_n, layout, pipe, stages, min_blocks, raster) and the derived plan\n"
"(threads, warps, warp_tile_m, warp_tile_n, acc_m, acc_n, accumulators per\n"
"warp, acc_regs per thread, mma_tiles_m/n per accumulator, slices_per_step,\n"
"dots_per_slice, smem_bytes, load_vecs_a/b per thread and slice).");

static PyObject *py_configs(PyObject *self, PyObject *noargs)
{
    int n = tg_config_count();
    PyObject *list = PyList_New(0);
    for (int i = 0; list && i < n; i++) {
        tg_config cfg;
        if (tg_config_get(i, &cfg) != TG_SUCCESS) {
            PyErr_Format(PyExc_RuntimeError, "tk_kernel.configs: %s", tg_last_error());
            Py_CLEAR(list);
            break;
        }
        PyObject *d = plan_dict(&cfg, 1, 0);
        if (!d || PyList_Append(list, d) < 0)
            Py_CLEAR(list);
        Py_XDECREF(d);
    }
    return list;
}

PyDoc_STRVAR(plan_doc,
"plan(config=None)\n"
"--\n\n"
"The tile plan of one configuration (a preset name or 'key=value,...'; None\n"
"is the default): the dict of configs() plus 'tiles', the (warp, i, j, row,\n"
"col) of every accumulator tile in the block. Valid parameters without a\n"
"compiled kernel give compiled=False; invalid ones raise ValueError.");

static PyObject *py_plan(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"config", NULL};
    PyObject *config = Py_None;
    call cx = {"tk_kernel.plan"};
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|O:plan", kwlist, &config))
        return NULL;
    tg_config cfg;
    int compiled = 0;
    if (parse_config(&cx, config, &cfg, &compiled) < 0)
        return NULL;
    return plan_dict(&cfg, compiled, 1);
}

PyDoc_STRVAR(kernel_info_doc,
"kernel_info(config=None)\n"
"--\n\n"
"Resources of a compiled kernel on the current device (needs a GPU): a dict\n"
"of registers, local_bytes (spills), static_smem, dynamic_smem, max_threads\n"
"and blocks_per_sm.");

static PyObject *py_kernel_info(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"config", NULL};
    PyObject *config = Py_None;
    call cx = {"tk_kernel.kernel_info"};
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|O:kernel_info", kwlist, &config))
        return NULL;
    tg_config cfg;
    if (parse_config(&cx, config, &cfg, NULL) < 0)
        return NULL;
    tg_kernel_info info;
    tg_status s;
    char msg[MSG];
    Py_BEGIN_ALLOW_THREADS
    s = tg_kernel_get_info(&cfg, &info);
    if (s != TG_SUCCESS)
        snprintf(msg, sizeof msg, "%s", tg_last_error());
    Py_END_ALLOW_THREADS
    if (s != TG_SUCCESS)
        return fail(status_exception(s), &cx, "%s", msg), NULL;
    PyObject *d = PyDict_New();
    if (!d)
        return NULL;
    if (PUT_STR(d, "name", cfg.name) || PUT_INT(d, "registers", info.registers) ||
        PUT_INT(d, "local_bytes", info.local_bytes) ||
        PUT_INT(d, "static_smem", info.static_smem) ||
        PUT_INT(d, "dynamic_smem", info.dynamic_smem) ||
        PUT_INT(d, "max_threads", info.max_threads) ||
        PUT_INT(d, "blocks_per_sm", info.blocks_per_sm)) {
        Py_DECREF(d);
        return NULL;
    }
    return d;
}

PyDoc_STRVAR(default_config_doc,
"default_config()\n"
"--\n\n"
"The name of the configuration used when config=None.");

static PyObject *py_default_config(PyObject *self, PyObject *noargs)
{
    return PyUnicode_FromString(default_config.name);
}

PyDoc_STRVAR(set_default_config_doc,
"set_default_config(config)\n"
"--\n\n"
"Use this compiled configuration when config=None (for this process), so\n"
"scripts that call micro_tk(a, b, c) unchanged can run another kernel.");

static PyObject *py_set_default_config(PyObject *self, PyObject *arg)
{
    call cx = {"tk_kernel.set_default_config"};
    tg_config cfg;
    if (arg == Py_None)
        return fail(PyExc_TypeError, &cx, "config must be a str, got None"), NULL;
    if (parse_config(&cx, arg, &cfg, NULL) < 0)
        return NULL;
    default_config = cfg;
    Py_RETURN_NONE;
}

PyDoc_STRVAR(device_count_doc,
"device_count()\n"
"--\n\n"
"CUDA devices visible to the CUDA runtime (0 without a GPU or driver).");

static PyObject *py_device_count(PyObject *self, PyObject *noargs)
{
    int count = 0;
    cudaError_t e;
    Py_BEGIN_ALLOW_THREADS
    e = cudaGetDeviceCount(&count);
    if (e != cudaSuccess)
        cudaGetLastError();
    Py_END_ALLOW_THREADS
    return PyLong_FromLong(e == cudaSuccess ? count : 0);
}

static PyMethodDef methods[] = {
    {"micro_tk", (PyCFunction)(void (*)(void))py_micro_tk, METH_VARARGS | METH_KEYWORDS,
     micro_tk_doc},
    {"dispatch_micro", (PyCFunction)(void (*)(void))py_dispatch_micro,
     METH_VARARGS | METH_KEYWORDS, dispatch_micro_doc},
    {"gemm", (PyCFunction)(void (*)(void))py_gemm, METH_VARARGS | METH_KEYWORDS, gemm_doc},
    {"configs", py_configs, METH_NOARGS, configs_doc},
    {"plan", (PyCFunction)(void (*)(void))py_plan, METH_VARARGS | METH_KEYWORDS, plan_doc},
    {"kernel_info", (PyCFunction)(void (*)(void))py_kernel_info, METH_VARARGS | METH_KEYWORDS,
     kernel_info_doc},
    {"default_config", py_default_config, METH_NOARGS, default_config_doc},
    {"set_default_config", py_set_default_config, METH_O, set_default_config_doc},
    {"device_count", py_device_count, METH_NOARGS, device_count_doc},
    {NULL, NULL, 0, NULL},
};

PyDoc_STRVAR(module_doc,
"tk_kernel._C — the seed's tk_kernel module over tilegemm (C API).\n\n"
"Errors: TypeError for arguments that are not usable CUDA arrays or have the\n"
"wrong dtype; ValueError for shapes, strides, alignment, devices and\n"
"configurations; RuntimeError for no (or an unsupported) GPU and CUDA errors.");

static void module_free(void *m) { torch_forget(); }

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "tk_kernel._C",
    .m_doc = module_doc,
    .m_size = -1,
    .m_methods = methods,
    .m_free = module_free,
};

PyMODINIT_FUNC PyInit__C(void)
{
    if (intern_names() < 0)
        return NULL;
    /* The default configuration; the first compiled one if split8 is gone. */
    if (tg_config_parse(TK_DEFAULT_CONFIG, &default_config) != TG_SUCCESS &&
        tg_config_get(0, &default_config) != TG_SUCCESS) {
        PyErr_Format(PyExc_ImportError, "tk_kernel: no compiled configuration: %s",
                     tg_last_error());
        return NULL;
    }
    PyObject *m = PyModule_Create(&module);
    if (!m)
        return NULL;
    char version[32];
    snprintf(version, sizeof version, "%d.%d", TG_VERSION_MAJOR, TG_VERSION_MINOR);
    if (PyModule_AddStringConstant(m, "__version__", version) < 0 ||
        PyModule_AddStringConstant(m, "DEFAULT_CONFIG", TK_DEFAULT_CONFIG) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
