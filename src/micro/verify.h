/*
 * verify.h — the micro family's CPU plan verifier over a table of plan
 * functions.
 *
 * tg_config_verify() (tilegemm.h) runs it with the real plan. Tests run it
 * with one function replaced by a broken one, to show each check can fail.
 */
#ifndef TG_MICRO_VERIFY_H
#define TG_MICRO_VERIFY_H

#include <stddef.h>

#include "micro/micro.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tg_plan_ops {
    int (*acc_m)(const tg_tile *t);
    int (*acc_n)(const tg_tile *t);
    void (*block)(const tg_tile *t, int64_t bid, int64_t grid_m, int64_t grid_n,
                  int64_t *block_row, int64_t *block_col);
    tg_rc (*a_subtile)(const tg_tile *t, int warp_row, int i, int s);
    tg_rc (*b_subtile)(const tg_tile *t, int warp_col, int j, int s);
    tg_rc64 (*c_tile)(const tg_tile *t, int64_t block_row, int64_t block_col, int warp_row,
                      int warp_col, int i, int j);
    tg_rc (*load_vec)(const tg_tile *t, int tid, int v);
    int (*smem_offset)(const tg_tile *t, int row, int col);
    tg_rc (*ldsm_a)(int lane);
    tg_rc (*ldsm_b)(int lane);
    tg_rc (*frag_c)(int lane, int r);
} tg_plan_ops;

/* The plan of include/tilegemm_plan.h: the functions the kernel calls. */
extern const tg_plan_ops tg_plan_real_ops;

/* Run every check with ops; TG_SUCCESS or TG_ERR_INVALID_CONFIG with report. */
tg_status tg_plan_verify_ops(const tg_tile *t, const tg_plan_ops *ops, char *report, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* TG_MICRO_VERIFY_H */
