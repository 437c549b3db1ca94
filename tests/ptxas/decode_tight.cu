/*
 * decode_tight.cu — named like a decode instance (kernels/decode_<preset>.cu),
 * without "spill" in its name: a ring of 24 16-byte loads in flight under
 * __launch_bounds__(1024, 2) (32 registers a thread) must spill, and the
 * ptxas check must fail it because decode instances are held to the spill
 * rule (tests/CMakeLists.txt, ptxas_check_decode_tight).
 */
__global__ void __launch_bounds__(1024, 2) decode_tight(const uint4 *in, float *out)
{
    uint4 v[24];
#pragma unroll
    for (int i = 0; i < 24; i++)
        v[i] = in[threadIdx.x + i * 1024];
    float s = 0.0f;
#pragma unroll
    for (int j = 1; j < 4; j++)
#pragma unroll
        for (int i = 0; i < 24; i++)
            s += __uint_as_float(v[i].x ^ v[(i + j) % 24].w) * __uint_as_float(v[i].y | v[i].z);
    out[threadIdx.x] = s;
}
