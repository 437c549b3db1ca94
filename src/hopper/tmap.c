/*
 * tmap.c — the tensor maps of a hopper call: cuTensorMapEncodeTiled through
 * the driver's entry point (no link against libcuda), behind a per-thread
 * cache whose hits make no driver call.
 *
 * Why a cache that ignores the address. Encoding one map costs the driver
 * about half a microsecond, and a call needs two; a cache keyed on pointers
 * would never hit for callers that pass fresh buffers every call (the host
 * cost target is measured that way: bench/host_cost.c). So an entry is keyed
 * on every argument of the driver call except the base address (device,
 * dims, strides, box, data type, swizzle, ...) and holds a template map;
 * a hit copies the template and writes the new address into it.
 *
 * Why that patch is safe although CUtensorMap is opaque. Nothing documents
 * where the address sits, so each entry finds out and proves it on its
 * miss: the map is encoded for the real address and for a probe address
 * (the real one with bits 4..46 flipped: another 16-byte aligned value; the
 * encoder only records the address, it is a host function that never
 * reads device memory, and cuda.h asks of globalAddress only its alignment).
 * The bytes that differ must fit in one 8-byte word, and writing the
 * flipped bits of an address into that word of the template must give
 * BOTH encoded maps back, byte for byte (all 128). Only then does the entry
 * patch, and only addresses that differ from the real one in those proven
 * bits (any 16-byte aligned address below 2^47, where CUDA allocations
 * live); anything else (an unverifiable layout, a probe the driver refuses,
 * an address outside the proven bits) is encoded in full every time:
 * correct, only slower. tests/test_tmap.c drives this logic with fake
 * encoders of several layouts; tests/test_tmap_gpu.c compares the cache
 * with the driver's own maps.
 */
#include <cuda_runtime.h>
#include <string.h>

#include "hopper/hopper.h"

/* ------------------------------------------------------------------------
 * The encoder: the driver's, or one a test put in its place
 * ---------------------------------------------------------------------- */

/* atomics: callers may be threads */
static PFN_cuTensorMapEncodeTiled_v12000 driver_fn, override_fn;
static uint64_t generation; /* bumped by tg_tmap_set_encoder: older templates stop matching */

tg_status tg_tmap_driver_encoder(PFN_cuTensorMapEncodeTiled_v12000 *out)
{
    PFN_cuTensorMapEncodeTiled_v12000 f = __atomic_load_n(&driver_fn, __ATOMIC_ACQUIRE);
    if (!f) {
        void *p = NULL;
        TG_TRY(tg_driver_entry("cuTensorMapEncodeTiled", 12000, &p));
        f = (PFN_cuTensorMapEncodeTiled_v12000)p;
        __atomic_store_n(&driver_fn, f, __ATOMIC_RELEASE);
    }
    *out = f;
    return TG_SUCCESS;
}

void tg_tmap_set_encoder(PFN_cuTensorMapEncodeTiled_v12000 fn)
{
    __atomic_store_n(&override_fn, fn, __ATOMIC_RELEASE);
    __atomic_add_fetch(&generation, 1, __ATOMIC_ACQ_REL);
}

static tg_status encoder(PFN_cuTensorMapEncodeTiled_v12000 *out)
{
    PFN_cuTensorMapEncodeTiled_v12000 f = __atomic_load_n(&override_fn, __ATOMIC_ACQUIRE);
    if (f) {
        *out = f;
        return TG_SUCCESS;
    }
    return tg_tmap_driver_encoder(out);
}

/* ------------------------------------------------------------------------
 * One driver call, described by everything but the map and the address
 * ---------------------------------------------------------------------- */

/*
 * Every argument of cuTensorMapEncodeTiled except the output map and the
 * base address, plus the device and the encoder generation: the cache key.
 * All 64-bit fields (no padding), so memcmp compares keys; the fields that
 * differ most between shapes come first (memcmp stops at the first difference).
 */
typedef struct tmap_call {
    uint64_t dims[3];    /* elements: K, rows, batch items (innermost first) */
    uint64_t strides[2]; /* bytes: between rows, between batch items */
    uint64_t box[3];     /* elements: BLOCK_K, box rows, 1 */
    uint64_t steps[3];
    uint64_t dtype, rank, interleave, swizzle, l2promotion, oobfill;
    uint64_t dev, generation;
} tmap_call;

_Static_assert(sizeof(tmap_call) == 19 * sizeof(uint64_t), "no padding: keys compare with memcmp");
_Static_assert(sizeof(CUtensorMap) == 128, "CUtensorMap is 16 qwords (cuda.h)");

/*
 * A 3-D map (columns, rows, batch item) of a row-major matrix of bf16 or
 * fp32 elements: boxes of box_cols x box_rows x 1, 128-byte swizzle, zeros
 * outside the matrix (loads; stores skip what lies outside).
 */
static tmap_call describe_call(int dev, tg_dtype dtype, int64_t rows, int64_t cols, int64_t ld,
                               int64_t batch, int64_t stride, int box_cols, int box_rows)
{
    const int64_t size = dtype == TG_DTYPE_F32 ? 4 : 2;
    tmap_call c;
    memset(&c, 0, sizeof c);
    c.dims[0] = (uint64_t)cols;
    c.dims[1] = (uint64_t)rows;
    c.dims[2] = (uint64_t)batch;
    c.strides[0] = (uint64_t)(ld * size);
    c.strides[1] = (uint64_t)(batch > 1 ? stride * size : rows * ld * size);
    c.box[0] = (uint64_t)box_cols;
    c.box[1] = (uint64_t)box_rows;
    c.box[2] = 1;
    c.steps[0] = c.steps[1] = c.steps[2] = 1;
    c.dtype = dtype == TG_DTYPE_F32 ? CU_TENSOR_MAP_DATA_TYPE_FLOAT32 : CU_TENSOR_MAP_DATA_TYPE_BFLOAT16;
    c.rank = 3;
    c.interleave = CU_TENSOR_MAP_INTERLEAVE_NONE;
    c.swizzle = CU_TENSOR_MAP_SWIZZLE_128B;
    c.l2promotion = CU_TENSOR_MAP_L2_PROMOTION_L2_256B;
    c.oobfill = CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE;
    c.dev = (uint64_t)(int64_t)dev;
    c.generation = __atomic_load_n(&generation, __ATOMIC_ACQUIRE);
    return c;
}

static CUresult run_call(PFN_cuTensorMapEncodeTiled_v12000 fn, const tmap_call *c,
                         CUtensorMap *map, uint64_t address)
{
    const cuuint32_t box[3] = {(cuuint32_t)c->box[0], (cuuint32_t)c->box[1],
                               (cuuint32_t)c->box[2]};
    const cuuint32_t steps[3] = {(cuuint32_t)c->steps[0], (cuuint32_t)c->steps[1],
                                 (cuuint32_t)c->steps[2]};
    return fn(map, (CUtensorMapDataType)c->dtype, (cuuint32_t)c->rank, (void *)(uintptr_t)address,
              c->dims, c->strides, box, steps, (CUtensorMapInterleave)c->interleave,
              (CUtensorMapSwizzle)c->swizzle, (CUtensorMapL2promotion)c->l2promotion,
              (CUtensorMapFloatOOBfill)c->oobfill);
}

/* ------------------------------------------------------------------------
 * The cache
 * ---------------------------------------------------------------------- */

/*
 * Per thread (_Thread_local), not one table under a lock. A hit then takes
 * no lock and shares no cache line with other threads (callers launching
 * from several threads do not serialize on the library); a template never
 * goes stale (a map is a pure function of the call's arguments), so the
 * tables need no cross-thread invalidation, and they die with their thread
 * (nothing to free). The price: each thread misses once per shape (two
 * driver encodes, about a microsecond) and holds its own ~5 KB table.
 * Sixteen entries hold both operands of eight shapes; a full table
 * replaces round-robin.
 */
enum { CACHE_ENTRIES = 16 };

/* A probe flips these address bits: every bit a CUDA allocation (below 2^47) can differ in. */
#define PROBE_BITS ((uint64_t)0x00007ffffffffff0)

typedef struct entry {
    tmap_call key;
    int used;
    int patch_at;       /* byte offset of the 8-byte word that holds the address; -1: none proven */
    uint64_t free_bits; /* the address bits the patch writes (those the probe proved) */
    uint64_t fixed;     /* the other address bits, as in the proof: a patch needs them equal */
    uint64_t words[16]; /* the template: the map of the address that missed */
} entry;

/*
 * The lookup starts after the entry that hit last and goes round the
 * entries in use: a call's maps (A, B, C) are met in the order they were
 * stored, so each is found at the first compare, and the lookup reads one
 * entry instead of the whole cache (tg_host_cost --parts).
 */
static _Thread_local struct {
    entry e[CACHE_ENTRIES];
    unsigned count; /* entries in use: e[0 .. count-1] */
    unsigned next;  /* round-robin victim once all are in use */
    unsigned last;  /* the entry that hit (or was stored) last */
    tg_tmap_stats stats;
} cache;

void tg_tmap_get_stats(tg_tmap_stats *out) { *out = cache.stats; }

void tg_tmap_clear(void)
{
    memset(&cache, 0, sizeof cache);
}

/* The template with `address` written into its address word, as the entry's proof says. */
static void patch(const entry *e, uint64_t address, void *map)
{
    uint64_t w;
    memcpy(map, e->words, sizeof e->words);
    memcpy(&w, (char *)map + e->patch_at, 8);
    w = (w & ~e->free_bits) | (address & e->free_bits);
    memcpy((char *)map + e->patch_at, &w, 8);
}

/*
 * Where the address sits, proven on two maps: `real` (the template) and
 * `probe`, encoded for addresses that differ in exactly `flip`. Returns the
 * byte offset, or -1.
 */
static int find_address_word(entry *e, const CUtensorMap *probe, uint64_t real_address,
                             uint64_t flip)
{
    const unsigned char *t = (const unsigned char *)e->words, *p = (const unsigned char *)probe;
    int first = -1, last = -1;
    for (int i = 0; i < (int)sizeof(CUtensorMap); i++)
        if (t[i] != p[i]) {
            if (first < 0)
                first = i;
            last = i;
        }
    if (first < 0)
        return -1; /* the address changed nothing: no place to patch */
    /* The word starts at the first differing byte (bit 4 of the address, in
     * its lowest byte, always differs) or at the 8-byte boundary below it. */
    const int candidates[2] = {first, first & ~7};
    for (int c = 0; c < 2; c++) {
        const int at = candidates[c];
        if (c == 1 && at == first)
            break;
        if (last >= at + 8 || at + 8 > (int)sizeof(CUtensorMap))
            continue;
        e->patch_at = at;
        e->free_bits = flip;
        e->fixed = real_address & ~flip;
        CUtensorMap m;
        patch(e, real_address ^ flip, &m);
        if (memcmp(&m, probe, sizeof m))
            continue;
        patch(e, real_address, &m);
        if (memcmp(&m, e->words, sizeof m))
            continue;
        return at;
    }
    e->patch_at = -1;
    return -1;
}

static tg_status fail(const char *name, CUresult r)
{
    return TG_FAIL(TG_ERR_CUDA, "cuTensorMapEncodeTiled for %s failed: CUresult %d", name, (int)r);
}

/* A miss: encode for the address, then probe to prove (or not) where it sits. */
static tg_status miss(const tmap_call *c, const char *name, uint64_t address, CUtensorMap *map)
{
    PFN_cuTensorMapEncodeTiled_v12000 fn = NULL;
    TG_TRY(encoder(&fn));
    cache.stats.misses++;
    cache.stats.encodes++;
    const CUresult r = run_call(fn, c, map, address);
    if (r != CUDA_SUCCESS)
        return fail(name, r); /* nothing cached: the next call fails the same way */

    entry *e = &cache.e[cache.next];
    cache.last = cache.next;
    cache.next = (cache.next + 1) % CACHE_ENTRIES;
    if (cache.count < CACHE_ENTRIES)
        cache.count++;
    e->key = *c;
    e->used = 1;
    e->patch_at = -1;
    memcpy(e->words, map, sizeof e->words);

    uint64_t flip = PROBE_BITS;
    if ((address ^ flip) == 0)
        flip &= flip >> 1; /* keep the probe away from NULL */
    CUtensorMap probe;
    cache.stats.encodes++;
    if (run_call(fn, c, &probe, address ^ flip) != CUDA_SUCCESS ||
        find_address_word(e, &probe, address, flip) < 0)
        cache.stats.unpatchable++;
    return TG_SUCCESS;
}

tg_status tg_tmap_matrix(CUtensorMap *map, const char *name, int dev, const void *base,
                         tg_dtype dtype, int64_t rows, int64_t cols, int64_t ld, int64_t batch,
                         int64_t stride, int box_cols, int box_rows)
{
    const tmap_call c = describe_call(dev, dtype, rows, cols, ld, batch, stride, box_cols, box_rows);
    const uint64_t address = (uint64_t)(uintptr_t)base;
    const unsigned count = cache.count;
    for (unsigned n = 0, i = count ? (cache.last + 1) % count : 0; n < count;
         n++, i = (i + 1) % count) {
        entry *e = &cache.e[i];
        if (!e->used || memcmp(&e->key, &c, sizeof c))
            continue;
        cache.last = i;
        if (e->patch_at >= 0 && address && (address & ~e->free_bits) == e->fixed) {
            cache.stats.hits++;
            patch(e, address, map);
            return TG_SUCCESS;
        }
        /* Known shape, but no proven patch for this address (or NULL): the driver, in full. */
        PFN_cuTensorMapEncodeTiled_v12000 fn = NULL;
        TG_TRY(encoder(&fn));
        cache.stats.encodes++;
        const CUresult r = run_call(fn, &c, map, address);
        return r == CUDA_SUCCESS ? TG_SUCCESS : fail(name, r);
    }
    return miss(&c, name, address, map);
}

tg_status tg_tmap_matrix_encode(CUtensorMap *map, const char *name, int dev, const void *base,
                                tg_dtype dtype, int64_t rows, int64_t cols, int64_t ld,
                                int64_t batch, int64_t stride, int box_cols, int box_rows)
{
    const tmap_call c = describe_call(dev, dtype, rows, cols, ld, batch, stride, box_cols, box_rows);
    PFN_cuTensorMapEncodeTiled_v12000 fn = NULL;
    TG_TRY(encoder(&fn));
    const CUresult r = run_call(fn, &c, map, (uint64_t)(uintptr_t)base);
    return r == CUDA_SUCCESS ? TG_SUCCESS : fail(name, r);
}
