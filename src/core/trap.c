/* trap.c — the record a kernel leaves before it traps (src/core/trap.h), and its words. */
#include <cuda_runtime.h>
#include <stdio.h>
#include <string.h>

#include "core/core.h"
#include "core/trap.h"

static tg_trap_record *record; /* mapped host memory; atomics: callers may be threads */
static tg_trap_record *device_view; /* its device address (the same on every device: portable) */

int tg_trap_record_ptr(tg_trap_record **out)
{
    tg_trap_record *known = __atomic_load_n(&device_view, __ATOMIC_ACQUIRE);
    if (known) {
        *out = known;
        return 0;
    }
    tg_trap_record *r = __atomic_load_n(&record, __ATOMIC_ACQUIRE);
    if (!r) {
        void *h = NULL;
        /* Portable: the same address is valid on every device (unified addressing). */
        cudaError_t e = cudaHostAlloc(&h, sizeof *r, cudaHostAllocMapped | cudaHostAllocPortable);
        if (e != cudaSuccess)
            return (int)e;
        memset(h, 0, sizeof *r);
        tg_trap_record *expected = NULL;
        if (__atomic_compare_exchange_n(&record, &expected, (tg_trap_record *)h, 0, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE))
            r = h;
        else {
            cudaFreeHost(h); /* another thread won */
            r = expected;
        }
    }
    void *d = NULL;
    cudaError_t e = cudaHostGetDevicePointer(&d, r, 0);
    if (e != cudaSuccess)
        return (int)e;
    __atomic_store_n(&device_view, (tg_trap_record *)d, __ATOMIC_RELEASE);
    *out = d;
    return 0;
}

int tg_trap_report(char *buf, size_t len)
{
    const volatile tg_trap_record *r = __atomic_load_n(&record, __ATOMIC_ACQUIRE);
    if (!r || r->magic != TG_TRAP_MAGIC)
        return 0;
    char kernel[sizeof r->kernel + 1];
    for (size_t i = 0; i < sizeof r->kernel; i++)
        kernel[i] = r->kernel[i];
    kernel[sizeof r->kernel] = 0;
    if (buf && len && r->what == TG_TRAP_CLUSTER)
        snprintf(buf, len,
                 "kernel %s trapped: launched with clusters of %u blocks, built for clusters of %u "
                 "(block (%u,%u), thread %u)",
                 kernel, r->index, r->expected, r->block_x, r->block_y, r->thread);
    else if (buf && len && r->what == TG_TRAP_SK_FLAG)
        snprintf(buf, len,
                 "kernel %s trapped: the stream-K partial tile of block %u, consumer %u, was never "
                 "published (block (%u,%u), thread %u)",
                 kernel, r->index, r->expected, r->block_x, r->block_y, r->thread);
    else if (buf && len && r->what == TG_TRAP_SPLIT_RECV)
        snprintf(buf, len,
                 "kernel %s trapped: K rank %u never received the other ranks' partial sums (%u "
                 "bytes) on its split-K receive barrier (block (%u,%u), thread %u)",
                 kernel, r->index, r->expected, r->block_x, r->block_y, r->thread);
    else if (buf && len)
        snprintf(buf, len,
                 "kernel %s trapped: mbarrier %s[%u] never completed the phase of parity %u "
                 "(block (%u,%u), thread %u)",
                 kernel, r->what == TG_TRAP_MBAR_FULL ? "full" : r->what == TG_TRAP_MBAR_EMPTY ? "empty" : "?",
                 r->index, r->expected, r->block_x, r->block_y, r->thread);
    return 1;
}
