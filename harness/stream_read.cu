/*
 * stream_read.cu — the benchmark's streaming-read kernel (harness.h,
 * th_reader): reads a buffer once, as fast as a plain kernel can, so that
 * a memory-bound GEMM moving the same bytes can be put beside it. Not part
 * of the library; the bench command and tests/test_stream_read_gpu.c use it.
 *
 * Each thread issues TH_READ_UNROLL 16-byte loads before it uses any
 * (several in flight), strided by the whole grid so that the lanes of a
 * warp read 512 contiguous bytes per load; the grid strides over the
 * buffer. Every 32-bit word is XORed into one value per block, and the
 * blocks' values into *sink, so no load can be optimized away; the last
 * bytes % 16 bytes are read one byte a thread by block 0.
 */
#include "harness.h"

static __device__ unsigned xor_words(uint4 v) { return v.x ^ v.y ^ v.z ^ v.w; }

static __global__ void __launch_bounds__(TH_READ_THREADS)
    th_stream_read(const uint4 *__restrict__ v, size_t n16, const unsigned char *__restrict__ tail,
                   unsigned ntail, unsigned *sink)
{
    const size_t stride = (size_t)gridDim.x * blockDim.x;
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    unsigned acc = 0;
    for (; i + (TH_READ_UNROLL - 1) * stride < n16; i += TH_READ_UNROLL * stride) {
        uint4 x[TH_READ_UNROLL];
#pragma unroll
        for (int u = 0; u < TH_READ_UNROLL; u++)
            x[u] = __ldg(&v[i + u * stride]);
#pragma unroll
        for (int u = 0; u < TH_READ_UNROLL; u++)
            acc ^= xor_words(x[u]);
    }
    for (; i < n16; i += stride)
        acc ^= xor_words(__ldg(&v[i]));
    /* The tail starts on a 16-byte boundary: byte t is byte t % 4 of its word. */
    if (blockIdx.x == 0 && threadIdx.x < ntail)
        acc ^= (unsigned)tail[threadIdx.x] << (8 * (threadIdx.x % 4));

    for (int lane = 16; lane > 0; lane >>= 1)
        acc ^= __shfl_xor_sync(0xffffffffu, acc, lane);
    __shared__ unsigned warp_acc[TH_READ_THREADS / 32];
    if (threadIdx.x % 32 == 0)
        warp_acc[threadIdx.x / 32] = acc;
    __syncthreads();
    if (threadIdx.x == 0) {
        unsigned block_acc = 0;
        for (int w = 0; w < TH_READ_THREADS / 32; w++)
            block_acc ^= warp_acc[w];
        atomicXor(sink, block_acc);
    }
}

cudaError_t th_stream_read_launch(const void *buf, size_t bytes, int blocks, unsigned *sink,
                                  cudaStream_t stream)
{
    const size_t n16 = bytes / 16;
    th_stream_read<<<blocks, TH_READ_THREADS, 0, stream>>>(
        (const uint4 *)buf, n16, (const unsigned char *)buf + n16 * 16, (unsigned)(bytes % 16),
        sink);
    return cudaGetLastError();
}
