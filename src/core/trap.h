/*
 * trap.h — how a kernel that gave up waiting says why. A kernel cannot
 * print without a function call (which makes ptxas serialize wgmma, C7510),
 * and after __trap() its context is lost, device memory with it. So the
 * kernel writes a record into mapped host memory — readable after the
 * context is gone — and then traps; the library adds the record to the
 * message of the next CUDA error it reports (tg_last_error), and
 * tg_trap_report() (include/tilegemm.h) gives it to whoever synchronised and saw the failure.
 */
#ifndef TG_TRAP_H
#define TG_TRAP_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TG_TRAP_MAGIC 0x54524150u /* "TRAP": a record is present */

/*
 * Why a kernel trapped: a wait it gave up on (index: the stage, expected:
 * the parity of the phase it waited for), or a launch whose cluster is not
 * the one it was built for (index: the blocks the launch gave a cluster,
 * expected: the blocks it needs), which would otherwise reach into blocks
 * that do not exist; or a stream-K partial tile that was never published
 * (index: the block that owed it, expected: its consumer warpgroup); or a
 * split-K block whose receive barrier never got the other K ranks'
 * partials (index: its K rank, expected: the bytes it waited for).
 */
enum {
    TG_TRAP_MBAR_FULL = 1,
    TG_TRAP_MBAR_EMPTY = 2,
    TG_TRAP_CLUSTER = 3,
    TG_TRAP_SK_FLAG = 4,
    TG_TRAP_SPLIT_RECV = 5
};

typedef struct tg_trap_record {
    uint32_t magic;  /* TG_TRAP_MAGIC once a kernel wrote it */
    uint32_t what;   /* TG_TRAP_* */
    uint32_t index;    /* what: the barrier's stage, or the launch's cluster size */
    uint32_t expected; /* what it should have been: the phase's parity, or the kernel's cluster */
    uint32_t block_x, block_y, thread;
    char kernel[36]; /* the instance's name */
} tg_trap_record;

#if !defined(__CUDACC__)
/*
 * The record's device-visible address, allocated (mapped, portable host
 * memory) on first use; 0 on success, else the CUDA error.
 */
int tg_trap_record_ptr(tg_trap_record **out);
#endif

#ifdef __cplusplus
}
#endif

#endif /* TG_TRAP_H */
