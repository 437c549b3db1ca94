"""PyTorch custom ops over tk_kernel._C (torch.library, torch >= 2.4).

    torch.ops.tk_kernel.gemm(a, b, config=None, out_dtype=None) -> Tensor
    torch.ops.tk_kernel.micro_tk(a, b, c, config=None) -> None   (writes c)

The fake implementations give output shapes without running anything, so the
ops trace under torch.compile (fullgraph) and run in CUDA graphs. gemm has an
autograd formula (computed with torch.matmul in fp32): dA = dC·B, dB = dCᵀ·A,
summed over the batch for a shared 2-D operand.
"""
from typing import Optional

import torch

from . import _C

_registered = False


def _batch_shape(a, b):
    if a.dim() > 2 and b.dim() > 2:
        torch._check(
            tuple(a.shape[:-2]) == tuple(b.shape[:-2]),
            lambda: f"tk_kernel.gemm: b has batch shape {tuple(b.shape[:-2])} "
            f"but a has {tuple(a.shape[:-2])}",
        )
    return tuple((a if a.dim() > 2 else b).shape[:-2])


def _sum_to_2d(x, like):
    if like.dim() == 2 and x.dim() > 2:
        return x.reshape(-1, x.shape[-2], x.shape[-1]).sum(0)
    return x


def register():
    global _registered
    if _registered:
        return torch.ops.tk_kernel
    if not hasattr(torch, "library") or not hasattr(torch.library, "custom_op"):
        raise RuntimeError(f"torch {torch.__version__} has no torch.library.custom_op (needs 2.4)")

    @torch.library.custom_op("tk_kernel::gemm", mutates_args=())
    def gemm(
        a: torch.Tensor,
        b: torch.Tensor,
        config: Optional[str] = None,
        out_dtype: Optional[torch.dtype] = None,
    ) -> torch.Tensor:
        return _C.gemm(a, b, config=config, out_dtype=out_dtype)

    @gemm.register_fake
    def _(a, b, config=None, out_dtype=None):
        torch._check(
            a.shape[-1] == b.shape[-1],
            lambda: f"tk_kernel.gemm: b has K={b.shape[-1]} but a has K={a.shape[-1]}",
        )
        shape = (*_batch_shape(a, b), a.shape[-2], b.shape[-2])
        return a.new_empty(shape, dtype=out_dtype if out_dtype is not None else torch.float32)

    def setup_context(ctx, inputs, output):
        ctx.save_for_backward(inputs[0], inputs[1])  # a, b

    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        g = grad.float()
        da = db = None
        if ctx.needs_input_grad[0]:
            da = _sum_to_2d(torch.matmul(g, b.float()), a).to(a.dtype)
        if ctx.needs_input_grad[1]:
            db = _sum_to_2d(torch.matmul(g.transpose(-1, -2), a.float()), b).to(b.dtype)
        return da, db, None, None

    gemm.register_autograd(backward, setup_context=setup_context)

    @torch.library.custom_op("tk_kernel::micro_tk", mutates_args=("c",))
    def micro_tk(
        a: torch.Tensor, b: torch.Tensor, c: torch.Tensor, config: Optional[str] = None
    ) -> None:
        _C.micro_tk(a, b, c, config=config)

    @micro_tk.register_fake
    def _(a, b, c, config=None):
        return None

    _registered = True
    return torch.ops.tk_kernel
