"""The source article's story, made computable.

"If a story mentions a girl called Xiaohong at the start, you must remember
who she is when she comes back." Here one LSTM unit with hand-set weights
reads a sentence word by word (one-hot inputs). Its cell state holds one
fact, "who the story is about": +1 for Xiaohong, -1 for Xiaoming. A name
closes the forget gate (drop the old fact) and opens the input gate (write
the new one); other words keep the fact and write nothing; a pronoun opens
the output gate, so h_t reveals the fact exactly when it is needed.
"""

from __future__ import annotations

import numpy as np

from ..lstm.cell import CellParams, lstm_cell_forward
from ..validate import as_array, check_real, check_shape, check_size

MAX_WORDS = 10_000   # one cell step (or one one-hot column) per word; the stories here have a dozen

OPEN, SHUT = 6.0, -6.0   # pre-activations: sigmoid(6) = 0.998, sigmoid(-6) = 0.002

# word -> pre-activations of (i, f, g, o), torch's gate order
ROLES = {
    "name+": (OPEN, SHUT, 3.0, SHUT),    # write +1, forget the old fact
    "name-": (OPEN, SHUT, -3.0, SHUT),   # write -1, forget the old fact
    "filler": (SHUT, OPEN, 0.0, SHUT),   # keep the fact, write nothing, say nothing
    "pronoun": (SHUT, OPEN, 0.0, OPEN),  # keep the fact and read it out
}
WORDS = {
    "Xiaohong": "name+", "Xiaoming": "name-",
    "she": "pronoun", "he": "pronoun", "her": "pronoun", "him": "pronoun",
}
STORY_KEEP = "Xiaohong went to the market early and bought apples , then she".split()
STORY_SWITCH = "Xiaohong went to the market early and met Xiaoming , then he".split()


def _words(name: str, words) -> list[str]:
    """``words`` checked: a list or tuple of 1 to MAX_WORDS non-empty strings."""
    if not isinstance(words, (list, tuple)):
        raise TypeError(f"{name} must be a list of words (strings), got {type(words).__name__}")
    if not words:
        raise ValueError(f"{name} must hold at least one word, got an empty list")
    check_size(name, len(words), MAX_WORDS, "words: one cell step each, and the stories here have a dozen")
    bad = [w for w in words if not (isinstance(w, str) and w)]
    if bad:
        raise TypeError(f"{name} must hold non-empty strings, got {bad[0]!r} ({type(bad[0]).__name__})")
    return list(words)


def vocabulary(*sentences: list[str]) -> list[str]:
    """Sorted distinct words of the sentences (the one-hot positions); each sentence a list of strings."""
    if not sentences:
        raise ValueError("vocabulary needs at least one sentence (a list of words)")
    return sorted({w for k, s in enumerate(sentences) for w in _words(f"sentences[{k}]", s)})


def _vocab(vocab) -> list[str]:
    vocab = _words("vocab", vocab)
    if len(set(vocab)) != len(vocab):
        raise ValueError("vocab must list each word once (use vocabulary(...)), got repeated words")
    return vocab


def story_params(vocab: list[str], forget_on_filler: float = OPEN) -> CellParams:
    """Hand-set weights of a one-unit cell (H = 1, D = len(vocab)).

    ``forget_on_filler`` is the forget gate's pre-activation on ordinary
    words: large keeps the fact, 0 gives f = 0.5, a leaky memory (a finite
    number in [-20, 20], where sigmoid is already 0 or 1 to 1e-9).
    """
    vocab = _vocab(vocab)
    forget_on_filler = check_real("forget_on_filler", forget_on_filler, -20.0, 20.0)
    W_ih = np.zeros((4, len(vocab)))
    for col, word in enumerate(vocab):
        role = WORDS.get(word, "filler")
        W_ih[:, col] = ROLES[role]
        if role == "filler":
            W_ih[1, col] = forget_on_filler
    zeros = np.zeros(4)
    return CellParams(W_ih, np.zeros((4, 1)), zeros, zeros.copy())


def run_story(words: list[str], vocab: list[str], params: CellParams) -> dict[str, np.ndarray]:
    """Feed ``words`` one-hot through the cell; returns i, f, g, o, c, h, each (T,).

    ``vocab`` lists the D distinct words; ``params`` are the ``CellParams`` of
    a one-unit cell, W_ih (4, D), W_hh (4, 1), b_ih and b_hh (4,) (``story_params``).
    """
    words, vocab = _words("words", words), _vocab(vocab)
    if not (isinstance(params, tuple) and len(params) == 4):
        raise TypeError(f"params must be the CellParams (W_ih, W_hh, b_ih, b_hh) of story_params, "
                        f"got {type(params).__name__}")
    W_ih = as_array("params.W_ih", params[0], ndim=2)
    check_shape("params.W_ih", W_ih, (4, len(vocab)))   # one unit, one column per vocabulary word
    unknown = [w for w in words if w not in vocab]
    if unknown:
        raise ValueError(f"words not in the vocabulary: {unknown}")
    h, c = np.zeros(1), np.zeros(1)
    trace: dict[str, list[float]] = {k: [] for k in ("i", "f", "g", "o", "c", "h")}
    for word in words:
        x = np.zeros(len(vocab))
        x[vocab.index(word)] = 1.0
        h, c, cache = lstm_cell_forward(x, h, c, *params)
        for k, v in zip(("i", "f", "g", "o", "c", "h"), (cache.i_t, cache.f_t, cache.g_t, cache.o_t, c, h)):
            trace[k].append(float(v[0]))
    return {k: np.array(v) for k, v in trace.items()}
