/*
 * ptx.cuh — the few PTX instructions the kernels use, as C functions.
 * Inline assembly is the only way CUDA gives to name cp.async, ldmatrix and
 * mma.sync directly; each wrapper is one instruction.
 */
#ifndef TG_PTX_CUH
#define TG_PTX_CUH

#include <stdint.h>

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

#endif /* TG_PTX_CUH */
