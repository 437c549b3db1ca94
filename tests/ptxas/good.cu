/*
 * good.cu — a wgmma kernel ptxas keeps pipelined (tests/CMakeLists.txt,
 * ptxas_check_good): two wgmmas of one stage, the first with scale-d 0
 * (no accumulator input), nothing between them, the accumulators read only
 * after wait_group. The checker must pass it and print nothing.
 * Compiled only, never run.
 */
#include <cstdint>

__global__ void __launch_bounds__(128, 1) good(float *out, uint64_t a, uint64_t b)
{
    float d0, d1, d2, d3;
    asm volatile("wgmma.fence.sync.aligned;\n" ::: "memory");
    asm volatile("wgmma.mma_async.sync.aligned.m64n8k16.f32.bf16.bf16 "
                 "{%0, %1, %2, %3}, %4, %5, 0, 1, 1, 0, 0;\n"
                 : "=f"(d0), "=f"(d1), "=f"(d2), "=f"(d3)
                 : "l"(a), "l"(b));
    asm volatile("wgmma.mma_async.sync.aligned.m64n8k16.f32.bf16.bf16 "
                 "{%0, %1, %2, %3}, %4, %5, 1, 1, 1, 0, 0;\n"
                 : "+f"(d0), "+f"(d1), "+f"(d2), "+f"(d3)
                 : "l"(a + 2), "l"(b + 2));
    asm volatile("wgmma.commit_group.sync.aligned;\n" ::: "memory");
    asm volatile("wgmma.wait_group.sync.aligned 0;\n" ::: "memory");
    out[threadIdx.x * 4 + 0] = d0;
    out[threadIdx.x * 4 + 1] = d1;
    out[threadIdx.x * 4 + 2] = d2;
    out[threadIdx.x * 4 + 3] = d3;
}
