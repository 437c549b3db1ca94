#!/usr/bin/env python3
"""The seed's usage of tk_kernel: random bf16 a (M×K) and b (N×K), c = an
fp32 M×N tensor, tk_kernel.dispatch_micro(a, b, c) — then c is checked
against a.float() @ b.float().T, and micro_tk / dispatch_micro (the seed's
calls: "split8", or --config) and tk_kernel.gemm (the library's choice of
kernel) are timed against torch.matmul in the same run, on the same buffers.

    pip install .            # builds tilegemm and tk_kernel (a few minutes)
    python examples/seed_usage.py                     # M = N = K = 8192
    python examples/seed_usage.py --m 4096 --n 4096 --k 4096 --config seed

Timing: CUDA events around each call, median of --reps after --warmup, with
L2 flushed (a 256 MiB write) before every timed call; TFLOP/s = 2·M·N·K / t.
torch.matmul on bf16 returns bf16; torch.mm(..., out_dtype=torch.float32)
(when this torch has it) returns fp32 like micro_tk, and is shown too.
Exit status 1 when the check fails.
"""
import argparse
import statistics
import sys
import time

import torch

import tk_kernel


def median_ms(fn, reps, warmup, flush):
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(reps):
        flush.zero_()
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end))
    return statistics.median(times)


def median_wall_ms(fn, reps, warmup, flush):
    """For calls that synchronize themselves (dispatch_micro): host wall time."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(reps):
        flush.zero_()
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--m", type=int, default=8192)
    p.add_argument("--n", type=int, default=8192)
    p.add_argument("--k", type=int, default=8192)
    p.add_argument("--config", default="split8",
                   help="what micro_tk/dispatch_micro run: a preset or 'preset,key=value,...' "
                        "(tk_kernel.configs()); default split8, the seed's calls")
    p.add_argument("--reps", type=int, default=20)
    p.add_argument("--warmup", type=int, default=5)
    args = p.parse_args()
    if not torch.cuda.is_available() or tk_kernel.device_count() == 0:
        print("seed_usage: needs a CUDA GPU (NVIDIA Hopper)", file=sys.stderr)
        return 2
    M, N, K = args.m, args.n, args.k
    cfg = args.config
    torch.backends.cuda.matmul.allow_tf32 = False  # an fp32 reference, not TF32

    # ---- the seed's usage
    a = torch.randn(M, K, dtype=torch.bfloat16, device="cuda")
    b = torch.randn(N, K, dtype=torch.bfloat16, device="cuda")
    c = torch.empty(M, N, dtype=torch.float32, device="cuda")
    tk_kernel.dispatch_micro(a, b, c, config=cfg)

    plan = tk_kernel.plan(cfg)
    chosen = tk_kernel.choose(M, N, K)
    print(f"tk_kernel {tk_kernel.__version__} on {torch.cuda.get_device_name()}, "
          f"M={M} N={N} K={K}, config {plan['name']}: REG_BLOCK {plan['reg_block_m']}x"
          f"{plan['reg_block_n']}, {plan['accumulators']} accumulators/warp, "
          f"{plan['smem_bytes']} B shared; gemm(config=None) runs {chosen['name']}")

    ref = a.float() @ b.float().T
    err = c - ref
    rel = (torch.linalg.norm(err) / torch.linalg.norm(ref)).item()
    max_abs = err.abs().max().item()
    ok = rel <= 1e-4 and not torch.isnan(c).any().item()
    del ref, err

    # ---- timing, every contender on the same buffers
    flush = torch.empty(256 << 20, dtype=torch.uint8, device="cuda")
    flops = 2.0 * M * N * K
    rows = [("tk_kernel.micro_tk", median_ms(lambda: tk_kernel.micro_tk(a, b, c, config=cfg),
                                             args.reps, args.warmup, flush)),
            ("tk_kernel.dispatch_micro (wall)", median_wall_ms(
                lambda: tk_kernel.dispatch_micro(a, b, c, config=cfg), args.reps, args.warmup,
                flush)),
            ("torch.matmul(a, b.T), bf16 out", median_ms(lambda: torch.matmul(a, b.T),
                                                         args.reps, args.warmup, flush)),
            (f"tk_kernel.gemm ({chosen['name']})", median_ms(lambda: tk_kernel.gemm(a, b, c),
                                                            args.reps, args.warmup, flush))]
    try:
        torch.mm(a, b.T, out_dtype=torch.float32)
        rows.append(("torch.mm(a, b.T, out_dtype=fp32)", median_ms(
            lambda: torch.mm(a, b.T, out_dtype=torch.float32), args.reps, args.warmup, flush)))
    except (TypeError, RuntimeError) as e:
        rows.append(("torch.mm(a, b.T, out_dtype=fp32)", None))
        print(f"  (torch.mm out_dtype: {str(e).splitlines()[0][:80]})")

    print(f"median of {args.reps} after {args.warmup} warm-up, L2 flushed, CUDA events:")
    for name, ms in rows:
        if ms is None:
            print(f"  {name:34s}      n/a in torch {torch.__version__}")
        else:
            print(f"  {name:34s} {ms:8.3f} ms {flops / ms / 1e9:8.1f} TFLOP/s")
    print(f"check  c vs a.float() @ b.float().T: relative Frobenius {rel:.2e}, "
          f"max |err| {max_abs:.2e}: {'OK' if ok else 'FAILED'}")
    # gemm with the library's choice of kernel, checked too (over a NaN-filled c)
    c.fill_(float("nan"))
    tk_kernel.gemm(a, b, c)
    ref = a.float() @ b.float().T
    rel_gemm = (torch.linalg.norm(c - ref) / torch.linalg.norm(ref)).item()
    del ref
    ok_gemm = rel_gemm <= 1e-4 and not torch.isnan(c).any().item()
    print(f"check  tk_kernel.gemm ({chosen['name']}): relative Frobenius {rel_gemm:.2e}: "
          f"{'OK' if ok_gemm else 'FAILED'}")
    ok = ok and ok_gemm
    ratio = rows[2][1] / rows[0][1]
    print(f"ratio  tk_kernel.micro_tk runs at {ratio:.2f}x the TFLOP/s of torch.matmul (bf16 out)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
