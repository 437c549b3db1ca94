/*
 * bad_spill.cu — a kernel ptxas must spill: 96 values live at once under
 * __launch_bounds__(1024, 2), which leaves 32 registers a thread. The ptxas
 * check must fail it (tests/CMakeLists.txt, ptxas_check_bad_spill).
 */
__global__ void __launch_bounds__(1024, 2) bad_spill(const float *in, float *out)
{
    float v[96];
#pragma unroll
    for (int i = 0; i < 96; i++)
        v[i] = in[threadIdx.x + i * 1024];
    float s = 0.0f;
#pragma unroll
    for (int j = 1; j < 8; j++)
#pragma unroll
        for (int i = 0; i < 96; i++)
            s += v[i] * v[(i + j) % 96];
    out[threadIdx.x] = s;
}
