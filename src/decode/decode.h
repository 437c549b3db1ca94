/*
 * decode.h — what the decode family's host code (family.c) and its kernel
 * instances (kernel.cuh, one per line of presets.def) share: the kernel's
 * parameter and each instance's kernel getter.
 */
#ifndef TG_DECODE_H
#define TG_DECODE_H

#include "core/core.h"
#include "core/trap.h"
#include "decode/plan.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The kernel's one parameter, built on the host by family.c. */
typedef struct tg_decode_params {
    tg_rows_operands op;
    tg_trap_record *trap; /* a launch without its cluster says so here */
} tg_decode_params;

/* The plan's rules between the parameters (family.c), after their ranges. */
tg_status tg_decode_check(const int *p);

/*
 * Each instance's kernel, its dynamic shared-memory limit raised on device
 * dev on first use (and, with SPLIT_K > 1, TG_ERR_CUDA if no cluster of
 * SPLIT_K blocks fits on the device).
 */
#define TG_DECODE_PRESET(name, ...) tg_status tg_decode_kernel_##name(int dev, const void **kernel);
#include "decode/presets.def"
#undef TG_DECODE_PRESET

#ifdef __cplusplus
}
#endif

#endif /* TG_DECODE_H */
