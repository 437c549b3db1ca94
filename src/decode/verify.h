/*
 * verify.h — the decode family's CPU plan verifier over a table of plan
 * functions (as src/micro/verify.h).
 *
 * tg_config_verify() (tilegemm.h) runs tg_decode_verify, which is
 * tg_decode_verify_ops with tg_dplan_real_ops. Tests run it with one
 * function replaced by a broken one, to show that each check can fail and
 * which check names the mistake (report lines "  FAIL <check>: ..."; the
 * checks are pairing, structure, layout, order, cluster, loads, coverage
 * and execution).
 */
#ifndef TG_DECODE_VERIFY_H
#define TG_DECODE_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "decode/decode.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The plan as the checks call it: every function of plan.h the kernel calls. */
typedef struct tg_dplan_ops {
    tg_dblock (*block)(const tg_dtile *t, int64_t bid);
    int (*warp_n)(const tg_dtile *t, int warp);
    int (*warp_k)(const tg_dtile *t, int warp);
    int (*part)(const tg_dtile *t, int rank, int wk);
    int (*part_begin)(const tg_dtile *t, int p, int steps);
    int64_t (*b_row)(const tg_dtile *t, int64_t group, int wn, int j, int lane);
    int (*a_half)(int i, int h);
    int (*a_row)(int i, int h, int lane);
    int (*lane_k)(int lane);
    int (*a_word)(int s, int w);
    int (*b_word)(int s, int w);
    tg_drc (*frag_c)(int lane, int r);
    int (*red_offset)(const tg_dtile *t, int wk, int row, int col);
    int (*block_elem)(const tg_dtile *t, int tid, int i);
    int (*cluster_elem)(const tg_dtile *t, int rank, int tid, int i);
} tg_dplan_ops;

/* plan.h's functions: what the kernel calls. */
extern const tg_dplan_ops tg_dplan_real_ops;

/*
 * Every check on params (ranges and rules first: a configuration that breaks
 * one is refused with its reason) with ops; TG_SUCCESS, or
 * TG_ERR_INVALID_CONFIG with the failures in report (may be NULL).
 * NULL params or ops: TG_ERR_INVALID_ARGUMENT.
 */
tg_status tg_decode_verify_ops(const int *params, const tg_dplan_ops *ops, char *report,
                               size_t len);

/* tg_decode_verify_ops with tg_dplan_real_ops: the family's verifier. */
tg_status tg_decode_verify(const int *params, char *report, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* TG_DECODE_VERIFY_H */
