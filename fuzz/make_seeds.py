#!/usr/bin/env python3
"""Write the fuzzers' seed corpora: fuzz/corpus/{config_parse,gemm_args,cli_options}/.

    python3 fuzz/make_seeds.py      # rewrites the committed seeds

Each seed is named for what it is. The gemm_args seeds use the byte format
that fuzz/gemm_args.c reads (documented there): flags, [size], a, b, c,
m, n, k, lda, ldb, ldc, c_dtype, batch, stride_a, stride_b, stride_c,
alpha, beta, workspace, workspace_size, config selector, why_len.
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")

# ---------------------------------------------------------------------------
# config_parse: configuration strings (and one raw tg_config)
# ---------------------------------------------------------------------------
PRESETS = ["seed", "split8", "split8_m", "split8_n", "seed_contig", "split8_contig",
           "seed_regs", "split8_regs", "b256", "warp64"]
CONFIGS = {
    "family": "micro",
    "split8_by_keys": "seed,reg=16",
    "family_keys": "micro,block=128,reg=16",
    "seed_names": "seed,BLOCK_SIZE=128,REG_BLOCK_M=16,REG_BLOCK_N=16",
    "aliases": "seed,reg_m=16,reg_n=32",
    "uncompiled": "seed,raster=4",
    "uncompiled_stages": "seed,stages=4,min_blocks=1",
    "rule_min_blocks": "seed,stages=4",
    "enums": "seed,layout=contiguous,pipe=regs,stages=2,min_blocks=1",
    "every_key": "micro,block_m=256,block_n=128,k_step=256,dot_slice_shared=64,dot_slice=16,"
                 "reg_block_m=32,reg_block_n=32,warps_m=4,warps_n=2,layout=interleaved,"
                 "pipe=cp_async,stages=3,min_blocks=1,raster=8",
    "spaces_case": "  SEED , Reg = 16 ,\tlayout = CONTIGUOUS ",
    "signs": "seed,block=+128,raster=-1",
    # The review's crash strings: huge values (once an overflowing product), no base.
    "review_crash_no_base": "block_m=262144,block_n=131072,warps_m=16384,warps_n=8192,reg=16",
    "review_crash": "seed,block_m=262144,block_n=131072,warps_m=16384,warps_n=8192,reg=16",
    "review_block": "seed,block=1048576",
    "too_long_digits": "seed,k_step=99999999999999999999999999999999",
    "int_overflow": "seed,k_step=2147483648",
    "twice": "seed,reg=16,reg_m=16",
    "empty_item": "seed,,reg=16",
    "trailing_comma": "seed,",
    "unknown_key": "seed,colour=blue",
    "not_a_number": "seed,block=abc",
    "bad_enum": "seed,layout=diagonal",
    "unknown_preset": "nope",
    "empty": "",
    "rule_threads": "seed,warps_m=32,warps_n=32",
    "rule_registers": "seed,block=512,reg=16",
    "rule_smem": "seed,block=512,reg=32,warps_m=16,warps_n=2,stages=8",
    "control_byte": "seed,\x01reg=16",
}

# ---------------------------------------------------------------------------
# gemm_args: argument sets, valid and broken
# ---------------------------------------------------------------------------
TiB = 1 << 40
SEL_PRESET0, SEL_NULL = 0, 10          # 10 compiled presets: 10 is NULL (the library's choice)
SEL_UNCOMPILED, SEL_INVALID = 11, 12


def args(m=64, n=64, k=64, lda=None, ldb=None, ldc=None, dtype=0, batch=1, sa=0, sb=0, sc=0,
         alpha=1.0, beta=0.0, a=1 * TiB, b=2 * TiB, c=3 * TiB, ws=0, ws_size=0, size=None,
         sel=SEL_NULL, why_len=256):
    lda = k if lda is None else lda
    ldb = k if ldb is None else ldb
    ldc = n if ldc is None else ldc
    out = struct.pack("<B", 1 if size is not None else 0)
    if size is not None:
        out += struct.pack("<Q", size)
    out += struct.pack("<QQQ", a, b, c)
    out += struct.pack("<qqqqqq", m, n, k, lda, ldb, ldc)
    out += struct.pack("<i", dtype)
    out += struct.pack("<qqqq", batch, sa, sb, sc)
    out += struct.pack("<ff", alpha, beta)
    out += struct.pack("<QQ", ws, ws_size)
    out += struct.pack("<BH", sel, why_len)
    return out


NAN = float("nan")
GEMM = {
    "valid_64": args(),
    "valid_preset_split8": args(sel=1),
    "valid_uncompiled_config": args(sel=SEL_UNCOMPILED),
    "valid_invalid_config": args(sel=SEL_INVALID),
    "valid_bf16_out": args(dtype=1, sel=SEL_PRESET0),
    "valid_batched": args(batch=3, sa=64 * 64, sb=64 * 64, sc=64 * 64),
    "valid_shared_b": args(batch=3, sa=64 * 64, sb=0, sc=64 * 64),
    "valid_padded_odd": args(m=1000, n=17, k=4097, lda=4100, ldb=4097, ldc=19),
    "valid_misaligned_fast_path_off": args(a=TiB + 2, b=2 * TiB + 6, m=255, n=129, k=300),
    "noop_m0_null_pointers": args(m=0, a=0, b=0, c=0),
    "noop_batch0": args(batch=0, a=0, b=0, c=0),
    "beta_only_k0": args(k=0, beta=2.0, a=0, b=0),
    "beta_only_alpha0": args(alpha=0.0, beta=-1.0, a=0, b=0),
    "alpha_nan": args(alpha=NAN, beta=NAN),
    "short_why": args(why_len=3),
    "no_why": args(why_len=0),
    # Broken ones.
    "size_zero": args(size=0),
    "size_small": args(size=8),
    "size_large": args(size=4096),
    "negative_m": args(m=-1),
    "lda_small": args(lda=63),
    "ldc_small": args(ldc=1),
    "dtype_unknown": args(dtype=7),
    "c_null": args(c=0),
    "c_misaligned": args(c=3 * TiB + 2),
    "c_overlaps_a": args(c=1 * TiB),
    "c_overlaps_b_end": args(c=2 * TiB + 64 * 64 * 2 - 4),
    "end_of_address_space": args(c=(1 << 64) - 64),
    "stride_c_overlap": args(batch=3, sa=4096, sb=4096, sc=100),
    "stride_negative": args(batch=2, sa=-4096, sb=4096, sc=4096),
    "workspace_size_no_workspace": args(ws_size=1024),
    # Overflowing sizes: every span is computed in 64 bits with checks.
    "overflow_m_ldc": args(m=1 << 62, ldc=1 << 62),
    "overflow_lda": args(m=1 << 40, k=64, lda=1 << 40),
    "overflow_batch_stride": args(batch=1 << 40, sa=1 << 40, sb=1 << 40, sc=1 << 40),
    "overflow_bytes": args(m=1, n=(1 << 62), ldc=(1 << 62)),
    "int64_extremes": args(m=(1 << 63) - 1, n=(1 << 63) - 1, k=(1 << 63) - 1,
                           lda=-(1 << 63), ldb=-(1 << 63), ldc=(1 << 63) - 1),
    "batch_over_grid": args(batch=65536, sa=4096, sb=4096, sc=4096),
    # Found by fuzz_gemm_args on 2026-11-26: a no-op call (n or batch 0) skips
    # the size checks, then the dispatcher's grid arithmetic overflows int64
    # (src/micro/plan.h tg_plan_grid_m, src/micro/family.c supports); fixed in 6dd1266.
    "bug_noop_huge_m": args(m=(1 << 63) - 1, n=0),
    "bug_noop_grid_product": args(m=1 << 48, n=1 << 38, batch=0),
    "grid_too_large": args(m=1 << 31, n=1 << 31, k=1, lda=1, ldb=1, ldc=1 << 31,
                           a=1 << 44, b=1 << 46, c=1 << 50),
}

# ---------------------------------------------------------------------------
# cli_options: command lines, one word a line
# ---------------------------------------------------------------------------
CLI = {
    "run": ["run"],
    "run_all": ["run", "--dtype", "bf16", "--reps", "5", "--warmup", "0", "--rounds", "3",
                "--seed", "42"],
    "check": ["check", "--config", "split8", "--m", "1000", "--n", "17", "--k", "4097"],
    "check_all": ["check", "--config=seed,reg_block_m=16", "--m=255", "--n=129", "--k=300",
                  "--lda", "512", "--ldb", "512", "--ldc", "256", "--batch", "3", "--dtype",
                  "fp32", "--alpha", "0.5", "--beta", "-1e3", "--misalign", "--seed",
                  "18446744073709551615"],
    "bench": ["bench", "--configs", "seed,split8,warp64", "--shapes",
              "8192x8192x8192,4096x4096x4096"],
    "bench_semicolons": ["bench", "--configs", "seed;split8,reg=16", "--reps", "100000",
                         "--rounds", "100"],
    "bench_suite": ["bench", "--suite", "decode", "--csv", "decode.csv"],
    "bench_suites_configs": ["bench", "--suite", "square,llm,small,decode,odd", "--configs",
                             "default,warp64", "--dtype", "bf16", "--no-lt"],
    "bench_shape_ld": ["bench", "--shapes", "8192x8191x8192:ldc=8192,1x4096x4096:lda=4104",
                       "--csv=out.csv"],
    "rounds_too_many": ["tune", "--rounds", "101"],
    "tune": ["tune", "--m", "8192", "--n", "8192", "--k", "8192", "--warmup", "100000"],
    "plan_config": ["plan", "--config", "split8"],
    "plan_shape": ["plan", "--m", "1", "--n", "2", "--k", "3", "--lda", "3", "--misalign"],
    "list": ["list"],
    "verify": ["verify"],
    "verify_config": ["verify", "--config", "b256"],
    "help": ["--help"],
    "help_short": ["-h"],
    "help_command": ["help", "check"],
    "command_help": ["check", "--help"],
    # Refused ones.
    "no_command": [],
    "unknown_command": ["frobnicate"],
    "option_first": ["--m", "1"],
    "missing_value": ["check", "--m"],
    "negative": ["check", "--m", "-1", "--n", "1", "--k", "1"],
    "too_large": ["check", "--m", "2147483648", "--n", "1", "--k", "1"],
    "partial_shape": ["tune", "--m", "1"],
    "plan_both": ["plan", "--config", "seed", "--m", "1", "--n", "1", "--k", "1"],
    "not_an_option_of": ["list", "--m", "1"],
    "given_twice": ["run", "--reps", "1", "--reps", "2"],
    "extra_argument": ["run", "extra"],
    "flag_with_value": ["check", "--misalign=1"],
    "seed_negative": ["run", "--seed", "-1"],
    "seed_overflow": ["run", "--seed", "18446744073709551616"],
    "alpha_nan": ["check", "--m", "1", "--n", "1", "--k", "1", "--alpha", "nan"],
    "dtype_unknown": ["run", "--dtype", "fp8"],
    "double_dash": ["check", "--", "--m", "1"],
    "help_unknown": ["help", "frobnicate"],
    "help_extra": ["help", "check", "extra"],
    "suite_unknown": ["bench", "--suite", "square,frob"],
    "suite_and_shapes": ["bench", "--suite", "odd", "--shapes", "64x64x64"],
    "csv_empty": ["bench", "--csv", ""],
    "suite_not_an_option_of": ["tune", "--suite", "square"],
}


def write(kind, name, data):
    d = os.path.join(CORPUS, kind)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def main():
    for p in PRESETS:
        write("config_parse", "preset_" + p, p.encode())
    for name, text in CONFIGS.items():
        write("config_parse", name, text.encode())
    # A raw tg_config (name[32], family, params[32]) holding the seed preset:
    # the string "seed" up to its NUL, and a valid struct as a whole.
    seed_params = [128, 128, 256, 64, 16, 32, 32, 4, 2, 0, 0, 3, 2, 8]
    raw = b"seed".ljust(32, b"\0") + struct.pack("<i", 0)
    raw += struct.pack("<32i", *(seed_params + [0] * (32 - len(seed_params))))
    write("config_parse", "raw_struct_seed", raw)
    for name, data in GEMM.items():
        write("gemm_args", name, data)
    for name, words in CLI.items():
        write("cli_options", name, "\n".join(words).encode())


if __name__ == "__main__":
    main()
