/*
 * bad_c7510.cu — a kernel ptxas must complain about (tests/CMakeLists.txt,
 * ptxas_check_*): a not-inlined device function (with printf) called
 * between two wgmmas of one pipeline stage. ptxas 13.0 serializes the
 * wgmmas: "(C7510) Potential Performance Loss: wgmma.mma_async
 * instructions are serialized due to wgmma pipeline crossing function
 * boundary ..." (and C7519, warpgroup.arrive injected). Compiled only, never run.
 */
#include <cstdint>
#include <cstdio>

__device__ __noinline__ void note(int i) { printf("step %d\n", i); }

__device__ __forceinline__ void mma(float (&d)[4], uint64_t a, uint64_t b)
{
    asm volatile("wgmma.mma_async.sync.aligned.m64n8k16.f32.bf16.bf16 "
                 "{%0, %1, %2, %3}, %4, %5, 1, 1, 1, 0, 0;\n"
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
                 : "l"(a), "l"(b));
}

__global__ void __launch_bounds__(128, 1) bad(float *out, uint64_t a, uint64_t b, int n)
{
    float d[4] = {0, 0, 0, 0};
    asm volatile("wgmma.fence.sync.aligned;\n" ::: "memory");
    for (int i = 0; i < n; i++) {
        mma(d, a + i, b + i);
        note(i); /* the pipeline crosses this call */
        mma(d, a + 2 * i, b + 2 * i);
    }
    asm volatile("wgmma.commit_group.sync.aligned;\n" ::: "memory");
    asm volatile("wgmma.wait_group.sync.aligned 0;\n" ::: "memory");
    for (int j = 0; j < 4; j++)
        out[threadIdx.x * 4 + j] = d[j];
}
