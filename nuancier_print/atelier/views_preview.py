"""Screen 4, « Aperçu et PDF »: the booklet's pages, the build's progress, and the downloads.

The deck kit (a deck of the session's teintes only) is not built yet: the
screen marks it « bientôt » and offers nothing that would pretend.
"""

from __future__ import annotations

import tempfile
import zipfile

from flask import abort, redirect, send_file, url_for

from ..outputs import booklet_paths
from ..sessions import person_slug
from .jobs import preview_pages, previews_folder
from .texts import _
from .views_after import _loaded
from .web import atelier, bp, page


def _outputs(slug: str, session) -> dict:
    paths = booklet_paths(atelier().out, slug)
    copies = [paths.participant(person_slug(p.nom)) for p in session.participants] if session else []
    return {"booklet": paths.booklet if paths.booklet.is_file() else None,
            "imposed": paths.imposed if paths.imposed.is_file() else None,
            "copies": [c for c in copies if c.is_file()], "participants": len(copies)}


@bp.get("/sessions/<slug>/preview")
def preview(slug: str):
    """The booklet's pages as images, the build's progress and the downloads."""
    loaded = _loaded(slug)
    stamp, pages = preview_pages(atelier().out, slug)
    spreads = [[pages[0]]] + [pages[i:i + 2] for i in range(1, len(pages), 2)] if pages else []
    return page("preview.html", slug=slug, session=loaded.session, loaded=loaded, stamp=stamp, spreads=spreads,
                pages=pages, outputs=_outputs(slug, loaded.session), job=atelier().builder.job(slug))


@bp.post("/sessions/<slug>/build")
def build_booklet(slug: str):
    """Start building the booklet, its previews and the personal copies."""
    _loaded(slug)
    atelier().builder.request(slug)
    return redirect(url_for("atelier.preview", slug=slug), 303)


@bp.get("/jobs/<key>.json")
def job(key: str):
    """The progress of the latest build of a session (or of the deck)."""
    if key != "deck":
        atelier().store.path(key)  # refuses a key that is not a safe name
    found = atelier().builder.job(key)
    if found is None:
        return {"key": key, "state": "none", "steps": [], "lines": [], "number": 0, "elapsed": 0}
    return found.as_json(_)


@bp.get("/sessions/<slug>/pages/<stamp>/<int:number>.png")
def page_image(slug: str, stamp: str, number: int):
    """One page preview."""
    atelier().store.path(slug)
    if not stamp.isalnum():
        abort(404)
    path = previews_folder(atelier().out, slug) / stamp / f"page-{number:03d}.png"
    if not path.is_file():
        abort(404)
    return send_file(path.resolve(), mimetype="image/png", max_age=3600)


@bp.get("/sessions/<slug>/download/<kind>")
def download(slug: str, kind: str):
    """The booklet, its imposed sheets, or the personal copies as one zip."""
    loaded = _loaded(slug)
    outputs = _outputs(slug, loaded.session)
    if kind in ("booklet.pdf", "imposed.pdf"):
        path = outputs[kind.split(".")[0]]
        if path is None:
            abort(404, description=_("This file is not built yet: build the booklet first."))
        return send_file(path.resolve(), mimetype="application/pdf", as_attachment=True, download_name=path.name,
                         max_age=0)
    if kind == "copies.zip":
        return _zip(slug, outputs["copies"])
    abort(404)


def _zip(slug: str, copies: list):
    if not copies:
        abort(404, description=_("The personal copies are not built yet: build the booklet first."))
    spooled = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - send_file closes it
    with zipfile.ZipFile(spooled, "w", zipfile.ZIP_STORED) as archive:  # PDFs are compressed already
        for path in copies:
            archive.write(path, path.name)
    spooled.seek(0)
    return send_file(spooled, mimetype="application/zip", as_attachment=True,
                     download_name=f"booklet-{slug}-participants.zip", max_age=0)

