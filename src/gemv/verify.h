/*
 * verify.h — the gemv family's CPU plan verifier over a table of plan
 * functions (as src/decode/verify.h).
 *
 * tg_config_verify() (tilegemm.h) runs tg_gemv_verify, which is
 * tg_gemv_verify_ops with tg_gplan_real_ops. Tests run it with one function
 * replaced by a broken one, to show that each check can fail and which
 * check names the mistake (report lines "  FAIL <check>: ..."; the checks
 * are block, order, rows, reduction, coverage and execution).
 */
#ifndef TG_GEMV_VERIFY_H
#define TG_GEMV_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "gemv/gemv.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The plan as the checks call it: every function of plan.h the kernel calls. */
typedef struct tg_gplan_ops {
    int64_t (*block_threads)(const tg_gtile *t, int64_t k);
    int64_t (*vector)(int tid, int j, int bt);
    int64_t (*block_rows)(int64_t n, int64_t g, int64_t b);
    int64_t (*row)(int64_t g, int64_t b, int64_t i);
    int (*buffer)(int64_t i0);
    int (*red_offset)(const tg_gtile *t, int buf, int slot, int warp, int m);
    int (*finish_slot)(int warp, int warps, int q);
    int64_t (*a_slot)(int64_t vectors, int m, int64_t v);
} tg_gplan_ops;

/* plan.h's functions: what the kernel calls. */
extern const tg_gplan_ops tg_gplan_real_ops;

/*
 * Every check on params (ranges and rules first: a configuration that breaks
 * one is refused with its reason) with ops; TG_SUCCESS, or
 * TG_ERR_INVALID_CONFIG with the failures in report (may be NULL).
 * NULL params or ops: TG_ERR_INVALID_ARGUMENT.
 */
tg_status tg_gemv_verify_ops(const int *params, const tg_gplan_ops *ops, char *report, size_t len);

/* tg_gemv_verify_ops with tg_gplan_real_ops: the family's verifier. */
tg_status tg_gemv_verify(const int *params, char *report, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* TG_GEMV_VERIFY_H */
