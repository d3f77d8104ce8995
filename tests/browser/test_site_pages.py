"""The static site of `make site`, opened page by page in Chromium, as a reader without an installation gets it.

Every page: no request fails, no request leaves the site (its scripts, fonts and
math are served from it), every widget saved in the page is drawn, every formula is
typeset by MathJax, and the note says how to get a live kernel. The figures
(requests, widgets, math nodes) of each page go to test-artifacts/browser/site/<page>.json.
`make test BROWSER=1` builds the site first when it is stale; SITE_DIR points the
test at another build.
"""

from __future__ import annotations

import functools
import json
import os
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import ARTIFACTS, ROOT

SITE = Path(os.environ.get("SITE_DIR", ROOT / "build" / "site"))
NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def site_url():
    if not (SITE / "index.html").exists():
        pytest.fail(f"no site at {SITE}: build it with `make site` (make test BROWSER=1 does it when stale)")
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(SITE)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def open_recorded(page, url: str) -> dict[str, list]:
    """Open ``url``, recording every request, every failed one and every HTTP error."""
    seen = {"requests": [], "failed": [], "errors": []}
    page.on("request", lambda r: seen["requests"].append(r.url))
    page.on("requestfailed", lambda r: seen["failed"].append(f"{r.url} ({r.failure})"))
    page.on("response", lambda r: seen["errors"].append(f"{r.url} ({r.status})") if r.status >= 400 else None)
    page.goto(url, wait_until="load")
    return seen


def test_the_index_lists_every_notebook_in_course_order(page, site_url):
    seen = open_recorded(page, site_url + "/index.html")
    links = page.locator("ol a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert links == [n.replace(".ipynb", ".html") for n in NOTEBOOKS]
    assert not seen["failed"] and not seen["errors"]


def _page_renders_offline(page, site_url, notebook):
    name = notebook.replace(".ipynb", ".html")
    seen = open_recorded(page, f"{site_url}/{name}")
    views = page.locator('script[type="application/vnd.jupyter.widget-view+json"]').count()
    # the widget manager puts each saved view into a div.widget-subarea just before its script tag
    page.wait_for_function("n => document.querySelectorAll('.widget-subarea > .jupyter-widgets').length >= n",
                           arg=views, timeout=60_000)
    page.wait_for_function("() => window.MathJax && MathJax.Hub && MathJax.Hub.queue.pending === 0 "
                           "&& MathJax.Hub.queue.running === 0", timeout=60_000)
    page.wait_for_load_state("networkidle")
    drawn = page.locator(".widget-subarea > .jupyter-widgets").count()
    images = page.locator(".widget-subarea img").evaluate_all("els => els.filter(e => e.naturalWidth > 0).length")
    math = page.locator(".MathJax_CHTML").count()
    math_errors = page.locator(".noError, .MathJax_Error, .mjx-merror").count()
    untypeset = page.locator(".jp-RenderedMarkdown").evaluate_all(
        "els => els.filter(e => /\\$\\$|\\\\frac|\\\\odot/.test(e.innerText)).length")
    figures = {"requests": len(seen["requests"]), "widget views": views, "drawn": drawn,
               "widget images": images, "math nodes": math}
    (ARTIFACTS / "site").mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "site" / f"{name}.json").write_text(json.dumps(figures) + "\n")

    assert not seen["failed"] and not seen["errors"], seen["failed"] + seen["errors"]
    outside = [u for u in seen["requests"] if not u.startswith((site_url + "/", "data:", "blob:", "about:"))]
    assert not outside, outside                          # nothing loaded from another site
    assert drawn == views, (drawn, views)                # every saved widget view drawn
    assert math > 0 and math_errors == 0 and untypeset == 0, (math, math_errors, untypeset)
    note = page.locator(".course-note").inner_text()
    assert "live Python kernel" in note and "make lab" in note and notebook in note
    if notebook.startswith("01"):
        assert views >= 3 and images >= 3                # the three panels of notebook 01 show their pictures


def _page_test_class(notebook: str) -> type:
    """One class per page: --dist loadscope sends each class to a free worker, so the pages spread over both
    workers (a module of parametrized tests would run whole on one, after the notebooks)."""
    def test_page_renders_offline(self, page, site_url):
        _page_renders_offline(page, site_url, notebook)

    return type(f"TestPage_{notebook[:-6]}", (), {"test_page_renders_offline": test_page_renders_offline})


for _notebook in NOTEBOOKS:
    _cls = _page_test_class(_notebook)
    globals()[_cls.__name__] = _cls
