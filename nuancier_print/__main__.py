"""Allow ``python -m nuancier_print``."""

from .cli import main

main()
