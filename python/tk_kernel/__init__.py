"""tk_kernel — the seed's Python module, on the tilegemm library.

    import torch, tk_kernel
    a = torch.randn(M, K, device="cuda", dtype=torch.bfloat16)
    b = torch.randn(N, K, device="cuda", dtype=torch.bfloat16)
    c = torch.empty(M, N, device="cuda", dtype=torch.float32)
    tk_kernel.dispatch_micro(a, b, c)   # c = a @ b.T, then synchronize (the seed's; "split8")
    tk_kernel.micro_tk(a, b, c)         # the same, asynchronous on torch's current stream
    out = tk_kernel.gemm(a, b)          # the library's choice of kernel: tk_kernel.choose(M, N, K)
    tk_kernel.gemm(a, b, out, alpha=0.5, beta=1.0)    # out = 0.5 * a @ b.T + out
    out = tk_kernel.gemm(a, b, config="seed", out_dtype=torch.bfloat16)
    [(c["name"], c["accumulators"]) for c in tk_kernel.configs()]

Everything is implemented in C (tk_kernel._C); this file re-exports it and
registers the PyTorch custom ops torch.ops.tk_kernel.gemm / .micro_tk (for
torch.compile) when torch is imported: at import if torch already is,
otherwise on first use of tk_kernel.ops or register_torch_ops().

Arrays: PyTorch CUDA tensors, or any object with __dlpack__ or
__cuda_array_interface__ (bfloat16 there is typestr "<V2"). a is bf16
(..., M, K), b is bf16 (..., N, K), c/out is (..., M, N); the last dimension
must be contiguous, rows may be padded (x[:, :k] views), and leading
dimensions must collapse to one batch stride (a 2-D a or b is shared by the
batch). Nothing is ever copied: anything else is an error.

Errors: TypeError (a wrong type, a non-CUDA array, a wrong dtype),
ValueError (a wrong value, and the library's argument and configuration
errors), RuntimeError (no or an unsupported GPU, CUDA errors); see
python/README.md.
"""
import sys as _sys

from ._C import (
    __version__,
    choose,
    configs,
    device_count,
    dispatch_micro,
    gemm,
    kernel_info,
    micro_tk,
    plan,
)

__all__ = [
    "micro_tk",
    "dispatch_micro",
    "gemm",
    "choose",
    "configs",
    "plan",
    "kernel_info",
    "device_count",
    "register_torch_ops",
]


def register_torch_ops():
    """Register torch.ops.tk_kernel.gemm and torch.ops.tk_kernel.micro_tk
    (torch.library custom ops with fake implementations, so they trace under
    torch.compile; gemm also has an autograd formula). Idempotent; imports
    torch. Returns torch.ops.tk_kernel."""
    from . import _torch_ops

    return _torch_ops.register()


def __getattr__(name):
    if name == "ops":
        return register_torch_ops()
    raise AttributeError(f"module 'tk_kernel' has no attribute {name!r}")


if "torch" in _sys.modules:
    try:
        register_torch_ops()
    except Exception as _e:  # an old torch without torch.library.custom_op
        import warnings as _warnings

        _warnings.warn(f"tk_kernel: torch custom ops not registered: {_e}", stacklevel=2)
