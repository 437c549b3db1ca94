/*
 * error_case.c — one call of the C API, written in the small notation of
 * docs/ERRORS.md, and what it returned. tests/test_errors.py runs it for
 * every C API row of that table; by hand:
 *
 *   error_case parse 'seed,stages=9'
 *   error_case check lda=63
 *   error_case gemm config=seed,stages=4
 *
 * prints two lines: the status as its enum name and value
 * ("TG_ERR_INVALID_CONFIG (-3)"), then tg_last_error() exactly as the
 * library left it. Exit 0 whenever the call was made (whatever it
 * returned), 2 for a command line this program does not understand.
 *
 * Commands (one call each):
 *   parse TEXT                       tg_config_parse(TEXT, &cfg)
 *   check [FIELD=V ...]              tg_gemm_check_args(&args)
 *   gemm [config=TEXT] [FIELD=V ...] tg_gemm(&args, cfg or NULL, NULL stream)
 *   choose [FIELD=V ...]             tg_gemm_choose(&args, &cfg, why, TG_WHY_BYTES)
 *   config_check TEXT [family=N] [params[I]=V ...]   tg_config_check of the
 *                                    parsed TEXT with raw fields changed
 *   format TEXT len=N                tg_config_format into N bytes
 *   describe TEXT len=N              tg_config_describe into N bytes
 *   param TEXT KEY                   tg_config_param(&cfg, KEY, &v)
 *   config_get I                     tg_config_get(I, &cfg)
 *   kernel_info TEXT                 tg_kernel_get_info
 *   device                           tg_device_check()
 *
 * args start from a valid 64x64x64 problem: fp32 C, batch 1, packed leading
 * dimensions, and fake pointers A = 1 TiB, B = 2 TiB, C = 3 TiB (never
 * dereferenced: tg_gemm_check_args only looks at their values, and tg_gemm
 * asks CUDA about them only after the device check). FIELD=V changes one
 * field, in order:
 *   a, b, c, workspace   NULL, A, B or C with an optional +N / -N (bytes),
 *                        or an address (0x... or decimal)
 *   m n k lda ldb ldc batch stride_a stride_b stride_c
 *                        an integer (0x..., decimal), INT64_MAX or INT64_MIN
 *   c_dtype, pdl         an integer (c_dtype: the enum's value)
 *   alpha, beta          a float (strtof: nan and inf included)
 *   size, workspace_size an unsigned integer
 *   args=NULL            pass NULL instead of the struct
 * TEXT arguments are passed to the library as they are (bytes included).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tilegemm.h"

#define FAKE_A ((uintptr_t)1 << 40)
#define FAKE_B ((uintptr_t)2 << 40)
#define FAKE_C ((uintptr_t)3 << 40)

static const char *status_name(tg_status s)
{
    switch (s) {
    case TG_SUCCESS: return "TG_SUCCESS";
    case TG_ERR_INVALID_ARGUMENT: return "TG_ERR_INVALID_ARGUMENT";
    case TG_ERR_UNKNOWN_CONFIG: return "TG_ERR_UNKNOWN_CONFIG";
    case TG_ERR_INVALID_CONFIG: return "TG_ERR_INVALID_CONFIG";
    case TG_ERR_NOT_COMPILED: return "TG_ERR_NOT_COMPILED";
    case TG_ERR_NO_DEVICE: return "TG_ERR_NO_DEVICE";
    case TG_ERR_UNSUPPORTED_DEVICE: return "TG_ERR_UNSUPPORTED_DEVICE";
    case TG_ERR_CUDA: return "TG_ERR_CUDA";
    case TG_ERR_BUFFER_TOO_SMALL: return "TG_ERR_BUFFER_TOO_SMALL";
    }
    return "TG_UNKNOWN_STATUS";
}

static int usage(const char *why, const char *word)
{
    fprintf(stderr, "error_case: %s%s%s%s (see the comment at the top of tests/error_case.c)\n",
            why, word ? " '" : "", word ? word : "", word ? "'" : "");
    return 2;
}

static int report(tg_status s)
{
    printf("%s (%d)\n%s\n", status_name(s), (int)s, tg_last_error());
    return 0;
}

/* ------------------------------------------------------------------------
 * Values
 * ---------------------------------------------------------------------- */

static int int64_of(const char *v, int64_t *out)
{
    if (!strcmp(v, "INT64_MAX")) {
        *out = INT64_MAX;
        return 1;
    }
    if (!strcmp(v, "INT64_MIN")) {
        *out = INT64_MIN;
        return 1;
    }
    char *end = NULL;
    errno = 0;
    long long x = strtoll(v, &end, 0);
    if (end == v || *end || errno)
        return 0;
    *out = x;
    return 1;
}

static int uint64_of(const char *v, uint64_t *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long long x = strtoull(v, &end, 0);
    if (end == v || *end || errno || v[0] == '-')
        return 0;
    *out = x;
    return 1;
}

/* NULL, A/B/C[+-N], or an address. */
static int pointer_of(const char *v, uintptr_t *out)
{
    if (!strcmp(v, "NULL")) {
        *out = 0;
        return 1;
    }
    uintptr_t base = v[0] == 'A' ? FAKE_A : v[0] == 'B' ? FAKE_B : v[0] == 'C' ? FAKE_C : 0;
    if (base) {
        if (v[1] == '\0') {
            *out = base;
            return 1;
        }
        int64_t off = 0;
        if ((v[1] != '+' && v[1] != '-') || !int64_of(v + 2, &off))
            return 0;
        *out = v[1] == '+' ? base + (uintptr_t)off : base - (uintptr_t)off;
        return 1;
    }
    uint64_t x = 0;
    if (!uint64_of(v, &x))
        return 0;
    *out = (uintptr_t)x;
    return 1;
}

/* ------------------------------------------------------------------------
 * Arguments
 * ---------------------------------------------------------------------- */

static tg_gemm_args base_args(void)
{
    tg_gemm_args g = tg_gemm_args_default();
    g.a = (const void *)FAKE_A;
    g.b = (const void *)FAKE_B;
    g.c = (void *)FAKE_C;
    g.m = g.n = g.k = 64;
    g.lda = g.ldb = g.ldc = 64;
    return g;
}

/* One FIELD=V into g; *null_args for args=NULL. 0 if it is not one. */
static int set_field(tg_gemm_args *g, const char *word, int *null_args)
{
    const char *eq = strchr(word, '=');
    if (!eq)
        return 0;
    const size_t n = (size_t)(eq - word);
    const char *v = eq + 1;
#define IS(name) (n == strlen(name) && !strncmp(word, name, n))
    struct {
        const char *name;
        int64_t *field;
    } ints[] = {{"m", &g->m},           {"n", &g->n},           {"k", &g->k},
                {"lda", &g->lda},       {"ldb", &g->ldb},       {"ldc", &g->ldc},
                {"batch", &g->batch},   {"stride_a", &g->stride_a}, {"stride_b", &g->stride_b},
                {"stride_c", &g->stride_c}};
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
        if (IS(ints[i].name))
            return int64_of(v, ints[i].field);
    uintptr_t p = 0;
    uint64_t u = 0;
    int64_t x = 0;
    if (IS("a") || IS("b") || IS("c") || IS("workspace")) {
        if (!pointer_of(v, &p))
            return 0;
        if (IS("a"))
            g->a = (const void *)p;
        else if (IS("b"))
            g->b = (const void *)p;
        else if (IS("c"))
            g->c = (void *)p;
        else
            g->workspace = (void *)p;
        return 1;
    }
    if (IS("c_dtype") || IS("pdl")) {
        if (!int64_of(v, &x) || x < INT32_MIN || x > INT32_MAX)
            return 0;
        if (IS("pdl"))
            g->pdl = (int)x;
        else
            g->c_dtype = (tg_dtype)x;
        return 1;
    }
    if (IS("alpha") || IS("beta")) {
        char *end = NULL;
        float f = strtof(v, &end);
        if (end == v || *end)
            return 0;
        *(IS("alpha") ? &g->alpha : &g->beta) = f;
        return 1;
    }
    if (IS("size") || IS("workspace_size")) {
        if (!uint64_of(v, &u))
            return 0;
        *(IS("size") ? &g->size : &g->workspace_size) = (size_t)u;
        return 1;
    }
    if (IS("args") && !strcmp(v, "NULL")) {
        *null_args = 1;
        return 1;
    }
#undef IS
    return 0;
}

/* ------------------------------------------------------------------------
 * Commands
 * ---------------------------------------------------------------------- */

/* The configuration a command names; on failure, the parse's own report. */
static int config_of(const char *text, tg_config *cfg)
{
    tg_status s = tg_config_parse(text, cfg);
    if (s != TG_SUCCESS) {
        printf("(parsing the configuration) ");
        report(s);
        return 0;
    }
    return 1;
}

static int gemm_command(const char *cmd, int argc, char **argv)
{
    tg_gemm_args g = base_args();
    tg_config cfg;
    int have_cfg = 0, null_args = 0;
    for (int i = 0; i < argc; i++) {
        if (!strncmp(argv[i], "config=", 7) && !strcmp(cmd, "gemm")) {
            if (!config_of(argv[i] + 7, &cfg))
                return 0;
            have_cfg = 1;
        } else if (!set_field(&g, argv[i], &null_args)) {
            return usage("not FIELD=VALUE", argv[i]);
        }
    }
    const tg_gemm_args *args = null_args ? NULL : &g;
    const tg_config *c = have_cfg ? &cfg : NULL;
    if (!strcmp(cmd, "check"))
        return report(tg_gemm_check_args(args));
    if (!strcmp(cmd, "gemm"))
        return report(tg_gemm(args, c, NULL));
    tg_config out;
    char why[TG_WHY_BYTES];
    return report(tg_gemm_choose(args, &out, why, sizeof why));
}

/* "len=N" */
static int len_of(const char *word, size_t *len)
{
    uint64_t u = 0;
    if (strncmp(word, "len=", 4) || !uint64_of(word + 4, &u) || u > 1 << 20)
        return 0;
    *len = (size_t)u;
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage("no command", NULL);
    const char *cmd = argv[1];
    argc -= 2;
    argv += 2;
    tg_config cfg;
    if (!strcmp(cmd, "parse")) {
        if (argc != 1)
            return usage("parse takes one TEXT", NULL);
        return report(tg_config_parse(argv[0], &cfg));
    }
    if (!strcmp(cmd, "check") || !strcmp(cmd, "gemm") || !strcmp(cmd, "choose"))
        return gemm_command(cmd, argc, argv);
    if (!strcmp(cmd, "device")) {
        if (argc != 0)
            return usage("device takes no arguments", NULL);
        return report(tg_device_check());
    }
    if (!strcmp(cmd, "config_get")) {
        int64_t i = 0;
        if (argc != 1 || !int64_of(argv[0], &i) || i < INT32_MIN || i > INT32_MAX)
            return usage("config_get takes one integer", NULL);
        return report(tg_config_get((int)i, &cfg));
    }
    /* The rest start from a configuration that parses. */
    if (argc < 1)
        return usage("missing the configuration TEXT of", cmd);
    if (!config_of(argv[0], &cfg))
        return 0;
    if (!strcmp(cmd, "config_check")) {
        for (int i = 1; i < argc; i++) {
            int64_t v = 0;
            int idx = -1, used = 0;
            if (!strncmp(argv[i], "family=", 7) && int64_of(argv[i] + 7, &v) && v >= INT32_MIN &&
                v <= INT32_MAX) {
                cfg.family = (int)v;
            } else if (sscanf(argv[i], "params[%d]=%n", &idx, &used) == 1 && used > 0 &&
                       idx >= 0 && idx < TG_CONFIG_MAX_PARAMS && int64_of(argv[i] + used, &v) &&
                       v >= INT32_MIN && v <= INT32_MAX) {
                cfg.params[idx] = (int)v;
            } else {
                return usage("not family=N or params[I]=V", argv[i]);
            }
        }
        return report(tg_config_check(&cfg));
    }
    if (!strcmp(cmd, "format") || !strcmp(cmd, "describe")) {
        size_t len = 0;
        if (argc != 2 || !len_of(argv[1], &len))
            return usage("format and describe take TEXT len=N", NULL);
        char *buf = malloc(len ? len : 1);
        if (!buf)
            return usage("out of memory", NULL);
        tg_status s = !strcmp(cmd, "format") ? tg_config_format(&cfg, buf, len)
                                             : tg_config_describe(&cfg, buf, len);
        free(buf);
        return report(s);
    }
    if (!strcmp(cmd, "param")) {
        int v = 0;
        if (argc != 2)
            return usage("param takes TEXT KEY", NULL);
        return report(tg_config_param(&cfg, argv[1], &v));
    }
    if (!strcmp(cmd, "kernel_info")) {
        tg_kernel_info info;
        if (argc != 1)
            return usage("kernel_info takes TEXT", NULL);
        return report(tg_kernel_get_info(&cfg, &info));
    }
    return usage("unknown command", cmd);
}
