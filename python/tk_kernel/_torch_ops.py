"""PyTorch custom ops over tk_kernel._C (torch.library, torch >= 2.4).

    torch.ops.tk_kernel.gemm(a, b, config=None, out_dtype=None,
                             alpha=1.0, beta=0.0, c=None) -> Tensor
        alpha * a @ b.T + beta * c, in a new tensor (c, when given, is an
        input of the output's shape and is not written; beta != 0 needs it).
        The output dtype is out_dtype, else c's, else float32.
    torch.ops.tk_kernel.micro_tk(a, b, c, config=None) -> None   (writes c)

The fake implementations give output shapes without running anything, so the
ops trace under torch.compile (fullgraph) and run in CUDA graphs. gemm has an
autograd formula (computed with torch.matmul in fp32):
    dA = alpha * dOut @ B,  dB = alpha * dOutᵀ @ A,  dC = beta * dOut,
summed over the batch for a shared 2-D a or b.
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


def _out_shape(a, b, c):
    torch._check(
        a.shape[-1] == b.shape[-1],
        lambda: f"tk_kernel.gemm: b has K={b.shape[-1]} but a has K={a.shape[-1]}",
    )
    shape = (*_batch_shape(a, b), a.shape[-2], b.shape[-2])
    if c is not None:
        torch._check(
            tuple(c.shape) == shape,
            lambda: f"tk_kernel.gemm: c must have shape {shape} (the output's), got {tuple(c.shape)}",
        )
    return shape


def _out_dtype(out_dtype, c):
    if out_dtype is not None:
        return out_dtype
    return c.dtype if c is not None else torch.float32


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
        alpha: float = 1.0,
        beta: float = 0.0,
        c: Optional[torch.Tensor] = None,
    ) -> torch.Tensor:
        if c is None:
            return _C.gemm(a, b, config=config, out_dtype=out_dtype, alpha=alpha, beta=beta)
        shape = _out_shape(a, b, c)
        out = torch.empty(shape, dtype=_out_dtype(out_dtype, c), device=a.device)
        if beta != 0.0:
            out.copy_(c)  # beta = 0 never reads it
        return _C.gemm(a, b, out, config=config, alpha=alpha, beta=beta)

    @gemm.register_fake
    def _(a, b, config=None, out_dtype=None, alpha=1.0, beta=0.0, c=None):
        torch._check(
            c is not None or beta == 0.0,
            lambda: f"tk_kernel.gemm: beta is {beta} but c is None: there is no C to read",
        )
        return a.new_empty(_out_shape(a, b, c), dtype=_out_dtype(out_dtype, c))

    def setup_context(ctx, inputs, output):
        a, b, _config, _out_dtype_, alpha, beta, c = inputs
        ctx.save_for_backward(a, b)
        ctx.alpha, ctx.beta = alpha, beta
        ctx.c_dtype = c.dtype if c is not None else None

    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        g = grad.float()
        da = db = dc = None
        if ctx.needs_input_grad[0]:
            da = _sum_to_2d(ctx.alpha * torch.matmul(g, b.float()), a).to(a.dtype)
        if ctx.needs_input_grad[1]:
            db = _sum_to_2d(ctx.alpha * torch.matmul(g.transpose(-1, -2), a.float()), b).to(b.dtype)
        # needs_input_grad covers the inputs the dispatcher passed (trailing
        # defaults dropped): c's entry is there whenever c was given
        if ctx.c_dtype is not None and len(ctx.needs_input_grad) > 6 and ctx.needs_input_grad[6]:
            dc = (ctx.beta * g).to(ctx.c_dtype)
        return da, db, None, None, None, None, dc

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
