"""What every exercise checker shares: the verdict, a safe call of the learner's function, a safe reading of its answer.

A checker reads as: probes, call, compare, name the part::

    @checker("LSTM cell step", "step")
    def check_cell_step(step, verdict):
        got = verdict.ask(step, args, want={"h_t": (H,), "c_t": (H,)}, what="(h_t, c_t), a tuple of two arrays")
        if got is None:                       # it raised, or returned something that is not two (H,) arrays
            return verdict.result()
        verdict.compare("c_t", got["c_t"], c_ref, hint="c_t = f_t * c_{t-1} + i_t * g_t", part="forget gate f_t")
        return verdict.result()

``call_learner`` calls the learner's function on copies of its inputs and
catches whatever it raises; ``unpack`` and ``as_learner_array`` turn
whatever it returned into float arrays of the expected shapes or into a
sentence that says what is wrong. None of them raises on anything the
learner's function returns; ``checker`` adds a last net so a checker never
does. The checkers themselves are in ``checkers``, one section per notebook.
"""

from __future__ import annotations

import functools
import html
import inspect
import sys
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ..validate import check_callable

TOL = 1e-8          # float64 answers must match the reference to this (absolute)
LOW_TOL = 1e-5      # float32 (or float16) answers: their own precision is about 1e-7
ROUNDING = 1e-3     # wrong parts all closer than this read as one precision note, not as several wrong parts


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


# ---------------------------------------------------------------- calling the learner's function

def _copy(a):
    """A copy the learner's function may modify without touching the checker's own inputs."""
    if isinstance(a, np.ndarray) or hasattr(a, "clone"):  # NumPy arrays and torch tensors
        return a.copy() if isinstance(a, np.ndarray) else a.clone()
    if isinstance(a, tuple):
        items = [_copy(v) for v in a]
        return type(a)(*items) if hasattr(a, "_fields") else tuple(items)
    return a  # numbers and strings cannot be modified


def _text(exc: BaseException) -> str:
    """``str(exc)``, or a stand-in if even that raises."""
    try:
        return str(exc)
    except Exception:
        return "(its message cannot be shown)"


def call_learner(title: str, fn: Callable, *args, hints: dict[type, str | Callable] | None = None):
    """Call the learner's ``fn`` on copies of ``args``: ``(output, None)``, or ``(None, CheckResult)`` if it raised.

    ``raise NotImplementedError`` (the exercise's stub) reads "not written
    yet"; any other exception is reported with its message, plus the hint
    that ``hints`` gives for its type, if any. A hint may be a function of
    the exception: if it returns a sentence, that sentence replaces the
    exception's own text (e.g. NumPy's matmul message becomes the shapes).
    """
    try:
        return fn(*(_copy(a) for a in args)), None
    except NotImplementedError:
        return None, CheckResult(title, False, ["not written yet: replace `raise NotImplementedError` with your code"])
    except Exception as exc:
        hint = next((h for kind, h in (hints or {}).items() if isinstance(exc, kind)), None)
        if callable(hint):
            try:
                explained = hint(exc)
            except Exception:
                explained = None
            if explained:
                return None, CheckResult(title, False, [f"your function raised {type(exc).__name__}. {explained}"])
            hint = None
        return None, CheckResult(title, False, [f"your function raised {type(exc).__name__}: {_text(exc)}"
                                                + (f". Hint: {hint}" if hint else "")])


# ---------------------------------------------------------------- reading what it returned

def describe(value) -> str:
    """A short description of any value, for a message: ``'ndarray of float64, shape (2, 3)'``, ``"str 'abc'"``."""
    kind = type(value).__name__
    try:
        if isinstance(value, np.ndarray) or _is_tensor(value):
            return f"{kind} of {value.dtype}, shape {tuple(value.shape)}"
        if isinstance(value, (str, bytes)):
            return f"{kind} {value[:20]!r}" + ("..." if len(value) > 20 else "")
        if isinstance(value, dict):
            return f"dict with keys {_keys(value)}"
        if isinstance(value, (list, tuple)):
            return f"{kind} of length {len(value)}"
        if isinstance(value, (int, float, complex, np.generic)) and not isinstance(value, bool):
            text = repr(value)
            return f"{kind} {text[:20]}" + ("..." if len(text) > 20 else "")
    except Exception:
        pass
    return kind


def _keys(d: dict) -> list[str]:
    return sorted(repr(k) if not isinstance(k, str) else k for k in d)


def _is_tensor(value) -> bool:
    torch = sys.modules.get("torch")  # a tensor can only exist if torch was imported
    return torch is not None and isinstance(value, torch.Tensor)


def _to_numpy(value):
    """``value`` as something ``np.asarray`` reads; torch tensors (on any device, with grad) leave torch."""
    if _is_tensor(value):
        t = value.detach().cpu()
        try:
            return t.numpy()
        except Exception:  # bfloat16 and other dtypes NumPy lacks
            return t.to(dtype=sys.modules["torch"].float64).numpy()
    return value


def _shape(value) -> tuple[int, ...] | None:
    """The shape NumPy gives ``value``, or None if it cannot read it."""
    try:
        return np.asarray(_to_numpy(value)).shape
    except Exception:
        return None


def as_learner_array(value, name: str, shape: tuple[int, ...] | None = None,
                     what: str = "an array of numbers") -> tuple[np.ndarray | None, str | None]:
    """Read one part of the learner's answer: ``(array, None)``, or ``(None, problem)``; never raises.

    The array is float64, or float32 when the learner's was float32 or
    float16 (``tolerance`` then allows for it). The problem names the part:
    None, text, ragged lists, objects that are not numbers, complex values,
    a ``shape`` other than the expected one (checked before any copy, so a
    huge answer costs nothing), NaN or infinity.
    """
    try:
        arr = np.asarray(_to_numpy(value))
    except Exception as exc:  # ragged lists, objects whose __array__ raises, tensors on a lost device
        return None, f"{name} must be {what}, got {describe(value)} that NumPy cannot read as one array ({_text(exc)})"
    if np.issubdtype(arr.dtype, np.complexfloating):
        return None, f"{name} must be real numbers, got complex ones ({describe(value)})"
    if not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        return None, f"{name} must be {what}, got {describe(value)}"
    if shape is not None and arr.shape != tuple(shape):
        return None, f"{name} must have shape {tuple(shape)}, got {arr.shape}"
    low = arr.dtype in (np.float32, np.float16)
    arr = arr.astype(np.float32 if low else np.float64, copy=False)
    bad = int(arr.size - np.count_nonzero(np.isfinite(arr)))
    if bad:
        return None, f"{name} holds NaN or infinity in {bad} of {arr.size} entries"
    return arr, None


def unpack(out, names: tuple[str, ...], what: str, keyed: bool = False) -> tuple[tuple | None, str | None]:
    """Split the learner's return into ``len(names)`` parts: ``(parts, None)`` or ``(None, problem)``; never raises.

    One name: ``out`` itself. Several: a tuple of that length, or with
    ``keyed`` a dict with exactly those keys. ``what`` says what was asked
    for, e.g. ``"(h_t, c_t), a tuple of two arrays"``.
    """
    if len(names) == 1 and not keyed:
        return (out,), None
    if keyed:
        if not isinstance(out, dict):
            return None, f"return {what}, got {describe(out)}"
        missing = [k for k in names if k not in out]
        extra = [k for k in _keys(out) if k not in names]
        if missing or extra:
            return None, (f"return {what}; your dict has keys {_keys(out)}"
                          + (f", missing {missing}" if missing else "") + (f", unexpected {extra}" if extra else ""))
        return tuple(out[k] for k in names), None
    if not isinstance(out, tuple) or len(out) != len(names):
        return None, f"return {what}, got {describe(out)}"
    return out, None


def tolerance(got: np.ndarray) -> float:
    """How close an answer must be: ``TOL`` for float64 answers, ``LOW_TOL`` for float32 ones."""
    return TOL if got.dtype == np.float64 else LOW_TOL


def gap(got: np.ndarray, ref: np.ndarray) -> float:
    """The largest absolute difference between two arrays of one shape (0.0 if empty)."""
    return float(np.max(np.abs(got - ref))) if np.size(got) else 0.0


def close(got: np.ndarray, ref: np.ndarray) -> bool:
    """True if ``got`` (an answer read by ``as_learner_array``) is within ``tolerance(got)`` of ``ref``."""
    return gap(got, ref) <= tolerance(got)


def show(a) -> str:
    """A short printout of a small array, to 4 decimals: ``'[0.1235, -1.0]'`` (huge values as they are)."""
    a = np.asarray(a, dtype=float)
    with np.errstate(all="ignore"):  # rounding 1e308 overflows; those keep their value
        return str((np.where(np.abs(a) < 1e12, np.round(a, 4), a) + 0.0).tolist())   # + 0.0: no -0.0


# ---------------------------------------------------------------- the verdict, built part by part

class Verdict:
    """Collects the wrong parts of one checker's run and turns them into a ``CheckResult``."""

    def __init__(self, title: str):
        self.title = title
        self.problems: list[str] = []
        self.gaps: list[float] = []    # one per problem found by ``compare``

    def add(self, problem: str) -> None:
        self.problems.append(problem)

    def ask(self, fn: Callable, args: tuple, want: dict[str, tuple], what: str, keyed: bool = False,
            hints: dict[type, str | Callable] | None = None, shape_hint: Callable[[dict], str] | None = None):
        """Call ``fn(*args)`` and read its answer as arrays of the shapes in ``want`` (name -> shape).

        Returns ``{name: array}``; or ``None`` after adding the problems
        (it raised, the wrong kind or arity, unreadable parts, wrong shapes:
        ``shape_hint(shapes)`` may add a hint, from the shapes that came, to the last).
        """
        out, failed = call_learner(self.title, fn, *args, hints=hints)
        if failed is not None:
            self.problems += failed.problems
            return None
        parts, problem = unpack(out, tuple(want), what, keyed)
        if problem:
            self.add(problem)
            return None
        got, problems = {}, []
        for (name, shape), value in zip(want.items(), parts):
            got[name], problem = as_learner_array(value, name, shape, what if len(want) == 1 else "an array of numbers")
            if problem:
                problems.append(problem)
        shapes = {name: _shape(value) for name, value in zip(want, parts)} if problems else {}
        if shape_hint is not None and any("must have shape" in p for p in problems):
            hint = shape_hint(shapes)
            problems[-1] += f". Hint: {hint}" if hint else ""
        self.problems += problems
        return None if problems else got

    def compare(self, name: str, got: np.ndarray, ref: np.ndarray, hint: str, part: str | None = None) -> bool:
        """True if ``got`` matches ``ref`` within ``tolerance(got)``; else add "part: name is ..., expected ..."."""
        if close(got, ref):
            return True
        self.gaps.append(gap(got, ref))
        if np.size(ref) > 8:   # a big array: the entry furthest off says enough
            at = np.unravel_index(np.argmax(np.abs(got - ref)), np.shape(ref))
            said = (f"{name} is off by up to {self.gaps[-1]:.4g}, e.g. {name}[{', '.join(map(str, at))}] is "
                    f"{show(got[at])}, expected {show(ref[at])}")
        else:
            said = f"{name} is {show(got)}, expected {show(ref)}"
        self.add(f"{part + ': ' if part else ''}{said}. Hint: {hint}")
        return False

    def fail(self, problem: str) -> CheckResult:
        """Add ``problem`` and return the result: for checkers that stop at the first wrong part."""
        self.add(problem)
        return self.result()

    def result(self) -> CheckResult:
        """The ``CheckResult``; wrong parts all within ``ROUNDING`` (a precision slip) become one note saying so."""
        if self.problems and len(self.gaps) == len(self.problems) and max(self.gaps) < ROUNDING:
            return CheckResult(self.title, False, [
                f"every value is within {max(self.gaps):.1e} of the right one, but not within the tolerance "
                f"({TOL:g} for float64 answers, {LOW_TOL:g} for float32): is it computed in lower precision "
                "(float32, float16)? Compute in float64, NumPy's default"])
        return CheckResult(self.title, not self.problems, list(self.problems))


def checker(title: str, arg: str):
    """Make ``grade(fn, verdict) -> CheckResult`` a checker ``check(fn)`` that never raises on the learner's answer.

    ``fn`` must be callable (``TypeError`` naming ``arg`` otherwise). Any
    exception in grading (a case the reading above missed) becomes a
    verdict, not a traceback in the learner's notebook.
    """
    def wrap(grade: Callable) -> Callable[[Callable], CheckResult]:
        @functools.wraps(grade)
        def check(fn: Callable) -> CheckResult:
            check_callable(arg, fn)
            verdict = Verdict(title)
            try:
                with np.errstate(all="ignore"):   # huge finite answers may overflow a difference: that is a mismatch
                    return grade(fn, verdict)
            except Exception as exc:
                return CheckResult(title, False, verdict.problems + [
                    f"the checker could not grade your answer ({type(exc).__name__}: {_text(exc)}); "
                    "check what your function returns"])
        del check.__wrapped__
        check.__signature__ = inspect.Signature(
            [inspect.Parameter(arg, inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Callable)],
            return_annotation=CheckResult)
        return check
    return wrap
