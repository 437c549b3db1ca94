/*
 * test_api_args.c — argument errors of tg_gemm_check_args and tg_gemm,
 * status strings, and behaviour without a GPU. Needs no device.
 *
 * Every bad argument must come back as TG_ERR_INVALID_ARGUMENT with a
 * tg_last_error() message that names it. The pointers are fake (never
 * dereferenced: tg_gemm_check_args only looks at their values), so each
 * case changes one field of a valid argument set.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "core/rules.h"
#include "fake_args.h"
#include "tilegemm.h"

/* 64×64×64, fp32 output, batch 1: valid. */
static tg_gemm_args valid_args(void) { return packed_args(64, 64, 64); }

/* Batched version: 3 items, each matrix right after the previous one. */
static tg_gemm_args valid_batched(void)
{
    tg_gemm_args g = valid_args();
    g.batch = 3;
    g.stride_a = g.m * g.lda;
    g.stride_b = g.n * g.ldb;
    g.stride_c = g.m * g.ldc;
    return g;
}

static void expect_invalid(const char *what, const tg_gemm_args *g, const char *needle)
{
    tg_status s = tg_gemm_check_args(g);
    CHECK(s == TG_ERR_INVALID_ARGUMENT, "%s: got %s, expected invalid argument", what,
          tg_status_string(s));
    CHECK(strstr(tg_last_error(), needle) != NULL, "%s: message '%s' does not name '%s'", what,
          tg_last_error(), needle);
}

static void expect_valid(const char *what, const tg_gemm_args *g)
{
    tg_status s = tg_gemm_check_args(g);
    CHECK(s == TG_SUCCESS, "%s: got %s (%s), expected success", what, tg_status_string(s),
          tg_last_error());
}

static void check_args(void)
{
    /* The output must not alias an input (blocks would read what others wrote). */
    {
        tg_gemm_args g = valid_args();
        g.c = (void *)g.a;
        expect_invalid("c == a", &g, "overlaps a");
        g = valid_args();
        g.c = (char *)g.b + 64 * 64 * 2 - 4; /* last 4 bytes of b */
        expect_invalid("c overlapping the end of b", &g, "overlaps b");
        g = valid_args();
        g.c = (char *)g.a + 64 * 64 * 2; /* right after a: touching, not overlapping */
        expect_valid("c right after a", &g);
        g = valid_batched();
        g.c = (char *)g.a + 2 * g.stride_a * 2; /* inside a's third batch item */
        expect_invalid("c inside a's last batch item", &g, "overlaps a");
    }

    tg_gemm_args g;
    int cases = 0;
#define BAD(what, change, needle) \
    do {                          \
        g = valid_args();         \
        change;                   \
        expect_invalid(what, &g, needle); \
        cases++;                  \
    } while (0)
#define BAD_BATCHED(what, change, needle) \
    do {                                  \
        g = valid_batched();              \
        change;                           \
        expect_invalid(what, &g, needle); \
        cases++;                          \
    } while (0)

    g = valid_args();
    expect_valid("the base arguments", &g);
    g = valid_batched();
    expect_valid("the batched base arguments", &g);

    expect_invalid("NULL args", NULL, "args");
    cases++;

    BAD("m = -5", g.m = -5, "m must be >= 0");
    BAD("n = -1", g.n = -1, "n must be >= 0");
    BAD("k = -64", g.k = -64, "k must be >= 0");
    BAD("size 0", g.size = 0, "args->size is 0");
    BAD("size too small", g.size = 8, "smaller than any tilegemm");
    BAD("size too large", g.size = sizeof g + 8, "newer tilegemm");
    BAD("pdl = 2", g.pdl = 2, "pdl must be 0 or 1");
    BAD("size inside 0.2's struct", g.size = offsetof(tg_gemm_args, pdl) - 8, "smaller than any tilegemm");
    /* tilegemm 0.2's struct ended before pdl: its callers' size still reads (pdl then 1) */
    g = valid_args();
    g.size = offsetof(tg_gemm_args, pdl);
    g.pdl = 7; /* past the caller's size: never read */
    expect_valid("a tilegemm 0.2 caller's size", &g);
    cases++;
    BAD("workspace NULL with a size", g.workspace_size = 256, "workspace is NULL");
    BAD("lda < k", g.lda = 63, "lda");
    BAD("ldb < k", g.ldb = 63, "ldb");
    BAD("ldc < n", g.ldc = 63, "ldc");
    /* lda and ldb are measured against K, ldc against N: a wide, short K. */
    BAD("lda < k, ldc >= n", (g.k = 100, g.ldb = 100, g.lda = 99), "lda");
    BAD("a NULL", g.a = NULL, "a is NULL");
    BAD("b NULL", g.b = NULL, "b is NULL");
    BAD("c NULL", g.c = NULL, "c is NULL");
    BAD("a odd address", g.a = (const void *)(uintptr_t)0x10001, "a (");
    BAD("b odd address", g.b = (const void *)(uintptr_t)0x20003, "b (");
    BAD("a odd address", g.a = (const void *)(uintptr_t)0x10001, "2-byte aligned");
    BAD("c fp32 at 2 mod 4", g.c = (void *)(uintptr_t)0x30002, "4-byte aligned");
    BAD("c fp32 at 2 mod 4", g.c = (void *)(uintptr_t)0x30002, "c (");
    BAD("c bf16 odd", (g.c_dtype = TG_DTYPE_BF16, g.c = (void *)(uintptr_t)0x30001),
        "2-byte aligned");
    BAD("c bf16 odd", (g.c_dtype = TG_DTYPE_BF16, g.c = (void *)(uintptr_t)0x30001), "c (");
    BAD("c_dtype 7", g.c_dtype = (tg_dtype)7, "c_dtype");
    BAD("c_dtype -1", g.c_dtype = (tg_dtype)-1, "c_dtype");
    BAD("batch -1", g.batch = -1, "batch must be >= 0");
    BAD_BATCHED("stride_c one short", g.stride_c = (g.m - 1) * g.ldc + g.n - 1, "stride_c");
    BAD_BATCHED("stride_c 0", g.stride_c = 0, "stride_c");
    BAD_BATCHED("stride_a negative", g.stride_a = -g.m * g.lda, "stride_a");
    BAD_BATCHED("stride_b negative", g.stride_b = -1, "stride_b");
    /* Sizes whose products overflow 64 bits are refused, never wrapped. */
    BAD("m = lda = INT64_MAX", (g.m = INT64_MAX, g.lda = INT64_MAX, g.n = 1, g.ldc = 1),
        "c is too large");
    BAD("m = 2^60, lda = 64", (g.m = (int64_t)1 << 60, g.n = 1, g.ldc = 1), "a is too large");
    BAD("m = ldc = INT64_MAX", (g.m = INT64_MAX, g.ldc = INT64_MAX), "c is too large");
    BAD("n * ldb overflows", (g.n = (int64_t)1 << 32, g.ldb = (int64_t)1 << 32, g.ldc = g.n),
        "b is too large");
    BAD("2-byte elements of a overflow", (g.m = (int64_t)1 << 56, g.n = 1, g.ldc = 1),
        "a is too large");
    BAD_BATCHED("huge batch stride", g.stride_a = INT64_MAX / 2, "a is too large");
    BAD_BATCHED("huge stride_c", (g.batch = 1 << 20, g.stride_c = INT64_MAX / 4), "c is too large");
    BAD("a's span passes the end of memory", g.a = (const void *)(UINTPTR_MAX - 65),
        "passes the end of the address space");
    BAD("c's span passes the end of memory", g.c = (void *)(UINTPTR_MAX - 63),
        "passes the end of the address space");
#undef BAD
#undef BAD_BATCHED

    /* Large but valid: no false overlap from a wrapped end address. */
    g = valid_args();
    g.m = (int64_t)1 << 40;
    g.lda = g.k;
    g.ldc = g.n;
    g.a = (const void *)((uintptr_t)1 << 40);
    g.c = (void *)((uintptr_t)1 << 60);
    g.b = (const void *)((uintptr_t)2 << 60);
    expect_valid("2^40 rows, far apart", &g);

    /* Zero sizes: M, N or batch = 0 is a no-op (pointers may be NULL); K = 0 needs only C. */
    g = valid_args();
    g.m = 0;
    g.a = g.b = NULL;
    g.c = NULL;
    expect_valid("m = 0 with NULL pointers", &g);
    g = valid_args();
    g.n = 0;
    g.ldc = 0;
    expect_valid("n = 0", &g);
    /* Nothing to do, at the edge of int64: no size the checks or the grid form may overflow
     * (UBSan watches this in CI). */
    g = valid_args();
    g.m = INT64_MAX;
    g.n = 0;
    expect_valid("m = INT64_MAX, n = 0", &g);
    {
        tg_config chosen;
        size_t bytes = 1;
        CHECK(tg_gemm_choose(&g, &chosen, NULL, 0) == TG_SUCCESS &&
                  tg_gemm_workspace_size(&g, NULL, &bytes) == TG_SUCCESS && bytes == 0,
              "m = INT64_MAX, n = 0: choose and workspace: %s", tg_last_error());
        /* batch = 0 with a grid no launch could hold: still nothing to do. */
        g = valid_args();
        g.m = (int64_t)1 << 48;
        g.n = (int64_t)1 << 38;
        g.ldc = g.n;
        g.lda = g.ldb = g.k;
        g.batch = 0;
        CHECK(tg_gemm_choose(&g, &chosen, NULL, 0) == TG_SUCCESS,
              "m = 2^48, n = 2^38, batch = 0: %s", tg_last_error());
    }
    g = valid_args();
    g.batch = 0;
    expect_valid("batch 0", &g);
    g = valid_args();
    g.k = 0;
    g.a = g.b = NULL;
    g.lda = g.ldb = 0;
    expect_valid("k = 0 with NULL a and b (C = beta*C)", &g);
    g.c = NULL;
    expect_invalid("k = 0 still needs c", &g, "c is NULL");
    g = valid_args();
    g.alpha = 0.0f;
    g.a = g.b = NULL;
    expect_valid("alpha = 0 reads neither a nor b", &g);

    /* The edges of each rule, on the valid side: the rules are not too strict. */
    g = valid_args();
    g.c_dtype = TG_DTYPE_BF16;
    g.c = (void *)(uintptr_t)0x30002;
    expect_valid("c bf16 at 2 mod 4", &g);
    g = valid_args();
    g.a = (const void *)(uintptr_t)0x10002;
    g.b = (const void *)(uintptr_t)0x20006;
    expect_valid("a and b 2-byte aligned only (the slow path)", &g);
    g = valid_args();
    g.m = g.n = g.k = 1;
    g.lda = 1;
    g.ldb = 1;
    g.ldc = 1;
    expect_valid("1x1x1", &g);
    g = valid_args();
    g.lda = g.ldb = 72;
    g.ldc = 65;
    expect_valid("padded leading dimensions", &g);
    g = valid_batched();
    g.batch = 65536;
    g.stride_a = g.stride_b = 0;
    expect_valid("batch 65536 (a family may still refuse it)", &g);
    g = valid_batched();
    g.stride_c = (g.m - 1) * g.ldc + g.n;
    expect_valid("stride_c exactly (m-1)*ldc+n", &g);
    g = valid_batched();
    g.stride_a = 0;
    g.stride_b = 0;
    expect_valid("stride_a = stride_b = 0 (A and B shared by the batch)", &g);
    /* With one item the strides are never used. */
    g = valid_args();
    g.stride_a = -1;
    g.stride_c = 0;
    expect_valid("batch 1 ignores strides", &g);
    printf("arguments: %d invalid cases named, valid edges accepted\n", cases);
}

static void check_gemm(void)
{
    tg_gemm_args g = valid_args();
    tg_config seed, custom, broken;
    CHECK(tg_config_parse("seed", &seed) == TG_SUCCESS, "parse seed: %s", tg_last_error());

    /* Argument errors come first, before any config or device question. */
    tg_gemm_args bad = valid_args();
    bad.lda = 1;
    tg_status s = tg_gemm(&bad, &seed, NULL);
    CHECK(s == TG_ERR_INVALID_ARGUMENT && strstr(tg_last_error(), "lda"),
          "tg_gemm with lda=1: %s (%s)", tg_status_string(s), tg_last_error());
    s = tg_gemm(NULL, &seed, NULL);
    CHECK(s == TG_ERR_INVALID_ARGUMENT, "tg_gemm(NULL args): %s", tg_status_string(s));

    /* Valid parameters no kernel was built for. */
    s = tg_config_parse("split8,raster=37", &custom);
    CHECK(s == TG_SUCCESS, "parse split8,raster=37: %s", tg_status_string(s));
    s = tg_gemm(&g, &custom, NULL);
    CHECK(s == TG_ERR_NOT_COMPILED, "tg_gemm with an uncompiled tile: %s (%s)",
          tg_status_string(s), tg_last_error());
    CHECK(strstr(tg_last_error(), "custom") != NULL, "the message '%s' does not name the config",
          tg_last_error());

    /* A configuration that breaks a rule is reported as such, not as "not compiled". */
    broken = seed;
    snprintf(broken.name, sizeof broken.name, "broken");
    broken.params[5] = 24; /* reg_block_m */
    s = tg_gemm(&g, &broken, NULL);
    CHECK(s == TG_ERR_INVALID_CONFIG && strstr(tg_last_error(), "REG_BLOCK_M"),
          "tg_gemm with REG_BLOCK_M=24: %s (%s)", tg_status_string(s), tg_last_error());

    /* The micro family refuses a batch its grid cannot hold, naming the limit. */
    tg_gemm_args big = valid_batched();
    big.batch = 65536;
    big.stride_a = big.stride_b = 0;
    s = tg_gemm(&big, &seed, NULL);
    CHECK(s == TG_ERR_INVALID_ARGUMENT && strstr(tg_last_error(), "batch must be <= 65535"),
          "batch 65536 with seed: %s (%s)", tg_status_string(s), tg_last_error());

    /* The library's choice, and the workspace query. */
    tg_config chosen;
    char why[TG_WHY_BYTES];
    s = tg_gemm_choose(&g, &chosen, why, sizeof why);
    CHECK(s == TG_SUCCESS && tg_config_compiled(&chosen) && strstr(why, "bench/RESULTS.md"),
          "tg_gemm_choose: %s (%s), why '%s'", tg_status_string(s), tg_last_error(), why);
    size_t ws = 1;
    s = tg_gemm_workspace_size(&g, NULL, &ws);
    CHECK(s == TG_SUCCESS && ws == 0, "workspace for micro: %s, %zu", tg_status_string(s), ws);
    CHECK(tg_gemm_workspace_size(&g, NULL, NULL) == TG_ERR_INVALID_ARGUMENT, "NULL bytes");
    CHECK(tg_gemm_choose(&g, NULL, NULL, 0) == TG_ERR_INVALID_ARGUMENT, "NULL out");

    tg_kernel_info info;
    CHECK(tg_kernel_get_info(NULL, &info) == TG_ERR_INVALID_ARGUMENT, "get_info(NULL cfg)");
    CHECK(tg_kernel_get_info(&seed, NULL) == TG_ERR_INVALID_ARGUMENT, "get_info(NULL out)");
    CHECK(tg_kernel_get_info(&custom, &info) == TG_ERR_NOT_COMPILED, "get_info(uncompiled)");

    /* The pointer check: the arguments first, then the device. */
    tg_gemm_args negative = g;
    negative.m = -1;
    s = tg_gemm_check_pointers(&negative);
    CHECK(s == TG_ERR_INVALID_ARGUMENT && strstr(tg_last_error(), "m must be"),
          "check_pointers(m = -1): %s (%s)", tg_status_string(s), tg_last_error());

    /* Without a GPU: a clean status, not a crash. */
    tg_status dev = tg_device_check();
    printf("tg_device_check: %s (%s)\n", tg_status_string(dev),
           dev == TG_SUCCESS ? "" : tg_last_error());
    if (dev == TG_ERR_NO_DEVICE) {
        CHECK(strstr(tg_last_error(), "no CUDA GPU") != NULL ||
                  strstr(tg_last_error(), "no usable NVIDIA driver") != NULL,
              "no-device message '%s'", tg_last_error());
        /* M = 1: a shape every compiled configuration takes (the gemv family's BLOCK_M), so
         * each call reaches the device check. */
        tg_gemm_args every = g;
        every.m = 1;
        for (int i = 0; i < tg_config_count(); i++) {
            tg_config cfg;
            tg_config_get(i, &cfg);
            s = tg_gemm(&every, &cfg, NULL);
            CHECK(s == TG_ERR_NO_DEVICE, "tg_gemm(%s) without a device: %s (%s)", cfg.name,
                  tg_status_string(s), tg_last_error());
        }
        s = tg_gemm(&g, NULL, NULL);
        CHECK(s == TG_ERR_NO_DEVICE, "tg_gemm(library's choice) without a device: %s",
              tg_status_string(s));
        /* Nothing to do needs no device. */
        tg_gemm_args none = valid_args();
        none.m = 0;
        s = tg_gemm(&none, &seed, NULL);
        CHECK(s == TG_SUCCESS, "m = 0 without a device: %s (%s)", tg_status_string(s),
              tg_last_error());
        s = tg_kernel_get_info(&seed, &info);
        CHECK(s == TG_ERR_NO_DEVICE, "tg_kernel_get_info without a device: %s",
              tg_status_string(s));
        s = tg_gemm_check_pointers(&g);
        CHECK(s == TG_ERR_NO_DEVICE, "tg_gemm_check_pointers without a device: %s",
              tg_status_string(s));
        CHECK(tg_gemm_check_pointers(&none) == TG_SUCCESS, "check_pointers(m = 0) needs no device");
        printf("no device: tg_gemm and tg_kernel_get_info return TG_ERR_NO_DEVICE\n");
    } else {
        printf("a device answered (%s): the no-device checks are skipped\n",
               tg_status_string(dev));
        /* These arguments' pointers are made-up addresses: C, checked first, is refused. */
        s = tg_gemm_check_pointers(&g);
        CHECK(s == TG_ERR_INVALID_ARGUMENT && !strncmp(tg_last_error(), "c (", 3),
              "check_pointers(made-up pointers): %s (%s)", tg_status_string(s), tg_last_error());
    }
}

static void check_strings(void)
{
    static const tg_status all[] = {
        TG_SUCCESS,       TG_ERR_INVALID_ARGUMENT, TG_ERR_UNKNOWN_CONFIG,
        TG_ERR_INVALID_CONFIG, TG_ERR_NOT_COMPILED, TG_ERR_NO_DEVICE,
        TG_ERR_UNSUPPORTED_DEVICE, TG_ERR_CUDA,    TG_ERR_BUFFER_TOO_SMALL,
    };
    enum { N = (int)(sizeof all / sizeof all[0]) };
    const char *unknown = tg_status_string((tg_status)-99);
    CHECK(unknown != NULL && unknown[0] != '\0', "an unknown status must still have a string");
    for (int i = 0; i < N; i++) {
        const char *x = tg_status_string(all[i]);
        CHECK(x != NULL && x[0] != '\0', "status %d has an empty string", (int)all[i]);
        if (!x)
            continue;
        CHECK(unknown == NULL || strcmp(x, unknown) != 0,
              "status %d has the unknown-status string '%s'", (int)all[i], x);
        for (int j = 0; j < i; j++) {
            const char *y = tg_status_string(all[j]);
            CHECK(y == NULL || strcmp(x, y) != 0, "statuses %d and %d share the string '%s'",
                  (int)all[i], (int)all[j], x);
        }
    }
    /* 0 is success and errors are negative. */
    CHECK(TG_SUCCESS == 0, "TG_SUCCESS must be 0");
    for (int i = 1; i < N; i++)
        CHECK((int)all[i] < 0, "error status %s is %d, not negative", tg_status_string(all[i]),
              (int)all[i]);
    CHECK(strcmp(tg_dtype_name(TG_DTYPE_F32), "fp32") == 0 &&
              strcmp(tg_dtype_name(TG_DTYPE_BF16), "bf16") == 0,
          "dtype names: '%s', '%s'", tg_dtype_name(TG_DTYPE_F32), tg_dtype_name(TG_DTYPE_BF16));

    tg_gemm_args d = tg_gemm_args_default();
    CHECK(d.batch == 1 && d.c_dtype == TG_DTYPE_F32 && d.size == sizeof d && d.alpha == 1.0f &&
              d.beta == 0.0f && d.workspace == NULL && d.workspace_size == 0,
          "default args: batch %lld, dtype %d, size %zu, alpha %g, beta %g", (long long)d.batch,
          (int)d.c_dtype, d.size, d.alpha, d.beta);
    CHECK(d.a == NULL && d.b == NULL && d.c == NULL && d.m == 0 && d.n == 0 && d.k == 0 &&
              d.stride_a == 0 && d.stride_b == 0 && d.stride_c == 0,
          "default args: pointers, sizes and strides must be zero");
    /* The defaults alone are a valid no-op (M = N = K = 0), as in cuBLAS. */
    CHECK(tg_gemm_check_args(&d) == TG_SUCCESS, "default args: %s", tg_last_error());
    printf("strings: %d status strings non-empty and distinct; defaults batch 1, fp32\n", N);
}

/*
 * Operands TMA cannot read: with a workspace the library packs them for the
 * hopper family (tg_gemm_workspace_size says how much); without one it runs
 * a family that reads any layout, and a hopper preset named for the call
 * says how much workspace would let it run.
 */
static void check_packing(void)
{
    tg_gemm_args g = tg_gemm_args_default();
    g.m = g.n = g.k = 8191;
    g.lda = g.ldb = g.ldc = 8191;
    g.a = (const void *)(uintptr_t)0x100000; /* placeholders: choose and supports read no memory */
    g.b = (const void *)(uintptr_t)0x200000;
    g.c = (void *)(uintptr_t)0x300000;
    const size_t copy = (size_t)8191 * 8192 * 2; /* rows of 8192 elements, a multiple of 256 bytes */
    size_t ws = 0;
    CHECK(tg_gemm_workspace_size(&g, NULL, &ws) == TG_SUCCESS && ws == 2 * copy,
          "8191^3 workspace: %zu, want %zu (%s)", ws, 2 * copy, tg_last_error());
    tg_config chosen, hopper;
    char why[TG_WHY_BYTES];
    CHECK(tg_gemm_choose(&g, &chosen, why, sizeof why) == TG_SUCCESS &&
              chosen.family == TG_FAMILY_MICRO && !strstr(why, "packed"),
          "8191^3 without workspace: %s, %s", chosen.name, why);
    g.workspace_size = ws; /* NULL workspace: a question about the call */
    CHECK(tg_gemm_choose(&g, &chosen, why, sizeof why) == TG_SUCCESS &&
              chosen.family == TG_FAMILY_HOPPER && strstr(why, "A and B, as they are, not taken by the hopper family: packed"),
          "8191^3 with %zu bytes of workspace: %s, %s", ws, chosen.name, why);
    g.workspace_size = ws - 1;
    CHECK(tg_gemm_choose(&g, &chosen, why, sizeof why) == TG_SUCCESS && chosen.family == TG_FAMILY_MICRO,
          "8191^3 with a byte too little: %s", chosen.name);

    /* A preset named for the call: refused without the workspace, with the amount. */
    CHECK(tg_config_parse("tma_store", &hopper) == TG_SUCCESS, "parse: %s", tg_last_error());
    g.workspace_size = 0;
    tg_status s = tg_gemm_supports(&g, &hopper);
    CHECK(s == TG_ERR_INVALID_ARGUMENT && strstr(tg_last_error(), "lda and ldb must be multiples of 8") &&
              strstr(tg_last_error(), "workspace of 268402688 bytes"),
          "tma_store on 8191^3 without workspace: %s", tg_last_error());
    CHECK(tg_gemm_workspace_size(&g, &hopper, &ws) == TG_SUCCESS && ws == 2 * copy,
          "tma_store's workspace on 8191^3: %zu", ws);
    g.workspace_size = ws;
    CHECK(tg_gemm_supports(&g, &hopper) == TG_SUCCESS, "tma_store with workspace: %s", tg_last_error());
    g.workspace = (void *)(uintptr_t)0x400008; /* not 256-byte aligned */
    CHECK(tg_gemm_supports(&g, &hopper) == TG_ERR_INVALID_ARGUMENT,
          "tma_store with a misaligned workspace must be refused");
    g.workspace = NULL;

    /* Only what breaks the rules is copied: A one element off its alignment, B fine. */
    g.m = g.n = g.k = 4096;
    g.lda = g.ldb = g.ldc = 4096;
    g.a = (const void *)(uintptr_t)0x100002;
    g.workspace_size = 0;
    CHECK(tg_gemm_workspace_size(&g, NULL, &ws) == TG_SUCCESS && ws == (size_t)4096 * 4096 * 2,
          "A misaligned: workspace %zu", ws);
    g.workspace_size = ws;
    CHECK(tg_gemm_choose(&g, &chosen, why, sizeof why) == TG_SUCCESS &&
              chosen.family == TG_FAMILY_HOPPER && strstr(why, "; A, as it is, not taken"),
          "A misaligned with workspace: %s, %s", chosen.name, why);
    /* A batch whose A stride breaks the rule: every item's copy. */
    g.a = (const void *)(uintptr_t)0x100000;
    g.batch = 3;
    g.stride_a = 4096 * 4096 + 4;
    g.stride_b = 4096 * 4096;
    g.stride_c = 4096 * 4096;
    g.workspace_size = 0;
    CHECK(tg_gemm_workspace_size(&g, NULL, &ws) == TG_SUCCESS && ws == (size_t)3 * 4096 * 4096 * 2,
          "batched, stride_a odd: workspace %zu", ws);
    /* A B the batch shares (stride 0) with odd rows: one copy, still shared, not one per
     * item; and an aligned shared B is not copied at all (hopper refuses the sharing itself,
     * which a copy does not change: the library's choice is micro's). */
    g.stride_a = 4096 * 4096;
    g.ldb = 4100; /* 8200-byte rows: not a multiple of 16 */
    g.stride_b = 0;
    CHECK(tg_gemm_workspace_size(&g, NULL, &ws) == TG_SUCCESS && ws == 0,
          "batched, shared B with odd rows: workspace %zu, want 0 (hopper takes no shared B)", ws);
    tg_config named;
    CHECK(tg_config_parse("decode_m16_s1", &named) == TG_SUCCESS, "parse: %s", tg_last_error());
    g.m = 16;
    g.stride_a = 16 * 4096;
    g.stride_c = 16 * 4096;
    CHECK(tg_gemm_workspace_size(&g, &named, &ws) == TG_SUCCESS &&
              ws == (size_t)4096 * 4096 * 2,
          "decode, batch 3 sharing B with odd rows: workspace %zu, want one copy of B (%zu)", ws,
          (size_t)4096 * 4096 * 2);
    printf("packing: 8191^3 packs A and B into %zu bytes for hopper, micro without them\n", 2 * copy);

    /* Stream-K on few tiles: M, N > 128 on 31..66 tiles of 128x128 and K >= 4000 share every tile
     * along K, S blocks a tile (64 tiles: 2), their partials in the workspace; without it, unsplit.
     * With M = 193..200 (129..192: the next check), N >= 3840 and K >= 8192, 128x256 tiles, 32
     * of them shared four ways (entry 45); a byte short of their workspace, the 128x128 row's,
     * which it holds. (Split-K through the workspace had this class until entry 43: stream-K
     * needs fewer bytes.) */
    const size_t slots = (size_t)128 * (128 * 128 * 4 + 2 * 8); /* 128 blocks' partials and flags */
    const size_t slots256 = (size_t)128 * (128 * 256 * 4 + 2 * 8);
    const struct {
        int64_t m, n, k;
        const char *config, *short_config; /* the choice, and a byte short of its workspace */
        size_t bytes;
    } few_sk[] = {
        {224, 4096, 8192, "tma_store_128x128_sk", NULL, slots},
        {200, 4096, 4096, "tma_store_128x128_sk", NULL, slots},
        {1024, 1024, 8192, "tma_store_128x128_sk", NULL, slots},
        {1024, 1024, 16384, "tma_store_128x128_sk", NULL, slots},
        {1024, 1024, 4096, "tma_store_128x128_sk", NULL, slots},
        {1000, 1000, 4000, "tma_store_128x128_sk", NULL, slots},
        {200, 4096, 8192, "tma_store_128x256_sk", "tma_store_128x128_sk", slots256},
        {200, 4096, 8200, "tma_store_128x256_sk", "tma_store_128x128_sk", slots256},
        {193, 4096, 8192, "tma_store_128x256_sk", "tma_store_128x128_sk", slots256},
        {196, 4096, 11008, "tma_store_128x256_sk", "tma_store_128x128_sk", slots256},
    };
    for (size_t i = 0; i < sizeof few_sk / sizeof few_sk[0]; i++) {
        g = packed_args(few_sk[i].m, few_sk[i].n, few_sk[i].k);
        CHECK(tg_gemm_workspace_size(&g, NULL, &ws) == TG_SUCCESS && ws == few_sk[i].bytes,
              "%lldx%lldx%lld workspace: %zu, want %zu", (long long)g.m, (long long)g.n, (long long)g.k,
              ws, few_sk[i].bytes);
        g.workspace_size = ws;
        CHECK(tg_gemm_choose(&g, &chosen, why, sizeof why) == TG_SUCCESS &&
                  !strcmp(chosen.name, few_sk[i].config) && !strstr(why, "split-K:") &&
                  strstr(why, "; grid: persistent, 128 blocks (one an SM) share its tiles along K"),
              "%lldx%lldx%lld with its workspace: %s, %s", (long long)g.m, (long long)g.n,
              (long long)g.k, chosen.name, why);
        /* A byte short: the next row's tiles where it holds them, else unsplit. */
        g.workspace_size = ws - 1;
        const char *short_config = few_sk[i].short_config;
        CHECK(tg_gemm_choose(&g, &chosen, why, sizeof why) == TG_SUCCESS && !strstr(why, "split-K:") &&
                  (short_config ? !strcmp(chosen.name, short_config) && strstr(why, "share its tiles")
                                : strcmp(chosen.name, few_sk[i].config) && !strstr(why, "share its tiles")),
              "%lldx%lldx%lld a byte short: %s, %s", (long long)g.m, (long long)g.n, (long long)g.k,
              chosen.name, why);
    }
    /* 128 < M <= 192, K >= 4096: A and B swapped, 128 rows of B a tile, no workspace; M <= 160
     * on 80 rows of A, M = 161..192 on 96; K split over a cluster pair for 2048 <= N <= 4224
     * (sw80_k2, entry 46; sw96_k2), not for 4224 < N <= 8448 (sw80, sw96; entry 47); M <= 160 on
     * one tile of 160 rows of A for 8448 < N <= 16896 (sw160, entry 47), of 160 by 256 rows of B
     * for 16896 < N <= 33792 (sw256x160, entry 48); M = 161..192 on one tile of 192 rows of A
     * for 8448 < N <= 16896 (sw192, entry 48), and past that wave to N = 33792 persistent with
     * stream-K (sw192_sk, entry 49; below, with a workspace). The boxes' edges fall to the rows
     * after them (takes 0: not that one). */
    const struct {
        int64_t m, n, k;
        const char *config;
        int takes;
    } swapped[] = {
        {160, 4096, 8192, "sw80_k2", 1},  {129, 4096, 11008, "sw80_k2", 1}, {144, 4096, 4096, "sw80_k2", 1},
        {160, 2048, 8192, "sw80_k2", 1},  {160, 4224, 16384, "sw80_k2", 1}, {128, 4096, 8192, "sw80_k2", 0},
        {161, 4096, 8192, "sw80_k2", 0},  {160, 2040, 8192, "sw80_k2", 0},  {160, 4232, 8192, "sw80_k2", 0},
        {160, 4232, 8192, "sw80", 1},     {144, 8192, 16384, "sw80", 1},    {129, 8448, 4096, "sw80", 1},
        {160, 8456, 8192, "sw80", 0},     {128, 8192, 8192, "sw80", 0},     {160, 8192, 4088, "sw80", 0},
        {160, 4096, 4088, "sw80_k2", 0},  {161, 4096, 8192, "sw96_k2", 1},  {176, 2048, 8192, "sw96_k2", 1},
        {192, 4096, 4096, "sw96_k2", 1},  {192, 4224, 16384, "sw96_k2", 1}, {192, 4232, 8192, "sw96", 1},
        {176, 8192, 8192, "sw96", 1},     {192, 8448, 4096, "sw96", 1},     {193, 4096, 8192, "sw96_k2", 0},
        {192, 2040, 8192, "sw96_k2", 0},  {192, 8456, 8192, "sw96", 0},     {192, 4096, 4088, "sw96_k2", 0},
        {193, 8192, 8192, "sw96", 0},     {160, 11008, 4096, "sw160", 1},   {129, 8456, 4096, "sw160", 1},
        {160, 16896, 4096, "sw160", 1},   {160, 8448, 4096, "sw160", 0},    {160, 16904, 4096, "sw160", 0},
        {161, 11008, 4096, "sw160", 0},   {128, 11008, 4096, "sw160", 0},   {160, 11008, 8192, "sw160", 1},
        {144, 16384, 16384, "sw160", 1},  {160, 11008, 4088, "sw160", 0},   {160, 16904, 4096, "sw256x160", 1},
        {129, 22016, 8192, "sw256x160", 1}, {160, 33792, 16384, "sw256x160", 1}, {160, 16896, 4096, "sw256x160", 0},
        {160, 33800, 4096, "sw256x160", 0}, {161, 28672, 4096, "sw256x160", 0}, {128, 28672, 8192, "sw256x160", 0},
        {160, 28672, 4088, "sw256x160", 0}, {192, 11008, 4096, "sw192", 1},  {161, 8456, 8192, "sw192", 1},
        {176, 16896, 16384, "sw192", 1},  {192, 8448, 4096, "sw192", 0},    {192, 16904, 4096, "sw192_sk", 1},
        {160, 11008, 4096, "sw192", 0},   {193, 11008, 4096, "sw192", 0},   {192, 11008, 4088, "sw192", 0},
        {176, 33792, 8192, "sw192_sk", 1}, {176, 33800, 8192, "sw192_sk", 0}, {192, 16896, 4096, "sw192", 1},
    };
    for (size_t i = 0; i < sizeof swapped / sizeof swapped[0]; i++) {
        g = packed_args(swapped[i].m, swapped[i].n, swapped[i].k);
        CHECK(tg_gemm_workspace_size(&g, NULL, &ws) == TG_SUCCESS && (!swapped[i].takes || ws == 0),
              "%lldx%lldx%lld workspace %zu (%s needs none)", (long long)g.m, (long long)g.n,
              (long long)g.k, ws, swapped[i].config);
        g.workspace_size = ws;
        CHECK(tg_gemm_choose(&g, &chosen, why, sizeof why) == TG_SUCCESS &&
                  (strcmp(chosen.name, swapped[i].config) == 0) == swapped[i].takes,
              "%lldx%lldx%lld: %s (%s %s), %s", (long long)g.m, (long long)g.n, (long long)g.k,
              chosen.name, swapped[i].config, swapped[i].takes ? "wanted" : "not wanted", why);
    }
    /* A part-empty last round shared along K, with the workspace its slots take: sw192_sk past
     * sw192's wave (172 tiles of 192x128 at N = 22016 leave 40 to share), tma_store_128x192_sk
     * where 133 to 198 tiles of 128x192 leave a second round at most half full (384x12288: 192);
     * a byte short of it, the same tile unshared (`short`). Where the row does not hold (a
     * fuller second round: 256x22016, 230 tiles; K < 4096), the unshared tile and no workspace
     * (short NULL). Entry 49. */
    const struct {
        int64_t m, n, k;
        const char *config, *short_config;
    } last_round[] = {
        {192, 22016, 4096, "sw192_sk", "sw192"},
        {176, 22016, 8192, "sw192_sk", "sw192"},
        {161, 18432, 4096, "sw192_sk", "sw192"},
        {192, 28672, 16384, "sw192_sk", "sw192"},
        {384, 12288, 4096, "tma_store_128x192_sk", "tma_store_128x192"},
        {768, 6144, 8192, "tma_store_128x192_sk", "tma_store_128x192"},
        {1536, 3072, 4096, "tma_store_128x192_sk", "tma_store_128x192"},
        {256, 22016, 4096, "tma_store_128x192", NULL},
        {640, 8192, 4096, "tma_store_128x192", NULL},
        {384, 12288, 2048, "tma_store_128x192", NULL},
    };
    for (size_t i = 0; i < sizeof last_round / sizeof last_round[0]; i++) {
        g = packed_args(last_round[i].m, last_round[i].n, last_round[i].k);
        const char *short_config = last_round[i].short_config;
        CHECK(tg_gemm_workspace_size(&g, NULL, &ws) == TG_SUCCESS && (ws > 0) == (short_config != NULL),
              "%lldx%lldx%lld workspace %zu (%s)", (long long)g.m, (long long)g.n, (long long)g.k, ws,
              last_round[i].config);
        g.workspace_size = ws;
        CHECK(tg_gemm_choose(&g, &chosen, why, sizeof why) == TG_SUCCESS && !strcmp(chosen.name, last_round[i].config),
              "%lldx%lldx%lld with its workspace: %s (%s wanted), %s", (long long)g.m, (long long)g.n,
              (long long)g.k, chosen.name, last_round[i].config, why);
        if (short_config) {
            g.workspace_size = ws - 1;
            CHECK(tg_gemm_choose(&g, &chosen, why, sizeof why) == TG_SUCCESS && !strcmp(chosen.name, short_config),
                  "%lldx%lldx%lld a byte short: %s (%s wanted), %s", (long long)g.m, (long long)g.n,
                  (long long)g.k, chosen.name, short_config, why);
        }
    }
    /* The split is by blocks, batch counted: two items of 160x4096x8192 are 128 tiles of 80x128,
     * one wave unsplit (sw80), where one item is 64, split (sw80_k2). */
    g = packed_args(160, 4096, 8192);
    g.batch = 2;
    g.stride_a = (int64_t)160 * 8192;
    g.stride_b = (int64_t)4096 * 8192;
    g.stride_c = (int64_t)160 * 4096;
    CHECK(tg_gemm_choose(&g, &chosen, why, sizeof why) == TG_SUCCESS && !strcmp(chosen.name, "sw80"),
          "a batch of two 160x4096x8192 (128 swapped tiles): %s, %s", chosen.name, why);
    /* A short K or a batch of them (128 tiles): not shared. */
    g = packed_args(200, 4096, 3072);
    g.workspace_size = (size_t)1 << 30;
    CHECK(tg_gemm_choose(&g, &chosen, why, sizeof why) == TG_SUCCESS && !strstr(why, "share its tiles"),
          "K = 3072 must not split: %s", why);
    g.k = g.lda = g.ldb = 8192;
    g.batch = 2;
    g.stride_a = (int64_t)200 * 8192;
    g.stride_b = (int64_t)4096 * 8192;
    g.stride_c = (int64_t)200 * 4096;
    CHECK(tg_gemm_choose(&g, &chosen, why, sizeof why) == TG_SUCCESS && !strstr(why, "share its tiles") &&
              !strstr(why, "split-K:"),
          "a batch of two (128 tiles) must not split: %s", why);
    printf("stream-K on few tiles: 224x4096x8192, 200x4096x4096, 1024^2 x 4096, x 8192 and x 16384, "
           "1000^2 x 4000 on 128 blocks, %zu bytes of partials; 193..200 x 4096 x >= 8192 on 128x256 "
           "tiles, %zu bytes\n",
           slots, slots256);

    /* Fewer tiles, or M <= 128: K split inside a cluster (hopper SPLIT_K), no workspace. */
    const struct {
        int64_t m, n, k;
        const char *config;
    } in_cluster[] = {
        {512, 512, 8192, "ks4"},
        {128, 4096, 4096, "ks2_128x64"},
        {128, 4096, 8192, "ks2_128x64"},
        {128, 8192, 28672, "ks2"},
        {64, 512, 8192, "ks8_64x64_deep"}, /* M <= 64 on 8 tiles of 64x64: a cluster of 8 */
    };
    for (size_t i = 0; i < sizeof in_cluster / sizeof in_cluster[0]; i++) {
        g = packed_args(in_cluster[i].m, in_cluster[i].n, in_cluster[i].k);
        CHECK(tg_gemm_workspace_size(&g, NULL, &ws) == TG_SUCCESS && ws == 0,
              "%lldx%lldx%lld: workspace %zu, want none", (long long)g.m, (long long)g.n,
              (long long)g.k, ws);
        CHECK(tg_gemm_choose(&g, &chosen, why, sizeof why) == TG_SUCCESS &&
                  !strcmp(chosen.name, in_cluster[i].config) && !strstr(why, "split-K:"),
              "%lldx%lldx%lld: %s, want %s: %s", (long long)g.m, (long long)g.n, (long long)g.k,
              chosen.name, in_cluster[i].config, why);
    }

    /* M = 128 on 32 tiles of 128x128 and K > 8192: stream-K, four blocks a tile, with a workspace
     * (their partials, 128 x 64 KB, and flags); the split in a cluster pair without one. */
    const int64_t sk_k[] = {11008, 16384};
    for (size_t i = 0; i < sizeof sk_k / sizeof sk_k[0]; i++) {
        g = packed_args(128, 4096, sk_k[i]);
        CHECK(tg_gemm_workspace_size(&g, NULL, &ws) == TG_SUCCESS && ws == slots,
              "128x4096x%lld: workspace %zu, want %zu", (long long)g.k, ws, slots);
        g.workspace_size = ws;
        CHECK(tg_gemm_choose(&g, &chosen, why, sizeof why) == TG_SUCCESS &&
                  !strcmp(chosen.name, "tma_store_128x128_sk") && strstr(why, "; grid: persistent, 128 blocks"),
              "128x4096x%lld with its workspace: %s, %s", (long long)g.k, chosen.name, why);
        g.workspace_size = ws - 1;
        CHECK(tg_gemm_choose(&g, &chosen, why, sizeof why) == TG_SUCCESS && !strcmp(chosen.name, "ks2_128x64"),
              "128x4096x%lld a byte short: %s, want ks2_128x64", (long long)g.k, chosen.name);
    }

    /* The why names the launch: 16 tiles x 4 blocks in clusters of 4; a persistent grid. */
    g = packed_args(512, 512, 8192);
    CHECK(tg_gemm_choose(&g, &chosen, why, sizeof why) == TG_SUCCESS &&
              strstr(why, "; grid: 64 x 1 blocks, in clusters of 4; blocks of 384 threads, "
                          "197632 bytes of shared memory each"),
          "512x512x8192's grid: %s", why);
    g.m = g.n = g.ldc = g.k = g.lda = g.ldb = 8192;
    CHECK(tg_gemm_choose(&g, &chosen, why, sizeof why) == TG_SUCCESS &&
              strstr(why, "; grid: persistent, as many blocks as fit at once (one an SM) walk its "
                          "1376 tiles"),
          "8192^3's grid: %s", why);
    g.m = 0;
    CHECK(tg_gemm_choose(&g, &chosen, why, sizeof why) == TG_SUCCESS && !strstr(why, "grid:"),
          "M = 0 runs no kernel, no grid: %s", why);
}

/*
 * Every row of the dispatcher's table says why in words that fit a why of
 * TG_WHY_BYTES (tilegemm.h) with room for the rest tg_gemm_choose adds: the
 * row's text, its class and family name under half of it, leaving 1024
 * bytes for the packing, split and grid clauses (under 600 together).
 */
static void check_why_fits(void)
{
    size_t longest = 0;
    const char *name = "";
    for (int r = 0; r < tg_nrules; r++) {
        const size_t n = strlen("rule '' (decode family): ") + strlen(tg_rules[r].when) + strlen(tg_rules[r].why);
        CHECK(n + 1024 <= TG_WHY_BYTES, "rule '%s': its why is %zu bytes, over the %d a row may take",
              tg_rules[r].when, n, TG_WHY_BYTES - 1024);
        if (n > longest) {
            longest = n;
            name = tg_rules[r].when;
        }
    }
    printf("why: %d rows, the longest %zu bytes ('%s'), at most %d each\n", tg_nrules, longest, name,
           TG_WHY_BYTES - 1024);
}

int main(void)
{
    check_args();
    check_gemm();
    check_strings();
    check_packing();
    check_why_fits();
    return check_summary();
}
