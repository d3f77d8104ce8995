"""Helpers behind the notebooks of the course "LSTM, gate by gate".

Where code lives (the same rule as README.md, "Where code lives"):

- ``lstm/``: the subject, NumPy only (no torch, ipywidgets or matplotlib):
  ``activations``, ``cell`` (one step and its backward), ``sequence`` (a
  layer over time and BPTT), ``numpy_lstm`` (``NumpyLSTM``), ``gradcheck``.
- ``interop``: every crossing between NumPy and torch (cell weights,
  ``NumpyLSTM`` <-> ``nn.LSTM``).
- ``classroom/``: the teaching machinery, by role: ``checking`` and
  ``checkers`` (every exercise's checker), ``views`` and ``panels`` (every
  slider panel; callbacks are plain functions), ``diagram``, ``unrolled``
  and ``plots`` (every picture; ``fonts/`` holds the CJK subset they use).
- ``topics/``: one module per notebook theme, holding only its data,
  models, training and measurements: ``story`` and ``memory`` (01),
  ``bptt`` (03), ``gradient_flow`` and ``adding_problem`` (04), ``lstm_api`` and
  ``sequence_sum`` (05), ``bidirectional`` (06), ``sine`` (07), ``variants`` (08), ``char_lstm`` (09).
- ``torchkit``: the small torch toolkit every topic shares (devices and
  seeds, one model with a linear head, one training loop, one timer).
- ``validate``: the argument checks every public function uses.
- ``environment``: the set-up check of notebook 00 and JupyterLab's settings.
- ``install``: which torch build the set-up installs (standard library only: ``make``
  runs it as a file before anything else is installed).
- ``site``: the static site of ``make site`` (every notebook executed, one page each).
"""

__version__ = "0.1.0"
