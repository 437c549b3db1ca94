"""What the CPU tests of tk_kernel share: sizes, fake-array triples and the
check that valid fake inputs reach tg_gemm and are refused before any launch."""
import pytest

import tk_kernel
from fakes import PA, PB, PC, bf16, f32

M, N, K = 256, 512, 300
FUNCS = ["micro_tk", "dispatch_micro", "gemm"]
HAVE_GPU = tk_kernel.device_count() > 0
UNUSED = "split8,raster=3"  # valid, but no kernel was compiled for it


def call(fn, a, b, c, **kw):
    return getattr(tk_kernel, fn)(a, b, c, **kw)


def good(batch=()):
    return (bf16((*batch, M, K), PA), bf16((*batch, N, K), PB), f32((*batch, M, N), PC))


def expect_no_launch(fn, a, b, c=None, **kw):
    """Valid fake inputs reach tg_gemm, which refuses them before any launch:
    without a GPU with TG_ERR_NO_DEVICE (RuntimeError); with one, on the fake
    pointers (TG_ERR_INVALID_ARGUMENT: ValueError), or an unsupported GPU
    (RuntimeError). Never a launch, never a crash."""
    if not HAVE_GPU:
        with pytest.raises(RuntimeError, match=rf"^tk_kernel\.{fn}: no (CUDA GPU|usable)"):
            call(fn, a, b, c, **kw)
        return
    with pytest.raises((ValueError, RuntimeError)) as e:
        call(fn, a, b, c, **kw)
    if e.type is ValueError:
        assert "pointer CUDA knows" in str(e.value) or "host memory" in str(e.value), e.value
    else:
        assert "tilegemm's kernels are built for sm_90a" in str(e.value), e.value
