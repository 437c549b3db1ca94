/*
 * hopper_mutations.h — the broken plan functions test_hopper_verify.c runs
 * the hopper verifier on: each a copy of one function of src/hopper/plan.h
 * with one mistake someone could make there (a few a harmless relabelling,
 * which must pass), put in place of the real one in a copy of
 * tg_hplan_real_ops. Which checks must name each: test_hopper_verify.c's
 * mutation table. Included by that file alone (its one translation unit).
 */
#ifndef TG_TEST_HOPPER_MUTATIONS_H
#define TG_TEST_HOPPER_MUTATIONS_H

#include <stdint.h>

#include "hopper/verify.h"

static uint64_t with_sbo(uint64_t d, uint32_t sbo)
{
    return (d & ~((uint64_t)0x3FFF << 32)) | (uint64_t)(sbo >> 4) << 32;
}
static uint64_t with_mode(uint64_t d, unsigned mode)
{
    return (d & ~((uint64_t)3 << 62)) | (uint64_t)mode << 62;
}

/* The A and B descriptors of the real plan, edited by edit(desc, v): desc_a_NAME, desc_b_NAME. */
#define DESC_MUTANT(name, edit, v)                                                              \
    static uint64_t desc_a_##name(const tg_htile *t, uint32_t ring, int s, int mp, int kk)     \
    {                                                                                           \
        return edit(tg_hplan_desc_a(t, ring, s, mp, kk), v);                                    \
    }                                                                                           \
    static uint64_t desc_b_##name(const tg_htile *t, uint32_t ring, int s, int kk)              \
    {                                                                                           \
        return edit(tg_hplan_desc_b(t, ring, s, kk), v);                                        \
    }
/* SBO 512 or 2048 where 8 rows of 128 bytes are 1024 apart. */
DESC_MUTANT(sbo512, with_sbo, 512)
DESC_MUTANT(sbo2048, with_sbo, 2048)
/* The swizzle mode of the descriptor: 64-byte (2) or 32-byte (3) where TMA wrote 128-byte. */
DESC_MUTANT(sw64, with_mode, 2)
DESC_MUTANT(sw32, with_mode, 3)
#undef DESC_MUTANT
/* The start address stepped 16 bytes per k16 (8 bf16) instead of 32. */
static uint64_t desc_a_kstep16(const tg_htile *t, uint32_t ring, int s, int mp, int kk)
{
    return tg_hplan_desc(ring + tg_hplan_stage_a(t, s) +
                         (uint32_t)(mp * TG_H_WGMMA_M * TG_H_SWIZZLE_BYTES + kk * 16));
}
static uint64_t desc_b_kstep16(const tg_htile *t, uint32_t ring, int s, int kk)
{
    return tg_hplan_desc(ring + tg_hplan_stage_b(t, s) + (uint32_t)(kk * 16));
}

/* The ring position wraps one stage late: stage STAGES exists for a step. */
static tg_hring ring_next_late(const tg_htile *t, tg_hring r)
{
    if (++r.stage == t->stages + 1) {
        r.stage = 0;
        r.phase ^= 1;
    }
    return r;
}
static uint32_t full_parity_flipped(tg_hring r) { return r.phase ^ 1; }
static uint32_t empty_parity_unflipped(tg_hring r) { return r.phase; }

/* PRODUCER=0: stage_of one too high (stage STAGES), or wrapping one stage early. */
static int stage_of_plus1(const tg_htile *t, int kt) { return kt % t->stages + 1; }
static int stage_of_early(const tg_htile *t, int kt)
{
    return t->stages > 1 ? kt % (t->stages - 1) : 0;
}
/* A consistent relabelling of the stages: not a bug, the kernel computes the same. */
static int stage_of_rotated(const tg_htile *t, int kt) { return (kt + 1) % t->stages; }
static uint32_t parity_of_flipped(const tg_htile *t, int kt)
{
    return tg_hplan_parity_of(t, kt) ^ 1;
}

/* TMA placement without the swizzle; stage B's tile half over A's. */
static uint32_t tma_addr_unswizzled(uint32_t tile, int row, int col)
{
    return tile + (uint32_t)row * TG_H_SWIZZLE_BYTES + (uint32_t)col * 2;
}
static uint32_t stage_b_overlap(const tg_htile *t, int s)
{
    return tg_hplan_stage_a(t, s) + TG_H_A_BYTES(t->block_m) / 2;
}
/* The fragment map without the +8 rows of registers 4j+2, 4j+3. */
static tg_hrc frag_no_row8(int warp, int lane, int i)
{
    tg_hrc rc = tg_hplan_frag(warp, lane, i);
    if (i % 4 >= 2)
        rc.row -= 8;
    return rc;
}
/* Tiles numbered as if there were one batch item. */
static tg_htilepos tile_no_batch(const tg_htile *t, int64_t w, int64_t grid_m, int64_t grid_n,
                                 int rank)
{
    tg_htilepos x = tg_hplan_tile(t, w, grid_m, grid_n, rank);
    x.batch = 0;
    return x;
}

/* Clusters. Each block's A (B) slice multicast to itself only: its peers' stages miss it. */
static uint32_t a_mask_self(const tg_htile *t, int rank) { return (void)t, 1u << rank; }
static uint32_t b_mask_self(const tg_htile *t, int rank) { return (void)t, 1u << rank; }
/* A stage handed back to the block itself only: its peers' producers do not wait for it. */
static uint32_t release_mask_self(const tg_htile *t, int rank) { return (void)t, 1u << rank; }
/* A multicast to the next rank too, past the cluster's last. */
static uint32_t a_mask_outside(const tg_htile *t, int rank) { return tg_hplan_a_mask(t, rank) << 1; }
/* Each block's A slice one slice further down the box (the last one past its end). */
static int a_slice_row_next(const tg_htile *t, int rank)
{
    return tg_hplan_a_slice_row(t, rank) + (t->cluster_n > 1 ? tg_hplan_a_rows(t) : 0);
}
/* The next block's A slice (a relabelling, harmless: every slice loaded once, where it belongs). */
static int a_slice_row_rotated(const tg_htile *t, int rank)
{
    return (tg_hplan_rank_n(t, rank) + 1) % t->cluster_n * tg_hplan_a_rows(t);
}
/* The whole B box per block, as without a cluster. */
static int b_rows_whole(const tg_htile *t) { return t->block_n; }
/* Ranks taken column-major for the tile (the masks take them row-major). */
static tg_htilepos tile_rank_transposed(const tg_htile *t, int64_t w, int64_t grid_m,
                                        int64_t grid_n, int rank)
{
    const int rm = rank % t->cluster_m, rn = rank / t->cluster_m;
    return tg_hplan_tile(t, w, grid_m, grid_n, rm * t->cluster_n + rn);
}
/* Every block of a cluster computes the tile of rank 0. */
static tg_htilepos tile_rank0(const tg_htile *t, int64_t w, int64_t grid_m, int64_t grid_n, int rank)
{
    (void)rank;
    return tg_hplan_tile(t, w, grid_m, grid_n, 0);
}
/* Block tiles counted where the walk numbers cluster tiles. */
static int64_t tiles_of_blocks(const tg_htile *t, int64_t grid_m, int64_t grid_n, int64_t batch)
{
    (void)t;
    return grid_m * grid_n * batch;
}
/* Empty barriers counting one block's consumer warps, as without a cluster. */
static int empty_arrivals_one_block(const tg_htile *t) { return TG_H_EMPTY_ARRIVALS(t->consumers, 1, 1); }
/* One arrival short: the phase completes while one warp still reads. */
static int empty_arrivals_short(const tg_htile *t)
{
    return TG_H_EMPTY_ARRIVALS(t->consumers, t->cluster_m, t->cluster_n) - 1;
}
/* The ring position never flips its phase. */
static tg_hring ring_next_no_phase(const tg_htile *t, tg_hring r)
{
    if (++r.stage == t->stages)
        r.stage = 0;
    return r;
}

/*
 * K split. Each rank's K tiles run one into the next rank's (the last rank
 * still ends at K_TILES); each rank with K tiles stops one short of the
 * next rank's first; the ranks' ranges in reverse order (a relabelling,
 * harmless: every K tile still walked once). Without a K split (rank 0 of
 * 1) these and k_range_past_end are the real plan.
 */
static tg_hkrange k_range_overlap(const tg_htile *t, int k_tiles, int rank)
{
    tg_hkrange r = tg_hplan_k_range(t, k_tiles, rank);
    if (rank + 1 < t->split_k)
        r.k1 = tg_hplan_k_range(t, k_tiles, rank + 1).k0 + 1;
    return r;
}
static tg_hkrange k_range_gap(const tg_htile *t, int k_tiles, int rank)
{
    tg_hkrange r = tg_hplan_k_range(t, k_tiles, rank);
    if (rank + 1 < t->split_k && r.k1 > r.k0)
        r.k1--;
    return r;
}
static tg_hkrange k_range_reversed(const tg_htile *t, int k_tiles, int rank)
{
    return tg_hplan_k_range(t, k_tiles, t->split_k - 1 - rank);
}
/* The last rank's K tiles one past K_TILES (a box of TMA's zeros: C still right, a load wasted). */
static tg_hkrange k_range_past_end(const tg_htile *t, int k_tiles, int rank)
{
    tg_hkrange r = tg_hplan_k_range(t, k_tiles, rank);
    if (t->split_k > 1 && rank == t->split_k - 1)
        r.k1++;
    return r;
}
/* The kernel's C stored as it is, not transposed, under SWAP_AB too. */
static int64_t c_at_untransposed(int swap_ab, int64_t row, int64_t col, int64_t ldc)
{
    (void)swap_ab;
    return row * ldc + col;
}
/* Partial-tile rows BLOCK_N·4 - 16 bytes apart: a row's last 4 columns where the next row's first go. */
static uint32_t part_addr_short_pitch(const tg_htile *t, int row, int col)
{
    return (uint32_t)row * (uint32_t)(t->block_n * 4 - 16) + (uint32_t)col * 4;
}
/* Rows 32 bytes closer (BLOCK_N·4 apart, or BLOCK_N·4 + 32 at BLOCK_N = 8): apart, but an even
 * number of 32-byte units, so a half-warp's 4 rows share quarters of the banks. */
static uint32_t part_addr_unpadded(const tg_htile *t, int row, int col)
{
    return (uint32_t)row * (uint32_t)(TG_H_PART_PITCH(t->block_n) - 32) + (uint32_t)col * 4;
}
/* The partial tile after the stages, where the kernel has no shared memory. */
static uint32_t part_addr_past_ring(const tg_htile *t, int row, int col)
{
    return (uint32_t)t->stages * TG_H_STAGE_BYTES(t->block_m, t->block_n) + tg_hplan_part_addr(t, row, col);
}
/* The partial tile 8 bytes into the ring: the pair stores stay aligned, the 16-byte loads do not. */
static uint32_t part_addr_plus8(const tg_htile *t, int row, int col)
{
    return tg_hplan_part_addr(t, row, col) + 8;
}
/*
 * Columns 2, 3 of every 4 in the next row's place (row BLOCK_M-1's in row
 * 0's): each pair store inside the stages, aligned, apart from the others,
 * but a 16-byte load no longer reads 4 columns of one row.
 */
static uint32_t part_addr_split_group(const tg_htile *t, int row, int col)
{
    return tg_hplan_part_addr(t, col % 4 < 2 ? row : (row + 1) % t->block_m, col);
}
/* The last two columns of every row in the row's padding: the last 16-byte load of a row reads
 * two slots no store wrote (and the pair store's half-warp meets another row's banks). */
static uint32_t part_addr_last_in_padding(const tg_htile *t, int row, int col)
{
    if (col < t->block_n - 2)
        return tg_hplan_part_addr(t, row, col);
    return tg_hplan_part_addr(t, row, t->block_n) + 8 + (uint32_t)(col - (t->block_n - 2)) * 4;
}
/* Each rank's rows one into the next rank's (the last still ends at BLOCK_M); each rank's last row
 * left out; rank r summing rank r+1's rows (a relabelling, harmless). */
static tg_hkrange reduce_rows_overlap(const tg_htile *t, int rank)
{
    tg_hkrange r = tg_hplan_reduce_rows(t, rank);
    if (rank + 1 < t->split_k)
        r.k1++;
    return r;
}
static tg_hkrange reduce_rows_short(const tg_htile *t, int rank)
{
    tg_hkrange r = tg_hplan_reduce_rows(t, rank);
    r.k1--;
    return r;
}
static tg_hkrange reduce_rows_rotated(const tg_htile *t, int rank)
{
    return tg_hplan_reduce_rows(t, (rank + 1) % t->split_k);
}

/* Receive buffer: lanes 32 bytes apart (a quarter-warp's 8 lanes in two wavefronts, and lanes
 * 16-31 where the next float4's lanes 0-15 go). */
static uint32_t recv_addr_lane32(const tg_htile *t, int sender, int owner, int row, int q, int lane)
{
    return tg_hplan_recv_addr(t, sender, owner, row, q, 0) + (uint32_t)lane * 32;
}
/* Receive buffer: one piece further (the last piece's sends past the buffer's end). */
static uint32_t recv_addr_next_piece(const tg_htile *t, int sender, int owner, int row, int q, int lane)
{
    return tg_hplan_recv_addr(t, sender, owner, row, q, lane) + (uint32_t)(t->block_n / 8) * 512;
}
/* Receive buffer: 8 bytes in (aligned for 8-byte stores, not for 16). */
static uint32_t recv_addr_plus8(const tg_htile *t, int sender, int owner, int row, int q, int lane)
{
    return tg_hplan_recv_addr(t, sender, owner, row, q, lane) + 8;
}
/* Receive buffer: the senders' slots in reverse order (a relabelling, harmless). */
static uint32_t recv_addr_slots_reversed(const tg_htile *t, int sender, int owner, int row, int q, int lane)
{
    const int s = sender - (sender > owner), rs = t->split_k - 2 - s;
    return tg_hplan_recv_addr(t, rs + (rs >= owner), owner, row, q, lane);
}
/* Every piece to rank 0 (the others' barriers wait for bytes that never come). */
static int owner_rank0(const tg_htile *t, int row)
{
    (void)t;
    (void)row;
    return 0;
}
/* Each piece to the next rank (its rows not that rank's: the receive slots collide or overrun). */
static int owner_next(const tg_htile *t, int row)
{
    return (tg_hplan_owner(t, row) + 1) % t->split_k;
}
/* The receive buffer at the ring's base, where the stages are. */
static uint32_t recv_base_ring(const tg_htile *t)
{
    (void)t;
    return 0;
}

/* EPILOGUE=tma: the staging buffer written without the swizzle the TMA store reads with. */
static uint32_t epi_addr_unswizzled(uint32_t buf, int row, int byte)
{
    return buf + (uint32_t)row * TG_H_SWIZZLE_BYTES + (uint32_t)byte;
}

/* fp32 staging: every lane the same column group per slot (the order before the "banks" check). */
static int epi_group_same(int lane, int slot)
{
    (void)lane;
    return slot;
}
/* fp32 staging: groups 0, 0, 2, 2 (two groups never staged, two twice). */
static int epi_group_repeat(int lane, int slot) { return (slot / 2 * 2) ^ (lane / 4 % 4 & 2); }

/* fp32 staging: a lane's base without its column group's part (addresses as if every lane
 * stored group `slot`, while the registers still follow epi_group). */
static uint32_t epi_lane_no_group(uint32_t buf, int warp, int lane, int f32)
{
    const uint32_t q = (uint32_t)lane / 4 % 8, c = (uint32_t)lane % 4;
    if (!f32)
        return tg_hplan_epi_lane(buf, warp, lane, f32);
    return buf + (16 * (uint32_t)warp + q) * TG_H_SWIZZLE_BYTES + 16 * ((c / 2) ^ q) + 8 * (c % 2);
}
/* bf16 staging: the lane's base without the swizzle (unit 0 for every row). */
static uint32_t epi_lane_bf16_unswizzled(uint32_t buf, int warp, int lane, int f32)
{
    if (f32)
        return tg_hplan_epi_lane(buf, warp, lane, f32);
    return buf + (16 * (uint32_t)warp + (uint32_t)lane / 4 % 8) * TG_H_SWIZZLE_BYTES + 4 * ((uint32_t)lane % 4);
}
/* The row half's 8 rows added as 8 bytes instead of 8 rows of 128 bytes. */
static uint32_t epi_at_h8(uint32_t lane_base, int step, int h, int f32)
{
    return (lane_base ^ ((f32 ? 32u : 16u) * (uint32_t)step)) + 8u * (uint32_t)h;
}

/* Stream-K: a block's segments walked last first (its FINAL waits before its PARTIAL is out). */
static tg_hunit sk_unit_final_first(int64_t tiles, int64_t k_tiles, int64_t blocks, int64_t sk_tiles, int64_t b,
                                    int j)
{
    const int n = tg_hplan_sk_units(k_tiles, blocks, sk_tiles, b);
    return tg_hplan_sk_unit(tiles, k_tiles, blocks, sk_tiles, b, n - 1 - j);
}
/* Stream-K: a FINAL that waits from the block after the one holding its tile's first K tiles. */
static tg_hunit sk_unit_from_next(int64_t tiles, int64_t k_tiles, int64_t blocks, int64_t sk_tiles, int64_t b,
                                  int j)
{
    tg_hunit u = tg_hplan_sk_unit(tiles, k_tiles, blocks, sk_tiles, b, j);
    if (u.kind == TG_HU_FINAL)
        u.from++;
    return u;
}
/* Stream-K: block 0 walks one whole tile more, the first of the shared ones. */
static int64_t dp_units_one_more(int64_t tiles, int64_t sk_tiles, int64_t blocks, int64_t b)
{
    return tg_hplan_dp_units(tiles, sk_tiles, blocks, b) + (b == 0);
}
/* Stream-K: the last round and one more shared (each block's share past a tile's K tiles). */
static int64_t sk_tiles_two_rounds(int64_t tiles, int64_t k_tiles, int64_t blocks)
{
    const int64_t r = tg_hplan_sk_tiles(tiles, k_tiles, blocks);
    return r && tiles >= r + blocks ? r + blocks : r;
}

/* Every tile shared whenever there are fewer tiles than blocks, whatever the grid: on a grid that
 * is not S blocks a tile (131 tiles on 132 blocks) the blocks' shares cross tiles unevenly. */
static int64_t sk_tiles_any_few(int64_t tiles, int64_t k_tiles, int64_t blocks)
{
    return tiles < blocks && k_tiles >= 1 ? tiles : tg_hplan_sk_tiles(tiles, k_tiles, blocks);
}

#endif /* TG_TEST_HOPPER_MUTATIONS_H */
