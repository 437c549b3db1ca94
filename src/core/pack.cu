/*
 * pack.cu — the copy kernel of src/core/pack.c: each operand that breaks
 * TMA's rules, row by row into its workspace copy, rows padded with zeros
 * to dst_ld (a multiple of 8). A block walks rows (of every batch item);
 * a thread builds 8 columns from 2-byte loads (the source row may start
 * anywhere) and writes them as one aligned 16-byte store.
 */
#include <cuda_runtime.h>
#include <stdint.h>

#include "core/core.h"

static __global__ void pack_kernel(const tg_pack_op op, int64_t batch)
{
    const int64_t rows = op.rows * batch, chunks = op.dst_ld / 8;
    for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
        const int64_t item = r / op.rows, row = r % op.rows;
        const uint16_t *src = (const uint16_t *)op.src + item * op.stride + row * op.ld;
        uint4 *dst = (uint4 *)((uint16_t *)op.dst + item * op.dst_stride + row * op.dst_ld);
        for (int64_t c = threadIdx.x; c < chunks; c += blockDim.x) {
            uint32_t w[4];
#pragma unroll
            for (int j = 0; j < 4; j++) {
                const int64_t col = 8 * c + 2 * j;
                const uint32_t lo = col < op.cols ? __ldg(src + col) : 0;
                const uint32_t hi = col + 1 < op.cols ? __ldg(src + col + 1) : 0;
                w[j] = lo | hi << 16;
            }
            dst[c] = make_uint4(w[0], w[1], w[2], w[3]);
        }
    }
}

extern "C" tg_status tg_pack_launch(const tg_pack *p, void *stream)
{
    for (int i = 0; i < 2; i++) {
        if (!(i == 0 ? p->a : p->b))
            continue;
        const tg_pack_op *op = &p->op[i];
        const int64_t rows = op->rows * p->batch;
        const unsigned blocks = (unsigned)(rows < 8192 ? rows : 8192);
        pack_kernel<<<blocks, 256, 0, (cudaStream_t)stream>>>(*op, p->batch);
        const cudaError_t e = cudaGetLastError();
        if (e != cudaSuccess)
            return TG_FAIL(TG_ERR_CUDA, "packing %s: kernel launch failed: %s (%s)", i ? "b" : "a",
                           cudaGetErrorString(e), cudaGetErrorName(e));
    }
    return TG_SUCCESS;
}
