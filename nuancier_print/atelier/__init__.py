"""The atelier: `nuancier serve`, a local web application over the content folder.

Four screens help trainers who are not developers: the nuancier as cards,
composing a session, recording what happened after it, and previewing and
downloading the booklet. The files of ``content/`` stay the single source of
truth: every page reads them afresh, every save goes through the project's
hardened YAML loader and the same validation as ``nuancier check``, and a
file changed on disk meanwhile is never overwritten blindly.

:func:`create_app` (in :mod:`.app`) builds the Flask application;
:func:`serve` (in :mod:`.server`) runs it on the loopback interface.
"""

from __future__ import annotations


def create_app(*args, **kwargs):
    """Return the atelier's Flask application (see :func:`.app.create_app`)."""
    from .app import create_app as create

    return create(*args, **kwargs)
