/*
 * verify_check.h — what the hopper verifier's files share (internal to
 * verify.c, verify_exec.c, verify_split.c, verify_ring.c and
 * verify_search.c; the tests use verify.h): the report the checks write
 * to, the emulated ring's base, the ISA's definitions the emulation
 * reuses, and the checks one file runs for another.
 *   verify.c         layout, tma, banks, operands, fragment; the report; the
 *                    entry points tg_hopper_verify(_ops)
 *   verify_exec.c    execution (the kernel emulated, clusters included);
 *                    tg_hopper_emulate
 *   verify_split.c   the emulated K split: partial tiles, their sums
 *                    (verify_exec.h)
 *   verify_ring.c    ring (PRODUCER=0 schedule, PRODUCER=1 model checker:
 *                    the model set up from the plan, the cluster's rules);
 *                    tg_hopper_ring_model
 *   verify_search.c  the model checker's search (verify_ring.h)
 */
#ifndef TG_HOPPER_VERIFY_CHECK_H
#define TG_HOPPER_VERIFY_CHECK_H

#include <stdint.h>

#include "hopper/verify.h"

/* ------------------------------------------------------------------------
 * The report: failures counted per check, the first few of each described
 * ---------------------------------------------------------------------- */

enum { CK_LAYOUT, CK_TMA, CK_BANKS, CK_OPERANDS, CK_FRAGMENT, CK_EXECUTION, CK_RING, CK_STREAM_K, CHECKS };

/* The core's report (core.h): failures go in with tg_report_fail(r, CK_..., ...). */
typedef tg_report report;

/* An empty report into buf, with the hopper checks' names. */
report tg_hv_report(char *buf, size_t len);

enum { RING = 1024 }; /* the emulated ring's absolute base (1024-aligned, not 0) */
enum { OP_K = TG_H_SWIZZLE_BYTES / 2 }; /* BLOCK_K: one 128-byte row of bf16, the only value plan.h allows */

/* ------------------------------------------------------------------------
 * The hardware, from the PTX ISA (not from the plan)
 * ---------------------------------------------------------------------- */

/* Swizzle of span W bytes (ISA 5.5.7): 16-byte chunk bits 4.. XOR line bits 7.. (W/16 lines). */
static inline uint32_t isa_swizzle(uint32_t addr, uint32_t span)
{
    return addr ^ (((addr >> 7) & (span / 16 - 1)) << 4);
}

/*
 * The m64nNk16 fp32 accumulator: thread t = warp·32 + lane of the warpgroup,
 * register i. CUTLASS's CLayout_64xN = ((4,8,4),(2,2,N/8)) :
 * ((128,1,16),(64,8,512)) over the column-major 64 x N tile, evaluated
 * literally (docs/HOPPER-PTX.md 7; ISA figure "wgmma-64N16-D").
 */
static inline tg_hrc isa_frag(int warp, int lane, int i)
{
    const int t0 = lane % 4, t1 = lane / 4, t2 = warp;
    const int v0 = i % 2, v1 = i / 2 % 2, v2 = i / 4;
    const int off = 128 * t0 + 1 * t1 + 16 * t2 + 64 * v0 + 8 * v1 + 512 * v2;
    tg_hrc rc = {off % 64, off / 64};
    return rc;
}

/*
 * Bytes from the ring's base to the end of the kernel's dynamic shared
 * memory (which holds 1024 more, to align the base): the stages, then the
 * epilogue's staging buffers (EPILOGUE=tma).
 */
static inline uint32_t ring_bytes(const tg_htile *t)
{
    return (uint32_t)tg_hplan_smem_bytes(t) - TG_H_SWIZZLE_ATOM;
}

/* ------------------------------------------------------------------------
 * The checks and helpers one file runs for another
 * ---------------------------------------------------------------------- */


/*
 * verify_exec.c: one GEMM of m x n x k, batch items, inputs from seed, with
 * PERSISTENT=1 by TG_HV_CLUSTERS clusters (blocks, without a cluster);
 * beta_call: a call with beta != 0, which an EPILOGUE=tma kernel stores
 * from registers (the emulation's C is alpha·A·Bᵀ either way); failures to
 * r. Returns how many blocks walked a tile past C's edge.
 */
enum { TG_HV_CLUSTERS = 3 };
int64_t tg_hv_check_execution(const tg_htile *t, const tg_hplan_ops *ops, int64_t m, int64_t n,
                              int64_t k, int64_t batch, int beta_call, uint64_t seed, report *r);

/* verify_ring.c: the ring check, PRODUCER=0 and PRODUCER=1. */
void tg_hv_check_ring_plain(const tg_htile *t, const tg_hplan_ops *ops, report *r);
void tg_hv_check_ring_ws(const tg_htile *t, const tg_hplan_ops *ops, report *r);

/* verify_streamk.c: STREAM_K=1's plan on a table of grids; how many shared tiles (checked). */
int tg_hv_check_stream_k(const tg_hplan_ops *ops, report *r);

/*
 * Consumer warps the ring check models per block; the K loops and tiles
 * per block of its single-block cases (1..max_k x 1..max_tiles), and of
 * its cluster cases.
 */
int tg_hv_model_warps(const tg_htile *t);
void tg_hv_ring_range(const tg_htile *t, int *max_k, int *max_tiles);
/* 1: a block's own ring is searched up to the order of independent moves (deep rings). */
int tg_hv_ring_reduced(const tg_htile *t);
enum { TG_HV_CLUSTER_K = 5, TG_HV_CLUSTER_TILES = 3 };

#endif /* TG_HOPPER_VERIFY_CHECK_H */
