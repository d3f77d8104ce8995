"""The course as a static HTML site, readable without installing anything (``make site``).

``python -m lstm_course.site [--out build/site] [--only 00 01]`` executes each
notebook top to bottom in a fresh kernel (widget state saved, as nbclient
does), exports it with nbconvert's lab template, and writes:

- ``index.html``: the notebooks in course order, each with its title;
- one page per notebook, ``NN_name.html``: its figures, math typeset by
  MathJax, its widgets drawn from their saved state, links between notebooks
  pointing at the other pages, and a note that moving a slider needs a live
  kernel, with the command that gives one;
- ``static/``: every script the pages load, taken at build time from the npm
  packages pinned in ``site/package.json`` (``@jupyter-widgets/html-manager``,
  ``requirejs``, ``mathjax`` 2, which nbconvert's templates configure), MathJax
  pruned to what these pages use (``MATHJAX_KEEP``); the widget manager goes to
  ``@jupyter-widgets/`` (``WIDGETS_DIR``). No page loads anything
  from another site (tests/browser/test_site_pages.py opens every page).

Needs Node.js and npm for the vendoring step (``npm ci``), and the course's
environment for executing the notebooks.
"""

from __future__ import annotations

import argparse
import fnmatch
import html
import json
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
VENDOR = ROOT / "site"                   # package.json and package-lock.json: the pinned npm packages
OUT = ROOT / "build" / "site"
NPM_BUILD = ROOT / "build" / "site-npm"  # where npm ci installs them

REQUIRE_JS = "static/require.js"
# The widget manager's bundle defines AMD modules named "@jupyter-widgets/...": its icon fonts are asked for
# under @jupyter-widgets/ and @jupyter-widgets/html-manager/dist/ of the page's folder, so it lives there.
WIDGETS_DIR = "@jupyter-widgets/html-manager/dist"
WIDGETS_JS = f"{WIDGETS_DIR}/embed-amd.js"
MATHJAX_JS = "static/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe"
# MathJax 2 is 73 MB as npm ships it; these pages need its TeX input, the CommonHTML output with its woff
# fonts, and the extensions its combined configuration loads (menu, zoom, TeX packages).
MATHJAX_KEEP = (
    "MathJax.js", "config/TeX-AMS_CHTML-full.js", "config/Safe.js", "extensions/*.js", "extensions/TeX/**",
    "extensions/MathML/**", "jax/input/TeX/**", "jax/element/**", "jax/output/CommonHTML/**",
    "fonts/HTML-CSS/TeX/woff/**",
)
# the widget manager's own files: its AMD bundle and the icon fonts its CSS points at, in the formats browsers take
WIDGETS_KEEP = ("embed-amd.js", "*.woff2")   # browsers take woff2 before woff, ttf, eot, svg
WIDGET_FONTS = ("*.woff2",)
LIVE_NOTE = (
    "You are reading a static copy of this notebook: every figure and number on this page was computed when "
    "the page was built, and the sliders show the state they had then. Moving a slider here redraws nothing: "
    "that needs a live Python kernel. To get one, clone the course and run <code>make lab</code> (README, "
    "Quick start), then open <code>{name}</code>."
)


@dataclass(frozen=True)
class Page:
    """One notebook's page: file names, title, and how long executing it took."""

    notebook: str
    html: str
    title: str
    seconds: float
    errors: tuple[str, ...] = ()      # the cells that failed (only with allow_errors)


def keep(relpath: str, patterns: tuple[str, ...]) -> bool:
    """True if a file (path relative to its package, with /) matches one of ``patterns``: ``*`` stays in one
    folder, a pattern ending in ``/**`` takes everything below its folder."""
    if not isinstance(relpath, str):
        raise TypeError(f"relpath must be a str, got {type(relpath).__name__}")
    return any(relpath.startswith(p[:-2]) if p.endswith("/**") else
               fnmatch.fnmatchcase(relpath, p) and relpath.count("/") == p.count("/") for p in patterns)


def copy_kept(src: Path, dst: Path, patterns: tuple[str, ...]) -> int:
    """Copy the files of ``src`` that ``keep`` accepts to ``dst`` (same layout); returns how many bytes."""
    total = 0
    for path in sorted(p for p in src.rglob("*") if p.is_file()):
        rel = path.relative_to(src).as_posix()
        if keep(rel, patterns):
            (dst / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dst / rel)
            total += path.stat().st_size
    return total


def vendor(static: Path, npm_dir: Path = NPM_BUILD) -> dict[str, int]:
    """``npm ci`` the pinned packages (once per lock file), then copy what the pages load into ``static``
    (the widget manager into ``WIDGETS_DIR`` beside it, where its module names point)."""
    lock = (VENDOR / "package-lock.json").read_text(encoding="utf-8")
    if not (npm_dir / "node_modules").is_dir() or (npm_dir / "package-lock.json").read_text(encoding="utf-8") != lock:
        shutil.rmtree(npm_dir, ignore_errors=True)
        npm_dir.mkdir(parents=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copyfile(VENDOR / name, npm_dir / name)
        if shutil.which("npm") is None:
            raise RuntimeError("make site needs npm (Node.js) to take the pages' scripts from the npm registry")
        subprocess.run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=npm_dir, check=True)
    modules = npm_dir / "node_modules"
    static.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(modules / "requirejs" / "require.js", static / "require.js")
    return {"require.js": (static / "require.js").stat().st_size,
            "html-manager": copy_kept(dist := modules / "@jupyter-widgets" / "html-manager" / "dist",
                                      static.parent / WIDGETS_DIR, WIDGETS_KEEP)
            + copy_kept(dist, static.parent / "@jupyter-widgets", WIDGET_FONTS),
            "mathjax": copy_kept(modules / "mathjax", static / "mathjax", MATHJAX_KEEP)}


def execute(path: Path, timeout: int = 900, allow_errors: bool = False):
    """The notebook at ``path``, executed top to bottom in a fresh kernel in its folder, widget state kept.

    A cell that fails stops the build (``CellExecutionError``), unless ``allow_errors``: then every cell
    runs and the page shows the error where it happened."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=timeout, kernel_name="python3", store_widget_state=True, allow_errors=allow_errors,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return nb


def errors_of(nb) -> list[str]:
    """'cell k: ErrorName' for every error output of an executed notebook."""
    return [f"cell {k}: {o.get('ename')}" for k, c in enumerate(nb.cells) if c.cell_type == "code"
            for o in c.get("outputs", []) if o.get("output_type") == "error"]


def title_of(nb) -> str:
    """The notebook's title: its first heading, without the '#'."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            match = re.search(r"^#\s+(.+)$", cell.source, flags=re.M)
            if match:
                return match.group(1).strip()
    return "untitled"


def page_html(nb, name: str, nav: str) -> str:
    """One notebook as a page: nbconvert's lab template with the site's own scripts, the note, navigation."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab", require_js_url=REQUIRE_JS, mathjax_url=MATHJAX_JS,
                            widget_renderer_url=WIDGETS_JS)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": Path(name).stem}})
    body = re.sub(r'href="(\d\d_[a-z0-9_]+)\.ipynb(#[^"]*)?"', r'href="\1.html\2"', body)   # links between pages
    note = (f'<nav class="course-nav">{nav}</nav>'
            f'<div class="course-note" role="note">{LIVE_NOTE.format(name=html.escape(name))}</div>')
    style = ("<style>.course-nav,.course-note{max-width:1000px;margin:12px auto;padding:8px 16px;"
             "font-family:var(--jp-ui-font-family);font-size:14px}.course-note{background:#fff8e1;"
             "border-left:4px solid #f5a623}</style>")
    body = body.replace("</head>", style + "</head>", 1)
    return re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + note, body, count=1)


def index_html(pages: list[Page]) -> str:
    rows = "".join(f'<li><a href="{p.html}">{html.escape(p.title)}</a></li>' for p in pages)
    return ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>LSTM, gate by gate</title>"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1.0\">"
            "<style>body{font-family:system-ui,sans-serif;max-width:760px;margin:40px auto;padding:0 16px;"
            "line-height:1.5}li{margin:6px 0}</style></head><body><h1>LSTM, gate by gate</h1>"
            "<p>An interactive course on how an LSTM really works. These pages are the notebooks as they ran "
            "when this site was built: read them in order. The sliders need a live Python kernel: clone the "
            "course and run <code>make lab</code> (README, Quick start).</p>"
            f"<ol>{rows}</ol></body></html>\n")


def build(out: Path = OUT, only: list[str] | None = None, notebooks: Path = NOTEBOOKS,
          allow_errors: bool = False) -> list[Page]:
    """Execute the notebooks (those whose number is in ``only``, else all) and write the site into ``out``.
    ``allow_errors``: see ``execute``; the pages that hold an error are printed."""
    paths = sorted(notebooks.glob("*.ipynb"))
    if only:
        paths = [p for p in paths if p.name[:2] in only]
        if not paths:
            raise ValueError(f"only must name notebook numbers such as ['00', '01'], got {only!r}")
    if out.exists():
        shutil.rmtree(out)
    sizes = vendor(out / "static")
    print("vendored: " + ", ".join(f"{k} {v / 1e6:.1f} MB" for k, v in sizes.items()), flush=True)
    executed = []
    for path in paths:
        start = time.perf_counter()
        nb = execute(path, allow_errors=allow_errors)
        seconds = time.perf_counter() - start
        executed.append((path, nb, seconds))
        errors = errors_of(nb)
        print(f"executed {path.name} in {seconds:.0f} s" + (f"; ERRORS: {', '.join(errors)}" if errors else ""),
              flush=True)
    pages = [Page(p.name, p.stem + ".html", title_of(nb), s, tuple(errors_of(nb))) for p, nb, s in executed]
    for k, (path, nb, _) in enumerate(executed):
        links = ['<a href="index.html">all notebooks</a>']
        if k > 0:
            links.insert(0, f'<a href="{pages[k - 1].html}">← {html.escape(pages[k - 1].title)}</a>')
        if k + 1 < len(pages):
            links.append(f'<a href="{pages[k + 1].html}">{html.escape(pages[k + 1].title)} →</a>')
        (out / pages[k].html).write_text(page_html(nb, path.name, " · ".join(links)), encoding="utf-8")
    (out / "index.html").write_text(index_html(pages), encoding="utf-8")
    (out / "pages.json").write_text(json.dumps([p.__dict__ for p in pages], indent=1) + "\n", encoding="utf-8")
    return pages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lstm_course.site", description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"the site's folder (default {OUT.relative_to(ROOT)})")
    parser.add_argument("--only", nargs="+", metavar="NN", help="only these notebooks, by number (a quick build)")
    parser.add_argument("--allow-errors", action="store_true",
                        help="go on past a failing cell, showing the error on its page (the exit status is then 1)")
    args = parser.parse_args(argv)
    from .torchkit import cpu_model

    start = time.perf_counter()
    pages = build(args.out, args.only, allow_errors=args.allow_errors)
    size = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file())
    print(f"site: {len(pages)} notebook pages and index.html in {args.out}, {size / 1e6:.1f} MB; "
          f"executed in {sum(p.seconds for p in pages):.0f} s ({time.perf_counter() - start:.0f} s in all) "
          f"on {cpu_model()}")
    failed = [p.notebook for p in pages if p.errors]
    if failed:
        print(f"cells failed in {', '.join(failed)}: the site shows their errors", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
