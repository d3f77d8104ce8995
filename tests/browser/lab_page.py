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
BROKEN_WIDGET_TEXT = ("Loading widget...", "Error displaying widget", "model not found", "Failed to load model")


def notebook(page):
    """The notebook in front (JupyterLab keeps other tabs in the DOM, hidden)."""
    return page.locator(NOTEBOOK)


def open_notebook(page, lab, name: str) -> None:
    page.goto(lab.notebook_url(name))
    page.wait_for_selector(f"{NOTEBOOK} .jp-Cell", timeout=60_000)
    page.wait_for_function(KERNEL_IDLE, timeout=60_000)


def run_all_cells(page, timeout_s: float = 300) -> float:
    """Run All Cells, wait until every code cell has its number and the kernel is idle; returns seconds."""
    start = time.monotonic()
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(ALL_CELLS_RAN, timeout=timeout_s * 1000)
    page.wait_for_function(KERNEL_IDLE, timeout=timeout_s * 1000)
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
