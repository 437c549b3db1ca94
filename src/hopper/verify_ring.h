/*
 * verify_ring.h — the hopper verifier's ring model, as verify_ring.c sets
 * it up from the plan (the actors' programs, the cluster's loads and
 * hand-backs) and verify_search.c searches it (internal to those two; what
 * the model is: verify_ring.c's comment on PRODUCER=1).
 */
#ifndef TG_HOPPER_VERIFY_RING_H
#define TG_HOPPER_VERIFY_RING_H

#include <stddef.h>
#include <stdint.h>

#include "hopper/verify_check.h"

enum {
    RM_MAX_STAGES = TG_H_MAX_STAGES,
    RM_MAX_BLOCKS = 8,         /* a cluster: the rules allow up to 8 blocks */
    RM_MAX_WARPS = 8,          /* modelled consumer warps per block */
    RM_MAX_LOADS = 30,         /* tiles x K tiles */
    RM_MAX_ACTIONS = 2 * RM_MAX_LOADS,
    RM_WORDS = 128,            /* at most; a model uses what its blocks, stages and warps need */
    RM_MAX_STATES = 1 << 22,
    RM_TX_BIAS = 256,          /* a transaction count is kept in -256..255 units */
    RM_MAX_EMPTY = 127,        /* arrivals an empty barrier may expect in the model */
};

typedef struct rm_stage {
    uint8_t fe;      /* full: completed phases (mod 32) */
    uint8_t fpend;   /* full: 1 while the block's own producer's arrival of this phase is due */
    int16_t tx;      /* full: transaction count in units; < 0 while peers' bytes are ahead */
    uint8_t ee;      /* empty: completed phases (mod 32) */
    uint8_t epend;   /* empty: arrivals still due in this phase */
} rm_stage;

/* What one source block's copies put into one stage of one block. */
typedef struct rm_part {
    int8_t flight;   /* the load in flight to it; -1 none */
    int8_t holds;    /* the load whose bytes it holds; -1 before any */
} rm_part;

typedef struct rm_state {
    uint8_t prod[RM_MAX_BLOCKS];               /* 2g: to wait for load g's stage; 2g+1: to issue it */
    uint8_t warp[RM_MAX_BLOCKS][RM_MAX_WARPS]; /* each consumer warp's next action, ascending */
    rm_stage st[RM_MAX_BLOCKS][RM_MAX_STAGES];
    rm_part part[RM_MAX_BLOCKS][RM_MAX_STAGES][RM_MAX_BLOCKS]; /* [block][stage][source] */
} rm_state;

typedef struct rm_model {
    int stages, blocks, warps, k_tiles, tiles, loads, actions, words;
    int stage_units;                          /* what a producer's expect_tx adds to its full barrier */
    int units[RM_MAX_BLOCKS][RM_MAX_BLOCKS];  /* [source][block]: what source's copies of a load land
                                               * in block's stage, in units; 0: none */
    int unit_rows;                            /* rows of 128 bytes per unit */
    uint32_t release[RM_MAX_BLOCKS];          /* whose empty barriers a block's warps arrive on */
    int empty_count, weight;                  /* empty barrier arrivals; real warps per modelled one */
    int pstage[RM_MAX_LOADS];                 /* producer: stage of load g */
    uint32_t pparity[RM_MAX_LOADS];           /* producer: empty parity waited on before load g */
    int prev[RM_MAX_LOADS];                   /* the K step the consumers read last in load g's
                                               * stage before it, -1 none */
    int trip[RM_MAX_LOADS];                   /* load g is its stage's trip number ... */
    int reduce;                               /* 1: the partial-order reduction (rm_ample) */
    uint8_t is_wait[RM_MAX_ACTIONS];          /* consumer action: 1 wait full, 0 hand back */
    uint8_t aload[RM_MAX_ACTIONS];            /* its K step */
    uint8_t astage[RM_MAX_ACTIONS];
    uint8_t aparity[RM_MAX_ACTIONS];
    uint8_t waited[RM_MAX_ACTIONS + 1];       /* K steps a warp before action pc waited for ... */
    uint8_t released[RM_MAX_ACTIONS + 1];     /* ... and handed back (in order: steps 0 .. n-1) */
    report *r;
    int failures;
    char last[400]; /* the last failure described: the same one from another state is counted */
    /* the visited set: open addressing over `words`-word keys, word 0 bit 0 = occupied */
    uint64_t *keys;
    size_t cap, count;
    rm_state *stack;
    size_t depth, stack_cap;
    int64_t finished;
    int deadlocks;
    int too_big;
} rm_model;


/* One failure of the model to its report ("STAGES=..., K tiles ...: <line>"), counted. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void tg_rm_fail(rm_model *m, const char *fmt, ...);

/* "the " (one block) or "block 1's ": whose producer, barrier or warp a message names. */
const char *tg_rm_whose(const rm_model *m, int b, char buf[24]);

/* Every state the model reaches from its start, checked (m set up by verify_ring.c rm_run). */
void tg_rm_search(rm_model *m);

#endif /* TG_HOPPER_VERIFY_RING_H */
