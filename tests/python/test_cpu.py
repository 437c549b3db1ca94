"""tk_kernel on the CPU (CI): import, the configuration listing and plans, and
every bad input raising the right exception with a message that names the
argument — with fake arrays (fakes.py), no GPU and no torch needed. With a
GPU present the same tests still pass (valid fakes then fail on their made-up
pointers, before any launch)."""
import importlib.util
import subprocess
import sys

import pytest

import tk_kernel
from leaks import growth
from fakes import CAI, DL, PA, PB, PC, bf16, f32, fake_torch, live_dlpack_tensors

M, N, K = 256, 512, 300
FUNCS = ["micro_tk", "dispatch_micro", "gemm"]
HAVE_GPU = tk_kernel.device_count() > 0


def call(fn, a, b, c, **kw):
    return getattr(tk_kernel, fn)(a, b, c, **kw)


def good(batch=()):
    return (bf16((*batch, M, K), PA), bf16((*batch, N, K), PB), f32((*batch, M, N), PC))


def expect_no_launch(fn, a, b, c=None, **kw):
    """Valid fake inputs: no GPU → RuntimeError naming the missing device;
    a GPU → ValueError on the fake pointers. Never a launch, never a crash."""
    if HAVE_GPU:
        with pytest.raises(ValueError, match=rf"tk_kernel\.{fn}: .*(memory|pointer)"):
            call(fn, a, b, c, **kw)
    else:
        with pytest.raises(RuntimeError, match=rf"tk_kernel\.{fn}: no CUDA device"):
            call(fn, a, b, c, **kw)


# ---- import and listing -------------------------------------------------------


def test_import_needs_neither_torch_nor_gpu():
    code = "import sys, tk_kernel; print('torch' in sys.modules, tk_kernel.__version__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split()[0] == "False"
    assert tk_kernel.__version__.count(".") == 1
    for name in FUNCS + ["configs", "plan", "kernel_info", "default_config",
                         "set_default_config", "device_count", "register_torch_ops"]:
        assert callable(getattr(tk_kernel, name)), name


def test_configs_seed_and_split8():
    cfgs = {c["name"]: c for c in tk_kernel.configs()}
    seed, split8 = cfgs["seed"], cfgs["split8"]
    assert (seed["reg_block_m"], seed["reg_block_n"]) == (32, 32)  # BLOCK_SIZE/4
    assert (seed["acc_m"], seed["acc_n"], seed["accumulators"]) == (1, 2, 2)
    assert (split8["reg_block_m"], split8["reg_block_n"]) == (16, 16)  # BLOCK_SIZE/8
    assert (split8["acc_m"], split8["acc_n"], split8["accumulators"]) == (2, 4, 8)
    for c in (seed, split8):
        assert (c["block_m"], c["block_n"], c["k_step"]) == (128, 128, 256)
        assert (c["dot_slice_shared"], c["dot_slice"]) == (64, 16)
        assert (c["warps_m"], c["warps_n"], c["threads"]) == (4, 2, 256)
        assert (c["warp_tile_m"], c["warp_tile_n"]) == (32, 64)


def test_configs_derived_plan_is_consistent():
    cfgs = tk_kernel.configs()
    assert len({c["name"] for c in cfgs}) == len(cfgs)
    assert sum(c["default"] for c in cfgs) == 1
    for c in cfgs:
        assert c["compiled"] is True
        assert c["warp_tile_m"] == c["block_m"] // c["warps_m"]
        assert c["warp_tile_n"] == c["block_n"] // c["warps_n"]
        assert c["acc_m"] == c["warp_tile_m"] // c["reg_block_m"]
        assert c["acc_n"] == c["warp_tile_n"] // c["reg_block_n"]
        assert c["accumulators"] == c["acc_m"] * c["acc_n"]
        assert c["acc_regs"] == c["warp_tile_m"] * c["warp_tile_n"] // 32
        assert c["smem_bytes"] == c["stages"] * (c["block_m"] + c["block_n"]) * c["dot_slice_shared"] * 2
        assert c["mma_tiles_m"] == c["reg_block_m"] // 16 and c["mma_tiles_n"] == c["reg_block_n"] // 8
        assert c["layout"] in ("interleaved", "contiguous") and c["pipe"] in ("cp_async", "regs")
        # the parameter string names the same compiled kernel
        assert tk_kernel.plan(c["params"])["name"] == c["name"]


@pytest.mark.parametrize("name", ["seed", "split8"])
def test_plan_tiles_cover_the_block_once(name):
    p = tk_kernel.plan(name)
    assert p["name"] == name and p["compiled"]
    assert len(p["tiles"]) == p["warps"] * p["accumulators"]
    covered = set()
    for warp, i, j, row, col in p["tiles"]:
        for r in range(row, row + p["reg_block_m"]):
            for c in range(col, col + p["reg_block_n"]):
                assert (r, c) not in covered
                covered.add((r, c))
    assert covered == {(r, c) for r in range(p["block_m"]) for c in range(p["block_n"])}


def test_plan_of_parameter_strings():
    assert tk_kernel.plan("block=128,reg_m=16,reg_n=16")["name"] == "split8"
    assert tk_kernel.plan()["name"] == tk_kernel.default_config()
    p = tk_kernel.plan("split8,raster=3")  # valid, but no kernel was built for it
    assert p["compiled"] is False and p["raster"] == 3
    with pytest.raises(ValueError, match=r"tk_kernel\.plan: config 'reg=24': .*REG_BLOCK_M must be a multiple of 16"):
        tk_kernel.plan("reg=24")
    with pytest.raises(ValueError, match="unknown preset 'nope'"):
        tk_kernel.plan("nope")
    with pytest.raises(ValueError, match="unknown key 'colour'"):
        tk_kernel.plan("colour=red")
    with pytest.raises(TypeError, match="config must be a str"):
        tk_kernel.plan(128)


def test_default_config():
    assert tk_kernel.default_config() == tk_kernel.DEFAULT_CONFIG
    assert tk_kernel.DEFAULT_CONFIG in {c["name"] for c in tk_kernel.configs()}
    try:
        tk_kernel.set_default_config("seed")
        assert tk_kernel.default_config() == "seed"
        assert [c["name"] for c in tk_kernel.configs() if c["default"]] == ["seed"]
        with pytest.raises(ValueError, match="unknown preset"):
            tk_kernel.set_default_config("nope")
        with pytest.raises(ValueError, match="no compiled kernel"):
            tk_kernel.set_default_config("split8,raster=3")
        assert tk_kernel.default_config() == "seed"
    finally:
        tk_kernel.set_default_config(tk_kernel.DEFAULT_CONFIG)


def test_kernel_info_without_gpu():
    if HAVE_GPU:
        pytest.skip("a GPU is present (test_gpu.py covers kernel_info)")
    with pytest.raises(RuntimeError, match="no CUDA device"):
        tk_kernel.kernel_info("seed")


# ---- not CUDA arrays ---------------------------------------------------------


@pytest.mark.parametrize("fn", FUNCS)
@pytest.mark.parametrize("which", ["a", "b", "c"])
@pytest.mark.parametrize("bad", [[[1.0, 2.0]], 3, None, "a string"])
def test_not_an_array_is_a_type_error(fn, which, bad):
    args = dict(zip("abc", good()))
    args[which] = bad
    name = "out" if (fn == "gemm" and which == "c") else which
    if fn == "gemm" and which == "c" and bad is None:
        pytest.skip("out=None means allocate")
    with pytest.raises(TypeError, match=rf"tk_kernel\.{fn}: {name} (must be a CUDA array|is None)"):
        call(fn, args["a"], args["b"], args["c"])


@pytest.mark.parametrize("fn", FUNCS)
def test_numpy_arrays_are_on_the_cpu(fn):
    np = pytest.importorskip("numpy")
    a = np.zeros((M, K), np.float32)
    with pytest.raises(TypeError, match=rf"tk_kernel\.{fn}: a is on the CPU"):
        call(fn, a, *good()[1:])
    b, c = np.zeros((N, K), np.float32), np.zeros((M, N), np.float32)
    with pytest.raises(TypeError, match=rf"tk_kernel\.{fn}: b is on the CPU"):
        call(fn, good()[0], b, good()[2])
    name = "out" if fn == "gemm" else "c"
    with pytest.raises(TypeError, match=rf"tk_kernel\.{fn}: {name} is on the CPU"):
        call(fn, *good()[:2], c)


@pytest.mark.parametrize("device, words", [((1, 0), "is on the CPU"),
                                           ((3, 0), "is pinned host memory"),
                                           ((10, 0), "is on a ROCm device"),
                                           ((8, 0), "is on DLPack device type 8")])
def test_dlpack_devices_that_are_not_cuda(device, words):
    a = DL((M, K), device=device)
    with pytest.raises(TypeError, match=f"tk_kernel.micro_tk: a {words}"):
        tk_kernel.micro_tk(a, *good()[1:])
    assert a.exported == 0  # refused from __dlpack_device__ alone


def test_torch_cpu_tensor_is_rejected():
    torch = pytest.importorskip("torch")
    a = torch.zeros(M, K, dtype=torch.bfloat16)
    b = torch.zeros(N, K, dtype=torch.bfloat16)
    c = torch.zeros(M, N, dtype=torch.float32)
    for fn in FUNCS:
        with pytest.raises(TypeError, match=rf"tk_kernel\.{fn}: a is on the CPU; pass a CUDA tensor"):
            call(fn, a, b, c)


# ---- dtypes ------------------------------------------------------------------


@pytest.mark.parametrize("fn", FUNCS)
def test_wrong_dtypes(fn):
    a, b, c = good()
    with pytest.raises(TypeError, match=rf"tk_kernel\.{fn}: a must be bfloat16, got float32"):
        call(fn, CAI((M, K), "<f4", PA), b, c)
    with pytest.raises(TypeError, match=rf"tk_kernel\.{fn}: b must be bfloat16, got float16"):
        call(fn, a, CAI((N, K), "<f2", PB), c)
    with pytest.raises(TypeError, match=rf"tk_kernel\.{fn}: a must be bfloat16, got float16"):
        call(fn, DL((M, K), "f16"), b, c)
    with pytest.raises(TypeError, match=rf"tk_kernel\.{fn}: b must be bfloat16, got int8"):
        call(fn, a, DL((N, K), "i8", PB), c)
    if fn == "gemm":
        with pytest.raises(TypeError, match=r"tk_kernel\.gemm: out must be float32 or bfloat16, got float64"):
            call(fn, a, b, CAI((M, N), "<f8", PC))
    else:
        with pytest.raises(TypeError, match=rf"tk_kernel\.{fn}: c must be float32, got bfloat16"):
            call(fn, a, b, bf16((M, N), PC))


def test_gemm_out_dtype():
    a, b, c = good()
    with pytest.raises(TypeError, match="out is float32 but out_dtype is bfloat16"):
        tk_kernel.gemm(a, b, c, out_dtype="bfloat16")
    with pytest.raises(TypeError, match="out_dtype must be torch.float32 or torch.bfloat16"):
        tk_kernel.gemm(a, b, c, out_dtype="float16")
    expect_no_launch("gemm", a, b, bf16((M, N), PC), out_dtype="bf16")
    expect_no_launch("gemm", a, b, c, out_dtype="float32")


def test_gemm_without_out_needs_torch_inputs():
    a, b, _ = good()
    with pytest.raises(TypeError, match=r"tk_kernel\.gemm: pass out= when a and b are not PyTorch tensors"):
        tk_kernel.gemm(a, b)


# ---- shapes --------------------------------------------------------------------


@pytest.mark.parametrize("fn", FUNCS)
def test_k_mismatch(fn):
    a, _, c = good()
    with pytest.raises(ValueError, match=rf"tk_kernel\.{fn}: b has K=256 but a has K=300"):
        call(fn, a, bf16((N, 256), PB), c)


@pytest.mark.parametrize("fn", FUNCS)
@pytest.mark.parametrize("cshape", [(M, M), (N, M), (M, N + 1), (M,), (2, M, N + 1)])
def test_c_shape_mismatch(fn, cshape):
    a, b, _ = good()
    name = "out" if fn == "gemm" else "c"
    with pytest.raises(ValueError, match=rf"tk_kernel\.{fn}: ({name} must have|a has batch shape|{name} must have at least 2)"):
        call(fn, a, b, f32(cshape, PC))


def test_one_dimensional_inputs():
    with pytest.raises(ValueError, match=r"a must have at least 2 dimensions \(M, K\), got shape \(300,\)"):
        tk_kernel.micro_tk(bf16((K,)), *good()[1:])


def test_batch_shapes():
    a, b, c = good((2, 3))
    expect_no_launch("micro_tk", a, b, c)  # 4-D batched
    expect_no_launch("micro_tk", bf16((M, K)), b, c)  # a shared by the batch
    expect_no_launch("micro_tk", a, bf16((N, K), PB), c)  # b shared
    with pytest.raises(ValueError, match=r"a has batch shape \(3, 2\) but c has \(2, 3\)"):
        tk_kernel.micro_tk(bf16((3, 2, M, K)), b, c)
    with pytest.raises(ValueError, match=r"b has batch shape \(6,\) but c has \(2, 3\)"):
        tk_kernel.micro_tk(a, bf16((6, N, K), PB), c)
    with pytest.raises(ValueError, match=r"a has batch shape \(2, 3\) but c has \(\)"):
        tk_kernel.micro_tk(a, b, f32((M, N)))
    with pytest.raises(ValueError, match=r"b has batch shape \(4,\) but a has \(2, 3\)"):
        tk_kernel.gemm(a, bf16((4, N, K), PB))


def test_empty_problems_do_nothing():
    # M = 0 or a batch of 0: nothing to write, so no GPU is needed either
    assert tk_kernel.micro_tk(bf16((0, K)), bf16((N, K), PB), f32((0, N))) is None
    assert tk_kernel.micro_tk(bf16((0, M, K)), bf16((0, N, K), PB), f32((0, M, N))) is None
    out = f32((M, 0))
    assert tk_kernel.gemm(bf16((M, K)), bf16((0, K), PB), out) is out
    with pytest.raises(ValueError, match="K is 0"):
        tk_kernel.micro_tk(bf16((M, 0)), bf16((N, 0), PB), f32((M, N)))


# ---- strides -------------------------------------------------------------------


@pytest.mark.parametrize("fn", FUNCS)
def test_inner_dimension_must_be_contiguous(fn):
    a, b, c = good()
    name = "out" if fn == "gemm" else "c"
    with pytest.raises(ValueError, match=rf"tk_kernel\.{fn}: a: the last dimension must be contiguous.*transposed"):
        call(fn, bf16((M, K), strides=(1, M)), b, c)
    with pytest.raises(ValueError, match=rf"tk_kernel\.{fn}: b: the last dimension must be contiguous"):
        call(fn, a, bf16((N, K), PB, strides=(2 * K, 2)), c)
    with pytest.raises(ValueError, match=rf"tk_kernel\.{fn}: {name}: the last dimension must be contiguous"):
        call(fn, a, b, f32((M, N), strides=(1, M)))


def test_padded_rows_and_odd_strides_are_accepted():
    a = bf16((M, K), strides=(K + 7, 1))  # x[:, :K] of an (M, K+7) array
    b = bf16((N, K), PB, strides=(1000, 1))
    c = f32((M, N), strides=(N + 1, 1))
    expect_no_launch("micro_tk", a, b, c)
    expect_no_launch("micro_tk", bf16((1, K), strides=(1, 1)), b, f32((1, N)))  # 1 row: any row stride
    expect_no_launch("micro_tk", bf16((M, 1), strides=(1, 5)), bf16((N, 1), PB), c)  # K = 1
    expect_no_launch("micro_tk", bf16((M, K), PA + 2), b, c)  # storage offset of one element


def test_rows_that_overlap():
    with pytest.raises(ValueError, match=r"a: rows overlap: the row stride \(leading dimension\) 200 is smaller than the row length 300"):
        tk_kernel.micro_tk(bf16((M, K), strides=(200, 1)), *good()[1:])


def test_negative_strides():
    with pytest.raises(ValueError, match="b has a negative stride"):
        tk_kernel.micro_tk(good()[0], bf16((N, K), PB, strides=(-K, 1)), good()[2])


def test_batch_strides():
    b, c = bf16((2, 3, N, K), PB), f32((2, 3, M, N))
    # a batch view that skips items (x[:, ::2]) is regular: fine
    expect_no_launch("micro_tk", bf16((2, 3, M, K), strides=(6 * M * K, 2 * M * K, K, 1)), b, c)
    # an expanded (stride-0) batch of a is fine
    expect_no_launch("micro_tk", bf16((2, 3, M, K), strides=(0, 0, K, 1)), b, c)
    # a transposed batch does not collapse to one stride
    with pytest.raises(ValueError, match=r"a: the batch dimensions of shape \(2, 3, 256, 300\) .* do not collapse to one batch stride"):
        tk_kernel.micro_tk(bf16((2, 3, M, K), strides=(M * K, 2 * M * K, K, 1)), b, c)
    # size-1 batch dimensions may have any stride
    expect_no_launch("micro_tk", bf16((2, 1, 3, M, K), strides=(3 * M * K, 7, M * K, K, 1)),
                     bf16((2, 1, 3, N, K), PB), f32((2, 1, 3, M, N)))
    # c's batch items must not overlap
    with pytest.raises(ValueError, match=r"c: batch items overlap \(batch stride 0"):
        tk_kernel.micro_tk(bf16((2, 3, M, K)), b, f32((2, 3, M, N), strides=(0, 0, N, 1)))


# ---- pointers and memory -------------------------------------------------------


def test_null_and_misaligned_pointers():
    a, b, c = good()
    with pytest.raises(ValueError, match=r"tk_kernel\.micro_tk: a has a NULL data pointer"):
        tk_kernel.micro_tk(bf16((M, K), 0), b, c)
    with pytest.raises(ValueError, match=r"b: data pointer 0x20000001 is not 2-byte aligned"):
        tk_kernel.micro_tk(a, bf16((N, K), PB + 1), c)
    with pytest.raises(ValueError, match=r"c: data pointer 0x30000002 is not 4-byte aligned"):
        tk_kernel.micro_tk(a, b, f32((M, N), PC + 2))


def test_output_aliasing_an_input():
    a, b, _ = good()
    with pytest.raises(ValueError, match="c overlaps a in memory"):
        tk_kernel.micro_tk(a, b, f32((M, N), PA + 64))
    with pytest.raises(ValueError, match="out overlaps b in memory"):
        tk_kernel.gemm(a, b, f32((M, N), PB))


def test_read_only_output():
    with pytest.raises(ValueError, match="c is read-only"):
        tk_kernel.micro_tk(*good()[:2], f32((M, N), readonly=True))


def test_devices_that_differ():
    a, b, c = DL((M, K), ptr=PA, device=(2, 0)), DL((N, K), ptr=PB, device=(2, 1)), good()[2]
    with pytest.raises(ValueError, match=r"tk_kernel\.micro_tk: b is on cuda:1 but a is on cuda:0"):
        tk_kernel.micro_tk(a, b, c)
    c = DL((M, N), "f32", PC, device=(2, 1))
    with pytest.raises(ValueError, match=r"tk_kernel\.gemm: out is on cuda:1 but a is on cuda:0"):
        tk_kernel.gemm(a, DL((N, K), ptr=PB), c)


# ---- __cuda_array_interface__ details -------------------------------------------


def test_cuda_array_interface_details():
    a, b, c = good()
    with pytest.raises(ValueError, match="stream 0 is not allowed"):
        tk_kernel.micro_tk(bf16((M, K), stream=0), b, c)
    with pytest.raises(ValueError, match="a has a mask"):
        tk_kernel.micro_tk(bf16((M, K), mask=object()), b, c)
    with pytest.raises(TypeError, match="lacks typestr"):
        tk_kernel.micro_tk(raw_cai(shape=(M, K), data=(PA, False)), b, c)
    with pytest.raises(ValueError, match="stride 601 bytes .* is not a multiple of the 2-byte element"):
        tk_kernel.micro_tk(raw_cai(shape=(M, K), typestr="<V2", data=(PA, False), strides=(2 * K + 1, 2)), b, c)
    with pytest.raises(TypeError, match="data must be a \\(pointer, read_only\\) tuple"):
        tk_kernel.micro_tk(raw_cai(shape=(M, K), typestr="<V2", data=PA), b, c)
    with pytest.raises(TypeError, match="big-endian"):
        tk_kernel.micro_tk(a, b, CAI((M, N), ">f4", PC))

    class Broken:
        @property
        def __cuda_array_interface__(self):
            raise RuntimeError("device lost")

    with pytest.raises(TypeError, match=r"a\.__cuda_array_interface__ failed: RuntimeError: device lost") as e:
        tk_kernel.micro_tk(Broken(), b, c)
    assert isinstance(e.value.__cause__, RuntimeError)
    expect_no_launch("micro_tk", bf16((M, K), stream=1), b, c)  # a producer stream is fine


# ---- DLPack details --------------------------------------------------------------


def raw_cai(**interface):
    return type("RawCAI", (), {"__cuda_array_interface__": interface})()


def test_dlpack_inputs_and_deleters():
    live = live_dlpack_tensors()
    a, b, c = DL((M, K), ptr=PA), DL((N, K), ptr=PB), DL((M, N), "f32", PC)
    expect_no_launch("micro_tk", a, b, c)
    assert (a.exported, a.deleted, b.deleted, c.deleted) == (1, 1, 1, 1)
    assert a.streams == [1]  # the legacy default stream, in DLPack's numbering
    expect_no_launch("micro_tk", a, b, c, stream=0xABC0)
    assert a.streams[-1] == 0xABC0 and c.streams[-1] == 0xABC0
    # strides and byte offsets are read
    pad = DL((M, K), ptr=PA, strides=(K + 5, 1), byte_offset=2)
    expect_no_launch("micro_tk", pad, b, c)
    with pytest.raises(ValueError, match="a: the last dimension must be contiguous"):
        tk_kernel.micro_tk(DL((M, K), strides=(1, M)), b, c)
    assert live_dlpack_tensors() == live


def test_dlpack_errors_still_release_the_tensors():
    live = live_dlpack_tensors()
    a, b = DL((M, K), ptr=PA), DL((N, 256), ptr=PB)
    with pytest.raises(ValueError, match="b has K=256 but a has K=300"):
        tk_kernel.micro_tk(a, b, good()[2])
    assert (a.exported, a.deleted, b.exported, b.deleted) == (1, 1, 1, 1)
    bad = DL((M, K), capsule_name=b"bogus")
    with pytest.raises(TypeError, match="a.__dlpack__\\(\\) returned a capsule named 'bogus'"):
        tk_kernel.micro_tk(bad, *good()[1:])
    err = DL((M, K), raise_on_export=BufferError("cannot export"))
    with pytest.raises(TypeError, match=r"a\.__dlpack__\(\) failed: BufferError: cannot export") as e:
        tk_kernel.micro_tk(err, *good()[1:])
    assert isinstance(e.value.__cause__, BufferError)
    # the bogus capsule was refused unconsumed: its tensor stays its producer's
    assert live_dlpack_tensors() == live + 1 and bad.deleted == 0


# ---- configs and streams ------------------------------------------------------------


@pytest.mark.parametrize("fn", FUNCS)
def test_config_and_stream_arguments(fn):
    a, b, c = good()
    with pytest.raises(ValueError, match=rf"tk_kernel\.{fn}: config 'nope': unknown preset"):
        call(fn, a, b, c, config="nope")
    with pytest.raises(ValueError, match=rf"tk_kernel\.{fn}: config 'reg=24': invalid tile"):
        call(fn, a, b, c, config="reg=24")
    with pytest.raises(ValueError, match="no compiled kernel has these parameters"):
        call(fn, a, b, c, config="split8,raster=3")
    with pytest.raises(TypeError, match="config must be a str"):
        call(fn, a, b, c, config=8)
    with pytest.raises(TypeError, match="stream must be None, an int"):
        call(fn, a, b, c, stream="default")
    with pytest.raises(ValueError, match="stream must be a stream handle >= 0"):
        call(fn, a, b, c, stream=-5)
    for cfg in ("seed", "split8", "block=128,reg=16"):
        expect_no_launch(fn, a, b, c, config=cfg)

    class TorchLikeStream:
        cuda_stream, device_index = 0x1234, 0

    class CudaPythonStream:
        def __cuda_stream__(self):
            return (0, 0x1234)

    expect_no_launch(fn, a, b, c, stream=TorchLikeStream())
    expect_no_launch(fn, a, b, c, stream=CudaPythonStream())
    expect_no_launch(fn, a, b, c, stream=0)


def test_keyword_arguments_follow_the_seed():
    a, b, c = good()
    expect_no_launch("micro_tk", a=a, b=b, c=c)
    with pytest.raises(TypeError):
        tk_kernel.micro_tk(a, b)  # c is required, as in the seed
    with pytest.raises(TypeError):
        tk_kernel.micro_tk(a, b, c, "seed")  # config is keyword-only


# ---- the torch path, with a stand-in torch (only where real torch is absent) ------


@pytest.fixture
def torch_stub(monkeypatch):
    if importlib.util.find_spec("torch") is not None:
        pytest.skip("real torch is installed: test_gpu.py covers torch tensors")
    torch = fake_torch()
    monkeypatch.setitem(sys.modules, "torch", torch)
    return torch


def test_torch_tensors_are_read_directly(torch_stub):
    t = torch_stub
    a = t.Tensor((M, K), t.bfloat16)
    b = t.Tensor((N, K), t.bfloat16)
    c = t.Tensor((M, N), t.float32)
    expect_no_launch("micro_tk", a, b, c)
    assert ("stream", 0) in t.calls  # torch's current stream on the tensors' device
    with pytest.raises(TypeError, match=r"a is on the CPU; pass a CUDA tensor \(a\.cuda\(\)\)"):
        tk_kernel.micro_tk(t.Tensor((M, K), t.bfloat16, "cpu"), b, c)
    with pytest.raises(TypeError, match="b is on device 'meta'"):
        tk_kernel.micro_tk(a, t.Tensor((N, K), t.bfloat16, "meta"), c)
    with pytest.raises(TypeError, match="a must be bfloat16, got float16"):
        tk_kernel.micro_tk(t.Tensor((M, K), t.float16), b, c)
    with pytest.raises(TypeError, match="c must be float32, got bfloat16"):
        tk_kernel.micro_tk(a, b, t.Tensor((M, N), t.bfloat16))
    with pytest.raises(TypeError, match="a has layout torch.sparse_coo"):
        tk_kernel.micro_tk(t.Tensor((M, K), t.bfloat16, layout=t.sparse_coo), b, c)
    with pytest.raises(ValueError, match="a has its negative bit set"):
        tk_kernel.micro_tk(t.Tensor((M, K), t.bfloat16, neg=True), b, c)
    with pytest.raises(ValueError, match="b is on cuda:1 but a is on cuda:0"):
        tk_kernel.micro_tk(a, t.Tensor((N, K), t.bfloat16, "cuda:1"), c)
    with pytest.raises(ValueError, match="b: the last dimension must be contiguous"):
        tk_kernel.micro_tk(a, t.Tensor((N, K), t.bfloat16, strides=(1, N)), c)


def test_torch_stream_choice(torch_stub):
    t = torch_stub
    a = t.Tensor((M, K), t.bfloat16, "cuda:1")
    b = t.Tensor((N, K), t.bfloat16, "cuda:1")
    c = t.Tensor((M, N), t.float32, "cuda:1")
    t.calls.clear()
    expect_no_launch("micro_tk", a, b, c)
    assert t.calls == [("stream", 1)]
    t.calls.clear()
    expect_no_launch("micro_tk", a, b, c, stream=0x777)  # stream= wins: torch is not asked
    assert t.calls == []

    class OtherDeviceStream:
        cuda_stream, device_index = 0x1234, 0

    with pytest.raises(ValueError, match="stream is on cuda:0 but a is on cuda:1"):
        tk_kernel.micro_tk(a, b, c, stream=OtherDeviceStream())


def test_torch_gemm_allocates_out(torch_stub):
    t = torch_stub
    a = t.Tensor((2, 3, M, K), t.bfloat16, "cuda:0")
    b = t.Tensor((N, K), t.bfloat16, "cuda:0")
    t.calls.clear()
    expect_no_launch("gemm", a, b)
    empty = [x for x in t.calls if x[0] == "empty"]
    assert [(s, d) for _, s, d, _ in empty] == [((2, 3, M, N), t.float32)]
    assert empty[0][3].index == 0
    t.calls.clear()
    expect_no_launch("gemm", a, b, out_dtype="bfloat16")
    assert [x[2] for x in t.calls if x[0] == "empty"] == [t.bfloat16]
    t.calls.clear()
    assert tk_kernel.gemm(t.Tensor((0, K), t.bfloat16), b).shape == (0, N)


# ---- no leaks ---------------------------------------------------------------------


def test_no_reference_or_memory_leaks_over_10000_calls():
    a, b, c = good()
    bad_b = bf16((N, 256), PB)
    da, db, dc = DL((M, K), ptr=PA), DL((N, K), ptr=PB), DL((M, N), "f32", PC)
    objs = [a, b, c, bad_b, da, db, dc, a.__cuda_array_interface__]

    def run(n):
        for _ in range(n):
            for args in ((a, b, c), (a, bad_b, c), (da, db, dc), (a, db, c)):
                try:
                    tk_kernel.micro_tk(*args, config="seed")
                except (ValueError, RuntimeError):
                    pass
            try:
                tk_kernel.gemm(a, b, config="nope")
            except ValueError:
                pass
            for x in (da, db, dc):
                x.streams.clear()  # the fakes' own log, not a leak

    g = growth(run, objs)
    assert g.refs == [0] * len(objs)
    assert da.exported == da.deleted and dc.exported == dc.deleted == 10_100
    assert g.bytes < 64 * 1024, f"{g.bytes} bytes more after 10,000 calls"
