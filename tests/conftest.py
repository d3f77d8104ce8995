"""Shared test settings: the property tests (hypothesis) draw the same examples on every run.

A run that fails on CI fails the same way on a laptop, and no example
database is written into the repository.
"""

from hypothesis import settings

settings.register_profile("course", derandomize=True, database=None, deadline=None)
settings.load_profile("course")
