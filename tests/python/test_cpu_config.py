"""tk_kernel on the CPU (CI), part 1: import, the configuration dicts,
choose(), and the library's statuses mapped to the documented exceptions
(python/README.md). No GPU and no torch needed; test_cpu.py has the arrays."""
import subprocess
import sys

import pytest

import tk_kernel
from fakes import PA, bf16
from cpu_common import FUNCS, HAVE_GPU, K, M, UNUSED, good


# ---- import -------------------------------------------------------------------


def test_import_needs_neither_torch_nor_gpu():
    code = "import sys, tk_kernel; print('torch' in sys.modules, tk_kernel.__version__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split()[0] == "False"
    assert tk_kernel.__version__.count(".") == 1
    for name in FUNCS + ["choose", "configs", "plan", "kernel_info", "device_count",
                         "register_torch_ops"]:
        assert callable(getattr(tk_kernel, name)), name
        assert name in tk_kernel.__all__
    # the default configuration lives in the library now
    for gone in ("set_default_config", "default_config", "DEFAULT_CONFIG"):
        assert not hasattr(tk_kernel, gone) and not hasattr(tk_kernel._C, gone), gone


# ---- configuration dicts --------------------------------------------------------

FIXED = {"name", "family", "compiled", "params", "preset_line"}


def params_of(text):
    """'micro,block_m=128,...,layout=interleaved' → ('micro', {key: int or name})."""
    family, *items = text.split(",")
    out = {}
    for item in items:
        key, value = item.split("=")
        out[key] = int(value) if value.lstrip("-").isdigit() else value
    return family, out


def test_configs_are_generic_dicts():
    cfgs = tk_kernel.configs()
    names = [c["name"] for c in cfgs]
    assert len(set(names)) == len(names) and {"seed", "split8"} <= set(names)
    assert {c["family"] for c in cfgs} == {"micro", "hopper", "decode", "gemv"}
    for c in cfgs:
        assert c["compiled"] is True
        family, params = params_of(c["params"])
        assert family == c["family"]
        # one entry per parameter, with the value the configuration string gives
        for key, value in params.items():
            assert c[key] == value, (c["name"], key)
        # one per fact (derived numbers), all ints; nothing else
        facts = set(c) - FIXED - set(params)
        assert {"threads", "acc_regs", "smem_bytes"} <= facts
        if family == "micro":
            assert {"warps", "accumulators"} <= facts
        if family == "decode":
            assert {"warps", "block_n", "parts", "cluster"} <= facts
        assert all(type(c[f]) is int for f in facts)
        assert c["preset_line"].startswith(f"src/{family}/presets.def: TG_{family.upper()}_PRESET({c['name']}, ")
        assert "description" not in c


def test_enumerations_are_names():
    cfgs = {c["name"]: c for c in tk_kernel.configs()}
    assert cfgs["seed"]["layout"] == "interleaved" and cfgs["seed"]["pipe"] == "cp_async"
    assert cfgs["seed_contig"]["layout"] == "contiguous"
    assert cfgs["seed_regs"]["pipe"] == "regs"
    assert "TG_INTERLEAVED, TG_CP_ASYNC" in cfgs["seed"]["preset_line"]


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
    for c in tk_kernel.configs():
        if c["family"] == "hopper":
            # each consumer warpgroup holds BLOCK_M/CONSUMERS rows; TMA epilogue: 2 x 8 KB each;
            # a K split in two: the other rank's partial of BLOCK_M/2 rows, fp32
            assert c["acc_regs"] == c["block_m"] // c["consumers"] // 64 * c["block_n"] // 2
            staging = 2 * 8192 * c["consumers"] if c["epilogue"] == "tma" else 0
            split = c["split_k"]
            receive = c["block_m"] // 2 * c["block_n"] * 4 if split == 2 else 0
            assert c["smem_bytes"] == (c["stages"] * (c["block_m"] + c["block_n"]) * 128 + 1024 + staging
                                       + receive)
            assert c["threads"] == 128 * (c["consumers"] + c["producer"])
            continue
        if c["family"] == "decode":
            # one BLOCK_M x (BLOCK_N + 8) fp32 tile of partial sums per warp along K
            assert c["block_n"] == c["warps_n"] * c["reg_block_n"]
            assert c["threads"] == 32 * c["warps"] == 32 * c["warps_n"] * c["warps_k"]
            # whole m16 tiles of accumulators (BLOCK_M 8: the half past it too, zeros)
            assert c["acc_regs"] == -(-c["block_m"] // 16) * 16 * c["reg_block_n"] // 32
            assert c["smem_bytes"] == c["warps_k"] * c["block_m"] * (c["block_n"] + 8) * 4
            assert c["parts"] == c["warps_k"] * c["split_k"] and c["cluster"] == c["split_k"]
            continue
        if c["family"] == "gemv":
            # a block covers a whole row: MAX_THREADS x VECS vectors of 8 columns; two buffers
            # of 32 rows x warps x BLOCK_M fp32 partial sums
            assert c["threads"] == c["max_threads"] and c["max_k"] == 8 * c["max_threads"] * c["vecs"]
            assert c["acc_regs"] == c["block_m"] * c["rows"]
            assert c["a_regs"] == (0 if c["a_smem"] else 4 * c["block_m"] * c["vecs"])
            assert c["loads_in_flight"] == c["rows"] * c["vecs"]
            assert c["smem_bytes"] == 2 * 32 * c["max_threads"] // 32 * c["block_m"] * 4
            continue
        assert c["warp_tile_m"] == c["block_m"] // c["warps_m"]
        assert c["warp_tile_n"] == c["block_n"] // c["warps_n"]
        assert c["acc_m"] == c["warp_tile_m"] // c["reg_block_m"]
        assert c["acc_n"] == c["warp_tile_n"] // c["reg_block_n"]
        assert c["accumulators"] == c["acc_m"] * c["acc_n"]
        assert c["acc_regs"] == c["warp_tile_m"] * c["warp_tile_n"] // 32
        assert c["smem_bytes"] == c["stages"] * (c["block_m"] + c["block_n"]) * c["dot_slice_shared"] * 2
        assert c["mma_tiles_m"] == c["reg_block_m"] // 16 and c["mma_tiles_n"] == c["reg_block_n"] // 8


def test_plan_reads_back_every_config():
    for c in tk_kernel.configs():
        for text in (c["name"], c["params"]):
            p = tk_kernel.plan(text)
            assert "block tile" in p.pop("description")
            assert p == c, text


def test_plan_of_an_uncompiled_config():
    p = tk_kernel.plan(UNUSED)
    assert p["compiled"] is False and p["name"] == "custom" and p["family"] == "micro"
    assert p["raster"] == 3 and "raster=3" in p["params"]
    assert p["preset_line"].startswith("src/micro/presets.def: TG_MICRO_PRESET(my_config, 128, ")
    assert p["preset_line"].endswith(", 3)")
    assert p["threads"] == 256 and p["accumulators"] == 8
    # the family's name stands for its base preset; keys may be set in any case
    assert tk_kernel.plan("micro")["name"] == "seed"
    assert tk_kernel.plan("seed,REG_M=16,reg_n=16")["name"] == "split8"


@pytest.mark.parametrize("text, words", [
    ("nope", "unknown preset 'nope'"),
    ("seed,colour=red", "unknown key 'colour' for the micro family"),
    ("seed,block_m=8", "block_m must be 16..512, got 8"),
    ("seed,reg_m=24", "REG_BLOCK_M must be a multiple of 16"),
    ("reg=16", "starts with a key"),
    ("seed,reg=16,reg_m=32", "sets reg_block_m twice"),
    ("seed,\n", "not printable ASCII"),  # the C parser's own check
])
def test_plan_errors_are_the_librarys(text, words):
    with pytest.raises(ValueError, match=r"^tk_kernel\.plan: ") as e:
        tk_kernel.plan(text)
    assert words in str(e.value)


def test_config_text_checks():
    with pytest.raises(TypeError, match=r"^tk_kernel\.plan: config must be a str"):
        tk_kernel.plan(128)
    with pytest.raises(TypeError, match=r"^tk_kernel\.plan: config must be a str"):
        tk_kernel.plan(b"seed")
    with pytest.raises(ValueError, match=r"^tk_kernel\.plan: config must be ASCII text, got U\+00EF at index 3"):
        tk_kernel.plan("splït8")
    with pytest.raises(ValueError, match=r"^tk_kernel\.plan: config contains a NUL character"):
        tk_kernel.plan("seed\0,reg=16")
    with pytest.raises(TypeError):
        tk_kernel.plan()  # there is no default configuration to plan


def test_choose():
    names = {c["name"] for c in tk_kernel.configs()}
    # large and TMA-aligned: the hopper family; K = 8191 (rows TMA cannot read): hopper too,
    # on copies of A and B in the workspace gemm allocates (rows of 8192, 256-byte rounded);
    # nothing to do: the first rule whose class holds (no kernel is asked), no workspace;
    # 1 <= M <= 16 with K a multiple of 8: the decode family, but for N = 8192 with K >= 3072
    # (sw16, hopper; M = 64 or 65: hopper's small tiles), for N = 513..1536 with K >= 8192
    # (sw16_k8, hopper) and for M = 1 from N = 1024 (gemv)
    for m, n, k, dtype, family, ws in [
            (8192, 8192, 4096, None, "hopper", 0),
            (8192, 8192, 8191, None, "hopper", 2 * 8192 * 8192 * 2),
            (1, 1, 1, "bf16", "hopper", 2 * 256), (0, 5, 7, "float32", "hopper", 0),
            (2, 8192, 2048, None, "decode", 0), (16, 4096, 4096, "bf16", "decode", 0),
            (1, 1023, 4096, None, "decode", 0), (1, 1023, 8192, None, "hopper", 0),
            (1, 8192, 4096, None, "gemv", 0),
            (2, 8192, 8192, None, "hopper", 0),
            (64, 4096, 4096, "bf16", "hopper", 0),
            (65, 4096, 4096, None, "hopper", 0)]:
        ch = tk_kernel.choose(m, n, k, out_dtype=dtype)
        assert set(ch) == {"name", "family", "why", "params", "workspace"}
        assert ch["name"] in names and ch["family"] == family, (m, n, k, ch["name"])
        assert ch["workspace"] == ws, (m, n, k, ch["workspace"])
        assert ("packed into the workspace" in ch["why"]) == (ws > 0), ch["why"]
        assert ch["why"].startswith("rule '")
        assert ch["params"] == tk_kernel.plan(ch["name"])["params"]
    assert tk_kernel.choose(m=64, n=64, k=64) == tk_kernel.choose(64, 64, 64)
    with pytest.raises(TypeError, match=r"^tk_kernel\.choose: m must be an int, got float"):
        tk_kernel.choose(1.5, 2, 3)
    with pytest.raises(TypeError, match=r"^tk_kernel\.choose: k must be an int, got str"):
        tk_kernel.choose(1, 2, "3")
    with pytest.raises(ValueError, match=r"^tk_kernel\.choose: n does not fit 64 bits"):
        tk_kernel.choose(1, 2**70, 3)
    with pytest.raises(ValueError, match=r"^tk_kernel\.choose: m must be >= 0, got -1"):
        tk_kernel.choose(-1, 2, 3)  # the library's check (TG_ERR_INVALID_ARGUMENT)
    with pytest.raises(TypeError, match="out_dtype must be torch.float32 or torch.bfloat16"):
        tk_kernel.choose(1, 2, 3, out_dtype="float16")


def test_kernel_info_checks_before_the_device():
    with pytest.raises(ValueError, match=r"^tk_kernel\.kernel_info: config 'custom' has no compiled kernel"):
        tk_kernel.kernel_info(UNUSED)
    with pytest.raises(TypeError, match="config must be a str"):
        tk_kernel.kernel_info(3)
    if HAVE_GPU:
        pytest.skip("a GPU is present (test_gpu.py covers kernel_info)")
    for cfg in (None, "seed"):
        with pytest.raises(RuntimeError, match=r"^tk_kernel\.kernel_info: no (CUDA GPU|usable)"):
            tk_kernel.kernel_info(cfg)


# ---- the status → exception mapping ----------------------------------------------


@pytest.mark.parametrize("status, run, exc, words", [
    ("TG_ERR_INVALID_ARGUMENT", lambda: tk_kernel.micro_tk(bf16((M, K), PA + 1), *good()[1:]),
     ValueError, "a (0x10000001) is not 2-byte aligned, as bf16 needs"),
    ("TG_ERR_UNKNOWN_CONFIG", lambda: tk_kernel.gemm(*good(), config="nope"),
     ValueError, "unknown preset 'nope'"),
    ("TG_ERR_INVALID_CONFIG", lambda: tk_kernel.micro_tk(*good(), config="seed,stages=9"),
     ValueError, "stages must be 2..8, got 9"),
    ("TG_ERR_NOT_COMPILED", lambda: tk_kernel.dispatch_micro(*good(), config=UNUSED),
     ValueError, "is valid but no kernel was compiled for it; add this line to compile one: "
                 "src/micro/presets.def: TG_MICRO_PRESET(my_config,"),
    ("TG_ERR_NO_DEVICE", lambda: tk_kernel.gemm(*good()),
     RuntimeError, "no "),
])
def test_library_status_to_exception(status, run, exc, words):
    if status == "TG_ERR_NO_DEVICE" and HAVE_GPU:
        pytest.skip("a GPU is present")
    with pytest.raises(exc) as e:
        run()
    assert type(e.value) is exc  # exactly the documented class
    assert str(e.value).startswith("tk_kernel.") and words in str(e.value), str(e.value)
