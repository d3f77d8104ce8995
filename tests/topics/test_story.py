"""The story sequence: one hand-set LSTM unit remembers who the story is about (lstm_course.topics.story)."""

import numpy as np
import pytest

from lstm_course.topics import story


def test_story_keeps_and_switches_the_fact():
    vocab = story.vocabulary(story.STORY_KEEP, story.STORY_SWITCH)
    params = story.story_params(vocab)
    keep = story.run_story(story.STORY_KEEP, vocab, params)
    switch = story.run_story(story.STORY_SWITCH, vocab, params)
    assert keep["h"][-1] > 0.5 and switch["h"][-1] < -0.5
    at_new_name = story.STORY_SWITCH.index("Xiaoming")
    assert switch["f"][at_new_name] < 0.01 and switch["i"][at_new_name] > 0.99
    assert np.all(keep["f"][1:] > 0.99)          # ordinary words keep the fact
    leaky = story.run_story(story.STORY_KEEP, vocab, story.story_params(vocab, forget_on_filler=0.0))
    assert abs(leaky["h"][-1]) < 0.05


def test_story_rejects_unknown_words():
    vocab = story.vocabulary(story.STORY_KEEP)
    with pytest.raises(ValueError, match=r"words not in the vocabulary: \['Xiaoming'\]"):
        story.run_story(["Xiaohong", "Xiaoming"], vocab, story.story_params(vocab))


@pytest.mark.parametrize("call, error, message", [
    (lambda: story.vocabulary("Xiaohong went"), TypeError, r"sentences\[0\] must be a list of words"),
    (lambda: story.vocabulary(), ValueError, "at least one sentence"),
    (lambda: story.vocabulary(["a", 3]), TypeError, r"sentences\[0\] must hold non-empty strings, got 3"),
    (lambda: story.story_params(["a", "a"]), ValueError, "vocab must list each word once"),
    (lambda: story.story_params(["a"], forget_on_filler=float("nan")), ValueError, "forget_on_filler must be a finite number, got nan"),
    (lambda: story.run_story([], ["a"], story.story_params(["a"])), ValueError, "words must hold at least one word"),
    (lambda: story.run_story(["a"], ["a"], None), TypeError, "params must be the CellParams"),
    (lambda: story.run_story(["a"], ["a", "b"], story.story_params(["a"])), ValueError,
     r"params.W_ih must have shape \(4, 2\), got \(4, 1\)"),
])
def test_story_functions_check_their_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_a_leaky_forget_gate_halves_the_fact_once_per_token_in_between():
    """Notebook 01 says: ten tokens stand between "Xiaohong" and "she", so f = 0.5 leaves 0.5**10 of the fact."""
    vocab = story.vocabulary(story.STORY_KEEP)
    words = story.STORY_KEEP
    between = words[words.index("Xiaohong") + 1:words.index("she")]
    leaky = story.run_story(words, vocab, story.story_params(vocab, forget_on_filler=0.0))
    assert len(between) == 10 and all(story.WORDS.get(w, "filler") == "filler" for w in between)
    kept_at_she = 1 / (1 + np.exp(-story.OPEN))          # the pronoun keeps the fact with f = sigmoid(OPEN)
    assert np.isclose(leaky["c"][-1] / leaky["c"][0], 0.5 ** len(between) * kept_at_she, rtol=1e-9)
