/*
 * NumPy ufuncs over liblrelu.
 *
 * leaky_relu(x, alpha), leaky_relu_backward(x, dy, alpha) and
 * leaky_relu_backward_from_output(y, dy, alpha) are real ufuncs with loops
 * for float16 (alpha float32), float32 and float64; NumPy does the
 * broadcasting, out=, where=, strides, casting and __array_ufunc__.
 *
 * Each inner loop takes the fast path when alpha is one value for the whole
 * loop (stride 0, as a scalar alpha is broadcast) and the data are
 * contiguous: one call of the library's kernel. Otherwise (strided or
 * misaligned data, an array of slopes broadcast over x: PReLU) it copies
 * the elements through aligned buffers of CHUNK and calls the library on
 * them: once a chunk with one alpha; with an alpha per element, once a
 * chunk for float32 (PReLU with a channel per element), once an element
 * for the others. Every path is the library's arithmetic, so all give its
 * bits:
 *
 *   forward   y  = x > 0 ? x  : alpha * x
 *   backward  dx = x > 0 ? dy : alpha * dy      (dy copied bit for bit)
 *
 * Bad alpha (non-finite; negative for backward from the output) raises
 * ValueError before anything is written: see checked_vectorcall (every
 * alpha of a call, even those where= masks), ALPHAS_OK and the type
 * resolver.
 *
 * The loops leave no floating-point exception flags behind, so NumPy
 * warns of none: the kernels compute alpha * x in every lane and select
 * afterwards (x = +inf with alpha = 0 gives +inf, but the product raised
 * "invalid"), so the flags would tell about products that are not in the
 * result.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <numpy/arrayobject.h>
#include <numpy/ufuncobject.h>

#include <stdatomic.h>
#include <fenv.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include <lrelu.h>

/* The library's entry points, with the element types of the loops. */
static int c_fwd_f16(const uint16_t *x, uint16_t *y, size_t n, float a)
{
    return lrelu_forward_f16(x, y, n, a);
}
static int c_bwd_f16(const uint16_t *x, const uint16_t *dy, uint16_t *dx, size_t n, float a)
{
    return lrelu_backward_f16(x, dy, dx, n, a);
}
static int c_bwdo_f16(const uint16_t *y, const uint16_t *dy, uint16_t *dx, size_t n, float a)
{
    return lrelu_backward_from_output_f16(y, dy, dx, n, a);
}
static int c_fwd_f32(const uint32_t *x, uint32_t *y, size_t n, float a)
{
    return lrelu_forward((const float *)(const void *)x, (float *)(void *)y, n, a);
}
static int c_bwd_f32(const uint32_t *x, const uint32_t *dy, uint32_t *dx, size_t n, float a)
{
    return lrelu_backward((const float *)(const void *)x, (const float *)(const void *)dy,
                          (float *)(void *)dx, n, a);
}
static int c_bwdo_f32(const uint32_t *y, const uint32_t *dy, uint32_t *dx, size_t n, float a)
{
    return lrelu_backward_from_output((const float *)(const void *)y,
                                      (const float *)(const void *)dy, (float *)(void *)dx, n, a);
}
static int c_fwd_f64(const uint64_t *x, uint64_t *y, size_t n, double a)
{
    return lrelu_forward_f64((const double *)(const void *)x, (double *)(void *)y, n, a);
}
static int c_bwd_f64(const uint64_t *x, const uint64_t *dy, uint64_t *dx, size_t n, double a)
{
    return lrelu_backward_f64((const double *)(const void *)x, (const double *)(const void *)dy,
                              (double *)(void *)dx, n, a);
}
static int c_bwdo_f64(const uint64_t *y, const uint64_t *dy, uint64_t *dx, size_t n, double a)
{
    return lrelu_backward_from_output_f64((const double *)(const void *)y,
                                          (const double *)(const void *)dy, (double *)(void *)dx, n,
                                          a);
}

/* ------------------------------------------------------------ alpha checks */

static const char msg_alpha[] = "alpha must be finite";
static const char msg_alpha_out[] = "alpha must be finite and >= 0 for backward from the output";

static inline int alpha_ok(double a, int from_output)
{
    return isfinite(a) && !(from_output && a < 0);
}

/* Raised from an inner loop, which may run without the GIL. */
static void loop_error(int from_output)
{
    PyGILState_STATE st = PyGILState_Ensure();
    if (!PyErr_Occurred())
        PyErr_SetString(PyExc_ValueError, from_output ? msg_alpha_out : msg_alpha);
    PyGILState_Release(st);
}

/* Every alpha of an inner loop, before it writes anything. */
#define ALPHAS_OK(ALPHA_T, a, sa, n, from_output)                                                  \
    do {                                                                                           \
        const npy_intp cnt_ = (sa) == 0 ? ((n) > 0) : (n);                                         \
        const char *p_ = (a);                                                                      \
        for (npy_intp i_ = 0; i_ < cnt_; i_++, p_ += (sa)) {                                       \
            ALPHA_T v_;                                                                            \
            memcpy(&v_, p_, sizeof v_);                                                            \
            if (!alpha_ok(v_, from_output)) {                                                      \
                loop_error(from_output);                                                           \
                return;                                                                            \
            }                                                                                      \
        }                                                                                          \
    } while (0)

/* ------------------------------------------------------------ inner loops */

/* Whether the last inner loop ran holding the GIL (NumPy releases it
 * around the loops of arrays above a few hundred elements), or the last
 * leaky_relu_quantized call its C call (never): for the tests, through
 * _gil_held_in_last_loop(). */
static atomic_int gil_held_in_last_loop = -1;
static inline void note_gil(void)
{
    atomic_store_explicit(&gil_held_in_last_loop, PyGILState_Check(), memory_order_relaxed);
}

/* Elements per buffered call of the strided path (on the stack: four
 * buffers of up to 4 KiB: x, dy, the output and the alphas). */
#define CHUNK 512

/* A library call that failed where it cannot (aligned buffers, alphas
 * checked): an error, never a silent wrong answer. */
static void loop_internal_error(int status)
{
    PyGILState_STATE st = PyGILState_Ensure();
    if (!PyErr_Occurred())
        PyErr_Format(PyExc_RuntimeError, "liblrelu: unexpected status %d (%s)", status,
                     lrelu_strerror(status));
    PyGILState_Release(st);
}

/* The k elements at p (stride s) into b, or from b to p. */
#define GATHER(BITS, b, p, s, k)                                                                   \
    for (npy_intp j_ = 0; j_ < (k); j_++)                                                          \
    memcpy((b) + j_, (p) + j_ * (s), sizeof(BITS))
#define SCATTER(BITS, p, s, b, k)                                                                  \
    for (npy_intp j_ = 0; j_ < (k); j_++)                                                          \
    memcpy((p) + j_ * (s), (b) + j_, sizeof(BITS))

/* The strided path: chunks of CHUNK elements through aligned buffers, one
 * call a chunk: CALL(k, x, g, y, alpha) with one alpha (sa == 0),
 * CALL_each(k, x, g, y, alphas) with an alpha per element. g (the second
 * input, stride sg) is not read when unary. */
#define STRIDED(BITS, ALPHA_T, unary, CALL, n, x, sx, g, sg, a, sa, y, sy)                         \
    do {                                                                                           \
        BITS bx[CHUNK], bg[(unary) ? 1 : CHUNK], by[CHUNK];                                        \
        ALPHA_T ba[CHUNK];                                                                         \
        for (npy_intp i = 0; i < (n); i += CHUNK) {                                                \
            const npy_intp k = (n)-i < CHUNK ? (n)-i : CHUNK;                                      \
            GATHER(BITS, bx, (x) + i * (sx), sx, k);                                               \
            if (!(unary))                                                                          \
                GATHER(BITS, bg, (g) + i * (sg), sg, k);                                           \
            int st;                                                                                \
            if ((sa) == 0) {                                                                       \
                ALPHA_T av;                                                                        \
                memcpy(&av, a, sizeof av);                                                         \
                st = CALL((size_t)k, bx, bg, by, av);                                              \
            } else {                                                                               \
                GATHER(ALPHA_T, ba, (a) + i * (sa), sa, k);                                        \
                st = CALL##_each((size_t)k, bx, (unary) ? bx : bg, by, ba);                        \
            }                                                                                      \
            if (st != LRELU_OK) {                                                                  \
                loop_internal_error(st);                                                           \
                return;                                                                            \
            }                                                                                      \
            SCATTER(BITS, (y) + i * (sy), sy, by, k);                                              \
        }                                                                                          \
    } while (0)

/* An alpha per element: one library call an element (g is x for
 * forward, which does not read it). */
#define EACH_ONE_(OP, T, BITS, ALPHA_T)                                                            \
    static int OP##_call_##T##_each(size_t k, const BITS *x, const BITS *g, BITS *y,               \
                                    const ALPHA_T *a)                                              \
    {                                                                                              \
        int st = LRELU_OK;                                                                         \
        for (size_t j = 0; j < k && st == LRELU_OK; j++)                                           \
            st = OP##_call_##T(1, x + j, g + j, y + j, a[j]);                                      \
        return st;                                                                                 \
    }
#define EACH_BY_ELEMENT(T, BITS, ALPHA_T)                                                          \
    EACH_ONE_(fwd, T, BITS, ALPHA_T)                                                               \
    EACH_ONE_(bwd, T, BITS, ALPHA_T) EACH_ONE_(bwdo, T, BITS, ALPHA_T)

/* The library calls of the strided path, on buffers. */
#define DEFINE_CALLS(T, BITS, ALPHA_T)                                                             \
    static int fwd_call_##T(size_t k, const BITS *x, const BITS *g, BITS *y, ALPHA_T a)            \
    {                                                                                              \
        (void)g;                                                                                   \
        return c_fwd_##T(x, y, k, a);                                                              \
    }                                                                                              \
    static int bwd_call_##T(size_t k, const BITS *x, const BITS *g, BITS *d, ALPHA_T a)            \
    {                                                                                              \
        return c_bwd_##T(x, g, d, k, a);                                                           \
    }                                                                                              \
    static int bwdo_call_##T(size_t k, const BITS *y, const BITS *g, BITS *d, ALPHA_T a)           \
    {                                                                                              \
        return c_bwdo_##T(y, g, d, k, a);                                                          \
    }
DEFINE_CALLS(f16, uint16_t, float)
DEFINE_CALLS(f32, uint32_t, float)
DEFINE_CALLS(f64, uint64_t, double)
EACH_BY_ELEMENT(f16, uint16_t, float)
EACH_BY_ELEMENT(f64, uint64_t, double)
#ifdef LRELU_PY_HAVE_PRELU_BACKWARD
/* float32 with an alpha per element is PReLU with a channel per element
 * (outer 1, inner 1): one call a chunk, the same formula and bits. Backward
 * from the output is backward with y for x (its alphas are >= 0, checked). */
static int fwd_call_f32_each(size_t k, const uint32_t *x, const uint32_t *g, uint32_t *y,
                             const float *a)
{
    (void)g;
    return lrelu_prelu_forward((const float *)(const void *)x, (float *)(void *)y, a, 1, k, 1);
}
static int bwd_call_f32_each(size_t k, const uint32_t *x, const uint32_t *g, uint32_t *d,
                             const float *a)
{
    return lrelu_prelu_backward((const float *)(const void *)x, (const float *)(const void *)g,
                                (float *)(void *)d, a, NULL, 1, k, 1);
}
static int bwdo_call_f32_each(size_t k, const uint32_t *y, const uint32_t *g, uint32_t *d,
                              const float *a)
{
    return bwd_call_f32_each(k, y, g, d, a);
}
#else
EACH_BY_ELEMENT(f32, uint32_t, float)
#endif

#define DEFINE_LOOPS(T, BITS, ALPHA_T)                                                             \
    static void fwd_body_##T(char **args, const npy_intp *dim, const npy_intp *steps)              \
    {                                                                                              \
        const npy_intp n = dim[0], sx = steps[0], sa = steps[1], sy = steps[2];                    \
        char *x = args[0], *a = args[1], *y = args[2];                                             \
        ALPHAS_OK(ALPHA_T, a, sa, n, 0);                                                           \
        if (sa == 0 && sx == sizeof(BITS) && sy == sizeof(BITS) && n > 0) {                        \
            ALPHA_T av;                                                                            \
            memcpy(&av, a, sizeof av);                                                             \
            if (c_fwd_##T((const BITS *)(void *)x, (BITS *)(void *)y, (size_t)n, av) == LRELU_OK)  \
                return;                                                                            \
        }                                                                                          \
        STRIDED(BITS, ALPHA_T, 1, fwd_call_##T, n, x, sx, x, 0, a, sa, y, sy);                     \
    }                                                                                              \
    static void bwd_loop_##T(char **args, const npy_intp *dim, const npy_intp *steps,              \
                             int from_output)                                                      \
    {                                                                                              \
        const npy_intp n = dim[0], sx = steps[0], sg = steps[1], sa = steps[2], sd = steps[3];     \
        char *x = args[0], *g = args[1], *a = args[2], *d = args[3];                               \
        ALPHAS_OK(ALPHA_T, a, sa, n, from_output);                                                 \
        if (sa == 0 && sx == sizeof(BITS) && sg == sizeof(BITS) && sd == sizeof(BITS) && n > 0) {  \
            ALPHA_T av;                                                                            \
            int st;                                                                                \
            memcpy(&av, a, sizeof av);                                                             \
            st = from_output ? c_bwdo_##T((const BITS *)(void *)x, (const BITS *)(void *)g,        \
                                          (BITS *)(void *)d, (size_t)n, av)                        \
                             : c_bwd_##T((const BITS *)(void *)x, (const BITS *)(void *)g,         \
                                         (BITS *)(void *)d, (size_t)n, av);                        \
            if (st == LRELU_OK)                                                                    \
                return;                                                                            \
        }                                                                                          \
        if (from_output)                                                                           \
            STRIDED(BITS, ALPHA_T, 0, bwdo_call_##T, n, x, sx, g, sg, a, sa, d, sd);               \
        else                                                                                       \
            STRIDED(BITS, ALPHA_T, 0, bwd_call_##T, n, x, sx, g, sg, a, sa, d, sd);                \
    }                                                                                              \
    static void fwd_##T(char **args, const npy_intp *dim, const npy_intp *steps, void *data)       \
    {                                                                                              \
        (void)data;                                                                                \
        note_gil();                                                                                \
        fwd_body_##T(args, dim, steps);                                                            \
        feclearexcept(FE_ALL_EXCEPT);                                                              \
    }                                                                                              \
    static void bwd_##T(char **args, const npy_intp *dim, const npy_intp *steps, void *data)       \
    {                                                                                              \
        (void)data;                                                                                \
        note_gil();                                                                                \
        bwd_loop_##T(args, dim, steps, 0);                                                         \
        feclearexcept(FE_ALL_EXCEPT);                                                              \
    }                                                                                              \
    static void bwdo_##T(char **args, const npy_intp *dim, const npy_intp *steps, void *data)      \
    {                                                                                              \
        (void)data;                                                                                \
        note_gil();                                                                                \
        bwd_loop_##T(args, dim, steps, 1);                                                         \
        feclearexcept(FE_ALL_EXCEPT);                                                              \
    }

DEFINE_LOOPS(f16, uint16_t, float)
DEFINE_LOOPS(f32, uint32_t, float)
DEFINE_LOOPS(f64, uint64_t, double)

/* ------------------------------------------------------------ type resolver */

/*
 * NumPy calls a ufunc's type resolver with the operands when it promotes a
 * Python scalar (value-based casting), which is how a scalar alpha usually
 * arrives: it is checked here, before the output is even allocated. The
 * inner loops check every alpha again before writing: with a scalar alpha
 * broadcast (stride 0) the first loop call refuses, so nothing is written on
 * any path.
 */
static int check_alpha_operand(PyArrayObject *op, int from_output)
{
    PyArrayObject *d;
    const double *v;
    npy_intp n;
    if (op == NULL)
        return 0;
    if (!PyArray_ISNUMBER(op) || PyArray_ISCOMPLEX(op))
        return 0; /* arrays of slopes: the inner loops check them; others: NumPy refuses */
    d = (PyArrayObject *)PyArray_FROM_OTF((PyObject *)op, NPY_DOUBLE, NPY_ARRAY_CARRAY_RO);
    if (d == NULL)
        return -1;
    v = (const double *)PyArray_DATA(d);
    n = PyArray_SIZE(d);
    for (npy_intp i = 0; i < n; i++) {
        if (!alpha_ok(v[i], from_output)) {
            Py_DECREF(d);
            PyErr_SetString(PyExc_ValueError, from_output ? msg_alpha_out : msg_alpha);
            return -1;
        }
    }
    Py_DECREF(d);
    return 0;
}

/*
 * NumPy 1.24 calls the type resolver only when it promotes a Python scalar,
 * and an inner loop sees only its own stretch of the operands: with an array
 * of slopes, NumPy may call the loop once per row, so a bad slope in a later
 * row would be found after earlier rows were written. So every call of the
 * ufuncs checks its alpha operand first, whole, before NumPy's own call:
 * each ufunc object's vectorcall slot is wrapped (the object stays a real
 * np.ufunc; reduce/outer/at and the like go to NumPy directly and are
 * covered by the loops' checks). Operands that override __array_ufunc__
 * (a Dask array) are left to their own dispatch, whose NumPy calls come
 * back here chunk by chunk.
 */
static vectorcallfunc numpy_vectorcall;

static int alpha_overridden(PyObject *a)
{
    PyObject *f;
    if (PyArray_CheckExact(a) || PyArray_IsAnyScalar(a) || PyList_Check(a) || PyTuple_Check(a))
        return 0;
    f = PyObject_GetAttrString(a, "__array_ufunc__");
    if (f == NULL) {
        PyErr_Clear();
        return 0;
    }
    Py_DECREF(f);
    return 1;
}

static int check_alpha_object(PyObject *a, int from_output)
{
    PyArrayObject *arr;
    int st;
    if (PyFloat_Check(a) || PyArray_IsScalar(a, Floating)) { /* no array needed */
        const double v = PyFloat_AsDouble(a);
        if (v == -1.0 && PyErr_Occurred())
            return -1;
        if (alpha_ok(v, from_output))
            return 0;
        PyErr_SetString(PyExc_ValueError, from_output ? msg_alpha_out : msg_alpha);
        return -1;
    }
    if (alpha_overridden(a))
        return 0;
    arr = (PyArrayObject *)PyArray_FromAny(a, NULL, 0, 0, 0, NULL);
    if (arr == NULL) {
        PyErr_Clear(); /* not an array: NumPy's call reports it */
        return 0;
    }
    st = check_alpha_operand(arr, from_output);
    Py_DECREF(arr);
    return st;
}

static PyObject *checked_vectorcall(PyObject *callable, PyObject *const *args, size_t nargsf,
                                    PyObject *kwnames)
{
    PyUFuncObject *uf = (PyUFuncObject *)callable;
    const int from_output = uf->data != NULL && uf->data[0] != NULL;
    if ((Py_ssize_t)PyVectorcall_NARGS(nargsf) >= uf->nin &&
        check_alpha_object(args[uf->nin - 1], from_output) < 0)
        return NULL;
    return numpy_vectorcall(callable, args, nargsf, kwnames);
}

static int resolve_types(PyUFuncObject *ufunc, NPY_CASTING casting, PyArrayObject **operands,
                         PyObject *type_tup, PyArray_Descr **out_dtypes)
{
    const int from_output = ufunc->data != NULL && ufunc->data[0] != NULL;
    if (check_alpha_operand(operands[ufunc->nin - 1], from_output) < 0)
        return -1;
    return PyUFunc_DefaultTypeResolver(ufunc, casting, operands, type_tup, out_dtypes);
}

/* ------------------------------------------------------------ ufuncs */

static PyUFuncGenericFunction fwd_funcs[] = {fwd_f16, fwd_f32, fwd_f64};
static PyUFuncGenericFunction bwd_funcs[] = {bwd_f16, bwd_f32, bwd_f64};
static PyUFuncGenericFunction bwdo_funcs[] = {bwdo_f16, bwdo_f32, bwdo_f64};
static char fwd_types[] = {NPY_HALF,  NPY_FLOAT,  NPY_HALF,   NPY_FLOAT, NPY_FLOAT,
                           NPY_FLOAT, NPY_DOUBLE, NPY_DOUBLE, NPY_DOUBLE};
static char bwd_types[] = {NPY_HALF,  NPY_HALF,  NPY_FLOAT,  NPY_HALF,   NPY_FLOAT,  NPY_FLOAT,
                           NPY_FLOAT, NPY_FLOAT, NPY_DOUBLE, NPY_DOUBLE, NPY_DOUBLE, NPY_DOUBLE};
/* ufunc->data: NULL for the forward and backward ufuncs, a non-NULL marker
 * for backward from the output (the resolver's check differs). */
static void *no_data[] = {NULL, NULL, NULL};
static char from_output_marker;
static void *from_output_data[] = {&from_output_marker, &from_output_marker, &from_output_marker};

static const char doc_fwd[] =
    "leaky_relu(x, alpha, /, out=None, *, where=True, ...)\n\n"
    "Leaky ReLU: x > 0 ? x : alpha * x, elementwise (a NumPy ufunc).\n"
    "float16 (alpha as float32), float32 and float64. A scalar alpha must be\n"
    "finite; an array of alphas broadcast over x is PReLU.";
static const char doc_bwd[] =
    "leaky_relu_backward(x, dy, alpha, /, out=None, *, where=True, ...)\n\n"
    "Gradient of leaky_relu: x > 0 ? dy : alpha * dy (a NumPy ufunc).";
static const char doc_bwdo[] =
    "leaky_relu_backward_from_output(y, dy, alpha, /, out=None, *, where=True, ...)\n\n"
    "The gradient from the output y = leaky_relu(x, alpha): y > 0 ? dy : alpha * dy;\n"
    "alpha must be finite and >= 0 (then y > 0 exactly where x > 0).";

static int add_ufunc(PyObject *m, const char *name, PyUFuncGenericFunction *funcs, void **data,
                     char *types, int nin, const char *doc)
{
    PyUFuncObject *uf = (PyUFuncObject *)PyUFunc_FromFuncAndData(funcs, data, types, 3, nin, 1,
                                                                 PyUFunc_None, name, doc, 0);
    if (uf == NULL)
        return -1;
    uf->type_resolver = resolve_types;
    if (uf->vectorcall == NULL) {
        PyErr_SetString(PyExc_ImportError, "this NumPy's ufuncs have no vectorcall slot");
        Py_DECREF(uf);
        return -1;
    }
    numpy_vectorcall = uf->vectorcall;
    uf->vectorcall = checked_vectorcall;
    if (PyModule_AddObject(m, name, (PyObject *)uf) < 0) {
        Py_DECREF(uf);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------ functions */

static PyObject *py_kernels(PyObject *self, PyObject *unused)
{
    const size_t n = lrelu_kernel_count();
    PyObject *t = PyTuple_New((Py_ssize_t)n);
    (void)self;
    (void)unused;
    if (t == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        PyObject *s = PyUnicode_FromString(lrelu_kernel_name(i));
        if (s == NULL) {
            Py_DECREF(t);
            return NULL;
        }
        PyTuple_SET_ITEM(t, (Py_ssize_t)i, s);
    }
    return t;
}

static PyObject *py_active_kernel(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    return PyUnicode_FromString(lrelu_active_kernel());
}

static PyObject *py_set_kernel(PyObject *self, PyObject *arg)
{
    const char *name = NULL;
    (void)self;
    if (arg != Py_None) {
        if (!PyUnicode_Check(arg)) {
            PyErr_SetString(PyExc_TypeError, "set_kernel takes a kernel name or None");
            return NULL;
        }
        Py_ssize_t len;
        name = PyUnicode_AsUTF8AndSize(arg, &len);
        if (name == NULL)
            return NULL;
        if (strlen(name) != (size_t)len) {
            PyErr_Format(PyExc_ValueError, "kernel %R is not usable here (usable: see kernels())",
                         arg);
            return NULL;
        }
    }
    if (lrelu_set_kernel(name) != LRELU_OK) {
        PyErr_Format(PyExc_ValueError, "kernel %R is not usable here (usable: see kernels())", arg);
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *py_gil_held_in_last_loop(PyObject *self, PyObject *unused)
{
    const int v = atomic_load_explicit(&gil_held_in_last_loop, memory_order_relaxed);
    (void)self;
    (void)unused;
    if (v < 0)
        Py_RETURN_NONE;
    return PyBool_FromLong(v);
}

static PyObject *py_num_threads(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
#ifdef LRELU_PY_HAVE_SET_NUM_THREADS
    return PyLong_FromSize_t(lrelu_num_threads());
#else
    return PyLong_FromLong(1);
#endif
}

static PyObject *py_set_num_threads(PyObject *self, PyObject *arg)
{
    size_t n;
    (void)self;
    n = PyLong_AsSize_t(arg);
    if (n == (size_t)-1 && PyErr_Occurred())
        return NULL;
#ifdef LRELU_PY_HAVE_SET_NUM_THREADS
    {
        const int st = lrelu_set_num_threads(n);
        if (st == LRELU_EUNSUPPORTED) {
            PyErr_SetString(PyExc_NotImplementedError,
                            "this build of liblrelu has no threads of its own (no OpenMP)");
            return NULL;
        }
        if (st != LRELU_OK) {
            PyErr_Format(PyExc_ValueError, "set_num_threads(%zu): %s", n, lrelu_strerror(st));
            return NULL;
        }
    }
    Py_RETURN_NONE;
#else
    PyErr_SetString(PyExc_NotImplementedError,
                    "this build of liblrelu has no lrelu_set_num_threads (single-threaded)");
    return NULL;
#endif
}

#ifdef LRELU_PY_HAVE_PRELU_BACKWARD
/* _prelu_backward(x, dy, slope, dx, dslope, outer, channels, inner): C-contiguous
 * float32 arrays, checked by the Python wrapper; the GIL is released. */
static PyObject *py_prelu_backward(PyObject *self, PyObject *args)
{
    PyArrayObject *x, *dy, *slope, *dx, *dslope;
    Py_ssize_t outer, channels, inner;
    int st;
    (void)self;
    if (!PyArg_ParseTuple(args, "O!O!O!O!O!nnn", &PyArray_Type, &x, &PyArray_Type, &dy,
                          &PyArray_Type, &slope, &PyArray_Type, &dx, &PyArray_Type, &dslope, &outer,
                          &channels, &inner))
        return NULL;
    {
        PyArrayObject *all[] = {x, dy, slope, dx, dslope};
        for (int i = 0; i < 5; i++) {
            if (PyArray_TYPE(all[i]) != NPY_FLOAT || !PyArray_IS_C_CONTIGUOUS(all[i]) ||
                (i >= 3 && !PyArray_ISWRITEABLE(all[i]))) {
                PyErr_SetString(PyExc_TypeError, "_prelu_backward: C-contiguous float32 arrays");
                return NULL;
            }
        }
    }
    if (outer < 0 || channels < 0 || inner < 0 ||
        PyArray_SIZE(x) != (npy_intp)outer * channels * inner ||
        PyArray_SIZE(dy) != PyArray_SIZE(x) || PyArray_SIZE(dx) != PyArray_SIZE(x) ||
        PyArray_SIZE(slope) != channels || PyArray_SIZE(dslope) != channels) {
        PyErr_SetString(PyExc_ValueError, "_prelu_backward: sizes do not match");
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS st = lrelu_prelu_backward(
        (const float *)PyArray_DATA(x), (const float *)PyArray_DATA(dy), (float *)PyArray_DATA(dx),
        (const float *)PyArray_DATA(slope), (float *)PyArray_DATA(dslope), (size_t)outer,
        (size_t)channels, (size_t)inner);
    Py_END_ALLOW_THREADS if (st != LRELU_OK)
    {
        PyErr_SetString(PyExc_ValueError, lrelu_strerror(st));
        return NULL;
    }
    Py_RETURN_NONE;
}
#endif

/* ------------------------------------------------------------ quantized */

/* A Python number as a binary32 parameter: the double rounded to nearest
 * even, overflowing to infinity as an IEEE conversion does (the library
 * then refuses it). */
static int float_param(PyObject *o, const char *name, float *out)
{
    const double d = PyFloat_AsDouble(o);
    if (d == -1.0 && PyErr_Occurred()) {
        if (PyErr_ExceptionMatches(PyExc_TypeError)) {
            PyErr_Clear();
            PyErr_Format(PyExc_TypeError,
                         "leaky_relu_quantized: %s must be a real number, not %.100s", name,
                         Py_TYPE(o)->tp_name);
        }
        return -1;
    }
    /* Doubles from FLT_MAX plus half an ulp on round to infinity. */
    if (isfinite(d) && fabs(d) >= 0x1.ffffffp127)
        *out = d > 0 ? INFINITY : -INFINITY;
    else
        *out = (float)d;
    return 0;
}

/* A Python integer as a zero point: ValueError outside int32 (the library
 * then checks the element type's range). */
static int zero_point_param(PyObject *o, const char *name, int32_t *out)
{
    int overflow = 0;
    long long v;
    PyObject *i = PyNumber_Index(o);
    if (i == NULL) {
        if (PyErr_ExceptionMatches(PyExc_TypeError)) {
            PyErr_Clear();
            PyErr_Format(PyExc_TypeError, "leaky_relu_quantized: %s must be an integer, not %.100s",
                         name, Py_TYPE(o)->tp_name);
        }
        return -1;
    }
    v = PyLong_AsLongLongAndOverflow(i, &overflow);
    Py_DECREF(i);
    if (v == -1 && PyErr_Occurred())
        return -1;
    if (overflow || v < INT32_MIN || v > INT32_MAX) {
        PyErr_Format(PyExc_ValueError, "leaky_relu_quantized: %s %R is out of range", name, o);
        return -1;
    }
    *out = (int32_t)v;
    return 0;
}

static const char msg_quant[] =
    "leaky_relu_quantized: invalid quantization parameters (valid: scales finite and > 0, "
    "r = input_scale / output_scale within [2**-8, 2**7], s = r * alpha with 2**-8 <= |s| "
    "and -127.99 <= s <= 2**7 (so alpha != 0), zero points within the array's type)";

/* leaky_relu_quantized(x, input_scale, input_zero_point, output_scale,
 * output_zero_point, alpha): a new int8 or uint8 array, computed by
 * lrelu_forward_qs8 / lrelu_forward_qu8 on a C-contiguous copy of x where x
 * is not one already; the GIL is released around the call. */
static PyObject *py_leaky_relu_quantized(PyObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {
        "x", "input_scale", "input_zero_point", "output_scale", "output_zero_point", "alpha", NULL};
    PyObject *xo, *iso, *izo, *oso, *ozo, *ao;
    PyArrayObject *x, *y;
    lrelu_quant q;
    int type, st, held;
    size_t n;
    (void)self;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OOOOOO:leaky_relu_quantized", kwlist, &xo, &iso,
                                     &izo, &oso, &ozo, &ao))
        return NULL;
    if (float_param(iso, "input_scale", &q.input_scale) < 0 ||
        float_param(oso, "output_scale", &q.output_scale) < 0 ||
        float_param(ao, "alpha", &q.alpha) < 0 ||
        zero_point_param(izo, "input_zero_point", &q.input_zero_point) < 0 ||
        zero_point_param(ozo, "output_zero_point", &q.output_zero_point) < 0)
        return NULL;
    x = (PyArrayObject *)PyArray_FROM_O(xo);
    if (x == NULL)
        return NULL;
    type = PyArray_TYPE(x);
    if (type != NPY_INT8 && type != NPY_UINT8) {
        PyErr_Format(PyExc_TypeError,
                     "leaky_relu_quantized: x must be an int8 or uint8 array, not %S",
                     (PyObject *)PyArray_DESCR(x));
        Py_DECREF(x);
        return NULL;
    }
    /* The parameters, before anything is allocated: the library checks
     * them whatever n is. */
    st = type == NPY_INT8 ? lrelu_forward_qs8(NULL, NULL, 0, &q)
                          : lrelu_forward_qu8(NULL, NULL, 0, &q);
    if (st != LRELU_OK) {
        PyErr_SetString(PyExc_ValueError, st == LRELU_EINVAL ? msg_quant : lrelu_strerror(st));
        Py_DECREF(x);
        return NULL;
    }
    {
        PyArrayObject *c = PyArray_GETCONTIGUOUS(x); /* x itself, or a C-contiguous copy */
        Py_DECREF(x);
        if (c == NULL)
            return NULL;
        x = c;
    }
    y = (PyArrayObject *)PyArray_SimpleNew(PyArray_NDIM(x), PyArray_DIMS(x), type);
    if (y == NULL) {
        Py_DECREF(x);
        return NULL;
    }
    n = (size_t)PyArray_SIZE(x);
    Py_BEGIN_ALLOW_THREADS;
    held = PyGILState_Check();
    st = type == NPY_INT8
             ? lrelu_forward_qs8((const int8_t *)PyArray_DATA(x), (int8_t *)PyArray_DATA(y), n, &q)
             : lrelu_forward_qu8((const uint8_t *)PyArray_DATA(x), (uint8_t *)PyArray_DATA(y), n,
                                 &q);
    Py_END_ALLOW_THREADS;
    atomic_store_explicit(&gil_held_in_last_loop, held, memory_order_relaxed);
    Py_DECREF(x);
    if (st != LRELU_OK) {
        PyErr_SetString(PyExc_ValueError, lrelu_strerror(st));
        Py_DECREF(y);
        return NULL;
    }
    return (PyObject *)y;
}

static const char doc_quant[] =
    "leaky_relu_quantized(x, input_scale, input_zero_point, output_scale, output_zero_point, "
    "alpha)\n\n"
    "Quantized Leaky ReLU of an int8 or uint8 array (lrelu_forward_qs8 / lrelu_forward_qu8,\n"
    "XNNPACK's fixed-point definition): a new array of x's dtype and shape. ValueError for\n"
    "parameters the library refuses (alpha = 0 among them), TypeError for other dtypes.";

static PyMethodDef methods[] = {
    {"kernels", py_kernels, METH_NOARGS, "Names of the kernels usable here, best last."},
    {"active_kernel", py_active_kernel, METH_NOARGS, "Name of the kernel in use."},
    {"set_kernel", py_set_kernel, METH_O,
     "set_kernel(name): use this kernel from now on; None restores the default."},
    {"_gil_held_in_last_loop", py_gil_held_in_last_loop, METH_NOARGS,
     "Whether the last ufunc inner loop (or leaky_relu_quantized's C call) ran holding the GIL "
     "(None before any)."},
    {"num_threads", py_num_threads, METH_NOARGS, "Threads the library uses for one call."},
    {"set_num_threads", py_set_num_threads, METH_O,
     "set_num_threads(n): threads the library uses for one call."},
    {"leaky_relu_quantized", (PyCFunction)(void (*)(void))py_leaky_relu_quantized,
     METH_VARARGS | METH_KEYWORDS, doc_quant},
#ifdef LRELU_PY_HAVE_PRELU_BACKWARD
    {"_prelu_backward", py_prelu_backward, METH_VARARGS,
     "lrelu_prelu_backward (see prelu_backward)"},
#endif
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT,
                                    "_lrelu",
                                    "NumPy ufuncs over liblrelu.",
                                    -1,
                                    methods,
                                    NULL,
                                    NULL,
                                    NULL,
                                    NULL};

PyMODINIT_FUNC PyInit__lrelu(void)
{
    PyObject *m;
    import_array();
    import_umath();
    m = PyModule_Create(&module);
    if (m == NULL)
        return NULL;
    if (add_ufunc(m, "leaky_relu", fwd_funcs, no_data, fwd_types, 2, doc_fwd) < 0 ||
        add_ufunc(m, "leaky_relu_backward", bwd_funcs, no_data, bwd_types, 3, doc_bwd) < 0 ||
        add_ufunc(m, "leaky_relu_backward_from_output", bwdo_funcs, from_output_data, bwd_types, 3,
                  doc_bwdo) < 0 ||
        PyModule_AddStringConstant(m, "__version__", lrelu_version()) < 0 ||
        PyModule_AddIntConstant(m, "HAVE_PRELU_BACKWARD",
#ifdef LRELU_PY_HAVE_PRELU_BACKWARD
                                1
#else
                                0
#endif
                                ) < 0 ||
        PyModule_AddIntConstant(m, "HAVE_THREADS",
#ifdef LRELU_PY_HAVE_SET_NUM_THREADS
                                1
#else
                                0
#endif
                                ) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
