"""tk_kernel on the CPU (CI), part 2: every bad array, dtype, shape, stride,
stream and scalar raising the documented exception (python/README.md) with a
message that names the argument — with fake arrays (fakes.py), no GPU and no
torch needed. With a GPU present the same tests still pass (valid fakes then
fail on their made-up pointers, before any launch). Part 1 is
test_cpu_config.py."""
import importlib.util
import math
import sys

import pytest

import tk_kernel
from leaks import growth
from fakes import CAI, DL, PA, PB, PC, bf16, f32, fake_torch, live_dlpack_tensors
from cpu_common import FUNCS, HAVE_GPU, K, M, N, UNUSED, call, expect_no_launch, good


# ---- not CUDA arrays -------------------------------------------------------------


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


# ---- alpha and beta ----------------------------------------------------------------


@pytest.mark.parametrize("name", ["alpha", "beta"])
@pytest.mark.parametrize("bad", ["2", None, 1j, [1.0], b"1"])
def test_alpha_beta_must_be_real_numbers(name, bad):
    with pytest.raises(TypeError, match=rf"^tk_kernel\.gemm: {name} must be a real number, got "):
        tk_kernel.gemm(*good(), **{name: bad})


@pytest.mark.parametrize("name", ["alpha", "beta"])
@pytest.mark.parametrize("bad, words", [(math.inf, "must be finite, got inf"),
                                        (-math.inf, "must be finite, got -inf"),
                                        (math.nan, "must be finite, got nan"),
                                        (1e300, "does not fit float32"),
                                        (-(10**400), "does not fit float32")])
def test_alpha_beta_must_be_finite(name, bad, words):
    with pytest.raises(ValueError, match=rf"^tk_kernel\.gemm: {name}") as e:
        tk_kernel.gemm(*good(), **{name: bad})
    assert words in str(e.value)


def test_alpha_beta_accepted():
    class Half:
        def __float__(self):
            return 0.5

    for kw in ({"alpha": 2}, {"beta": 1}, {"alpha": 0.0, "beta": -3.5}, {"alpha": Half()},
               {"alpha": 3.4e38}):
        expect_no_launch("gemm", *good(), **kw)
    a, b, c = good()
    with pytest.raises(TypeError):
        tk_kernel.gemm(a, b, c, None, None, 2.0)  # keyword-only
    with pytest.raises(TypeError):
        tk_kernel.micro_tk(a, b, c, alpha=2.0)  # the seed's signature has none


def test_alpha_reaches_the_library():
    # alpha = 0 reads neither a nor b (out = beta·out): the library skips their
    # checks, so a NULL a passes them and the call gets as far as the device
    a0, b, c = bf16((M, K), 0), *good()[1:]
    with pytest.raises(ValueError, match=r"^tk_kernel\.gemm: a is NULL$"):
        tk_kernel.gemm(a0, b, c, alpha=1.0)
    expect_no_launch("gemm", a0, b, c, alpha=0.0, beta=0.5)


def test_beta_without_out_has_no_c_to_read():
    a, b, _ = good()
    with pytest.raises(ValueError, match=r"^tk_kernel\.gemm: beta is 0.5 but out is None: there is no C to read"):
        tk_kernel.gemm(a, b, beta=0.5)
    with pytest.raises(TypeError, match="pass out="):
        tk_kernel.gemm(a, b, beta=0.0, alpha=2.0)  # beta = 0: allocating is fine (but not here)


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


# ---- foreign descriptions --------------------------------------------------------


@pytest.mark.parametrize("fn", FUNCS)
def test_negative_dimensions_and_strides_are_named(fn):
    a, b, c = good()
    with pytest.raises(ValueError, match=rf"^tk_kernel\.{fn}: a: __cuda_array_interface__ shape has a negative dimension -3$"):
        call(fn, bf16((-3, K)), b, c)
    name = "out" if fn == "gemm" else "c"
    with pytest.raises(ValueError, match=rf"^tk_kernel\.{fn}: {name}: __cuda_array_interface__ shape has a negative dimension -1"):
        call(fn, a, b, f32((M, -1)))
    with pytest.raises(ValueError, match=rf"^tk_kernel\.{fn}: b: __cuda_array_interface__ strides has a negative stride -600 \(reversed views"):
        call(fn, a, bf16((N, K), PB, strides=(-K, 1)), c)
    with pytest.raises(ValueError, match=rf"^tk_kernel\.{fn}: a: DLPack shape has a negative dimension -2"):
        call(fn, DL((M, -2)), b, c)
    with pytest.raises(ValueError, match=rf"^tk_kernel\.{fn}: b: DLPack strides has a negative stride -1"):
        call(fn, a, DL((N, K), ptr=PB, strides=(K, -1)), c)


def test_description_types():
    a, b, c = good()
    with pytest.raises(TypeError, match=r"a: __cuda_array_interface__ shape\[1\] must be an int, got float"):
        tk_kernel.micro_tk(raw_cai(shape=(M, 1.5), typestr="<V2", data=(PA, False)), b, c)
    with pytest.raises(TypeError, match=r"a: __cuda_array_interface__ shape must be a tuple of ints, got int"):
        tk_kernel.micro_tk(raw_cai(shape=5, typestr="<V2", data=(PA, False)), b, c)
    with pytest.raises(ValueError, match=r"a: __cuda_array_interface__ shape\[0\] does not fit 64 bits"):
        tk_kernel.micro_tk(raw_cai(shape=(2**64, K), typestr="<V2", data=(PA, False)), b, c)
    with pytest.raises(ValueError, match="a has 17 dimensions; at most 16 are supported"):
        tk_kernel.micro_tk(bf16((1,) * 15 + (M, K)), b, c)
    with pytest.raises(TypeError, match="a: __cuda_array_interface__ data pointer must be an int, got str"):
        tk_kernel.micro_tk(raw_cai(shape=(M, K), typestr="<V2", data=("0x10", False)), b, c)


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


def test_rows_that_overlap_are_the_librarys_leading_dimension_check():
    with pytest.raises(ValueError, match=r"^tk_kernel\.micro_tk: lda must be >= k \(300\), got 200$"):
        tk_kernel.micro_tk(bf16((M, K), strides=(200, 1)), *good()[1:])
    with pytest.raises(ValueError, match=r"^tk_kernel\.gemm: ldc must be >= n \(512\), got 0$"):
        tk_kernel.gemm(*good()[:2], f32((M, N), strides=(0, 1)))


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
    # c's batch items must not overlap: the library's check
    with pytest.raises(ValueError, match=r"^tk_kernel\.micro_tk: stride_c must be >= \(m-1\)\*ldc\+n = 131072 so batch items of c do not overlap, got 0$"):
        tk_kernel.micro_tk(bf16((2, 3, M, K)), b, f32((2, 3, M, N), strides=(0, 0, N, 1)))


# ---- pointers and memory: the library's checks -------------------------------------


def test_null_and_misaligned_pointers():
    a, b, c = good()
    with pytest.raises(ValueError, match=r"^tk_kernel\.micro_tk: a is NULL$"):
        tk_kernel.micro_tk(bf16((M, K), 0), b, c)
    with pytest.raises(ValueError, match=r"^tk_kernel\.micro_tk: b \(0x20000001\) is not 2-byte aligned, as bf16 needs$"):
        tk_kernel.micro_tk(a, bf16((N, K), PB + 1), c)
    with pytest.raises(ValueError, match=r"^tk_kernel\.gemm: c \(0x30000002\) is not 4-byte aligned, as fp32 needs$"):
        tk_kernel.gemm(a, b, f32((M, N), PC + 2))


def test_output_aliasing_an_input():
    a, b, _ = good()
    with pytest.raises(ValueError, match=r"^tk_kernel\.micro_tk: c overlaps a: the output must not alias an input$"):
        tk_kernel.micro_tk(a, b, f32((M, N), PA + 64))
    with pytest.raises(ValueError, match=r"^tk_kernel\.gemm: c overlaps b"):
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


# ---- zero sizes, as the library defines them ------------------------------------------


@pytest.mark.parametrize("fn", FUNCS)
def test_empty_problems_do_nothing(fn):
    # M, N or a batch of 0: a successful no-op that touches no device (none is here)
    out = f32((0, N))
    r = call(fn, bf16((0, K)), bf16((N, K), PB), out)
    assert r is (out if fn == "gemm" else None)
    out = f32((M, 0))
    r = call(fn, bf16((M, K)), bf16((0, K), PB), out)
    assert r is (out if fn == "gemm" else None)
    out = f32((0, M, N))
    r = call(fn, bf16((0, M, K)), bf16((0, N, K), PB), out)
    assert r is (out if fn == "gemm" else None)
    # DLPack arrays say their device; still nothing is asked of it
    dl_out = DL((0, N), "f32", PC)
    r = call(fn, DL((0, K)), DL((N, K), ptr=PB), dl_out, stream=0x1234)
    assert r is (dl_out if fn == "gemm" else None)
    # the configuration is still the library's to check
    with pytest.raises(ValueError, match="no kernel was compiled"):
        call(fn, bf16((0, K)), bf16((N, K), PB), f32((0, N)), config=UNUSED)


@pytest.mark.parametrize("fn", FUNCS)
def test_k_zero_reaches_the_library(fn):
    # K = 0 is out = beta·out: tg_gemm runs it, so without a GPU it says there is none
    expect_no_launch(fn, bf16((M, 0)), bf16((N, 0), PB), f32((M, N)))
    expect_no_launch(fn, bf16((2, M, 0)), bf16((N, 0), PB), f32((2, M, N)))
    if fn == "gemm":
        expect_no_launch(fn, bf16((M, 0)), bf16((N, 0), PB), f32((M, N)), beta=2.0)


# ---- __cuda_array_interface__ details -------------------------------------------


def raw_cai(**interface):
    return type("RawCAI", (), {"__cuda_array_interface__": interface})()


def test_cuda_array_interface_details():
    a, b, c = good()
    with pytest.raises(ValueError, match="stream 0 is not allowed"):
        tk_kernel.micro_tk(bf16((M, K), stream=0), b, c)
    with pytest.raises(ValueError, match="a: __cuda_array_interface__ stream is not a stream handle"):
        tk_kernel.micro_tk(bf16((M, K), stream=-4), b, c)
    with pytest.raises(TypeError, match="a: __cuda_array_interface__ stream must be None or an int, got str"):
        tk_kernel.micro_tk(bf16((M, K), stream="s"), b, c)
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
    b = DL((N, K), ptr=PB)
    with pytest.raises(ValueError, match="a is NULL"):  # a library error, after the exports
        tk_kernel.micro_tk(DL((M, K), ptr=0), b, good()[2])
    assert b.exported == b.deleted == 1
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
def test_config_arguments(fn):
    a, b, c = good()
    with pytest.raises(ValueError, match=rf"^tk_kernel\.{fn}: unknown preset 'nope'"):
        call(fn, a, b, c, config="nope")
    with pytest.raises(ValueError, match=rf"^tk_kernel\.{fn}: invalid micro configuration: REG_BLOCK_M must be a multiple of 16"):
        call(fn, a, b, c, config="seed,reg=24")
    with pytest.raises(ValueError, match=rf"^tk_kernel\.{fn}: config 'custom' is valid but no kernel was compiled"):
        call(fn, a, b, c, config=UNUSED)
    with pytest.raises(TypeError, match=rf"^tk_kernel\.{fn}: config must be a str"):
        call(fn, a, b, c, config=8)
    with pytest.raises(ValueError, match=rf"^tk_kernel\.{fn}: config must be ASCII text, got U\+00E9"):
        call(fn, a, b, c, config="seed,layout=interleavé")
    with pytest.raises(ValueError, match=rf"^tk_kernel\.{fn}: config has a byte that is not printable ASCII \(0x0a at offset 4\)"):
        call(fn, a, b, c, config="seed\n")
    for cfg in ("seed", "split8", "seed,reg=16", "micro,warps_m=2"):
        expect_no_launch(fn, a, b, c, config=cfg)
    expect_no_launch(fn, a, b, c)  # config=None: split8 (micro_tk) or the library's choice (gemm)


@pytest.mark.parametrize("fn", FUNCS)
def test_stream_arguments(fn):
    a, b, c = good()
    with pytest.raises(TypeError, match=rf"^tk_kernel\.{fn}: stream must be None, an int"):
        call(fn, a, b, c, stream="default")
    with pytest.raises(ValueError, match=rf"^tk_kernel\.{fn}: stream must be a stream handle >= 0, got -5$"):
        call(fn, a, b, c, stream=-5)
    with pytest.raises(ValueError, match=rf"^tk_kernel\.{fn}: stream must be a stream handle >= 0, got -{2**70}$"):
        call(fn, a, b, c, stream=-(2**70))
    with pytest.raises(ValueError, match=rf"^tk_kernel\.{fn}: stream handle {2**64} does not fit a pointer \(64 bits\)$"):
        call(fn, a, b, c, stream=2**64)

    class TorchLikeStream:
        cuda_stream, device_index = 0x1234, 0

    class CudaPythonStream:
        def __cuda_stream__(self):
            return (0, 0x1234)

    class NegativeStream:
        cuda_stream = -1

    class CupyStream:
        ptr = 0x4321

    with pytest.raises(ValueError, match="stream must be a stream handle >= 0, got -1"):
        call(fn, a, b, c, stream=NegativeStream())
    for s in (TorchLikeStream(), CudaPythonStream(), CupyStream(), 0, 2**64 - 1):
        expect_no_launch(fn, a, b, c, stream=s)


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
    if HAVE_GPU:
        pytest.skip("cuda:1 may not exist here")
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
    # (K = 300 also gets a workspace: test_torch_workspace_* below)
    empty = [x for x in t.calls if x[0] == "empty" and x[2] is not t.uint8]
    assert [(s, d) for _, s, d, _ in empty] == [((2, 3, M, N), t.float32)]
    assert empty[0][3].index == 0
    t.calls.clear()
    expect_no_launch("gemm", a, b, out_dtype="bfloat16", alpha=0.5)
    assert [x[2] for x in t.calls if x[0] == "empty" and x[2] is not t.uint8] == [t.bfloat16]
    with pytest.raises(ValueError, match="beta is 1 but out is None"):
        tk_kernel.gemm(a, b, beta=1.0)
    # M = 0: the empty output, returned without a launch
    out = tk_kernel.gemm(t.Tensor((0, K), t.bfloat16), b)
    assert out.shape == (0, N) and out.dtype is t.float32
    # K = 0: a new out = 0·out reaches tg_gemm (which needs a GPU to write the zeros)
    t.calls.clear()
    expect_no_launch("gemm", t.Tensor((M, 0), t.bfloat16), t.Tensor((N, 0), t.bfloat16))
    assert [x[1] for x in t.calls if x[0] == "empty"] == [(M, N)]


# ---- the workspace, from torch.empty (fake torch) ------------------------------------
#
# tg_gemm_workspace_size is asked for every call; a workspace of that size is
# allocated as a uint8 tensor with torch.empty on the arrays' device, its
# pointer and size go into tg_gemm_args, and the tensor is released once the
# call is enqueued. Without a GPU tg_gemm then stops at the device, so the
# seam is the library's own refusal: a hopper configuration named for operands
# TMA cannot read runs only with the workspace it needs (without one, tg_gemm
# raises ValueError naming that size), and with it gets as far as the device.

ODD = 8191  # `tilegemm plan --m 8191 --n 8191 --k 8191`: tma_store, A and B packed
ODD_WORKSPACE = 268402688  # ... "workspace: 268402688 bytes (tg_gemm_workspace_size)"
# 64-bit made-up addresses, far apart: these matrices are hundreds of MB
QA, QB, QC = 0x1_0000_0000, 0x2_0000_0000, 0x3_0000_0000


def packed_bytes(rows, k, batch=1):
    """One operand's copy (src/core/pack.c): rows of round_up(K, 8) bf16, 256-byte rounded."""
    return -(-batch * rows * -(-k // 8) * 8 * 2 // 256) * 256


def odd_problem(t, device="cuda:0"):
    return (t.Tensor((ODD, ODD), t.bfloat16, device, ptr=QA),
            t.Tensor((ODD, ODD), t.bfloat16, device, ptr=QB),
            t.Tensor((ODD, ODD), t.float32, device, ptr=QC))


def workspaces(t):
    """The workspace allocations logged: (bytes, device index)."""
    return [(s[0], d.index) for kind, s, dt, d in
            (x for x in t.calls if x[0] == "empty") if dt is t.uint8 and len(s) == 1]


def no_live_workspace(t):
    return all(r() is None for r in t.allocated)


def test_torch_workspace_for_odd_leading_dimensions(torch_stub):
    t = torch_stub
    chosen = tk_kernel.choose(ODD, ODD, ODD)  # tg_gemm_workspace_size, as gemm asks it
    assert chosen["workspace"] == ODD_WORKSPACE == 2 * packed_bytes(ODD, ODD)
    hopper = chosen["name"]
    assert chosen["family"] == "hopper"
    a, b, c = odd_problem(t)
    for fn, cfg in (("gemm", None), ("gemm", hopper), ("micro_tk", hopper),
                    ("dispatch_micro", hopper)):
        t.calls.clear()
        expect_no_launch(fn, a, b, c, config=cfg)
        # exactly the queried size, on the arrays' device, for torch's current stream (the
        # call's too: nothing to record)
        assert workspaces(t) == [(ODD_WORKSPACE, 0)], (fn, cfg, t.calls)
        assert [x[0] for x in t.calls] == ["stream", "empty"], t.calls
        assert no_live_workspace(t), "the workspace outlived the call"
    # b a view x[:, :8176] of an 8193-wide tensor (odd leading dimension): b only (K < 8192:
    # no stream-K workspace beside it, test_torch_stream_k_workspace)
    a8 = t.Tensor((ODD, 8176), t.bfloat16, ptr=QA)
    b8 = t.Tensor((ODD, 8176), t.bfloat16, ptr=QB, strides=(8193, 1))
    t.calls.clear()
    expect_no_launch("gemm", a8, b8, c)
    assert workspaces(t) == [(packed_bytes(ODD, 8176), 0)]
    # a starting one element into its storage (2-byte aligned): a only
    a_off = t.Tensor((4096, 8192), t.bfloat16, ptr=QA + 2)
    t.calls.clear()
    expect_no_launch("gemm", a_off, t.Tensor((4096, 8192), t.bfloat16, ptr=QB),
                     t.Tensor((4096, 4096), t.float32, ptr=QC))
    assert workspaces(t) == [(packed_bytes(4096, 8192), 0)]


def test_torch_workspace_reaches_the_library(torch_stub, monkeypatch):
    """The named hopper configuration gets past tg_gemm's rule check only with
    the workspace: with torch gone, nothing is allocated and the library
    refuses it, naming the size tk_kernel allocated above."""
    t = torch_stub
    a, b, c = odd_problem(t)
    hopper = tk_kernel.choose(ODD, ODD, ODD)["name"]
    expect_no_launch("gemm", a, b, c, config=hopper)  # the workspace: as far as the device
    monkeypatch.delitem(sys.modules, "torch")
    ca, cb, cc = (CAI((ODD, ODD), ts, p) for ts, p in (("<V2", QA), ("<V2", QB), ("<f4", QC)))
    t.calls.clear()
    with pytest.raises(ValueError, match=rf"^tk_kernel\.gemm: the hopper family cannot take these "
                                         rf"arguments: .*; or pass a 256-byte aligned workspace of "
                                         rf"{ODD_WORKSPACE} bytes"):
        tk_kernel.gemm(ca, cb, cc, config=hopper)
    assert t.calls == []
    # config=None without torch: the library's choice needs no workspace (warp64)
    expect_no_launch("gemm", ca, cb, cc)


@pytest.mark.skipif(HAVE_GPU, reason="cuda:1 may not exist here")
def test_torch_workspace_device(torch_stub):
    t = torch_stub
    a, b, c = odd_problem(t, "cuda:1")
    t.calls.clear()
    expect_no_launch("gemm", a, b, c)
    assert workspaces(t) == [(ODD_WORKSPACE, 1)]
    assert t.calls[0] == ("stream", 1)


def test_torch_stream_k_workspace(torch_stub):
    """8192^3 runs 256x192 tiles with stream-K where a workspace is given (src/core/rules.c):
    gemm allocates exactly the size the library asks for that, and releases it."""
    t = torch_stub
    ch = tk_kernel.choose(8192, 8192, 8192)
    assert ch["name"] == "tma_store_256x192_sk" and ch["workspace"] > 0, ch
    aligned = [t.Tensor((8192, 8192), dt, ptr=p)
               for dt, p in ((t.bfloat16, QA), (t.bfloat16, QB), (t.float32, QC))]
    t.calls.clear()
    expect_no_launch("gemm", *aligned)
    assert workspaces(t) == [(ch["workspace"], 0)]
    assert no_live_workspace(t), "the workspace outlived the call"


def test_torch_no_workspace_needed(torch_stub):
    t = torch_stub
    # rows TMA reads as they are: 8192 x 8192 x 4096 on the hopper family (K < 8192: no
    # stream-K); and K = 8191 as views x[:, :8191] of 8192-wide tensors (16-byte aligned
    # rows: TMA reads them, K's tail is the box's edge)
    aligned = [t.Tensor((8192, 4096), t.bfloat16, ptr=QA), t.Tensor((8192, 4096), t.bfloat16, ptr=QB),
               t.Tensor((8192, 8192), t.float32, ptr=QC)]
    sliced = [t.Tensor((8192, ODD), t.bfloat16, ptr=p, strides=(8192, 1)) for p in (QA, QB)]
    assert tk_kernel.choose(8192, 8192, 4096)["workspace"] == 0
    # the micro family (micro_tk's split8, or named) reads any layout
    a, b, c = odd_problem(t)
    for fn, args, kw in (("gemm", aligned, {}), ("micro_tk", aligned, {}),
                         ("gemm", (*sliced, aligned[2]), {}),
                         ("micro_tk", (a, b, c), {}), ("dispatch_micro", (a, b, c), {}),
                         ("gemm", (a, b, c), {"config": "seed"}),
                         ("gemm", (a, b, c), {"alpha": 0.0, "beta": 1.0})):  # reads no A, B
        t.calls.clear()
        expect_no_launch(fn, *args, **kw)
        assert [x for x in t.calls if x[0] != "stream"] == [], (fn, kw, t.calls)
    # M = 0: no call to make
    t.calls.clear()
    tk_kernel.gemm(t.Tensor((0, ODD), t.bfloat16), b, t.Tensor((0, ODD), t.float32))
    assert workspaces(t) == []


def test_torch_workspace_streams(torch_stub):
    """The block belongs to torch's current stream (0x5000 on cuda:0). A call
    on another stream records the tensor on it (ExternalStream, or
    default_stream for the legacy default stream), so the allocator holds the
    block until that stream is past the call; run_job also orders the launch
    after torch's stream (an event, which needs the GPU this test lacks)."""
    t = torch_stub
    a, b, c = odd_problem(t)

    class TorchLikeStream:
        cuda_stream, device_index = 0x7700, 0

    for stream, record, handle in ((0x7700, ("ExternalStream", 0x7700, 0), 0x7700),
                                   (TorchLikeStream(), ("ExternalStream", 0x7700, 0), 0x7700),
                                   (0, ("default_stream", 0), 0), (1, ("default_stream", 0), 0)):
        t.calls.clear()
        expect_no_launch("gemm", a, b, c, stream=stream)
        assert [x[0] for x in t.calls] == ["empty", "stream", record[0], "record_stream"], t.calls
        assert t.calls[1] == ("stream", 0) and workspaces(t) == [(ODD_WORKSPACE, 0)]
        assert t.calls[2:] == [record, ("record_stream", handle)]
        assert no_live_workspace(t)
    # stream= torch's current stream: nothing to record
    t.calls.clear()
    expect_no_launch("gemm", a, b, c, stream=0x5000)
    assert [x[0] for x in t.calls] == ["empty", "stream"]
    # DLPack arrays say their device (cuda:0) and run on the legacy default stream
    da, db, dc = (DL((ODD, ODD), dt, p) for dt, p in (("bf16", QA), ("bf16", QB), ("f32", QC)))
    t.calls.clear()
    expect_no_launch("gemm", da, db, dc)
    assert [x[0] for x in t.calls] == ["empty", "stream", "default_stream", "record_stream"]
    assert workspaces(t) == [(ODD_WORKSPACE, 0)] and no_live_workspace(t)


def test_torch_workspace_errors(torch_stub):
    t = torch_stub
    a, b, c = odd_problem(t)
    # a block that is not 256-byte aligned: said, not passed on
    t.next_ptr[0] = 0x40000080
    with pytest.raises(RuntimeError, match=rf"^tk_kernel\.gemm: a workspace of {ODD_WORKSPACE} "
                                           r"bytes from torch\.empty on cuda:0 is at 0x40000080, "
                                           r"which is not 256-byte aligned as tilegemm needs "
                                           r"\(PyTorch's caching allocator gives 512-byte"):
        tk_kernel.gemm(a, b, c)
    assert no_live_workspace(t)
    t.next_ptr[0] = 0x40000000
    # torch.empty failing (out of memory): chained
    t.empty_error = RuntimeError("CUDA out of memory")
    with pytest.raises(RuntimeError, match=rf"^tk_kernel\.gemm: allocating a workspace of "
                                           rf"{ODD_WORKSPACE} bytes with torch\.empty: "
                                           r"RuntimeError: CUDA out of memory$") as e:
        tk_kernel.gemm(a, b, c, config=tk_kernel.choose(ODD, ODD, ODD)["name"])
    assert isinstance(e.value.__cause__, RuntimeError)
    t.empty_error = None
    # record_stream failing: chained, and the tensor released
    t.Tensor.record_stream = lambda self, s: (_ for _ in ()).throw(TypeError("no streams"))
    with pytest.raises(RuntimeError, match=r"^tk_kernel\.gemm: recording a workspace of \d+ bytes "
                                           r"on stream 0x7700: TypeError: no streams$"):
        tk_kernel.gemm(a, b, c, stream=0x7700)
    assert no_live_workspace(t)
    # the query's own refusals are the call's errors, as tg_gemm's were; nothing is allocated
    t.calls.clear()
    with pytest.raises(ValueError, match=r"^tk_kernel\.gemm: lda must be >= k \(8191\), got 200$"):
        tk_kernel.gemm(t.Tensor((ODD, ODD), t.bfloat16, ptr=QA, strides=(200, 1)), b, c)
    with pytest.raises(ValueError, match=r"^tk_kernel\.gemm: config 'custom' is valid but no kernel"):
        tk_kernel.gemm(a, b, c, config=UNUSED)
    assert workspaces(t) == []


def test_torch_workspace_no_leaks(torch_stub):
    t = torch_stub
    a, b, c = odd_problem(t)

    def run(n):
        for _ in range(n):
            for kw in ({}, {"stream": 0x7700}, {"stream": 0}):
                try:
                    tk_kernel.gemm(a, b, c, **kw)
                except RuntimeError:
                    pass
        t.calls.clear()
        t.allocated.clear()

    g = growth(run, [a, b, c, t.uint8], calls=2_000, warmup=20)
    assert g.refs == [0] * 4
    assert g.bytes < 64 * 1024, f"{g.bytes} bytes more after 2,000 rounds"


# ---- no leaks ---------------------------------------------------------------------


def test_no_reference_or_memory_leaks_over_5000_rounds_of_calls():
    a, b, c = good()
    bad_b = bf16((N, 256), PB)
    empty_a, empty_c = bf16((0, K)), f32((0, N))
    da, db, dc = DL((M, K), ptr=PA), DL((N, K), ptr=PB), DL((M, N), "f32", PC)
    alpha, cfg = 0.75, "seed"
    objs = [a, b, c, bad_b, empty_a, empty_c, da, db, dc, a.__cuda_array_interface__, alpha, cfg]

    def run(n):
        for _ in range(n):
            for args in ((a, b, c), (a, bad_b, c), (da, db, dc), (a, db, c)):
                try:
                    tk_kernel.micro_tk(*args, config=cfg)
                except (ValueError, RuntimeError):
                    pass
            for kw in ({"config": "nope"}, {"alpha": "x"}, {"beta": math.nan}, {"alpha": alpha},
                       {"config": UNUSED}, {"stream": -1}):
                try:
                    tk_kernel.gemm(a, b, c, **kw)
                except (TypeError, ValueError, RuntimeError):
                    pass
            assert tk_kernel.gemm(empty_a, b, empty_c, alpha=alpha) is empty_c
            tk_kernel.choose(M, N, K)
            tk_kernel.plan(cfg)
            for x in (da, db, dc):
                x.streams.clear()  # the fakes' own log, not a leak

    g = growth(run, objs, calls=5_000, warmup=50)
    assert g.refs == [0] * len(objs)
    assert da.exported == da.deleted and dc.exported == dc.deleted == 5_050
    assert g.bytes < 64 * 1024, f"{g.bytes} bytes more after 5,000 rounds"
    # the configuration listing, on its own
    g = growth(lambda n: [tk_kernel.configs() for _ in range(n)], [], calls=2_000, warmup=20)
    assert g.objects < 100 and g.bytes < 64 * 1024, g
