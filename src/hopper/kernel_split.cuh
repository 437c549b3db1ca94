/*
 * kernel_split.cuh — how a K split's partial tiles meet
 * (SPLIT_K > 1): sent to the rank that stores them (SPLIT_K = 2), or kept
 * in the rings and pulled after a cluster barrier (SPLIT_K > 2).
 *
 * Part of one hopper kernel instance: included by src/hopper/kernel.cuh at
 * this point of it (the instance's parameters, THREADS, ACC_N, TG_HANG and
 * the helpers above it are defined there); not a header of its own.
 */

/*
 * SPLIT_K > 2: consumer c puts its accumulators in the block's partial
 * tile (plan.h tg_hplan_part_addr), once every consumer's wgmmas are done
 * reading the ring it overwrites (the named barrier; ids 1 + c are the TMA
 * epilogue's, which a split does not have). No proxy fence: every TMA
 * write to the ring was observed through its full barrier and every wgmma
 * read completed (wait_group 0), and both complete with the generic proxy
 * ordered after them (docs/HOPPER-PTX.md).
 */
static __device__ __forceinline__ void store_partial(const tg_htile *t, uint32_t ring, int c, int wtid,
                                                     float acc[M_PIECES][ACC_N])
{
    tg_named_bar_sync(BAR_CONSUMERS, CONSUMER_THREADS);
    const int warp = wtid / 32, lane = wtid % 32;
#pragma unroll
    for (int mp = 0; mp < M_PIECES; mp++)
#pragma unroll
        for (int i = 0; i < ACC_N; i += 2) {
            const tg_hrc f = tg_hplan_frag(warp, lane, i);
            tg_st_shared_f32x2(ring + tg_hplan_part_addr(t, c * CONSUMER_M + mp * TG_H_WGMMA_M + f.row, f.col),
                               acc[mp][i], acc[mp][i + 1]);
        }
}

/*
 * SPLIT_K > 2, after the cluster synced on every block's partial tile:
 * consumer thread `ctid` of block `rank` sums 4 columns at a time of the
 * block's rows (tg_hplan_reduce_rows) over the ranks' partials, rank 0
 * first, and stores them with alpha and beta.
 */
static __device__ __forceinline__ void reduce_(const tg_hopper_params *p, const tg_htile *t,
                                               uint32_t ring, tg_htilepos x, int rank, int ctid,
                                               const bool read)
{
    const tg_hkrange rows = tg_hplan_reduce_rows(t, rank);
    const int per_row = BLOCK_N / 4;
    const int chunks = (rows.k1 - rows.k0) * per_row;
    void *out = (char *)p->c + x.batch * p->stride_c * (p->c_dtype == TG_DTYPE_F32 ? 4 : 2);
#pragma unroll 1
    for (int e = ctid; e < chunks; e += CONSUMER_THREADS) {
        const int row = rows.k0 + e / per_row, col = e % per_row * 4;
        const uint32_t at = ring + tg_hplan_part_addr(t, row, col);
        float4 s = tg_ld_cluster_f32x4(at, 0);
#pragma unroll
        for (int q = 1; q < SPLIT_K; q++) {
            const float4 v = tg_ld_cluster_f32x4(at, (uint32_t)q);
            s.x += v.x;
            s.y += v.y;
            s.z += v.z;
            s.w += v.w;
        }
        const int64_t grow = x.row * BLOCK_M + row, gcol = x.col * BLOCK_N + col;
        store_pair(p, out, grow, gcol, s.x, s.y, read);
        store_pair(p, out, grow, gcol + 2, s.z, s.w, read);
    }
}

static __device__ __forceinline__ void reduce(const tg_hopper_params *p, const tg_htile *t,
                                              uint32_t ring, tg_htilepos x, int rank, int ctid)
{
    if (p->beta != 0.0f)
        reduce_(p, t, ring, x, rank, ctid, true);
    else
        reduce_(p, t, ring, x, rank, ctid, false);
}

/*
 * SPLIT_K = 2, consumer c's partial tile, once its wgmmas completed
 * (plan.h tg_hplan_owner): each 16-row piece that another K rank owns goes
 * to that rank's receive buffer by st.async, completing bytes on its
 * receive barrier; the pieces this rank owns wait for that barrier (every
 * other rank's bytes), add the ranks' partials, rank 0 first, and are
 * stored with alpha and beta. No cluster sync around it: the buffer lies
 * past the ring (another rank may still be filling its ring), and a block
 * that only sends may leave (st.async sends its registers' values).
 */
static __device__ __forceinline__ void exchange_(const tg_hopper_params *p, const tg_htile *t,
                                                 uint32_t ring, uint32_t recv_bar, tg_htilepos x, int c,
                                                 int wtid, float acc[M_PIECES][ACC_N], const bool read)
{
    const int rank = (int)tg_cluster_rank(), warp = wtid / 32, lane = wtid % 32;
    const uint32_t recv = ring + tg_hplan_recv_base(t);
    tg_cluster_wait(); /* every rank's receive barrier is set up (each arrived after it) */
    bool owns = false;
#pragma unroll
    for (int mp = 0; mp < M_PIECES; mp++) {
        const int row = c * CONSUMER_M + mp * TG_H_WGMMA_M + warp * 16;
        const int owner = tg_hplan_owner(t, row);
        if (owner == rank) {
            owns = true;
            continue;
        }
#pragma unroll
        for (int q = 0; q < ACC_N / 4; q++)
            tg_st_async_f32x4(recv + tg_hplan_recv_addr(t, rank, owner, row, q, lane), recv_bar,
                              (uint32_t)owner, acc[mp][4 * q], acc[mp][4 * q + 1], acc[mp][4 * q + 2],
                              acc[mp][4 * q + 3]);
    }
    if (!owns)
        return;
    /* (tg_mbar_wait's bounded loop, acquiring at cluster scope; the trap says the bytes awaited) */
    for (uint32_t tries = 0; !tg_mbar_try_wait_cluster(recv_bar, 0); tries++)
        if (tries == p->patience)
            tg_trap_why(p->trap, "hopper/" TG_STR(TG_NAME), TG_TRAP_SPLIT_RECV, (uint32_t)rank,
                        (uint32_t)RECV_BYTES);
    void *out = (char *)p->c + x.batch * p->stride_c * (p->c_dtype == TG_DTYPE_F32 ? 4 : 2);
#pragma unroll
    for (int mp = 0; mp < M_PIECES; mp++) {
        const int row = c * CONSUMER_M + mp * TG_H_WGMMA_M + warp * 16;
        if (tg_hplan_owner(t, row) != rank)
            continue;
#pragma unroll
        for (int q = 0; q < ACC_N / 4; q++) {
            const float4 own = make_float4(acc[mp][4 * q], acc[mp][4 * q + 1], acc[mp][4 * q + 2],
                                           acc[mp][4 * q + 3]);
            float4 sum = rank == 0 ? own : tg_ld_shared_f32x4(recv + tg_hplan_recv_addr(t, 0, rank, row, q, lane));
#pragma unroll
            for (int r = 1; r < SPLIT_K; r++) {
                const float4 v =
                    r == rank ? own : tg_ld_shared_f32x4(recv + tg_hplan_recv_addr(t, r, rank, row, q, lane));
                sum.x += v.x;
                sum.y += v.y;
                sum.z += v.z;
                sum.w += v.w;
            }
            acc[mp][4 * q] = sum.x;
            acc[mp][4 * q + 1] = sum.y;
            acc[mp][4 * q + 2] = sum.z;
            acc[mp][4 * q + 3] = sum.w;
        }
        store_piece(p, out, x.row * BLOCK_M + c * CONSUMER_M + mp * TG_H_WGMMA_M, x.col * BLOCK_N, warp,
                    lane, acc[mp], read);
    }
}

static __device__ __forceinline__ void exchange(const tg_hopper_params *p, const tg_htile *t, uint32_t ring,
                                                uint32_t recv_bar, tg_htilepos x, int c, int wtid,
                                                float acc[M_PIECES][ACC_N])
{
    if (p->beta != 0.0f)
        exchange_(p, t, ring, recv_bar, x, c, wtid, acc, true);
    else
        exchange_(p, t, ring, recv_bar, x, c, wtid, acc, false);
}
