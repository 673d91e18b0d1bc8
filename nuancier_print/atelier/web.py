"""What every screen shares: the blueprint, the atelier's state, and page rendering."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, current_app, render_template

from .jobs import Builder
from .store import Store

bp = Blueprint("atelier", __name__)


@dataclass
class Atelier:
    """The state of one running atelier: its folders, its session store and its builder."""

    content: Path
    out: Path
    store: Store
    builder: Builder
    auto_build: bool = True


def atelier() -> Atelier:
    """Return the atelier of the current application."""
    return current_app.extensions["atelier"]


def page(template: str, status: int = 200, **context):
    """Render a screen with its status code."""
    return render_template(template, **context), status
