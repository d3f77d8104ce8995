"""Helpers behind the notebooks of the course "LSTM, gate by gate".

One module per topic:

- ``activations``: sigmoid and tanh, stable for any input.
- ``validate``: the shape and value checks every public function uses.
- ``cell``: one LSTM cell step in NumPy (torch's gate order i, f, g, o).
- ``torch_interop``: copy weights between ``torch.nn.LSTMCell`` and NumPy.
- ``numpy_lstm``: ``NumpyLSTM``, a NumPy mirror of ``torch.nn.LSTM``, forward and backward.
- ``memory``: a one-unit cell run over time, and the half-life of its memory.
- ``story``: the "remember the character" worked example.
- ``diagram``: the cell drawn with matplotlib, gates opening with their values.
- ``plots``: the static pictures of notebook 01.
- ``playgrounds``: slider callbacks (plain functions) and the panel that wires them.
- ``exercises``: checkers that say pass, or which part is wrong.
- ``gradient_flow``: how far back a gradient reaches in an RNN, a GRU and an LSTM.
- ``adding_problem``: the long-memory task of Hochreiter & Schmidhuber (1997), trained and timed.
- ``lstm_api``: ``torch.nn.LSTM``'s shapes, weights, padding and carried state.
- ``sequence_sum``: the many-to-one regression of the source articles, done right.
- ``bidirectional``: the Bi-LSTM from two NumPy LSTMs, its layout, its gain and its cost.
- ``devices``: choosing cuda, mps or cpu, and seeding for reproducible runs.
- ``sine``: the noisy-sine forecast of notebook 07, the source's way and the course's.
- ``environment``: the set-up check of notebook 00 and JupyterLab's settings.
"""

__version__ = "0.1.0"
