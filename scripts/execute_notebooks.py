"""Re-execute the notebooks in notebooks/ and save them with their outputs (what the repository commits).

    .venv/bin/python scripts/execute_notebooks.py                      # every notebook, full settings
    .venv/bin/python scripts/execute_notebooks.py 03_xor.ipynb --quick # one notebook, quick settings

Each notebook runs in a fresh `python3` kernel (this interpreter's, so the installed tinygrad_act),
with a temporary working directory (anything a notebook writes lands there, not in the repository),
one BLAS thread, and $TINYGRAD_ACT_DATA defaulting to ../shared/data when that folder holds MNIST.
Full settings take about a minute per notebook; `--quick` sets TINYGRAD_ACT_QUICK=1, as the tests do.
Cell timing metadata is not recorded, so re-running changes only what the code prints and draws.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
SHARED_DATA = ROOT.parent / "shared" / "data"
ONE_THREAD = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def execute(path: Path, quick: bool = False, timeout: int = 600) -> nbformat.NotebookNode:
    """Run every cell of the notebook at `path` in a fresh kernel and return it with its outputs.

    Raises nbclient's CellExecutionError (naming the cell and the traceback) when a cell fails.
    """
    notebook = nbformat.read(path, as_version=4)
    saved = {name: os.environ.get(name) for name in ("TINYGRAD_ACT_QUICK", "TINYGRAD_ACT_DATA", *ONE_THREAD)}
    os.environ["TINYGRAD_ACT_QUICK"] = "1" if quick else "0"
    if "TINYGRAD_ACT_DATA" not in os.environ and (SHARED_DATA / "mnist").is_dir():
        os.environ["TINYGRAD_ACT_DATA"] = str(SHARED_DATA)
    for name in ONE_THREAD:  # small matmuls run faster on one thread than on two contending cores
        os.environ[name] = "1"
    try:  # the kernel inherits this process's environment
        with tempfile.TemporaryDirectory(prefix="notebook_") as workdir:
            client = NotebookClient(notebook, timeout=timeout, kernel_name="python3", record_timing=False,
                                    resources={"metadata": {"path": workdir}})
            client.execute()
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return notebook


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to run (default: every notebooks/*.ipynb); a bare name is looked up in notebooks/")
    parser.add_argument("--quick", action="store_true", help="small settings (TINYGRAD_ACT_QUICK=1), as in the tests")
    parser.add_argument("--timeout", type=int, default=600, help="seconds allowed per cell (default 600)")
    args = parser.parse_args(argv)
    paths = [path if path.exists() else NOTEBOOKS / path for path in args.notebooks] or sorted(
        NOTEBOOKS.glob("*.ipynb"))
    for path in paths:
        start = time.perf_counter()
        notebook = execute(path, quick=args.quick, timeout=args.timeout)
        nbformat.validate(notebook)
        nbformat.write(notebook, path)
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: "
              f"{time.perf_counter() - start:.1f} s, {path.stat().st_size / 1024:.0f} KiB", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
