"""One module per notebook theme, holding only its data, models, training and measurements (no widgets, no drawing):
``story`` and ``memory`` (01), ``bptt`` (03), ``gradient_flow`` and ``adding_problem`` (04), ``lstm_api`` and ``sequence_sum`` (05),
``bidirectional`` (06), ``sine`` (07), ``variants`` (08), ``char_lstm`` (09)."""
