"""docs/ERRORS.md, every row a test.

The document is the single source: this file parses its tables and, for each
row, runs the input and compares the status (C API), exit code (CLI) or
exception type (Python) and the message exactly. CPU only: no GPU, no torch.

Rows are read from every table whose header is exactly

    | # | front end | input | result | message |

  front end   C, CLI or Python; "(no GPU)" after it marks a row whose result
              depends on the machine having no usable GPU: it runs only
              where the library's device check fails as the table's C
              `device` row says, and is skipped elsewhere (a GPU machine)
  input       in a code span. C: words for tests/error_case.c (the C API
              driver), shell-quoted; CLI: the argv, shell-quoted, starting
              with "tilegemm"; Python: an expression, evaluated with
              tk_kernel, the fakes of tests/python/fakes.py, a, b and c (a
              valid 64x64x64 problem of fake arrays) and with_torch
  result      C: "TG_ERR_... (n)"; CLI: "exit n"; Python: the exception's class
  message     in a code span: tg_last_error(), the CLI's stderr (lines joined
              by <br>) or str(exception)

In a table cell "|" is written "\\|". Shell quoting: '...', "...", $'...'
(with \\xHH, \\n, \\t, \\\\, \\') and backslash escapes, as bash reads them.

Where the programs are: TG_ERROR_CASE (the driver) and TG_CLI (the tilegemm
command), TG_PYTHONPATH (the directory holding the tk_kernel package); ctest
sets them (tests/CMakeLists.txt). Unset, they default to the build/ tree of
the source directory; set to "" (or not there), a front end is skipped.

Run as a script (python3 tests/test_errors.py) it prints every row whose
actual result differs from the table, as a table row, for review.
"""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "ERRORS.md"
HEADER = ["#", "front end", "input", "result", "message"]
FRONT_ENDS = ("C", "CLI", "Python")
NO_GPU = " (no GPU)"
MIN_ROWS = 60


# ---- the document ---------------------------------------------------------------


def split_cells(line):
    """A table line into its cells: '|' separates, '\\|' is a '|' inside a cell."""
    assert line.startswith("|") and line.rstrip().endswith("|"), line
    body = line.strip()[1:-1]
    cells, cur, i = [], "", 0
    while i < len(body):
        if body.startswith("\\|", i):
            cur += "|"
            i += 2
        elif body[i] == "|":
            cells.append(cur.strip())
            cur = ""
            i += 1
        else:
            cur += body[i]
            i += 1
    cells.append(cur.strip())
    return cells


def code(cell, where):
    """The text of a cell that is one code span (`x` or `` x ``)."""
    m = re.fullmatch(r"(`+)(.*?)\1", cell, re.S)
    assert m, f"{where}: expected a code span, got {cell!r}"
    text = m.group(2)
    if len(m.group(1)) > 1 and text.startswith(" ") and text.endswith(" "):
        text = text[1:-1]
    return text


class Row:
    def __init__(self, line_no, cells):
        where = f"docs/ERRORS.md:{line_no}"
        assert len(cells) == len(HEADER), f"{where}: {len(cells)} cells, expected {len(HEADER)}"
        self.where = where
        assert cells[0].isdigit(), f"{where}: row number {cells[0]!r}"
        self.number = int(cells[0])
        front = cells[1]
        self.no_gpu = front.endswith(NO_GPU)
        self.front = front[: -len(NO_GPU)] if self.no_gpu else front
        assert self.front in FRONT_ENDS, f"{where}: front end {front!r}"
        self.input = code(cells[2], where)
        self.result = code(cells[3], where)
        self.message = code(cells[4], where)

    def key(self):
        return (self.front, self.input)

    def __repr__(self):
        return f"#{self.number} {self.front} {self.input}"


def read_rows(path=DOC):
    rows, in_table = [], False
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.startswith("|"):
            in_table = False
            continue
        cells = split_cells(line)
        if cells == HEADER:
            in_table = True
        elif in_table and not all(re.fullmatch(r":?-+:?", c) for c in cells):
            rows.append(Row(n, cells))
    return rows


ROWS = read_rows()


# ---- shell words ------------------------------------------------------------------

ANSI_C = {"n": b"\n", "t": b"\t", "r": b"\r", "\\": b"\\", "'": b"'", '"': b'"', "0": b"\0"}


def shell_words(text):
    """bash's reading of a command line's words (quotes, $'...', backslashes),
    each word as bytes."""
    words, cur, have, i = [], b"", False, 0
    while i < len(text):
        ch = text[i]
        if ch in " \t":
            if have:
                words.append(cur)
            cur, have = b"", False
            i += 1
            continue
        have = True
        if ch == "'":
            j = text.index("'", i + 1)
            cur += text[i + 1 : j].encode()
            i = j + 1
        elif text.startswith("$'", i):
            i += 2
            while text[i] != "'":
                if text[i] == "\\":
                    e = text[i + 1]
                    if e == "x":
                        m = re.match(r"[0-9a-fA-F]{1,2}", text[i + 2 :])
                        cur += bytes([int(m.group(0), 16)])
                        i += 2 + len(m.group(0))
                        continue
                    assert e in ANSI_C, f"unsupported escape \\{e} in {text!r}"
                    cur += ANSI_C[e]
                    i += 2
                else:
                    cur += text[i].encode()
                    i += 1
            i += 1
        elif ch == '"':
            i += 1
            while text[i] != '"':
                if text[i] == "\\" and text[i + 1] in '"\\$`':
                    i += 1
                assert text[i] not in "$`", f"no expansions in test inputs: {text!r}"
                cur += text[i].encode()
                i += 1
            i += 1
        elif ch == "\\":
            cur += text[i + 1].encode()
            i += 2
        else:
            assert ch not in "$`;&|<>()*?[]{}~#", f"unquoted {ch!r} in {text!r}: quote it"
            cur += ch.encode()
            i += 1
    if have:
        words.append(cur)
    return words


# ---- the programs --------------------------------------------------------------------


def program(env, default):
    path = os.environ.get(env)
    if path is None:
        path = ROOT / "build" / default
    return Path(path) if path and Path(path).is_file() else None


ERROR_CASE = program("TG_ERROR_CASE", "tests/error_case")
CLI = program("TG_CLI", "tilegemm")


def import_tk_kernel():
    """tk_kernel from TG_PYTHONPATH (or the build tree); None where it was not built."""
    sys.path.insert(0, str(ROOT / "tests" / "python"))  # fakes.py
    path = os.environ.get("TG_PYTHONPATH", str(ROOT / "build" / "python"))
    explicit = "TG_PYTHONPATH" in os.environ
    if not path:
        return None  # TG_PYTHONPATH= : not built
    sys.path.insert(0, path)
    try:
        import tk_kernel
    except ImportError:
        if explicit:
            raise  # built, but it does not import: that is a failure, not a skip
        return None
    return tk_kernel


TK = import_tk_kernel()


def run_c(words):
    r = subprocess.run([str(ERROR_CASE), *words], capture_output=True, timeout=60)
    assert r.returncode == 0, f"error_case exit {r.returncode}: {r.stderr.decode(errors='replace')}"
    out = r.stdout.decode()
    status, sep, message = out.partition("\n")
    assert sep and message.endswith("\n"), f"error_case printed {out!r}"
    return status, message[:-1]


def run_cli(words):
    assert words and words[0] == b"tilegemm", "a CLI input starts with tilegemm"
    r = subprocess.run([str(CLI), *words[1:]], capture_output=True, timeout=120)
    assert r.stdout == b"", f"an error printed to stdout: {r.stdout[:400]!r}"
    lines = r.stderr.decode(errors="backslashreplace").rstrip("\n").split("\n")
    return f"exit {r.returncode}", "<br>".join(lines)


def python_namespace():
    import fakes

    ns = {name: getattr(fakes, name) for name in ("CAI", "DL", "bf16", "f32", "PA", "PB", "PC")}
    ns.update(tk_kernel=TK, a=fakes.bf16((64, 64), fakes.PA), b=fakes.bf16((64, 64), fakes.PB),
              c=fakes.f32((64, 64), fakes.PC), with_torch=with_torch)
    return ns


def with_torch(fn):
    """fn(torch) with the stand-in torch module of fakes.py imported."""
    import fakes

    saved = sys.modules.get("torch")
    sys.modules["torch"] = fake = fakes.fake_torch()
    try:
        return fn(fake)
    finally:
        if saved is None:
            del sys.modules["torch"]
        else:
            sys.modules["torch"] = saved


def run_python(expr):
    try:
        value = eval(expr, python_namespace())  # noqa: S307 (the document's own expressions)
    except Exception as e:  # the row's subject
        return type(e).__name__, str(e)
    return "no exception", repr(value)


# ---- the machine -------------------------------------------------------------------


def no_gpu_skip():
    """Why the no-GPU rows cannot run here, or None. They run where the
    library's device check fails as the table's `device` row recorded it:
    TG_ERR_NO_DEVICE, with a message of the same kind (up to its first ':';
    no driver at all, or a driver without a GPU, say different things)."""
    if not ERROR_CASE:
        return "tests/error_case is not built: the device state is unknown"
    status, message = run_c([b"device"])
    recorded = [r for r in ROWS if r.front == "C" and r.no_gpu and r.input == "device"]
    assert recorded, "the table needs a C (no GPU) row `device`"
    if status != recorded[0].result:
        return f"this machine's device check says {status} {message}"
    if message.split(":")[0] != recorded[0].message.split(":")[0]:
        return f"recorded with '{recorded[0].message.split(':')[0]}'; this machine says: {message}"
    return None


NO_GPU_SKIP = no_gpu_skip()


def run_row(row):
    """(result, message) of a row, or pytest.skip."""
    if row.no_gpu and NO_GPU_SKIP:
        pytest.skip(f"a no-GPU row: {NO_GPU_SKIP}")
    if row.front == "C":
        if not ERROR_CASE:
            pytest.skip("tests/error_case is not built (TG_ERROR_CASE)")
        return run_c(shell_words(row.input))
    if row.front == "CLI":
        if not CLI:
            pytest.skip("the tilegemm command is not built (TG_BUILD_CLI=OFF)")
        return run_cli(shell_words(row.input))
    if TK is None:
        pytest.skip("tk_kernel is not built (TG_BUILD_PYTHON=OFF)")
    return run_python(row.input)


# ---- the tests ---------------------------------------------------------------------


def test_the_table():
    assert len(ROWS) >= MIN_ROWS, f"{len(ROWS)} rows; the table promises at least {MIN_ROWS}"
    numbers = [r.number for r in ROWS]
    dup = sorted({n for n in numbers if numbers.count(n) > 1})
    assert not dup, f"row numbers used twice: {dup}"
    seen = {}
    for r in ROWS:
        assert r.key() not in seen, f"#{r.number} repeats #{seen[r.key()]}: {r.front} {r.input}"
        seen[r.key()] = r.number
    for front in FRONT_ENDS:
        assert any(r.front == front for r in ROWS), f"no {front} rows"
        assert any(r.front == front and r.no_gpu for r in ROWS), f"no no-GPU {front} rows"
    for r in ROWS:
        assert r.message, f"{r.where}: an empty message"
        if r.front == "C":
            assert re.fullmatch(r"TG_ERR_[A-Z_]+ \(-\d+\)", r.result), f"{r.where}: {r.result}"
        elif r.front == "CLI":
            assert re.fullmatch(r"exit [1-9]\d*", r.result), f"{r.where}: {r.result}"
        else:
            assert re.fullmatch(r"[A-Z][A-Za-z]*Error", r.result), f"{r.where}: {r.result}"


@pytest.mark.parametrize("row", ROWS, ids=[f"{r.number}-{r.front}" for r in ROWS])
def test_row(row):
    result, message = run_row(row)
    assert (result, message) == (row.result, row.message), (
        f"{row.where}: {row.front} {row.input}\n"
        f"  table:  {row.result}: {row.message}\n"
        f"  actual: {result}: {message}")


# ---- as a script: the rows that differ, as table rows ----------------------------


def cell(text):
    return "`" + text.replace("|", "\\|") + "`"


def main():
    differ = 0
    for row in ROWS:
        try:
            result, message = run_row(row)
        except pytest.skip.Exception as e:
            print(f"skipped #{row.number}: {e}", file=sys.stderr)
            continue
        if (result, message) != (row.result, row.message):
            differ += 1
            front = row.front + (NO_GPU if row.no_gpu else "")
            print(f"| {row.number} | {front} | {cell(row.input)} | {cell(result)} | "
                  f"{cell(message)} |")
    print(f"{len(ROWS)} rows, {differ} differ", file=sys.stderr)
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
