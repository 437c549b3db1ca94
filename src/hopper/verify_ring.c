/*
 * verify_ring.c — the hopper verifier's ring check: for PRODUCER=0 the
 * stage and parity schedule of the K loop, for PRODUCER=1 a model checker
 * over every interleaving of the producer, the consumer warps and the TMA
 * loads' landing (and tg_hopper_ring_model, one case of it on its own).
 * What the check claims: verify.c's opening comment.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hopper/verify_check.h"

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
    tg_hv_fail(r, CK_RING, "%d K tiles: tile %d is given stage %d, outside the ring of %d", tiles, kt, s,
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
        tg_hv_fail(r, CK_RING, "%d K tiles: tile %d overwrites tile %d in stage %d before it was read",
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
                tg_hv_fail(r, CK_RING, "%d K tiles: iteration %d's wait on stage %d (parity %u) returns "
                           "before its load has landed (%d phases completed)", tiles, kt, s, parity,
                           in_flight);
            else if ((uint32_t)(landed & 1) == parity)
                tg_hv_fail(r, CK_RING, "%d K tiles: iteration %d waits forever on stage %d (parity %u, "
                           "%d phases completed)", tiles, kt, s, parity, landed);
            else if (x->holds != kt)
                tg_hv_fail(r, CK_RING, "%d K tiles: iteration %d reads stage %d, which holds tile %d",
                           tiles, kt, s, x->holds);
            x->consumed = 1;
            const int next = ops->refill(t, kt);
            if (next < tiles)
                ok = ring_load(t, ops, st, tiles, next, r);
        }
    }
}

/* ------------------------------------------------------------------------
 * ring, PRODUCER=1: a model checker over the kernel's warp specialization.
 *
 * Actors, each a small state machine running the kernel's code with the
 * plan's ring functions:
 *   producer   for each K step g of the block (tiles x K tiles):
 *              wait empty[r.stage] with tg_hplan_empty_parity(r); then
 *              arrive.expect_tx on full[r.stage] and issue the A and B
 *              copies of load g; r = tg_hplan_ring_next(r);
 *   landing    an issued load lands later, as an event of its own: only
 *              then do the stage's bytes become load g's, and full[s]
 *              completes its phase (the arrival is in, the transaction
 *              count reaches 0; the A and B boxes are one event: the
 *              count completes only with both);
 *   consumer   each modelled warp: wait full[r.stage] with
 *   warps      tg_hplan_full_parity(r) (the wgmmas of step g then read the
 *              stage); MMA_LAG=0: then arrive on empty[] of step g
 *              (wgmma.wait_group 0); MMA_LAG=1: for K tile > 0 arrive on
 *              empty[] of step g-1 (wait_group 1), and after the last K
 *              tile of an output tile for it (wait_group 0).
 * Barriers: full expects 1 arrival + the bytes, empty one arrival per
 * modelled warp; E completed phases; try_wait.parity(x) returns iff
 * (E & 1) != x — so a waiter two phases behind is fooled, and the model
 * catches it by what the stage holds. A state is encoded in a few words;
 * every reachable one is visited once. The warps run the same code, so a
 * state keeps their positions sorted (warps are interchangeable).
 * ---------------------------------------------------------------------- */

enum {
    RM_MAX_STAGES = 8,
    RM_MAX_WARPS = 8,
    RM_MAX_LOADS = 30,         /* tiles x K tiles */
    RM_MAX_ACTIONS = 2 * RM_MAX_LOADS,
    RM_WORDS = 4,              /* 1 + 6 + 8·6 + 8·26 = 263 bits */
    RM_MAX_STATES = 1 << 22,
};

typedef struct rm_stage {
    uint8_t fe;      /* full: completed phases */
    uint8_t fpend;   /* full: 1 while the producer's arrival of this phase is still due */
    uint8_t copy;    /* the latest load's bytes are still in flight */
    int8_t flight;   /* the latest load issued into the stage; -1 before any */
    int8_t holds;    /* the load whose bytes the stage holds; -1 before any */
    uint8_t ee;      /* empty: completed phases */
    uint8_t epend;   /* empty: arrivals still due in this phase */
} rm_stage;

typedef struct rm_state {
    uint8_t prod;                /* 2g: to wait for load g's stage; 2g+1: to issue load g */
    uint8_t warp[RM_MAX_WARPS];  /* each consumer warp's next action, ascending */
    rm_stage st[RM_MAX_STAGES];
} rm_state;

typedef struct rm_model {
    int stages, warps, k_tiles, tiles, loads, actions;
    int pstage[RM_MAX_LOADS];           /* producer: stage of load g */
    uint32_t pparity[RM_MAX_LOADS];     /* producer: empty parity waited on before load g */
    uint8_t is_wait[RM_MAX_ACTIONS];    /* consumer action: 1 wait full, 0 arrive empty */
    uint8_t aload[RM_MAX_ACTIONS];      /* its K step */
    uint8_t astage[RM_MAX_ACTIONS];
    uint8_t aparity[RM_MAX_ACTIONS];
    int8_t held[RM_MAX_ACTIONS + 1][2]; /* K steps a warp before action pc still reads, -1 none */
    int cstage[RM_MAX_LOADS];           /* consumer: stage of K step g */
    report *r;
    int failures;
    char last[400]; /* the last failure described: the same one from another state is counted */
    /* the visited set: open addressing over RM_WORDS-word keys, word 0 bit 0 = occupied */
    uint64_t *keys;
    size_t cap, count;
    rm_state *stack;
    size_t depth, stack_cap;
    int64_t finished;
    int deadlocks;
    int too_big;
} rm_model;

static void rm_pack(const rm_model *m, const rm_state *x, uint64_t key[RM_WORDS])
{
    int bit = 1;
    memset(key, 0, sizeof(uint64_t) * RM_WORDS);
    key[0] = 1;
#define PUT_(v, nbits)                                                                  \
    do {                                                                                \
        uint64_t v_ = (uint64_t)(v) & ((1u << (nbits)) - 1);                            \
        key[bit / 64] |= v_ << (bit % 64);                                              \
        if (bit % 64 + (nbits) > 64)                                                    \
            key[bit / 64 + 1] |= v_ >> (64 - bit % 64);                                 \
        bit += (nbits);                                                                 \
    } while (0)
    PUT_(x->prod, 6);
    for (int w = 0; w < m->warps; w++)
        PUT_(x->warp[w], 6);
    for (int s = 0; s < m->stages; s++) {
        const rm_stage *y = &x->st[s];
        PUT_(y->fe, 5);
        PUT_(y->fpend, 1);
        PUT_(y->copy, 1);
        PUT_(y->flight + 1, 5);
        PUT_(y->holds + 1, 5);
        PUT_(y->ee, 5);
        PUT_(y->epend, 4);
    }
#undef PUT_
}

static size_t rm_hash(const uint64_t key[RM_WORDS])
{
    uint64_t h = 0x9E3779B97F4A7C15ULL;
    for (int i = 0; i < RM_WORDS; i++) {
        h ^= key[i];
        h *= 0xBF58476D1CE4E5B9ULL;
        h ^= h >> 31;
    }
    return (size_t)h;
}

/* 1 if the key was new (and is now in the set), 0 if seen, -1 out of memory. */
static int rm_insert(rm_model *m, const uint64_t key[RM_WORDS])
{
    if ((m->count + 1) * 2 > m->cap) {
        const size_t cap = m->cap ? m->cap * 2 : 1 << 12;
        uint64_t *keys = calloc(cap, sizeof(uint64_t) * RM_WORDS);
        if (!keys)
            return -1;
        for (size_t i = 0; i < m->cap; i++) {
            const uint64_t *k = m->keys + i * RM_WORDS;
            if (!k[0])
                continue;
            size_t j = rm_hash(k) & (cap - 1);
            while (keys[j * RM_WORDS])
                j = (j + 1) & (cap - 1);
            memcpy(keys + j * RM_WORDS, k, sizeof(uint64_t) * RM_WORDS);
        }
        free(m->keys);
        m->keys = keys;
        m->cap = cap;
    }
    size_t j = rm_hash(key) & (m->cap - 1);
    for (;; j = (j + 1) & (m->cap - 1)) {
        uint64_t *k = m->keys + j * RM_WORDS;
        if (!k[0]) {
            memcpy(k, key, sizeof(uint64_t) * RM_WORDS);
            m->count++;
            return 1;
        }
        if (!memcmp(k, key, sizeof(uint64_t) * RM_WORDS))
            return 0;
    }
}

static void rm_sort(rm_model *m, rm_state *x)
{
    for (int i = 1; i < m->warps; i++)
        for (int j = i; j > 0 && x->warp[j] < x->warp[j - 1]; j--) {
            const uint8_t v = x->warp[j];
            x->warp[j] = x->warp[j - 1];
            x->warp[j - 1] = v;
        }
}

/* Visit x unless seen: onto the stack. */
static void rm_push(rm_model *m, rm_state *x)
{
    if (m->too_big)
        return;
    rm_sort(m, x);
    uint64_t key[RM_WORDS];
    rm_pack(m, x, key);
    const int fresh = rm_insert(m, key);
    if (fresh < 0 || m->count > RM_MAX_STATES) {
        m->too_big = 1;
        return;
    }
    if (!fresh)
        return;
    if (m->depth == m->stack_cap) {
        const size_t cap = m->stack_cap ? m->stack_cap * 2 : 1024;
        rm_state *s = realloc(m->stack, cap * sizeof *s);
        if (!s) {
            m->too_big = 1;
            return;
        }
        m->stack = s;
        m->stack_cap = cap;
    }
    m->stack[m->depth++] = *x;
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void rm_fail(rm_model *m, const char *fmt, ...)
{
    char line[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    m->failures++;
    if (!strcmp(line, m->last)) {
        m->r->failures++;
        m->r->per[CK_RING]++;
        return;
    }
    memcpy(m->last, line, sizeof line);
    tg_hv_fail(m->r, CK_RING, "STAGES=%d, %d K tiles x %d tiles, %d consumer warps: %s", m->stages,
               m->k_tiles, m->tiles, m->warps, line);
}

/* Which consumer warp (if any) still reads stage s in x: the K step it reads, else -1. */
static int rm_reader(const rm_model *m, const rm_state *x, int s)
{
    for (int w = 0; w < m->warps; w++)
        for (int h = 0; h < 2; h++) {
            const int g = m->held[x->warp[w]][h];
            if (g >= 0 && m->cstage[g] == s)
                return g;
        }
    return -1;
}

static void rm_describe_blocked(const rm_model *m, const rm_state *x, char *buf, size_t len)
{
    size_t used = 0;
    int n;
    if (x->prod < 2 * m->loads) {
        const int g = x->prod / 2, s = m->pstage[g];
        n = snprintf(buf, len, "the producer waits on empty[%d] with parity %u before load %d (%d "
                     "phases completed)", s, m->pparity[g], g, x->st[s].ee);
        used = n > 0 ? (size_t)n : 0;
    }
    for (int w = 0; w < m->warps && used < len; w++) {
        const int pc = x->warp[w];
        if (w > 0 && pc == x->warp[w - 1])
            continue;
        if (pc >= m->actions || !m->is_wait[pc])
            continue;
        const int s = m->astage[pc];
        n = snprintf(buf + used, len - used, "%sconsumer warps wait on full[%d] with parity %u for "
                     "K step %d (%d phases completed)", used ? "; " : "", s, m->aparity[pc],
                     m->aload[pc], x->st[s].fe);
        used += n > 0 ? (size_t)n : 0;
    }
}

static void rm_explore(rm_model *m)
{
    rm_state x;
    memset(&x, 0, sizeof x);
    for (int s = 0; s < m->stages; s++) {
        x.st[s].fpend = 1;
        x.st[s].flight = x.st[s].holds = -1;
        x.st[s].epend = (uint8_t)m->warps;
    }
    rm_push(m, &x);
    while (m->depth && !m->too_big) {
        x = m->stack[--m->depth];
        int moves = 0;
        rm_state y;
        /* The producer. */
        if (x.prod < 2 * m->loads) {
            const int g = x.prod / 2, s = m->pstage[g];
            rm_stage *st = &x.st[s];
            if (x.prod % 2 == 0) {
                if ((st->ee & 1) != m->pparity[g]) {
                    moves++;
                    y = x;
                    y.prod++;
                    rm_push(m, &y);
                }
            } else {
                moves++;
                const int reader = rm_reader(m, &x, s);
                if (reader >= 0)
                    rm_fail(m, "the producer issues load %d into stage %d while a consumer warp "
                            "still reads K step %d there (not handed back)", g, s, reader);
                else if (st->copy)
                    rm_fail(m, "the producer issues load %d into stage %d before load %d landed",
                            g, s, st->flight);
                else if (!st->fpend)
                    rm_fail(m, "the producer arrives on full[%d] twice in one phase (load %d)", s, g);
                else {
                    y = x;
                    y.st[s].fpend = 0;
                    y.st[s].copy = 1;
                    y.st[s].flight = (int8_t)g;
                    y.prod++;
                    rm_push(m, &y);
                }
            }
        }
        /* The loads in flight land (the A and B boxes of one load as one event: the full
         * barrier's transaction count completes only with both). */
        for (int s = 0; s < m->stages; s++) {
            if (!x.st[s].copy)
                continue;
            moves++;
            y = x;
            rm_stage *st = &y.st[s];
            st->copy = 0;
            st->holds = st->flight;
            if (!st->fpend) {
                st->fe++;
                st->fpend = 1;
            }
            rm_push(m, &y);
        }
        /* The consumer warps (warps at the same position make the same move). */
        for (int w = 0; w < m->warps; w++) {
            const int pc = x.warp[w];
            if (pc >= m->actions || (w > 0 && pc == x.warp[w - 1]))
                continue;
            const int s = m->astage[pc], g = m->aload[pc];
            rm_stage *st = &x.st[s];
            if (m->is_wait[pc]) {
                if ((st->fe & 1) == m->aparity[pc])
                    continue; /* blocked */
                moves++;
                if (st->holds != g || st->copy) {
                    rm_fail(m, "a consumer warp's wait on full[%d] (parity %u, %d phases completed) "
                            "returns for K step %d while the stage holds load %d%s", s,
                            m->aparity[pc], st->fe, g, st->holds,
                            st->copy ? ", another still in flight" : "");
                    continue;
                }
                y = x;
                y.warp[w]++;
                rm_push(m, &y);
            } else {
                moves++;
                y = x;
                if (--y.st[s].epend == 0) {
                    y.st[s].ee++;
                    y.st[s].epend = (uint8_t)m->warps;
                }
                y.warp[w]++;
                rm_push(m, &y);
            }
        }
        if (moves)
            continue;
        int done = x.prod == 2 * m->loads;
        for (int w = 0; w < m->warps; w++)
            done &= x.warp[w] == m->actions;
        if (done) {
            m->finished++;
            continue;
        }
        m->deadlocks++;
        if (m->deadlocks == 1) {
            char why[320];
            rm_describe_blocked(m, &x, why, sizeof why);
            rm_fail(m, "deadlock: %s", why);
        } else {
            m->failures++;
            m->r->failures++;
            m->r->per[CK_RING]++;
        }
    }
}

/* One case of the model; its failures go to r. Returns the failures. */
static int rm_run(const tg_htile *t, const tg_hplan_ops *ops, int k_tiles, int tiles,
                  int warps_per_consumer, tg_hring_stats *stats, report *r)
{
    rm_model *m = calloc(1, sizeof *m);
    if (!m) {
        tg_hv_fail(r, CK_RING, "out of memory");
        return 1;
    }
    m->r = r;
    m->stages = t->stages;
    m->warps = t->consumers * warps_per_consumer;
    m->k_tiles = k_tiles;
    m->tiles = tiles;
    m->loads = k_tiles * tiles;
    /* The producer's positions. */
    tg_hring p = ops->ring_start();
    for (int g = 0; g < m->loads; g++) {
        if (p.stage < 0 || p.stage >= t->stages) {
            rm_fail(m, "the producer's ring position for load %d is stage %d, outside the ring", g,
                    p.stage);
            goto out;
        }
        m->pstage[g] = p.stage;
        m->pparity[g] = ops->empty_parity(p) & 1;
        p = ops->ring_next(t, p);
    }
    /* A consumer warp's program. */
    tg_hring c = ops->ring_start(), held = c;
    int a = 0;
    for (int j = 0; j < tiles; j++) {
        for (int kt = 0; kt < k_tiles; kt++) {
            const int g = j * k_tiles + kt;
            if (c.stage < 0 || c.stage >= t->stages) {
                rm_fail(m, "the consumers' ring position for K step %d is stage %d, outside the "
                        "ring", g, c.stage);
                goto out;
            }
            m->cstage[g] = c.stage;
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
    int8_t now[2] = {-1, -1};
    for (int pc = 0; pc <= a; pc++) {
        m->held[pc][0] = now[0];
        m->held[pc][1] = now[1];
        if (pc == a)
            break;
        const int g = m->aload[pc];
        if (m->is_wait[pc])
            now[now[0] < 0 ? 0 : 1] = (int8_t)g;
        else
            for (int h = 0; h < 2; h++)
                if (now[h] == g)
                    now[h] = -1;
    }
    rm_explore(m);
    if (m->too_big)
        rm_fail(m, "the state space exceeds %d states: not explored to the end", RM_MAX_STATES);
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

int tg_hv_model_warps(const tg_htile *t) { return t->consumers == 1 ? 4 : 2; }

void tg_hv_check_ring_ws(const tg_htile *t, const tg_hplan_ops *ops, report *r)
{
    const int max_tiles = t->persistent ? 3 : 1;
    const int max_k = t->persistent ? 5 : (t->stages + 2 > 5 ? t->stages + 2 : 5);
    for (int tiles = 1; tiles <= max_tiles; tiles++)
        for (int k = 1; k <= max_k; k++)
            if (rm_run(t, ops, k, tiles, tg_hv_model_warps(t), NULL, r))
                return; /* the first failing case says enough */
}

/* ------------------------------------------------------------------------
 * Entry point
 * ---------------------------------------------------------------------- */

tg_status tg_hopper_ring_model(const int *params, const tg_hplan_ops *ops, int k_tiles, int tiles,
                               int warps_per_consumer, tg_hring_stats *stats, char *buf, size_t len)
{
    if (buf && len)
        buf[0] = '\0';
    if (!params || !ops)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "tg_hopper_ring_model: params and ops must not be NULL");
    const tg_htile t = tg_htile_from_params(params);
    if (t.stages < 1 || t.stages > RM_MAX_STAGES || t.consumers < 1 || t.consumers > 2 ||
        warps_per_consumer < 1 || warps_per_consumer > 4 || k_tiles < 1 || tiles < 1 ||
        k_tiles * tiles > RM_MAX_LOADS)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "tg_hopper_ring_model: the model holds 1..%d stages, "
                       "1..2 consumers of 1..4 warps and up to %d K steps (got STAGES=%d, "
                       "CONSUMERS=%d, %d warps, %d x %d)", RM_MAX_STAGES, RM_MAX_LOADS, t.stages,
                       t.consumers, warps_per_consumer, k_tiles, tiles);
    report r = {tg_text_init(buf, len), 0, {0}};
    rm_run(&t, ops, k_tiles, tiles, warps_per_consumer, stats, &r);
    if (r.failures)
        return TG_FAIL(TG_ERR_INVALID_CONFIG, "hopper ring model: %d failure(s)", r.failures);
    return TG_SUCCESS;
}
