/*
 * test_gemv_verify.c — the gemv family on the CPU: its verifier tested, and
 * what the family tells the core (the arguments it takes, its launch, its
 * plan in numbers).
 *
 * A verifier that passes everything proves nothing. Each case copies the
 * real plan (tg_gplan_real_ops), replaces one function with a broken one —
 * a mistake someone could make in src/gemv/plan.h — runs tg_gemv_verify_ops
 * on the compiled preset and on configurations no preset has, and asserts
 * which checks the report names ("  FAIL <check>: "). The real plan must
 * pass on all of them.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gemv/verify.h"
#include "fake_args.h"
#include "tilegemm.h"

enum { REPORT_LEN = 16384 };

/* gemv_m1 and valid configurations no preset has: 4 rows of A, one vector a thread, 8 rows in
 * flight, a small block, the most vectors. */
static const char *const configs[] = {
    "gemv_m1",
    "gemv,block_m=4,max_threads=512,vecs=1,rows=8,min_blocks=1",
    "gemv,block_m=2,max_threads=64,vecs=3,rows=2,min_blocks=4",
    "gemv,block_m=1,max_threads=256,vecs=4,rows=1,min_blocks=2",
    "gemv_m1_long",
    "gemv,block_m=2,max_threads=1024,vecs=2,rows=4,min_blocks=1,a_smem=1",
    "gemv,block_m=4,max_threads=128,vecs=3,rows=4,min_blocks=1,a_smem=1",
};
enum { NCONFIGS = (int)(sizeof configs / sizeof configs[0]) };
static tg_config cfgs[NCONFIGS];

static void load_configs(void)
{
    for (int i = 0; i < NCONFIGS; i++)
        CHECK(tg_config_parse(configs[i], &cfgs[i]) == TG_SUCCESS && cfgs[i].family == TG_FAMILY_GEMV,
              "%s: %s", configs[i], tg_last_error());
    CHECK(tg_config_compiled(&cfgs[0]), "gemv_m1 is not compiled");
}

static void real_plan(char *report)
{
    for (int i = 0; i < NCONFIGS; i++) {
        memset(report, 0, REPORT_LEN);
        tg_status s = tg_gemv_verify_ops(cfgs[i].params, &tg_gplan_real_ops, report, REPORT_LEN);
        printf("--- %s: %s\n%s", configs[i], tg_status_string(s), report);
        CHECK(s == TG_SUCCESS && strstr(report, "plan verifier: ok"), "%s: rejected: %s", configs[i],
              report);
    }
    CHECK(tg_config_verify(&cfgs[0], report, REPORT_LEN) == TG_SUCCESS &&
              strstr(report, "plan verifier: ok"),
          "tg_config_verify(gemv_m1): %s", report);
    /* The plan's rules, with their reasons. */
    static const struct {
        const char *text, *needle;
    } refused[] = {
        {"gemv_m1,max_threads=1000", "multiple of 32"},
        {"gemv_m1,rows=3", "ROWS must divide 32"},
        {"gemv_m1,min_blocks=4", "MIN_BLOCKS*MAX_THREADS"},
        {"gemv_m1,vecs=4,rows=8", "ptxas would spill"},
        {"gemv_m1,block_m=5", "block_m must be 1..4"},
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        tg_config c;
        tg_status s = tg_config_parse(refused[i].text, &c);
        CHECK(s == TG_ERR_INVALID_CONFIG && strstr(tg_last_error(), refused[i].needle),
              "%s: %s (%s), expected a refusal saying '%s'", refused[i].text, tg_status_string(s),
              tg_last_error(), refused[i].needle);
    }
}

/* ------------------------------------------------------------------------
 * Broken plans
 * ---------------------------------------------------------------------- */

static int64_t bad_threads(const tg_gtile *t, int64_t k)
{
    return tg_gplan_block_threads(t, k) > 32 ? tg_gplan_block_threads(t, k) - 32 : 32;
}
static int64_t bad_vector(int tid, int j, int bt)
{
    (void)bt;
    return (int64_t)tid * 2 + j; /* every vector once (VECS 2), but a warp's load strided */
}
static int64_t bad_block_rows(int64_t n, int64_t g, int64_t b) { return b < n ? (n - b) / g : 0; }
static int64_t bad_row(int64_t g, int64_t b, int64_t i) { return b * g + i; }
static int bad_buffer(int64_t i0)
{
    (void)i0;
    return 0;
}
static int bad_red_offset(const tg_gtile *t, int buf, int slot, int warp, int m)
{
    return tg_gplan_red_offset(t, buf, slot, warp / 2 * 2, m);
}
static int bad_finish_slot(int warp, int warps, int q) { return warp + q * (warps + 1); }
static int64_t bad_a_slot(int64_t vectors, int m, int64_t v) { return m * vectors + v + 1; }

typedef struct mutation {
    const char *what;
    tg_gplan_ops ops;
    const char *const *expect; /* checks the report must name */
    int first_only;            /* only on configurations it can break (VECS 2: gemv_m1) */
    int smem_only;             /* only where A is in shared memory (A_SMEM 1); elsewhere it passes */
} mutation;

#define TRIPS(...) ((const char *const[]){__VA_ARGS__, NULL})

static void broken_plans(char *report)
{
    mutation m[10];
    int n = 0;
#define MUTANT(WHAT, FIELD, FN, FIRST, ...)                                                   \
    (m[n].what = WHAT, m[n].ops = tg_gplan_real_ops, m[n].ops.FIELD = FN, m[n].first_only = FIRST, \
     m[n].smem_only = 0, m[n].expect = TRIPS(__VA_ARGS__), n++)
    MUTANT("a warp too few", block_threads, bad_threads, 0, "block");
    MUTANT("vectors interleaved by thread", vector, bad_vector, 1, "order");
    MUTANT("blocks' row counts rounded down", block_rows, bad_block_rows, 0, "rows");
    MUTANT("rows contiguous per block", row, bad_row, 0, "rows");
    MUTANT("one buffer for every group", buffer, bad_buffer, 0, "reduction");
    MUTANT("warps sharing slots", red_offset, bad_red_offset, 0, "reduction");
    MUTANT("finishing slots skipped", finish_slot, bad_finish_slot, 0, "reduction");
    MUTANT("A's slots one vector off", a_slot, bad_a_slot, 0, "coverage");
    m[n - 1].smem_only = 1;
#undef MUTANT
    for (int i = 0; i < n; i++)
        for (int c = 0; c < (m[i].first_only ? 1 : NCONFIGS); c++) {
            memset(report, 0, REPORT_LEN);
            tg_status s = tg_gemv_verify_ops(cfgs[c].params, &m[i].ops, report, REPORT_LEN);
            if (m[i].smem_only && !cfgs[c].params[TG_GEMV_A_SMEM]) {
                CHECK(s == TG_SUCCESS, "%s on %s: A is in registers there, nothing to break: %s",
                      m[i].what, configs[c], report);
                continue;
            }
            if (c == 0)
                printf("--- %s, %s: %s\n%s", m[i].what, configs[c], tg_status_string(s), report);
            CHECK(s == TG_ERR_INVALID_CONFIG && strstr(tg_last_error(), "verifier check"),
                  "%s on %s: the verifier returned %s", m[i].what, configs[c], tg_status_string(s));
            for (const char *const *e = m[i].expect; *e; e++)
                CHECK(report_fails(report, *e), "%s on %s: the report does not name '%s': %s",
                      m[i].what, configs[c], *e, report);
        }
}

/* ------------------------------------------------------------------------
 * What the family tells the core
 * ---------------------------------------------------------------------- */

static void expect_refusal(const char *what, const tg_gemm_args *g, const char *needle)
{
    tg_status s = tg_gemm_supports(g, &cfgs[0]);
    CHECK(s == TG_ERR_INVALID_ARGUMENT && strstr(tg_last_error(), "gemv family cannot take") &&
              strstr(tg_last_error(), needle),
          "%s: %s (%s), expected a refusal saying '%s'", what, tg_status_string(s), tg_last_error(),
          needle);
}

static void family_calls(void)
{
    tg_gemm_args g = packed_args(1, 8192, 8192);
    CHECK(tg_gemm_supports(&g, &cfgs[0]) == TG_SUCCESS, "1x8192x8192: %s", tg_last_error());
    g = packed_args(1, 5, 16384);
    CHECK(tg_gemm_supports(&g, &cfgs[0]) == TG_SUCCESS, "K = 16384, the most: %s", tg_last_error());
    g = packed_args(2, 8192, 8192);
    expect_refusal("M = 2", &g, "BLOCK_M = 1");
    g = packed_args(1, 8192, 16392);
    expect_refusal("K past a block's row", &g, "a block covers a whole row of B");
    g = packed_args(1, 8192, 8188);
    expect_refusal("K not a multiple of 8", &g, "K must be a multiple of 8");
    g = packed_args(1, 8192, 8192);
    g.ldb = 8196;
    expect_refusal("ldb not a multiple of 8", &g, "lda and ldb must be multiples of 8");
    g = packed_args(1, 8192, 8192);
    g.b = (const char *)FAKE_B + 2;
    expect_refusal("B misaligned", &g, "16-byte aligned");
    g = packed_args(1, 8192, 8192);
    g.batch = 3;
    g.stride_a = 8192;
    g.stride_b = 8192 * 8192 + 4;
    g.stride_c = 8192;
    expect_refusal("stride_b not a multiple of 8", &g, "stride_a and stride_b");

    /* The plan printed for the library's choice at 1x8192x8192: the gemv grid, 512 threads. */
    g = packed_args(1, 8192, 8192);
    tg_config out;
    char why[TG_WHY_BYTES];
    tg_status s = tg_gemm_choose(&g, &out, why, sizeof why);
    CHECK(s == TG_SUCCESS && !strcmp(out.name, "gemv_m1") && strstr(why, "bench/RESULTS.md") &&
              strstr(why, "block b of G taking rows b, b+G") && strstr(why, "blocks of 512 threads"),
          "1x8192x8192: %s: %s", out.name, why);
    size_t ws = 1;
    CHECK(tg_gemm_workspace_size(&g, &cfgs[0], &ws) == TG_SUCCESS && ws == 0,
          "gemv_m1 needs no workspace, said %zu", ws);

    /* Past K = 16384, A in shared memory: gemv_m1_long, its A's bytes in the plan's words. */
    g = packed_args(1, 8192, 28672);
    s = tg_gemm_choose(&g, &out, why, sizeof why);
    CHECK(s == TG_SUCCESS && !strcmp(out.name, "gemv_m1_long") &&
              strstr(why, "blocks of 896 threads") && strstr(why, "57344 bytes of dynamic (A's rows"),
          "1x8192x28672: %s: %s", out.name, why);

    /* Facts: a block covers K <= 16384; 8 loads of B in flight a thread. */
    tg_fact f[16];
    const int nf = tg_config_facts(&cfgs[0], f, 16);
    int64_t max_k = 0, loads = 0;
    for (int i = 0; i < nf && i < 16; i++) {
        if (!strcmp(f[i].key, "max_k"))
            max_k = f[i].value;
        if (!strcmp(f[i].key, "loads_in_flight"))
            loads = f[i].value;
    }
    CHECK(max_k == 16384 && loads == 8, "gemv_m1's facts: max_k %lld, loads_in_flight %lld",
          (long long)max_k, (long long)loads);
}

int main(void)
{
    char *report = malloc(REPORT_LEN);
    if (!report)
        return 1;
    load_configs();
    real_plan(report);
    broken_plans(report);
    family_calls();
    free(report);
    return check_summary();
}
