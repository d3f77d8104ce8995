"""The unrolled picture draws one box per step and names every x_t, h_t (and c_t) it passes."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from bad_input import assert_clear
from lstm_course.classroom.unrolled import MAX_DRAWN_STEPS, draw_unrolled


@pytest.fixture
def ax():
    return Figure().add_subplot()


def labels(ax) -> set[str]:
    return {text.get_text() for text in ax.texts}


@pytest.mark.parametrize("steps", [1, 3, MAX_DRAWN_STEPS])
def test_one_box_per_step_and_every_state_named(ax, steps):
    draw_unrolled(ax, steps)
    boxes = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
    assert len(boxes) == steps
    drawn = labels(ax)
    for t in range(1, steps + 1):
        assert f"$x_{{{t}}}$" in drawn and f"$h_{{{t}}}$" in drawn
    for k in range(steps + 1):                       # the state passed on, from h_0, c_0 to the final one
        assert f"$h_{{{k}}}$" in drawn and f"$c_{{{k}}}$" in drawn
    assert f"$x_{{{steps + 1}}}$" not in drawn and f"$c_{{{steps + 1}}}$" not in drawn


def test_a_plain_rnn_passes_h_only(ax):
    draw_unrolled(ax, 3, cell_state=False)
    drawn = labels(ax)
    assert "$h_{0}$" in drawn and "$h_{3}$" in drawn
    assert not any(label.startswith("$c_") for label in drawn)
    assert sum("RNN" in label for label in drawn) == 3


def test_labels_are_legible_on_a_projector(ax):
    draw_unrolled(ax, 4)
    assert min(text.get_fontsize() for text in ax.texts) >= 12


@pytest.mark.parametrize("call, name", [
    (lambda ax: draw_unrolled("not axes"), "ax"),
    (lambda ax: draw_unrolled(ax, 0), "steps"),
    (lambda ax: draw_unrolled(ax, MAX_DRAWN_STEPS + 1), "steps"),
    (lambda ax: draw_unrolled(ax, 2.5), "steps"),
    (lambda ax: draw_unrolled(ax, "4"), "steps"),
    (lambda ax: draw_unrolled(ax, True), "steps"),
    (lambda ax: draw_unrolled(ax, 4, cell_state=1), "cell_state"),
    (lambda ax: draw_unrolled(ax, 4, cell_state="yes"), "cell_state"),
])
def test_bad_arguments_are_refused_by_name(ax, call, name):
    assert_clear(lambda: call(ax), name)


@given(st.one_of(st.integers(max_value=0), st.integers(min_value=MAX_DRAWN_STEPS + 1),
                 st.floats(allow_nan=True), st.none(), st.text(max_size=3)))
def test_any_bad_step_count_is_refused(steps):
    assert_clear(lambda: draw_unrolled(Figure().add_subplot(), steps), "steps")
