"""tk_kernel on the GPU (scripts/gpu-suite.sh, phase python): results against
torch in float64 over random and odd shapes, padded, offset and batched views,
both output dtypes, every configuration, the library's choice (config=None)
against explicit ones, odd leading dimensions through the workspace (from
torch's allocator), alpha and beta, K = 0 and M = 0; micro_tk and
dispatch_micro still the seed's calls (split8); ordering on torch's current stream,
side streams, stream=, CUDA graphs; the GIL released while waiting;
torch.compile and autograd through the custom ops; no leaks over 10,000 calls.
Skipped cleanly without torch, CUDA, or a Hopper (sm_90) GPU.

Inputs are fresh random numbers every run (the seed is printed on failure);
outputs are poisoned with NaN first, so an element the kernel never wrote fails.
"""
import os
import threading
import time

import pytest

torch = pytest.importorskip("torch")
import tk_kernel  # noqa: E402
from leaks import growth  # noqa: E402

if not torch.cuda.is_available() or tk_kernel.device_count() == 0:
    pytest.skip("no CUDA GPU", allow_module_level=True)
if torch.cuda.get_device_capability() != (9, 0):
    pytest.skip("tilegemm's kernels are built for sm_90a (Hopper)", allow_module_level=True)

BF16, F32, NAN = torch.bfloat16, torch.float32, float("nan")
DEV = torch.device("cuda", torch.cuda.current_device())


@pytest.fixture(autouse=True)
def fresh_seed():
    seed = int.from_bytes(os.urandom(4), "little")
    torch.manual_seed(seed)
    print(f"torch.manual_seed({seed})")
    yield


def rand(*shape):
    return torch.randn(*shape, device=DEV).to(BF16)


def poisoned(*shape, dtype=F32):
    return torch.full(shape, NAN, device=DEV, dtype=dtype)


def check(out, a, b, what="", alpha=1.0, beta=0.0, c0=None):
    """The library's bound (harness/harness.c th_tolerance), against float64:
    |out - ref| <= atol·|alpha|·(|a|·|b|ᵀ) + rtol·|ref| per element, atol =
    (K/16 + 32)·2⁻²², rtol = 0 (fp32 out) or 2⁻⁸·1.01 (bf16 out); and the
    relative Frobenius error below 1e-4 (fp32) or 5e-3 (bf16). ref is
    alpha·a·bᵀ + beta·c0 (c0: out before the call); with alpha ≠ 1 or beta ≠ 0
    the bound adds the two fp32 roundings of the epilogue (x·alpha, then
    fma(beta, c0, x)): 2⁻²⁴·(|alpha·a·bᵀ| + |ref|)."""
    torch.cuda.synchronize()
    k = a.shape[-1]
    ad, bd = a.double(), b.double()
    ab = ad @ bd.transpose(-1, -2)
    ref = alpha * ab + (beta * c0.double() if beta != 0.0 else 0.0)
    absdot = ad.abs() @ bd.abs().transpose(-1, -2)
    bf = out.dtype == BF16
    atol = (k / 16 + 32) * 2.0**-22
    rtol = 2.0**-8 * 1.01 if bf else 0.0
    bound = atol * abs(alpha) * absdot + rtol * ref.abs()
    if alpha != 1.0 or beta != 0.0:
        bound = bound + 2.0**-24 * ((alpha * ab).abs() + ref.abs())
    got = out.double()
    assert got.shape == ref.shape, f"{what}: shape {tuple(got.shape)} != {tuple(ref.shape)}"
    nan = torch.isnan(got)
    assert not nan.any(), f"{what}: {int(nan.sum())} of {got.numel()} elements unwritten (NaN)"
    err = (got - ref).abs()
    bad = err > bound
    if bad.any():
        first = [tuple(i) for i in bad.nonzero()[:4].tolist()]
        detail = ", ".join(f"{i}: got {got[i].item():.7g} ref {ref[i].item():.7g}" for i in first)
        pytest.fail(f"{what}: {int(bad.sum())} of {got.numel()} elements out of bound; {detail}")
    rel = (torch.linalg.norm(got - ref) / torch.linalg.norm(ref).clamp_min(1e-300)).item()
    assert rel <= (5e-3 if bf else 1e-4), f"{what}: relative Frobenius error {rel:.3g}"


SHAPES = [(1, 1, 1), (17, 33, 100), (255, 129, 300), (1000, 1000, 1000), (128, 128, 256),
          (257, 511, 72), (64, 8, 4096), (3, 700, 24)]


# ---- results -------------------------------------------------------------------


@pytest.mark.parametrize("m,n,k", SHAPES)
@pytest.mark.parametrize("fn", ["micro_tk", "dispatch_micro"])
def test_seed_entry_points(fn, m, n, k):
    a, b, c = rand(m, k), rand(n, k), poisoned(m, n)
    assert getattr(tk_kernel, fn)(a, b, c) is None
    check(c, a, b, f"{fn} {m}x{n}x{k}")


@pytest.mark.parametrize("m,n,k", SHAPES)
@pytest.mark.parametrize("dtype", [F32, BF16])
def test_gemm(m, n, k, dtype):
    a, b = rand(m, k), rand(n, k)
    out = poisoned(m, n, dtype=dtype)
    assert tk_kernel.gemm(a, b, out) is out
    check(out, a, b, f"gemm into {dtype} {m}x{n}x{k}")
    new = tk_kernel.gemm(a, b, out_dtype=dtype)
    assert new.dtype == dtype and new.device == a.device and new.shape == (m, n)
    check(new, a, b, f"gemm allocating {dtype} {m}x{n}x{k}")


FAMILY = {c["name"]: c["family"] for c in tk_kernel.configs()}
BLOCK_M = {c["name"]: c.get("block_m") for c in tk_kernel.configs()}


@pytest.mark.parametrize("cfg", [c["name"] for c in tk_kernel.configs()])
@pytest.mark.parametrize("dtype", [F32, BF16])
def test_every_config(cfg, dtype):
    # TMA (the hopper family) and the decode family's 16-byte loads need rows that start
    # 16-byte aligned: K a multiple of 8. A decode configuration takes M <= BLOCK_M.
    k = 300 if FAMILY[cfg] == "micro" else 304
    m = BLOCK_M[cfg] - 3 if FAMILY[cfg] == "decode" else 255
    a, b = rand(2, m, k), rand(2, 129, k)
    out = poisoned(2, m, 129, dtype=dtype)
    tk_kernel.gemm(a, b, out, config=cfg)
    check(out, a, b, f"{cfg} {dtype}")
    rows = min(m, 200)
    c = poisoned(rows, 100)
    tk_kernel.micro_tk(a[0, :rows], b[1, :100], c, config=tk_kernel.plan(cfg)["params"])
    check(c, a[0, :rows], b[1, :100], f"{cfg} by parameter string")


def test_hopper_takes_what_tma_cannot_read_through_the_workspace():
    """A hopper configuration named for rows TMA cannot read (K = 300: 600-byte
    rows) runs on copies of A and B in the workspace tk_kernel allocates with
    torch.empty; what copying does not help (a batch that shares one aligned A)
    is refused with the rule. The library's own choice takes both."""
    a, b = rand(64, 300), rand(64, 300)
    shared_a, b3 = rand(64, 304), rand(2, 64, 304)
    for name, family in FAMILY.items():
        if family == "hopper":
            c = poisoned(64, 64)
            tk_kernel.gemm(a, b, c, config=name)
            check(c, a, b, f"{name} on K = 300, A and B packed")
            with pytest.raises(ValueError, match=r"a batch that shares A or B \(stride 0\)"):
                tk_kernel.gemm(shared_a, b3, poisoned(2, 64, 64), config=name)
    c = poisoned(64, 64)
    tk_kernel.gemm(a, b, c)
    check(c, a, b, "the library's choice for K = 300")
    check(tk_kernel.gemm(shared_a, b3), shared_a, b3, "the library's choice for a shared A")


def test_decode_packs_a_shared_b_once():
    """A decode configuration named for one B that every batch item shares, with
    rows the family cannot read (ldb = K + 4: 520-byte rows): B is copied once
    into the workspace and stays shared (the copy kernel writes its rows once)."""
    a = rand(3, 7, 256)
    b = rand(300, 260)[:, :256]
    out = poisoned(3, 7, 300)
    tk_kernel.gemm(a, b, out, config="decode_m16_s1")
    check(out, a, b, "decode_m16_s1 with a shared B packed once")


def test_seed_entry_points_run_split8():
    """micro_tk / dispatch_micro without config= run the seed's kernel as the
    user refactored it (split8): bit for bit what config="split8" gives."""
    a, b = rand(300, 200), rand(100, 200)
    c1, c2, c3 = poisoned(300, 100), poisoned(300, 100), poisoned(300, 100)
    tk_kernel.micro_tk(a, b, c1)
    tk_kernel.dispatch_micro(a, b, c2)
    tk_kernel.gemm(a, b, c3, config="split8")
    check(c1, a, b, "micro_tk default")
    assert torch.equal(c1, c2) and torch.equal(c1, c3)
    assert tk_kernel.kernel_info()["name"] == "split8"


def test_library_choice_vs_explicit_config():
    """gemm(config=None) runs what choose() names (bit for bit), and every
    explicit configuration is correct too."""
    m, n, k = 1000, 700, 520
    a, b = rand(m, k), rand(n, k)
    chosen = tk_kernel.choose(m, n, k)
    out = tk_kernel.gemm(a, b)
    check(out, a, b, f"library's choice ({chosen['name']})")
    same = tk_kernel.gemm(a, b, config=chosen["params"])
    assert torch.equal(out, same), "gemm(config=None) is not choose()'s configuration"
    for c in ("seed", "split8"):
        check(tk_kernel.gemm(a, b, config=c), a, b, f"explicit {c}")
    ch16 = tk_kernel.choose(m, n, k, out_dtype=BF16)
    out16 = tk_kernel.gemm(a, b, out_dtype=BF16)
    assert torch.equal(out16, tk_kernel.gemm(a, b, config=ch16["name"], out_dtype=BF16))


# ---- alpha, beta and zero sizes ----------------------------------------------------


@pytest.mark.parametrize("dtype", [F32, BF16])
@pytest.mark.parametrize("alpha, beta", [(2.5, 0.0), (1.0, 1.0), (-0.75, 0.5), (0.5, -2.0)])
@pytest.mark.parametrize("cfg", [None, "seed", "split8_regs"])
def test_alpha_beta(dtype, alpha, beta, cfg):
    m, n, k = 257, 130, 300
    a, b = rand(2, m, k), rand(n, k)
    c0 = torch.randn(2, m, n, device=DEV).to(dtype)
    out = c0.clone()
    assert tk_kernel.gemm(a, b, out, config=cfg, alpha=alpha, beta=beta) is out
    check(out, a, b, f"alpha={alpha} beta={beta} {dtype} {cfg}", alpha, beta, c0)
    # the brief's formula, in fp32, as a second opinion
    ref = a.float() @ b.float().T * alpha + beta * c0.float()
    rel = (torch.linalg.norm(out.float() - ref) / torch.linalg.norm(ref)).item()
    assert rel <= (5e-3 if dtype == BF16 else 1e-4), rel


def test_beta_zero_never_reads_out():
    a, b = rand(200, 96), rand(150, 96)
    for dtype in (F32, BF16):
        out = poisoned(200, 150, dtype=dtype)  # NaN: reading it would show
        tk_kernel.gemm(a, b, out, alpha=3.0, beta=0.0)
        check(out, a, b, f"beta=0 over NaN, {dtype}", alpha=3.0)


def test_alpha_zero_reads_neither_a_nor_b():
    a, b = torch.full((64, 32), NAN, device=DEV, dtype=BF16), rand(48, 32)
    c0 = torch.randn(64, 48, device=DEV)
    out = c0.clone()
    tk_kernel.gemm(a, b, out, alpha=0.0, beta=2.0)
    torch.cuda.synchronize()
    assert torch.equal(out, 2.0 * c0)


def test_k_zero():
    c0 = torch.randn(3, 64, 48, device=DEV)
    a, b = rand(3, 64, 0), rand(48, 0)
    out = c0.clone()
    tk_kernel.gemm(a, b, out, beta=0.5)  # out = 0.5·out
    torch.cuda.synchronize()
    assert torch.equal(out, 0.5 * c0)
    new = tk_kernel.gemm(a, b, out_dtype=BF16)  # a new zero-filled tensor
    torch.cuda.synchronize()
    assert new.shape == (3, 64, 48) and new.dtype == BF16 and torch.equal(new, torch.zeros_like(new))
    c = poisoned(64, 48)
    tk_kernel.dispatch_micro(a[0], b, c)  # micro_tk: c = a @ b.T = 0
    assert torch.equal(c, torch.zeros_like(c))


def test_m_zero_and_empty_batches():
    for a, b, shape in [(rand(0, 64), rand(48, 64), (0, 48)), (rand(64, 64), rand(0, 64), (64, 0)),
                        (rand(0, 5, 64), rand(0, 7, 64), (0, 5, 7))]:
        out = tk_kernel.gemm(a, b)
        assert out.shape == shape and out.dtype == F32
        c = torch.empty(shape, device=DEV)
        assert tk_kernel.dispatch_micro(a, b, c) is None
        assert tk_kernel.gemm(a, b, c, beta=1.0) is c


# ---- views ---------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [F32, BF16])
def test_padded_views(dtype):
    m, n, k = 300, 200, 150
    a = rand(m, k + 7)[:, :k]  # x[:, :k]: leading dimension k + 7 (odd)
    b = rand(n, k + 64)[:, 32:32 + k]
    full = poisoned(m, n + 5, dtype=dtype)
    out = full[:, :n]
    tk_kernel.gemm(a, b, out)
    check(out, a, b, f"padded views, {dtype}")
    assert torch.isnan(full[:, n:]).all(), "the kernel wrote outside the view"


@pytest.mark.parametrize("dtype", [F32, BF16])
def test_misaligned_views(dtype):
    # storage offsets of one element: 2-byte aligned bf16, 4/2-byte aligned out,
    # odd leading dimensions — the element-wise path of every kernel
    m, n, k = 129, 65, 77
    a = rand(m * k + 1)[1:].view(m, k)
    b = rand(n * k + 1)[1:].view(n, k)
    full = poisoned(m * n + 1, dtype=dtype)
    out = full[1:].view(m, n)
    assert a.data_ptr() % 16 and b.data_ptr() % 16
    tk_kernel.gemm(a, b, out)
    check(out, a, b, f"offset views, {dtype}")
    assert torch.isnan(full[:1]).all()


def odd_operands(m, n, k, view):
    """a, b with leading dimensions TMA cannot read: contiguous with an odd K
    ("contiguous"), or x[:, :k] of tensors two elements wider ("padded"; the
    copies, and so the workspace, depend on K alone)."""
    if view == "contiguous":
        return rand(m, k), rand(n, k)
    return rand(m, k + 2)[:, :k], rand(n, k + 2)[:, :k]


@pytest.mark.parametrize("dtype", [F32, BF16])
@pytest.mark.parametrize("m,n,k,view", [(4095, 4095, 4095, "contiguous"),
                                        (4096, 2048, 3001, "padded")])
def test_odd_leading_dimensions_run_packed(m, n, k, view, dtype):
    """tg_gemm_workspace_size asks for copies of A and B that TMA can read;
    tk_kernel allocates them with torch.empty (PyTorch's caching allocator: the
    peak rises by at least that much, and falls back once the call is
    enqueued) and the hopper kernels run on them. Against torch.matmul in
    float32 and the library's bound (check)."""
    a, b = odd_operands(m, n, k, view)
    assert a.stride(0) % 8 and b.stride(0) % 8
    chosen = tk_kernel.choose(m, n, k)
    assert chosen["family"] == "hopper" and chosen["workspace"] > 0, chosen
    out = poisoned(m, n, dtype=dtype)
    torch.cuda.synchronize()
    base = torch.cuda.memory_allocated()
    torch.cuda.reset_peak_memory_stats()
    assert tk_kernel.gemm(a, b, out) is out
    assert torch.cuda.max_memory_allocated() - base >= chosen["workspace"], "no workspace"
    assert torch.cuda.memory_allocated() == base, "the workspace outlived the call"
    check(out, a, b, f"{m}x{n}x{k} {view}, {dtype}")
    ref = a.float() @ b.float().T
    rel = (torch.linalg.norm(out.float() - ref) / torch.linalg.norm(ref)).item()
    assert rel <= (5e-3 if dtype == BF16 else 1e-4), rel
    # what config=None ran: choose()'s configuration, bit for bit
    assert torch.equal(out, tk_kernel.gemm(a, b, config=chosen["params"], out_dtype=dtype))


def test_workspace_on_another_stream():
    """stream= a stream that is not torch's current one, with a workspace: the
    block comes from the current stream's pool, so the call first waits for
    the current stream (the block's earlier users may still run there), and
    the block is recorded on the call's stream: freed at once but held by the
    allocator (active, not allocated) until the call is done there."""
    m, n, k = 2047, 1029, 999
    ws = tk_kernel.choose(m, n, k)["workspace"]
    assert ws > 0
    for as_handle in (False, True):
        a, b, c = rand(m, k), rand(n, k), poisoned(m, n)
        s = torch.cuda.Stream()
        torch.cuda.synchronize()
        busy(100)  # on the current stream
        tk_kernel.gemm(a, b, c, stream=s.cuda_stream if as_handle else s)
        stats = torch.cuda.memory_stats()
        held = stats["active_bytes.all.current"] - stats["allocated_bytes.all.current"]
        assert held >= ws, f"the workspace ({ws} bytes) was not recorded on the call's stream"
        time.sleep(0.02)
        assert not s.query(), "the call did not wait for the current stream"
        s.synchronize()
        check(c, a, b, f"stream= ({'int' if as_handle else 'torch.cuda.Stream'}), packed")


def test_row_and_one_column_views():
    a, b = rand(64, 300), rand(80, 300)
    c = poisoned(64, 80)
    tk_kernel.micro_tk(a[5:6], b, c[5:6])  # one row
    check(c[5:6], a[5:6], b, "one row")
    c = poisoned(64, 1)
    tk_kernel.micro_tk(a, b[7:8], c)  # one column of output
    check(c, a, b[7:8], "one column")


# ---- batches -------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [F32, BF16])
def test_batched(dtype):
    m, n, k = 129, 65, 200
    a3, b3 = rand(4, m, k), rand(4, n, k)
    out = poisoned(4, m, n, dtype=dtype)
    tk_kernel.gemm(a3, b3, out)
    check(out, a3, b3, "3-D")
    a4, b4 = rand(2, 3, m, k), rand(2, 3, n, k)
    out = tk_kernel.gemm(a4, b4, out_dtype=dtype)
    assert out.shape == (2, 3, m, n)
    check(out, a4, b4, "4-D")
    b2 = rand(n, k)  # one b for every item
    check(tk_kernel.gemm(a4, b2, out_dtype=dtype), a4, b2, "shared b")
    a2 = rand(m, k)  # one a for every item
    check(tk_kernel.gemm(a2, b3, out_dtype=dtype), a2, b3, "shared a")
    ae = a2.expand(4, m, k)  # batch stride 0
    check(tk_kernel.gemm(ae, b3, out_dtype=dtype), ae, b3, "expanded a")
    big = rand(8, m, k)
    ev = big[::2]  # every other item: batch stride 2·m·k
    check(tk_kernel.gemm(ev, b3, out_dtype=dtype), ev, b3, "strided batch")
    pad = rand(4, m, k + 9)[:, :, :k]  # padded rows inside a batch
    check(tk_kernel.gemm(pad, b3, out_dtype=dtype), pad, b3, "padded batch")


def test_seed_four_d_layout():
    # the seed's gl<bf16, -1, -1, -1, -1> globals: 4-D tensors, batch 1×1
    a, b, c = rand(1, 1, 256, 512), rand(1, 1, 384, 512), poisoned(1, 1, 256, 384)
    tk_kernel.dispatch_micro(a, b, c)
    check(c, a, b, "1x1xMxK")


# ---- errors with real tensors --------------------------------------------------------


def test_errors_name_the_argument():
    a, b, c = rand(64, 32), rand(48, 32), poisoned(64, 48)
    with pytest.raises(TypeError, match=r"tk_kernel\.micro_tk: a is on the CPU"):
        tk_kernel.micro_tk(a.cpu(), b, c)
    with pytest.raises(TypeError, match=r"tk_kernel\.dispatch_micro: b must be bfloat16, got float16"):
        tk_kernel.dispatch_micro(a, b.half(), c)
    with pytest.raises(TypeError, match=r"c must be float32, got bfloat16"):
        tk_kernel.micro_tk(a, b, c.to(BF16))
    with pytest.raises(ValueError, match=r"b has K=31 but a has K=32"):
        tk_kernel.micro_tk(a, b[:, :31], c)
    with pytest.raises(ValueError, match=r"c must have shape \(\.\.\., M, N\) = \(\.\.\., 64, 48\)"):
        tk_kernel.micro_tk(a, b, c.T.contiguous())
    with pytest.raises(ValueError, match=r"b: the last dimension must be contiguous .*transposed"):
        tk_kernel.micro_tk(a, rand(32, 48).T, c)
    with pytest.raises(ValueError, match=r"a: the last dimension must be contiguous"):
        tk_kernel.micro_tk(rand(64, 64)[:, ::2], b, c)
    buf = rand(64 * 96)  # a, and an fp32 out over the same bytes
    with pytest.raises(ValueError, match=r"^tk_kernel\.gemm: c overlaps a: the output must not alias an input$"):
        tk_kernel.gemm(buf[:64 * 32].view(64, 32), b, buf.view(F32).view(64, 48))
    # pointers, seen only through __cuda_array_interface__: the library's checks
    raw = poisoned(64 * 48 + 1)
    with pytest.raises(ValueError, match=r"^tk_kernel\.micro_tk: c \(0x[0-9a-f]+\) is not 4-byte aligned, as fp32 needs$"):
        tk_kernel.micro_tk(a, b, RawCAI((64, 48), "<f4", raw.data_ptr() + 2))
    host = a.cpu()  # pageable host memory
    with pytest.raises(ValueError, match=r"^tk_kernel\.micro_tk: a \(0x[0-9a-f]+\) is host memory"):
        tk_kernel.micro_tk(RawCAI((64, 32), "<V2", host.data_ptr()), b, c)
    assert torch.isnan(raw).all()
    with pytest.raises(ValueError, match=r"^tk_kernel\.gemm: beta is 1 but out is None"):
        tk_kernel.gemm(a, b, beta=1.0)
    assert torch.isnan(c).all(), "a failed call wrote its output"


def test_requires_grad_inputs_still_run():
    a, b, c = rand(64, 32).requires_grad_(), rand(48, 32).requires_grad_(), poisoned(64, 48)
    tk_kernel.micro_tk(a, b, c)
    check(c, a.detach(), b.detach(), "requires_grad inputs")


@pytest.mark.skipif(torch.cuda.device_count() < 2, reason="needs two GPUs")
def test_two_devices():
    a, b, c = rand(64, 32), rand(48, 32), poisoned(64, 48)
    other = torch.device("cuda", 1 - DEV.index)
    with pytest.raises(ValueError, match=r"b is on cuda:\d but a is on cuda:\d"):
        tk_kernel.micro_tk(a, b.to(other), c)
    a1, b1, c1 = a.to(other), b.to(other), c.to(other)
    if torch.cuda.get_device_capability(other) == (9, 0):
        tk_kernel.dispatch_micro(a1, b1, c1)  # on the tensors' device, not the current one
        check(c1, a1, b1, "second device")
    with torch.cuda.device(other):
        s_other = torch.cuda.Stream()
    with pytest.raises(ValueError, match="stream is on cuda"):
        tk_kernel.micro_tk(a, b, c, stream=s_other)


# ---- other producers -------------------------------------------------------------


class OnlyCAI:
    """A tensor seen only through __cuda_array_interface__ (bf16 spelled "<V2")."""

    def __init__(self, t):
        self.t = t
        s = torch.cuda.current_stream().cuda_stream
        self.__cuda_array_interface__ = {
            "shape": tuple(t.shape),
            "typestr": {BF16: "<V2", F32: "<f4"}[t.dtype],
            "data": (t.data_ptr(), False),
            "strides": tuple(x * t.element_size() for x in t.stride()),
            "version": 3,
            "stream": s if s else 1,
        }


class RawCAI:
    """A bare __cuda_array_interface__ (no stream) over any address."""

    def __init__(self, shape, typestr, ptr):
        self.__cuda_array_interface__ = {"shape": shape, "typestr": typestr,
                                         "data": (ptr, False), "version": 3}


class OnlyDLPack:
    def __init__(self, t):
        self.t = t

    def __dlpack__(self, stream=None):
        return self.t.__dlpack__(stream=stream)

    def __dlpack_device__(self):
        return self.t.__dlpack_device__()


@pytest.mark.parametrize("wrap", [OnlyCAI, OnlyDLPack])
def test_other_producers(wrap):
    a, b = rand(3, 100, 72)[:, :, :64], rand(3, 90, 64)
    c = poisoned(3, 100, 90)
    tk_kernel.dispatch_micro(wrap(a), wrap(b), wrap(c))
    check(c, a, b, wrap.__name__)
    with pytest.raises(TypeError, match="pass out="):
        tk_kernel.gemm(wrap(a), wrap(b))


# ---- streams ---------------------------------------------------------------------


def busy(ms=50):
    """Keep the current stream busy for a while before what follows on it."""
    if hasattr(torch.cuda, "_sleep"):
        torch.cuda._sleep(int(ms * 2_000_000))  # ~2 GHz
    else:
        x = torch.randn(4096, 4096, device=DEV)
        for _ in range(ms // 2):
            x = x @ x / 64


def late_inputs(m, n, k):
    """Sources, NaN-filled a and b, a poisoned c, and a fresh side stream on
    which write() copies the sources into a and b behind a long wait: a kernel
    that is not ordered after them reads NaN."""
    src_a, src_b = rand(m, k), rand(n, k)
    a, b, c = torch.full_like(src_a, NAN), torch.full_like(src_b, NAN), poisoned(m, n)
    torch.cuda.synchronize()
    s = torch.cuda.Stream()

    def write():
        with torch.cuda.stream(s):
            busy()
            a.copy_(src_a)
            b.copy_(src_b)

    return src_a, src_b, a, b, c, s, write


def test_current_stream_is_followed():
    """Inputs written on a side stream, behind a long wait; micro_tk called
    under torch.cuda.stream(s) must run after them, on s."""
    src_a, src_b, a, b, c, s, write = late_inputs(512, 384, 1024)
    write()
    with torch.cuda.stream(s):
        tk_kernel.micro_tk(a, b, c)
        assert not s.query(), "micro_tk waited for the stream"
    s.synchronize()
    check(c, src_a, src_b, "side stream")


def test_stream_argument():
    for as_handle in (False, True):
        src_a, src_b, a, b, c, s, write = late_inputs(256, 256, 512)
        write()
        tk_kernel.micro_tk(a, b, c, stream=s.cuda_stream if as_handle else s)
        s.synchronize()
        check(c, src_a, src_b, f"stream= ({'int' if as_handle else 'torch.cuda.Stream'})")


def test_dispatch_micro_synchronizes_its_stream():
    a, b, c = rand(512, 1024), rand(512, 1024), poisoned(512, 512)
    s = torch.cuda.Stream()
    with torch.cuda.stream(s):
        busy()
        tk_kernel.dispatch_micro(a, b, c)
        assert s.query(), "dispatch_micro returned before its stream was done"
    check(c, a, b, "dispatch_micro")


def test_gil_is_released_while_waiting():
    a, b, c = rand(512, 512), rand(512, 512), poisoned(512, 512)
    count, stop = [0], threading.Event()

    def spin():
        while not stop.is_set():
            count[0] += 1

    t = threading.Thread(target=spin)
    t.start()
    try:
        time.sleep(0.01)
        busy(200)
        before = count[0]
        t0 = time.perf_counter()
        tk_kernel.dispatch_micro(a, b, c)
        waited = time.perf_counter() - t0
        during = count[0] - before
    finally:
        stop.set()
        t.join()
    assert waited > 0.05, f"dispatch_micro waited only {waited * 1e3:.1f} ms"
    assert during > 1000, f"another thread ran only {during} steps in {waited * 1e3:.0f} ms"
    check(c, a, b, "dispatch_micro with a thread")


def test_cuda_graph_capture():
    m, n, k = 256, 192, 320
    a, b, c = rand(m, k), rand(n, k), poisoned(m, n)
    s = torch.cuda.Stream()
    s.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(s):
        tk_kernel.micro_tk(a, b, c)  # first use (kernel attributes) outside the capture
    torch.cuda.current_stream().wait_stream(s)
    torch.cuda.synchronize()
    g = torch.cuda.CUDAGraph()
    with torch.cuda.graph(g):
        tk_kernel.micro_tk(a, b, c)
        out = tk_kernel.gemm(a, b, out_dtype=BF16)
    new_a = rand(m, k)
    a.copy_(new_a)
    c.fill_(NAN)
    out.fill_(NAN)
    g.replay()
    check(c, new_a, b, "graph replay")
    check(out, new_a, b, "graph replay, gemm")


# ---- torch.library custom ops --------------------------------------------------------


@pytest.fixture(scope="module")
def ops():
    try:
        return tk_kernel.register_torch_ops()
    except RuntimeError as e:
        pytest.skip(str(e))


def test_custom_ops_opcheck(ops):
    a, b = rand(3, 64, 96), rand(3, 80, 96)
    torch.library.opcheck(ops.gemm.default, (a, b), {"out_dtype": BF16})
    torch.library.opcheck(ops.gemm.default, (rand(64, 96), b))
    torch.library.opcheck(ops.micro_tk.default, (a[0], b[0], poisoned(64, 80)))
    c = torch.randn(3, 64, 80, device=DEV)
    torch.library.opcheck(ops.gemm.default, (a, b), {"alpha": 0.5, "beta": 2.0, "c": c})
    torch.library.opcheck(ops.gemm.default, (a, b), {"alpha": -1.0, "c": c.to(BF16)})


def test_torch_compile(ops):
    a, b = rand(2, 128, 256), rand(2, 96, 256)

    def f(x, y):
        return torch.ops.tk_kernel.gemm(x, y, alpha=2.0) + 1.0

    def g(x, y, z):
        torch.ops.tk_kernel.micro_tk(x, y, z)
        return z.sum()

    try:
        import triton  # noqa: F401
        backend = "inductor"
    except ImportError:
        backend = "aot_eager"
    cf = torch.compile(f, fullgraph=True, backend=backend)
    got = cf(a, b)
    torch.testing.assert_close(got, f(a, b), rtol=1e-6, atol=1e-6)
    check(got - 1.0, a, b, f"torch.compile ({backend})", alpha=2.0)
    z = poisoned(128, 96)
    total = torch.compile(g, fullgraph=True, backend=backend)(a[0], b[0], z)
    check(z, a[0], b[0], "compiled micro_tk")
    torch.testing.assert_close(total, z.sum())


def test_autograd(ops):
    a = rand(2, 64, 96).requires_grad_()
    b = rand(80, 96).requires_grad_()  # shared by the batch
    w = torch.randn(2, 64, 80, device=DEV)
    (ops.gemm(a, b) * w).sum().backward()
    ref_a = (w @ b.detach().float()).to(BF16)
    ref_b = (w.transpose(-1, -2) @ a.detach().float()).sum(0).to(BF16)
    torch.testing.assert_close(a.grad, ref_a, rtol=1e-2, atol=1e-2)
    torch.testing.assert_close(b.grad, ref_b, rtol=1e-2, atol=1e-2)


def test_op_alpha_beta_and_its_gradients(ops):
    """ops.gemm(a, b, alpha=, beta=, c=) = alpha·a·bᵀ + beta·c, c untouched;
    dA = alpha·dOut·B, dB = alpha·dOutᵀ·A, dC = beta·dOut."""
    alpha, beta = -1.5, 0.25
    a = rand(2, 64, 96).requires_grad_()
    b = rand(80, 96).requires_grad_()  # shared by the batch
    c = torch.randn(2, 64, 80, device=DEV, requires_grad=True)
    c_before = c.detach().clone()
    w = torch.randn(2, 64, 80, device=DEV)
    out = ops.gemm(a, b, alpha=alpha, beta=beta, c=c)
    check(out.detach(), a.detach(), b.detach(), "op alpha/beta", alpha, beta, c_before)
    assert torch.equal(c.detach(), c_before), "the op wrote its input c"
    (out * w).sum().backward()
    ref_a = (alpha * (w @ b.detach().float())).to(BF16)
    ref_b = (alpha * (w.transpose(-1, -2) @ a.detach().float())).sum(0).to(BF16)
    torch.testing.assert_close(a.grad, ref_a, rtol=1e-2, atol=1e-2)
    torch.testing.assert_close(b.grad, ref_b, rtol=1e-2, atol=1e-2)
    assert torch.equal(c.grad, beta * w)
    with pytest.raises(ValueError, match="beta is 2 but out is None"):
        ops.gemm(a.detach(), b.detach(), beta=2.0)


# ---- introspection ----------------------------------------------------------------


def test_kernel_info():
    for c in tk_kernel.configs():
        info = tk_kernel.kernel_info(c["name"])
        assert info["registers"] > 0 and info["dynamic_smem"] == c["smem_bytes"]
        assert info["max_threads"] >= c["threads"] and info["blocks_per_sm"] >= 1


# ---- no leaks ----------------------------------------------------------------------


def test_no_leaks_over_10000_calls():
    a, b, c, c2 = rand(64, 64), rand(64, 64), poisoned(64, 64), poisoned(64, 64)
    bad_b = rand(64, 63)
    odd_a, odd_b, c3 = rand(64, 63), rand(64, 63), poisoned(64, 64)  # a workspace each call
    s = torch.cuda.Stream()
    s.wait_stream(torch.cuda.current_stream())

    def run(n):
        for _ in range(n):
            tk_kernel.micro_tk(a, b, c)
            tk_kernel.gemm(a, b, c2, config="seed", stream=s)
            tk_kernel.gemm(a, b)  # allocates, returns, freed
            tk_kernel.gemm(a, b, c2, alpha=0.5, beta=0.5, stream=s)
            tk_kernel.gemm(a[:0], b, c2[:0])  # M = 0
            tk_kernel.gemm(odd_a, odd_b)  # out and the workspace, on the current stream
            tk_kernel.gemm(odd_a, odd_b, c3, stream=s)  # the workspace recorded on s
            try:
                tk_kernel.micro_tk(a, bad_b, c)
            except ValueError:
                pass
        torch.cuda.synchronize()

    g = growth(run, [a, b, c, c2, bad_b, odd_a, odd_b, c3, s], probe=torch.cuda.memory_allocated)
    assert g.refs == [0] * 9
    assert g.objects < 100
    assert g.probe == 0, f"{g.probe} bytes of CUDA memory more after 10,000 calls"
    assert g.bytes < 256 * 1024, f"{g.bytes} bytes more after 10,000 calls"
    def dispatch(n):
        for _ in range(n):
            tk_kernel.dispatch_micro(a, b, c)

    assert growth(dispatch, [a, b, c], calls=1000, warmup=10).refs == [0] * 3
    check(c, a, b, "after 10,000 calls")
    check(c2, a, b, "after 10,000 calls on a side stream")
    check(c3, odd_a, odd_b, "after 10,000 packed calls on a side stream")
