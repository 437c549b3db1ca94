/*
 * kernel_timeline.cuh — the hopper kernel's per-block stamps
 * (TG_TIMELINE builds, src/core/timeline.h; nothing elsewhere).
 *
 * Part of one hopper kernel instance: included by src/hopper/kernel.cuh at
 * this point of it (the instance's parameters, THREADS, ACC_N, TG_HANG and
 * the helpers above it are defined there); not a header of its own.
 */

/*
 * TG_TIMELINE builds (src/core/timeline.h): the global timer and the SM's
 * cycle count at each mark, kept in shared memory (fixed addresses: no
 * register held across the tile loop for them) and written to the block's
 * record by thread 0 as it leaves (tl_flush), when a buffer is attached.
 * Stamped by one thread per mark, outside the K loops. Elsewhere nothing
 * is compiled.
 */
#if TG_TIMELINE
static __shared__ unsigned long long tl_ns[TG_TL_MARKS], tl_clk[TG_TL_MARKS];
static __shared__ unsigned tl_sm, tl_tiles;

static __device__ __forceinline__ void tl_stamp(int mark)
{
    unsigned long long ns;
    asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(ns));
    if (mark == TG_TL_ENTER) {
        for (int i = 0; i < TG_TL_MARKS; i++)
            tl_ns[i] = 0;
        asm volatile("mov.u32 %0, %%smid;" : "=r"(tl_sm));
        tl_tiles = 0;
    }
    tl_ns[mark] = ns;
    tl_clk[mark] = (unsigned long long)clock64();
    if (mark == TG_TL_MAIN_END)
        tl_tiles++;
}

/* Thread 0, last: the block's marks to its record (every thread's stamps made: the caller synced). */
static __device__ __noinline__ void tl_flush(const tg_hopper_params *p)
{
    const unsigned long long b = (unsigned long long)blockIdx.y * gridDim.x + blockIdx.x;
    if (!p->timeline || b >= p->timeline_blocks)
        return;
    tg_timeline_block *r = p->timeline + b;
    for (int i = 0; i < TG_TL_MARKS; i++) {
        r->ns[i] = tl_ns[i];
        r->clk[i] = tl_clk[i];
    }
    r->sm = tl_sm;
    r->tiles = tl_tiles;
}
#define TG_TL(p, mark) tl_stamp(mark)

/*
 * Warp 1 of the producer warpgroup (idle otherwise) stamps FULL0 when the
 * block's first stage lands: the consumers' wait before their first K tile,
 * made there, made ptxas spill beside 128 accumulators. Waits only: it
 * arrives on nothing. (One wait, made before the first stage can complete,
 * so its parity names that phase; a wait a phase or more late would not.)
 */
static __device__ __forceinline__ void tl_observe(const tg_hopper_params *p, uint32_t full0,
                                                  int64_t first, int64_t tiles, tg_hkrange kr)
{
    if (first >= tiles || kr.k1 <= kr.k0)
        return;
    const tg_hring r = tg_hplan_ring_start();
    tg_mbar_wait(full0 + 8 * r.stage, tg_hplan_full_parity(r), TG_HANG(p, TG_TRAP_MBAR_FULL, r.stage));
    tl_stamp(TG_TL_FULL0);
}
#else
#define TG_TL(p, mark) ((void)0)
#endif
