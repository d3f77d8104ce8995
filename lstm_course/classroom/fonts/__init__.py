"""The one font file the course ships: the Chinese characters of notebook 06's 我爱中国 picture.

No CJK font can be assumed on a learner's machine, and nothing is downloaded
at run time, so ``cjk_subset.otf`` holds exactly the glyphs drawn: 我, 爱,
中, 国 (a subset of Noto Sans CJK SC, SIL Open Font License 1.1; see
``README.md`` and ``LICENSE-OFL-1.1.txt`` beside it).

``cjk_font(size)`` returns a matplotlib ``FontProperties`` that reads the file
directly: nothing is added to matplotlib's font list, so the rest of a
session's text keeps its fonts.
"""

from __future__ import annotations

from pathlib import Path

from matplotlib.font_manager import FontProperties

from ...validate import check_real

CJK_FONT_FILE = Path(__file__).with_name("cjk_subset.otf")
CJK_CHARACTERS = "我爱中国"    # every character the file has a glyph for


def cjk_font(size: float = 24.0) -> FontProperties:
    """The shipped CJK subset at ``size`` points (4 to 200), for ``ax.text(..., fontproperties=...)``."""
    return FontProperties(fname=CJK_FONT_FILE, size=check_real("size", size, 4.0, 200.0))
