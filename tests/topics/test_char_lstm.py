"""Notebook 09's topic: the generated language, its features, the model, the units' signals and the measurements."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from lstm_course.topics import char_lstm as cl
from tests.bad_input import assert_clear

TINY = cl.CharConfig(hidden=4, n_chars=2_000, chunk=20, batch_size=32, epochs=1, seed=3)


def test_text_is_whole_balanced_lines_within_max_depth_and_seeded():
    text = cl.make_text(3_000, max_depth=3, seed=5)
    assert len(text) >= 3_000 and text.endswith("\n") and set(text) <= set(cl.ALPHABET)
    depth = cl.nesting_depth(text)
    assert depth.min() == 0 and depth.max() == 3
    assert np.all(depth[[k for k, ch in enumerate(text) if ch == "\n"]] == 0)       # every line balanced
    assert text == cl.make_text(3_000, max_depth=3, seed=5) != cl.make_text(3_000, max_depth=3, seed=6)
    assert cl.nesting_depth(cl.make_text(500, max_depth=0)).max() == 0


def test_features_are_counted_after_each_character():
    f = cl.text_features('(a"(")\nb\n')
    assert f["depth"].tolist() == [1, 1, 1, 1, 1, 0, 0, 0, 0]
    assert f["in_quote"].tolist() == [0, 0, 1, 1, 0, 0, 0, 0, 0]
    assert f["line_position"].tolist() == [1, 2, 3, 4, 5, 6, 0, 1, 0]


def test_encode_numbers_characters_in_alphabet_order():
    assert cl.encode(cl.ALPHABET).tolist() == list(range(len(cl.ALPHABET)))


def test_correlations_are_pearsons_r_and_zero_for_a_constant_unit():
    rng = np.random.default_rng(0)
    f = rng.normal(size=50)
    signals = np.stack([2 * f + 1, -f, np.ones(50), rng.normal(size=50)], axis=1)
    r = cl.correlations(signals, f)
    assert r[:3] == pytest.approx([1.0, -1.0, 0.0]) and r[3] == pytest.approx(np.corrcoef(signals[:, 3], f)[0, 1])
    assert cl.best_units({"x": r}) == {"x": (0, pytest.approx(1.0))}


def test_training_is_seeded_and_the_numpy_rerun_equals_torchs_layer():
    a, b = cl.train(TINY, progress=False), cl.train(TINY, progress=False)
    assert a.losses == b.losses and len(a.losses) == 1 and np.isfinite(a.losses[0])
    text = a.text[:300]
    act = cl.unit_activity(a.model, text)
    with torch.no_grad():
        out, _ = a.model.rnn(torch.nn.functional.one_hot(torch.from_numpy(cl.encode(text)), len(cl.ALPHABET))
                             .float()[None])
    assert act.c.shape == act.h.shape == (300, 4) and act.gates.shape == (300, 4, 4)
    assert np.allclose(act.h, out[0].double().numpy(), atol=1e-5)
    assert np.array_equal(act.signal("f_t"), act.gates[:, 1])
    table = cl.unit_table(act)
    assert set(table) == set(cl.FEATURES) and all(np.all(np.abs(r) <= 1 + 1e-12) for r in table.values())


def test_ender_accuracy_counts_every_ender_outside_quotes():
    model = cl.train(TINY, progress=False).model
    text = '(a)\n[")"]\n'
    acc = cl.ender_accuracy(model, text)
    assert sum(n for _, n in acc["count"].values()) == 4             # ')' ']' and two newlines; the quoted ')' not
    assert sum(n for _, n in acc["kind"].values()) == 2
    assert all(0 <= a <= 1 for a, _ in acc["count"].values())


def test_bad_input_is_refused_by_name():
    assert_clear(lambda: cl.make_text(0), "n_chars")
    assert_clear(lambda: cl.make_text(10, max_depth=-1), "max_depth")
    assert_clear(lambda: cl.make_text(10, seed=-1), "seed")
    assert_clear(lambda: cl.encode("a{b"), "text")
    assert_clear(lambda: cl.nesting_depth(b"(a)"), "text")
    assert_clear(lambda: cl.CharConfig(n_chars=50, chunk=100), "n_chars")
    assert_clear(lambda: cl.CharConfig(lr=0.0), "lr")
    assert_clear(lambda: cl.train("config"), "config")
    assert_clear(lambda: cl.correlations(np.ones((5, 2)), np.ones(4)), "feature")
    assert_clear(lambda: cl.unit_activity(torch.nn.LSTM(2, 2), "a"), "model")
    assert_clear(lambda: cl.CharLSTM(4)(torch.zeros(2, 3)), "ids")
    assert_clear(lambda: cl.unit_table("activity"), "activity")


@settings(max_examples=30, deadline=None)
@given(st.text(alphabet=cl.ALPHABET + "{x\t", max_size=40))
def test_any_text_gets_depths_or_a_clear_error(text):
    if set(text) <= set(cl.ALPHABET) and text:
        assert cl.nesting_depth(text).shape == (len(text),)
    else:
        assert_clear(lambda: cl.nesting_depth(text), "text")


def test_seed_rows_measure_each_seed_and_repeat():
    probe, deep = cl.make_text(400, seed=1), cl.make_text(600, max_depth=6, seed=2)
    rows = cl.seed_rows((3, 4), probe, deep, TINY, progress=False)
    assert [row["seed"] for row in rows] == [3, 4]
    again = cl.seed_rows((3,), probe, deep, TINY, progress=False)[0]
    assert {k: v for k, v in again.items() if k != "seconds"} == {k: v for k, v in rows[0].items() if k != "seconds"}
    assert all(0 <= row[f"r_{name}"] <= 1 for row in rows for name in cl.FEATURES)
    assert 0 <= rows[0]["unreadable"] <= TINY.hidden
    assert_clear(lambda: cl.seed_rows((-1,), probe, deep), "seeds")
    assert_clear(lambda: cl.seed_rows(3, probe, deep), "seeds")


def test_a_unit_activity_of_the_wrong_shape_is_refused_by_name():
    ones = np.ones((3, 2))
    assert cl.UnitActivity("(a)", ones, ones, np.ones((3, 4, 2))).c.shape == (3, 2)
    assert_clear(lambda: cl.UnitActivity("(a)", np.ones((4, 2)), ones, np.ones((3, 4, 2))), "c")
    assert_clear(lambda: cl.UnitActivity("(a)", ones, ones, np.ones((3, 3, 2))), "gates")
    assert_clear(lambda: cl.UnitActivity("(a)", ones, np.full((3, 2), np.nan), np.ones((3, 4, 2))), "h")
    assert_clear(lambda: cl.UnitActivity("{a}", ones, ones, np.ones((3, 4, 2))), "text")
    assert_clear(lambda: cl.UnitActivity("(a)", ones, ones, np.ones((3, 4, 2))).signal("x_t"), "name")
