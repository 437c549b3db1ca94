/*
 * test_stream_read_gpu — the benchmark's memory-bound helpers (harness.h):
 * the streaming-read kernel reads every byte it is given (its XOR of the
 * buffer's 32-bit words equals the CPU's, for sizes with and without a
 * tail of bytes % 16 and from one block to a grid that strides many
 * times); the L2 flush writes at least twice the L2, every byte, a new
 * value each time; the flushed and back-to-back timings give finite,
 * positive times, and so does a batch of calls with no event between them.
 * Fresh random data each run (the seed is printed).
 *
 * Exits 77 (ctest: skipped) when no sm_90 GPU is present.
 * Usage: test_stream_read_gpu [--seed S]
 */
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "harness.h"

/* The reader's sum on the CPU: XOR of the little-endian 32-bit words, the last zero-padded. */
static unsigned cpu_xor(const unsigned char *b, size_t bytes)
{
    unsigned acc = 0;
    for (size_t i = 0; i < bytes; i++)
        acc ^= (unsigned)b[i] << (8 * (i % 4));
    return acc;
}

static void reader_case(size_t bytes, th_rng *rng)
{
    unsigned char *h = malloc(bytes ? bytes : 1);
    if (!h) {
        fprintf(stderr, "test_stream_read_gpu: out of host memory\n");
        exit(1);
    }
    for (size_t i = 0; i < bytes; i++)
        h[i] = (unsigned char)th_rng_next(rng);
    th_reader r = th_reader_make(bytes);
    TH_CUDA(cudaMemcpy(r.buf, h, bytes, cudaMemcpyHostToDevice));
    th_reader_run(&r, NULL);
    unsigned got = 0;
    TH_CUDA(cudaMemcpy(&got, r.sink, sizeof got, cudaMemcpyDeviceToHost));
    const unsigned want = cpu_xor(h, bytes);
    CHECK(got == want, "%zu bytes (%d blocks): the kernel's XOR 0x%08x, the CPU's 0x%08x", bytes,
          r.blocks, got, want);
    /* A second run XORs the same value in again: back to 0. */
    th_reader_run(&r, NULL);
    TH_CUDA(cudaMemcpy(&got, r.sink, sizeof got, cudaMemcpyDeviceToHost));
    CHECK(got == 0, "%zu bytes: two runs leave 0x%08x, not 0", bytes, got);
    th_reader_free(&r);
    free(h);
}

static void read_call(void *ctx, int iter)
{
    (void)iter;
    th_reader_run(ctx, NULL);
}

int main(int argc, char **argv)
{
    const uint64_t seed = th_gpu_test_seed(argc, argv, "test_stream_read_gpu");
    th_rng rng = th_rng_new(seed);

    /* Sizes: empty, under one load, ragged tails, one block, many grid strides. */
    const size_t sizes[] = {0, 1, 15, 16, 17, 4096 + 3, 65536, ((size_t)1 << 20) + 14,
                            ((size_t)64 << 20) + 6, ((size_t)300 << 20) + 2};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        reader_case(sizes[i], &rng);

    int dev = 0, l2 = 0;
    TH_CUDA(cudaGetDevice(&dev));
    TH_CUDA(cudaDeviceGetAttribute(&l2, cudaDevAttrL2CacheSize, dev));
    th_flush f = th_flush_make(0);
    CHECK(f.data.bytes >= 2 * (size_t)l2, "the flush writes %zu bytes; L2 is %d", f.data.bytes, l2);
    for (int w = 0; w < 2; w++) {
        th_flush_run(&f, NULL);
        unsigned char first = 0, last = 0;
        TH_CUDA(cudaMemcpy(&first, f.data.buf, 1, cudaMemcpyDeviceToHost));
        TH_CUDA(cudaMemcpy(&last, (char *)f.data.buf + f.data.bytes - 1, 1, cudaMemcpyDeviceToHost));
        CHECK(first == w && last == w, "flush %d wrote %d .. %d, not %d in every byte", w, first,
              last, w);
    }

    th_reader r = th_reader_make((size_t)32 << 20);
    const double warm = th_time_ms(read_call, &r, 2, 5, NULL);
    const double cold = th_time_flushed_ms(read_call, &r, 2, 5, &f, NULL);
    const double batch = th_time_batch_ms(read_call, &r, 2, 5, NULL);
    CHECK(isfinite(warm) && warm > 0 && isfinite(cold) && cold > 0 && isfinite(batch) && batch > 0,
          "times of a 32 MiB read: %g ms back to back, %g ms flushed, %g ms with no event between",
          warm, cold, batch);
    printf("32 MiB read: %.4f ms back to back, %.4f ms after a flush, %.4f ms with no event "
           "between calls (not checked: figures)\n",
           warm, cold, batch);
    /* The clean flush writes every byte too (then reads the buffer back: its launches checked). */
    th_flush fc = th_flush_make(1);
    th_flush_run(&fc, NULL);
    unsigned char first = 1;
    TH_CUDA(cudaMemcpy(&first, fc.data.buf, 1, cudaMemcpyDeviceToHost));
    CHECK(first == 0, "the clean flush wrote %d, not 0", first);
    const double clean = th_time_flushed_ms(read_call, &r, 2, 5, &fc, NULL);
    CHECK(isfinite(clean) && clean > 0, "a 32 MiB read after a clean flush: %g ms", clean);
    th_reader_free(&r);
    th_flush_free(&f);
    th_flush_free(&fc);
    TH_CUDA(cudaGetLastError());
    return check_summary();
}
