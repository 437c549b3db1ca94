/*
 * kernel_streamk.cuh — stream-K's pieces of the hopper kernel
 * (STREAM_K=1): the K loop of one unit, a PARTIAL's publication, a FINAL's
 * gathering, and the walk of a block's units.
 *
 * Part of one hopper kernel instance: included by src/hopper/kernel.cuh at
 * this point of it (the instance's parameters, THREADS, ACC_N, TG_HANG and
 * the helpers above it are defined there); not a header of its own.
 */

/*
 * STREAM_K: consumer warpgroup wg's K loop over K tiles [k0, k1) of one
 * unit (k1 > k0: the plan gives every unit a K tile), the ring running on
 * from *r; every stage it read is handed back by the end (MMA_LAG=1: one
 * wgmma group in flight). The first K tile is peeled: no per-unit branch
 * around the waits (a `kt > k0` test there made ptxas serialize the wgmmas,
 * C7518), and its first k16 step overwrites the accumulators (zeroed
 * before it, they became copies of one zero register between fence and
 * wgmma: C7519). *held, the stage still in flight, is carried across units
 * by the caller (declared per unit, ptxas serialized the wgmmas too).
 */
static __device__ __forceinline__ void mainloop(const tg_hopper_params *p, const tg_htile *t,
                                                uint32_t ring, uint32_t full0, uint32_t empty0,
                                                tg_hring *r, tg_hring *held, int k0, int k1, int wg,
                                                int lane, float acc[M_PIECES][ACC_N])
{
    tg_mbar_wait(full0 + 8 * r->stage, tg_hplan_full_parity(*r), TG_HANG(p, TG_TRAP_MBAR_FULL, r->stage));
    mma_stage(t, ring, r->stage, wg, acc, true);
    *held = *r;
    *r = tg_hplan_ring_next(t, *r);
    for (int kt = k0 + 1; kt < k1; kt++) {
        tg_mbar_wait(full0 + 8 * r->stage, tg_hplan_full_parity(*r), TG_HANG(p, TG_TRAP_MBAR_FULL, r->stage));
        mma_stage(t, ring, r->stage, wg, acc);
        TG_WGMMA_WAIT(1);
        if (lane == 0)
            release(t, empty0, held->stage, 0);
        *held = *r;
        *r = tg_hplan_ring_next(t, *r);
    }
    TG_WGMMA_WAIT(0);
    if (lane == 0)
        release(t, empty0, held->stage, 0);
}

/*
 * STREAM_K: consumer wg of block b publishes its rows of a PARTIAL tile in
 * the block's slot (tg_hplan_sk_at: each thread its own float4s, a warp's
 * 512 bytes one line), then, once the warpgroup's stores are done, sets its
 * flag to the call's epoch (fence, then st.release at gpu scope).
 */
static __device__ __forceinline__ void sk_publish(const tg_hopper_params *p, const tg_htile *t,
                                                  int64_t b, int wg, int wtid,
                                                  float acc[M_PIECES][ACC_N])
{
    /* The thread's float4 v at dst[v * 128] (tg_hplan_sk_at): one base, constant offsets. */
    float4 *dst = (float4 *)((float *)p->sk + tg_hplan_sk_at(t, b, wg, 0, wtid));
#pragma unroll
    for (int mp = 0; mp < M_PIECES; mp++)
#pragma unroll
        for (int i = 0; i < ACC_N; i += 4)
            dst[(mp * ACC_N + i) / 4 * TG_H_WG_THREADS] =
                make_float4(acc[mp][i], acc[mp][i + 1], acc[mp][i + 2], acc[mp][i + 3]);
    tg_named_bar_sync(1 + wg, TG_H_WG_THREADS);
    if (wtid == 0) {
        __threadfence();
        tg_st_release_gpu_u64((char *)p->sk + tg_hplan_sk_flag(t, gridDim.x, b, wg), p->sk_epoch);
    }
}

/*
 * STREAM_K, a FINAL segment: consumer wg adds the partials of blocks from ..
 * b-1 to its accumulators, in that order (the same sums in every run), once
 * the producer thread saw every one of their flags hold the call's epoch
 * and arrived on `ready` (sk_wait_all): the waiting is the producer's,
 * whose registers are free; in the consumers, beside the accumulators, the
 * wait loop made ptxas spill. Each thread reads its own float4s through L2.
 */
static __device__ __forceinline__ void sk_gather(const tg_hopper_params *p, const tg_htile *t, int from,
                                                 int64_t b, int wg, int wtid, uint32_t ready,
                                                 float acc[M_PIECES][ACC_N])
{
    tg_mbar_wait(ready, 0, TG_HANG(p, TG_TRAP_SK_FLAG, from));
    const float4 *src = (const float4 *)((const float *)p->sk + tg_hplan_sk_at(t, from, wg, 0, wtid));
#pragma unroll 1
    for (int q = (int)b - from; q > 0; q--, src += BLOCK_M * BLOCK_N / 4) { /* slot by slot */
#pragma unroll
        for (int mp = 0; mp < M_PIECES; mp++)
#pragma unroll
            for (int i = 0; i < ACC_N; i += 4)
                tg_ld_cg_add_f32x4(src + (mp * ACC_N + i) / 4 * TG_H_WG_THREADS, &acc[mp][i]);
    }
}

/*
 * STREAM_K: the producer thread, after its last load, when the block's last
 * unit is a FINAL: waits until every consumer flag of blocks from .. b-1
 * holds the call's epoch (ld.acquire at gpu scope), then arrives on `ready`,
 * which the consumers wait on before they read those partials.
 */
static __device__ __forceinline__ void sk_wait_all(const tg_hopper_params *p, const tg_htile *t, int from,
                                                   int64_t b, uint32_t ready)
{
    for (int q = from; q < b; q++)
        for (int c = 0; c < CONSUMERS; c++)
            tg_flag_wait((const char *)p->sk + tg_hplan_sk_flag(t, gridDim.x, q, c), p->sk_epoch,
                         p->patience, p->trap, "hopper/" TG_STR(TG_NAME), TG_TRAP_SK_FLAG, (uint32_t)q,
                         (uint32_t)c);
    tg_mbar_arrive(ready);
}

/*
 * The block's work, unit by unit, the same for its producer and consumers:
 * its whole tiles first, w = first, first + step, ... below tiles - sk, over
 * K tiles kr (all, or its K rank's); then (STREAM_K) its stream-K segments
 * of the last sk tiles, which thread 0 listed in shared memory at the start
 * (`list`, `n` of them; plan.h tg_hplan_sk_unit): computed in the loop,
 * their 64-bit arithmetic stayed live beside the accumulators and ptxas
 * spilled and serialized the wgmmas. ndp: the whole tiles' count.
 */
enum { SK_UNITS = TG_H_SK_MAX_UNITS };
static __device__ __forceinline__ tg_hunit unit_of(int64_t first, int64_t step, int64_t ndp, tg_hkrange kr,
                                                   const tg_hunit *list, int64_t j)
{
    if (!STREAM_K || j < ndp) {
        tg_hunit u = {first + j * step, kr.k0, kr.k1, TG_HU_WHOLE, 0};
        return u;
    }
    return list[j - ndp];
}
