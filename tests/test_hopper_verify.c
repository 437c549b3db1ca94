/*
 * test_hopper_verify.c — the hopper family's CPU verifier, tested.
 *
 * A verifier that passes everything proves nothing. Each case here copies
 * the real plan (tg_hplan_real_ops), replaces one function with a broken one
 * — a mistake someone could make in src/hopper/plan.h, written out in
 * hopper_mutations.h — runs tg_hopper_verify_ops on every compiled hopper
 * preset, and asserts which checks the report names ("  FAIL <check>: "):
 * exactly the expected ones on the presets that use the function, none on
 * the presets that do not.
 * The cluster's functions (multicast masks, slices, hand-backs, tile ranks
 * and count, empty arrivals) are broken the same way on the cluster
 * presets, and on a cluster of 2 blocks the report must also say what goes
 * wrong (a deadlock, a stage overwritten); a K split's (K ranges, partial
 * tile addresses, reduction rows) on the SPLIT_K presets, each report
 * saying what went wrong (a K tile walked twice, a row summed by no rank,
 * a load not 16-byte aligned, ...). The real plan must pass on every
 * preset and on valid configurations no preset has (clusters of up to 8
 * blocks among them). The ring model is run on its own over STAGES 1..4,
 * K loops of 1..5 tiles, 1..3 tiles per block, one and two consumers, both
 * MMA_LAG values: it must find the deadlock of STAGES=1 with MMA_LAG=1
 * (which the plan's rules refuse) and nothing else; for clusters (1 x 2,
 * 2 x 1, 2 x 2) the same, with the reduced search held against the full
 * one, real and broken ring functions, wherever the full one finishes in
 * time. tg_hopper_emulate must equal a plain integer GEMM.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "hopper/verify.h"
#include "hopper_mutations.h"
#include "tilegemm.h"

enum { REPORT_LEN = 16384 };

static const char *const check_names[] = {"layout", "tma", "banks", "operands", "fragment", "execution", "ring"};
enum { CHECK_NAMES = (int)(sizeof check_names / sizeof check_names[0]) };

static double seconds(void)
{
    struct timespec ts;
    timespec_get(&ts, TIME_UTC); /* C11 */
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
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
        /* clusters: MMA_LAG=0, 2 stages; 8 blocks (4 x 2, 1 x 8): the largest the rules allow */
        "hopper,block_m=128,block_n=128,consumers=2,producer=1,persistent=1,mma_lag=0,stages=2,"
        "epilogue=tma,cluster_m=2,cluster_n=2",
        "hopper,block_m=128,block_n=128,producer=1,persistent=1,mma_lag=1,stages=3,cluster_m=4,"
        "cluster_n=2",
        "hopper,block_m=128,block_n=64,producer=1,persistent=1,mma_lag=1,stages=2,cluster_n=8",
        /* the wgmma N that is not a power of two, and the smallest */
        "hopper,block_m=64,block_n=96,stages=3,raster=2",
        "hopper,block_m=128,block_n=96,producer=1,persistent=1,mma_lag=1,stages=2,cluster_m=2",
        "hopper,block_m=128,block_n=32,producer=1,stages=4",
        /* K splits the presets do not have: MMA_LAG=0 on 256 rows (two m64 pieces a consumer,
         * sent), 8 ranks of 8 rows each (pulled) */
        "hopper,block_m=256,block_n=128,consumers=2,producer=1,mma_lag=0,stages=3,split_k=2",
        "hopper,block_m=64,block_n=64,producer=1,mma_lag=1,stages=4,split_k=8",
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
 * Broken plans: the mutation table (the broken functions: hopper_mutations.h)
 * ---------------------------------------------------------------------- */

/* The presets a mutation changes: those whose kernel calls the function differently. */
enum {
    ANY, PRODUCER0, PRODUCER1, EPILOGUE_TMA, SWAP, STREAM_K1, CLUSTER, CLUSTER_M2, CLUSTER_N2, CLUSTER_2D,
    SPLIT_K2,   /* any K split */
    SPLIT_SEND, /* SPLIT_K = 2: partials sent to their owner */
    SPLIT_PULL  /* SPLIT_K > 2: partial tiles in the rings, pulled */
};

typedef struct mutation {
    const char *what;
    tg_hplan_ops ops;
    int applies;                /* ANY, PRODUCER0, ...: the presets that call the function */
    const char *const *expect;  /* exactly these checks fail (NULL-terminated); NULL: passes */
    const char *says;           /* on a cluster of 2 blocks or a K split the report also says this, or NULL */
} mutation;

static int cluster_blocks(const tg_config *cfg)
{
    return param(cfg, TG_HOPPER_CLUSTER_M) * param(cfg, TG_HOPPER_CLUSTER_N);
}

static int applies_to(int applies, const tg_config *cfg)
{
    const int cm = param(cfg, TG_HOPPER_CLUSTER_M), cn = param(cfg, TG_HOPPER_CLUSTER_N);
    switch (applies) {
    case ANY: return 1;
    case PRODUCER0: return !param(cfg, TG_HOPPER_PRODUCER);
    case PRODUCER1: return param(cfg, TG_HOPPER_PRODUCER);
    case EPILOGUE_TMA: return param(cfg, TG_HOPPER_EPILOGUE);
    case SWAP: return param(cfg, TG_HOPPER_SWAP_AB);
    case STREAM_K1: return param(cfg, TG_HOPPER_STREAM_K);
    case CLUSTER: return cm * cn > 1;
    case CLUSTER_M2: return cm > 1;
    case CLUSTER_N2: return cn > 1;
    case CLUSTER_2D: return cm > 1 && cn > 1;
    case SPLIT_K2: return param(cfg, TG_HOPPER_SPLIT_K) > 1;
    case SPLIT_SEND: return param(cfg, TG_HOPPER_SPLIT_K) == 2;
    case SPLIT_PULL: return param(cfg, TG_HOPPER_SPLIT_K) > 2;
    }
    return 0;
}

#define TRIPS(...) ((const char *const[]){__VA_ARGS__, NULL})

static void run_mutation(const mutation *mu, int *caught)
{
    char *report = calloc(REPORT_LEN, 1);
    CHECK(report != NULL, "out of memory");
    if (!report)
        return;
    int unused_runs = 0, cluster_runs = 0, split_runs = 0;
    const int of_clusters = mu->applies >= CLUSTER, of_split = mu->applies >= SPLIT_K2,
              of_sk = mu->applies == STREAM_K1;
    for (int p = 0; p < npresets; p++) {
        const tg_config *cfg = &presets[p];
        const int uses = applies_to(mu->applies, cfg);
        if (!uses && unused_runs++ > 0)
            continue; /* one preset that does not run it differently is enough (CI time) */
        if (uses && !of_clusters && cluster_blocks(cfg) > 1 && cluster_runs++ > 0)
            continue; /* a mistake outside the cluster's functions: one cluster preset is enough */
        if (uses && !of_split && param(cfg, TG_HOPPER_SPLIT_K) > 1 && split_runs++ > 0)
            continue; /* ... and outside the K split's: one K-split preset */
        if (uses && !of_sk && param(cfg, TG_HOPPER_STREAM_K))
            continue; /* ... and outside stream-K's: the same tile without it runs it (CI time) */
        const double t0 = seconds();
        const tg_status s = tg_hopper_verify_ops(cfg->params, &mu->ops, report, REPORT_LEN);
        const double took = seconds() - t0;
        if (!uses || !mu->expect) {
            /* The preset never calls the function (or the change is harmless): it passes. */
            CHECK(s == TG_SUCCESS, "%s on %s: the verifier failed a plan the preset does not run "
                  "differently:\n%s", mu->what, cfg->name, report);
            continue;
        }
        printf("--- %s, %s (%.3f s): %s\n%s", mu->what, cfg->name, took, tg_status_string(s), report);
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
        if (mu->says && (cluster_blocks(cfg) == 2 || param(cfg, TG_HOPPER_SPLIT_K) > 1))
            CHECK(strstr(report, mu->says) != NULL, "%s on %s: the report should say \"%s\"", mu->what,
                  cfg->name, mu->says);
    }
    free(report);
}

static void mutations(void)
{
    const tg_hplan_ops real = tg_hplan_real_ops;
    mutation mu[64];
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
    mu[n].says = NULL;                                                                         \
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
    MUTATE("staging buffer read back (store_chunk) without the swizzle", (o->epi_addr = epi_addr_unswizzled),
           EPILOGUE_TMA, TRIPS("tma", "execution"));
    MUTATE("fp32 staging registers in the same column order for every lane", (o->epi_group = epi_group_same),
           EPILOGUE_TMA, TRIPS("tma", "execution"));
    MUTATE("fp32 staging stores two column groups twice", (o->epi_group = epi_group_repeat),
           EPILOGUE_TMA, TRIPS("tma", "execution"));
    MUTATE("fp32 staging addresses without the lane's column group", (o->epi_lane = epi_lane_no_group),
           EPILOGUE_TMA, TRIPS("tma", "banks", "execution"));
    MUTATE("bf16 staging addresses without the swizzle", (o->epi_lane = epi_lane_bf16_unswizzled),
           EPILOGUE_TMA, TRIPS("tma", "banks"));
    MUTATE("staging row half 8 bytes on, not 8 rows", (o->epi_at = epi_at_h8), EPILOGUE_TMA,
           TRIPS("tma", "execution"));
    MUTATE("SWAP_AB's C stored untransposed", (o->c_at = c_at_untransposed), SWAP,
           TRIPS("execution"));
    MUTATE("stream-K segments walked last first", (o->sk_unit = sk_unit_final_first), STREAM_K1,
           TRIPS("stream-k"));
    MUTATE("stream-K FINAL waiting from one block late", (o->sk_unit = sk_unit_from_next), STREAM_K1,
           TRIPS("stream-k"));
    MUTATE("stream-K over two rounds of tiles", (o->sk_tiles = sk_tiles_two_rounds), STREAM_K1,
           TRIPS("stream-k"));
    MUTATE("stream-K shares few tiles on any grid", (o->sk_tiles = sk_tiles_any_few), STREAM_K1,
           TRIPS("stream-k"));
    MUTATE("block 0 walks a shared tile whole too", (o->dp_units = dp_units_one_more), STREAM_K1,
           TRIPS("stream-k"));
    MUTATE("tiles numbered without batch items", (o->tile = tile_no_batch), ANY,
           TRIPS("execution"));
    MUTATE("ring_next never flips the phase", (o->ring_next = ring_next_no_phase), PRODUCER1,
           TRIPS("ring"));
    MUTATE("empty barriers one arrival short", (o->empty_arrivals = empty_arrivals_short), PRODUCER1,
           TRIPS("ring"));
    /* Clusters: what each block loads, for whom, who hands back, which tile. */
    MUTATE("A multicast to the block itself only", (o->a_mask = a_mask_self), CLUSTER_N2,
           TRIPS("execution", "ring"));
    mu[n - 1].says = "the loads bring";
    MUTATE("B multicast to the block itself only", (o->b_mask = b_mask_self), CLUSTER_M2,
           TRIPS("execution", "ring"));
    MUTATE("stages handed back to the block itself only", (o->release_mask = release_mask_self),
           CLUSTER, TRIPS("ring"));
    mu[n - 1].says = "deadlock";
    MUTATE("empty barriers counting one block's warps", (o->empty_arrivals = empty_arrivals_one_block),
           CLUSTER, TRIPS("ring"));
    mu[n - 1].says = "still reads";
    MUTATE("A slice one slice further down the box", (o->a_slice_row = a_slice_row_next), CLUSTER_N2,
           TRIPS("layout", "execution"));
    MUTATE("A slices rotated among the cluster row (a relabelling, harmless)",
           (o->a_slice_row = a_slice_row_rotated), CLUSTER_N2, NULL);
    MUTATE("the whole B box per block, as without a cluster", (o->b_rows = b_rows_whole), CLUSTER_M2,
           TRIPS("layout", "execution", "ring"));
    MUTATE("tile ranks column-major, masks row-major", (o->tile = tile_rank_transposed), CLUSTER_2D,
           TRIPS("execution"));
    MUTATE("every block of a cluster on the rank-0 tile", (o->tile = tile_rank0), CLUSTER,
           TRIPS("execution"));
    MUTATE("block tiles counted for the cluster walk", (o->tiles = tiles_of_blocks), CLUSTER,
           TRIPS("execution"));
    /* K split: which K tiles each rank walks, where its partial tile goes, which rows it sums;
     * the report says what went wrong. */
#define MUTATE_SPLIT(text, field_assignments, expect_, says_)                                   \
    MUTATE(text, field_assignments, SPLIT_K2, expect_);                                      \
    mu[n - 1].says = (says_)
#define MUTATE_SEND(text, field_assignments, expect_, says_)                                    \
    MUTATE(text, field_assignments, SPLIT_SEND, expect_);                                    \
    mu[n - 1].says = (says_)
#define MUTATE_PULL(text, field_assignments, expect_, says_)                                    \
    MUTATE(text, field_assignments, SPLIT_PULL, expect_);                                    \
    mu[n - 1].says = (says_)
    MUTATE_SPLIT("K ranges one K tile into the next rank's", (o->k_range = k_range_overlap),
                 TRIPS("execution"), "K ranks (their ranges");
    MUTATE_SPLIT("K ranges one K tile short of the next rank's", (o->k_range = k_range_gap),
                 TRIPS("execution"), "is walked by 0 K ranks");
    MUTATE_SPLIT("K ranges in reverse rank order (a relabelling, harmless)",
                 (o->k_range = k_range_reversed), NULL, NULL);
    MUTATE_SPLIT("the last K range one past K_TILES", (o->k_range = k_range_past_end),
                 TRIPS("execution"), "not a range inside the");
    MUTATE_SEND("receive-buffer lanes 32 bytes apart", (o->recv_addr = recv_addr_lane32),
                 TRIPS("banks", "execution"), "where K rank");
    MUTATE_SEND("receive buffer one piece further", (o->recv_addr = recv_addr_next_piece),
                 TRIPS("execution"), "outside the receive buffer");
    MUTATE_SEND("receive buffer 8 bytes in", (o->recv_addr = recv_addr_plus8), TRIPS("execution"),
                 "not 16-byte aligned");
    MUTATE_SEND("receive slots in reverse rank order (a relabelling, harmless)",
                 (o->recv_addr = recv_addr_slots_reversed), NULL, NULL);
    MUTATE_SEND("every piece owned by rank 0", (o->owner = owner_rank0), TRIPS("execution"),
                 "whose rows are not");
    MUTATE_SEND("every piece owned by the next rank", (o->owner = owner_next), TRIPS("execution"),
                 "whose rows are not");
    MUTATE_SEND("receive buffer at the ring's base", (o->recv_base = recv_base_ring), TRIPS("layout"),
                 "overlaps");
    MUTATE_PULL("partial-tile rows BLOCK_N*4 - 16 bytes apart", (o->part_addr = part_addr_short_pitch),
                 TRIPS("banks", "execution"), "where (");
    MUTATE_PULL("partial-tile rows 32 bytes closer (an even number of 32-byte units apart)",
                 (o->part_addr = part_addr_unpadded), TRIPS("banks"), "wavefronts where 1 will do");
    MUTATE_PULL("partial tile after the stages", (o->part_addr = part_addr_past_ring),
                 TRIPS("execution"), "outside the stages'");
    MUTATE_PULL("partial tile 8 bytes into the ring", (o->part_addr = part_addr_plus8),
                 TRIPS("execution"), "not 16-byte aligned");
    MUTATE_PULL("partial-tile columns 2, 3 of every 4 in the next row",
                 (o->part_addr = part_addr_split_group), TRIPS("execution"), "where its consumers put");
    MUTATE_PULL("partial tile's last two columns in each row's padding",
                 (o->part_addr = part_addr_last_in_padding), TRIPS("banks", "execution"),
                 "did not write for this tile");
    MUTATE_PULL("reduction rows one into the next rank's", (o->reduce_rows = reduce_rows_overlap),
                 TRIPS("execution"), "is summed by K ranks");
    MUTATE_PULL("reduction rows without each rank's last", (o->reduce_rows = reduce_rows_short),
                 TRIPS("execution"), "is summed by no K rank");
    MUTATE_PULL("reduction rows of the next rank (a relabelling, harmless)",
                 (o->reduce_rows = reduce_rows_rotated), NULL, NULL);
#undef MUTATE_SEND
#undef MUTATE_PULL
#undef MUTATE_SPLIT
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
                    /* BLOCK_M, BLOCK_N, BLOCK_K, STAGES, RASTER, CONSUMERS, PRODUCER, PERSISTENT,
                     * MMA_LAG, EPILOGUE, CLUSTER_M, CLUSTER_N */
                    const int p[TG_HOPPER_NPARAMS] = {128, 128, 64, stages, 8, c, 1, 1, lag, 0, 1, 1, 1};
                    for (int tiles = 1; tiles <= 3; tiles++)
                        for (int k = 1; k <= 5; k++) {
                            tg_hring_stats st = {0};
                            const double t0 = seconds();
                            const tg_status s = tg_hopper_ring_model(p, &tg_hplan_real_ops, k, tiles,
                                                                     c * wpc, 0, &st, report,
                                                                     sizeof report);
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
    const int p[TG_HOPPER_NPARAMS] = {128, 256, 64, 3, 8, 2, 1, 1, 1, 0, 1, 1, 1};
    tg_hplan_ops ops = tg_hplan_real_ops;
    tg_hring_stats st;
    ops.full_parity = full_parity_flipped;
    CHECK(tg_hopper_ring_model(p, &ops, 4, 2, 4, 0, &st, report, sizeof report) ==
                  TG_ERR_INVALID_CONFIG &&
              strstr(report, "returns for K step 0 while the stage holds load -1"),
          "a flipped full parity lets the first wait return before any load: %s", report);
    ops = tg_hplan_real_ops;
    ops.empty_parity = empty_parity_unflipped;
    CHECK(tg_hopper_ring_model(p, &ops, 4, 2, 4, 0, &st, report, sizeof report) ==
                  TG_ERR_INVALID_CONFIG &&
              st.deadlocks > 0 && strstr(report, "deadlock: the producer waits on empty[0]"),
          "an unflipped empty parity blocks the producer on a fresh barrier: %s", report);
    ops = tg_hplan_real_ops;
    ops.ring_next = ring_next_late;
    CHECK(tg_hopper_ring_model(p, &ops, 4, 2, 4, 0, &st, report, sizeof report) ==
                  TG_ERR_INVALID_CONFIG &&
              strstr(report, "stage 3, outside the ring"),
          "a ring that wraps late names stage 3 of 3: %s", report);
    /* Out of the model's range. */
    CHECK(tg_hopper_ring_model(p, &tg_hplan_real_ops, 0, 1, 4, 0, &st, report, sizeof report) ==
              TG_ERR_INVALID_ARGUMENT,
          "zero K tiles is not a case of the model");
    CHECK(tg_hopper_ring_model(p, &tg_hplan_real_ops, 1, 1, 3, 0, &st, report, sizeof report) ==
              TG_ERR_INVALID_ARGUMENT,
          "3 modelled warps do not divide 8 consumer warps");
    CHECK(tg_hopper_ring_model(NULL, &tg_hplan_real_ops, 1, 1, 4, 0, &st, report, sizeof report) ==
              TG_ERR_INVALID_ARGUMENT,
          "NULL params must be an invalid argument");
}

/* ------------------------------------------------------------------------
 * The ring model of a cluster, and its reduction against the full search
 * ---------------------------------------------------------------------- */

/* One warp's arrival on a 2-block empty barrier for deadlock: MMA_LAG=1 with one stage. */
static int deadlocks(int lag, int stages, int k) { return lag == 1 && stages == 1 && k >= 2; }

/* The real ring functions and three broken ones, named: what the ring model's searches are held to. */
enum { RING_OPS = 4 };
static const char *const ring_ops_name[RING_OPS] = {"the real plan", "full parity flipped",
                                                    "empty parity not flipped", "ring_next without phases"};
static void ring_ops(tg_hplan_ops ops[RING_OPS])
{
    for (int i = 0; i < RING_OPS; i++)
        ops[i] = tg_hplan_real_ops;
    ops[1].full_parity = full_parity_flipped;
    ops[2].empty_parity = empty_parity_unflipped;
    ops[3].ring_next = ring_next_no_phase;
}

/*
 * One block's ring, every consumer warp, reduced (as the verifier searches
 * rings deeper than 8 stages) against the full search, on the real ring
 * functions and three broken ones: the same verdict on every case the full
 * search finishes; then the reduced search alone on the deepest ring.
 */
static void ring_model_block(void)
{
    tg_hplan_ops ops[RING_OPS];
    ring_ops(ops);
    char reduced[4096], full[4096];
    int cases = 0, failing = 0;
    int64_t states_reduced = 0, states_full = 0;
    for (int o = 0; o < RING_OPS; o++)
        for (int lag = 0; lag <= 1; lag++)
            for (int c = 1; c <= 2; c++)
                for (int stages = 1; stages <= 4; stages++)
                    for (int tiles = 1; tiles <= 2; tiles++)
                        for (int k = 1; k <= stages + 2; k++) {
                            const int p[TG_HOPPER_NPARAMS] = {64 * c, 16, 64, stages, 8, c, 1, tiles > 1, lag, 0,
                                                              1, 1, 1, 1};
                            tg_hring_stats sr = {0}, sf = {0};
                            const tg_status r = tg_hopper_ring_model(p, &ops[o], k, tiles, 4, 1, &sr,
                                                                     reduced, sizeof reduced);
                            const tg_status f = tg_hopper_ring_model(p, &ops[o], k, tiles, 4, 0, &sf,
                                                                     full, sizeof full);
                            cases++;
                            failing += f != TG_SUCCESS;
                            states_reduced += sr.states;
                            states_full += sf.states;
                            CHECK(r == f, "one block, %s, CONSUMERS=%d MMA_LAG=%d STAGES=%d, %d K tiles "
                                  "x %d tiles: the reduced search says %s, the full one %s:\n%s---\n%s",
                                  ring_ops_name[o], c, lag, stages, k, tiles, tg_status_string(r), tg_status_string(f),
                                  reduced, full);
                            if (o == 0)
                                CHECK(f == TG_SUCCESS || (lag == 1 && stages == 1 && k >= 2),
                                      "one block, MMA_LAG=%d STAGES=%d, %d x %d: %s:\n%s", lag, stages, k,
                                      tiles, tg_status_string(f), full);
                        }
    printf("ring model, one block: %d cases both ways (%d failing), %lld states reduced, %lld full\n",
           cases, failing, (long long)states_reduced, (long long)states_full);
    CHECK(states_reduced < states_full, "the reduction must search fewer states (%lld, %lld)",
          (long long)states_reduced, (long long)states_full);
    CHECK(failing > cases / 4, "the broken ring functions must fail in most cases (%d of %d)", failing,
          cases);
    /* The deepest ring, wrapped, reduced: the real functions pass, a broken one fails. */
    const int deep[TG_HOPPER_NPARAMS] = {64, 16, 64, TG_H_MAX_STAGES, 8, 1, 1, 0, 1, 0, 1, 1, 1, 1};
    tg_hring_stats st = {0};
    CHECK(tg_hopper_ring_model(deep, &tg_hplan_real_ops, TG_H_MAX_STAGES + 2, 1, 4, 1, &st, reduced,
                               sizeof reduced) == TG_SUCCESS,
          "STAGES=%d, wrapped, reduced: %s", TG_H_MAX_STAGES, reduced);
    CHECK(tg_hopper_ring_model(deep, &ops[1], TG_H_MAX_STAGES + 2, 1, 4, 1, &st, reduced, sizeof reduced) !=
              TG_SUCCESS,
          "STAGES=%d with the full parity flipped must fail", TG_H_MAX_STAGES);
}

static void ring_model_cluster(void)
{
    static const struct {
        int cm, cn, max_stages, max_k, max_tiles; /* the full search's reach, one warp a block */
    } shapes[] = {{1, 2, 3, 4, 2}, {2, 2, 1, 3, 2}, {2, 1, 3, 4, 2}};
    const int nshapes = (int)(sizeof shapes / sizeof shapes[0]);
    const int nfull = 2; /* 2 x 1 is 1 x 2 with A and B swapped: the reduced search only (CI time) */
    tg_hplan_ops ops[RING_OPS];
    ring_ops(ops);
    char reduced[4096], full[4096];
    int cases = 0, failing = 0;
    int64_t states_reduced = 0, states_full = 0;
    double t_reduced = 0, t_full = 0;
    /* The same verdict both ways, on every case the full search reaches in time. */
    for (int sh = 0; sh < nfull; sh++)
        for (int o = 0; o < RING_OPS; o++)
            for (int lag = 0; lag <= 1; lag++)
                for (int stages = 1; stages <= shapes[sh].max_stages; stages++)
                    for (int tiles = 1; tiles <= shapes[sh].max_tiles; tiles++)
                        for (int k = 1; k <= shapes[sh].max_k; k++) {
                            const int p[TG_HOPPER_NPARAMS] = {128, 128, 64, stages, 8, 1, 1, 1, lag, 0,
                                                              shapes[sh].cm, shapes[sh].cn, 1};
                            tg_hring_stats sr = {0}, sf = {0};
                            double t0 = seconds();
                            const tg_status r = tg_hopper_ring_model(p, &ops[o], k, tiles, 1, 1, &sr,
                                                                     reduced, sizeof reduced);
                            t_reduced += seconds() - t0;
                            t0 = seconds();
                            const tg_status f = tg_hopper_ring_model(p, &ops[o], k, tiles, 1, 0, &sf,
                                                                     full, sizeof full);
                            t_full += seconds() - t0;
                            cases++;
                            failing += f != TG_SUCCESS;
                            states_reduced += sr.states;
                            states_full += sf.states;
                            /* (each search stops at its first failure, which may differ) */
                            CHECK(r == f, "%d x %d cluster, %s, MMA_LAG=%d STAGES=%d, %d K tiles x %d "
                                  "tiles: the reduced search says %s, the full one %s:\n%s---\n%s",
                                  shapes[sh].cm, shapes[sh].cn, ring_ops_name[o], lag, stages, k, tiles,
                                  tg_status_string(r), tg_status_string(f), reduced, full);
                            if (o == 0)
                                CHECK((f == TG_SUCCESS) == !deadlocks(lag, stages, k) &&
                                          (sf.deadlocks > 0) == deadlocks(lag, stages, k),
                                      "%d x %d cluster, MMA_LAG=%d STAGES=%d, %d x %d: %s:\n%s",
                                      shapes[sh].cm, shapes[sh].cn, lag, stages, k, tiles,
                                      tg_status_string(f), full);
                        }
    printf("ring model, clusters: %d cases both ways (%d failing), %lld states reduced (%.2f s), "
           "%lld full (%.2f s)\n", cases, failing, (long long)states_reduced, t_reduced,
           (long long)states_full, t_full);
    CHECK(failing > cases / 4, "the broken ring functions must fail in most cases (%d of %d)", failing,
          cases);

    /* Reduced only, every consumer warp of every block, rings and loops as the presets run them. */
    int reduced_cases = 0;
    double worst = 0;
    for (int sh = 0; sh < nshapes; sh++)
        for (int lag = 0; lag <= 1; lag++)
            for (int c = 1; c <= 2; c++)
                for (int stages = 1; stages <= 4; stages++)
                    for (int tiles = 1; tiles <= 3; tiles++)
                        for (int k = 1; k <= 5; k++) {
                            const int p[TG_HOPPER_NPARAMS] = {128, 128, 64, stages, 8, c, 1, 1, lag, 0,
                                                              shapes[sh].cm, shapes[sh].cn, 1};
                            tg_hring_stats st = {0};
                            const double t0 = seconds();
                            const tg_status r = tg_hopper_ring_model(p, &tg_hplan_real_ops, k, tiles,
                                                                     4 * c, 1, &st, reduced,
                                                                     sizeof reduced);
                            worst = seconds() - t0 > worst ? seconds() - t0 : worst;
                            reduced_cases++;
                            CHECK((r == TG_SUCCESS) == !deadlocks(lag, stages, k) &&
                                      (st.deadlocks > 0) == deadlocks(lag, stages, k),
                                  "%d x %d cluster, CONSUMERS=%d MMA_LAG=%d STAGES=%d, %d x %d, every "
                                  "warp: %s:\n%s", shapes[sh].cm, shapes[sh].cn, c, lag, stages, k,
                                  tiles, tg_status_string(r), reduced);
                        }
    printf("ring model, clusters with every warp, reduced: %d cases, slowest %.3f s\n", reduced_cases,
           worst);

    /* What the broken cluster plans look like to the model alone (1 x 2, STAGES=2, 3 K tiles). */
    const int p[TG_HOPPER_NPARAMS] = {256, 128, 64, 2, 8, 2, 1, 1, 1, 0, 1, 2, 1};
    tg_hplan_ops b = tg_hplan_real_ops;
    tg_hring_stats st;
    b.release_mask = release_mask_self;
    CHECK(tg_hopper_ring_model(p, &b, 3, 1, 8, 1, &st, reduced, sizeof reduced) ==
                  TG_ERR_INVALID_CONFIG &&
              strstr(reduced, "hand its stages back to blocks 0x1, but blocks 0x3 fill them") &&
              strstr(reduced, "deadlock"),
          "stages handed back to the block itself: named, and the peer's producer waits forever: %s",
          reduced);
    b = tg_hplan_real_ops;
    b.empty_arrivals = empty_arrivals_one_block;
    CHECK(tg_hopper_ring_model(p, &b, 3, 1, 8, 1, &st, reduced, sizeof reduced) ==
                  TG_ERR_INVALID_CONFIG &&
              strstr(reduced, "expect 8 arrivals a phase") && strstr(reduced, "still reads"),
          "an empty barrier counting one block's warps lets a producer overwrite a stage its peer "
          "still reads: %s", reduced);
    b = tg_hplan_real_ops;
    b.a_mask = a_mask_self;
    CHECK(tg_hopper_ring_model(p, &b, 3, 1, 8, 1, &st, reduced, sizeof reduced) ==
                  TG_ERR_INVALID_CONFIG &&
              strstr(reduced, "expect 49152 bytes a phase (the stage), the loads bring 32768"),
          "A multicast to the block itself: the peer's full barrier misses half the A box: %s", reduced);
    b = tg_hplan_real_ops;
    b.a_mask = a_mask_outside;
    CHECK(tg_hopper_ring_model(p, &b, 3, 1, 8, 1, &st, reduced, sizeof reduced) ==
                  TG_ERR_INVALID_CONFIG &&
              strstr(reduced, "outside the cluster of 2"),
          "a mask naming rank 2 of 2: %s", reduced);
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
            tg_status s = tg_hopper_emulate(presets[p].params, m, n, k, batch, a, b, c, 9);
            CHECK(s == TG_SUCCESS, "emulate %s: %s", presets[p].name, tg_last_error());
            CHECK(memcmp(c, ref, sizeof(float) * (size_t)(batch * m * n)) == 0,
                  "emulate %s on %lldx%lldx%lld batch %lld differs from the plain GEMM",
                  presets[p].name, (long long)m, (long long)n, (long long)k, (long long)batch);
            /* The persistent grid's size changes which stage a tile uses, not C (9 SMs: 9
             * blocks, 4 clusters of 2, 2 of 4; 1 SM: one block, one cluster). */
            s = tg_hopper_emulate(presets[p].params, m, n, k, batch, a, b, c2, 1);
            CHECK(s == TG_SUCCESS && memcmp(c, c2, sizeof(float) * (size_t)(batch * m * n)) == 0,
                  "emulate %s: one persistent block (cluster) and nine SMs' worth disagree",
                  presets[p].name);
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
    bad[TG_HOPPER_BLOCK_N] = 88;
    CHECK(tg_hopper_emulate(bad, 8, 8, 8, 1, big, big, out, 1) == TG_ERR_INVALID_CONFIG,
          "BLOCK_N=88 (no wgmma wrapper) breaks a rule");
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
    tg_config cfg;
    CHECK(tg_config_parse("hopper,block_m=128,block_n=96,consumers=2,producer=1,persistent=1,"
                          "epilogue=tma",
                          &cfg) == TG_ERR_INVALID_CONFIG &&
              strstr(tg_last_error(), "EPILOGUE=tma needs BLOCK_N a multiple of 64") != NULL,
          "a TMA epilogue on 96 columns (one and a half bf16 chunks) is refused: '%s'",
          tg_last_error());
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
    ring_model_cluster();
    ring_model_block();
    printf("ring model, clusters: %.2f s\n", seconds() - t0);
    t0 = seconds();
    emulator();
    printf("emulator: %.2f s\n", seconds() - t0);
    arguments();
    return check_summary();
}
