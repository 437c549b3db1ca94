/*
 * test_hopper_verify.c — the hopper family's CPU verifier, tested.
 *
 * A verifier that passes everything proves nothing. Each case here copies
 * the real plan (tg_hplan_real_ops), replaces one function with a broken one
 * — a mistake someone could make in src/hopper/plan.h — runs
 * tg_hopper_verify_ops on every compiled hopper preset, and asserts which
 * checks the report names ("  FAIL <check>: "): exactly the expected ones
 * on the presets that use the function, none on the presets that do not.
 * The real plan must pass on every preset and on valid configurations no
 * preset has. The ring model is run on its own over STAGES 1..4, K loops of
 * 1..5 tiles, 1..3 tiles per block, one and two consumers, both MMA_LAG
 * values: it must find the deadlock of STAGES=1 with MMA_LAG=1 (which the
 * plan's rules refuse) and nothing else. tg_hopper_emulate must equal a
 * plain integer GEMM.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "hopper/verify.h"
#include "tilegemm.h"

enum { REPORT_LEN = 16384 };

static const char *const check_names[] = {"layout", "tma", "operands", "fragment", "execution", "ring"};
enum { CHECK_NAMES = (int)(sizeof check_names / sizeof check_names[0]) };

static double seconds(void)
{
    struct timespec ts;
    timespec_get(&ts, TIME_UTC); /* C11 */
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Does the report contain a failure line of this check ("  FAIL <check>: ...")? */
static int report_fails(const char *report, const char *check)
{
    char needle[64];
    snprintf(needle, sizeof needle, "FAIL %s:", check);
    return strstr(report, needle) != NULL;
}

/* The compiled hopper presets. */
enum { MAX_PRESETS = 64 };
static tg_config presets[MAX_PRESETS];
static int npresets;

static void load_presets(void)
{
    for (int i = 0; i < tg_config_count() && npresets < MAX_PRESETS; i++) {
        tg_config cfg;
        CHECK(tg_config_get(i, &cfg) == TG_SUCCESS, "tg_config_get(%d): %s", i, tg_last_error());
        if (cfg.family == TG_FAMILY_HOPPER)
            presets[npresets++] = cfg;
    }
    CHECK(npresets >= 2, "expected several compiled hopper presets, found %d", npresets);
}

static int param(const tg_config *cfg, int i) { return cfg->params[i]; }

/* ------------------------------------------------------------------------
 * The real plan
 * ---------------------------------------------------------------------- */

static void expect_pass(const char *name, const int *params, double *took)
{
    char *report = calloc(REPORT_LEN, 1);
    CHECK(report != NULL, "out of memory");
    if (!report)
        return;
    const double t0 = seconds();
    tg_status s = tg_hopper_verify_ops(params, &tg_hplan_real_ops, report, REPORT_LEN);
    *took = seconds() - t0;
    printf("--- real plan, %s (%.3f s): %s\n%s", name, *took, tg_status_string(s), report);
    CHECK(s == TG_SUCCESS, "%s: the verifier rejected the real plan: %s", name, report);
    CHECK(strstr(report, "plan verifier: ok") != NULL, "%s: no ok line in the report", name);
    free(report);
}

static void real_plan(void)
{
    for (int i = 0; i < npresets; i++) {
        double took;
        expect_pass(presets[i].name, presets[i].params, &took);
    }
    /* The public entry point runs the same verifier. */
    char report[2048];
    CHECK(tg_config_verify(&presets[npresets - 1], report, sizeof report) == TG_SUCCESS &&
              strstr(report, "plan verifier: ok"),
          "tg_config_verify(%s): %s", presets[npresets - 1].name, report);
    /* Valid configurations no preset has: every one must parse (the rules allow it) and pass. */
    static const char *const custom[] = {
        "hopper,block_m=256,block_n=128,consumers=2,producer=1,persistent=1,mma_lag=1,stages=2",
        "hopper,block_m=256,block_n=64,consumers=2,producer=1,persistent=1,mma_lag=1,stages=3,"
        "raster=2",
        "hopper,block_m=192,block_n=64,producer=1,mma_lag=1,stages=3,raster=1",
        "hopper,block_m=128,block_n=64,producer=1,persistent=1,mma_lag=0,stages=1",
        "hopper,block_m=64,block_n=256,stages=2,raster=3",
        "hopper,block_m=128,block_n=128,consumers=2,producer=1,persistent=1,mma_lag=0,stages=6",
        "hopper,block_m=128,block_n=64,consumers=2,producer=1,persistent=1,mma_lag=1,stages=3,"
        "epilogue=tma",
    };
    for (size_t i = 0; i < sizeof custom / sizeof custom[0]; i++) {
        tg_config cfg;
        tg_status s = tg_config_parse(custom[i], &cfg);
        CHECK(s == TG_SUCCESS, "tg_config_parse(\"%s\"): %s", custom[i], tg_last_error());
        if (s != TG_SUCCESS)
            continue;
        double took;
        expect_pass(custom[i], cfg.params, &took);
    }
}

/* ------------------------------------------------------------------------
 * Broken plans
 * ---------------------------------------------------------------------- */

static uint64_t with_sbo(uint64_t d, uint32_t sbo)
{
    return (d & ~((uint64_t)0x3FFF << 32)) | (uint64_t)(sbo >> 4) << 32;
}
static uint64_t with_mode(uint64_t d, unsigned mode)
{
    return (d & ~((uint64_t)3 << 62)) | (uint64_t)mode << 62;
}

/* SBO 512 or 2048 where 8 rows of 128 bytes are 1024 apart. */
static uint64_t desc_a_sbo512(const tg_htile *t, uint32_t ring, int s, int mp, int kk)
{
    return with_sbo(tg_hplan_desc_a(t, ring, s, mp, kk), 512);
}
static uint64_t desc_b_sbo512(const tg_htile *t, uint32_t ring, int s, int kk)
{
    return with_sbo(tg_hplan_desc_b(t, ring, s, kk), 512);
}
static uint64_t desc_a_sbo2048(const tg_htile *t, uint32_t ring, int s, int mp, int kk)
{
    return with_sbo(tg_hplan_desc_a(t, ring, s, mp, kk), 2048);
}
static uint64_t desc_b_sbo2048(const tg_htile *t, uint32_t ring, int s, int kk)
{
    return with_sbo(tg_hplan_desc_b(t, ring, s, kk), 2048);
}
/* The swizzle mode of the descriptor: 64-byte (2) or 32-byte (3) where TMA wrote 128-byte. */
static uint64_t desc_a_sw64(const tg_htile *t, uint32_t ring, int s, int mp, int kk)
{
    return with_mode(tg_hplan_desc_a(t, ring, s, mp, kk), 2);
}
static uint64_t desc_b_sw64(const tg_htile *t, uint32_t ring, int s, int kk)
{
    return with_mode(tg_hplan_desc_b(t, ring, s, kk), 2);
}
static uint64_t desc_a_sw32(const tg_htile *t, uint32_t ring, int s, int mp, int kk)
{
    return with_mode(tg_hplan_desc_a(t, ring, s, mp, kk), 3);
}
static uint64_t desc_b_sw32(const tg_htile *t, uint32_t ring, int s, int kk)
{
    return with_mode(tg_hplan_desc_b(t, ring, s, kk), 3);
}
/* The start address stepped 16 bytes per k16 (8 bf16) instead of 32. */
static uint64_t desc_a_kstep16(const tg_htile *t, uint32_t ring, int s, int mp, int kk)
{
    return tg_hplan_desc(ring + tg_hplan_stage_a(t, s) +
                         (uint32_t)(mp * TG_H_WGMMA_M * TG_H_SWIZZLE_BYTES + kk * 16));
}
static uint64_t desc_b_kstep16(const tg_htile *t, uint32_t ring, int s, int kk)
{
    return tg_hplan_desc(ring + tg_hplan_stage_b(t, s) + (uint32_t)(kk * 16));
}

/* The ring position wraps one stage late: stage STAGES exists for a step. */
static tg_hring ring_next_late(const tg_htile *t, tg_hring r)
{
    if (++r.stage == t->stages + 1) {
        r.stage = 0;
        r.phase ^= 1;
    }
    return r;
}
static uint32_t full_parity_flipped(tg_hring r) { return r.phase ^ 1; }
static uint32_t empty_parity_unflipped(tg_hring r) { return r.phase; }

/* PRODUCER=0: stage_of one too high (stage STAGES), or wrapping one stage early. */
static int stage_of_plus1(const tg_htile *t, int kt) { return kt % t->stages + 1; }
static int stage_of_early(const tg_htile *t, int kt)
{
    return t->stages > 1 ? kt % (t->stages - 1) : 0;
}
/* A consistent relabelling of the stages: not a bug, the kernel computes the same. */
static int stage_of_rotated(const tg_htile *t, int kt) { return (kt + 1) % t->stages; }
static uint32_t parity_of_flipped(const tg_htile *t, int kt)
{
    return tg_hplan_parity_of(t, kt) ^ 1;
}

/* TMA placement without the swizzle; stage B's tile half over A's. */
static uint32_t tma_addr_unswizzled(uint32_t tile, int row, int col)
{
    return tile + (uint32_t)row * TG_H_SWIZZLE_BYTES + (uint32_t)col * 2;
}
static uint32_t stage_b_overlap(const tg_htile *t, int s)
{
    return tg_hplan_stage_a(t, s) + TG_H_A_BYTES(t->block_m) / 2;
}
/* The fragment map without the +8 rows of registers 4j+2, 4j+3. */
static tg_hrc frag_no_row8(int warp, int lane, int i)
{
    tg_hrc rc = tg_hplan_frag(warp, lane, i);
    if (i % 4 >= 2)
        rc.row -= 8;
    return rc;
}
/* Tiles numbered as if there were one batch item. */
static tg_htilepos tile_no_batch(const tg_htile *t, int64_t w, int64_t grid_m, int64_t grid_n)
{
    tg_htilepos x = tg_hplan_tile(t, w, grid_m, grid_n);
    x.batch = 0;
    return x;
}

/* EPILOGUE=tma: the staging buffer written without the swizzle the TMA store reads with. */
static uint32_t epi_addr_unswizzled(uint32_t buf, int row, int byte)
{
    return buf + (uint32_t)row * TG_H_SWIZZLE_BYTES + (uint32_t)byte;
}

enum { ANY, PRODUCER0, PRODUCER1, EPILOGUE_TMA };

typedef struct mutation {
    const char *what;
    tg_hplan_ops ops;
    int applies;                /* ANY, PRODUCER0, ...: the presets that call the function */
    const char *const *expect;  /* exactly these checks fail (NULL-terminated); NULL: passes */
} mutation;

#define TRIPS(...) ((const char *const[]){__VA_ARGS__, NULL})

static void run_mutation(const mutation *mu, int *caught)
{
    char *report = calloc(REPORT_LEN, 1);
    CHECK(report != NULL, "out of memory");
    if (!report)
        return;
    int unused_runs = 0;
    for (int p = 0; p < npresets; p++) {
        const tg_config *cfg = &presets[p];
        const int producer = param(cfg, TG_HOPPER_PRODUCER);
        const int uses = mu->applies == ANY || (mu->applies == PRODUCER0 && !producer) ||
                         (mu->applies == PRODUCER1 && producer) ||
                         (mu->applies == EPILOGUE_TMA && param(cfg, TG_HOPPER_EPILOGUE));
        if ((!uses || !mu->expect) && unused_runs++ > 0)
            continue; /* one preset that does not run it differently is enough (CI time) */
        const tg_status s = tg_hopper_verify_ops(cfg->params, &mu->ops, report, REPORT_LEN);
        if (!uses || !mu->expect) {
            /* The preset never calls the function (or the change is harmless): it passes. */
            CHECK(s == TG_SUCCESS, "%s on %s: the verifier failed a plan the preset does not run "
                  "differently:\n%s", mu->what, cfg->name, report);
            continue;
        }
        printf("--- %s, %s: %s\n%s", mu->what, cfg->name, tg_status_string(s), report);
        CHECK(s == TG_ERR_INVALID_CONFIG, "%s on %s: the verifier returned %s, expected a failure",
              mu->what, cfg->name, tg_status_string(s));
        CHECK(strstr(report, "failure(s)") != NULL, "%s on %s: no failure count in the report",
              mu->what, cfg->name);
        for (int c = 0; c < CHECK_NAMES; c++) {
            int expected = 0;
            for (const char *const *e = mu->expect; *e; e++)
                expected |= !strcmp(*e, check_names[c]);
            const int named = report_fails(report, check_names[c]);
            CHECK(named == expected, "%s on %s: check '%s' %s", mu->what, cfg->name, check_names[c],
                  expected ? "should name the mistake but did not" : "failed, but should not");
            if (named && expected)
                caught[c]++;
        }
    }
    free(report);
}

static void mutations(void)
{
    const tg_hplan_ops real = tg_hplan_real_ops;
    mutation mu[32];
    int n = 0;
    tg_hplan_ops *o;
    /* No block around it: the TRIPS lists (compound literals) live as long as this function. */
#define MUTATE(text, field_assignments, applies_, expect_)                                     \
    mu[n].what = (text);                                                                       \
    mu[n].ops = real;                                                                          \
    o = &mu[n].ops;                                                                            \
    field_assignments;                                                                         \
    mu[n].applies = (applies_);                                                                \
    mu[n].expect = (expect_);                                                                  \
    n++
    MUTATE("descriptor SBO 512 instead of 1024", (o->desc_a = desc_a_sbo512, o->desc_b = desc_b_sbo512),
           ANY, TRIPS("operands", "execution"));
    MUTATE("descriptor SBO 2048 instead of 1024",
           (o->desc_a = desc_a_sbo2048, o->desc_b = desc_b_sbo2048), ANY,
           TRIPS("operands", "execution"));
    MUTATE("descriptor swizzle mode 64-byte", (o->desc_a = desc_a_sw64, o->desc_b = desc_b_sw64),
           ANY, TRIPS("operands", "execution"));
    MUTATE("descriptor swizzle mode 32-byte", (o->desc_a = desc_a_sw32, o->desc_b = desc_b_sw32),
           ANY, TRIPS("operands", "execution"));
    MUTATE("K start address step 16 bytes per k16",
           (o->desc_a = desc_a_kstep16, o->desc_b = desc_b_kstep16), ANY,
           TRIPS("operands", "execution"));
    MUTATE("only A's descriptor with SBO 2048", (o->desc_a = desc_a_sbo2048), ANY,
           TRIPS("operands", "execution"));
    MUTATE("ring_next wraps one stage late", (o->ring_next = ring_next_late), PRODUCER1,
           TRIPS("execution", "ring"));
    MUTATE("full parity flipped", (o->full_parity = full_parity_flipped), PRODUCER1,
           TRIPS("ring"));
    MUTATE("empty parity not flipped", (o->empty_parity = empty_parity_unflipped), PRODUCER1,
           TRIPS("ring"));
    MUTATE("stage_of one too high", (o->stage_of = stage_of_plus1), PRODUCER0,
           TRIPS("execution", "ring"));
    MUTATE("stage_of wraps one stage early", (o->stage_of = stage_of_early), PRODUCER0,
           TRIPS("execution", "ring"));
    MUTATE("parity_of flipped", (o->parity_of = parity_of_flipped), PRODUCER0, TRIPS("ring"));
    MUTATE("stage_of rotated by one (a relabelling, harmless)", (o->stage_of = stage_of_rotated),
           PRODUCER0, NULL);
    MUTATE("TMA placement without the swizzle", (o->tma_addr = tma_addr_unswizzled), ANY,
           TRIPS("tma", "operands", "execution"));
    /* desc_b still starts at plan.h's stage B: the wgmma reads where TMA no longer writes. */
    MUTATE("stage B's tile half over A's", (o->stage_b = stage_b_overlap), ANY,
           TRIPS("layout", "operands", "execution"));
    MUTATE("fragment without the +8 rows", (o->frag = frag_no_row8), ANY,
           TRIPS("fragment", "execution"));
    MUTATE("staging buffer written without the swizzle", (o->epi_addr = epi_addr_unswizzled),
           EPILOGUE_TMA, TRIPS("tma", "execution"));
    MUTATE("tiles numbered without batch items", (o->tile = tile_no_batch), ANY,
           TRIPS("execution"));
#undef MUTATE
    int caught[CHECK_NAMES] = {0};
    for (int i = 0; i < n; i++)
        run_mutation(&mu[i], caught);
    /* Every check was seen catching something. */
    for (int c = 0; c < CHECK_NAMES; c++)
        CHECK(caught[c] > 0, "no mutation was caught by the '%s' check", check_names[c]);
}

/* ------------------------------------------------------------------------
 * The ring model on its own
 * ---------------------------------------------------------------------- */

static void ring_model(void)
{
    char report[4096];
    int cases = 0, deadlocks = 0;
    double worst = 0;
    for (int lag = 0; lag <= 1; lag++)
        for (int c = 1; c <= 2; c++)
            for (int wpc = 2; wpc <= 4; wpc += 2)
                for (int stages = 1; stages <= 4; stages++) {
                    if (c == 2 && wpc == 4 && stages > 3)
                        continue; /* 8 warps: state space of millions at 4 stages */
                    /* BLOCK_M, BLOCK_N, BLOCK_K, STAGES, RASTER, CONSUMERS, PRODUCER, PERSISTENT, MMA_LAG */
                    const int p[TG_HOPPER_NPARAMS] = {128, 128, 64, stages, 8, c, 1, 1, lag};
                    for (int tiles = 1; tiles <= 3; tiles++)
                        for (int k = 1; k <= 5; k++) {
                            tg_hring_stats st = {0};
                            const double t0 = seconds();
                            const tg_status s = tg_hopper_ring_model(p, &tg_hplan_real_ops, k, tiles,
                                                                     wpc, &st, report, sizeof report);
                            const double took = seconds() - t0;
                            worst = took > worst ? took : worst;
                            cases++;
                            /* One stage handed back one K tile late: the producer waits for a
                             * stage the consumers release only after reading the next one. */
                            const int deadlock = lag == 1 && stages == 1 && k >= 2;
                            if (deadlock) {
                                deadlocks++;
                                CHECK(s == TG_ERR_INVALID_CONFIG && st.deadlocks > 0 &&
                                          strstr(report, "FAIL ring:") && strstr(report, "deadlock"),
                                      "MMA_LAG=1 STAGES=1, %d K tiles x %d tiles, CONSUMERS=%d: the "
                                      "model must report the deadlock (status %s, %d deadlocks):\n%s",
                                      k, tiles, c, tg_status_string(s), st.deadlocks, report);
                            } else {
                                CHECK(s == TG_SUCCESS && st.deadlocks == 0 && st.finished > 0,
                                      "MMA_LAG=%d STAGES=%d, %d K tiles x %d tiles, CONSUMERS=%d x %d "
                                      "warps: %s (%d deadlocks, %lld finished):\n%s", lag, stages, k,
                                      tiles, c, wpc, tg_status_string(s), st.deadlocks,
                                      (long long)st.finished, report);
                                /* Something was explored: more states than one actor's steps. */
                                CHECK(st.states > 4 * k * tiles, "only %lld states for %d x %d",
                                      (long long)st.states, k, tiles);
                            }
                        }
                }
    printf("ring model: %d cases, %d deadlocking as expected, slowest %.3f s\n", cases, deadlocks,
           worst);

    /* The plan's rules refuse what deadlocks, and allow one stage without the lag. */
    tg_config cfg;
    CHECK(tg_config_parse("ws,stages=1", &cfg) == TG_ERR_INVALID_CONFIG &&
              strstr(tg_last_error(), "STAGES >= 2") != NULL,
          "STAGES=1 with MMA_LAG=1 must be refused by the rule the model backs: %s",
          tg_last_error());
    CHECK(tg_config_parse("ws,stages=1,mma_lag=0", &cfg) == TG_SUCCESS,
          "STAGES=1 with MMA_LAG=0 is valid: %s", tg_last_error());

    /* Broken ring functions, seen by the model alone. */
    const int p[TG_HOPPER_NPARAMS] = {128, 256, 64, 3, 8, 2, 1, 1, 1};
    tg_hplan_ops ops = tg_hplan_real_ops;
    tg_hring_stats st;
    ops.full_parity = full_parity_flipped;
    CHECK(tg_hopper_ring_model(p, &ops, 4, 2, 2, &st, report, sizeof report) ==
                  TG_ERR_INVALID_CONFIG &&
              strstr(report, "returns for K step 0 while the stage holds load -1"),
          "a flipped full parity lets the first wait return before any load: %s", report);
    ops = tg_hplan_real_ops;
    ops.empty_parity = empty_parity_unflipped;
    CHECK(tg_hopper_ring_model(p, &ops, 4, 2, 2, &st, report, sizeof report) ==
                  TG_ERR_INVALID_CONFIG &&
              st.deadlocks > 0 && strstr(report, "deadlock: the producer waits on empty[0]"),
          "an unflipped empty parity blocks the producer on a fresh barrier: %s", report);
    ops = tg_hplan_real_ops;
    ops.ring_next = ring_next_late;
    CHECK(tg_hopper_ring_model(p, &ops, 4, 2, 2, &st, report, sizeof report) ==
                  TG_ERR_INVALID_CONFIG &&
              strstr(report, "stage 3, outside the ring"),
          "a ring that wraps late names stage 3 of 3: %s", report);
    /* Out of the model's range. */
    CHECK(tg_hopper_ring_model(p, &tg_hplan_real_ops, 0, 1, 2, &st, report, sizeof report) ==
              TG_ERR_INVALID_ARGUMENT,
          "zero K tiles is not a case of the model");
    CHECK(tg_hopper_ring_model(NULL, &tg_hplan_real_ops, 1, 1, 2, &st, report, sizeof report) ==
              TG_ERR_INVALID_ARGUMENT,
          "NULL params must be an invalid argument");
}

/* ------------------------------------------------------------------------
 * The emulator against a plain GEMM
 * ---------------------------------------------------------------------- */

static void emulator(void)
{
    const int64_t shapes[][4] = {{70, 130, 72, 2}, {129, 257, 200, 1}, {1, 300, 8, 3}};
    uint64_t seed = 12345;
    for (size_t si = 0; si < sizeof shapes / sizeof shapes[0]; si++) {
        const int64_t m = shapes[si][0], n = shapes[si][1], k = shapes[si][2], batch = shapes[si][3];
        int8_t *a = malloc((size_t)(batch * m * k)), *b = malloc((size_t)(batch * n * k));
        float *c = malloc(sizeof(float) * (size_t)(batch * m * n));
        float *c2 = malloc(sizeof(float) * (size_t)(batch * m * n));
        float *ref = malloc(sizeof(float) * (size_t)(batch * m * n));
        CHECK(a && b && c && c2 && ref, "out of memory");
        if (!a || !b || !c || !c2 || !ref)
            return;
        for (int64_t i = 0; i < batch * m * k; i++)
            a[i] = (int8_t)((seed = seed * 6364136223846793005ULL + 1) >> 60) - 8;
        for (int64_t i = 0; i < batch * n * k; i++)
            b[i] = (int8_t)((seed = seed * 6364136223846793005ULL + 1) >> 60) - 8;
        for (int64_t bi = 0; bi < batch; bi++)
            for (int64_t i = 0; i < m; i++)
                for (int64_t j = 0; j < n; j++) {
                    int64_t sum = 0;
                    for (int64_t x = 0; x < k; x++)
                        sum += a[(bi * m + i) * k + x] * b[(bi * n + j) * k + x];
                    ref[(bi * m + i) * n + j] = (float)sum;
                }
        for (int p = 0; p < npresets; p++) {
            for (int64_t i = 0; i < batch * m * n; i++)
                c[i] = c2[i] = -1e30f; /* not a value the GEMM gives: unwritten shows */
            tg_status s = tg_hopper_emulate(presets[p].params, m, n, k, batch, a, b, c, 5);
            CHECK(s == TG_SUCCESS, "emulate %s: %s", presets[p].name, tg_last_error());
            CHECK(memcmp(c, ref, sizeof(float) * (size_t)(batch * m * n)) == 0,
                  "emulate %s on %lldx%lldx%lld batch %lld differs from the plain GEMM",
                  presets[p].name, (long long)m, (long long)n, (long long)k, (long long)batch);
            /* The persistent grid's size changes which stage a tile uses, not C. */
            s = tg_hopper_emulate(presets[p].params, m, n, k, batch, a, b, c2, 1);
            CHECK(s == TG_SUCCESS && memcmp(c, c2, sizeof(float) * (size_t)(batch * m * n)) == 0,
                  "emulate %s: one persistent block and five disagree", presets[p].name);
        }
        free(a);
        free(b);
        free(c);
        free(c2);
        free(ref);
    }
    /* Sums that fp32 may round are refused; so are broken rules and a persistent grid of 0. */
    static int8_t big[8 * 1088];
    static float out[8 * 8];
    memset(big, 127, sizeof big);
    CHECK(tg_hopper_emulate(presets[0].params, 8, 8, 1088, 1, big, big, out, 1) ==
              TG_ERR_INVALID_ARGUMENT &&
              strstr(tg_last_error(), "2^24") != NULL,
          "1088 products of 127·127 exceed 2^24 and must be refused: %s", tg_last_error());
    CHECK(tg_hopper_emulate(presets[0].params, 8, 8, 1024, 1, big, big, out, 1) == TG_SUCCESS &&
              out[0] == 1024.0f * 127 * 127,
          "1024 products of 127·127 stay below 2^24: %s", tg_last_error());
    int bad[TG_HOPPER_NPARAMS];
    memcpy(bad, presets[0].params, sizeof bad);
    bad[TG_HOPPER_BLOCK_N] = 96;
    CHECK(tg_hopper_emulate(bad, 8, 8, 8, 1, big, big, out, 1) == TG_ERR_INVALID_CONFIG,
          "BLOCK_N=96 breaks a rule");
}

/* ------------------------------------------------------------------------ */

static void arguments(void)
{
    CHECK(tg_hopper_verify_ops(NULL, &tg_hplan_real_ops, NULL, 0) == TG_ERR_INVALID_ARGUMENT,
          "NULL params must be an invalid argument");
    CHECK(tg_hopper_verify_ops(presets[0].params, NULL, NULL, 0) == TG_ERR_INVALID_ARGUMENT,
          "NULL ops must be an invalid argument");
    int bad[TG_HOPPER_NPARAMS];
    memcpy(bad, presets[0].params, sizeof bad);
    bad[TG_HOPPER_BLOCK_M] = 128;
    bad[TG_HOPPER_CONSUMERS] = 2;
    bad[TG_HOPPER_PRODUCER] = 0;
    bad[TG_HOPPER_MMA_LAG] = 0;
    bad[TG_HOPPER_EPILOGUE] = 0;
    CHECK(tg_hopper_verify_ops(bad, &tg_hplan_real_ops, NULL, 0) == TG_ERR_INVALID_CONFIG &&
              strstr(tg_last_error(), "CONSUMERS=2 needs PRODUCER=1") != NULL,
          "a configuration that breaks a rule is refused with the rule: '%s'", tg_last_error());
    /* A tiny report is truncated, never overrun, and the failure still returned. */
    tg_hplan_ops ops = tg_hplan_real_ops;
    ops.desc_a = desc_a_sw32;
    char tiny[16];
    memset(tiny, 'x', sizeof tiny);
    CHECK(tg_hopper_verify_ops(presets[0].params, &ops, tiny, 8) == TG_ERR_INVALID_CONFIG,
          "a failing plan with a short report must still fail");
    CHECK(memchr(tiny, '\0', 8) != NULL && tiny[8] == 'x',
          "the report must stay inside its 8 bytes and be terminated");
    /* The ISA decoder refuses what it cannot define. */
    const uint64_t d = tg_hplan_desc(1024);
    CHECK(tg_hopper_isa_desc_addr(d, 9, 3) == tg_hplan_tma_addr(1024, 9, 3),
          "on the plan's own descriptor the ISA decoding reads where TMA puts the element");
    CHECK(tg_hopper_isa_desc_addr(d | (uint64_t)1 << 49, 0, 0) == TG_HOPPER_BAD_ADDR,
          "a base offset is not modelled");
    CHECK(tg_hopper_isa_desc_addr(d | (uint64_t)1 << 46, 0, 0) == TG_HOPPER_BAD_ADDR,
          "a reserved bit is refused");
    /* No swizzle: rows 16 bytes apart, the second 8 of k at LBO (1 = 16 bytes here). */
    const uint64_t plain = with_mode(d, 0);
    CHECK(tg_hopper_isa_desc_addr(plain, 1, 0) == 1024 + 16 &&
              tg_hopper_isa_desc_addr(plain, 0, 8) == 1024 + 16 &&
              tg_hopper_isa_desc_addr(plain, 8, 0) == 1024 + 1024,
          "the no-swizzle layout: row 1 at +16, k 8 at +LBO, row 8 at +SBO");
}

int main(void)
{
    load_presets();
    if (npresets == 0)
        return check_summary();
    double t0 = seconds();
    real_plan();
    printf("real plan: %.2f s\n", seconds() - t0);
    t0 = seconds();
    mutations();
    printf("mutations: %.2f s\n", seconds() - t0);
    t0 = seconds();
    ring_model();
    printf("ring model: %.2f s\n", seconds() - t0);
    t0 = seconds();
    emulator();
    printf("emulator: %.2f s\n", seconds() - t0);
    arguments();
    return check_summary();
}
