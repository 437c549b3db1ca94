/*
 * bad_c7508.cu — setmaxnreg that ptxas ignores (tests/CMakeLists.txt,
 * ptxas_check_*): __launch_bounds__ gives the threads but no minimum of
 * blocks per SM, so ptxas cannot fix the register count at entry: "(C7508)
 * Potential Performance Loss: 'setmaxnreg' ignored; unable to determine
 * register count at entry." (ptxas 13.0). __launch_bounds__(384, 1) would
 * be honoured. Compiled only, never run.
 */
__global__ void __launch_bounds__(384) shuffle(float *out)
{
    if (threadIdx.x >= 256)
        asm volatile("setmaxnreg.dec.sync.aligned.u32 40;\n");
    else
        asm volatile("setmaxnreg.inc.sync.aligned.u32 232;\n");
    out[threadIdx.x] = 1.0f;
}
