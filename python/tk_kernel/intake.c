/*
 * intake.c — arrays, whatever produced them: PyTorch tensors (read through
 * their own attributes), DLPack producers (__dlpack__) and
 * __cuda_array_interface__ objects, each read into one tk_array; and a
 * tk_array's last two dimensions as a matrix with one batch stride
 * (tk_matrix).
 *
 * Why PyTorch tensors skip the protocols: torch's __dlpack__ refuses tensors
 * that require grad or live on a device other than the current one, and its
 * __cuda_array_interface__ spelled bfloat16 "<f2" (= float16) before 2.6.
 * Reading the tensor's own attributes has neither problem and costs less.
 *
 * Only the description is checked here (what only Python sees): that it is
 * a CUDA array, its dtype name, well-formed shapes and strides (no negative
 * dimension or stride). Pointers, alignment, sizes and overlap are
 * tg_gemm's to check.
 */
#include "tk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
 * torch, as found in sys.modules
 * ---------------------------------------------------------------------- */

tk_torch tk_T;

void tk_torch_forget(void)
{
    Py_CLEAR(tk_T.module);
    Py_CLEAR(tk_T.Tensor);
    Py_CLEAR(tk_T.bfloat16);
    Py_CLEAR(tk_T.float32);
    Py_CLEAR(tk_T.strided);
    Py_CLEAR(tk_T.raw_stream);
}

PyObject *tk_torch_loaded(void)
{
    PyObject *m = PyDict_GetItemWithError(PyImport_GetModuleDict(), tk_S.torch);
    if (!m || m == Py_None) {
        PyErr_Clear();
        return NULL;
    }
    if (m == tk_T.module)
        return m;
    tk_torch_forget();
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
    tk_T.Tensor = tensor;
    tk_T.bfloat16 = bf16;
    tk_T.float32 = f32;
    tk_T.strided = strided;
    PyObject *c = PyObject_GetAttrString(m, "_C");
    tk_T.raw_stream = c ? PyObject_GetAttrString(c, "_cuda_getCurrentRawStream") : NULL;
    Py_XDECREF(c);
    PyErr_Clear();
    Py_INCREF(m);
    tk_T.module = m;
    return m;
}

/* ------------------------------------------------------------------------
 * tk_array
 * ---------------------------------------------------------------------- */

void tk_array_init(tk_array *x, const char *name, PyObject *obj)
{
    memset(x, 0, sizeof *x);
    x->name = name;
    x->obj = obj;
    x->device = -1;
}

static void array_release(tk_array *x)
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

/* DLPack deleters and the last reference to an output may run Python code,
 * which must not see the call's pending exception: it is set aside. */
void tk_release_arrays(tk_array *arr, int n)
{
    PyObject *pending = tk_take_exception();
    for (int i = 0; i < n; i++)
        array_release(&arr[i]);
    if (PyErr_Occurred())
        PyErr_WriteUnraisable(NULL); /* a deleter that raised */
    tk_restore_exception(pending);
}

static void set_dtype(tk_array *x, int dtype, const char *name)
{
    x->dtype = dtype;
    snprintf(x->dtype_name, sizeof x->dtype_name, "%s", name);
}

/* Row-major strides for arrays that give none. */
static void compact_strides(tk_array *x)
{
    int64_t s = 1;
    for (int i = x->ndim - 1; i >= 0; i--) {
        x->strides[i] = s;
        s *= x->shape[i] > 0 ? x->shape[i] : 1;
    }
}

static int too_many_dims(const tk_call *cx, const tk_array *x, long long n)
{
    return tk_fail(PyExc_ValueError, cx, "%s has %lld dimensions; at most %d are supported",
                   x->name, n, TK_MAX_DIMS);
}

/* A value of a description (shape: "dimension", strides: "stride") must not be negative. */
static int negative(const tk_call *cx, const tk_array *x, const char *what, const char *item,
                    long long v)
{
    return tk_fail(PyExc_ValueError, cx, "%s: %s has a negative %s %lld%s", x->name, what, item,
                   v, strcmp(item, "stride") ? "" : " (reversed views are not supported: pass a copy)");
}

/* A tuple or list of Python ints ≥ 0 into out[]; the count, or -1 with an exception. */
static int read_ints(const tk_call *cx, const tk_array *x, const char *what, const char *item,
                     PyObject *seq, int64_t *out)
{
    PyObject *fast = PySequence_Fast(seq, "");
    if (!fast) {
        PyErr_Clear();
        return tk_fail(PyExc_TypeError, cx, "%s: %s must be a tuple of ints, got %s", x->name,
                       what, Py_TYPE(seq)->tp_name);
    }
    Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
    if (n > TK_MAX_DIMS) {
        Py_DECREF(fast);
        return too_many_dims(cx, x, (long long)n);
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *v = PySequence_Fast_GET_ITEM(fast, i);
        PyObject *iv = PyNumber_Index(v); /* ints, and int-like scalars (__index__) */
        if (!iv) {
            PyErr_Clear();
            Py_DECREF(fast);
            return tk_fail(PyExc_TypeError, cx, "%s: %s[%zd] must be an int, got %s", x->name,
                           what, i, Py_TYPE(v)->tp_name);
        }
        long long value = PyLong_AsLongLong(iv);
        Py_DECREF(iv);
        if (value == -1 && PyErr_Occurred()) {
            PyErr_Clear();
            Py_DECREF(fast);
            return tk_fail(PyExc_ValueError, cx, "%s: %s[%zd] does not fit 64 bits", x->name,
                           what, i);
        }
        if (value < 0) {
            Py_DECREF(fast);
            return negative(cx, x, what, item, value);
        }
        out[i] = value;
    }
    Py_DECREF(fast);
    return (int)n;
}

/* ------------------------------------------------------------------------
 * PyTorch tensors
 * ---------------------------------------------------------------------- */

static int intake_torch(const tk_call *cx, tk_array *x)
{
    PyObject *o = x->obj;
    char buf[64];
    x->source = TK_SRC_TORCH;

    PyObject *v = PyObject_GetAttr(o, tk_S.is_cuda);
    int cuda = v ? PyObject_IsTrue(v) : -1;
    Py_XDECREF(v);
    if (cuda < 0)
        return tk_fail_from(PyExc_TypeError, cx, "%s: reading is_cuda", x->name);
    PyObject *dev = PyObject_GetAttr(o, tk_S.device);
    if (!dev)
        return tk_fail_from(PyExc_TypeError, cx, "%s: reading device", x->name);
    if (!cuda) {
        PyObject *t = PyObject_GetAttr(dev, tk_S.type);
        tk_text_of(t, buf, sizeof buf);
        Py_XDECREF(t);
        Py_DECREF(dev);
        if (!strcmp(buf, "cpu"))
            return tk_fail(PyExc_TypeError, cx, "%s is on the CPU; pass a CUDA tensor (%s.cuda())",
                           x->name, x->name);
        return tk_fail(PyExc_TypeError, cx, "%s is on device '%s'; pass a CUDA tensor", x->name,
                       buf);
    }
    PyObject *idx = PyObject_GetAttr(dev, tk_S.index);
    Py_DECREF(dev);
    if (!idx)
        return tk_fail_from(PyExc_TypeError, cx, "%s: reading device.index", x->name);
    x->device = idx == Py_None ? 0 : (int)PyLong_AsLong(idx);
    Py_DECREF(idx);
    if (PyErr_Occurred())
        return tk_fail_from(PyExc_TypeError, cx, "%s: reading device.index", x->name);

    v = PyObject_GetAttr(o, tk_S.layout);
    if (!v)
        return tk_fail_from(PyExc_TypeError, cx, "%s: reading layout", x->name);
    if (v != tk_T.strided) {
        tk_text_of(v, buf, sizeof buf);
        Py_DECREF(v);
        return tk_fail(PyExc_TypeError, cx,
                       "%s has layout %s; pass a dense (torch.strided) tensor", x->name, buf);
    }
    Py_DECREF(v);

    v = PyObject_GetAttr(o, tk_S.dtype);
    if (!v)
        return tk_fail_from(PyExc_TypeError, cx, "%s: reading dtype", x->name);
    if (v == tk_T.bfloat16)
        set_dtype(x, TK_DT_BF16, "bfloat16");
    else if (v == tk_T.float32)
        set_dtype(x, TK_DT_F32, "float32");
    else {
        tk_text_of(v, buf, sizeof buf);
        set_dtype(x, TK_DT_OTHER, strncmp(buf, "torch.", 6) ? buf : buf + 6);
    }
    Py_DECREF(v);

    /* A lazily negated view (torch._neg_view) holds the un-negated values. */
    v = PyObject_CallMethodNoArgs(o, tk_S.is_neg);
    int neg = v ? PyObject_IsTrue(v) : 0;
    Py_XDECREF(v);
    PyErr_Clear();
    if (neg > 0)
        return tk_fail(PyExc_ValueError, cx,
                       "%s has its negative bit set (a lazy negation view); pass %s.resolve_neg()",
                       x->name, x->name);

    v = PyObject_GetAttr(o, tk_S.shape);
    if (!v)
        return tk_fail_from(PyExc_TypeError, cx, "%s: reading shape", x->name);
    int n = read_ints(cx, x, "shape", "dimension", v, x->shape);
    Py_DECREF(v);
    if (n < 0)
        return -1;
    x->ndim = n;
    v = PyObject_CallMethodNoArgs(o, tk_S.stride);
    if (!v)
        return tk_fail_from(PyExc_TypeError, cx, "%s: reading stride()", x->name);
    int ns = read_ints(cx, x, "stride()", "stride", v, x->strides);
    Py_DECREF(v);
    if (ns < 0)
        return -1;
    if (ns != n)
        return tk_fail(PyExc_ValueError, cx, "%s has %d sizes but %d strides", x->name, n, ns);
    v = PyObject_CallMethodNoArgs(o, tk_S.data_ptr);
    if (!v)
        return tk_fail_from(PyExc_TypeError, cx, "%s: reading data_ptr()", x->name);
    x->data = (uintptr_t)PyLong_AsVoidPtr(v);
    Py_DECREF(v);
    if (PyErr_Occurred())
        return tk_fail_from(PyExc_TypeError, cx, "%s: reading data_ptr()", x->name);
    return 0;
}

/* ------------------------------------------------------------------------
 * DLPack
 * ---------------------------------------------------------------------- */

/* __dlpack_device__(): CUDA (or managed) memory only. */
static int probe_dlpack(const tk_call *cx, tk_array *x)
{
    x->source = TK_SRC_DLPACK;
    PyObject *r = PyObject_CallMethodNoArgs(x->obj, tk_S.dlpack_device);
    if (!r)
        return tk_fail_from(PyExc_TypeError, cx, "%s.__dlpack_device__() failed", x->name);
    long type = -1, id = -1;
    if (PyTuple_Check(r) && PyTuple_GET_SIZE(r) == 2) {
        type = PyLong_AsLong(PyTuple_GET_ITEM(r, 0));
        id = PyLong_AsLong(PyTuple_GET_ITEM(r, 1));
    }
    Py_DECREF(r);
    if (PyErr_Occurred() || type < 0) {
        PyErr_Clear();
        return tk_fail(PyExc_TypeError, cx,
                       "%s.__dlpack_device__() must return a (device_type, device_id) tuple of "
                       "ints",
                       x->name);
    }
    switch (type) {
    case kDLCUDA:
    case kDLCUDAManaged:
        if (id < 0 || id > 1 << 20)
            return tk_fail(PyExc_ValueError, cx,
                           "%s: DLPack device id %ld is not a CUDA ordinal", x->name, id);
        x->device = (int)id;
        return 0;
    case kDLCPU:
        return tk_fail(PyExc_TypeError, cx, "%s is on the CPU; pass a CUDA tensor or array",
                       x->name);
    case kDLCUDAHost:
        return tk_fail(PyExc_TypeError, cx,
                       "%s is pinned host memory (DLPack kDLCUDAHost); pass CUDA device memory",
                       x->name);
    case kDLROCM:
    case kDLROCMHost:
        return tk_fail(PyExc_TypeError, cx,
                       "%s is on a ROCm device; tk_kernel runs on NVIDIA CUDA devices", x->name);
    default:
        return tk_fail(PyExc_TypeError, cx, "%s is on DLPack device type %ld, not a CUDA device",
                       x->name, type);
    }
}

static void dlpack_dtype(tk_array *x, DLDataType t)
{
    if (t.lanes == 1 && t.code == kDLBfloat && t.bits == 16) {
        set_dtype(x, TK_DT_BF16, "bfloat16");
        return;
    }
    if (t.lanes == 1 && t.code == kDLFloat && t.bits == 32) {
        set_dtype(x, TK_DT_F32, "float32");
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
    set_dtype(x, TK_DT_OTHER, name);
}

/* The capsule's tensor, taken (renamed "used_..."), or NULL with an exception. */
static DLTensor *take_capsule(const tk_call *cx, tk_array *x, PyObject *cap)
{
    if (PyCapsule_IsValid(cap, "dltensor")) {
        DLManagedTensor *m = PyCapsule_GetPointer(cap, "dltensor");
        if (m && PyCapsule_SetName(cap, "used_dltensor") == 0) {
            x->dl = m;
            x->dl_versioned = 0;
            return &m->dl_tensor;
        }
    } else if (PyCapsule_IsValid(cap, "dltensor_versioned")) {
        DLManagedTensorVersioned *m = PyCapsule_GetPointer(cap, "dltensor_versioned");
        if (m && PyCapsule_SetName(cap, "used_dltensor_versioned") == 0) {
            x->dl = m;
            x->dl_versioned = 1;
            x->readonly = (m->flags & DLPACK_FLAG_READ_ONLY) != 0;
            if (m->version.major > 1) {
                tk_fail(PyExc_TypeError, cx,
                        "%s: DLPack version %u.%u is newer than tk_kernel reads (1.x)", x->name,
                        m->version.major, m->version.minor);
                return NULL;
            }
            return &m->dl_tensor;
        }
    } else if (PyCapsule_CheckExact(cap)) {
        const char *cn = PyCapsule_GetName(cap);
        PyErr_Clear();
        tk_fail(PyExc_TypeError, cx,
                "%s.__dlpack__() returned a capsule named '%s', not an unused DLPack tensor "
                "('dltensor')",
                x->name, cn ? cn : "?");
        return NULL;
    } else {
        tk_fail(PyExc_TypeError, cx, "%s.__dlpack__() returned a %s, not a DLPack capsule",
                x->name, Py_TYPE(cap)->tp_name);
        return NULL;
    }
    PyErr_Clear();
    tk_fail(PyExc_TypeError, cx, "%s: could not take the DLPack capsule", x->name);
    return NULL;
}

/*
 * __dlpack__(stream=...): the producer makes its pending writes visible to
 * that stream (DLPack's rule), and hands over a capsule that we rename
 * "used_dltensor" and whose deleter tk_release_arrays() calls.
 */
int tk_export_dlpack(const tk_call *cx, tk_array *x, uintptr_t stream)
{
    /* DLPack's stream numbers: 1 is the legacy default stream (handle 0 or 1). */
    unsigned long long hint = stream == 0 ? 1 : (unsigned long long)stream;
    PyObject *meth = PyObject_GetAttr(x->obj, tk_S.dlpack);
    PyObject *args = PyTuple_New(0);
    PyObject *kw = Py_BuildValue("{s:K}", "stream", hint);
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
        return tk_fail_from(PyExc_TypeError, cx, "%s.__dlpack__() failed", x->name);
    DLTensor *t = take_capsule(cx, x, cap);
    Py_DECREF(cap);
    if (!t)
        return -1;

    if (t->device.device_type != kDLCUDA && t->device.device_type != kDLCUDAManaged)
        return tk_fail(PyExc_TypeError, cx,
                       "%s: __dlpack__() gave a tensor on DLPack device type %d, not CUDA",
                       x->name, (int)t->device.device_type);
    if (t->device.device_id != x->device)
        return tk_fail(PyExc_ValueError, cx,
                       "%s: __dlpack__() gave a tensor on cuda:%d but __dlpack_device__() said "
                       "cuda:%d",
                       x->name, (int)t->device.device_id, x->device);
    if (t->ndim < 0 || t->ndim > TK_MAX_DIMS)
        return too_many_dims(cx, x, (long long)t->ndim);
    dlpack_dtype(x, t->dtype);
    x->ndim = t->ndim;
    for (int i = 0; i < x->ndim; i++) {
        if (t->shape[i] < 0)
            return negative(cx, x, "DLPack shape", "dimension", (long long)t->shape[i]);
        x->shape[i] = t->shape[i];
    }
    if (t->strides) {
        for (int i = 0; i < x->ndim; i++) {
            if (t->strides[i] < 0)
                return negative(cx, x, "DLPack strides", "stride", (long long)t->strides[i]);
            x->strides[i] = t->strides[i];
        }
    } else {
        compact_strides(x);
    }
    x->data = (uintptr_t)t->data + (uintptr_t)t->byte_offset;
    return 0;
}

/* ------------------------------------------------------------------------
 * __cuda_array_interface__
 * ---------------------------------------------------------------------- */

/* The typestr's dtype; bfloat16 is "<V2", as ml_dtypes, JAX and PyTorch ≥ 2.6 write it. */
static int cai_dtype(const tk_call *cx, tk_array *x, const char *ts, int *itemsize)
{
    char kind = 0;
    int size = 0;
    char order = ts[0];
    if (strlen(ts) >= 3) {
        kind = ts[1];
        size = atoi(ts + 2);
    }
    if (size <= 0 || (order != '<' && order != '|' && order != '=' && order != '>'))
        return tk_fail(PyExc_TypeError, cx,
                       "%s: __cuda_array_interface__ typestr '%s' is not valid", x->name, ts);
    *itemsize = size;
    char name[128];
    if (order == '>' && size > 1) {
        snprintf(name, sizeof name, "big-endian '%s'", ts);
        set_dtype(x, TK_DT_OTHER, name);
    } else if (kind == 'V' && size == 2) {
        set_dtype(x, TK_DT_BF16, "bfloat16");
    } else if (kind == 'f' && size == 4) {
        set_dtype(x, TK_DT_F32, "float32");
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
        set_dtype(x, TK_DT_OTHER, name);
    }
    return 0;
}

/* The optional "stream" entry (v3): None, or the producer's stream handle (1 = legacy default). */
static int cai_stream(const tk_call *cx, tk_array *x, PyObject *stream)
{
    if (!stream || stream == Py_None)
        return 0;
    if (!PyLong_Check(stream))
        return tk_fail(PyExc_TypeError, cx,
                       "%s: __cuda_array_interface__ stream must be None or an int, got %s",
                       x->name, Py_TYPE(stream)->tp_name);
    unsigned long long s = PyLong_AsUnsignedLongLong(stream);
    if (PyErr_Occurred()) {
        PyErr_Clear();
        return tk_fail(PyExc_ValueError, cx,
                       "%s: __cuda_array_interface__ stream is not a stream handle (negative, or "
                       "larger than a pointer)",
                       x->name);
    }
    if (s == 0)
        return tk_fail(PyExc_ValueError, cx,
                       "%s: __cuda_array_interface__ stream 0 is not allowed (v3 uses 1 for the "
                       "legacy default stream)",
                       x->name);
    if (s > UINTPTR_MAX)
        return tk_fail(PyExc_ValueError, cx,
                       "%s: __cuda_array_interface__ stream %llu does not fit a pointer", x->name,
                       s);
    x->has_producer_stream = 1;
    x->producer_stream = (uintptr_t)s;
    return 0;
}

static int intake_cai(const tk_call *cx, tk_array *x, PyObject *cai)
{
    x->source = TK_SRC_CAI;
    x->cai = cai; /* owned from here */
    if (!PyDict_Check(cai))
        return tk_fail(PyExc_TypeError, cx, "%s.__cuda_array_interface__ is a %s, not a dict",
                       x->name, Py_TYPE(cai)->tp_name);
    PyObject *shape = PyDict_GetItemString(cai, "shape");
    PyObject *typestr = PyDict_GetItemString(cai, "typestr");
    PyObject *data = PyDict_GetItemString(cai, "data");
    PyObject *strides = PyDict_GetItemString(cai, "strides");
    PyObject *mask = PyDict_GetItemString(cai, "mask");
    if (!shape || !typestr || !data)
        return tk_fail(PyExc_TypeError, cx,
                       "%s.__cuda_array_interface__ lacks %s (it needs shape, typestr and data)",
                       x->name, !shape ? "shape" : !typestr ? "typestr" : "data");
    if (mask && mask != Py_None)
        return tk_fail(PyExc_ValueError, cx, "%s has a mask; masked arrays are not supported",
                       x->name);
    const char *ts = PyUnicode_Check(typestr) ? PyUnicode_AsUTF8(typestr) : NULL;
    if (!ts) {
        PyErr_Clear();
        return tk_fail(PyExc_TypeError, cx,
                       "%s: __cuda_array_interface__ typestr must be a str", x->name);
    }
    int itemsize = 0;
    if (cai_dtype(cx, x, ts, &itemsize) < 0)
        return -1;
    int n = read_ints(cx, x, "__cuda_array_interface__ shape", "dimension", shape, x->shape);
    if (n < 0)
        return -1;
    x->ndim = n;
    if (strides && strides != Py_None) {
        int64_t bytes[TK_MAX_DIMS];
        int ns = read_ints(cx, x, "__cuda_array_interface__ strides", "stride", strides, bytes);
        if (ns < 0)
            return -1;
        if (ns != n)
            return tk_fail(PyExc_ValueError, cx, "%s has %d sizes but %d strides", x->name, n,
                           ns);
        for (int i = 0; i < n; i++) {
            if (bytes[i] % itemsize)
                return tk_fail(PyExc_ValueError, cx,
                               "%s: stride %lld bytes (dimension %d) is not a multiple of the "
                               "%d-byte element",
                               x->name, (long long)bytes[i], i, itemsize);
            x->strides[i] = bytes[i] / itemsize;
        }
    } else {
        compact_strides(x);
    }
    if (!PyTuple_Check(data) || PyTuple_GET_SIZE(data) != 2)
        return tk_fail(PyExc_TypeError, cx,
                       "%s: __cuda_array_interface__ data must be a (pointer, read_only) tuple",
                       x->name);
    PyObject *p = PyTuple_GET_ITEM(data, 0);
    if (!PyLong_Check(p))
        return tk_fail(PyExc_TypeError, cx,
                       "%s: __cuda_array_interface__ data pointer must be an int, got %s",
                       x->name, Py_TYPE(p)->tp_name);
    x->data = (uintptr_t)PyLong_AsVoidPtr(p);
    if (PyErr_Occurred())
        return tk_fail_from(PyExc_ValueError, cx,
                            "%s: __cuda_array_interface__ data pointer is not an address",
                            x->name);
    int ro = PyObject_IsTrue(PyTuple_GET_ITEM(data, 1));
    if (ro < 0)
        return -1;
    x->readonly = ro;
    return cai_stream(cx, x, PyDict_GetItemString(cai, "stream"));
}

/* ------------------------------------------------------------------------
 * One argument
 * ---------------------------------------------------------------------- */

int tk_intake(const tk_call *cx, tk_array *x)
{
    PyObject *o = x->obj;
    if (o == Py_None)
        return tk_fail(PyExc_TypeError, cx, "%s is None; pass a CUDA tensor", x->name);
    if (tk_torch_loaded() && PyObject_TypeCheck(o, (PyTypeObject *)tk_T.Tensor))
        return intake_torch(cx, x);
    if (PyObject_HasAttr(o, tk_S.dlpack) && PyObject_HasAttr(o, tk_S.dlpack_device))
        return probe_dlpack(cx, x);
    PyObject *cai = PyObject_GetAttr(o, tk_S.cai);
    if (cai)
        return intake_cai(cx, x, cai);
    if (!PyErr_ExceptionMatches(PyExc_AttributeError))
        return tk_fail_from(PyExc_TypeError, cx, "%s.__cuda_array_interface__ failed", x->name);
    PyErr_Clear();
    return tk_fail(PyExc_TypeError, cx,
                   "%s must be a CUDA array (a PyTorch CUDA tensor, or an object with "
                   "__dlpack__ or __cuda_array_interface__), got %s",
                   x->name, Py_TYPE(o)->tp_name);
}

/* ------------------------------------------------------------------------
 * The matrix in the last two dimensions
 * ---------------------------------------------------------------------- */

/*
 * The elements of a row must be adjacent (stride 1): tg_gemm has no column
 * stride. The row stride is the leading dimension, passed as it is (tg_gemm
 * checks ld ≥ the row length and names it); a single row has no row stride
 * to speak of. The leading dimensions collapse to one batch stride: size-1
 * dimensions are skipped, the others must nest like a row-major array,
 * stride[i] == stride[i+1]·size[i+1].
 */
int tk_matrix(const tk_call *cx, const tk_array *x, tk_mat *m)
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
        return tk_fail(PyExc_ValueError, cx,
                       "%s: the last dimension must be contiguous (stride 1), got strides %s for "
                       "shape %s%s",
                       x->name, tk_shape_text(x->strides, d, st, sizeof st),
                       tk_shape_text(x->shape, d, sh, sizeof sh), hint);
    }
    m->ld = m->rows > 1 ? rs : m->cols > 0 ? m->cols : 1;

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
            return tk_fail(PyExc_ValueError, cx,
                           "%s: the batch dimensions of shape %s (strides %s) do not collapse to "
                           "one batch stride; pass %s.contiguous() or a tensor whose batch "
                           "dimensions nest",
                           x->name, tk_shape_text(x->shape, d, sh, sizeof sh),
                           tk_shape_text(x->strides, d, st, sizeof st), x->name);
        }
        if (__builtin_mul_overflow(s, size, &expect) ||
            __builtin_mul_overflow(m->batch, size, &m->batch))
            return tk_fail(PyExc_ValueError, cx, "%s: shape %s is too large", x->name,
                           tk_shape_text(x->shape, d, sh, sizeof sh));
    }
    return 0;
}
