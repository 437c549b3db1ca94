/*
 * verify_ring.c — the hopper verifier's ring check: for PRODUCER=0 the
 * stage and parity schedule of the K loop, for PRODUCER=1 a model checker
 * over every interleaving of the producers, the consumer warps and the TMA
 * copies' landing, of one block and of every block of a cluster (and
 * tg_hopper_ring_model, one case of it on its own). This file sets the
 * model up from the plan; verify_search.c searches it. What the check
 * claims: verify.c's opening comment.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hopper/verify_ring.h"

/* ------------------------------------------------------------------------
 * ring, PRODUCER=0: thread 0 loads K tiles 0 .. STAGES-1 before the loop
 * and tg_hplan_refill(kt) after iteration kt (after a __syncthreads: every
 * wgmma that read the stage is complete); iteration kt waits on stage
 * tg_hplan_stage_of(kt) with parity tg_hplan_parity_of(kt). A load's bytes
 * land some time after it is issued; the stage's full barrier completes a
 * phase then. A wait on parity x returns iff the completed phases E have
 * (E & 1) != x: it must block while the latest load is in flight (E one
 * short) and return once it has landed.
 * ---------------------------------------------------------------------- */

enum { MAX_RING = 8 };

typedef struct stage_state {
    int loads;    /* loads issued into the stage (each completes one phase when it lands) */
    int holds;    /* the K tile of the latest load, -1 before any */
    int consumed; /* the tile it holds was read by its iteration */
} stage_state;

static int ring_stage_ok(const tg_htile *t, int s, int tiles, int kt, report *r)
{
    if (s >= 0 && s < t->stages)
        return 1;
    tg_report_fail(r, CK_RING, "%d K tiles: tile %d is given stage %d, outside the ring of %d", tiles, kt, s,
                   t->stages);
    return 0;
}

static int ring_load(const tg_htile *t, const tg_hplan_ops *ops, stage_state *st, int tiles, int kt,
                     report *r)
{
    const int s = ops->stage_of(t, kt);
    if (!ring_stage_ok(t, s, tiles, kt, r))
        return 0;
    stage_state *x = &st[s];
    if (x->holds >= 0 && !x->consumed)
        tg_report_fail(r, CK_RING, "%d K tiles: tile %d overwrites tile %d in stage %d before it was read",
                       tiles, kt, x->holds, s);
    x->loads++;
    x->holds = kt;
    x->consumed = 0;
    return 1;
}

void tg_hv_check_ring_plain(const tg_htile *t, const tg_hplan_ops *ops, report *r)
{
    for (int tiles = 1; tiles <= 3 * t->stages + 1; tiles++) {
        stage_state st[MAX_RING];
        for (int s = 0; s < MAX_RING; s++)
            st[s] = (stage_state){0, -1, 0};
        int ok = 1;
        for (int kt = 0; kt < t->stages && kt < tiles && ok; kt++) /* the prologue */
            ok = ring_load(t, ops, st, tiles, kt, r);
        for (int kt = 0; kt < tiles && ok; kt++) {
            const int s = ops->stage_of(t, kt);
            if (!(ok = ring_stage_ok(t, s, tiles, kt, r)))
                break;
            const uint32_t parity = ops->parity_of(t, kt);
            stage_state *x = &st[s];
            const int landed = x->loads, in_flight = x->loads - 1; /* completed phases */
            if (x->loads > 0 && (uint32_t)(in_flight & 1) != parity)
                tg_report_fail(r, CK_RING, "%d K tiles: iteration %d's wait on stage %d (parity %u) returns "
                               "before its load has landed (%d phases completed)", tiles, kt, s, parity,
                               in_flight);
            else if ((uint32_t)(landed & 1) == parity)
                tg_report_fail(r, CK_RING, "%d K tiles: iteration %d waits forever on stage %d (parity %u, "
                               "%d phases completed)", tiles, kt, s, parity, landed);
            else if (x->holds != kt)
                tg_report_fail(r, CK_RING, "%d K tiles: iteration %d reads stage %d, which holds tile %d",
                               tiles, kt, s, x->holds);
            x->consumed = 1;
            const int next = ops->refill(t, kt);
            if (next < tiles)
                ok = ring_load(t, ops, st, tiles, next, r);
        }
    }
}

/* ------------------------------------------------------------------------
 * ring, PRODUCER=1: a model checker over the kernel's warp specialization,
 * for one block or for every block of a CLUSTER_M x CLUSTER_N cluster.
 *
 * Actors, each a small state machine running the kernel's code with the
 * plan's functions, in every block of the cluster:
 *   producer   for each K step g of the block (tiles x K tiles): wait
 *              empty[r.stage] with tg_hplan_empty_parity(r); then
 *              arrive.expect_tx on its own full[r.stage] for the whole
 *              stage (kernel.cuh load_stage: STAGE_BYTES) and issue load
 *              g's copies: its A slice (tg_hplan_a_rows rows) to the
 *              blocks of tg_hplan_a_mask, its B slice to those of b_mask;
 *              without a cluster (CLUSTER_N = 1 for A, CLUSTER_M = 1 for
 *              B) the kernel ignores the mask: to itself;
 *   landing    a copy lands later, in each destination block as an event
 *              of its own: only then do those bytes of the stage become
 *              load g's, and they count off that block's full[s]
 *              transaction count — which goes negative when a peer's
 *              bytes come before the block's own expect_tx. The A and B
 *              slices of one source into one destination are one event
 *              (their bytes complete the phase only together, and nothing
 *              else observes them in between);
 *   consumer   each modelled warp: wait full[r.stage] with
 *   warps      tg_hplan_full_parity(r) (the wgmmas of step g then read the
 *              stage); MMA_LAG=0: then hand step g's stage back
 *              (wgmma.wait_group 0); MMA_LAG=1: for K tile > 0 step g-1's
 *              (wait_group 1), and after an output tile's last K tile its
 *              (wait_group 0). Handing back arrives on empty[s] of every
 *              block of tg_hplan_release_mask (without a cluster: its own).
 * Barriers (PTX ISA "mbarrier"): full expects 1 arrival and its
 * transaction count back at 0; empty the plan's TG_H_EMPTY_ARRIVALS (ops->empty_arrivals),
 * each modelled warp arriving once for each real warp it stands for
 * (4·CONSUMERS / modelled warps, one by one: a phase may complete in the
 * middle and the rest count to the next). E completed phases (kept modulo
 * 32: only the parity decides a wait); try_wait.parity(x) returns iff
 * (E & 1) != x — so a waiter two phases behind is fooled, and the model
 * catches it by what the stage holds.
 * Checked: the cluster's rules (rm_cluster: the masks name blocks of the
 * cluster, each full barrier gets its stage's bytes, each block hands its
 * stages back to exactly the blocks that fill them, each empty barrier
 * expects their warps); then in every reachable state: no deadlock; a
 * consumer warp's wait returns only when its stage holds load g from every
 * block that fills it, nothing in flight to it; a producer issues a load
 * into block X's stage — and a copy lands there — only once every consumer
 * warp of X handed back the K step the stage held before (a copy may land
 * the moment it is issued: so nothing of X's stage is overwritten while X
 * may still read it), and a copy lands in the phase of its own trip; no
 * copy is issued into a stage while the same block's previous copy to it
 * is in flight, no producer arrives twice in one phase. A search stops at
 * its first failure.
 * A state is encoded in a few words; every reachable one is visited once.
 * The warps of a block run the same code, so a state keeps each block's
 * warp positions sorted (they are interchangeable). A single block's
 * search takes every interleaving (a ring deeper than
 * RM_FULL_SEARCH_STAGES excepted); a cluster's is reduced to one order of
 * the moves that commute (verify_search.c rm_ample).
 * ---------------------------------------------------------------------- */

static int gcd(int a, int b) { return b ? gcd(b, a % b) : a; }

/*
 * The cluster as the plan lays it out: what each block's copies land in
 * each block's stage (in units of rows that divide every slice and the
 * stage), and whose empty barriers each block's consumer warps arrive on.
 * Its rules, each a failure: every full barrier gets its stage's bytes a
 * phase (else 0: the transaction count is not modelled past it); every
 * block hands its stages back to exactly the blocks that fill them; every
 * empty barrier expects exactly their warps' arrivals. A cluster that
 * breaks one of the last two is searched without the reduction (one warp
 * a block; a cluster of 2 blocks only), to show what goes wrong.
 */
static int rm_cluster(rm_model *m, const tg_htile *t, const tg_hplan_ops *ops)
{
    const int all = (1 << m->blocks) - 1;
    const int a_rows = ops->a_rows(t), b_rows = ops->b_rows(t);
    if (a_rows < 1 || a_rows > t->block_m || b_rows < 1 || b_rows > t->block_n) {
        tg_rm_fail(m, "each block loads %d rows of the %d-row A box and %d of the %d-row B box: not a "
                   "slice of them", a_rows, t->block_m, b_rows, t->block_n);
        return 0;
    }
    m->unit_rows = gcd(gcd(t->block_m + t->block_n, a_rows), b_rows);
    m->stage_units = (t->block_m + t->block_n) / m->unit_rows;
    for (int p = 0; p < m->blocks; p++) {
        /* kernel.cuh load_stage and release: without a cluster along N (M) the A (B) box goes
         * to the block itself, and without a cluster the stage goes back to itself */
        const uint32_t am = t->cluster_n > 1 ? ops->a_mask(t, p) : 1u << p;
        const uint32_t bm = t->cluster_m > 1 ? ops->b_mask(t, p) : 1u << p;
        m->release[p] = m->blocks > 1 ? ops->release_mask(t, p) : 1u;
        const uint32_t masks[3] = {am, bm, m->release[p]};
        static const char *const what[3] = {"A slice goes", "B slice goes", "consumer warps hand stages back"};
        for (int i = 0; i < 3; i++)
            if (masks[i] & ~(uint32_t)all) {
                tg_rm_fail(m, "block %d's %s to blocks 0x%x: outside the cluster of %d", p, what[i],
                           masks[i], m->blocks);
                return 0;
            }
        for (int d = 0; d < m->blocks; d++)
            m->units[p][d] = ((am >> d & 1) * a_rows + (bm >> d & 1) * b_rows) / m->unit_rows;
    }
    /* Each full barrier expects the whole stage (STAGE_BYTES) a phase: the slices must bring it. */
    for (int d = 0; d < m->blocks; d++) {
        int units = 0;
        for (int p = 0; p < m->blocks; p++)
            units += m->units[p][d];
        if (units != m->stage_units) {
            char who[24];
            tg_rm_fail(m, "%sfull barriers expect %d bytes a phase (the stage), the loads bring %d: %s",
                       tg_rm_whose(m, d, who), m->stage_units * m->unit_rows * TG_H_SWIZZLE_BYTES,
                       units * m->unit_rows * TG_H_SWIZZLE_BYTES,
                       units < m->stage_units ? "its consumers would wait forever"
                                           : "a phase would complete before its bytes all landed");
            return 0;
        }
    }
    /*
     * A block's consumers hand its stages back to the blocks that fill them,
     * those only (a producer must wait for every block whose stage it writes),
     * and each empty barrier expects every consumer warp of the blocks that
     * hand back to it.
     */
    int hands = 0, counts = 0; /* one line for each rule */
    for (int d = 0; d < m->blocks; d++) {
        uint32_t fillers = 0, releasers = 0;
        int arrivals = 0;
        for (int p = 0; p < m->blocks; p++) {
            fillers |= (uint32_t)(m->units[p][d] > 0) << p;
            releasers |= (m->release[p] >> d & 1) << p;
            arrivals += (int)(m->release[p] >> d & 1) * 4 * t->consumers;
        }
        if (m->release[d] != fillers && !hands++)
            tg_rm_fail(m, "block %d's consumer warps hand its stages back to blocks 0x%x, but blocks 0x%x "
                       "fill them", d, m->release[d], fillers);
        if (arrivals != m->empty_count && !counts++) {
            if (m->blocks > 1)
                tg_rm_fail(m, "block %d's empty barriers expect %d arrivals a phase; the consumer warps "
                           "that hand stages back to it (of blocks 0x%x) make %d", d, m->empty_count,
                           releasers, arrivals);
            else
                tg_rm_fail(m, "the empty barriers expect %d arrivals a phase; the consumer warps make %d",
                           m->empty_count, arrivals);
        }
    }
    if (hands || counts)
        m->reduce = 0;
    return 1;
}

/* One case of the model; its failures go to r. Returns the failures. */
static int rm_run(const tg_htile *t, const tg_hplan_ops *ops, int k_tiles, int tiles, int warps,
                  int reduce, tg_hring_stats *stats, report *r)
{
    rm_model *m = calloc(1, sizeof *m);
    if (!m) {
        tg_report_fail(r, CK_RING, "out of memory");
        return 1;
    }
    m->r = r;
    m->stages = t->stages;
    m->blocks = TG_H_CLUSTER(t->cluster_m, t->cluster_n);
    m->reduce = reduce; /* one block too: tg_hv_check_ring_ws asks for it on deep rings */
    m->warps = warps;
    m->weight = 4 * t->consumers / warps; /* each modelled warp arrives for this many real ones */
    m->k_tiles = k_tiles;
    m->tiles = tiles;
    m->loads = k_tiles * tiles;
    m->empty_count = ops->empty_arrivals(t);
    if (m->empty_count < 1 || m->empty_count > RM_MAX_EMPTY) {
        tg_rm_fail(m, "the empty barriers expect %d arrivals: outside 1..%d, which the model holds",
                   m->empty_count, RM_MAX_EMPTY);
        goto out;
    }
    if (!rm_cluster(m, t, ops) || (m->failures && m->blocks > 2))
        goto out; /* a broken cluster of more blocks: its full search takes too many states */
    if (m->blocks > 1 && !m->reduce) { /* the full search: one warp a block, for all of its warps */
        m->warps = 1;
        m->weight = 4 * t->consumers;
    }
    /* The producer's positions. */
    tg_hring p = ops->ring_start();
    for (int g = 0; g < m->loads; g++) {
        if (p.stage < 0 || p.stage >= t->stages) {
            tg_rm_fail(m, "the producer's ring position for load %d is stage %d, outside the ring", g,
                       p.stage);
            goto out;
        }
        m->pstage[g] = p.stage;
        m->pparity[g] = ops->empty_parity(p) & 1;
        p = ops->ring_next(t, p);
    }
    /* A consumer warp's program. */
    int cstage[RM_MAX_LOADS]; /* the stage it reads K step g from */
    tg_hring c = ops->ring_start(), held = c;
    int a = 0;
    for (int j = 0; j < tiles; j++) {
        for (int kt = 0; kt < k_tiles; kt++) {
            const int g = j * k_tiles + kt;
            if (c.stage < 0 || c.stage >= t->stages) {
                tg_rm_fail(m, "the consumers' ring position for K step %d is stage %d, outside the "
                           "ring", g, c.stage);
                goto out;
            }
            cstage[g] = c.stage;
            m->is_wait[a] = 1;
            m->aload[a] = (uint8_t)g;
            m->astage[a] = (uint8_t)c.stage;
            m->aparity[a++] = (uint8_t)(ops->full_parity(c) & 1);
            if (!t->mma_lag) { /* wgmma.wait_group 0: this step's stage goes back */
                m->is_wait[a] = 0;
                m->aload[a] = (uint8_t)g;
                m->astage[a++] = (uint8_t)c.stage;
            } else {
                if (kt > 0) { /* wgmma.wait_group 1: the previous step's stage goes back */
                    m->is_wait[a] = 0;
                    m->aload[a] = (uint8_t)(g - 1);
                    m->astage[a++] = (uint8_t)held.stage;
                }
                held = c;
            }
            c = ops->ring_next(t, c);
        }
        if (t->mma_lag) { /* wgmma.wait_group 0 after the tile: the last stage goes back */
            m->is_wait[a] = 0;
            m->aload[a] = (uint8_t)(j * k_tiles + k_tiles - 1);
            m->astage[a++] = (uint8_t)held.stage;
        }
    }
    m->actions = a;
    for (int pc = 0; pc < a; pc++) {
        m->waited[pc + 1] = (uint8_t)(m->waited[pc] + m->is_wait[pc]);
        m->released[pc + 1] = (uint8_t)(m->released[pc] + !m->is_wait[pc]);
    }
    for (int g = 0; g < m->loads; g++) {
        m->prev[g] = -1;
        for (int h = 0; h < g; h++) {
            if (cstage[h] == m->pstage[g])
                m->prev[g] = h;
            m->trip[g] += m->pstage[h] == m->pstage[g];
        }
    }
    tg_rm_search(m);
    if (m->too_big)
        tg_rm_fail(m, "the state space exceeds %d states: not explored to the end", RM_MAX_STATES);
out:
    if (stats) {
        stats->states = (int64_t)m->count;
        stats->finished = m->finished;
        stats->deadlocks = m->deadlocks;
    }
    const int failures = m->failures;
    free(m->keys);
    free(m->stack);
    free(m);
    return failures;
}

/*
 * Consumer warps modelled per block: without a cluster all 4 of one
 * consumer warpgroup, 2 of each of two (every interleaving, no reduction:
 * more would not fit the time); in a cluster, whose search is reduced,
 * every one of them.
 */
int tg_hv_model_warps(const tg_htile *t)
{
    return TG_H_CLUSTER(t->cluster_m, t->cluster_n) > 1 ? 4 * t->consumers : 4;
}

void tg_hv_ring_range(const tg_htile *t, int *max_k, int *max_tiles)
{
    /* Persistent: 3 tiles of K loops long enough that the ring wraps (STAGES + 2 loads at least). */
    const int wrap_k = (t->stages + 2 + 2) / 3;
    *max_k = t->persistent ? (wrap_k > 5 ? wrap_k : 5) : (t->stages + 2 > 5 ? t->stages + 2 : 5);
    *max_tiles = t->persistent ? 3 : 1;
}

/*
 * Rings deeper than this are searched with the partial-order reduction
 * (verify_search.c rm_ample, the cluster search's) even for one block:
 * every interleaving of 4 warps and up to STAGES loads landing in any
 * order, over STAGES + 2 K tiles, passes the state cap (sw16, 20 stages:
 * over 2^22 states at 15 K tiles). Up to it, every interleaving; where both
 * searches finish they give the same verdicts, for the real ring functions
 * and broken ones (tests/test_hopper_verify.c ring_model_block).
 */
enum { RM_FULL_SEARCH_STAGES = 8 };
int tg_hv_ring_reduced(const tg_htile *t) { return t->stages > RM_FULL_SEARCH_STAGES; }

/*
 * Each block's ring with its consumer warps interleaving (a block of a
 * cluster as if alone: its own loads, its own hand-backs), then with a
 * cluster every block of it, one warp each (tg_hv_model_warps).
 */
void tg_hv_check_ring_ws(const tg_htile *t, const tg_hplan_ops *ops, report *r)
{
    tg_htile one = *t;
    one.cluster_m = one.cluster_n = 1;
    int max_k, max_tiles;
    tg_hv_ring_range(&one, &max_k, &max_tiles);
    const int reduce = tg_hv_ring_reduced(t);
    for (int tiles = 1; tiles <= max_tiles; tiles++)
        for (int k = 1; k <= max_k; k++)
            if (rm_run(&one, ops, k, tiles, tg_hv_model_warps(&one), reduce, NULL, r))
                return; /* the first failing case says enough */
    if (TG_H_CLUSTER(t->cluster_m, t->cluster_n) == 1)
        return;
    /* The ring's first wrap first: there a cluster that breaks rm_cluster's rules fails too.
     * Also where STAGES >= TG_HV_CLUSTER_K, whose ring the loop below would never wrap. */
    const int wrap = t->stages + 1;
    if (rm_run(t, ops, wrap, 1, tg_hv_model_warps(t), 1, NULL, r))
        return;
    for (int tiles = 1; tiles <= TG_HV_CLUSTER_TILES; tiles++)
        for (int k = 1; k <= TG_HV_CLUSTER_K; k++)
            if (!(tiles == 1 && k == wrap) && rm_run(t, ops, k, tiles, tg_hv_model_warps(t), 1, NULL, r))
                return; /* (the wrap's case ran above) */
}

/* ------------------------------------------------------------------------
 * Entry point
 * ---------------------------------------------------------------------- */

tg_status tg_hopper_ring_model(const int *params, const tg_hplan_ops *ops, int k_tiles, int tiles,
                               int warps, int reduce, tg_hring_stats *stats, char *buf, size_t len)
{
    if (buf && len)
        buf[0] = '\0';
    if (!params || !ops)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "tg_hopper_ring_model: params and ops must not be NULL");
    const tg_htile t = tg_htile_from_params(params);
    if (t.stages < 1 || t.stages > RM_MAX_STAGES || t.consumers < 1 || t.consumers > 2 || warps < 1 ||
        warps > RM_MAX_WARPS || 4 * t.consumers % warps || k_tiles < 1 || tiles < 1 ||
        k_tiles * tiles > RM_MAX_LOADS || t.cluster_m < 1 || t.cluster_n < 1 ||
        TG_H_CLUSTER(t.cluster_m, t.cluster_n) > RM_MAX_BLOCKS)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "tg_hopper_ring_model: the model holds 1..%d stages, "
                       "1..2 consumers, modelled warps a divisor of their 4·CONSUMERS up to %d, up to "
                       "%d K steps and clusters of up to %d blocks (got STAGES=%d, CONSUMERS=%d, %d "
                       "warps, %d x %d, cluster %d x %d)", RM_MAX_STAGES, RM_MAX_WARPS, RM_MAX_LOADS,
                       RM_MAX_BLOCKS, t.stages, t.consumers, warps, k_tiles, tiles, t.cluster_m,
                       t.cluster_n);
    report r = tg_hv_report(buf, len);
    rm_run(&t, ops, k_tiles, tiles, warps, reduce, stats, &r);
    if (r.failures)
        return TG_FAIL(TG_ERR_INVALID_CONFIG, "hopper ring model: %d failure(s)", r.failures);
    return TG_SUCCESS;
}
