"""After Run All, every section of every notebook re-runs on its own.

A teacher scrolls back and re-runs a section: it must work whatever ran
after it. Each notebook is executed top to bottom in one kernel (started with
the repository on PYTHONPATH, so it imports this checkout's package), then
the code cells of each section are executed again, last section first: so
every section re-runs on the state Run All left, with all the later sections
already run (the case that breaks when a later cell rebinds a name, such as
``c_t``, that an earlier section relies on). A section starts at a markdown
cell whose first line starts with "## "; the cells before the first one (the
imports) are not a section. A failure names the section and the error.

Notebooks whose run and re-run cost more than 20 s each (04 and 07 train
models: about a minute each with their re-runs) are marked ``slow_sections`` and left out of the
default run, which they made 61 s longer (290 s -> 350 s for
``pytest -n 2 --dist loadscope -m "not browser"``, on a loaded 2-core CPU);
they run in CI (``make test BROWSER=1`` selects every test) or with ``-m slow_sections``.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
# Their run plus re-run costs more than 20 s each on a 2-core CPU (they train models): see the docstring.
SLOW = {"04_vanishing_gradients_rnn_vs_lstm", "07_noisy_sine_forecasting", "08_lstm_variants_measured"}


def sections(nb) -> list[tuple[str, list[int]]]:
    """(heading, indices of its code cells) for each section of ``nb``, in order."""
    found: list[tuple[str, list[int]]] = []
    for k, cell in enumerate(nb.cells):
        first = cell.source.lstrip("\n").split("\n", 1)[0]
        if cell.cell_type == "markdown" and first.startswith("## "):
            found.append((first[3:].strip(), []))
        elif cell.cell_type == "code" and found:
            found[-1][1].append(k)
    return found


def test_sections_are_found_by_their_heading():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("import x"),
        nbformat.v4.new_markdown_cell("## 1. One\ntext"),
        nbformat.v4.new_code_cell("a = 1"),
        nbformat.v4.new_markdown_cell("### a sub-heading stays in section 1"),
        nbformat.v4.new_code_cell("b = a"),
        nbformat.v4.new_markdown_cell("text\n## not a heading: not the first line"),
        nbformat.v4.new_markdown_cell("## Summary"),
    ])
    assert sections(nb) == [("1. One", [2, 4]), ("Summary", [])]


def _kernel_env() -> dict[str, str]:
    paths = [str(ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}


def _reruns_every_section(path: Path, request) -> None:
    markexpr = request.config.getoption("markexpr", "")
    if path.stem in SLOW and markexpr and "slow_sections" not in markexpr:
        pytest.skip("re-runs a notebook that trains models: CI runs it (make test BROWSER=1, no -m); "
                    "select it here with -m slow_sections")
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    failures = []
    with client.setup_kernel(env=_kernel_env()):
        start = time.perf_counter()
        for k, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                try:
                    client.execute_cell(cell, k)
                except CellExecutionError as err:
                    pytest.fail(f"{path.name}: Run All fails at cell {k}: {err.ename}: {err.evalue}")
        run_all = time.perf_counter() - start
        for heading, cells in reversed(sections(nb)):
            for k in cells:
                try:
                    client.execute_cell(nb.cells[k], k)
                except CellExecutionError as err:
                    failures.insert(0, f"section {heading!r} (cell {k}): {err.ename}: {err.evalue}")
                    break
        rerun = time.perf_counter() - start - run_all
    print(f"{path.name}: Run All {run_all:.1f} s, sections re-run {rerun:.1f} s")
    assert not failures, f"{path.name}, after Run All, re-running a section fails:\n" + "\n".join(failures)


def _sections_test_class(path: Path) -> type:
    """One test class per notebook: pytest-xdist's ``--dist loadscope`` sends each class to a free worker,
    so the notebooks' re-runs spread over the workers instead of queueing on one (they are the longest tests)."""
    def test_every_section_reruns_after_run_all(self, request):
        _reruns_every_section(path, request)

    if path.stem in SLOW:
        test_every_section_reruns_after_run_all = pytest.mark.slow_sections(test_every_section_reruns_after_run_all)
    return type(f"TestSections_{path.stem}", (), {"test_every_section_reruns_after_run_all":
                                                  test_every_section_reruns_after_run_all})


for _path in NOTEBOOKS:
    _cls = _sections_test_class(_path)
    globals()[_cls.__name__] = _cls
