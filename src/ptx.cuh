/*
 * ptx.cuh — the few PTX instructions the kernels use, as C functions.
 * Inline assembly is the only way CUDA gives to name cp.async, ldmatrix,
 * mma.sync, mbarriers, TMA and wgmma directly; each wrapper is one
 * instruction (the wgmma shapes themselves are in src/hopper/wgmma.cuh).
 */
#ifndef TG_PTX_CUH
#define TG_PTX_CUH

#include <stdint.h>

#include "core/trap.h"

/* Shared-memory address of a generic pointer (what ldmatrix and cp.async take). */
static __device__ __forceinline__ uint32_t tg_smem_addr(const void *p)
{
    return (uint32_t)__cvta_generic_to_shared(p);
}

/* 16 bytes global → shared, bypassing L1; bytes past src_bytes (0..16) are zero-filled. */
static __device__ __forceinline__ void tg_cp_async16(uint32_t dst, const void *src, int src_bytes)
{
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(dst), "l"(src),
                 "r"(src_bytes)
                 : "memory");
}

/* 16 bytes global → shared, all of them in bounds. */
static __device__ __forceinline__ void tg_cp_async16_full(uint32_t dst, const void *src)
{
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16;\n" ::"r"(dst), "l"(src) : "memory");
}

static __device__ __forceinline__ void tg_cp_async_commit(void)
{
    asm volatile("cp.async.commit_group;\n" ::: "memory");
}

/* Wait until at most `pending` of this thread's committed groups are in flight. */
#define TG_CP_ASYNC_WAIT(pending) asm volatile("cp.async.wait_group %0;\n" ::"n"(pending) : "memory")

/* Four 8×8 b16 matrices from shared memory; lane i supplies row address i. */
static __device__ __forceinline__ void tg_ldmatrix_x4(uint32_t r[4], uint32_t addr)
{
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0, %1, %2, %3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(addr)
                 : "memory");
}

/* d (16×8 fp32) += a (16×16 bf16, row) · b (16×8 bf16, col). */
static __device__ __forceinline__ void tg_mma_bf16_16816(float d[4], const uint32_t a[4],
                                                         const uint32_t b[2])
{
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 "
                 "{%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};\n"
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}

/* 16 bytes to shared memory. */
static __device__ __forceinline__ void tg_st_shared16(uint32_t addr, uint4 v)
{
    asm volatile("st.shared.v4.u32 [%0], {%1, %2, %3, %4};\n" ::"r"(addr), "r"(v.x), "r"(v.y),
                 "r"(v.z), "r"(v.w)
                 : "memory");
}

/* 16 bytes from global memory through the read-only path. */
static __device__ __forceinline__ uint4 tg_ld_global16(const void *p)
{
    uint4 v;
    asm volatile("ld.global.nc.v4.u32 {%0, %1, %2, %3}, [%4];\n"
                 : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w)
                 : "l"(p));
    return v;
}

/*
 * 16 bytes from global memory through the read-only path, not kept in L1:
 * for data read once (the decode family's B), so L1 keeps what is re-read.
 */
static __device__ __forceinline__ uint4 tg_ld_global16_stream(const void *p)
{
    uint4 v;
    asm volatile("ld.global.nc.L1::no_allocate.v4.u32 {%0, %1, %2, %3}, [%4];\n"
                 : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w)
                 : "l"(p));
    return v;
}

/* ------------------------------------------------------------------------
 * Hopper (sm_90a): mbarriers, TMA, wgmma (docs/HOPPER-PTX.md has the ISA
 * references for each)
 * ---------------------------------------------------------------------- */

/* An mbarrier in shared memory that completes when `count` threads arrived. */
static __device__ __forceinline__ void tg_mbar_init(uint32_t bar, uint32_t count)
{
    asm volatile("mbarrier.init.shared::cta.b64 [%0], %1;\n" ::"r"(bar), "r"(count) : "memory");
}

/* Make initialised mbarriers visible to the async proxy (TMA) and the cluster. */
static __device__ __forceinline__ void tg_mbar_fence_init(void)
{
    asm volatile("fence.mbarrier_init.release.cluster;\n" ::: "memory");
}

/* Arrive on bar and expect `bytes` of transactions (TMA) to complete this phase. */
static __device__ __forceinline__ void tg_mbar_arrive_expect_tx(uint32_t bar, uint32_t bytes)
{
    asm volatile("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;\n" ::"r"(bar), "r"(bytes)
                 : "memory");
}

/*
 * One try: has the phase with this parity completed? tg_mbar_try_wait
 * acquires at CTA scope (the default); tg_mbar_try_wait_cluster at cluster
 * scope, so that what other blocks' st.async wrote is visible after it.
 */
#define TG_MBAR_TRY_WAIT(name, sem)                                                            \
    static __device__ __forceinline__ int name(uint32_t bar, uint32_t parity)                 \
    {                                                                                          \
        uint32_t done;                                                                         \
        asm volatile("{\n.reg .pred p;\nmbarrier.try_wait.parity" sem ".shared::cta.b64 p, [%1], %2;\n" \
                     "selp.u32 %0, 1, 0, p;\n}\n"                                              \
                     : "=r"(done)                                                              \
                     : "r"(bar), "r"(parity)                                                   \
                     : "memory");                                                              \
        return (int)done;                                                                      \
    }
TG_MBAR_TRY_WAIT(tg_mbar_try_wait, "")
TG_MBAR_TRY_WAIT(tg_mbar_try_wait_cluster, ".acquire.cluster")

/* Arrive on bar (one of its expected arrivals). */
static __device__ __forceinline__ void tg_mbar_arrive(uint32_t bar)
{
    asm volatile("mbarrier.arrive.shared::cta.b64 _, [%0];\n" ::"r"(bar) : "memory");
}

/*
 * A kernel that cannot go on: say why in the trap record (src/core/trap.h:
 * what, and its index and expected value — a barrier's stage and parity, or
 * a cluster size and the one built for), then trap (the launch fails with
 * cudaErrorLaunchFailure). Inline, without a call: a call anywhere in a
 * kernel makes ptxas serialize its wgmmas (C7510).
 */
static __device__ __forceinline__ void tg_trap_why(tg_trap_record *rec, const char *kernel, int what,
                                                   uint32_t index, uint32_t expected)
{
    if (rec) {
        volatile tg_trap_record *r = rec;
        r->what = (uint32_t)what;
        r->index = index;
        r->expected = expected;
        r->block_x = blockIdx.x;
        r->block_y = blockIdx.y;
        r->thread = threadIdx.x;
        for (int i = 0; i + 1 < (int)sizeof r->kernel; i++) {
            r->kernel[i] = kernel[i];
            if (!kernel[i])
                break;
        }
        __threadfence_system();
        r->magic = TG_TRAP_MAGIC;
        __threadfence_system();
    }
    __trap();
}

/*
 * Wait for the phase with this parity, boundedly: a pipeline bug must end in
 * an error the tests can see and name, not a hang. Each try_wait already
 * suspends for a while in hardware; `patience` failed tries (the hopper
 * family passes 2^23, about 35 s; a test passes fewer) and the wait gives up.
 */
static __device__ __forceinline__ void tg_mbar_wait(uint32_t bar, uint32_t parity, uint32_t patience,
                                                    tg_trap_record *rec, const char *kernel, int what,
                                                    int stage)
{
    for (uint32_t tries = 0; !tg_mbar_try_wait(bar, parity); tries++)
        if (tries == patience)
            tg_trap_why(rec, kernel, what, (uint32_t)stage, parity);
}

/*
 * A flag in global memory between blocks (stream-K): st.release at gpu
 * scope after the data it vouches for, ld.acquire before the data is read
 * (PTX ISA, memory consistency model). The waiting thread's block then
 * syncs, as cooperative groups' grid sync does, and its threads read the
 * data through L2 (ld.global.cg: no stale L1 line).
 */
static __device__ __forceinline__ void tg_st_release_gpu_u64(void *p, unsigned long long v)
{
    asm volatile("st.release.gpu.global.u64 [%0], %1;\n" ::"l"(p), "l"(v) : "memory");
}
static __device__ __forceinline__ unsigned long long tg_ld_acquire_gpu_u64(const void *p)
{
    unsigned long long v;
    asm volatile("ld.acquire.gpu.global.u64 %0, [%1];\n" : "=l"(v) : "l"(p) : "memory");
    return v;
}
/*
 * d[0..3] += 16 bytes of fp32 from global memory through L2 (.cg, no stale
 * L1 line), one asm: each load's 4 registers are dead before the next.
 */
static __device__ __forceinline__ void tg_ld_cg_add_f32x4(const void *p, float *d)
{
    asm volatile("{\n.reg .f32 t<4>;\n"
                 "ld.global.cg.v4.f32 {t0, t1, t2, t3}, [%4];\n"
                 "add.f32 %0, %0, t0;\nadd.f32 %1, %1, t1;\nadd.f32 %2, %2, t2;\nadd.f32 %3, %3, t3;\n}\n"
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
                 : "l"(p)
                 : "memory");
}
/* Wait until *flag == want, boundedly (about 1 µs a try: 2^23 tries are seconds), else trap. */
static __device__ __forceinline__ void tg_flag_wait(const void *flag, unsigned long long want,
                                                    uint32_t patience, tg_trap_record *rec,
                                                    const char *kernel, int what, uint32_t index,
                                                    uint32_t expected)
{
    for (uint32_t tries = 0; tg_ld_acquire_gpu_u64(flag) != want; tries++) {
        if (tries == patience)
            tg_trap_why(rec, kernel, what, index, expected);
        __nanosleep(256);
    }
}

/* Registers per thread of this warpgroup (every thread of it executes it alike). */
#define TG_SETMAXNREG_INC(n) asm volatile("setmaxnreg.inc.sync.aligned.u32 %0;\n" ::"n"(n))
#define TG_SETMAXNREG_DEC(n) asm volatile("setmaxnreg.dec.sync.aligned.u32 %0;\n" ::"n"(n))

/* TMA: the box at coordinates (c0 innermost, c1, c2) of a 3-D tensor map into shared memory. */
static __device__ __forceinline__ void tg_tma_load_3d(uint32_t dst, const void *map, uint32_t bar,
                                                      int c0, int c1, int c2)
{
    asm volatile("cp.async.bulk.tensor.3d.shared::cluster.global.tile.mbarrier::complete_tx::bytes "
                 "[%0], [%1, {%2, %3, %4}], [%5];\n" ::"r"(dst),
                 "l"(map), "r"(c0), "r"(c1), "r"(c2), "r"(bar)
                 : "memory");
}

/*
 * TMA multicast: the same box into shared memory at offset `dst` of every
 * block of the cluster in `mask` (bit r: rank r), completing the mbarrier at
 * offset `bar` in each.
 */
static __device__ __forceinline__ void tg_tma_load_3d_multicast(uint32_t dst, const void *map,
                                                                uint32_t bar, int c0, int c1,
                                                                int c2, uint16_t mask)
{
    asm volatile("cp.async.bulk.tensor.3d.shared::cluster.global.tile.mbarrier::complete_tx::bytes"
                 ".multicast::cluster [%0], [%1, {%2, %3, %4}], [%5], %6;\n" ::"r"(dst),
                 "l"(map), "r"(c0), "r"(c1), "r"(c2), "r"(bar), "h"(mask)
                 : "memory");
}

/*
 * Programmatic dependent launch (PTX ISA, griddepcontrol.wait): this thread
 * waits until the grids this one depends on (the stream's previous kernel,
 * when this one was launched with programmatic stream serialization) have
 * completed and their memory is visible; without such a launch it returns
 * at once. Such a kernel may start once every block of the previous one
 * exited (or issued griddepcontrol.launch_dependents, which ours do not).
 */
static __device__ __forceinline__ void tg_griddep_wait(void)
{
    asm volatile("griddepcontrol.wait;\n" ::: "memory");
}

/* Fetch a tensor map (a kernel parameter's generic address) into the TMA unit's cache. */
static __device__ __forceinline__ void tg_prefetch_tensormap(const void *map)
{
    asm volatile("prefetch.tensormap [%0];\n" ::"l"(map) : "memory");
}

/* Blocks in this block's cluster (1 without one). */
static __device__ __forceinline__ uint32_t tg_cluster_size(void)
{
    uint32_t n;
    asm volatile("mov.u32 %0, %%cluster_nctarank;\n" : "=r"(n));
    return n;
}

/* This block's rank in its cluster (0 without one). */
static __device__ __forceinline__ uint32_t tg_cluster_rank(void)
{
    uint32_t r;
    asm volatile("mov.u32 %0, %%cluster_ctarank;\n" : "=r"(r));
    return r;
}

/*
 * Arrive on the mbarrier at offset `bar` in the shared memory of cluster
 * block `rank`, with the default semantics (release at CTA scope). Not
 * .release.cluster: that is a cluster-wide fence on every arrival, which
 * ncu showed as the top stall ("membar", 11.5 per issued instruction) of a
 * kernel at 0.39x its cluster-free self (bench/RESULTS.md entry 14); a
 * consumer's arrival orders no data of its own (its wgmmas' reads of the
 * stage completed before it), it only hands the stage back.
 */
static __device__ __forceinline__ void tg_mbar_arrive_cluster(uint32_t bar, uint32_t rank)
{
    asm volatile("{\n.reg .b32 remote;\nmapa.shared::cluster.u32 remote, %0, %1;\n"
                 "mbarrier.arrive.shared::cluster.b64 _, [remote];\n}\n" ::"r"(bar), "r"(rank)
                 : "memory");
}

/*
 * The fp32 at offset `addr` in the shared memory of cluster block `rank`
 * (distributed shared memory; the block's own rank reads its own).
 */
static __device__ __forceinline__ float tg_ld_cluster_f32(uint32_t addr, uint32_t rank)
{
    float v;
    asm volatile("{\n.reg .b32 remote;\nmapa.shared::cluster.u32 remote, %1, %2;\n"
                 "ld.shared::cluster.f32 %0, [remote];\n}\n"
                 : "=f"(v)
                 : "r"(addr), "r"(rank)
                 : "memory");
    return v;
}

/* The same for 16 aligned bytes: four fp32. */
static __device__ __forceinline__ float4 tg_ld_cluster_f32x4(uint32_t addr, uint32_t rank)
{
    float4 v;
    asm volatile("{\n.reg .b32 remote;\nmapa.shared::cluster.u32 remote, %4, %5;\n"
                 "ld.shared::cluster.v4.f32 {%0, %1, %2, %3}, [remote];\n}\n"
                 : "=f"(v.x), "=f"(v.y), "=f"(v.z), "=f"(v.w)
                 : "r"(addr), "r"(rank)
                 : "memory");
    return v;
}

/*
 * Every thread of every block of the cluster arrives, then waits for the
 * others (release / acquire at cluster scope). Not .aligned: a warp may
 * reach it diverged (the producer's one issuing thread).
 */
static __device__ __forceinline__ void tg_cluster_arrive(void)
{
    asm volatile("barrier.cluster.arrive.release;\n" ::: "memory");
}
static __device__ __forceinline__ void tg_cluster_wait(void)
{
    asm volatile("barrier.cluster.wait.acquire;\n" ::: "memory");
}
/* (A thread may also arrive, work, then wait: tg_cluster_arrive and tg_cluster_wait apart.) */
static __device__ __forceinline__ void tg_cluster_sync(void)
{
    tg_cluster_arrive();
    tg_cluster_wait();
}

/*
 * Four fp32 to offset `addr` in the shared memory of cluster block `rank`
 * (16-byte aligned), completing 16 bytes on its mbarrier at offset `bar`
 * (st.async: the barrier's phase completes once every byte it expects
 * landed; its complete-tx releases the data at cluster scope).
 */
static __device__ __forceinline__ void tg_st_async_f32x4(uint32_t addr, uint32_t bar, uint32_t rank,
                                                         float a, float b, float c, float d)
{
    asm volatile("{\n.reg .b32 ra, rb;\nmapa.shared::cluster.u32 ra, %0, %2;\n"
                 "mapa.shared::cluster.u32 rb, %1, %2;\n"
                 "st.async.shared::cluster.mbarrier::complete_tx::bytes.v4.f32 [ra], {%3, %4, %5, %6}, "
                 "[rb];\n}\n" ::"r"(addr), "r"(bar), "r"(rank), "f"(a), "f"(b), "f"(c), "f"(d)
                 : "memory");
}

/* TMA: shared memory → the box at (c0, c1, c2) of a 3-D tensor map; one bulk group per commit. */
static __device__ __forceinline__ void tg_tma_store_3d(const void *map, uint32_t src, int c0, int c1,
                                                       int c2)
{
    asm volatile("cp.async.bulk.tensor.3d.global.shared::cta.bulk_group [%0, {%1, %2, %3}], [%4];\n" ::"l"(map),
                 "r"(c0), "r"(c1), "r"(c2), "r"(src)
                 : "memory");
}

static __device__ __forceinline__ void tg_bulk_commit(void)
{
    asm volatile("cp.async.bulk.commit_group;\n" ::: "memory");
}

/* Until at most `pending` bulk groups still read their shared memory. */
#define TG_BULK_WAIT_READ(pending) asm volatile("cp.async.bulk.wait_group.read %0;\n" ::"n"(pending) : "memory")

/* Generic-proxy writes to shared memory become visible to the async proxy (TMA). */
static __device__ __forceinline__ void tg_fence_proxy_async_smem(void)
{
    asm volatile("fence.proxy.async.shared::cta;\n" ::: "memory");
}

/* Barrier `id` (1..15; 0 is __syncthreads) among `threads` threads. */
static __device__ __forceinline__ void tg_named_bar_sync(int id, int threads)
{
    asm volatile("bar.sync %0, %1;\n" ::"r"(id), "r"(threads) : "memory");
}

/* 16 aligned bytes of this block's shared memory: four fp32. */
static __device__ __forceinline__ float4 tg_ld_shared_f32x4(uint32_t addr)
{
    float4 v;
    asm volatile("ld.shared.v4.f32 {%0, %1, %2, %3}, [%4];\n"
                 : "=f"(v.x), "=f"(v.y), "=f"(v.z), "=f"(v.w)
                 : "r"(addr)
                 : "memory");
    return v;
}
static __device__ __forceinline__ uint32_t tg_ld_shared_b32(uint32_t addr)
{
    uint32_t v;
    asm volatile("ld.shared.b32 %0, [%1];\n" : "=r"(v) : "r"(addr) : "memory");
    return v;
}

static __device__ __forceinline__ void tg_st_shared_f32x2(uint32_t addr, float x, float y)
{
    asm volatile("st.shared.v2.f32 [%0], {%1, %2};\n" ::"r"(addr), "f"(x), "f"(y) : "memory");
}

static __device__ __forceinline__ void tg_st_shared_b32(uint32_t addr, uint32_t v)
{
    asm volatile("st.shared.b32 [%0], %1;\n" ::"r"(addr), "r"(v) : "memory");
}

static __device__ __forceinline__ void tg_wgmma_fence(void)
{
    asm volatile("wgmma.fence.sync.aligned;\n" ::: "memory");
}

static __device__ __forceinline__ void tg_wgmma_commit(void)
{
    asm volatile("wgmma.commit_group.sync.aligned;\n" ::: "memory");
}

/* Wait until at most `pending` committed wgmma groups of this warpgroup are in flight. */
#define TG_WGMMA_WAIT(pending) asm volatile("wgmma.wait_group.sync.aligned %0;\n" ::"n"(pending) : "memory")

#endif /* TG_PTX_CUH */
