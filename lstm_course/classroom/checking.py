"""What every exercise checker shares: the verdict (``CheckResult``) and a safe call of the learner's function.

A checker calls the learner's function with ``call_learner`` (on copies of
its inputs, catching whatever it raises) and returns a ``CheckResult`` that
says "pass" or names the part that is wrong. The checkers themselves are in
``checkers``, one section per notebook.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Callable

import numpy as np


@dataclass(repr=False)
class CheckResult:
    """The verdict of a checker: ``passed`` and, if not, one line per wrong part."""

    title: str
    passed: bool
    problems: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        return str(self)

    def __str__(self) -> str:
        if self.passed:
            return f"{self.title}: PASS"
        return "\n".join([f"{self.title}: NOT YET", *(f"  - {p}" for p in self.problems)])

    def _repr_html_(self) -> str:
        if self.passed:
            return f"<div style='color:#1a7f37'><b>{html.escape(self.title)}: pass</b></div>"
        items = "".join(f"<li>{html.escape(p)}</li>" for p in self.problems)
        return f"<div style='color:#b42318'><b>{html.escape(self.title)}: not yet</b><ul>{items}</ul></div>"


def _copy(a):
    """A copy the learner's function may modify without touching the checker's own inputs."""
    if isinstance(a, np.ndarray) or hasattr(a, "clone"):  # NumPy arrays and torch tensors
        return a.copy() if isinstance(a, np.ndarray) else a.clone()
    if isinstance(a, tuple):
        items = [_copy(v) for v in a]
        return type(a)(*items) if hasattr(a, "_fields") else tuple(items)
    return a  # numbers and strings cannot be modified


def call_learner(title: str, fn: Callable, *args, hints: dict[type, str] | None = None):
    """Call the learner's ``fn`` on copies of ``args``: ``(output, None)``, or ``(None, CheckResult)`` if it raised.

    ``raise NotImplementedError`` (the exercise's stub) reads "not written
    yet"; any other exception is reported with its message, plus the hint
    that ``hints`` gives for its type, if any.
    """
    try:
        return fn(*(_copy(a) for a in args)), None
    except NotImplementedError:
        return None, CheckResult(title, False, ["not written yet: replace `raise NotImplementedError` with your code"])
    except Exception as exc:
        hint = next((h for kind, h in (hints or {}).items() if isinstance(exc, kind)), None)
        return None, CheckResult(title, False, [f"your function raised {type(exc).__name__}: {exc}"
                                                + (f". Hint: {hint}" if hint else "")])
