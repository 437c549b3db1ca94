/*
 * verify_search.c — the hopper verifier's ring model searched: every state
 * the producers, the consumer warps and the TMA copies' landings reach,
 * encoded in a few words and visited once, each move checked as it is
 * made; a cluster's search with a partial-order reduction (rm_ample). The
 * model and what it checks: verify_ring.c's comment on PRODUCER=1.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hopper/verify_ring.h"

/* ------------------------------------------------------------------------
 * States, encoded; the visited set
 * ---------------------------------------------------------------------- */

/* Bits of a state's key: each block's actors and barriers, each part a source fills. */
static int rm_bits(const rm_model *m)
{
    int parts = 0;
    for (int p = 0; p < m->blocks; p++)
        for (int b = 0; b < m->blocks; b++)
            parts += m->units[p][b] > 0;
    return 1 + m->blocks * 6 * (1 + m->warps) + m->blocks * m->stages * 27 + parts * m->stages * 10;
}

static void rm_pack(const rm_model *m, const rm_state *x, uint64_t *key)
{
    int bit = 1;
    memset(key, 0, sizeof(uint64_t) * (size_t)m->words);
    key[0] = 1;
#define PUT_(v, nbits)                                                                  \
    do {                                                                                \
        uint64_t v_ = (uint64_t)(v) & ((1u << (nbits)) - 1);                            \
        key[bit / 64] |= v_ << (bit % 64);                                              \
        if (bit % 64 + (nbits) > 64)                                                    \
            key[bit / 64 + 1] |= v_ >> (64 - bit % 64);                                 \
        bit += (nbits);                                                                 \
    } while (0)
    for (int b = 0; b < m->blocks; b++) {
        PUT_(x->prod[b], 6);
        for (int w = 0; w < m->warps; w++)
            PUT_(x->warp[b][w], 6);
        for (int s = 0; s < m->stages; s++) {
            const rm_stage *y = &x->st[b][s];
            PUT_(y->fe, 5);
            PUT_(y->fpend, 1);
            PUT_(y->tx + RM_TX_BIAS, 9);
            PUT_(y->ee, 5);
            PUT_(y->epend, 7);
            for (int p = 0; p < m->blocks; p++)
                if (m->units[p][b]) {
                    PUT_(x->part[b][s][p].flight + 1, 5);
                    PUT_(x->part[b][s][p].holds + 1, 5);
                }
        }
    }
#undef PUT_
}

static size_t rm_hash(const uint64_t *key, int words)
{
    uint64_t h = 0x9E3779B97F4A7C15ULL;
    for (int i = 0; i < words; i++) {
        h ^= key[i];
        h *= 0xBF58476D1CE4E5B9ULL;
        h ^= h >> 31;
    }
    return (size_t)h;
}

/* 1 if the key was new (and is now in the set), 0 if seen, -1 out of memory. */
static int rm_insert(rm_model *m, const uint64_t *key)
{
    const size_t words = (size_t)m->words, bytes = sizeof(uint64_t) * words;
    if ((m->count + 1) * 2 > m->cap) {
        const size_t cap = m->cap ? m->cap * 2 : 1 << 12;
        uint64_t *keys = calloc(cap, bytes);
        if (!keys)
            return -1;
        for (size_t i = 0; i < m->cap; i++) {
            const uint64_t *k = m->keys + i * words;
            if (!k[0])
                continue;
            size_t j = rm_hash(k, m->words) & (cap - 1);
            while (keys[j * words])
                j = (j + 1) & (cap - 1);
            memcpy(keys + j * words, k, bytes);
        }
        free(m->keys);
        m->keys = keys;
        m->cap = cap;
    }
    size_t j = rm_hash(key, m->words) & (m->cap - 1);
    for (;; j = (j + 1) & (m->cap - 1)) {
        uint64_t *k = m->keys + j * words;
        if (!k[0]) {
            memcpy(k, key, bytes);
            m->count++;
            return 1;
        }
        if (!memcmp(k, key, bytes))
            return 0;
    }
}

static void rm_sort(rm_model *m, rm_state *x)
{
    for (int b = 0; b < m->blocks; b++)
        for (int i = 1; i < m->warps; i++)
            for (int j = i; j > 0 && x->warp[b][j] < x->warp[b][j - 1]; j--) {
                const uint8_t v = x->warp[b][j];
                x->warp[b][j] = x->warp[b][j - 1];
                x->warp[b][j - 1] = v;
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

/* ------------------------------------------------------------------------
 * The moves, each checked as it is made
 * ---------------------------------------------------------------------- */

void tg_rm_fail(rm_model *m, const char *fmt, ...)
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
    if (m->blocks > 1)
        tg_report_fail(m->r, CK_RING, "STAGES=%d, %d K tiles x %d tiles, a cluster of %d blocks, %d "
                       "consumer warp%s a block modelled: %s", m->stages, m->k_tiles, m->tiles, m->blocks,
                       m->warps, m->warps > 1 ? "s" : "", line);
    else
        tg_report_fail(m->r, CK_RING, "STAGES=%d, %d K tiles x %d tiles, %d consumer warps: %s", m->stages,
                       m->k_tiles, m->tiles, m->warps, line);
}

/* "the " or "block 1's ": whose producer, barrier or warp a message names. */
const char *tg_rm_whose(const rm_model *m, int b, char buf[24])
{
    if (m->blocks == 1)
        return "the ";
    snprintf(buf, 24, "block %d's ", b);
    return buf;
}

/* A full barrier whose arrival is in and whose bytes all landed completes its phase. */
static void rm_full_done(rm_stage *st)
{
    if (!st->fpend && st->tx == 0) {
        st->fe = (uint8_t)((st->fe + 1) & 31);
        st->fpend = 1;
    }
}

static int rm_tx_ok(rm_model *m, const rm_stage *st, int b, int s)
{
    if (st->tx >= -RM_TX_BIAS && st->tx < RM_TX_BIAS)
        return 1;
    char who[24];
    tg_rm_fail(m, "%sfull[%d] transaction count reaches %d bytes: far more bytes land than are expected "
               "(or the reverse)", tg_rm_whose(m, b, who), s, st->tx * m->unit_rows * TG_H_SWIZZLE_BYTES);
    return 0;
}

/*
 * The first consumer warp of block d that has not handed back the K step
 * load g's stage held before (a copy of load g must not land there yet),
 * or -1.
 */
static int rm_unreleased(const rm_model *m, const rm_state *x, int d, int g)
{
    for (int w = 0; m->prev[g] >= 0 && w < m->warps; w++)
        if (m->released[x->warp[d][w]] <= m->prev[g])
            return w;
    return -1;
}

/* What an unreleased warp w of block d (rm_unreleased) does with the K step before load g. */
static void rm_still(const rm_model *m, const rm_state *x, int d, int w, int g, char *buf, size_t len)
{
    if (m->waited[x->warp[d][w]] > m->prev[g])
        snprintf(buf, len, "still reads K step %d there (not handed back)", m->prev[g]);
    else
        snprintf(buf, len, "has yet to read K step %d there", m->prev[g]);
}

/*
 * Producer b issues load g: arrive.expect_tx on its own full barrier, its
 * copies in flight. A copy may land at once, so every destination's
 * consumer warps must have handed back what the stage held before.
 */
static void rm_issue(rm_model *m, const rm_state *x, int b)
{
    const int g = x->prod[b] / 2, s = m->pstage[g];
    char who[24], whom[24];
    for (int d = 0; d < m->blocks; d++) {
        const int w = m->units[b][d] ? rm_unreleased(m, x, d, g) : -1;
        if (w < 0)
            continue;
        char still[64];
        rm_still(m, x, d, w, g, still, sizeof still);
        if (m->blocks > 1)
            tg_rm_fail(m, "%sproducer issues load %d into %sstage %d while a consumer warp of block %d %s",
                       tg_rm_whose(m, b, who), g, tg_rm_whose(m, d, whom), s, d, still);
        else
            tg_rm_fail(m, "the producer issues load %d into stage %d while a consumer warp %s", g, s, still);
        return;
    }
    if (!x->st[b][s].fpend) {
        tg_rm_fail(m, "%sproducer arrives on full[%d] twice in one phase (load %d)", tg_rm_whose(m, b, who),
                   s, g);
        return;
    }
    for (int d = 0; d < m->blocks; d++)
        if (m->units[b][d] && x->part[d][s][b].flight >= 0) {
            tg_rm_fail(m, "%sproducer issues load %d into %sstage %d before its load %d landed there",
                       tg_rm_whose(m, b, who), g, m->blocks > 1 ? tg_rm_whose(m, d, whom) : "", s,
                       x->part[d][s][b].flight);
            return;
        }
    rm_state y = *x;
    y.st[b][s].tx = (int16_t)(y.st[b][s].tx + m->stage_units);
    y.st[b][s].fpend = 0;
    rm_full_done(&y.st[b][s]);
    for (int d = 0; d < m->blocks; d++)
        if (m->units[b][d])
            y.part[d][s][b].flight = (int8_t)g;
    y.prod[b]++;
    if (rm_tx_ok(m, &y.st[b][s], b, s))
        rm_push(m, &y);
}

/*
 * Source p's copy of load g lands in block d's stage s: in the phase of its
 * trip (the stage's previous load completed there), after every consumer
 * warp of d handed back what the stage held before.
 */
static void rm_land(rm_model *m, const rm_state *x, int d, int s, int p)
{
    const int g = x->part[d][s][p].flight;
    char who[24], whom[24];
    const int w = rm_unreleased(m, x, d, g);
    if (w >= 0 || x->st[d][s].fe != (m->trip[g] & 31)) {
        char why[96], still[64];
        if (w >= 0) {
            rm_still(m, x, d, w, g, still, sizeof still);
            snprintf(why, sizeof why, "a consumer warp %s", still);
        } else
            snprintf(why, sizeof why, "its full barrier is in phase %d, not in load %d's (%d)",
                     x->st[d][s].fe, g, m->trip[g] & 31);
        if (m->blocks > 1)
            tg_rm_fail(m, "%sload %d lands in %sstage %d while %s", tg_rm_whose(m, p, who), g,
                       tg_rm_whose(m, d, whom), s, why);
        else
            tg_rm_fail(m, "load %d lands in stage %d while %s", g, s, why);
        return;
    }
    rm_state y = *x;
    rm_part *part = &y.part[d][s][p];
    part->holds = part->flight;
    part->flight = -1;
    y.st[d][s].tx = (int16_t)(y.st[d][s].tx - m->units[p][d]);
    rm_full_done(&y.st[d][s]);
    if (rm_tx_ok(m, &y.st[d][s], d, s))
        rm_push(m, &y);
}

/*
 * A consumer warp of block b whose wait (action pc) returned: the stage
 * must hold load g from every block that fills it, nothing in flight.
 * The first source that does not (bad), and one still in flight (flying).
 */
static int rm_filled(const rm_model *m, const rm_state *x, int b, int pc, int *bad, int *flying)
{
    const int s = m->astage[pc], g = m->aload[pc];
    *bad = *flying = -1;
    for (int p = 0; p < m->blocks; p++) {
        if (!m->units[p][b])
            continue;
        if (*bad < 0 && x->part[b][s][p].holds != g)
            *bad = p;
        if (*flying < 0 && x->part[b][s][p].flight >= 0)
            *flying = p;
    }
    return *bad < 0 && *flying < 0;
}

/* A consumer warp w of block b: its wait returns, or it hands a stage back. */
static void rm_consume(rm_model *m, const rm_state *x, int b, int w)
{
    const int pc = x->warp[b][w], s = m->astage[pc], g = m->aload[pc];
    char who[24];
    if (m->is_wait[pc]) {
        int bad, flying;
        if (!rm_filled(m, x, b, pc, &bad, &flying)) {
            char from[32] = "";
            const int q = bad >= 0 ? bad : flying;
            if (m->blocks > 1)
                snprintf(from, sizeof from, " from block %d", q);
            if (bad >= 0)
                tg_rm_fail(m, "%sconsumer warp's wait on full[%d] (parity %u, %d phases completed) returns "
                           "for K step %d while the stage holds load %d%s%s", tg_rm_whose(m, b, who), s,
                           m->aparity[pc], x->st[b][s].fe, g, x->part[b][s][bad].holds, from,
                           flying >= 0 ? ", another still in flight" : "");
            else
                tg_rm_fail(m, "%sconsumer warp's wait on full[%d] (parity %u, %d phases completed) returns "
                           "for K step %d while bytes of load %d%s are still in flight",
                           tg_rm_whose(m, b, who), s, m->aparity[pc], x->st[b][s].fe, g,
                           x->part[b][s][flying].flight, from);
            return;
        }
        rm_state y = *x;
        y.warp[b][w]++;
        rm_push(m, &y);
        return;
    }
    rm_state y = *x;
    for (int d = 0; d < m->blocks; d++) {
        if (!(m->release[b] >> d & 1))
            continue;
        rm_stage *st = &y.st[d][s];
        for (int i = 0; i < m->weight; i++)
            if (--st->epend == 0) {
                st->ee = (uint8_t)((st->ee + 1) & 31);
                st->epend = (uint8_t)m->empty_count;
            }
    }
    y.warp[b][w]++;
    rm_push(m, &y);
}

static void rm_describe_blocked(const rm_model *m, const rm_state *x, char *buf, size_t len)
{
    size_t used = 0;
    int n;
    char who[24];
    for (int b = 0; b < m->blocks && used < len; b++) {
        if (x->prod[b] < 2 * m->loads) {
            const int g = x->prod[b] / 2, s = m->pstage[g];
            n = snprintf(buf + used, len - used, "%s%sproducer waits on empty[%d] with parity %u before "
                         "load %d (%d phases completed)", used ? "; " : "", tg_rm_whose(m, b, who), s,
                         m->pparity[g], g, x->st[b][s].ee);
            used += n > 0 ? (size_t)n : 0;
        }
        for (int w = 0; w < m->warps && used < len; w++) {
            const int pc = x->warp[b][w];
            if (w > 0 && pc == x->warp[b][w - 1])
                continue;
            if (pc >= m->actions || !m->is_wait[pc])
                continue;
            const int s = m->astage[pc];
            const rm_stage *st = &x->st[b][s];
            n = snprintf(buf + used, len - used, "%s%sconsumer warps wait on full[%d] with parity %u for "
                         "K step %d (%d phases completed; %s, %d bytes due)", used ? "; " : "",
                         tg_rm_whose(m, b, who), s, m->aparity[pc], m->aload[pc], st->fe,
                         st->fpend ? "its arrival due" : "its arrival in",
                         st->tx * m->unit_rows * TG_H_SWIZZLE_BYTES);
            used += n > 0 ? (size_t)n : 0;
        }
    }
}

/* ------------------------------------------------------------------------
 * The reduction, and the search
 * ---------------------------------------------------------------------- */

/* Whether some move of x would fail (a state with one is searched in full: the failure shows). */
static int rm_any_fails(const rm_model *m, const rm_state *x)
{
    for (int b = 0; b < m->blocks; b++) {
        const int pr = x->prod[b];
        if (pr < 2 * m->loads && pr % 2 == 1) {
            const int g = pr / 2, s = m->pstage[g];
            if (!x->st[b][s].fpend || x->st[b][s].tx + m->stage_units >= RM_TX_BIAS)
                return 1;
            for (int d = 0; d < m->blocks; d++)
                if (m->units[b][d] && (x->part[d][s][b].flight >= 0 || rm_unreleased(m, x, d, g) >= 0))
                    return 1;
        }
        for (int w = 0; w < m->warps; w++) {
            const int pc = x->warp[b][w];
            int bad, flying;
            if (pc < m->actions && m->is_wait[pc] &&
                (x->st[b][m->astage[pc]].fe & 1) != m->aparity[pc] &&
                !rm_filled(m, x, b, pc, &bad, &flying))
                return 1;
        }
        for (int s = 0; s < m->stages; s++)
            for (int p = 0; p < m->blocks; p++) {
                const int g = x->part[b][s][p].flight;
                if (m->units[p][b] && g >= 0 &&
                    (rm_unreleased(m, x, b, g) >= 0 || x->st[b][s].fe != (m->trip[g] & 31) ||
                     x->st[b][s].tx - m->units[p][b] < -RM_TX_BIAS))
                    return 1;
            }
    }
    return 0;
}

/*
 * The partial-order reduction (clusters, and one block's deep ring). In a state where some move
 * can neither be disabled nor change its effect through anything another
 * actor does before it, that move alone is explored: every interleaving
 * of the others is then explored after it, and reaches the same states.
 * It holds for the cluster as the plan states it — each full barrier gets
 * exactly its stage's bytes a phase, each block hands its stages back to
 * exactly the blocks that fill them, each empty barrier expects exactly
 * their warps (rm_cluster checks all three; else nothing is reduced) —
 * since then a stage's next trip (loads, landings, waits, hand-backs)
 * cannot begin before every block that shares it finished the trip before.
 * Along paths without a failure, then:
 *   - a producer's empty wait that returns: only the producer reads its
 *     position, and the barrier's next phase needs the next trip;
 *   - a producer's load, its own stage among its destinations: the phase
 *     it arrives on cannot complete before its copy to itself lands, so
 *     its arrival and the others' landings only count bytes, in either
 *     order, and no consumer reads the stage before it;
 *   - a consumer warp's full wait that returns: the stage changes only
 *     with the next trip, after this warp hands it back;
 *   - a hand-back: arrivals of one phase only count down, whichever is
 *     last completes it, and the producer's wait it may release reads
 *     nothing else;
 *   - a landing: the phase completes at the last of its landings and its
 *     arrival, in any order, and what that enables (consumer waits on the
 *     stage) cannot happen before it.
 * A state in which some move would fail is searched in full, so that
 * failure is met. The argument takes ring functions that give every stage
 * consistent trips; with broken ones it need not hold, and the reduced
 * search is known to fail where the full one does only on the cases the
 * tests compare (tests/test_hopper_verify.c: clusters of 1 x 2 and 2 x 2,
 * the real and broken ring functions, small enough for the full search:
 * the same verdicts; a search stops at its first failure, which may
 * differ).
 */
static int rm_ample(rm_model *m, const rm_state *x)
{
    if (rm_any_fails(m, x))
        return 0;
    for (int b = 0; b < m->blocks; b++) {
        const int pr = x->prod[b], g = pr / 2, s = pr < 2 * m->loads ? m->pstage[g] : 0;
        if (pr < 2 * m->loads && pr % 2 == 0 && (x->st[b][s].ee & 1) != m->pparity[g]) {
            rm_state y = *x;
            y.prod[b]++;
            rm_push(m, &y);
            return 1;
        }
        if (pr < 2 * m->loads && pr % 2 == 1 && m->units[b][b]) {
            rm_issue(m, x, b);
            return 1;
        }
        for (int w = 0; w < m->warps; w++) {
            const int pc = x->warp[b][w];
            if (pc >= m->actions || (w > 0 && pc == x->warp[b][w - 1]))
                continue;
            if (!m->is_wait[pc] || (x->st[b][m->astage[pc]].fe & 1) != m->aparity[pc]) {
                rm_consume(m, x, b, w);
                return 1;
            }
        }
        for (int st = 0; st < m->stages; st++)
            for (int p = 0; p < m->blocks; p++)
                if (m->units[p][b] && x->part[b][st][p].flight >= 0) {
                    rm_land(m, x, b, st, p);
                    return 1;
                }
    }
    return 0;
}

void tg_rm_search(rm_model *m)
{
    m->words = (rm_bits(m) + 63) / 64;
    if (m->words > RM_WORDS) {
        tg_rm_fail(m, "a state needs %d words, more than the model's %d", m->words, RM_WORDS);
        return;
    }
    rm_state x;
    memset(&x, 0, sizeof x);
    for (int b = 0; b < m->blocks; b++)
        for (int s = 0; s < m->stages; s++) {
            x.st[b][s].fpend = 1;
            x.st[b][s].epend = (uint8_t)m->empty_count;
            for (int p = 0; p < m->blocks; p++)
                x.part[b][s][p] = (rm_part){-1, -1};
        }
    rm_push(m, &x);
    const int before = m->failures; /* the search stops at its first failure */
    while (m->depth && !m->too_big && m->failures == before) {
        x = m->stack[--m->depth];
        if (m->reduce && rm_ample(m, &x))
            continue;
        int moves = 0;
        for (int b = 0; b < m->blocks; b++) {
            /* The producer. */
            if (x.prod[b] < 2 * m->loads) {
                const int g = x.prod[b] / 2, s = m->pstage[g];
                if (x.prod[b] % 2 == 1) {
                    moves++;
                    rm_issue(m, &x, b);
                } else if ((x.st[b][s].ee & 1) != m->pparity[g]) {
                    moves++;
                    rm_state y = x;
                    y.prod[b]++;
                    rm_push(m, &y);
                }
            }
            /* The copies in flight to this block land. */
            for (int s = 0; s < m->stages; s++)
                for (int p = 0; p < m->blocks; p++)
                    if (m->units[p][b] && x.part[b][s][p].flight >= 0) {
                        moves++;
                        rm_land(m, &x, b, s, p);
                    }
            /* The consumer warps (warps at the same position make the same move). */
            for (int w = 0; w < m->warps; w++) {
                const int pc = x.warp[b][w];
                if (pc >= m->actions || (w > 0 && pc == x.warp[b][w - 1]))
                    continue;
                if (m->is_wait[pc] && (x.st[b][m->astage[pc]].fe & 1) == m->aparity[pc])
                    continue; /* blocked */
                moves++;
                rm_consume(m, &x, b, w);
            }
        }
        if (moves)
            continue;
        int done = 1;
        for (int b = 0; b < m->blocks; b++) {
            done &= x.prod[b] == 2 * m->loads;
            for (int w = 0; w < m->warps; w++)
                done &= x.warp[b][w] == m->actions;
        }
        if (done) {
            m->finished++;
            continue;
        }
        m->deadlocks++;
        if (m->deadlocks == 1) {
            char why[400];
            rm_describe_blocked(m, &x, why, sizeof why);
            tg_rm_fail(m, "deadlock: %s", why);
        } else {
            m->failures++;
            m->r->failures++;
            m->r->per[CK_RING]++;
        }
    }
}
