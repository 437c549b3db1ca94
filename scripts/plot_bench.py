#!/usr/bin/env python3
"""Plot a `tilegemm bench --csv` file: grouped bars of every contender per shape.

    python3 scripts/plot_bench.py bench.csv bench.png [--condition flushed|flushed-clean|warm]

One panel per suite present in the CSV (in the order the suites first
appear; any subset of suites, or the "shapes" of --shapes). In a panel, one
group of bars per shape and one bar per contender (tilegemm, configurations,
cuBLAS, cuBLASLt best; the stream read is not a GEMM and gets no bar).
The height is TFLOP/s; in a panel whose shapes are all memory-bound (the
CSV has TB/s for them) it is TB/s, under one condition (default flushed),
with the stream read's TB/s drawn as a black line over the group: the
limit. A contender without a figure (failed its check, not offered) has no
bar. The title names the device when the CSV has a `device` column.
docs/BENCH.md describes the columns. Needs matplotlib (no GPU).

Exit status: 0 written; 1 the CSV holds nothing to plot; 2 bad usage or an
unreadable CSV.
"""
import argparse
import csv
import sys
from collections import OrderedDict

# Columns the plot reads (docs/BENCH.md has them all); the others may be missing.
REQUIRED = ("suite", "m", "n", "k", "contender", "condition", "tflops")
STREAM = "stream read"
BASELINES = ("cuBLAS", "cuBLASLt best")  # drawn after tilegemm's contenders, in this order


class Usage(Exception):
    """A bad command line or CSV: exit 2 with the message."""


def number(text):
    """A cell as a float, or None when it is empty or not a number."""
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def read_rows(path):
    try:
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
            if missing:
                raise Usage(f"{path}: not a tilegemm bench CSV: no column {', '.join(missing)}")
            return list(reader)
    except OSError as e:
        raise Usage(f"{path}: {e.strerror}") from e


def shape_label(row):
    label = f"{row['m']}x{row['n']}x{row['k']}"
    # A leading dimension other than the packed one is part of the shape.
    packed = {"lda": row["k"], "ldb": row["k"], "ldc": row["n"]}
    for key, value in packed.items():
        if row.get(key) and row[key] != value:
            label += f"\n{key}={row[key]}"
    return label


def panels(rows, condition):
    """{suite: {"metric": ..., "shapes": {label: {contender: value}}, "limit": {label: value}}}."""
    suites = OrderedDict()
    for row in rows:
        suites.setdefault(row["suite"], []).append(row)
    out = OrderedDict()
    for suite, srows in suites.items():
        shapes = OrderedDict()
        for row in srows:
            shapes.setdefault(shape_label(row), []).append(row)
        # Memory-bound: every shape has TB/s (the CSV leaves it empty for the others).
        memory = all(any(number(r.get("tbps")) is not None for r in rs) for rs in shapes.values())
        metric, unit = ("tbps", "TB/s") if memory else ("tflops", "TFLOP/s")
        panel = {"unit": unit, "shapes": OrderedDict(), "limit": {}}
        for label, rs in shapes.items():
            # One condition a shape: the one asked for where timed under it ("warm" takes
            # --back-to-back's "warm-b2b" too), else the first of its own.
            # In a TFLOP/s panel a memory-bound shape also timed rotated (M = 128 in the llm
            # suite) is drawn rotated, as the panel's other shapes are.
            conditions = {r["condition"] for r in rs}
            if not memory:
                rotated = [c for c in sorted(conditions) if c in ("rotated", "rotated-b2b")]
                if rotated:
                    conditions = set(rotated)
            asked = [c for c in sorted(conditions) if c == condition or c == condition + "-b2b"]
            cond = asked[0] if asked else sorted(conditions)[0]
            if memory or cond != "rotated":  # (rotated, the compute-bound default, goes unsaid)
                panel["condition"] = cond
            bars = OrderedDict()
            for r in rs:
                if r["condition"] != cond:
                    continue
                value = number(r.get(metric))
                if r["contender"] == STREAM:
                    if memory:  # (TB/s: a line only over TB/s bars)
                        panel["limit"][label] = value
                else:
                    bars[r["contender"]] = value
            panel["shapes"][label] = bars
        out[suite] = panel
    return out


def contender_order(panel):
    """Every contender of a panel: tilegemm's first (as they appear), then the baselines."""
    seen = OrderedDict()
    for bars in panel["shapes"].values():
        for name in bars:
            seen[name] = True
    mine = [c for c in seen if c not in BASELINES]
    return mine + [c for c in BASELINES if c in seen]


def plot(rows, out_path, condition):
    import matplotlib

    matplotlib.use("Agg")  # a file, no display
    import matplotlib.pyplot as plt

    data = panels(rows, condition)
    if not data:
        return False
    widest = max(len(p["shapes"]) for p in data.values())
    fig, axes = plt.subplots(len(data), 1, figsize=(max(8, 1.1 * widest + 3), 4.2 * len(data)),
                             squeeze=False)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    palette = {}
    for ax, (suite, panel) in zip(axes[:, 0], data.items()):
        names = contender_order(panel)
        for name in names:
            palette.setdefault(name, colours[len(palette) % len(colours)])
        labels = list(panel["shapes"])
        width = 0.8 / max(1, len(names))
        for j, name in enumerate(names):
            xs, hs = [], []
            for x, label in enumerate(labels):
                value = panel["shapes"][label].get(name)
                if value is not None:
                    xs.append(x - 0.4 + width * (j + 0.5))
                    hs.append(value)
            ax.bar(xs, hs, width, label=name, color=palette[name])
        labelled = False  # the stream read's line in the legend once
        for x, label in enumerate(labels):
            limit = panel["limit"].get(label)
            if limit is not None:
                ax.hlines(limit, x - 0.45, x + 0.45, colors="black", linewidth=2,
                          label=None if labelled else f"{STREAM} (the limit)")
                labelled = True
        ax.set_xticks(range(len(labels)))
        many = len(labels) > 8  # long suites: labels turned so they do not overlap
        ax.set_xticklabels(labels, fontsize=8, rotation=30 if many else 0, ha='right' if many else 'center')
        title = f"{suite}: {panel['unit']}"
        if "condition" in panel:
            title += f" ({panel['condition']})"
        ax.set_title(title, fontsize=10)
        ax.set_ylabel(panel["unit"])
        ax.grid(axis="y", alpha=0.3)
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))  # beside, not over
    devices = sorted({r.get("device") for r in rows if r.get("device")})
    dtypes = sorted({r.get("dtype") for r in rows if r.get("dtype")})
    heading = "tilegemm vs cuBLAS"
    if dtypes:
        heading += f", {' / '.join(dtypes)} C"
    if devices:
        heading += f" on {', '.join(devices)}"
    fig.suptitle(heading)
    fig.tight_layout(rect=(0, 0, 1, 0.985))  # room for the heading above the first panel
    fig.savefig(out_path, dpi=110)
    plt.close(fig)
    return True


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("csv", help="a file written by tilegemm bench --csv")
    parser.add_argument("out", help="the image to write (PNG, or any format matplotlib knows)")
    parser.add_argument("--condition", choices=("flushed", "flushed-clean", "warm"),
                        default="flushed",
                        help="for memory-bound shapes: which timing to plot (default flushed; warm "
                             "takes warm-b2b, timed --back-to-back, too)")
    args = parser.parse_args(argv)
    try:
        rows = read_rows(args.csv)
    except Usage as e:
        print(f"plot_bench: {e}", file=sys.stderr)
        return 2
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print("plot_bench: needs matplotlib (python3 -m pip install matplotlib)", file=sys.stderr)
        return 2
    if not plot(rows, args.out, args.condition):
        print(f"plot_bench: {args.csv} has no rows to plot", file=sys.stderr)
        return 1
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
