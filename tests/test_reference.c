/*
 * test_reference.c — the harness that judges every GPU result: bf16
 * conversion, the CPU reference GEMM, and the comparison. If these were
 * wrong, every GPU test would be checking against the wrong answer, so they
 * are tested on their own, on the CPU (no GPU call is made).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "harness.h"

static float bits_f32(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static int bf16_is_nan(uint16_t x) { return (x & 0x7f80) == 0x7f80 && (x & 0x007f) != 0; }

/* ------------------------------------------------------------------------
 * bf16 conversion
 * ---------------------------------------------------------------------- */

static void check_bf16(void)
{
    /* fp32 bits → expected bf16 bits, round to nearest, ties to even. */
    static const struct {
        uint32_t in;
        uint16_t out;
        const char *why;
    } cases[] = {
        {0x3f800000u, 0x3f80, "1.0 exact"},
        {0x3f808000u, 0x3f80, "1 + 2^-8: tie, down to even 0x3f80"},
        {0x3f818000u, 0x3f82, "tie between 0x3f81 and 0x3f82: up to even"},
        {0x3f808001u, 0x3f81, "just above the tie: up"},
        {0x3f807fffu, 0x3f80, "just below the tie: down"},
        {0xbf808000u, 0xbf80, "negative tie: to even (magnitude down)"},
        {0xbf818000u, 0xbf82, "negative tie: to even (magnitude up)"},
        {0x3fffffffu, 0x4000, "carry into the exponent"},
        {0x7f7fffffu, 0x7f80, "FLT_MAX rounds to +inf"},
        {0x7f800000u, 0x7f80, "+inf"},
        {0xff800000u, 0xff80, "-inf"},
        {0x00000000u, 0x0000, "+0"},
        {0x80000000u, 0x8000, "-0"},
        {0x00008000u, 0x0000, "denormal tie: down to even 0"},
        {0x00018000u, 0x0002, "denormal tie: up to even 2"},
        {0x00000001u, 0x0000, "smallest denormal: to 0"},
        {0x40490fdbu, 0x4049, "pi"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        uint16_t got = th_f32_to_bf16(bits_f32(cases[c].in));
        CHECK(got == cases[c].out, "%s: 0x%08x -> 0x%04x, expected 0x%04x", cases[c].why,
              (unsigned)cases[c].in, (unsigned)got, (unsigned)cases[c].out);
    }

    /* NaN stays NaN, including one whose payload is only in the low 16 bits
     * (truncation alone would make it infinity). */
    static const uint32_t nans[] = {0x7fc00000u, 0xffc00000u, 0x7f800001u, 0xff800001u,
                                    0x7fbfffffu, 0x7f80ffffu};
    for (size_t c = 0; c < sizeof nans / sizeof nans[0]; c++) {
        uint16_t got = th_f32_to_bf16(bits_f32(nans[c]));
        CHECK(bf16_is_nan(got), "NaN 0x%08x -> 0x%04x, not a NaN", (unsigned)nans[c],
              (unsigned)got);
        CHECK(isnan(th_bf16_to_f32(got)), "NaN 0x%08x does not come back as NaN",
              (unsigned)nans[c]);
    }

    CHECK(th_bf16_to_f32(0x3f80) == 1.0f, "0x3f80 is %g", th_bf16_to_f32(0x3f80));
    CHECK(th_bf16_to_f32(0xc000) == -2.0f, "0xc000 is %g", th_bf16_to_f32(0xc000));
    CHECK(th_bf16_to_f32(0x4049) == 3.140625f, "0x4049 is %g", th_bf16_to_f32(0x4049));
    CHECK(th_bf16_to_f32(0x0001) == ldexpf(1.0f, -133), "0x0001 is %g", th_bf16_to_f32(0x0001));
    CHECK(isinf(th_bf16_to_f32(0xff80)) && th_bf16_to_f32(0xff80) < 0, "0xff80 is not -inf");

    /* Every bf16 value: widening is exact, so narrowing it again gives it back. */
    int bad = 0, nan_bad = 0;
    for (uint32_t x = 0; x <= 0xffff; x++) {
        float f = th_bf16_to_f32((uint16_t)x);
        uint16_t back = th_f32_to_bf16(f);
        if (bf16_is_nan((uint16_t)x))
            nan_bad += !isnan(f) || !bf16_is_nan(back);
        else
            bad += back != x;
    }
    CHECK(bad == 0, "%d of the non-NaN bf16 values do not round-trip", bad);
    CHECK(nan_bad == 0, "%d bf16 NaNs do not stay NaN", nan_bad);
    printf("bf16: round-to-nearest-even cases, NaNs, and all 65536 values round-trip\n");
}

/* ------------------------------------------------------------------------
 * Reference
 * ---------------------------------------------------------------------- */

enum { M = 7, N = 9, K = 37, LDA = 40, LDB = 45, LDR = 11 };

typedef struct problem {
    uint16_t a[M * LDA], b[N * LDB];
    double ref[M * LDR], absdot[M * LDR]; /* from th_reference */
    double naive[M * N];                  /* from the loop here */
} problem;

static void make_problem(problem *p, uint64_t seed)
{
    th_rng rng = th_rng_new(seed);
    th_fill_bf16(p->a, M, K, LDA, &rng);
    th_fill_bf16(p->b, N, K, LDB, &rng);
    for (int i = 0; i < M * N; i++)
        p->naive[i] = 0;
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            double s = 0;
            for (int x = 0; x < K; x++)
                s += (double)th_bf16_to_f32(p->a[i * LDA + x]) *
                     (double)th_bf16_to_f32(p->b[j * LDB + x]);
            p->naive[i * N + j] = s;
        }
}

static void check_reference(problem *p)
{
    /* The fill: values in [-1, 1] (uniform in [-1, 1), then rounded to bf16,
     * so just below 1 becomes 1), padding NaN (so a reference that reads past
     * K would produce NaN below). */
    int out_of_range = 0, pad_not_nan = 0;
    for (int i = 0; i < M; i++)
        for (int x = 0; x < LDA; x++) {
            float v = th_bf16_to_f32(p->a[i * LDA + x]);
            if (x < K)
                out_of_range += !(v >= -1.0f && v <= 1.0f);
            else
                pad_not_nan += !isnan(v);
        }
    CHECK(out_of_range == 0 && pad_not_nan == 0,
          "th_fill_bf16: %d values outside [-1,1], %d padding elements not NaN", out_of_range,
          pad_not_nan);

    /* Rows 2..5 only, into a buffer with its own stride; the rest stays poisoned. */
    const int row0 = 2, rows = 4;
    for (int e = 0; e < M * LDR; e++)
        p->ref[e] = p->absdot[e] = -12345.0;
    th_reference(p->a, LDA, p->b, LDB, N, K, row0, rows, p->ref, p->absdot, LDR);
    int wrong = 0, abs_wrong = 0, touched = 0;
    for (int i = 0; i < M; i++)
        for (int j = 0; j < LDR; j++) {
            int inside = i < rows && j < N;
            double r = p->ref[i * LDR + j], ad = p->absdot[i * LDR + j];
            if (!inside) {
                touched += r != -12345.0 || ad != -12345.0;
                continue;
            }
            double want = p->naive[(row0 + i) * N + j];
            double want_abs = 0;
            for (int x = 0; x < K; x++)
                want_abs += fabs((double)th_bf16_to_f32(p->a[(row0 + i) * LDA + x]) *
                                 (double)th_bf16_to_f32(p->b[j * LDB + x]));
            /* Same products, both in double: agreement to rounding of K adds. */
            if (!(fabs(r - want) <= 1e-12 * want_abs)) {
                wrong++;
                if (wrong <= 3)
                    printf("  ref(%d,%d) = %.17g, naive %.17g\n", row0 + i, j, r, want);
            }
            abs_wrong += !(fabs(ad - want_abs) <= 1e-12 * want_abs) || ad < fabs(r) - 1e-12;
        }
    CHECK(wrong == 0, "th_reference differs from the naive loop in %d elements", wrong);
    CHECK(abs_wrong == 0, "th_reference's absdot differs from sum |a*b| in %d elements",
          abs_wrong);
    CHECK(touched == 0, "th_reference wrote %d elements outside its rows x N", touched);
    printf("reference: rows %d..%d of %dx%dx%d (lda %d, ldb %d) match a naive loop\n", row0,
           row0 + rows - 1, M, N, K, LDA, LDB);
}

/* ------------------------------------------------------------------------
 * Comparison
 * ---------------------------------------------------------------------- */

static th_cmp compare_f32(const problem *p, const float *out, th_tol tol)
{
    th_cmp c;
    th_cmp_init(&c);
    /* Reference of all rows into one buffer (ldr = N). */
    double ref[M * N], absdot[M * N];
    th_reference(p->a, LDA, p->b, LDB, N, K, 0, M, ref, absdot, N);
    th_compare(&c, out, TG_DTYPE_F32, N, 0, M, N, ref, absdot, N, tol, stdout, 4);
    return c;
}

static void check_compare(const problem *p)
{
    th_tol tol = th_tolerance(TG_DTYPE_F32, K);
    CHECK(tol.atol > 0 && tol.fro > 0, "fp32 tolerance: atol %g, fro %g", tol.atol, tol.fro);

    /* A correct fp32 result: the reference rounded to fp32. */
    float out[M * N];
    for (int e = 0; e < M * N; e++)
        out[e] = (float)p->naive[e];
    th_cmp c = compare_f32(p, out, tol);
    CHECK(th_cmp_pass(&c, tol) && c.bad == 0 && c.nan == 0 && c.checked == M * N,
          "a correct result fails: checked %lld, bad %lld, nan %lld, rel fro %g",
          (long long)c.checked, (long long)c.bad, (long long)c.nan, th_cmp_rel_fro(&c));

    /* One element off by more than its bound. */
    double absdot[M * N], ref[M * N];
    th_reference(p->a, LDA, p->b, LDB, N, K, 0, M, ref, absdot, N);
    const int at = 3 * N + 4;
    float saved = out[at];
    double bound = tol.atol * absdot[at] + tol.rtol * fabs(ref[at]);
    out[at] = (float)(ref[at] + 4 * bound + 1e-6);
    printf("compare: perturbing C(3,4) by %g (bound %g):\n", out[at] - ref[at], bound);
    c = compare_f32(p, out, tol);
    CHECK(!th_cmp_pass(&c, tol) && c.bad == 1 && c.nan == 0,
          "one perturbed element: pass %d, bad %lld, nan %lld", th_cmp_pass(&c, tol),
          (long long)c.bad, (long long)c.nan);
    /* ... and within it, passes. */
    out[at] = (float)(ref[at] + 0.25 * bound);
    c = compare_f32(p, out, tol);
    CHECK(th_cmp_pass(&c, tol) && c.bad == 0, "an element within a quarter of its bound fails");

    /* A NaN. */
    out[at] = NAN;
    printf("compare: a NaN at C(3,4):\n");
    c = compare_f32(p, out, tol);
    CHECK(!th_cmp_pass(&c, tol) && c.nan == 1 && c.bad == 1, "a NaN: pass %d, bad %lld, nan %lld",
          th_cmp_pass(&c, tol), (long long)c.bad, (long long)c.nan);
    out[at] = saved;

    /* An element the kernel never wrote: the poison (0xff bytes) is a NaN. */
    memset(&out[M * N - 1], 0xff, sizeof out[0]);
    printf("compare: an unwritten (poisoned) C(%d,%d):\n", M - 1, N - 1);
    c = compare_f32(p, out, tol);
    CHECK(!th_cmp_pass(&c, tol) && c.bad == 1, "an unwritten element: pass %d, bad %lld",
          th_cmp_pass(&c, tol), (long long)c.bad);
    out[M * N - 1] = (float)p->naive[M * N - 1];

    /* Nothing compared proves nothing. */
    th_cmp_init(&c);
    CHECK(!th_cmp_pass(&c, tol), "an empty comparison must not pass");

    /* bf16 output: the reference rounded to bf16 passes; two ulps off does not. */
    th_tol tb = th_tolerance(TG_DTYPE_BF16, K);
    uint16_t ob[M * N];
    for (int e = 0; e < M * N; e++)
        ob[e] = th_f32_to_bf16((float)ref[e]);
    th_cmp_init(&c);
    th_compare(&c, ob, TG_DTYPE_BF16, N, 0, M, N, ref, absdot, N, tb, stdout, 4);
    CHECK(th_cmp_pass(&c, tb) && c.bad == 0, "a correct bf16 result fails: bad %lld, rel fro %g",
          (long long)c.bad, th_cmp_rel_fro(&c));
    /* Two ulps are 2^-6 relative at most, well over rtol = 2^-8 (plus the small atol). */
    int far = 0;
    for (int e = 1; e < M * N; e++)
        if (fabs(ref[e]) > fabs(ref[far]))
            far = e;
    ob[far] = (uint16_t)(ob[far] + 2);
    printf("compare: bf16 C(%d,%d) two ulps off:\n", far / N, far % N);
    th_cmp_init(&c);
    th_compare(&c, ob, TG_DTYPE_BF16, N, 0, M, N, ref, absdot, N, tb, stdout, 4);
    CHECK(!th_cmp_pass(&c, tb) && c.bad == 1, "bf16 two ulps off: pass %d, bad %lld",
          th_cmp_pass(&c, tb), (long long)c.bad);
    printf("compare: correct results pass; a perturbed, NaN or unwritten element fails\n");
}

int main(void)
{
    uint64_t seed = th_fresh_seed();
    printf("seed %llu\n", (unsigned long long)seed);
    check_bf16();
    problem *p = malloc(sizeof *p);
    CHECK(p != NULL, "out of memory");
    if (p) {
        make_problem(p, seed);
        check_reference(p);
        check_compare(p);
    }
    free(p);
    return check_summary();
}
