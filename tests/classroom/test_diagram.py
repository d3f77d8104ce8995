"""The cell diagram draws what the cell computes: its c_t and h_t come from cell_from_gates, not from a copy."""

import re

import numpy as np
import pytest
from matplotlib.figure import Figure

from lstm_course.classroom import diagram, panels
from lstm_course.lstm import cell
from lstm_course.lstm.cell import cell_from_gates

SETTINGS = [  # (i_t, f_t, g_t, o_t, c_prev), torch's gate order
    (0.05, 0.95, 0.7, 0.1, 1.5), (0.95, 0.05, -0.8, 0.9, 1.5), (0.5, 0.5, 0.5, 0.5, -2.0),
    (1.0, 0.0, -1.0, 1.0, 3.0), (0.3, 0.8, 0.2, 0.6, -0.4),
]


def drawn_state(ax) -> dict[str, float]:
    """The c_{t-1}, c_t and h_t printed on the drawing, read back from its text labels."""
    found = {}
    for text in ax.texts:
        m = re.fullmatch(r"\$(c_\{t-1\}|c_t|h_t)\$\n([+-]\d+\.\d+)", text.get_text())
        if m:
            found[m.group(1)] = float(m.group(2))
    assert set(found) == {"c_{t-1}", "c_t", "h_t"}, found
    return found


@pytest.mark.parametrize("gates", SETTINGS)
def test_the_drawing_shows_what_cell_from_gates_computes(gates):
    ax = Figure().add_subplot()
    c_t, h_t = diagram.draw_cell(ax, *gates)
    ref_c, ref_h = cell_from_gates(*gates)
    assert (c_t, h_t) == (float(ref_c), float(ref_h))
    shown = drawn_state(ax)
    assert shown["c_t"] == round(float(ref_c), 2) and shown["h_t"] == round(float(ref_h), 2)
    assert shown["c_{t-1}"] == round(gates[4], 2)


def test_a_wrong_cell_would_be_drawn_so_the_drawing_has_no_copy(monkeypatch):
    """Replace the cell's equations by wrong ones: the drawing must follow (it keeps no private copy).

    This is the mutation that went unnoticed before: a copy of c_t = f c + i g inside diagram.py.
    """
    def wrong(i_t, f_t, g_t, o_t, c_prev):
        return np.asarray(f_t * c_prev - i_t * g_t), np.asarray(-o_t)   # a minus sign, and no tanh

    gates = (0.95, 0.05, -0.8, 0.9, 1.5)
    right = diagram.draw_cell(Figure().add_subplot(), *gates)
    monkeypatch.setattr(cell, "cell_from_gates", wrong)
    ax = Figure().add_subplot()
    drawn = diagram.draw_cell(ax, *gates)
    assert drawn == (float(wrong(*gates)[0]), float(wrong(*gates)[1])) != right
    assert drawn_state(ax)["c_t"] == round(drawn[0], 2)


def test_the_panel_reports_the_numbers_it_drew():
    for gates in SETTINGS:
        values = panels.gate_values_view(*gates).values
        ref_c, ref_h = cell_from_gates(*gates)
        assert values["c_t"] == float(ref_c) and values["h_t"] == float(ref_h)
        assert values["kept"] + values["written"] == pytest.approx(values["c_t"], abs=1e-15)


@pytest.mark.parametrize("args, error, message", [
    (dict(i_t=1.5), ValueError, r"i_t must be in \[0.0, 1.0\], got 1.5"),
    (dict(g_t=float("nan")), ValueError, r"g_t must be in \[-1.0, 1.0\], got nan"),
    (dict(c_prev=float("inf")), ValueError, r"c_prev must be a finite number, got inf"),
    (dict(o_t="open"), TypeError, r"o_t must be a real number in \[0.0, 1.0\], got str 'open'"),
    (dict(ax="axes"), TypeError, r"ax must be a matplotlib Axes, got str"),
])
def test_draw_cell_rejects_bad_input(args, error, message):
    kwargs = dict(ax=Figure().add_subplot(), i_t=0.5, f_t=0.5, g_t=0.0, o_t=0.5, c_prev=0.0) | args
    with pytest.raises(error, match=message):
        diagram.draw_cell(**kwargs)
