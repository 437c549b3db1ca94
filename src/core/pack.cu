/*
 * pack.cu — the copy kernel of src/core/pack.c: each operand the family
 * cannot read as it is (A and B in one launch), row by row into its
 * workspace copy, rows padded with zeros to dst_ld (a multiple of 8). A
 * block walks rows (of every batch item; once for an operand the batch
 * shares); a thread takes 8 columns from the aligned 16-byte words that
 * hold them (the source row may start at any element) and writes them as
 * one aligned 16-byte store.
 */
#include <cuda_runtime.h>
#include <stdint.h>

#include "core/core.h"

/*
 * 8 elements of a row from `from` (any 2-byte aligned address, `n` of them
 * valid, the rest zero), read as the one or two aligned 16-byte words that
 * hold them: a block that holds a valid byte cannot fault, and the second
 * word is read only when it holds valid bytes too. Where a word would run
 * past the span's `end` (the matrix's last chunk), element loads instead:
 * nothing is read past the operand.
 */
static __device__ __forceinline__ uint4 load8(const uint16_t *from, int n, const char *end)
{
    const uintptr_t at = (uintptr_t)from, base = at & ~(uintptr_t)15;
    const int shift = (int)(at & 15), bytes = 2 * n;
    uint32_t w[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    if ((const char *)base + (shift + bytes > 16 ? 32 : 16) > end) {
#pragma unroll
        for (int j = 0; j < 8; j++)
            if (j < n)
                w[j / 2] |= (uint32_t)__ldg(from + j) << (16 * (j % 2));
        return make_uint4(w[0], w[1], w[2], w[3]);
    }
    const uint4 lo = __ldg((const uint4 *)base);
    const uint4 hi = shift + bytes > 16 ? __ldg((const uint4 *)base + 1) : make_uint4(0, 0, 0, 0);
    w[0] = lo.x; w[1] = lo.y; w[2] = lo.z; w[3] = lo.w;
    w[4] = hi.x; w[5] = hi.y; w[6] = hi.z; w[7] = hi.w;
    /* bytes shift .. shift+15 of the 32: word q of the result from words q + shift/4 (and the
     * next, for a shift of 2 mod 4), selected without indexing registers */
    const int q0 = shift / 4, half = shift % 4 ? 16 : 0;
    uint32_t out[4];
#pragma unroll
    for (int j = 0; j < 4; j++) {
        uint32_t a = w[j], b = w[j + 1];
#pragma unroll
        for (int q = 1; q < 4; q++)
            if (q0 == q) {
                a = w[j + q];
                b = w[j + q + 1];
            }
        out[j] = half ? __funnelshift_r(a, b, 16) : a;
    }
    /* columns past the row's end are zeros in the copy */
#pragma unroll
    for (int j = 0; j < 4; j++)
        if (2 * j >= n)
            out[j] = 0;
        else if (2 * j + 1 >= n)
            out[j] &= 0xFFFFu;
    return make_uint4(out[0], out[1], out[2], out[3]);
}

/* The operands to copy, in one launch: rows [0, rows[0]) are op[0]'s, then op[1]'s. */
typedef struct pack_params {
    tg_pack_op op[2];
    int64_t rows[2]; /* rows of each (times the batch), 0 for an operand not packed */
    int64_t batch;
} pack_params;

static __global__ void pack_kernel(const __grid_constant__ pack_params p)
{
    for (int64_t r = blockIdx.x; r < p.rows[0] + p.rows[1]; r += gridDim.x) {
        const int i = r >= p.rows[0];
        const tg_pack_op *op = &p.op[i];
        const int64_t rr = r - (i ? p.rows[0] : 0), item = rr / op->rows, row = rr % op->rows;
        const char *end = (const char *)((const uint16_t *)op->src + (p.batch - 1) * op->stride +
                                         (op->rows - 1) * op->ld + op->cols);
        const uint16_t *src = (const uint16_t *)op->src + item * op->stride + row * op->ld;
        uint4 *dst = (uint4 *)((uint16_t *)op->dst + item * op->dst_stride + row * op->dst_ld);
        for (int64_t c = threadIdx.x; c < op->dst_ld / 8; c += blockDim.x) {
            const int64_t left = op->cols - 8 * c;
            dst[c] = left > 0 ? load8(src + 8 * c, left < 8 ? (int)left : 8, end)
                              : make_uint4(0, 0, 0, 0);
        }
    }
}

extern "C" tg_status tg_pack_launch(const tg_pack *p, void *stream)
{
    pack_params k;
    k.op[0] = p->op[0];
    k.op[1] = p->op[1];
    /* a shared operand (stride 0) is one copy: its rows once */
    k.rows[0] = p->a ? p->op[0].rows * (p->op[0].stride ? p->batch : 1) : 0;
    k.rows[1] = p->b ? p->op[1].rows * (p->op[1].stride ? p->batch : 1) : 0;
    k.batch = p->batch;
    const int64_t rows = k.rows[0] + k.rows[1];
    const unsigned blocks = (unsigned)(rows < 16384 ? rows : 16384);
    pack_kernel<<<blocks, 256, 0, (cudaStream_t)stream>>>(k);
    const cudaError_t e = cudaGetLastError();
    if (e != cudaSuccess)
        return TG_FAIL(TG_ERR_CUDA, "packing %s: kernel launch failed: %s (%s)",
                       p->a && p->b ? "a and b" : p->a ? "a" : "b", cudaGetErrorString(e),
                       cudaGetErrorName(e));
    return TG_SUCCESS;
}
