"""The teaching machinery, by role: exercise checkers (``checking``, ``checkers``), slider panels (``views``,
``panels``; every callback a plain function), and every picture (``diagram``, ``plots``)."""
