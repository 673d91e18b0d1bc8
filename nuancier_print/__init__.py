"""nuancier-print: La 27e Région's training nuancier as print-ready cards and booklets.

The pipeline, one module per stage: :mod:`content` loads and validates the
YAML, :mod:`render` turns it into PDF pages through Jinja layouts and
WeasyPrint, :mod:`impose` plans sheets and booklets, and :mod:`preflight`
checks what was written. :func:`nuancier_print.build.build` runs them in order.
"""

__version__ = "0.1.0"
