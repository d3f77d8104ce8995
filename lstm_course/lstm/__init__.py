"""The subject of the course, in NumPy only: activations, the cell and its backward, a layer over a sequence
and its back-propagation through time, ``NumpyLSTM`` (``torch.nn.LSTM``'s mirror), and the gradient check."""
