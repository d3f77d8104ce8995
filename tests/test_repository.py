"""The repository keeps its promises: pinned requirements, the two README commands, notebook structure."""

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def requirement_lines(name: str = "requirements.txt"):
    lines = (l.split("#", 1)[0].strip() for l in (ROOT / name).read_text().splitlines())
    return [l for l in lines if l]


def test_environment_yml_installs_the_same_set_as_requirements():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_sections = [d["pip"] for d in env["dependencies"] if isinstance(d, dict)]
    assert len(pip_sections) == 1
    assert pip_sections[0] == requirement_lines()
    assert "pip" in env["dependencies"]


def test_requirements_are_bounded_and_torch_is_pinned():
    lines = requirement_lines()
    assert "torch==2.13.0" in lines
    for name in ("jupyterlab", "torch", "numpy", "matplotlib", "ipywidgets"):
        assert any(re.match(rf"{name}\b", l) for l in lines), name
    dev = requirement_lines("requirements-dev.txt")
    assert dev[0] == "-r requirements.txt"          # the test tools come on top of the course's own packages
    for name in ("pytest", "nbval", "playwright", "ruff", "hypothesis", "nbstripout"):
        assert any(re.match(rf"{name}\b", l) for l in dev) and not any(re.match(rf"{name}\b", l) for l in lines), name
    for line in lines + dev[1:]:
        assert "==" in line or "<" in line, f"unbounded requirement: {line}"


def test_make_lab_installs_the_course_and_make_test_adds_the_test_tools():
    makefile = (ROOT / "Makefile").read_text()
    torch = r"( \$\(if \$\(TORCH\),torch\))?"     # make lab TORCH=cpu|cuda re-chooses torch (tests/test_install.py)
    lang = r"( \$\(if \$\(LAB_LANG\),lab-language\))?"   # make lab LAB_LANG=zh_CN (tests/test_environment.py)
    assert re.search(rf"^lab: \$\(STAMP\){torch}{lang}$", makefile, flags=re.M)
    site = r"( \$\(if \$\(BROWSER\),site\))?"       # make test BROWSER=1 builds the static site when stale
    assert re.search(rf"^test: \$\(DEV_STAMP\){torch}{site}$", makefile, flags=re.M)
    assert re.search(r"^\$\(STAMP\):.*requirements\.txt", makefile, flags=re.M)
    assert re.search(r"^\$\(DEV_STAMP\): requirements-dev\.txt \$\(STAMP\)$", makefile, flags=re.M)
    assert "pip install -r requirements-dev.txt" in makefile


def test_readme_quick_start_has_the_two_make_commands():
    readme = (ROOT / "README.md").read_text()
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^make \w+$", quick, flags=re.M)
    assert commands == ["make lab", "make test"]
    makefile = (ROOT / "Makefile").read_text()
    for target in ("lab", "test", "check-clean"):
        assert re.search(rf"^{target}:", makefile, flags=re.M), target


def test_ci_runs_only_what_the_readme_documents():
    steps = [l for l in (ROOT / ".ci" / "run").read_text().splitlines() if l and not l.startswith(("#", "set ", "cd "))]
    assert steps[1:] == ["make check-clean", "make test BROWSER=1"]
    assert "apt-get install" in steps[0] and "chromium" in steps[0]
    readme = (ROOT / "README.md").read_text()
    assert all(s in readme for s in steps[1:]) and "apt-get install chromium" in readme


def test_readme_lists_every_notebook_in_order():
    readme = (ROOT / "README.md").read_text()
    listed = re.findall(r"\[(\d\d_[\w]+\.ipynb)\]", readme)
    assert sorted(set(listed)) == [p.name for p in NOTEBOOKS]


def test_notebook_00_lists_every_other_notebook_in_order():
    first = nbformat.read(ROOT / "notebooks" / "00_start_here.ipynb", as_version=4).cells[0].source
    listed = re.findall(r"\]\((\d\d_[\w]+\.ipynb)\)", first)
    assert listed == [p.name for p in NOTEBOOKS if not p.name.startswith("00_")]


def test_every_section_heading_starts_its_own_cell():
    """A "## " heading opens a markdown cell: the section re-run test, and a teacher, find sections by it."""
    for path in NOTEBOOKS:
        for k, cell in enumerate(nbformat.read(path, as_version=4).cells):
            if cell.cell_type == "markdown":
                outside_code = re.sub(r"```.*?```", "", cell.source, flags=re.S)
                late = [line for line in outside_code.splitlines()[1:] if line.startswith("## ")]
                assert not late, f"{path.name} cell {k}: heading {late[0]!r} inside a cell; split the cell there"


def test_notebooks_are_numbered_and_structured():
    numbers = [p.name[:2] for p in NOTEBOOKS]
    assert numbers[:2] == ["00", "01"] and len(set(numbers)) == len(numbers)
    assert all(re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", p.name) for p in NOTEBOOKS)
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
        first = nb.cells[0].source
        assert first.startswith(f"# {path.name[:2]} ·"), path.name
        for heading in ("What you will learn", "Prerequisites", "## Summary"):
            assert heading in text, (path.name, heading)
        assert any("assert " in c.source for c in nb.cells if c.cell_type == "code"), path.name
        assert "sys.path" not in "".join(c.source for c in nb.cells), path.name


def _make_recipe(target: str) -> list[str]:
    makefile = (ROOT / "Makefile").read_text()
    return re.search(rf"^{target}:.*\n((?:\t.*\n)+)", makefile, flags=re.M).group(1).strip().splitlines()


def _extra_keys() -> list[str]:
    """The Makefile's NB_EXTRA_KEYS: the language_info details a run adds, stripped like the outputs."""
    makefile = (ROOT / "Makefile").read_text()
    return re.search(r"^NB_EXTRA_KEYS := (.+)$", makefile, flags=re.M).group(1).split()


def _executed_looking_copy(folder: Path) -> tuple[Path, list[str]]:
    """Notebook 00 as a run leaves it: outputs, an execution count, widget state, a cell's run metadata."""
    nb = nbformat.read(NOTEBOOKS[0], as_version=4)
    ids = [c.id for c in nb.cells]
    code = next(c for c in nb.cells if c.cell_type == "code")
    code.execution_count = 3
    code.outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "2"}, execution_count=3)]
    code.metadata["execution"] = {"iopub.status.busy": "2026-12-04T14:00:00.000000Z"}
    nb.metadata["language_info"] = {"codemirror_mode": {"name": "ipython", "version": 3}, "file_extension": ".py",
                                    "mimetype": "text/x-python", "name": "python", "nbconvert_exporter": "python",
                                    "pygments_lexer": "ipython3", "version": "3.11.7"}    # what a kernel writes
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}, "version_major": 2,
                                                                              "version_minor": 0}}
    path = folder / NOTEBOOKS[0].name
    nbformat.write(nb, path)
    return path, ids


def test_make_check_clean_and_strip_are_nbstripout_keeping_cell_ids(tmp_path):
    """make check-clean accepts the committed notebooks and refuses a run one; make strip cleans it, ids kept."""
    pytest.importorskip("nbstripout", reason="nbstripout is a test tool: pip install -r requirements-dev.txt")
    assert _make_recipe("check-clean") == ["$(NBSTRIPOUT) --verify notebooks/*.ipynb"]
    assert _make_recipe("strip") == ["$(NBSTRIPOUT) notebooks/*.ipynb"]
    makefile = (ROOT / "Makefile").read_text()
    assert 'NBSTRIPOUT = $(BIN)/nbstripout --keep-id --extra-keys "$(NB_EXTRA_KEYS)"' in makefile
    nbstripout = [sys.executable, "-m", "nbstripout", "--keep-id", "--extra-keys", " ".join(_extra_keys())]
    committed = subprocess.run(nbstripout + ["--verify"] + [str(p) for p in NOTEBOOKS], capture_output=True, text=True)
    assert committed.returncode == 0, committed.stdout + committed.stderr
    path, ids = _executed_looking_copy(tmp_path)
    dirty = subprocess.run(nbstripout + ["--verify", str(path)], capture_output=True, text=True)
    assert dirty.returncode == 1 and "would have stripped" in dirty.stdout
    subprocess.run(nbstripout + [str(path)], check=True)
    stripped = nbformat.read(path, as_version=4)
    assert [c.id for c in stripped.cells] == ids and "widgets" not in stripped.metadata
    assert all(not c.get("outputs") and c.execution_count is None and "execution" not in c.metadata
               for c in stripped.cells if c.cell_type == "code")
    assert path.read_text() == NOTEBOOKS[0].read_text()          # exactly the committed file again


def test_the_optional_git_filter_in_the_readme_commits_clean_notebooks(tmp_path):
    """README's git filter: `git add` of a run notebook stores it clean, cell ids kept."""
    pytest.importorskip("nbstripout", reason="nbstripout is a test tool: pip install -r requirements-dev.txt")
    readme = (ROOT / "README.md").read_text()
    config = re.search(r"^\s*git config filter\.nbstripout\.clean '(.+)'$", readme, flags=re.M)
    assert config and config.group(1) == ".venv/bin/python -m nbstripout --keep-id"
    assert "*.ipynb filter=nbstripout" in readme

    def git(*args):
        return subprocess.run(["git", "-C", str(tmp_path), *args], check=True, capture_output=True, text=True).stdout

    git("init", "-q")
    git("config", "filter.nbstripout.clean", f"{sys.executable} -m nbstripout --keep-id")
    keys = re.search(r"^\s*git config filter\.nbstripout\.extrakeys '(.+)'$", readme, flags=re.M)
    assert keys and keys.group(1).split() == _extra_keys()
    git("config", "filter.nbstripout.extrakeys", keys.group(1))
    git("config", "filter.nbstripout.smudge", "cat")
    (tmp_path / ".git" / "info" / "attributes").write_text("*.ipynb filter=nbstripout\n")
    path, _ = _executed_looking_copy(tmp_path)
    git("add", path.name)
    assert git("show", f":{path.name}") == NOTEBOOKS[0].read_text()


def test_package_is_installed_not_path_hacked():
    spec = importlib.util.find_spec("lstm_course")
    assert spec is not None and Path(spec.origin).parent == ROOT / "lstm_course"


def test_make_test_runs_ruff_before_the_tests():
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^test:.*\n((?:\t.*\n)+)", makefile, flags=re.M).group(1).splitlines()
    assert re.fullmatch(r"\t\$\(BIN\)/ruff check lstm_course tests benchmarks notebooks", recipe[0]), recipe
    assert "pytest" in recipe[-1]
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert re.search(r'^\[tool\.ruff\.lint\][^[]*?^select = \[[^]]*"F"', pyproject, flags=re.M)
    assert any(re.match(r"ruff\b", l) for l in requirement_lines("requirements-dev.txt"))
    assert any(re.match(r"hypothesis\b", l) for l in requirement_lines("requirements-dev.txt"))


def test_every_package_folder_is_found_by_the_build():
    """A folder without __init__.py is skipped by setuptools' find, and a non-editable install would lack it."""
    from setuptools import find_packages

    found = set(find_packages(ROOT, include=["lstm_course*"]))
    folders = {str(p.parent.relative_to(ROOT)).replace("/", ".") for p in (ROOT / "lstm_course").rglob("*.py")
               if "__pycache__" not in p.parts}
    assert folders == found


def _imported_modules(path: Path, module_level_only: bool = False) -> set[str]:
    """Every module a file imports (relative imports resolved inside lstm_course)."""
    import ast

    tree = ast.parse(path.read_text())
    names = set()
    for node in (tree.body if module_level_only else ast.walk(tree)):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                names.add(node.module)
            else:
                package = path.parent.relative_to(ROOT).parts[: len(path.parent.relative_to(ROOT).parts) - node.level + 1]
                names.add(".".join(package + ((node.module,) if node.module else ())))
    return names


def test_the_subject_imports_numpy_only():
    """README "Where code lives": lstm_course/lstm/ may import NumPy, the standard library and validate; nothing else."""
    allowed_packages = ("numpy", "lstm_course.lstm", "lstm_course.validate")
    for path in sorted((ROOT / "lstm_course" / "lstm").glob("*.py")):
        for name in _imported_modules(path):
            top = name.split(".")[0]
            ok = name.startswith(allowed_packages) or top in sys.stdlib_module_names
            assert ok, f"{path.relative_to(ROOT)} imports {name}: lstm/ may import only NumPy, the standard library and validate"


def test_validate_imports_numpy_only():
    """validate's torch checks import torch when called, so importing validate (as lstm/ does) pulls in NumPy only."""
    for name in _imported_modules(ROOT / "lstm_course" / "validate.py", module_level_only=True):
        assert name.split(".")[0] in sys.stdlib_module_names | {"numpy"}, name


def test_every_data_file_of_the_package_is_declared_for_the_build():
    """A non-editable install carries only the .py files unless pyproject.toml's package-data names the rest (the font)."""
    import fnmatch
    import tomllib

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"].get("package-data", {})
    for path in (ROOT / "lstm_course").rglob("*"):
        if path.is_dir() or path.suffix in (".py", ".pyc") or "__pycache__" in path.parts:
            continue
        package = str(path.parent.relative_to(ROOT)).replace("/", ".")
        assert any(fnmatch.fnmatch(path.name, g) for g in declared.get(package, [])), \
            f"{path.relative_to(ROOT)} is not in [tool.setuptools.package-data] {package!r}"


def test_no_figure_text_below_11_pt_in_the_notebooks_or_the_package():
    """Projector legibility: a literal font size under MIN_FONT_PT (11 pt) anywhere in a notebook or the package is
    refused, and every notebook that draws with pyplot gives its figures the course style in its setup cell."""
    from lstm_course.classroom.views import MIN_FONT_PT

    sources = {p.name: p.read_text() for p in (ROOT / "lstm_course").rglob("*.py")}
    for path in NOTEBOOKS:
        sources[path.name] = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
    small = [(name, m.group(0)) for name, text in sources.items()
             for m in re.finditer(r"\b(?:fontsize|labelsize)\s*=\s*(\d+(?:\.\d+)?)\b", text) if float(m.group(1)) < MIN_FONT_PT]
    assert not small, small
    for path in NOTEBOOKS:
        code = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
        if any("plt." in c for c in code):
            assert "\nplots.use_course_style()" in code[0], f"{path.name}: its setup cell must call plots.use_course_style()"


def test_teaching_notes_cover_every_notebook_and_the_readme_points_to_them():
    teaching = (ROOT / "TEACHING.md").read_text()
    rows = re.findall(r"^\| (\d\d) [^|]+\| [^|]+\| [^|]+\| [^|]+\|$", teaching, flags=re.M)
    assert rows == [p.name[:2] for p in NOTEBOOKS]           # one row per notebook, in course order, four columns
    assert "application:toggle-presentation-mode" in teaching and "rise issues #119 and #126" in teaching
    assert "make lab LAB_LANG=zh_CN" in teaching
    readme = (ROOT / "README.md").read_text()
    assert "## For teachers" in readme and "(TEACHING.md)" in readme.split("## For teachers", 1)[1].split("\n## ")[0]


def test_binder_installs_requirements_with_the_cpu_build_and_does_what_make_lab_does():
    """.binder/ (repo2docker) stays requirements.txt with torch's CPU build, and its postBuild is make's set-up."""
    binder = requirement_lines(".binder/requirements.txt")
    assert binder[0] == "--extra-index-url https://download.pytorch.org/whl/cpu"
    pin = next(l for l in requirement_lines() if l.startswith("torch=="))
    assert binder[1:] == [pin + "+cpu" if l == pin else l for l in requirement_lines()]
    post = (ROOT / ".binder" / "postBuild")
    steps = [l for l in post.read_text().splitlines() if l and not l.startswith(("#", "set "))]
    assert post.stat().st_mode & 0o111 and post.read_text().startswith("#!/bin/bash")
    makefile = (ROOT / "Makefile").read_text()
    for step in steps:
        assert f"$(BIN)/python -m {step.removeprefix('python -m ')}" in makefile or \
            f"$(BIN)/python -m {step}" in makefile, step
    assert (ROOT / ".binder" / "runtime.txt").read_text().strip() == "python-3.11"
    readme = (ROOT / "README.md").read_text()
    assert "mybinder.org" in readme and "googlecolab/colabtools#4525" in readme
