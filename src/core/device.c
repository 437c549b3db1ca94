/*
 * device.c — the device a call runs on, what the runtime and the driver say
 * of it (SMs, kernel resources, cluster capacity, driver entry points), and
 * whether a pointer the caller passed is memory that device can read.
 *
 * Why the pointer check keeps a table. The driver's answer
 * (cuPointerGetAttributes) costs 77-225 ns a pointer on the H100 machines'
 * hosts (bench/RESULTS.md entries 12, 15) and a call checks three, the
 * largest part of the library's host cost. So each thread keeps a table of
 * the device allocations the driver vouched for: address ranges of
 * cudaMalloc'd memory of the context current at the time, tagged with that
 * context's ID (cuCtxGetId: unique for the life of the process, so a reset
 * device's contexts never match again). A pointer inside a range of the
 * current context's is device memory without asking the driver again. Only
 * memory whose kind cannot change while its context lives goes into the table:
 * CU_MEMORYTYPE_DEVICE, not managed, not from a memory pool, owned by the
 * current context. Registered host memory (cudaHostUnregister makes the same
 * addresses pageable again), managed, pool and other contexts' memory, and
 * pageable memory are asked about on every call, as before.
 *
 * What the table gives up: a caller who frees an allocation that an earlier
 * call checked, and passes a pointer into it again, is not told so here; the
 * kernel then reads freed memory and faults, as it would in cuBLAS (which
 * checks no pointer; compute-sanitizer's memcheck names it). Pageable host
 * memory cannot appear at those addresses while the context lives: the
 * driver keeps the virtual addresses of a context's device allocations
 * reserved for itself (unified addressing). docs/ERRORS.md says the same.
 */
#include <cuda_runtime.h>
#include <cudaTypedefs.h> /* PFN_cuPointerGetAttributes_v7000, PFN_cuCtxGetId_v12000 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/core.h"

/* ------------------------------------------------------------------------
 * Driver entry points
 * ---------------------------------------------------------------------- */

tg_status tg_driver_entry(const char *name, int version, void **out)
{
    void *p = NULL;
    enum cudaDriverEntryPointQueryResult q = cudaDriverEntryPointSymbolNotFound;
    const cudaError_t e = cudaGetDriverEntryPointByVersion(name, &p, (unsigned)version,
                                                           cudaEnableDefault, &q);
    if (e != cudaSuccess)
        cudaGetLastError(); /* ours: leave no stale error for the caller's next check */
    if (e != cudaSuccess || !p || q != cudaDriverEntryPointSuccess)
        return TG_FAIL(TG_ERR_CUDA,
                       "the driver has no %s (version %d; %s, query result %d): it is older than "
                       "tilegemm needs",
                       name, version, cudaGetErrorString(e), (int)q);
    *out = p;
    return TG_SUCCESS;
}

/*
 * The three driver functions the checks use, looked up once (NULL where the
 * driver has none: the runtime's slower answers then). The lookup is
 * idempotent, so threads racing on the first call store the same values.
 */
static struct {
    PFN_cuPointerGetAttributes_v7000 pointer; /* atomics: callers may be threads */
    PFN_cuCtxGetId_v12000 ctx_id;
    PFN_cuCtxGetCurrent_v4000 ctx_current;
    int asked;
} driver;

static void driver_lookup(void)
{
    if (__atomic_load_n(&driver.asked, __ATOMIC_ACQUIRE))
        return;
    void *p = NULL, *id = NULL, *cur = NULL;
    const tg_status s = tg_driver_entry("cuPointerGetAttributes", 7000, &p);
    if (s == TG_SUCCESS && tg_driver_entry("cuCtxGetId", 12000, &id) == TG_SUCCESS &&
        tg_driver_entry("cuCtxGetCurrent", 4000, &cur) == TG_SUCCESS) {
        __atomic_store_n(&driver.ctx_id, (PFN_cuCtxGetId_v12000)id, __ATOMIC_RELEASE);
        __atomic_store_n(&driver.ctx_current, (PFN_cuCtxGetCurrent_v4000)cur, __ATOMIC_RELEASE);
    }
    if (s == TG_SUCCESS)
        __atomic_store_n(&driver.pointer, (PFN_cuPointerGetAttributes_v7000)p, __ATOMIC_RELEASE);
    __atomic_store_n(&driver.asked, 1, __ATOMIC_RELEASE);
}

/* ------------------------------------------------------------------------
 * The device
 * ---------------------------------------------------------------------- */

/* What cudaGetDeviceCount's failure means, in words a user can act on. */
static tg_status no_device(cudaError_t e)
{
    cudaGetLastError(); /* clear the (non-sticky) error so later calls start clean */
    if (e == cudaSuccess || e == cudaErrorNoDevice)
        return TG_FAIL(TG_ERR_NO_DEVICE, "no CUDA GPU is visible (tilegemm needs an sm_90 GPU: "
                                         "H100 or H200)");
    if (e == cudaErrorInsufficientDriver)
        return TG_FAIL(TG_ERR_NO_DEVICE,
                       "no usable NVIDIA driver: none is installed, or it is older than this "
                       "CUDA runtime (%d.%d) needs (tilegemm needs an sm_90 GPU and its driver)",
                       CUDART_VERSION / 1000, CUDART_VERSION % 1000 / 10);
    return TG_FAIL(TG_ERR_NO_DEVICE, "no CUDA GPU is usable: %s (%s)", cudaGetErrorString(e),
                   cudaGetErrorName(e));
}

/* The runtime's current device, checked once per device to be sm_90. */
static tg_status runtime_device(int *dev)
{
    enum { MAX_DEVICES = 64 };
    static int passed[MAX_DEVICES]; /* atomics: callers may be threads */
    cudaError_t e = cudaGetDevice(dev);
    if (e == cudaSuccess && *dev >= 0 && *dev < MAX_DEVICES &&
        __atomic_load_n(&passed[*dev], __ATOMIC_ACQUIRE))
        return TG_SUCCESS;
    int count = 0;
    if (e == cudaSuccess)
        e = cudaGetDeviceCount(&count);
    if (e != cudaSuccess || count == 0)
        return no_device(e);
    int major = 0, minor = 0;
    TG_CUDA_TRY(cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, *dev));
    TG_CUDA_TRY(cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, *dev));
    if (major != 9 || minor != 0)
        return TG_FAIL(TG_ERR_UNSUPPORTED_DEVICE,
                       "device %d is sm_%d%d; tilegemm's kernels are built for sm_90a (Hopper)",
                       *dev, major, minor);
    if (*dev >= 0 && *dev < MAX_DEVICES)
        __atomic_store_n(&passed[*dev], 1, __ATOMIC_RELEASE);
    return TG_SUCCESS;
}

/*
 * The thread's current context, by ID, and its device: a thread that calls
 * again in the same context pays cuCtxGetCurrent and cuCtxGetId (24-71 ns
 * against cudaGetDevice's 54-99: bench/RESULTS.md entry 27), not the
 * runtime's device query. The ID, not the handle, because a handle may be
 * reused by a context created after another was destroyed. ctx 0: no
 * context is current yet (the launch will make the runtime's one current),
 * or the driver has no cuCtxGetId.
 */
static _Thread_local struct {
    uint64_t ctx;      /* 0: none remembered */
    CUcontext current; /* the context of that ID, as cuCtxGetCurrent gave it */
    int dev;
} here;

tg_status tg_current_context(int *dev, uint64_t *ctx)
{
    driver_lookup();
    PFN_cuCtxGetId_v12000 get_id = __atomic_load_n(&driver.ctx_id, __ATOMIC_ACQUIRE);
    PFN_cuCtxGetCurrent_v4000 get_current = __atomic_load_n(&driver.ctx_current, __ATOMIC_ACQUIRE);
    CUcontext current = NULL;
    unsigned long long id = 0;
    /* cuCtxGetCurrent first: no context is not an error there (cuCtxGetId(NULL) would return one,
     * which compute-sanitizer reports) */
    if (!get_id || !get_current || get_current(&current) != CUDA_SUCCESS || !current ||
        get_id(current, &id) != CUDA_SUCCESS)
        id = 0; /* no current context yet (a thread before its first CUDA work), or an old driver */
    if (id && id == here.ctx) {
        here.current = current;
        *dev = here.dev;
        *ctx = id;
        return TG_SUCCESS;
    }
    TG_TRY(runtime_device(dev)); /* the current context's device, when one is current */
    *ctx = id;
    here.ctx = id;
    here.current = current;
    here.dev = *dev;
    return TG_SUCCESS;
}

tg_status tg_current_device(int *dev)
{
    uint64_t ctx = 0;
    return tg_current_context(dev, &ctx);
}

tg_status tg_device_check(void)
{
    int dev = 0;
    return tg_current_device(&dev);
}

tg_status tg_device_sm_count(int dev, int *out)
{
    enum { MAX_DEVICES = 64 };
    static int sms[MAX_DEVICES]; /* atomics: callers may be threads */
    const int cached = dev >= 0 && dev < MAX_DEVICES;
    int n = cached ? __atomic_load_n(&sms[dev], __ATOMIC_ACQUIRE) : 0;
    if (n <= 0) {
        TG_CUDA_TRY(cudaDeviceGetAttribute(&n, cudaDevAttrMultiProcessorCount, dev));
        if (n <= 0)
            return TG_FAIL(TG_ERR_CUDA, "device %d reports %d SMs", dev, n);
        if (cached)
            __atomic_store_n(&sms[dev], n, __ATOMIC_RELEASE);
    }
    *out = n;
    return TG_SUCCESS;
}

tg_status tg_kernel_resources(const void *kernel, int threads, size_t smem, tg_kernel_info *out)
{
    struct cudaFuncAttributes fa;
    TG_CUDA_TRY(cudaFuncGetAttributes(&fa, kernel));
    int blocks = 0;
    TG_CUDA_TRY(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&blocks, kernel, threads, smem));
    out->registers = fa.numRegs;
    out->local_bytes = fa.localSizeBytes;
    out->static_smem = fa.sharedSizeBytes;
    out->dynamic_smem = smem;
    out->max_threads = fa.maxThreadsPerBlock;
    out->blocks_per_sm = blocks;
    return TG_SUCCESS;
}

tg_status tg_cluster_capacity(const void *kernel, const char *name, int cluster, int threads,
                              size_t smem, int dev, int *clusters)
{
    cudaLaunchAttribute attr;
    attr.id = cudaLaunchAttributeClusterDimension;
    attr.val.clusterDim.x = (unsigned)cluster;
    attr.val.clusterDim.y = attr.val.clusterDim.z = 1;
    const cudaLaunchConfig_t c = {{(unsigned)cluster, 1, 1}, {(unsigned)threads, 1, 1}, smem, 0,
                                  &attr, 1};
    *clusters = 0;
    TG_CUDA_TRY(cudaOccupancyMaxActiveClusters(clusters, kernel, &c));
    if (*clusters <= 0)
        return TG_FAIL(TG_ERR_CUDA, "%s: no cluster of %d blocks fits on device %d", name, cluster,
                       dev);
    return TG_SUCCESS;
}

/* ------------------------------------------------------------------------
 * The table of device allocations (pure: tests/test_pointers.c drives it)
 * ---------------------------------------------------------------------- */

/* The entry with the greatest start <= p, or -1: entries are sorted by start and disjoint. */
static int entry_at_or_below(const tg_ptr_table *t, uint64_t p)
{
    int lo = 0, hi = (int)t->count - 1, found = -1;
    while (lo <= hi) {
        const int mid = lo + (hi - lo) / 2;
        if (t->r[mid].start <= p) {
            found = mid;
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    return found;
}

int tg_ptr_table_holds(const tg_ptr_table *t, uint64_t ctx, uint64_t p)
{
    const int i = entry_at_or_below(t, p);
    return i >= 0 && p < t->r[i].end && t->r[i].ctx == ctx;
}

void tg_ptr_table_add(tg_ptr_table *t, uint64_t ctx, uint64_t start, uint64_t end)
{
    if (start >= end)
        return;
    /* The ranges the new one overlaps (older views of the same addresses) are the run
     * from the one at or below start (if it reaches past start) to the last that begins
     * before end: the new range takes their place. */
    int first = entry_at_or_below(t, start);
    if (first < 0 || t->r[first].end <= start)
        first++;
    int past = entry_at_or_below(t, end - 1) + 1;
    if (past < first)
        past = first;
    memmove(&t->r[first], &t->r[past], (t->count - (unsigned)past) * sizeof t->r[0]);
    t->count -= (unsigned)(past - first);
    if (t->count == TG_PTR_TABLE_MAX) {
        t->count = 0; /* full: start over (a program with more live operand allocations asks again) */
        first = 0;
    }
    const unsigned at = (unsigned)first;
    memmove(&t->r[at + 1], &t->r[at], (t->count - at) * sizeof t->r[0]);
    t->r[at].ctx = ctx;
    t->r[at].start = start;
    t->r[at].end = end;
    t->count++;
}

/* ------------------------------------------------------------------------
 * Pointers
 * ---------------------------------------------------------------------- */

static _Thread_local tg_ptr_table table;
static _Thread_local tg_pointer_stats stats;

void tg_pointer_get_stats(tg_pointer_stats *out) { *out = stats; }

void tg_pointer_clear(void)
{
    table.count = 0;
    memset(&stats, 0, sizeof stats);
}

static tg_status host_memory(const void *p, const char *name)
{
    return TG_FAIL(TG_ERR_INVALID_ARGUMENT,
                   "%s (%p) is host memory; pass device memory (cudaMalloc)", name, p);
}

/*
 * The driver's answer for p, and p's allocation into the table when it is
 * memory whose kind lasts as long as the current context (ctx, non-zero).
 * *known = 0 when the driver could not say (the runtime asks then).
 */
static tg_status ask_driver(PFN_cuPointerGetAttributes_v7000 query, const void *p, const char *name,
                            uint64_t ctx, int *known)
{
    unsigned int type = 0, managed = 0; /* 0: not CUDA's (the driver's "default" for an unknown pointer) */
    CUdeviceptr device_view = 0, start = 0;
    CUcontext owner = NULL;
    size_t size = 0;
    void *pool = NULL;
    CUpointer_attribute what[] = {CU_POINTER_ATTRIBUTE_MEMORY_TYPE,   CU_POINTER_ATTRIBUTE_DEVICE_POINTER,
                                  CU_POINTER_ATTRIBUTE_CONTEXT,       CU_POINTER_ATTRIBUTE_IS_MANAGED,
                                  CU_POINTER_ATTRIBUTE_MEMPOOL_HANDLE, CU_POINTER_ATTRIBUTE_RANGE_START_ADDR,
                                  CU_POINTER_ATTRIBUTE_RANGE_SIZE};
    void *into[] = {&type, &device_view, &owner, &managed, &pool, &start, &size};
    _Static_assert(sizeof what / sizeof what[0] == sizeof into / sizeof into[0], "one place each");
    *known = 0;
    stats.driver_queries++;
    if (query((unsigned)(sizeof what / sizeof what[0]), what, into, (CUdeviceptr)(uintptr_t)p) !=
        CUDA_SUCCESS)
        return TG_SUCCESS;
    if (type == CU_MEMORYTYPE_DEVICE || type == CU_MEMORYTYPE_UNIFIED ||
        (type == CU_MEMORYTYPE_HOST && device_view)) {
        *known = 1;
        /* ctx came from tg_current_context on this thread: here.current is its handle */
        if (ctx && ctx == here.ctx && type == CU_MEMORYTYPE_DEVICE && !managed && !pool && owner &&
            owner == here.current && size && (uintptr_t)p - start < size)
            tg_ptr_table_add(&table, ctx, start, start + size);
        return TG_SUCCESS;
    }
    if (type == 0 || type == CU_MEMORYTYPE_HOST) {
        *known = 1;
        return host_memory(p, name);
    }
    return TG_SUCCESS; /* anything else: the runtime's answer, and its words */
}

tg_status tg_check_device_pointer(const void *p, const char *name, uint64_t ctx)
{
    if (ctx && tg_ptr_table_holds(&table, ctx, (uint64_t)(uintptr_t)p)) {
        stats.table_hits++;
        return TG_SUCCESS;
    }
    driver_lookup();
    PFN_cuPointerGetAttributes_v7000 query = __atomic_load_n(&driver.pointer, __ATOMIC_ACQUIRE);
    if (query) {
        int known = 0;
        const tg_status s = ask_driver(query, p, name, ctx, &known);
        if (known)
            return s;
    }
    struct cudaPointerAttributes attr;
    cudaError_t e = cudaPointerGetAttributes(&attr, p);
    if (e != cudaSuccess) {
        cudaGetLastError();
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "%s (%p) is not a pointer CUDA knows: %s", name, p,
                       cudaGetErrorString(e));
    }
    if (attr.type == cudaMemoryTypeUnregistered ||
        (attr.type == cudaMemoryTypeHost && attr.devicePointer == NULL))
        return host_memory(p, name);
    return TG_SUCCESS;
}
