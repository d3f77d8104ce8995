"""The static site's builder (lstm_course/site.py): what it vendors, prunes and writes. The built site itself is
opened in Chromium by tests/browser/test_site_pages.py."""

import json
import re
from pathlib import Path

import nbformat
import pytest

from lstm_course import site

ROOT = Path(__file__).resolve().parents[1]


def test_the_vendored_packages_are_pinned_exactly_and_locked():
    package = json.loads((ROOT / "site" / "package.json").read_text())
    lock = json.loads((ROOT / "site" / "package-lock.json").read_text())
    assert set(package["dependencies"]) == {"@jupyter-widgets/html-manager", "requirejs", "mathjax"}
    for name, version in package["dependencies"].items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), (name, version)        # no ^, ~ or ranges
        assert lock["packages"][f"node_modules/{name}"]["version"] == version
    assert package["dependencies"]["mathjax"].startswith("2.")                # nbconvert's templates configure MathJax 2


@pytest.mark.parametrize("path, kept", [
    ("MathJax.js", True), ("config/TeX-AMS_CHTML-full.js", True), ("config/TeX-AMS_SVG-full.js", False),
    ("extensions/MathMenu.js", True), ("extensions/a11y/explorer.js", False), ("extensions/TeX/AMSmath.js", True),
    ("jax/output/CommonHTML/fonts/TeX/fontdata.js", True), ("jax/output/SVG/jax.js", False),
    ("fonts/HTML-CSS/TeX/woff/MathJax_Main-Regular.woff", True), ("fonts/HTML-CSS/TeX/otf/MathJax_Main-Regular.otf", False),
    ("fonts/HTML-CSS/STIX-Web/woff/x.woff", False), ("unpacked/MathJax.js", False), ("localization/de/de.js", False),
])
def test_mathjax_is_pruned_to_tex_input_and_commonhtml_output(path, kept):
    assert site.keep(path, site.MATHJAX_KEEP) is kept
    config = site.MATHJAX_JS.split("config=")[1].split(",")
    assert all(site.keep(f"config/{c}.js", site.MATHJAX_KEEP) for c in config)   # every config the pages ask for


def test_copy_kept_copies_only_what_is_kept(tmp_path):
    src = tmp_path / "src"
    for rel in ("MathJax.js", "unpacked/MathJax.js", "jax/element/mml/jax.js"):
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_text("x" * 10)
    assert site.copy_kept(src, tmp_path / "dst", site.MATHJAX_KEEP) == 20
    assert sorted(p.relative_to(tmp_path / "dst").as_posix() for p in (tmp_path / "dst").rglob("*.js")) == \
        ["MathJax.js", "jax/element/mml/jax.js"]


def _small_notebook():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# 01 · A title\n\nMath $f_t = \\sigma(z)$, and [next](02_next_one.ipynb)."),
        nbformat.v4.new_code_cell("1 + 1", outputs=[nbformat.v4.new_output("execute_result", {"text/plain": "2"},
                                                                           execution_count=1)]),
    ])
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}, "version_major": 2,
                                                                              "version_minor": 0}}
    return nb


def test_a_page_loads_only_the_sites_own_scripts_and_says_how_to_get_a_kernel():
    page = site.page_html(_small_notebook(), "01_a_title.ipynb", '<a href="index.html">all notebooks</a>')
    sources = re.findall(r'<script[^>]+src="([^"]+)"', page)
    assert site.REQUIRE_JS in sources and site.MATHJAX_JS in sources
    assert all(not s.startswith(("http:", "https:", "//")) for s in sources), sources
    assert f"var widgetRendererSrc = '{site.WIDGETS_JS}'" in page
    assert 'href="02_next_one.html"' in page and ".ipynb\"" not in page
    note = page.split('class="course-note"', 1)[1].split("</div>", 1)[0]
    assert "live Python kernel" in note and "make lab" in note and "01_a_title.ipynb" in note
    assert page.index('class="course-note"') < page.index('<main>')     # above the notebook's cells


def test_the_index_lists_pages_in_the_order_given_and_titles_come_from_the_first_heading():
    assert site.title_of(_small_notebook()) == "01 · A title"
    pages = [site.Page("00_a.ipynb", "00_a.html", "00 · A", 1.0), site.Page("01_b.ipynb", "01_b.html", "01 · B & C", 2.0)]
    index = site.index_html(pages)
    assert re.findall(r'href="([^"]+)"', index) == ["00_a.html", "01_b.html"] and "B &amp; C" in index


def test_bad_arguments_are_named(tmp_path):
    with pytest.raises(TypeError, match="relpath must be a str"):
        site.keep(3, site.MATHJAX_KEEP)
    with pytest.raises(ValueError, match="only must name notebook numbers"):
        site.build(tmp_path / "out", only=["99"])


def test_a_failing_cell_is_named(tmp_path):
    nb = _small_notebook()
    nb.cells[1].outputs = [nbformat.v4.new_output("error", ename="AssertionError", evalue="", traceback=[])]
    assert site.errors_of(nb) == ["cell 1: AssertionError"]
    assert site.errors_of(_small_notebook()) == []
