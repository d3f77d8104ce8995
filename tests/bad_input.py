"""The one check every bad-input property test uses: a clear error, raised at the course's boundary."""

import traceback
from pathlib import Path

import pytest

PACKAGE = (Path(__file__).resolve().parents[1] / "lstm_course").resolve()


def assert_clear(call, *names: str) -> str:
    """``call()`` must raise TypeError or ValueError from a ``raise`` line of lstm_course whose message names
    one of ``names`` (the argument at fault); never a traceback from inside NumPy, torch or matplotlib.
    Returns the message."""
    with pytest.raises((TypeError, ValueError)) as info:
        call()
    message = str(info.value)
    frame = traceback.extract_tb(info.tb)[-1]
    assert Path(frame.filename).resolve().is_relative_to(PACKAGE), \
        f"raised from {frame.filename}:{frame.lineno}, not at the course's boundary: {message}"
    assert frame.line.lstrip().startswith("raise"), f"not a raise statement: {frame.line!r} ({message})"
    assert any(n in message for n in names), f"{message!r} names none of {names}"
    return message
