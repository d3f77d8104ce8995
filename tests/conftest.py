"""Shared test settings: tests/ is importable (for bad_input.assert_clear), and the property tests (hypothesis) draw the same examples on every run.

A run that fails on CI fails the same way on a laptop, and no example
database is written into the repository.
"""

import sys
from pathlib import Path

from hypothesis import settings

sys.path.insert(0, str(Path(__file__).parent))   # tests/bad_input.py, the helper the property tests share

settings.register_profile("course", derandomize=True, database=None, deadline=None)
settings.load_profile("course")
