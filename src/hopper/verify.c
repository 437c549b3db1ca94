/*
 * verify.c — the hopper family's CPU verifier: the plan's functions
 * (src/hopper/plan.h, through a table: verify.h) run the way the kernel
 * (kernel.cuh) runs them, against definitions taken from the PTX ISA
 * (docs/HOPPER-PTX.md), with no GPU. Each check names itself in the report
 * ("  FAIL <check>: ..."):
 *   layout     every swizzled buffer (each stage's A and B tiles, each
 *              consumer's two EPILOGUE=tma staging buffers) starts on a
 *              1024-byte boundary (the swizzle is taken on absolute
 *              addresses), none overlaps another, all fit the shared memory
 *              the kernel is given; in a cluster each block's slice of the
 *              A and B boxes (a_slice_row, a_rows; b_...) lies inside the
 *              box and starts on a 1024-byte boundary;
 *   tma        (a) where a TMA box lands: the plan's placement of every
 *              element equals the ISA's 128-byte swizzle on absolute
 *              addresses, each element at a distinct byte inside its tile;
 *              the staging buffers are written where the TMA store reads;
 *   banks      shared-memory stores that are meant to take one wavefront a
 *              warp (8-byte stores: one a half-warp), by the 32-bank model:
 *              the EPILOGUE=tma staging stores (epi_group's order), and with
 *              SPLIT_K = 2 the receive buffer's 16-byte loads and stores
 *              (recv_addr: a quarter-warp's 8 lanes in 128 bytes), with
 *              SPLIT_K > 2 the partial tile's stores (part_addr's padded
 *              rows: a half-warp's 4 rows in 4 quarters of the banks);
 *   operands   (b) what each wgmma reads, through the kernel's own
 *              descriptors decoded field by field as the ISA defines them
 *              (start address, LBO, SBO, swizzle mode none/128/64/32-byte;
 *              base offset and reserved bits must be 0), is A[m][k] or
 *              B[n][k] of its m64 piece and k16 step, for every stage and
 *              every consumer's pieces; plan.h's own decoder agrees;
 *   fragment   (c) the plan's accumulator map equals the ISA's m64nNk16
 *              fragment (CUTLASS's CLayout_64xN), each (row, column) held
 *              once, registers i and i+1 adjacent columns (the epilogue's
 *              pair stores);
 *   execution  whole GEMMs on four small shapes (ragged edges, K not a
 *              multiple of 64, more K tiles than stages, 3 batch items;
 *              with a cluster a fifth: (CLUSTER_M+1) x (CLUSTER_N+1) block
 *              tiles, so grid_m, grid_n are not multiples of the cluster's,
 *              2 items), emulated block by block as the kernel runs them:
 *              the tiles a block walks (tg_hplan_tiles, tg_hplan_tile;
 *              PERSISTENT=1 as 3 blocks — 3 clusters, each block with its
 *              own shared memory — walking cluster tiles q, q+3, ...,
 *              several each, across batch items), each K tile into the
 *              stage the kernel picks (tg_hplan_stage_of and refill for
 *              PRODUCER=0; for PRODUCER=1 the ring positions, continuing
 *              across tiles, the producers loading as far ahead as the ring
 *              lets them), TMA boxes with zeros outside A and B into the
 *              emulated shared memory — in a cluster each block's slices
 *              (a_rows rows from a_slice_row, at that offset) into every
 *              block of its masks (a_mask, b_mask) — and every byte of the
 *              stage a consumer reads written exactly once for its K step
 *              (by the blocks that share it: none missed, none twice, none
 *              left from an earlier trip), each consumer's wgmmas through
 *              its descriptors, registers filled as the ISA fragment says,
 *              the epilogue storing them through the plan's map at row
 *              c·BLOCK_M/CONSUMERS (EPILOGUE=tma, when C's rows are 16-byte
 *              multiples: through the staging buffers and emulated TMA
 *              stores, every slot written before it is stored), a block
 *              whose tile lies past C's edge storing nothing. With
 *              SPLIT_K > 1 (two more shapes: SPLIT_K·(STAGES+1)+1 K
 *              tiles, not a multiple of SPLIT_K, each rank's ring
 *              wrapping; SPLIT_K-1, fewer than the ranks) each tile's
 *              SPLIT_K blocks, each with its own shared memory, walk the
 *              K tiles of k_range (inside [0, K_TILES), together every K
 *              tile once, a rank may get none) as a lone block walks all
 *              of them. SPLIT_K = 2: each warp's 16-row piece of a partial tile goes to
 *              its owner (owner: a rank whose BLOCK_M/SPLIT_K rows hold the
 *              piece) — kept in registers by the owner, sent by the others
 *              as 16-byte stores at recv_addr in the owner's receive buffer
 *              (inside it, aligned, no two elements in one slot); every
 *              rank's buffer must get exactly the bytes its barrier waits
 *              for (fewer: the kernel hangs; more: it reads before they
 *              land); each owner adds every rank's partial of its pieces,
 *              rank 0 first, the loads at recv_addr (each slot written for
 *              this tile by that rank with the element the load takes it
 *              for), and stores them. SPLIT_K > 2: their consumers store
 *              the partial tile, each pair 8 bytes at part_addr (inside
 *              the stages, aligned, no two elements in one slot); after
 *              the cluster sync each rank sums the rows of reduce_rows
 *              (every row of the tile by one rank) over every rank's
 *              partial, 16-byte loads at part_addr (aligned, inside the
 *              stages, each slot written for this tile with the element
 *              the load takes it for), and stores them. Every store inside
 *              C, every C element written exactly once and equal to an
 *              exact integer GEMM;
 *   ring       (d) PRODUCER=0: the stage and parity schedule for K loops of
 *              1 .. 3·STAGES+1 tiles (each wait returns once its own tile
 *              has landed, not before; no stage refilled before its
 *              iteration is done). PRODUCER=1: a model checker
 *              (verify_ring.c). The producer thread, the consumer warps
 *              (all 4 of a single consumer, 2 of each of two) and the
 *              landing of each TMA load are actors over mbarriers with the
 *              ISA's parity rule (a wait on parity x returns iff the
 *              completed phases E have E & 1 != x) and transaction counts;
 *              the consumers hand stages back as MMA_LAG says; every
 *              interleaving is explored (memoized search over encoded
 *              states, warps interchangeable) for K loops of 1..5 tiles
 *              (1..STAGES+2 without PERSISTENT) and 1..3 tiles per
 *              persistent block. With a cluster, then every block of it:
 *              its producer, its 4·CONSUMERS warps, each copy of its slices
 *              landing in each block of its masks as an event of its own,
 *              hand-backs to every block of release_mask, empty barriers
 *              expecting TG_H_EMPTY_ARRIVALS (ops->empty_arrivals) — the cluster's rules
 *              first (each full barrier gets its stage's bytes, each block
 *              hands back to exactly the blocks that fill it, each empty
 *              barrier expects their warps), then every interleaving up to
 *              the order of independent moves (a partial-order reduction,
 *              checked against the full search in the tests) for 1..5 x
 *              1..3. Proven: no deadlock, a consumer's wait returns only
 *              when its stage holds its own K tile, every byte landed, and
 *              no load is issued into (or lands in) a stage of any block
 *              before every consumer warp of that block handed it back.
 * Mutation tests (tests/test_hopper_verify.c) break one plan function at a
 * time — descriptor SBO, swizzle mode and K step, TMA and staging swizzle,
 * stage layout, fragment, tile numbering, ring wrap, phases, stage and
 * parity indices, empty arrivals; a cluster's masks, slices, hand-backs,
 * tile ranks and tile count; a K split's K ranges (overlapping, with a
 * gap, past K_TILES), partial-tile addresses (rows colliding, unpadded,
 * past the stages, misaligned, a 16-byte group split across rows) and
 * reduction rows (overlapping, missing) — and assert which checks name it;
 * tests/test_hopper_emulator_gpu.c holds tg_hopper_emulate (the execution
 * check's emulator on a whole GEMM) against the GPU, bit for bit. Not
 * modelled: a descriptor base offset (the kernel keeps every buffer
 * atom-aligned), the bf16-C TMA epilogue, the TMA stores' own ordering
 * (the staging buffers' bulk-group waits), the cluster's start and end
 * (the cluster barriers around the kernel: every block's mbarriers are
 * initialised before any peer's copy or arrival reaches them, and no block
 * exits while a peer may still write to it), and with a K split the
 * cluster sync between the partial stores and the sums (every rank's
 * partial tile is emulated complete before any rank reads it), the named
 * barrier before the partial overwrites the ring (the emulation keeps the
 * partial apart from the stages' bytes), the banks of the sums' loads
 * (distributed shared memory) and the order of the fp32 sums (exact
 * integers in any order).
 *
 * This file: the report, the ISA's TMA placement and descriptor decoding,
 * the layout, tma, banks, operands and fragment checks, and the entry points
 * tg_hopper_verify(_ops). The execution check and tg_hopper_emulate are in
 * verify_exec.c (a K split's partial tiles and sums in verify_split.c),
 * the ring check and tg_hopper_ring_model in verify_ring.c (its search in
 * verify_search.c); what they share: verify_check.h (and verify_exec.h,
 * the emulator's two files; verify_ring.h, the ring model's two).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hopper/verify_check.h"

/* ------------------------------------------------------------------------
 * The report: failures counted per check, the first few of each described
 * ---------------------------------------------------------------------- */

static const char *const check_names[CHECKS] = {"layout",   "tma",       "banks",   "operands",
                                                "fragment", "execution", "ring", "stream-k"};

report tg_hv_report(char *buf, size_t len) { return tg_report_init(buf, len, check_names, CHECKS); }

/* ------------------------------------------------------------------------
 * The hardware, from the PTX ISA (not from the plan)
 * ---------------------------------------------------------------------- */

/*
 * TMA, 128-byte swizzle (the tensor maps of family.c), box of 64 bf16 per
 * row: rows packed at 128 bytes, the swizzle applied to the absolute
 * shared address (docs/HOPPER-PTX.md 3.1-3.3).
 */
static uint32_t isa_tma_addr(uint32_t tile, int row, int col)
{
    return isa_swizzle(tile + (uint32_t)row * 128 + (uint32_t)col * 2, 128);
}

/*
 * The matrix descriptor (ISA "Matrix Descriptor Format"; docs/HOPPER-PTX.md
 * 5-6): bits 0-13 start >> 4, 16-29 LBO >> 4, 32-45 SBO >> 4, 49-51 base
 * offset, 62-63 swizzle mode. K-major canonical layouts, T = 8 bf16 (16
 * bytes), element (row, k) of a k16 slice:
 *   swizzled, span W (128/64/32 bytes): ((8,m),(T,2k)):((W/2,SBO),(1,T))
 *     -> L = start + (row%8)·W + (row/8)·SBO + 2k, byte = swizzle_W(L);
 *     LBO is unused ("assumed 1");
 *   none: ((8,m),(T,2k)):((T,SBO),(1,LBO))
 *     -> start + (row%8)·16 + (row/8)·SBO + (k%8)·2 + (k/8)·LBO.
 */
uint32_t tg_hopper_isa_desc_addr(uint64_t desc, int row, int k)
{
    const uint64_t reserved = (uint64_t)3 << 14 | (uint64_t)3 << 30 | (uint64_t)7 << 46 |
                              (uint64_t)0x3FF << 52;
    if (desc & reserved || (desc >> 49 & 7) != 0 || row < 0 || k < 0 || k >= 16)
        return TG_HOPPER_BAD_ADDR;
    const uint32_t start = (uint32_t)(desc & 0x3FFF) << 4;
    const uint32_t lbo = (uint32_t)(desc >> 16 & 0x3FFF) << 4;
    const uint32_t sbo = (uint32_t)(desc >> 32 & 0x3FFF) << 4;
    static const uint32_t span[4] = {0, 128, 64, 32};
    const uint32_t w = span[desc >> 62];
    if (w == 0)
        return start + (uint32_t)(row % 8) * 16 + (uint32_t)(row / 8) * sbo + (uint32_t)(k % 8) * 2 +
               (uint32_t)(k / 8) * lbo;
    return isa_swizzle(start + (uint32_t)(row % 8) * w + (uint32_t)(row / 8) * sbo + (uint32_t)k * 2,
                       w);
}

/* ------------------------------------------------------------------------
 * The real plan, as a table
 * ---------------------------------------------------------------------- */

/* What the kernel initialises its empty barriers with (kernel.cuh: TG_H_EMPTY_ARRIVALS). */
static int empty_arrivals(const tg_htile *t)
{
    return TG_H_EMPTY_ARRIVALS(t->consumers, t->cluster_m, t->cluster_n);
}

const tg_hplan_ops tg_hplan_real_ops = {
    .stage_a = tg_hplan_stage_a,
    .stage_b = tg_hplan_stage_b,
    .desc_a = tg_hplan_desc_a,
    .desc_b = tg_hplan_desc_b,
    .frag = tg_hplan_frag,
    .c_at = tg_hplan_c_at,
    .epi_buf = tg_hplan_epi_buf,
    .epi_addr = tg_hplan_epi_addr,
    .epi_group = tg_hplan_epi_group,
    .epi_lane = tg_hplan_epi_lane,
    .epi_at = tg_hplan_epi_at,
    .tiles = tg_hplan_tiles,
    .tile = tg_hplan_tile,
    .a_rows = tg_hplan_a_rows,
    .b_rows = tg_hplan_b_rows,
    .a_slice_row = tg_hplan_a_slice_row,
    .b_slice_row = tg_hplan_b_slice_row,
    .a_mask = tg_hplan_a_mask,
    .b_mask = tg_hplan_b_mask,
    .release_mask = tg_hplan_release_mask,
    .empty_arrivals = empty_arrivals,
    .k_range = tg_hplan_k_range,
    .part_addr = tg_hplan_part_addr,
    .reduce_rows = tg_hplan_reduce_rows,
    .owner = tg_hplan_owner,
    .recv_addr = tg_hplan_recv_addr,
    .recv_base = tg_hplan_recv_base,
    .stage_of = tg_hplan_stage_of,
    .parity_of = tg_hplan_parity_of,
    .refill = tg_hplan_refill,
    .ring_start = tg_hplan_ring_start,
    .ring_next = tg_hplan_ring_next,
    .full_parity = tg_hplan_full_parity,
    .empty_parity = tg_hplan_empty_parity,
    .sk_tiles = tg_hplan_sk_tiles,
    .dp_units = tg_hplan_dp_units,
    .sk_units = tg_hplan_sk_units,
    .sk_unit = tg_hplan_sk_unit,
    .tma_addr = tg_hplan_tma_addr,
    .desc_addr = tg_hopper_isa_desc_addr,
};

/* ------------------------------------------------------------------------
 * layout, tma, operands, fragment
 * ---------------------------------------------------------------------- */

/*
 * Every swizzled buffer the kernel addresses — stage s's A and B tiles, and
 * with EPILOGUE=tma each consumer's two staging buffers — on a 1024-byte
 * boundary, inside the shared memory the kernel is given, and apart.
 */
static void check_layout(const tg_htile *t, const tg_hplan_ops *ops, report *r)
{
    enum { MAX_BUFS = 2 * TG_H_MAX_STAGES + 2 * TG_H_EPI_BUFFERS + 1 };
    uint32_t lo[MAX_BUFS], hi[MAX_BUFS];
    char name[MAX_BUFS][64];
    int n = 0;
    for (int s = 0; s < t->stages; s++)
        for (int op = 0; op < 2; op++) {
            lo[n] = op ? ops->stage_b(t, s) : ops->stage_a(t, s);
            hi[n] = lo[n] + (op ? TG_H_B_BYTES(t->block_n) : TG_H_A_BYTES(t->block_m));
            snprintf(name[n++], sizeof name[0], "stage %d's %s tile", s, op ? "B" : "A");
        }
    if (t->epilogue)
        for (int c = 0; c < t->consumers; c++)
            for (int b = 0; b < TG_H_EPI_BUFFERS; b++) {
                lo[n] = ops->epi_buf(t, c, b);
                hi[n] = lo[n] + TG_H_EPI_BYTES;
                snprintf(name[n++], sizeof name[0], "consumer %d's staging buffer %d", c, b);
            }
    if (TG_H_SPLIT_SENDS(t->split_k)) {
        lo[n] = ops->recv_base(t);
        hi[n] = lo[n] + TG_H_RECV_BYTES(t->block_m, t->block_n, t->split_k);
        snprintf(name[n++], sizeof name[0], "the split-K receive buffer");
    }
    /*
     * In a cluster each block's TMA writes its slice of a box from a_slice_row
     * (b_slice_row) on: inside the box's tile, on the swizzle pattern's
     * boundary (so it lands where the whole box's rows would).
     */
    const int blocks = TG_H_CLUSTER(t->cluster_m, t->cluster_n);
    for (int rank = 0; rank < blocks; rank++)
        for (int op = 0; op < 2; op++) {
            const int row = op ? ops->b_slice_row(t, rank) : ops->a_slice_row(t, rank);
            const int rows = op ? ops->b_rows(t) : ops->a_rows(t), box = op ? t->block_n : t->block_m;
            const int64_t at = (int64_t)(op ? ops->stage_b(t, 0) : ops->stage_a(t, 0)) +
                               (int64_t)row * TG_H_SWIZZLE_BYTES;
            if (row < 0 || rows < 1 || row + rows > box)
                tg_report_fail(r, CK_LAYOUT, "block %d's slice of the %s box, rows [%d, %d), is not inside "
                               "the box's %d rows", rank, op ? "B" : "A", row, row + rows, box);
            else if ((RING + at) % TG_H_SWIZZLE_ATOM)
                tg_report_fail(r, CK_LAYOUT, "block %d's slice of the %s box starts at ring offset %lld, not "
                               "on a 1024-byte boundary", rank, op ? "B" : "A", (long long)at);
        }
    for (int i = 0; i < n; i++) {
        if ((RING + lo[i]) % TG_H_SWIZZLE_ATOM)
            tg_report_fail(r, CK_LAYOUT, "%s at ring offset %u is not on a 1024-byte boundary", name[i], lo[i]);
        if (hi[i] > ring_bytes(t) || hi[i] < lo[i])
            tg_report_fail(r, CK_LAYOUT, "%s ends at %u, past the %u bytes the kernel is given after the "
                           "ring's base", name[i], hi[i], ring_bytes(t));
        for (int j = 0; j < i; j++)
            if (lo[i] < hi[j] && lo[j] < hi[i])
                tg_report_fail(r, CK_LAYOUT, "%s [%u, %u) overlaps %s [%u, %u)", name[i], lo[i], hi[i],
                               name[j], lo[j], hi[j]);
    }
}

/* Every element of a rows x 64 box: where the ISA puts it, inside the tile, once. */
static void check_tma(const tg_htile *t, const tg_hplan_ops *ops, uint32_t tile, int rows,
                      const char *what, int s, report *r)
{
    const uint32_t bytes = (uint32_t)rows * TG_H_SWIZZLE_BYTES;
    unsigned char *seen = calloc(bytes, 1);
    if (!seen) {
        tg_report_fail(r, CK_TMA, "out of memory");
        return;
    }
    for (int row = 0; row < rows; row++)
        for (int col = 0; col < t->block_k; col++) {
            const uint32_t a = ops->tma_addr(tile, row, col), want = isa_tma_addr(tile, row, col);
            if (a != want)
                tg_report_fail(r, CK_TMA, "stage %d, %s element (%d,%d): the plan puts it at byte %u, the "
                               "128-byte swizzle of TMA at %u", s, what, row, col, a, want);
            if (a < tile || a + 2 > tile + bytes || a % 2)
                tg_report_fail(r, CK_TMA, "stage %d, %s element (%d,%d) lands at %u, outside its tile [%u, %u)",
                               s, what, row, col, a, tile, tile + bytes);
            else if (seen[a - tile]++)
                tg_report_fail(r, CK_TMA, "stage %d, %s element (%d,%d) lands where another one did", s, what,
                               row, col);
        }
    free(seen);
}

/*
 * EPILOGUE=tma: a staging buffer is written by the threads and read by a
 * TMA store of 64 rows x 128 bytes with the 128-byte swizzle (or, where TMA
 * cannot store C, by the warpgroup at the plan's epi_addr): epi_addr puts
 * each 4-byte (fp32) and 2-byte (bf16) element where TMA reads it, and every
 * staging store, at the address the kernel computes (epi_lane, epi_at), puts
 * the registers the ISA's fragment gives the lane where TMA reads their
 * elements: fp32, slot by slot the group epi_group names; bf16, each n8
 * block of a 64-column chunk.
 */
static void check_epi(const tg_hplan_ops *ops, uint32_t buf, const char *what, report *r)
{
    for (int row = 0; row < TG_H_WGMMA_M; row++)
        for (int byte = 0; byte < TG_H_SWIZZLE_BYTES; byte += 2) {
            const uint32_t got = ops->epi_addr(buf, row, byte);
            const uint32_t want = isa_swizzle(buf + (uint32_t)row * TG_H_SWIZZLE_BYTES + (uint32_t)byte, 128);
            if (got != want) {
                tg_report_fail(r, CK_TMA, "%s, row %d byte %d: written at %u, the TMA store reads it at %u",
                               what, row, byte, got, want);
                return;
            }
        }
    for (int warp = 0; warp < 4; warp++)
        for (int lane = 0; lane < 32; lane++)
            for (int h = 0; h < 2; h++)
                for (int f32 = 0; f32 < 2; f32++)
                    for (int step = 0; step < (f32 ? 4 : 8); step++) {
                        const int g = f32 ? ops->epi_group(lane, step) : step;
                        if (f32 && (g < 0 || g > 3))
                            continue; /* the execution check names a group outside the chunk */
                        const tg_hrc f = isa_frag(warp, lane, 4 * g + 2 * h);
                        const uint32_t byte = (uint32_t)(f32 ? f.col % 32 * 4 : f.col % 64 * 2);
                        const uint32_t want = isa_swizzle(buf + (uint32_t)f.row * TG_H_SWIZZLE_BYTES + byte, 128);
                        const uint32_t got = ops->epi_at(ops->epi_lane(buf, warp, lane, f32), step, h, f32);
                        if (got != want) {
                            tg_report_fail(r, CK_TMA, "%s, %s staging, warp %d lane %d %s %d row half %d: "
                                           "stored at %u, its elements belong at %u", what,
                                           f32 ? "fp32" : "bf16", warp, lane, f32 ? "slot" : "n8 block",
                                           step, h, got, want);
                            return;
                        }
                    }
}

/*
 * The staging stores' shared-memory wavefronts, by the usual bank model: 32
 * banks of 4 bytes; a store of 4 bytes a lane is one wavefront for the warp
 * when its 32 words lie in 32 different banks; one of 8 bytes a lane runs
 * as two half-warps, each one wavefront when its 16 lanes' 32 words do.
 * Words that fall in one bank cost a wavefront each. At the addresses the
 * kernel computes (epi_lane, epi_at): fp32 C, each store slot of a
 * 32-column chunk; bf16 C, each register pair of a 64-column chunk; every
 * warp of the warpgroup.
 */
static int wavefronts(const uint32_t *addr, int lanes, int words)
{
    int per_bank[32] = {0}, most = 0;
    for (int l = 0; l < lanes; l++)
        for (int w = 0; w < words; w++) {
            const int b = (int)(addr[l] / 4 + (uint32_t)w) % 32;
            if (++per_bank[b] > most)
                most = per_bank[b];
        }
    return most;
}

static void check_banks(const tg_hplan_ops *ops, uint32_t buf, report *r)
{
    uint32_t at[32];
    for (int warp = 0; warp < 4; warp++) {
        for (int slot = 0; slot < 4; slot++)
            for (int h = 0; h < 2; h++)
                for (int half = 0; half < 2; half++) {
                    for (int l = 0; l < 16; l++)
                        at[l] = ops->epi_at(ops->epi_lane(buf, warp, 16 * half + l, 1), slot, h, 1);
                    const int n = wavefronts(at, 16, 2);
                    if (n > 1)
                        tg_report_fail(r, CK_BANKS, "fp32 staging, warp %d, store slot %d, row half %d, "
                                   "lanes %d-%d: %d wavefronts where 1 will do (bank conflicts)",
                                   warp, slot, h, 16 * half, 16 * half + 15, n);
                }
        for (int i = 0; i < 32; i += 2) {
            for (int lane = 0; lane < 32; lane++)
                at[lane] = ops->epi_at(ops->epi_lane(buf, warp, lane, 0), i / 4, i % 4 / 2, 0);
            const int n = wavefronts(at, 32, 1);
            if (n > 1)
                tg_report_fail(r, CK_BANKS, "bf16 staging, warp %d, registers %d, %d: %d wavefronts where "
                           "1 will do (bank conflicts)", warp, i, i + 1, n);
        }
    }
}

/*
 * SPLIT_K > 2: the partial tile's stores (kernel.cuh store_partial), one
 * 8-byte store of a register pair a thread, so two half-warps: rows
 * TG_H_PART_PITCH apart put a half-warp's 4 rows of 32 bytes in 4
 * different 32-byte quarters of the banks, one wavefront. Every m64 piece
 * of the tile (consumer c's piece mp is c·M_PIECES + mp), warp and pair.
 */
static void check_part_banks(const tg_htile *t, const tg_hplan_ops *ops, report *r)
{
    uint32_t at[16];
    for (int piece = 0; piece < t->block_m / TG_H_WGMMA_M; piece++)
        for (int warp = 0; warp < 4; warp++)
            for (int i = 0; i < t->block_n / 2; i += 2)
                for (int half = 0; half < 2; half++) {
                    for (int l = 0; l < 16; l++) {
                        const tg_hrc f = ops->frag(warp, 16 * half + l, i);
                        at[l] = RING + ops->part_addr(t, piece * TG_H_WGMMA_M + f.row, f.col);
                    }
                    const int n = wavefronts(at, 16, 2);
                    if (n > 1)
                        tg_report_fail(r, CK_BANKS, "partial tile, m64 piece %d, warp %d, registers %d, %d, "
                                       "lanes %d-%d: %d wavefronts where 1 will do (bank conflicts)", piece,
                                       warp, i, i + 1, 16 * half, 16 * half + 15, n);
                }
}

/*
 * SPLIT_K = 2: the receive buffer (kernel.cuh exchange_), written by the
 * senders' 16-byte st.async and read by the owner's 16-byte loads at the
 * same recv_addr: each quarter-warp's 8 lanes one wavefront (128 bytes in
 * 32 different banks). Every sender slot, piece of the owner's rows, float4
 * q and quarter.
 */
static void check_recv_banks(const tg_htile *t, const tg_hplan_ops *ops, report *r)
{
    uint32_t at[8];
    const int rows = t->block_m / t->split_k;
    for (int sender = 1; sender < t->split_k; sender++) /* owner 0's slots */
        for (int j = 0; j < rows / 16; j++)
            for (int q = 0; q < t->block_n / 8; q++)
                for (int quarter = 0; quarter < 4; quarter++) {
                    for (int l = 0; l < 8; l++)
                        at[l] = RING + ops->recv_base(t) + ops->recv_addr(t, sender, 0, 16 * j, q, 8 * quarter + l);
                    const int n = wavefronts(at, 8, 4);
                    if (n > 1)
                        tg_report_fail(r, CK_BANKS, "receive buffer, K rank %d's slot, piece %d, float4 %d, lanes "
                                       "%d-%d: %d wavefronts where 1 will do (bank conflicts)", sender, j, q,
                                       8 * quarter, 8 * quarter + 7, n);
                }
}

/* One wgmma operand: element (row, k) read through desc is where TMA put (row0 + row, k0 + k). */
static void check_operand(const tg_hplan_ops *ops, uint64_t desc, uint32_t tile, int rows, int row0,
                          int k0, const char *what, report *r)
{
    for (int row = 0; row < rows; row++)
        for (int k = 0; k < TG_H_WGMMA_K; k++) {
            const uint32_t got = ops->desc_addr(desc, row, k);
            const uint32_t want = ops->tma_addr(tile, row0 + row, k0 + k);
            if (got == TG_HOPPER_BAD_ADDR) {
                tg_report_fail(r, CK_OPERANDS, "%s: descriptor 0x%016llx sets a base offset or a reserved "
                               "bit (no defined layout)", what, (unsigned long long)desc);
                return;
            }
            if (got != want) {
                tg_report_fail(r, CK_OPERANDS, "%s: element (%d,%d) is read at byte %u (descriptor "
                               "0x%016llx: start %u, SBO %u, swizzle mode %u), TMA put it at %u", what, row,
                               k, got, (unsigned long long)desc, (unsigned)(desc & 0x3FFF) << 4,
                               (unsigned)(desc >> 32 & 0x3FFF) << 4, (unsigned)(desc >> 62), want);
                return; /* one line per operand */
            }
        }
}

static void check_operands(const tg_htile *t, const tg_hplan_ops *ops, report *r)
{
    char what[96];
    for (int s = 0; s < t->stages; s++)
        for (int kk = 0; kk < t->block_k / TG_H_WGMMA_K; kk++) {
            /* Every m64 piece of the block tile: consumer c's piece mp is c·M_PIECES + mp. */
            for (int mp = 0; mp < t->block_m / TG_H_WGMMA_M; mp++) {
                snprintf(what, sizeof what, "stage %d, A piece %d, k16 step %d", s, mp, kk);
                check_operand(ops, ops->desc_a(t, RING, s, mp, kk), RING + ops->stage_a(t, s),
                              TG_H_WGMMA_M, mp * TG_H_WGMMA_M, kk * TG_H_WGMMA_K, what, r);
            }
            snprintf(what, sizeof what, "stage %d, B, k16 step %d", s, kk);
            check_operand(ops, ops->desc_b(t, RING, s, kk), RING + ops->stage_b(t, s), t->block_n,
                          0, kk * TG_H_WGMMA_K, what, r);
        }
}

static void check_fragment(const tg_htile *t, const tg_hplan_ops *ops, report *r)
{
    const int n = t->block_n;
    unsigned char *seen = calloc((size_t)(TG_H_WGMMA_M * n), 1);
    if (!seen) {
        tg_report_fail(r, CK_FRAGMENT, "out of memory");
        return;
    }
    for (int w = 0; w < 4; w++)
        for (int lane = 0; lane < 32; lane++)
            for (int i = 0; i < n / 2; i++) {
                const tg_hrc e = ops->frag(w, lane, i), h = isa_frag(w, lane, i);
                if (e.row != h.row || e.col != h.col)
                    tg_report_fail(r, CK_FRAGMENT, "warp %d lane %d register %d: the plan stores it to "
                                   "(%d,%d), the wgmma fragment holds (%d,%d) there", w, lane, i, e.row,
                                   e.col, h.row, h.col);
                if (e.row < 0 || e.row >= TG_H_WGMMA_M || e.col < 0 || e.col >= n) {
                    tg_report_fail(r, CK_FRAGMENT, "warp %d lane %d register %d holds (%d,%d), outside m64n%d",
                                   w, lane, i, e.row, e.col, n);
                    continue;
                }
                seen[e.row * n + e.col]++;
                if (i % 2 == 0) {
                    const tg_hrc f = ops->frag(w, lane, i + 1);
                    if (f.row != e.row || f.col != e.col + 1)
                        tg_report_fail(r, CK_FRAGMENT, "registers %d, %d of warp %d lane %d are not adjacent "
                                       "columns of one row (the epilogue stores them as a pair)", i, i + 1,
                                       w, lane);
                }
            }
    for (int x = 0; x < TG_H_WGMMA_M * n; x++)
        if (seen[x] != 1)
            tg_report_fail(r, CK_FRAGMENT, "accumulator element (%d,%d) is held %d times", x / n, x % n,
                           seen[x]);
    free(seen);
}

/* ------------------------------------------------------------------------
 * Entry points
 * ---------------------------------------------------------------------- */

tg_status tg_hopper_verify_ops(const int *params, const tg_hplan_ops *ops, char *buf, size_t len)
{
    if (buf && len)
        buf[0] = '\0';
    if (!params || !ops)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "tg_hopper_verify_ops: params and ops must not be NULL");
    TG_TRY(tg_params_check(TG_FAMILY_HOPPER, params, TG_HOPPER_NPARAMS));
    const tg_htile t = tg_htile_from_params(params);
    report r = tg_hv_report(buf, len);
    check_layout(&t, ops, &r);
    for (int s = 0; s < t.stages; s++) {
        check_tma(&t, ops, RING + ops->stage_a(&t, s), t.block_m, "A", s, &r);
        check_tma(&t, ops, RING + ops->stage_b(&t, s), t.block_n, "B", s, &r);
    }
    if (t.epilogue)
        for (int c = 0; c < t.consumers; c++)
            for (int b = 0; b < TG_H_EPI_BUFFERS; b++) {
                char what[64];
                snprintf(what, sizeof what, "consumer %d's staging buffer %d", c, b);
                check_epi(ops, RING + ops->epi_buf(&t, c, b), what, &r);
            }
    if (t.epilogue)
        check_banks(ops, RING + ops->epi_buf(&t, 0, 0), &r);
    if (TG_H_SPLIT_SENDS(t.split_k))
        check_recv_banks(&t, ops, &r);
    else if (t.split_k > 1)
        check_part_banks(&t, ops, &r);
    check_operands(&t, ops, &r);
    check_fragment(&t, ops, &r);
    const int64_t bm = t.block_m, bn = t.block_n, bk = t.block_k;
    /* m, n, k, batch: one tile of one element; ragged edges in every direction, K not a
     * multiple of BLOCK_K, more K tiles than stages; 3 batch items of 2 tiles each (3
     * persistent blocks: 2 tiles each, across items). N odd in two (EPILOGUE=tma: the
     * warpgroup writes each staged chunk), a multiple of 4 in two (TMA stores). */
    const int64_t shapes[][4] = {{1, 1, 1, 1},
                                 {bm + 3, bn - 5, 2 * bk + 7, 1},
                                 {2 * bm - 1, bn + 12, bk * t.stages + 13, 1},
                                 {bm - 7, bn + 4, bk + 8, 3}};
    int nshapes = (int)(sizeof shapes / sizeof shapes[0]);
    int64_t idle = 0;
    for (int i = 0; i < nshapes && r.per[CK_EXECUTION] == 0; i++)
        idle += tg_hv_check_execution(&t, ops, shapes[i][0], shapes[i][1], shapes[i][2], shapes[i][3], 0,
                                      0x5DEECE66DULL + (uint64_t)i, &r);
    /* EPILOGUE=tma with beta != 0: the registers' path (kernel.cuh epilogue), ragged edges. */
    if (t.epilogue && r.per[CK_EXECUTION] == 0)
        idle += tg_hv_check_execution(&t, ops, shapes[1][0], shapes[1][1], shapes[1][2], shapes[1][3], 1,
                                      0x5DEECE66DULL + (uint64_t)nshapes++, &r);
    /* A cluster: (CLUSTER_M + 1) x (CLUSTER_N + 1) block tiles, 2 x 2 cluster tiles per item
     * with blocks past C's edge where a cluster dimension is > 1, 2 items: 8 cluster tiles, so
     * each of the 3 clusters walks several, and the ring wraps across them (2 K tiles each). */
    const int cluster = TG_H_CLUSTER(t.cluster_m, t.cluster_n);
    if (cluster > 1 && r.per[CK_EXECUTION] == 0) {
        idle += tg_hv_check_execution(&t, ops, (t.cluster_m + 1) * bm - 5, (t.cluster_n + 1) * bn - 4,
                                      bk + 8, 2, 0, 0x5DEECE66DULL + (uint64_t)nshapes, &r);
        nshapes++;
    }
    /* A K split: SPLIT_K·(STAGES+1)+1 K tiles, not a multiple of SPLIT_K, more than STAGES
     * for every rank (each ring wraps); SPLIT_K-1 K tiles, fewer than the ranks (rank 0 walks
     * none; the first shape above, 1 K tile, leaves all but the last without); ragged M and N,
     * the second on 2 items. */
    if (t.split_k > 1) {
        const int64_t ck = t.split_k;
        const int64_t split[][4] = {{2 * bm - 5, bn + 3, (ck * (t.stages + 1) + 1) * bk - 9, 1},
                                    {bm + 9, 2 * bn - 7, (ck - 1) * bk - 1, 2}};
        for (int i = 0; i < 2 && r.per[CK_EXECUTION] == 0; i++, nshapes++)
            idle += tg_hv_check_execution(&t, ops, split[i][0], split[i][1], split[i][2], split[i][3], 0,
                                          0x5DEECE66DULL + (uint64_t)nshapes, &r);
    }
    int sk_grids = 0;
    if (t.stream_k)
        sk_grids = tg_hv_check_stream_k(ops, &r);
    if (t.producer)
        tg_hv_check_ring_ws(&t, ops, &r);
    else
        tg_hv_check_ring_plain(&t, ops, &r);
    if (r.failures) {
        tg_report_failures(&r);
        return TG_FAIL(TG_ERR_INVALID_CONFIG, "hopper plan failed %d verifier check(s)", r.failures);
    }
    char grid[96] = "", stores[384] = "";
    if (t.persistent && cluster > 1)
        snprintf(grid, sizeof grid, " by %d persistent clusters of %d x %d blocks", TG_HV_CLUSTERS,
                 t.cluster_m, t.cluster_n);
    else if (t.persistent)
        snprintf(grid, sizeof grid, " by %d persistent blocks", TG_HV_CLUSTERS);
    tg_text st = tg_text_init(stores, sizeof stores);
    if (t.epilogue)
        tg_text_add(&st, " (C through the staging buffers: TMA stores where C allows them, else the warpgroup's own stores");
    if (cluster > 1)
        tg_text_add(&st, "%s%lld blocks past C's edge loading for the others, storing nothing",
                    t.epilogue ? "; " : " (", (long long)idle);
    if (t.split_k > 1)
        tg_text_add(&st, " (split-K in clusters of %d blocks: each K rank's share of the K tiles, every one "
                    "once, through its own ring; the partial tiles in the rings, each element stored and read "
                    "once a tile at aligned addresses, summed row by row, every row by one rank",
                    t.split_k);
    if (stores[0])
        tg_text_add(&st, ")");
    tg_text_add(&r.text, "plan verifier: ok (layout, TMA placement%s, wgmma operands through the "
                "descriptors, accumulator fragment, execution on %d shapes%s%s: exact, each C element "
                "once, each stage byte loaded once a trip%s; ",
                t.epilogue        ? ", staging stores without bank conflicts"
                : t.split_k > 1 ? ", partial-tile stores without bank conflicts"
                                  : "",
                nshapes, grid, stores,
                cluster > 1 ? " by the blocks that share it" : "");
    if (t.stream_k)
        tg_text_add(&r.text, "stream-K plan on %d grids: every K tile of the shared tiles walked once, each "
                    "C tile stored once, a block's partial first and its wait last, every wait on the "
                    "partials of the blocks before it that cover the tile's first K tiles (no cycle); ",
                    sk_grids);
    if (!t.producer) {
        tg_text_add(&r.text, "ring schedule for 1..%d K tiles)\n", 3 * t.stages + 1);
        return TG_SUCCESS;
    }
    tg_htile one = t;
    one.cluster_m = one.cluster_n = 1;
    int max_k, max_tiles;
    tg_hv_ring_range(&one, &max_k, &max_tiles);
    tg_text_add(&r.text, "ring model, MMA_LAG=%d: every interleaving of %s producer, %d consumer warps "
                "and the TMA loads' landing%s for 1..%d K tiles x 1..%d tiles", t.mma_lag,
                cluster > 1 ? "a block's" : "the", tg_hv_model_warps(&one),
                tg_hv_ring_reduced(&one) ? " (up to the order of independent moves)" : "", max_k, max_tiles);
    if (cluster > 1)
        tg_text_add(&r.text, "; of the %d x %d cluster's %d producers, %d consumer warps each and every "
                    "copy's landing in each block (up to the order of independent moves) for 1..%d x "
                    "1..%d", t.cluster_m, t.cluster_n, cluster, tg_hv_model_warps(&t),
                    TG_HV_CLUSTER_K, TG_HV_CLUSTER_TILES);
    tg_text_add(&r.text, ": no deadlock, no stage%s overwritten before its warps handed it back or read "
                "before its bytes landed)\n", cluster > 1 ? " of any block" : "");
    return TG_SUCCESS;
}

tg_status tg_hopper_verify(const int *params, char *buf, size_t len)
{
    return tg_hopper_verify_ops(params, &tg_hplan_real_ops, buf, len);
}
