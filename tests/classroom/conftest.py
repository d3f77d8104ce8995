"""Fixtures the classroom tests share."""

import pytest
from matplotlib.text import Text


@pytest.fixture
def drawn_text_sizes(monkeypatch) -> list[tuple[str, float]]:
    """(text, font size in pt) of every visible, non-empty text drawn while the test runs, in drawing order."""
    sizes: list[tuple[str, float]] = []
    draw = Text.draw

    def record(self, renderer):
        if self.get_visible() and self.get_text():
            sizes.append((self.get_text(), self.get_fontsize()))
        return draw(self, renderer)

    monkeypatch.setattr(Text, "draw", record)
    return sizes
