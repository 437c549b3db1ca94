/*
 * timeline.h — where a kernel's time goes, block by block (a diagnostic).
 *
 * A library configured with -DTG_TIMELINE=ON builds the hopper family's
 * kernels with stamps at fixed points of each block's life (TG_TL_*): the
 * global timer (%globaltimer, ns, the same clock on every SM) and the SM's
 * cycle counter (clock64) at each. tg_timeline_attach gives the library a
 * device buffer; every hopper launch after it writes one record per block
 * (blockIdx.y * gridDim.x + blockIdx.x) until it is detached. A build
 * without the option compiles no stamps, and attach says so.
 *
 * bench/timeline.c (the tg_timeline tool) runs a configuration on a shape
 * and prints the phases across blocks; scripts/gpu-suite.sh's timeline
 * phase builds and runs it on the device.
 */
#ifndef TG_TIMELINE_H
#define TG_TIMELINE_H

#include <stddef.h>

#ifndef TG_TIMELINE
#define TG_TIMELINE 0
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* The marks, in the order a block passes them (0: a mark the block never reached). */
enum {
    TG_TL_ENTER,    /* thread 0 enters the kernel */
    TG_TL_READY,    /* thread 0: barriers set up, the cluster synced, the previous kernel done */
    TG_TL_LOAD0,    /* the producer thread starts issuing loads */
    TG_TL_FULL0,    /* the first stage is full (the first bytes landed), seen by the producer
                       warpgroup's idle warp 1 (not STREAM_K) */
    TG_TL_MAIN_END, /* consumer 0's thread 0: its last tile's wgmmas complete (STREAM_K: its
                       last unit's, a PARTIAL's too) */
    TG_TL_EPI_END,  /* consumer 0's thread 0: its last tile stored (issued, for TMA stores; with
                       SPLIT_K, after the K ranks' partials met: exchange; STREAM_K: a FINAL's
                       after it added the partials, a PARTIAL's never) */
    TG_TL_EXIT,     /* thread 0 leaves (after the cluster's last sync) */
    TG_TL_MARKS
};

typedef struct tg_timeline_block {
    unsigned long long ns[TG_TL_MARKS];  /* %globaltimer at each mark, 0 where not reached */
    unsigned long long clk[TG_TL_MARKS]; /* clock64 at each mark */
    unsigned int sm;                     /* %smid */
    unsigned int tiles;                  /* tiles (STREAM_K: units) consumer 0 finished (MAIN_END
                                            stamps) */
} tg_timeline_block;

#if !defined(__CUDACC__)
#include "tilegemm.h"
/*
 * Launches from now on record into buf (device memory, `blocks` records,
 * zeroed by the caller); buf = NULL stops. TG_ERR_NOT_COMPILED in a build
 * without TG_TIMELINE. Not for concurrent callers: one buffer, process-wide.
 */
tg_status tg_timeline_attach(tg_timeline_block *buf, size_t blocks);
#endif
/* The buffer attached, and its records (NULL, 0: none). */
tg_timeline_block *tg_timeline_buffer(size_t *blocks);

#ifdef __cplusplus
}
#endif

#endif /* TG_TIMELINE_H */
