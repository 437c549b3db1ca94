/*
 * test_bench_suites — the bench command's tables without a GPU
 * (cli/suites.c) and its options (cli/options.c): every suite holds the
 * shapes it promises (written out here again, from the issue), each a GEMM
 * the library takes; the odd suite breaks the 16-byte rules it is for; the
 * decode suite is memory-bound, the llm suite's M = 128 rows skinny
 * (memory-bound, rotated too), no other; the shape syntax
 * (MxNxK[:lda=L][:ldb=L][:ldc=L]) round-trips and refuses what is not one;
 * the bytes a call moves; --suite and --csv as cli_parse reads them; and
 * the CSV header is the one docs/BENCH.md documents.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "harness.h"
#include "options.h"
#include "suites.h"

#define NO_LD 0, 0, 0

enum { MAX_EXPECTED = 18 };

typedef struct expected_suite {
    const char *name;
    int n;
    bench_shape shapes[MAX_EXPECTED];
} expected_suite;

/* M (128, 4096, 8192 in llm; 16, 32, 64 in batch) times the six weight matrices (N, K). */
#define LLM_ROWS(m)                                                                          \
    {m, 4096, 4096, NO_LD}, {m, 12288, 4096, NO_LD}, {m, 4096, 11008, NO_LD},                \
        {m, 22016, 4096, NO_LD}, {m, 28672, 8192, NO_LD}, {m, 8192, 28672, NO_LD}

/* M tokens times four narrow weight matrices (N, K). */
#define NARROW_ROWS(m)                                                                       \
    {m, 512, 8192, NO_LD}, {m, 1024, 4096, NO_LD}, {m, 1024, 8192, NO_LD}, {m, 3072, 8192, NO_LD}

static const expected_suite expected[] = {
    {"square", 3, {{2048, 2048, 2048, NO_LD}, {4096, 4096, 4096, NO_LD}, {8192, 8192, 8192, NO_LD}}},
    {"llm", 18, {LLM_ROWS(128), LLM_ROWS(4096), LLM_ROWS(8192)}},
    {"small", 3, {{1000, 1000, 1000, NO_LD}, {2048, 2048, 2048, NO_LD}, {512, 512, 8192, NO_LD}}},
    {"decode", 5,
     {{1, 8192, 8192, NO_LD},
      {16, 8192, 8192, NO_LD},
      {64, 8192, 8192, NO_LD},
      {16, 28672, 8192, NO_LD},
      {1, 4096, 4096, NO_LD}}},
    {"narrow", 16, {NARROW_ROWS(4), NARROW_ROWS(13), NARROW_ROWS(32), NARROW_ROWS(64)}},
    {"batch", 18, {LLM_ROWS(16), LLM_ROWS(32), LLM_ROWS(64)}},
    {"odd", 5,
     {{8191, 8191, 8191, NO_LD},
      {4095, 4095, 4095, NO_LD},
      {8192, 8192, 8191, NO_LD},
      {8191, 8192, 8192, NO_LD},
      {8192, 8191, 8192, 0, 0, 8192}}},
};
enum { NEXPECTED = sizeof expected / sizeof expected[0] };

static int same_shape(const bench_shape *a, const bench_shape *b)
{
    return a->m == b->m && a->n == b->n && a->k == b->k && a->lda == b->lda && a->ldb == b->ldb &&
           a->ldc == b->ldc;
}

static const char *shape_text(const bench_shape *s)
{
    static char buf[4][128];
    static int next;
    char *b = buf[next++ % 4];
    bench_shape_format(s, b, sizeof buf[0]);
    return b;
}

/* The leading dimensions a shape runs with (packed where not given), as the bench runs it. */
static tg_gemm_args args_of(const bench_shape *s, tg_dtype dtype)
{
    th_shape t = {s->m, s->n, s->k, s->lda, s->ldb, s->ldc, 1, dtype, 0, 0, 1.0f, 0.0f};
    return th_shape_args(t);
}

static void test_suites(void)
{
    CHECK(bench_suite_count() == NEXPECTED, "%d suites, expected %d", bench_suite_count(),
          NEXPECTED);
    for (int e = 0; e < NEXPECTED; e++) {
        const expected_suite *x = &expected[e];
        const int i = bench_suite_find(x->name);
        CHECK(i >= 0, "no suite '%s'", x->name);
        if (i < 0)
            continue;
        const bench_suite *su = bench_suite_get(i);
        CHECK(!strcmp(su->name, x->name) && su->what && su->what[0], "suite %d", i);
        bench_shape got[64];
        char err[256] = "";
        const int n = bench_shapes_parse(su->shapes, got, 64, err, sizeof err);
        CHECK(n == x->n, "suite %s: %d shapes (%s), expected %d", x->name, n, err, x->n);
        for (int j = 0; j < n && j < x->n; j++) {
            CHECK(same_shape(&got[j], &x->shapes[j]), "suite %s shape %d: %s, expected %s",
                  x->name, j, shape_text(&got[j]), shape_text(&x->shapes[j]));
            for (int d = 0; d < 2; d++) {
                const tg_gemm_args g = args_of(&got[j], d ? TG_DTYPE_BF16 : TG_DTYPE_F32);
                const tg_status st = tg_gemm_check_args(&g);
                CHECK(st == TG_SUCCESS, "suite %s shape %s (%s C): %s", x->name,
                      shape_text(&got[j]), d ? "bf16" : "fp32", tg_last_error());
            }
            /* Memory-bound: the decode, narrow and batch suites' shapes (decode), the llm
             * suite's M = 128 ones (skinny), no other. */
            const int mb = bench_memory_bound(&got[j]);
            const int want = !strcmp(x->name, "decode") || !strcmp(x->name, "narrow") ||
                                     !strcmp(x->name, "batch")
                                 ? BENCH_DECODE
                             : !strcmp(x->name, "llm") && got[j].m == 128 ? BENCH_SKINNY
                                                                            : 0;
            CHECK(mb == want, "suite %s shape %s: memory-bound %d, not %d", x->name, shape_text(&got[j]),
                  mb, want);
        }
    }
    CHECK(bench_suite_find("frob") < 0 && bench_suite_find("") < 0, "unknown names");
    CHECK(!strcmp(bench_suite_names(), "square, llm, small, decode, narrow, batch, odd"), "names: %s",
          bench_suite_names());
    CHECK(bench_suite_get(-1) == NULL && bench_suite_get(NEXPECTED) == NULL, "get out of range");
}

/* The odd suite is for rows that break the 16-byte rules (TMA, vector loads). */
static void test_odd(void)
{
    bench_shape s[8];
    char err[256];
    const int n = bench_shapes_parse(bench_suite_get(bench_suite_find("odd"))->shapes, s, 8, err,
                                     sizeof err);
    int unaligned_ab = 0, padded_c = 0;
    for (int i = 0; i < n; i++) {
        const tg_gemm_args g = args_of(&s[i], TG_DTYPE_F32);
        unaligned_ab += g.lda * 2 % 16 != 0 && g.ldb * 2 % 16 != 0;
        padded_c += g.ldc > g.n && g.ldc * 4 % 16 == 0;
    }
    CHECK(unaligned_ab == 3, "%d shapes with A and B rows off 16 bytes (8191^3, 4095^3, K 8191)",
          unaligned_ab);
    CHECK(padded_c == 1, "%d shapes with a padded, 16-byte C row (N 8191, ldc 8192)", padded_c);
}

static void test_shape_syntax(void)
{
    static const struct {
        const char *text;
        bench_shape want;
    } good[] = {
        {"1x2x3", {1, 2, 3, NO_LD}},
        {"8192x8191x8192:ldc=8192", {8192, 8191, 8192, 0, 0, 8192}},
        {"64x64x64:lda=72:ldb=80:ldc=96", {64, 64, 64, 72, 80, 96}},
        {"64x64x64:ldc=96:lda=72", {64, 64, 64, 72, 0, 96}},
        {"2147483647x1x1", {2147483647, 1, 1, NO_LD}},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        bench_shape s;
        const int ok = bench_shape_parse(good[i].text, &s);
        CHECK(ok && same_shape(&s, &good[i].want), "'%s' read as %s", good[i].text,
              ok ? shape_text(&s) : "nothing");
        char back[128];
        bench_shape_format(&s, back, sizeof back);
        bench_shape again;
        CHECK(bench_shape_parse(back, &again) && same_shape(&s, &again),
              "'%s' formats as '%s', which does not read back", good[i].text, back);
    }
    static const char *const bad[] = {
        "", "64x64", "64x64x", "x64x64", "64x64x64x", "64*64*64", "0x64x64", "64x-1x64",
        "64x+1x64", " 64x64x64", "64x64x64 ", "2147483648x1x1", "99999999999999999999x1x1",
        "64x64x64:", "64x64x64:ldc", "64x64x64:ldc=", "64x64x64:ldc=0", "64x64x64:ldd=64",
        "64x64x64:ldc=64:ldc=64", "64x64x64,ldc=64", "64x64x64:LDC=64", "64x64x64;ldc=64",
        "64x64x64:lda=64:ldb=64:ldc=64:lda=64",
        "1x1x1:lda=1:ldb=1:ldc=1000000000000000000000000000000000000000000000000000000000000000"
        "00000000000000",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        bench_shape s;
        CHECK(!bench_shape_parse(bad[i], &s), "'%s' read as a shape", bad[i]);
    }

    bench_shape list[4];
    char err[256];
    CHECK(bench_shapes_parse("1x1x1,2x2x2:ldc=4", list, 4, err, sizeof err) == 2 &&
              list[1].ldc == 4,
          "a list of two");
    CHECK(bench_shapes_parse("1x1x1,1x1x1,1x1x1,1x1x1,1x1x1", list, 4, err, sizeof err) == -1 &&
              !strcmp(err, "lists more than 4 shapes"),
          "five of at most four: '%s'", err);
    CHECK(bench_shapes_parse("1x1x1,,2x2x2", list, 4, err, sizeof err) == -1 &&
              !strcmp(err, "shape '' is not MxNxK[:lda=L][:ldb=L][:ldc=L] with each in "
                           "1..2147483647"),
          "an empty item: '%s'", err);
    CHECK(bench_shapes_parse("64x64", list, 4, err, sizeof err) == -1 && strstr(err, "'64x64'"),
          "not a shape: '%s'", err);
}

static void test_suite_names(void)
{
    unsigned mask = 0;
    char bad[64];
    CHECK(bench_suites_parse("square,odd", &mask, bad, sizeof bad) == 0 &&
              mask == (1u << bench_suite_find("square") | 1u << bench_suite_find("odd")),
          "square,odd: mask 0x%x", mask);
    CHECK(bench_suites_parse("decode,decode", &mask, bad, sizeof bad) == 0 &&
              mask == 1u << bench_suite_find("decode"),
          "a name twice: mask 0x%x", mask);
    CHECK(bench_suites_parse("square,frob", &mask, bad, sizeof bad) == -1 && !strcmp(bad, "frob"),
          "unknown: '%s'", bad);
    CHECK(bench_suites_parse("", &mask, bad, sizeof bad) == -1 && !strcmp(bad, ""), "empty");
    CHECK(bench_suites_parse("square,", &mask, bad, sizeof bad) == -1 && !strcmp(bad, ""),
          "a trailing comma");
    CHECK(bench_suites_parse("Square", &mask, bad, sizeof bad) == -1, "names are lower case");
}

static void test_bytes(void)
{
    const bench_shape s = {1, 4096, 4096, NO_LD};
    /* A 1x4096 bf16, B 4096x4096 bf16, C 1x4096. */
    const double ab = 4096.0 * 2 + 4096.0 * 4096 * 2;
    CHECK(bench_bytes(&s, 4, 0) == ab + 4096.0 * 4, "fp32 C: %.0f", bench_bytes(&s, 4, 0));
    CHECK(bench_bytes(&s, 2, 0) == ab + 4096.0 * 2, "bf16 C: %.0f", bench_bytes(&s, 2, 0));
    CHECK(bench_bytes(&s, 4, 1) == ab + 2 * 4096.0 * 4, "fp32 C, read: %.0f",
          bench_bytes(&s, 4, 1));
    const bench_shape padded = {1, 4096, 4096, 8192, 8192, 8192};
    CHECK(bench_bytes(&padded, 4, 0) == bench_bytes(&s, 4, 0), "padding is not moved");
    const bench_shape tall = {8192, 64, 8192, NO_LD}, square = {129, 129, 129, NO_LD},
                      skinny = {8192, 128, 4096, NO_LD}, decode = {64, 65, 65, NO_LD};
    CHECK(bench_memory_bound(&tall) == BENCH_DECODE && !bench_memory_bound(&square) &&
              bench_memory_bound(&skinny) == BENCH_SKINNY && bench_memory_bound(&decode) == BENCH_DECODE,
          "N <= 64 is memory-bound too, 65..128 skinny, 129 not: %d %d %d %d", bench_memory_bound(&tall),
          bench_memory_bound(&square), bench_memory_bound(&skinny), bench_memory_bound(&decode));
}

/* cli_parse on a command line given as one string of words. */
static int parse(const char *line, cli_options *o, char *err, size_t len)
{
    static char buf[1024];
    char *argv[32];
    int argc = 0;
    snprintf(buf, sizeof buf, "tilegemm %s", line);
    for (char *w = strtok(buf, " "); w && argc < 31; w = strtok(NULL, " "))
        argv[argc++] = w;
    argv[argc] = NULL;
    return cli_parse(argc, argv, o, err, len);
}

static void test_options(void)
{
    cli_options o;
    char err[512];
    int r = parse("bench --suite square,odd --csv out.csv --configs default,warp64", &o, err,
                  sizeof err);
    CHECK(r == 0, "--suite, --csv, --configs: %s", err);
    CHECK(o.suites == (1u << bench_suite_find("square") | 1u << bench_suite_find("odd")) &&
              o.csv && !strcmp(o.csv, "out.csv") && o.configs && !o.shapes,
          "suites 0x%x, csv %s", o.suites, o.csv ? o.csv : "(none)");
    r = parse("bench --suite=decode --dtype bf16 --no-lt", &o, err, sizeof err);
    CHECK(r == 0 && o.suites == 1u << bench_suite_find("decode") && !o.csv, "--suite=decode: %s",
          err);
    r = parse("bench", &o, err, sizeof err);
    CHECK(r == 0 && o.suites == 0 && !o.csv, "no suite by default");

    static const struct {
        const char *line, *message;
    } refused[] = {
        {"bench --suite frob",
         "tilegemm bench: --suite: unknown suite 'frob' (suites: square, llm, small, decode, narrow, batch, odd)"},
        {"bench --suite square,frob",
         "tilegemm bench: --suite: unknown suite 'frob' (suites: square, llm, small, decode, narrow, batch, odd)"},
        {"bench --suite square --shapes 64x64x64",
         "tilegemm bench: --suite and --shapes both give the shapes: give one of them"},
        {"bench --shapes 64x64x64 --suite square",
         "tilegemm bench: --suite and --shapes both give the shapes: give one of them"},
        {"bench --suite square --suite odd", "tilegemm bench: --suite given twice"},
        {"bench --csv=", "tilegemm bench: --csv needs a file name"},
        {"bench --csv", "tilegemm bench: option '--csv' needs a value"},
        {"tune --suite square", "tilegemm tune: --suite is not an option of tune (tilegemm tune "
                                "--help)"},
        {"run --csv x.csv", "tilegemm run: --csv is not an option of run (tilegemm run --help)"},
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        r = parse(refused[i].line, &o, err, sizeof err);
        CHECK(r == 2 && !strcmp(err, refused[i].message), "'%s': %d '%s'", refused[i].line, r,
              err);
    }
    const char *usage = cli_usage(CMD_BENCH);
    CHECK(strstr(usage, "--suite") && strstr(usage, "--csv"), "bench's usage names the options");
}

/* docs/BENCH.md documents the CSV's columns: its header line is BENCH_CSV_HEADER. */
static void test_csv_header_documented(void)
{
    const char *path = TG_SOURCE_DIR "/docs/BENCH.md";
    FILE *f = fopen(path, "r");
    CHECK(f != NULL, "cannot read %s", path);
    if (!f)
        return;
    char line[1024];
    int found = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        found |= !strcmp(line, BENCH_CSV_HEADER);
    }
    fclose(f);
    CHECK(found, "%s has no line '%s'", path, BENCH_CSV_HEADER);
}

int main(void)
{
    test_suites();
    test_odd();
    test_shape_syntax();
    test_suite_names();
    test_bytes();
    test_options();
    test_csv_header_documented();
    return check_summary();
}
