/*
 * module.c — tk_kernel._C: the seed's Python module (micro_tk,
 * dispatch_micro) plus gemm, choose, the configuration listing and plans,
 * over the tilegemm C API (include/tilegemm.h). python/tk_kernel/__init__.py
 * re-exports it.
 *
 * Here: errors and the status → exception mapping, the Python functions and
 * their non-array arguments (config, out_dtype, alpha, beta, sizes), and the
 * configuration dicts, built from the library's own description of each
 * family (tg_param_get, tg_config_facts): no parameter is named here.
 *
 * Exceptions (python/README.md documents the same):
 *   TypeError     an argument of the wrong Python type; an array that is not
 *                 a CUDA array (CPU memory, another device type, a sparse
 *                 tensor, a malformed protocol object) or has the wrong dtype
 *   ValueError    a value Python sees is wrong (shapes, strides, batch
 *                 shapes, devices that differ, a read-only output, config
 *                 text that is not ASCII, a stream handle out of range,
 *                 alpha/beta not finite, beta ≠ 0 without out), and the
 *                 library's TG_ERR_INVALID_ARGUMENT, TG_ERR_UNKNOWN_CONFIG,
 *                 TG_ERR_INVALID_CONFIG and TG_ERR_NOT_COMPILED
 *   RuntimeError  the library's TG_ERR_NO_DEVICE, TG_ERR_UNSUPPORTED_DEVICE
 *                 and TG_ERR_CUDA (also a failed synchronize, or a device
 *                 that cannot be made current), and a workspace torch.empty
 *                 cannot allocate or gives not 256-byte aligned
 */
#include "tk.h"

#include <cuda_runtime.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------------------
 * Errors
 * ---------------------------------------------------------------------- */

int tk_fail(PyObject *type, const tk_call *cx, const char *fmt, ...)
{
    char msg[TK_MSG];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    PyErr_Format(type, "%s: %s", cx->fn, msg);
    return -1;
}

PyObject *tk_take_exception(void)
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

void tk_restore_exception(PyObject *exc)
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

int tk_fail_from(PyObject *type, const tk_call *cx, const char *fmt, ...)
{
    PyObject *cause = tk_take_exception();
    char what[TK_MSG];
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
        PyObject *exc = tk_take_exception();
        if (exc) {
            Py_INCREF(cause);
            PyException_SetContext(exc, cause); /* steals */
            PyException_SetCause(exc, cause);   /* steals */
            tk_restore_exception(exc);
        } else {
            Py_DECREF(cause);
        }
    }
    return -1;
}

PyObject *tk_status_exception(tg_status s)
{
    switch (s) {
    case TG_ERR_INVALID_ARGUMENT:
    case TG_ERR_UNKNOWN_CONFIG:
    case TG_ERR_INVALID_CONFIG:
    case TG_ERR_NOT_COMPILED:
        return PyExc_ValueError;
    case TG_ERR_NO_DEVICE:
    case TG_ERR_UNSUPPORTED_DEVICE:
    case TG_ERR_CUDA:
    default: /* TG_ERR_BUFFER_TOO_SMALL and later codes: this module's fault */
        return PyExc_RuntimeError;
    }
}

int tk_fail_status(const tk_call *cx, tg_status s, const char *msg)
{
    return tk_fail(tk_status_exception(s), cx, "%s", msg && *msg ? msg : tg_status_string(s));
}

const char *tk_text_of(PyObject *o, char *buf, size_t len)
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

const char *tk_shape_text(const int64_t *shape, int n, char *buf, size_t len)
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
 * Interned names
 * ---------------------------------------------------------------------- */

tk_names tk_S;

int tk_intern_names(void)
{
#define N(field, text)                                        \
    if (!(tk_S.field = PyUnicode_InternFromString(text)))     \
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
    N(uint8, "uint8")
    N(external_stream, "ExternalStream")
    N(default_stream, "default_stream")
    N(record_stream, "record_stream")
#undef N
    return 0;
}

/* ------------------------------------------------------------------------
 * Arguments that are not arrays
 * ---------------------------------------------------------------------- */

/* config=: a str, ASCII, without NUL; the library parses it (any valid
 * configuration: tg_gemm and kernel_info say when it has no kernel). */
static int parse_config(const tk_call *cx, PyObject *o, tg_config *cfg)
{
    if (!PyUnicode_Check(o))
        return tk_fail(PyExc_TypeError, cx,
                       "config must be a str (a preset such as 'split8', or "
                       "'seed,reg_block_m=16'), got %s",
                       Py_TYPE(o)->tp_name);
    const Py_ssize_t n = PyUnicode_GetLength(o);
    for (Py_ssize_t i = 0; i < n; i++) {
        const Py_UCS4 ch = PyUnicode_ReadChar(o, i);
        if (ch > 0x7f)
            return tk_fail(PyExc_ValueError, cx,
                           "config must be ASCII text, got U+%04X at index %zd", (unsigned)ch, i);
        if (ch == 0)
            return tk_fail(PyExc_ValueError, cx, "config contains a NUL character (index %zd)",
                           i);
    }
    const char *text = PyUnicode_AsUTF8(o);
    if (!text)
        return -1;
    tg_status s = tg_config_parse(text, cfg);
    return s == TG_SUCCESS ? 0 : tk_fail_status(cx, s, tg_last_error());
}

/* out_dtype: None, torch.float32 / torch.bfloat16, or "float32"/"fp32"/"bfloat16"/"bf16". */
static int parse_out_dtype(const tk_call *cx, PyObject *o, int *dtype)
{
    *dtype = TK_DT_OTHER;
    if (!o || o == Py_None)
        return 0;
    char buf[64];
    tk_text_of(o, buf, sizeof buf);
    const char *n = strncmp(buf, "torch.", 6) ? buf : buf + 6;
    if (!strcmp(n, "float32") || !strcmp(n, "float") || !strcmp(n, "fp32") || !strcmp(n, "f32"))
        *dtype = TK_DT_F32;
    else if (!strcmp(n, "bfloat16") || !strcmp(n, "bf16"))
        *dtype = TK_DT_BF16;
    else
        return tk_fail(PyExc_TypeError, cx,
                       "out_dtype must be torch.float32 or torch.bfloat16 (or 'float32', "
                       "'bfloat16'), got %s",
                       buf);
    return 0;
}

/* alpha, beta: real numbers, finite in float32 (the library computes in fp32). */
static int parse_scalar(const tk_call *cx, const char *name, PyObject *o, float *out)
{
    double v = PyFloat_AsDouble(o);
    if (v == -1.0 && PyErr_Occurred()) {
        if (PyErr_ExceptionMatches(PyExc_TypeError)) {
            PyErr_Clear();
            return tk_fail(PyExc_TypeError, cx, "%s must be a real number, got %s", name,
                           Py_TYPE(o)->tp_name);
        }
        return tk_fail_from(PyExc_ValueError, cx, "%s does not fit float32", name);
    }
    if (!isfinite(v))
        return tk_fail(PyExc_ValueError, cx, "%s must be finite, got %g", name, v);
    if (fabs(v) > FLT_MAX)
        return tk_fail(PyExc_ValueError, cx,
                       "%s = %g does not fit float32 (tilegemm scales in fp32)", name, v);
    *out = (float)v;
    return 0;
}

/* A size for choose(): an int that fits int64 (its sign is the library's to check). */
static int parse_size(const tk_call *cx, const char *name, PyObject *o, int64_t *out)
{
    PyObject *i = PyNumber_Index(o);
    if (!i) {
        PyErr_Clear();
        return tk_fail(PyExc_TypeError, cx, "%s must be an int, got %s", name,
                       Py_TYPE(o)->tp_name);
    }
    long long v = PyLong_AsLongLong(i);
    Py_DECREF(i);
    if (v == -1 && PyErr_Occurred()) {
        PyErr_Clear();
        return tk_fail(PyExc_ValueError, cx, "%s does not fit 64 bits", name);
    }
    *out = v;
    return 0;
}

/* ------------------------------------------------------------------------
 * Configuration dicts, from the library's description of the family
 * ---------------------------------------------------------------------- */

typedef tg_status (*config_text_fn)(const tg_config *cfg, char *buf, size_t len);

/* A text the library writes about cfg (format, preset line, description), as a str. */
static PyObject *config_text(const tk_call *cx, const tg_config *cfg, config_text_fn fn)
{
    for (size_t len = 1024;; len *= 4) {
        char *buf = PyMem_Malloc(len);
        if (!buf)
            return PyErr_NoMemory();
        tg_status s = fn(cfg, buf, len);
        PyObject *r = s == TG_SUCCESS ? PyUnicode_FromString(buf) : NULL;
        PyMem_Free(buf);
        if (s == TG_SUCCESS)
            return r;
        if (s != TG_ERR_BUFFER_TOO_SMALL || len >= ((size_t)64 << 20))
            return tk_fail_status(cx, s, tg_last_error()), NULL;
    }
}

/* d[key] = v (stolen); a key set twice is the library's inconsistency, reported. */
static int put(const tk_call *cx, PyObject *d, const char *key, PyObject *v)
{
    if (!v)
        return -1;
    PyObject *k = PyUnicode_FromString(key);
    int r = k ? PyDict_Contains(d, k) : -1;
    if (r > 0)
        tk_fail(PyExc_RuntimeError, cx, "the configuration dict would have '%s' twice", key);
    if (r == 0)
        r = PyDict_SetItem(d, k, v);
    Py_XDECREF(k);
    Py_DECREF(v);
    return r == 0 ? 0 : -1;
}

/* The name of value v of an enumeration "a|b|c", or NULL. */
static PyObject *enum_name(const char *values, int v)
{
    const char *p = values;
    for (int i = 0; i < v && p; i++) {
        p = strchr(p, '|');
        if (p)
            p++;
    }
    if (!p || v < 0)
        return NULL;
    const char *end = strchr(p, '|');
    return PyUnicode_FromStringAndSize(p, end ? end - p : (Py_ssize_t)strlen(p));
}

/* Every parameter of cfg's family (an enumeration's value by its name). */
static int put_params(const tk_call *cx, PyObject *d, const tg_config *cfg)
{
    const int n = tg_param_count((tg_family)cfg->family);
    for (int i = 0; i < n; i++) {
        const tg_param *p = tg_param_get((tg_family)cfg->family, i);
        if (!p)
            return tk_fail(PyExc_RuntimeError, cx, "tg_param_get(%d, %d) is NULL", cfg->family, i);
        const int v = cfg->params[i];
        PyObject *value = p->values ? enum_name(p->values, v) : NULL;
        if (!value && !PyErr_Occurred())
            value = PyLong_FromLong(v);
        if (put(cx, d, p->key, value) < 0)
            return -1;
    }
    return 0;
}

/* Every derived quantity of cfg's plan (tg_config_facts). */
static int put_facts(const tk_call *cx, PyObject *d, const tg_config *cfg)
{
    tg_fact some[64];
    tg_fact *facts = some;
    int n = tg_config_facts(cfg, facts, 64);
    if (n > 64) {
        facts = PyMem_Calloc((size_t)n, sizeof *facts);
        if (!facts)
            return PyErr_NoMemory(), -1;
        n = tg_config_facts(cfg, facts, n);
    }
    int r = n < 0 ? tk_fail_status(cx, (tg_status)n, tg_last_error()) : 0;
    for (int i = 0; r == 0 && i < n; i++)
        r = put(cx, d, facts[i].key, PyLong_FromLongLong((long long)facts[i].value));
    if (facts != some)
        PyMem_Free(facts);
    return r;
}

/*
 * name, family, compiled, params (tg_config_format), one entry per parameter,
 * one per fact, preset_line; and, for plan(), the family's description.
 */
static PyObject *config_dict(const tk_call *cx, const tg_config *cfg, int with_description)
{
    const char *family = tg_family_name((tg_family)cfg->family);
    PyObject *d = PyDict_New();
    if (!d)
        return NULL;
    if (put(cx, d, "name", PyUnicode_FromString(cfg->name)) < 0 ||
        put(cx, d, "family", PyUnicode_FromString(family ? family : "?")) < 0 ||
        put(cx, d, "compiled", PyBool_FromLong(tg_config_compiled(cfg))) < 0 ||
        put(cx, d, "params", config_text(cx, cfg, tg_config_format)) < 0 ||
        put_params(cx, d, cfg) < 0 || put_facts(cx, d, cfg) < 0 ||
        put(cx, d, "preset_line", config_text(cx, cfg, tg_config_preset_line)) < 0 ||
        (with_description &&
         put(cx, d, "description", config_text(cx, cfg, tg_config_describe)) < 0)) {
        Py_DECREF(d);
        return NULL;
    }
    return d;
}

/* ------------------------------------------------------------------------
 * The GEMM entry points
 * ---------------------------------------------------------------------- */

PyDoc_STRVAR(micro_tk_doc,
"micro_tk(a, b, c, *, config=None, stream=None)\n"
"--\n\n"
"c = a @ b.T, launched asynchronously (the seed's micro_tk).\n\n"
"a: bfloat16 (..., M, K); b: bfloat16 (..., N, K); c: float32 (..., M, N),\n"
"CUDA arrays, row-major with padded rows allowed. Leading dimensions run as a\n"
"batched GEMM (a 2-D a or b is shared by every item). The work is ordered on\n"
"PyTorch's current stream for torch tensors (the legacy default stream\n"
"otherwise), or on stream= (an int cudaStream_t, a torch.cuda.Stream, ...).\n"
"config: a configuration string (see configs()); None runs 'split8', the\n"
"seed's kernel as the user refactored it.");

PyDoc_STRVAR(dispatch_micro_doc,
"dispatch_micro(a, b, c, *, config=None, stream=None)\n"
"--\n\n"
"c = a @ b.T, then wait for it (the seed's dispatch_micro). Arguments as\n"
"micro_tk; the stream it launched on is synchronized with the GIL released,\n"
"and a kernel failure is raised as RuntimeError.");

/* micro_tk and dispatch_micro: the seed's signature, 'split8' unless config= says otherwise. */
static PyObject *seed_call(const char *fn, const char *format, int mode, PyObject *args,
                           PyObject *kw)
{
    static char *kwlist[] = {"a", "b", "c", "config", "stream", NULL};
    PyObject *a, *b, *c, *config = Py_None, *stream = Py_None;
    tk_call cx = {fn};
    tg_config cfg;
    if (!PyArg_ParseTupleAndKeywords(args, kw, format, kwlist, &a, &b, &c, &config, &stream))
        return NULL;
    if (config == Py_None) {
        tg_status s = tg_config_parse(TK_MICRO_CONFIG, &cfg);
        if (s != TG_SUCCESS)
            return tk_fail_status(&cx, s, tg_last_error()), NULL;
    } else if (parse_config(&cx, config, &cfg) < 0) {
        return NULL;
    }
    tk_request r = {mode, a, b, c, &cfg, TK_DT_OTHER, 1.0f, 0.0f, stream};
    return tk_gemm_call(&cx, &r);
}

static PyObject *py_micro_tk(PyObject *self, PyObject *args, PyObject *kw)
{
    return seed_call("tk_kernel.micro_tk", "OOO|$OO:micro_tk", TK_MODE_MICRO, args, kw);
}

static PyObject *py_dispatch_micro(PyObject *self, PyObject *args, PyObject *kw)
{
    return seed_call("tk_kernel.dispatch_micro", "OOO|$OO:dispatch_micro", TK_MODE_DISPATCH, args,
                     kw);
}

PyDoc_STRVAR(gemm_doc,
"gemm(a, b, out=None, *, config=None, out_dtype=None, alpha=1.0, beta=0.0, stream=None)\n"
"--\n\n"
"Return out = alpha * a @ b.T + beta * out (asynchronous, like micro_tk).\n\n"
"a: bfloat16 (..., M, K); b: bfloat16 (..., N, K). out: float32 or bfloat16\n"
"(..., M, N); when None it is allocated with torch.empty on the inputs'\n"
"device (torch tensors only) with out_dtype (torch.float32 by default, or\n"
"torch.bfloat16), and beta must be 0. Batch dimensions of a and b must\n"
"match, or one of them be 2-D to be shared. beta = 0 never reads out (it may\n"
"hold NaN); M, N or a batch of 0 do nothing; K = 0 gives out = beta * out.\n"
"config: None lets the library choose (see choose()); or a configuration\n"
"string.");

static PyObject *py_gemm(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"a",     "b",    "out",    "config", "out_dtype",
                             "alpha", "beta", "stream", NULL};
    PyObject *a, *b, *out = Py_None, *config = Py_None, *out_dtype = Py_None;
    PyObject *alpha = NULL, *beta = NULL, *stream = Py_None;
    tk_call cx = {"tk_kernel.gemm"};
    tg_config cfg;
    tk_request r = {TK_MODE_GEMM, NULL, NULL, NULL, NULL, TK_DT_OTHER, 1.0f, 0.0f, NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|O$OOOOO:gemm", kwlist, &a, &b, &out, &config,
                                     &out_dtype, &alpha, &beta, &stream))
        return NULL;
    if (config != Py_None && parse_config(&cx, config, &cfg) < 0)
        return NULL;
    if (parse_out_dtype(&cx, out_dtype, &r.out_dtype) < 0 ||
        (alpha && parse_scalar(&cx, "alpha", alpha, &r.alpha) < 0) ||
        (beta && parse_scalar(&cx, "beta", beta, &r.beta) < 0))
        return NULL;
    if (out == Py_None && r.beta != 0.0f)
        return tk_fail(PyExc_ValueError, &cx,
                       "beta is %g but out is None: there is no C to read (pass out=)",
                       (double)r.beta),
               NULL;
    r.a = a;
    r.b = b;
    r.c = out;
    r.cfg = config == Py_None ? NULL : &cfg;
    r.stream = stream;
    return tk_gemm_call(&cx, &r);
}

/* ------------------------------------------------------------------------
 * Configurations
 * ---------------------------------------------------------------------- */

PyDoc_STRVAR(configs_doc,
"configs()\n"
"--\n\n"
"Every compiled configuration, as a list of dicts (the same as plan() gives,\n"
"without 'description'): name, family, compiled (True), params (the full\n"
"configuration string, which plan() and config= read back), one entry per\n"
"parameter of the family (integers; an enumeration by its name, e.g. layout\n"
"'interleaved'), one per derived quantity of its plan (threads, smem_bytes,\n"
"...), and preset_line (the line of the presets table that compiles it).");

static PyObject *py_configs(PyObject *self, PyObject *noargs)
{
    tk_call cx = {"tk_kernel.configs"};
    const int n = tg_config_count();
    PyObject *list = PyList_New(0);
    for (int i = 0; list && i < n; i++) {
        tg_config cfg;
        tg_status s = tg_config_get(i, &cfg);
        PyObject *d = s == TG_SUCCESS ? config_dict(&cx, &cfg, 0) : NULL;
        if (s != TG_SUCCESS)
            tk_fail_status(&cx, s, tg_last_error());
        if (!d || PyList_Append(list, d) < 0)
            Py_CLEAR(list);
        Py_XDECREF(d);
    }
    return list;
}

PyDoc_STRVAR(plan_doc,
"plan(config)\n"
"--\n\n"
"The plan of any valid configuration string, compiled or not (as the C\n"
"library and the tilegemm CLI read it): the dict of configs() — with\n"
"compiled False and the preset_line that would compile it when no kernel\n"
"was built — plus 'description', the family's plan in words. An invalid\n"
"configuration raises ValueError with the library's reason.");

static PyObject *py_plan(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"config", NULL};
    PyObject *config;
    tk_call cx = {"tk_kernel.plan"};
    tg_config cfg;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O:plan", kwlist, &config) ||
        parse_config(&cx, config, &cfg) < 0)
        return NULL;
    return config_dict(&cx, &cfg, 1);
}

PyDoc_STRVAR(choose_doc,
"choose(m, n, k, out_dtype=None)\n"
"--\n\n"
"The configuration gemm(config=None) runs for an (m, k) x (n, k) problem\n"
"with contiguous rows, and why (the library's dispatcher, tg_gemm_choose):\n"
"a dict of name, family, why, params (the configuration string) and\n"
"workspace, the bytes gemm allocates with torch.empty for the call (A and B\n"
"copied for TMA when K is not a multiple of 8; the choice assumes them, as\n"
"gemm passes them). out_dtype as gemm's (float32 when None).");

static PyObject *py_choose(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"m", "n", "k", "out_dtype", NULL};
    PyObject *m, *n, *k, *out_dtype = Py_None;
    tk_call cx = {"tk_kernel.choose"};
    tg_gemm_args g = tg_gemm_args_default();
    int dtype = TK_DT_OTHER;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OOO|O:choose", kwlist, &m, &n, &k, &out_dtype) ||
        parse_size(&cx, "m", m, &g.m) < 0 || parse_size(&cx, "n", n, &g.n) < 0 ||
        parse_size(&cx, "k", k, &g.k) < 0 || parse_out_dtype(&cx, out_dtype, &dtype) < 0)
        return NULL;
    g.lda = g.k;
    g.ldb = g.k;
    g.ldc = g.n;
    g.c_dtype = dtype == TK_DT_BF16 ? TG_DTYPE_BF16 : TG_DTYPE_F32;
    tg_config cfg;
    char why[TG_WHY_BYTES];
    /* As gemm() calls it: with the workspace it asks for and allocates (launch.c,
     * take_workspace). Only its size matters here (the pointer may be NULL). */
    size_t workspace = 0;
    tg_status s = tg_gemm_workspace_size(&g, NULL, &workspace);
    g.workspace_size = workspace;
    if (s == TG_SUCCESS)
        s = tg_gemm_choose(&g, &cfg, why, sizeof why);
    if (s != TG_SUCCESS)
        return tk_fail_status(&cx, s, tg_last_error()), NULL;
    const char *family = tg_family_name((tg_family)cfg.family);
    PyObject *d = PyDict_New();
    if (!d)
        return NULL;
    if (put(&cx, d, "name", PyUnicode_FromString(cfg.name)) < 0 ||
        put(&cx, d, "family", PyUnicode_FromString(family ? family : "?")) < 0 ||
        put(&cx, d, "why", PyUnicode_FromString(why)) < 0 ||
        put(&cx, d, "params", config_text(&cx, &cfg, tg_config_format)) < 0 ||
        put(&cx, d, "workspace", PyLong_FromSize_t(workspace)) < 0) {
        Py_DECREF(d);
        return NULL;
    }
    return d;
}

PyDoc_STRVAR(kernel_info_doc,
"kernel_info(config=None)\n"
"--\n\n"
"Resources of a compiled kernel on the current device (needs a GPU): a dict\n"
"of name, registers, local_bytes (spills), static_smem, dynamic_smem,\n"
"max_threads and blocks_per_sm. None: 'split8', micro_tk's configuration.");

static PyObject *py_kernel_info(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"config", NULL};
    PyObject *config = Py_None;
    tk_call cx = {"tk_kernel.kernel_info"};
    tg_config cfg;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|O:kernel_info", kwlist, &config))
        return NULL;
    if (config == Py_None)
        config = NULL;
    if (config && parse_config(&cx, config, &cfg) < 0)
        return NULL;
    tg_kernel_info info;
    tg_status s = config ? TG_SUCCESS : tg_config_parse(TK_MICRO_CONFIG, &cfg);
    char msg[TK_MSG] = "";
    Py_BEGIN_ALLOW_THREADS
    if (s == TG_SUCCESS)
        s = tg_kernel_get_info(&cfg, &info);
    if (s != TG_SUCCESS)
        snprintf(msg, sizeof msg, "%s", tg_last_error());
    Py_END_ALLOW_THREADS
    if (s != TG_SUCCESS)
        return tk_fail_status(&cx, s, msg), NULL;
    return Py_BuildValue("{s:s,s:i,s:n,s:n,s:n,s:i,s:i}", "name", cfg.name, "registers",
                         info.registers, "local_bytes", (Py_ssize_t)info.local_bytes,
                         "static_smem", (Py_ssize_t)info.static_smem, "dynamic_smem",
                         (Py_ssize_t)info.dynamic_smem, "max_threads", info.max_threads,
                         "blocks_per_sm", info.blocks_per_sm);
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

/* ------------------------------------------------------------------------
 * The module
 * ---------------------------------------------------------------------- */

#define KW(f) (PyCFunction)(void (*)(void))(f), METH_VARARGS | METH_KEYWORDS

static PyMethodDef methods[] = {
    {"micro_tk", KW(py_micro_tk), micro_tk_doc},
    {"dispatch_micro", KW(py_dispatch_micro), dispatch_micro_doc},
    {"gemm", KW(py_gemm), gemm_doc},
    {"configs", py_configs, METH_NOARGS, configs_doc},
    {"plan", KW(py_plan), plan_doc},
    {"choose", KW(py_choose), choose_doc},
    {"kernel_info", KW(py_kernel_info), kernel_info_doc},
    {"device_count", py_device_count, METH_NOARGS, device_count_doc},
    {NULL, NULL, 0, NULL},
};

PyDoc_STRVAR(module_doc,
"tk_kernel._C — the seed's tk_kernel module over tilegemm (C API).\n\n"
"Errors: TypeError for arguments of the wrong type (including arrays that\n"
"are not CUDA arrays or have the wrong dtype); ValueError for wrong values\n"
"(shapes, strides, devices that differ, configurations, and the library's\n"
"argument and configuration errors); RuntimeError for no (or an unsupported)\n"
"GPU and CUDA errors. Messages start with 'tk_kernel.<function>: '.");

static void module_free(void *m) { tk_torch_forget(); }

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
    if (tk_intern_names() < 0)
        return NULL;
    PyObject *m = PyModule_Create(&module);
    if (!m)
        return NULL;
    char version[32];
    snprintf(version, sizeof version, "%d.%d", TG_VERSION_MAJOR, TG_VERSION_MINOR);
    if (PyModule_AddStringConstant(m, "__version__", version) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
