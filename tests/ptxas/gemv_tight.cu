/*
 * gemv_tight.cu — named like a gemv instance (kernels/gemv_<preset>.cu),
 * without "spill" in its name: 16 rows of 16-byte loads in flight, each
 * dotted with 8 vectors of A held in registers, under
 * __launch_bounds__(1024, 2) (32 registers a thread) must spill, and the
 * ptxas check must fail it because gemv instances are held to the spill rule
 * (tests/CMakeLists.txt, ptxas_check_gemv_tight).
 */
__global__ void __launch_bounds__(1024, 2) gemv_tight(const uint4 *a, const uint4 *b, float *out)
{
    uint4 av[8], bv[16];
#pragma unroll
    for (int j = 0; j < 8; j++)
        av[j] = a[threadIdx.x + j * 1024];
#pragma unroll
    for (int r = 0; r < 16; r++)
        bv[r] = b[threadIdx.x + r * 4096];
#pragma unroll
    for (int r = 0; r < 16; r++) {
        float s = 0.0f;
#pragma unroll
        for (int j = 0; j < 8; j++)
            s += __uint_as_float(av[j].x ^ bv[r].y) * __uint_as_float(av[(j + r) % 8].z | bv[r].w);
        out[threadIdx.x + r * 1024] = s;
    }
}
