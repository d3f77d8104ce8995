"""What a learner does in JupyterLab, as functions of a Playwright page."""

from __future__ import annotations

import base64
import time

NOTEBOOK = ".jp-NotebookPanel:visible"   # the notebook in front
KERNEL_IDLE = """() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
  return !!k && k.status === 'idle'; }"""
ALL_CELLS_RAN = """() => { const nb = window.jupyterapp.shell.currentWidget.node;
  const p = [...nb.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].map(e => e.textContent);
  return p.length > 0 && p.every(s => /\\[\\d+\\]/.test(s)); }"""
POLL_MS = 200   # wait_for_function's default polls on every animation frame: 60 evaluations and frames a second,
                # which for a minute-long Run All costs Chromium more CPU than the notebook's own drawing
BROKEN_WIDGET_TEXT = ("Loading widget...", "Error displaying widget", "model not found", "Failed to load model")


def notebook(page):
    """The notebook in front (JupyterLab keeps other tabs in the DOM, hidden)."""
    return page.locator(NOTEBOOK)


def open_notebook(page, lab, name: str) -> None:
    page.goto(lab.notebook_url(name))
    page.wait_for_selector(f"{NOTEBOOK} .jp-Cell", timeout=60_000)
    page.wait_for_function(KERNEL_IDLE, polling=POLL_MS, timeout=60_000)


def run_all_cells(page, timeout_s: float = 300) -> float:
    """Run All Cells, wait until every code cell has its number and the kernel is idle; returns seconds."""
    start = time.monotonic()
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(ALL_CELLS_RAN, polling=POLL_MS, timeout=timeout_s * 1000)
    page.wait_for_function(KERNEL_IDLE, polling=POLL_MS, timeout=timeout_s * 1000)
    return time.monotonic() - start


def error_outputs(page) -> list[str]:
    return notebook(page).locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]').all_inner_texts()


def broken_widget_texts(page) -> list[str]:
    """Placeholders left in outputs where a widget should be (markdown may mention them; outputs must not)."""
    text = "\n".join(notebook(page).locator(".jp-OutputArea-output").all_inner_texts())
    return [t for t in BROKEN_WIDGET_TEXT if t in text]


def image_bytes(page, img) -> bytes:
    """The bytes of an <img> as the browser holds them (its blob or data URL), once it has loaded."""
    b64 = img.evaluate("""async (el) => {
        if (!el.complete || el.naturalWidth === 0) await new Promise(r => el.addEventListener('load', r, {once: true}));
        const buf = new Uint8Array(await (await fetch(el.src)).arrayBuffer());
        let s = ''; for (let i = 0; i < buf.length; i += 8192) s += String.fromCharCode(...buf.subarray(i, i + 8192));
        return btoa(s); }""")
    return base64.b64decode(b64)


def slider_value(slider) -> float:
    """The value an ipywidgets slider shows in its read-out (the minus sign may be U+2212)."""
    return float(slider.locator(".widget-readout").inner_text().replace("\u2212", "-"))


def move_slider(page, slider, presses: int, key: str) -> None:
    """Move a slider with the keyboard, as a learner can: focus its handle, press arrow keys."""
    slider.locator(".noUi-handle").focus()
    for _ in range(presses):
        page.keyboard.press(key)


def output_signature(area) -> tuple:
    """What a widget output shows: its pictures' sources and its text (slider read-outs excluded)."""
    srcs = tuple(area.locator("img").evaluate_all("els => els.map(e => e.src)"))
    text = area.evaluate("el => { const c = el.cloneNode(true); c.querySelectorAll('.widget-slider').forEach(s => s.remove());"
                         " return c.innerText; }")
    return srcs, text


ARM_MOVE_TIMER = """([handle, img]) => { const before = img.src; let t0 = null;
  handle.addEventListener('keydown', () => { t0 = performance.now(); }, {once: true, capture: true});
  window.__lstmMove = new Promise(resolve => {
    const done = () => resolve(performance.now() - t0);
    const seen = new MutationObserver(() => { if (t0 === null || img.src === before) return; seen.disconnect();
      if (img.complete && img.naturalWidth > 0) done(); else img.addEventListener('load', done, {once: true}); });
    seen.observe(img, {attributes: true, attributeFilter: ['src']}); }); }"""


def key_to_figure_ms(page, slider, img, key: str, timeout_s: float = 60) -> float:
    """Milliseconds from a key press on a slider's handle to the panel's new figure loaded in the page.

    Measured in the page (performance.now at the keydown, then at the new
    image's load): the kernel's callback, the widget messages both ways and
    the browser's decoding of the PNG, as a learner waits for them.
    """
    handle = slider.locator(".noUi-handle")
    handle.focus()
    page.evaluate(ARM_MOVE_TIMER, [handle.element_handle(), img.element_handle()])
    page.keyboard.press(key)
    return page.evaluate(f"Promise.race([window.__lstmMove, new Promise((_, no) => setTimeout("
                         f"() => no(new Error('no new figure within {timeout_s} s')), {timeout_s * 1000}))])")


CLASSROOM_SCREEN = {"width": 1280, "height": 800}   # a common projector
SHRUNK_IMAGES = """() => { const nb = window.jupyterapp.shell.currentWidget.node;
  return [...nb.querySelectorAll('.jp-OutputArea-output img')].filter(e => e.getClientRects().length > 0)  // shown
    .filter(e => e.naturalWidth === 0 || e.getBoundingClientRect().width < e.naturalWidth - 0.5)
    .map(e => [e.naturalWidth, Math.round(e.getBoundingClientRect().width)]); }"""
TWO_FRAMES = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"   # a relayout drawn


def shrunk_figures(page) -> tuple[int, list]:
    """In the classroom layout TEACHING.md gives (a 1280-px-wide screen, file browser hidden, presentation mode):
    how many figures the notebook shows, and [natural width, shown width] of each shown one that the page shrinks
    (or that shows no picture). At its own size a figure's 11 pt text at 100 dpi is 11.5 pt on the screen.
    The page's size and JupyterLab's layout are put back afterwards."""
    size = page.viewport_size
    page.set_viewport_size(CLASSROOM_SCREEN)
    page.evaluate("window.jupyterapp.shell.collapseLeft()")
    page.evaluate("window.jupyterapp.commands.execute('application:toggle-presentation-mode')")
    try:
        page.wait_for_function("() => window.jupyterapp.shell.leftCollapsed && window.jupyterapp.shell.presentationMode")
        page.evaluate(TWO_FRAMES)
        total = notebook(page).locator(".jp-OutputArea-output img:visible").count()
        return total, page.evaluate(SHRUNK_IMAGES)
    finally:
        page.evaluate("window.jupyterapp.commands.execute('application:toggle-presentation-mode')")
        page.evaluate("window.jupyterapp.shell.expandLeft()")
        page.set_viewport_size(size)
