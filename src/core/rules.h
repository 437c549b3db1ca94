/*
 * rules.h — one row of the dispatcher's table (rules.c), read by dispatch.c.
 */
#ifndef TG_CORE_RULES_H
#define TG_CORE_RULES_H

#include "core/core.h"

struct tg_rule {
    const char *when;                          /* the shape class, in words */
    int (*applies)(const tg_gemm_args *g);     /* does g belong to it? */
    const char *config;                        /* a compiled preset */
    const char *why;                           /* the measurement that chose it */
    int packs; /* copy an A or B the family cannot read into the workspace (core.h, tg_pack) */
    int (*splits)(const tg_gemm_args *g); /* split-K into this many (core.h, tg_split); NULL: 1 */
};

/* The table, top to bottom: the first row whose class holds and whose preset takes the call wins. */
extern const struct tg_rule tg_rules[];
extern const int tg_nrules;

#endif
