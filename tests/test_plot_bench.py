#!/usr/bin/env python3
"""scripts/plot_bench.py on made-up CSVs: a PNG comes out, and bad input is refused.

The CSVs are written here, with the header docs/BENCH.md documents (the
bench command writes the same one: tests/test_bench_suites.c checks it) and
figures that are plainly not measurements (1, 2, 3, ...). Cases: two suites,
compute-bound and memory-bound (warm and flushed, the stream read, a
contender that failed its check, cuBLASLt offering nothing); one suite
without a device column; a header with no rows (exit 1); a file that is not
a bench CSV (exit 2).

Exits 77 (ctest: skipped) without matplotlib; 0 pass, 1 fail.
"""
import csv
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "plot_bench.py"
DOC = ROOT / "docs" / "BENCH.md"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def documented_header():
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("suite,m,n,k,"):
            return line.split(",")
    raise SystemExit(f"{DOC}: no CSV header line")


def made_up_rows():
    """Rows shaped like the bench's; every figure is a small made-up number."""
    rows, x = [], 0

    def row(suite, m, n, k, contender, config, condition, check, memory, ldc=None):
        nonlocal x
        x += 1
        timed = check not in ("FAIL", "none offered")
        gemm = contender != "stream read"
        rows.append({
            "suite": suite, "m": m, "n": n, "k": k, "lda": k, "ldb": k, "ldc": ldc or n,
            "dtype": "fp32", "contender": contender, "config": config, "condition": condition,
            "check": check, "ms": f"{x}" if timed else "",
            "tflops": f"{x}" if timed and gemm else "",
            "tbps": f"{x}" if timed and memory else "",
            "ratio_cublas": "1" if timed and gemm else "", "ratio_lt": "",
            "stream_share": "1" if timed and memory else "", "device": "made-up device, not a GPU",
        })

    for m, n, k, ldc in ((2, 3, 4, None), (5, 7, 9, 8)):
        row("square", m, n, k, "tilegemm", "cfg", "rotated", "pass", False, ldc)
        row("square", m, n, k, "cuBLAS", "cublasGemmEx", "rotated", "-", False, ldc)
        row("square", m, n, k, "cuBLASLt best", "algorithm 0 of 1", "rotated", "pass", False, ldc)
    for m in (1, 16):
        for cond in ("warm", "flushed"):
            row("decode", m, 64, 64, "tilegemm", "cfg", cond, "pass", True)
            row("decode", m, 64, 64, "other", "other", cond, "FAIL" if m == 1 else "pass", True)
            row("decode", m, 64, 64, "cuBLAS", "cublasGemmEx", cond, "-", True)
            row("decode", m, 64, 64, "cuBLASLt best", "-", cond, "none offered", True)
            row("decode", m, 64, 64, "stream read", "16-byte loads", cond, "-", True)
    return rows


def write_csv(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=header, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)


def plot(csv_path, png_path, *extra):
    return subprocess.run([sys.executable, str(SCRIPT), str(csv_path), str(png_path), *extra],
                          capture_output=True, text=True, timeout=120)


def main():
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print("SKIP: matplotlib is not installed (python3 -m pip install matplotlib)")
        return 77
    header = documented_header()
    failures = []

    def expect(ok, what):
        print(("ok   " if ok else "FAIL ") + what)
        if not ok:
            failures.append(what)

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        rows = made_up_rows()
        cases = [
            ("two suites", header, rows, ()),
            ("two suites, warm", header, rows, ("--condition", "warm")),
            ("one suite, no device column", [c for c in header if c != "device"],
             [r for r in rows if r["suite"] == "decode"], ()),
        ]
        for i, (what, cols, rs, extra) in enumerate(cases):
            src, png = tmp / f"case{i}.csv", tmp / f"case{i}.png"
            write_csv(src, cols, rs)
            r = plot(src, png, *extra)
            data = png.read_bytes() if png.exists() else b""
            expect(r.returncode == 0 and data.startswith(PNG_MAGIC) and len(data) > 1000,
                   f"{what}: exit {r.returncode}, {len(data)} bytes of PNG {r.stderr.strip()}")

        empty, png = tmp / "empty.csv", tmp / "empty.png"
        write_csv(empty, header, [])
        r = plot(empty, png)
        expect(r.returncode == 1 and "no rows" in r.stderr and not png.exists(),
               f"a header alone: exit {r.returncode}: {r.stderr.strip()}")

        other = tmp / "other.csv"
        other.write_text("a,b\n1,2\n", encoding="utf-8")
        r = plot(other, png)
        expect(r.returncode == 2 and "not a tilegemm bench CSV" in r.stderr,
               f"not a bench CSV: exit {r.returncode}: {r.stderr.strip()}")

        r = plot(tmp / "missing.csv", png)
        expect(r.returncode == 2, f"no such file: exit {r.returncode}: {r.stderr.strip()}")
    print(f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
