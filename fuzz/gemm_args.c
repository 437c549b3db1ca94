/*
 * gemm_args.c — libFuzzer harness: any tg_gemm_args through
 * tg_gemm_check_args, tg_gemm_choose, tg_gemm_workspace_size and tg_gemm.
 *
 * The input is read field by field (little-endian; missing bytes read as
 * zero), so the corpus does not depend on the struct's layout:
 *
 *   flags       1 byte   bit 0: take `size` from the next 8 bytes (else sizeof)
 *   size        8 bytes  only with flags bit 0
 *   a, b, c     8 bytes each: pointers as plain integers, never dereferenced
 *   m n k lda ldb ldc    8 bytes each, int64
 *   c_dtype     4 bytes  int32
 *   batch stride_a stride_b stride_c    8 bytes each, int64
 *   alpha beta  4 bytes each: float bits (NaN and infinities included)
 *   workspace   8 bytes  pointer; workspace_size 8 bytes
 *   config      1 byte   a compiled preset, NULL (the library's choice), a
 *                        valid but uncompiled configuration, or an invalid one
 *   why_len     2 bytes  the length of tg_gemm_choose's `why` buffer
 *
 * fuzz/gemm_args_seeds.py writes the seed corpus in this format.
 *
 * What must hold (the oracle follows tilegemm.h):
 *   - every failure is a documented status with its own message; argument
 *     errors are TG_ERR_INVALID_ARGUMENT;
 *   - tg_gemm_choose and tg_gemm_workspace_size(NULL config) agree (both
 *     are "check the arguments without pointers, then dispatch"), except
 *     that the size query dispatches as if the workspace it names were
 *     there: where only it succeeds, the call lacks that workspace; and a
 *     chosen configuration is valid and compiled;
 *   - a call with nothing to do (m, n or batch 0) needs no workspace;
 *   - tg_gemm returns tg_gemm_check_args's error, else the configuration's
 *     error for these arguments, the workspace as given (as tg_gemm_supports
 *     reports it: tg_gemm_workspace_size answers as if the workspace it
 *     names were there, so it may succeed where the call is refused), else
 *     success when there
 *     is nothing to do, else — without a GPU — TG_ERR_NO_DEVICE. With a GPU
 *     it must still fail: the pointers are not memory CUDA knows, and
 *     tg_gemm checks them before it launches anything.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

typedef struct reader {
    const uint8_t *p;
    size_t n;
} reader;

/* The next `bytes` bytes (≤ 8), little-endian; zeros once the input runs out. */
static uint64_t take(reader *r, size_t bytes)
{
    uint64_t v = 0;
    for (size_t i = 0; i < bytes; i++) {
        uint64_t b = 0;
        if (r->n > 0) {
            b = *r->p++;
            r->n--;
        }
        v |= b << (8 * i);
    }
    return v;
}

static float take_float(reader *r)
{
    uint32_t bits = (uint32_t)take(r, 4);
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

static int have_device;    /* a usable GPU is present (then tg_gemm must still refuse) */
static int npresets;       /* tg_config_count() */
static tg_config uncompiled; /* valid, but no kernel: tg_gemm gives TG_ERR_NOT_COMPILED */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    /* The CUDA runtime's one-time start-up happens here, not inside the first input. */
    have_device = tg_device_check() == TG_SUCCESS;
    npresets = tg_config_count();
    FUZZ_CHECK(npresets > 0, "no compiled configurations");
    FUZZ_CHECK(tg_config_parse("seed,raster=4", &uncompiled) == TG_SUCCESS &&
                   !tg_config_compiled(&uncompiled),
               "'seed,raster=4' should be valid and not compiled");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    reader r = {data, size};
    tg_gemm_args g = tg_gemm_args_default();
    const unsigned flags = (unsigned)take(&r, 1);
    if (flags & 1)
        g.size = (size_t)take(&r, 8);
    g.a = (const void *)(uintptr_t)take(&r, 8);
    g.b = (const void *)(uintptr_t)take(&r, 8);
    g.c = (void *)(uintptr_t)take(&r, 8);
    g.m = (int64_t)take(&r, 8);
    g.n = (int64_t)take(&r, 8);
    g.k = (int64_t)take(&r, 8);
    g.lda = (int64_t)take(&r, 8);
    g.ldb = (int64_t)take(&r, 8);
    g.ldc = (int64_t)take(&r, 8);
    g.c_dtype = (tg_dtype)(int32_t)take(&r, 4);
    g.batch = (int64_t)take(&r, 8);
    g.stride_a = (int64_t)take(&r, 8);
    g.stride_b = (int64_t)take(&r, 8);
    g.stride_c = (int64_t)take(&r, 8);
    g.alpha = take_float(&r);
    g.beta = take_float(&r);
    g.workspace = (void *)(uintptr_t)take(&r, 8);
    g.workspace_size = (size_t)take(&r, 8);
    const int sel = (int)(take(&r, 1) % (unsigned)(npresets + 3));
    const size_t why_len = (size_t)take(&r, 2);

    tg_config preset, bad;
    const tg_config *cfg = NULL; /* sel == npresets: the library's choice */
    if (sel < npresets) {
        FUZZ_CHECK(tg_config_get(sel, &preset) == TG_SUCCESS, "tg_config_get(%d)", sel);
        cfg = &preset;
    } else if (sel == npresets + 1) {
        cfg = &uncompiled;
    } else if (sel == npresets + 2) {
        memset(&bad, 0, sizeof bad);
        bad.family = 1000; /* no such family */
        cfg = &bad;
    }

    /* The arguments alone. */
    fuzz_mark();
    const tg_status s_check = tg_gemm_check_args(&g);
    if (s_check != TG_SUCCESS) {
        FUZZ_CHECK(s_check == TG_ERR_INVALID_ARGUMENT, "tg_gemm_check_args gave %d", (int)s_check);
        FUZZ_CHECK_FAILURE(s_check, "tg_gemm_check_args");
    }
    const int nothing_to_do = g.m == 0 || g.n == 0 || g.batch == 0;

    /* The library's choice, two ways. */
    size_t ws_null = SIZE_MAX;
    fuzz_mark();
    const tg_status s_ws_null = tg_gemm_workspace_size(&g, NULL, &ws_null);
    if (s_ws_null != TG_SUCCESS)
        FUZZ_CHECK_FAILURE(s_ws_null, "tg_gemm_workspace_size(NULL config)");
    static char why[4096];
    tg_config chosen;
    fuzz_mark();
    const tg_status s_choose = tg_gemm_choose(&g, &chosen, why, sizeof why);
    /* The size query answers as if the workspace it names were there: it fails only where
     * the choice fails, and a choice that fails where it succeeds needs that workspace. */
    if (s_ws_null != TG_SUCCESS || s_choose == TG_SUCCESS)
        FUZZ_CHECK(s_choose == s_ws_null,
                   "tg_gemm_choose gave %d but tg_gemm_workspace_size(NULL config) gave %d",
                   (int)s_choose, (int)s_ws_null);
    else
        FUZZ_CHECK(ws_null > 0 && (g.workspace_size < ws_null || (uintptr_t)g.workspace % 256),
                   "tg_gemm_choose failed (%d) with the %zu bytes of workspace the size query "
                   "named", (int)s_choose, ws_null);
    if (s_choose != TG_SUCCESS) {
        FUZZ_CHECK_FAILURE(s_choose, "tg_gemm_choose");
    } else {
        FUZZ_CHECK(tg_config_check(&chosen) == TG_SUCCESS && tg_config_compiled(&chosen),
                   "tg_gemm_choose chose '%s', not a valid compiled configuration", chosen.name);
        FUZZ_CHECK(why[0] != '\0', "tg_gemm_choose gave no reason");
        FUZZ_CHECK(ws_null != SIZE_MAX, "tg_gemm_workspace_size succeeded without setting bytes");
        if (nothing_to_do)
            FUZZ_CHECK(ws_null == 0, "nothing to do, yet %zu bytes of workspace", ws_null);
        /* A short `why` buffer (exact size, for ASan): the same choice, or "too small". */
        char *short_why = malloc(why_len);
        tg_config again;
        fuzz_mark();
        const tg_status s = tg_gemm_choose(&g, &again, short_why, why_len);
        FUZZ_CHECK(s == TG_SUCCESS || s == TG_ERR_BUFFER_TOO_SMALL,
                   "tg_gemm_choose with %zu bytes of why gave %d", why_len, (int)s);
        if (s != TG_SUCCESS)
            FUZZ_CHECK_FAILURE(s, "tg_gemm_choose (short why)");
        FUZZ_CHECK(!memcmp(&again, &chosen, sizeof again), "a short why buffer changed the choice");
        if (why_len > 0)
            FUZZ_CHECK(memchr(short_why, '\0', why_len) != NULL, "why left unterminated");
        if (s == TG_SUCCESS && why_len > 0)
            FUZZ_CHECK(!strcmp(short_why, why), "why differs: '%s' vs '%s'", short_why, why);
        free(short_why);
    }

    /* The fuzzed configuration. */
    size_t ws = SIZE_MAX;
    fuzz_mark();
    const tg_status s_ws = tg_gemm_workspace_size(&g, cfg, &ws);
    if (s_ws != TG_SUCCESS) {
        FUZZ_CHECK_FAILURE(s_ws, "tg_gemm_workspace_size");
    } else {
        FUZZ_CHECK(ws != SIZE_MAX, "tg_gemm_workspace_size succeeded without setting bytes");
        if (nothing_to_do)
            FUZZ_CHECK(ws == 0, "nothing to do, yet %zu bytes of workspace", ws);
    }
    if (cfg == &uncompiled && s_check == TG_SUCCESS)
        FUZZ_CHECK(s_ws == TG_ERR_NOT_COMPILED, "an uncompiled configuration gave %d", (int)s_ws);
    if (cfg == &bad && s_check == TG_SUCCESS)
        FUZZ_CHECK(s_ws == TG_ERR_INVALID_CONFIG, "an invalid configuration gave %d", (int)s_ws);
    fuzz_mark();
    const tg_status s_nobytes = tg_gemm_workspace_size(&g, cfg, NULL);
    FUZZ_CHECK(s_nobytes != TG_SUCCESS, "tg_gemm_workspace_size with bytes NULL succeeded");
    FUZZ_CHECK_FAILURE(s_nobytes, "tg_gemm_workspace_size(bytes NULL)");

    /* The configuration with the workspace as given: never less strict than the size query. */
    fuzz_mark();
    const tg_status s_sup = tg_gemm_supports(&g, cfg);
    if (s_sup != TG_SUCCESS)
        FUZZ_CHECK_FAILURE(s_sup, "tg_gemm_supports");
    if (s_ws != TG_SUCCESS)
        FUZZ_CHECK(s_sup == s_ws, "tg_gemm_supports gave %d where the size query gave %d", (int)s_sup,
                   (int)s_ws);

    /* The call itself, on the legacy default stream. */
    tg_status expect = s_check != TG_SUCCESS ? s_check
                       : s_sup != TG_SUCCESS ? s_sup
                       : nothing_to_do       ? TG_SUCCESS
                                             : TG_ERR_NO_DEVICE;
    fuzz_mark();
    const tg_status s_gemm = tg_gemm(&g, cfg, NULL);
    if (s_gemm != TG_SUCCESS)
        FUZZ_CHECK_FAILURE(s_gemm, "tg_gemm");
    if (!have_device || expect != TG_ERR_NO_DEVICE)
        FUZZ_CHECK(s_gemm == expect, "tg_gemm gave %d, expected %d (%s)", (int)s_gemm, (int)expect,
                   have_device ? "with a GPU" : "no GPU");
    else
        FUZZ_CHECK(s_gemm != TG_SUCCESS, "tg_gemm accepted pointers that CUDA does not know");
    return 0;
}
