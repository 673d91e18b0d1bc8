"""Screen 4, « Aperçu et PDF »: the booklet's pages, the build's progress, and the downloads.

It also prepares the session's workshop kit (:mod:`nuancier_print.kits`):
the deck of the session's teintes, in as many copies as there are tables,
imposed on the sheet chosen; its first sheet is shown, front and back, and
both its files can be downloaded. `nuancier build` then keeps it up to date.
"""

from __future__ import annotations

import tempfile
import zipfile

from flask import abort, redirect, request, send_file, url_for

from ..kits import MAX_COPIES
from ..outputs import booklet_paths, kit_paths
from ..sessions import person_slug
from .jobs import KitChoice, kit_key, preview_pages, previews_folder
from .texts import _
from .views_after import _loaded
from .web import atelier, bp, page


def _outputs(slug: str, session) -> dict:
    paths = booklet_paths(atelier().out, slug)
    people = [person_slug(p.nom) for p in session.participants] if session else []
    copies = [paths.participant(person) for person in people]
    screen_copies = [paths.participant_ecran(person) for person in people]
    kit = _kit_choice(slug, session)
    kit_files = kit_paths(atelier().out, slug)
    return {"booklet": paths.booklet if paths.booklet.is_file() else None,
            "imposed": paths.imposed if paths.imposed.is_file() else None,
            "press": paths.press if paths.press.is_file() else None,
            "ecran": paths.ecran if paths.ecran.is_file() else None,
            "copies": [c for c in copies if c.is_file()], "participants": len(copies),
            "copies-ecran": [c for c in screen_copies if c.is_file()],
            "kit": kit_files.deck if kit_files.deck.is_file() else None,
            "kit-sheets": kit_files.sheets(kit.sheet) if kit_files.sheets(kit.sheet).is_file() else None}


KIT_SHEETS = ("A4", "Letter", "A3", "SRA3")  # as `nuancier kit --sheet`


def _kit_choice(slug: str, session) -> KitChoice:
    """Return the kit asked last in the atelier, else the one the session declares, else one A4 copy."""
    asked = atelier().builder.kit_choice(slug)
    if asked is not None:
        return asked
    declared = getattr(session, "kit", None)
    if declared is not None:
        return KitChoice(declared.copies.count, str(declared.feuille))
    return KitChoice()


@bp.get("/sessions/<slug>/preview")
def preview(slug: str):
    """The booklet's pages as images, the build's progress and the downloads."""
    loaded = _loaded(slug)
    stamp, pages = preview_pages(atelier().out, slug)
    spreads = [[pages[0]]] + [pages[i:i + 2] for i in range(1, len(pages), 2)] if pages else []
    kit_stamp, kit_pages = preview_pages(atelier().out, kit_key(slug))
    return page("preview.html", slug=slug, session=loaded.session, loaded=loaded, stamp=stamp, spreads=spreads,
                pages=pages, outputs=_outputs(slug, loaded.session), job=atelier().builder.job(slug),
                kit=_kit_choice(slug, loaded.session), kit_job=atelier().builder.job(kit_key(slug)),
                kit_stamp=kit_stamp, kit_pages=kit_pages, kit_sheets=KIT_SHEETS, max_copies=MAX_COPIES)


@bp.post("/sessions/<slug>/build")
def build_booklet(slug: str):
    """Start building the booklet, its previews and the personal copies."""
    _loaded(slug)
    atelier().builder.request(slug)
    return redirect(url_for("atelier.preview", slug=slug), 303)


@bp.post("/sessions/<slug>/kit")
def build_kit(slug: str):
    """Start building the session's kit with the copies and the sheet chosen."""
    _loaded(slug)
    try:
        copies = int(request.form.get("copies", "1"))
    except ValueError:
        copies = 0
    sheet = request.form.get("sheet", "A4")
    if not 1 <= copies <= MAX_COPIES or sheet not in KIT_SHEETS:
        wanted = _("Choose from 1 to %(max)d copies and one of the sheets offered.")
        abort(400, description=wanted % {"max": MAX_COPIES})
    atelier().builder.request_kit(slug, KitChoice(copies, sheet))
    return redirect(url_for("atelier.preview", slug=slug) + "#kit", 303)


@bp.get("/jobs/<key>.json")
def job(key: str):
    """The progress of the latest build of a session, of its kit, or of the deck."""
    if key != "deck":
        atelier().store.path(key.removesuffix("~kit"))  # refuses a key that is not a safe name
    found = atelier().builder.job(key)
    if found is None:
        return {"key": key, "state": "none", "steps": [], "lines": [], "number": 0, "elapsed": 0}
    return found.as_json(_)


@bp.get("/sessions/<slug>/pages/<stamp>/<int:number>.png")
def page_image(slug: str, stamp: str, number: int):
    """One page preview of the booklet."""
    return _preview_image(slug, slug, stamp, number)


@bp.get("/sessions/<slug>/kit/<stamp>/<int:number>.png")
def kit_image(slug: str, stamp: str, number: int):
    """One side of the kit's first sheet."""
    return _preview_image(slug, kit_key(slug), stamp, number)


def _preview_image(slug: str, key: str, stamp: str, number: int):
    atelier().store.path(slug)
    if not stamp.isalnum():
        abort(404)
    path = previews_folder(atelier().out, key) / stamp / f"page-{number:03d}.png"
    if not path.is_file():
        abort(404)
    return send_file(path.resolve(), mimetype="image/png", max_age=3600)


@bp.get("/sessions/<slug>/download/<kind>")
def download(slug: str, kind: str):
    """The booklet, its impositions, its screen edition, the kit and its sheets, or the personal copies as a zip."""
    loaded = _loaded(slug)
    outputs = _outputs(slug, loaded.session)
    if kind in ("booklet.pdf", "imposed.pdf", "press.pdf", "ecran.pdf", "kit.pdf", "kit-sheets.pdf"):
        path = outputs[kind.removesuffix(".pdf")]
        if path is None:
            abort(404, description=_("This file is not built yet: build it first."))
        return send_file(path.resolve(), mimetype="application/pdf", as_attachment=True, download_name=path.name,
                         max_age=0)
    if kind == "copies.zip":
        return _zip(outputs["copies"], f"booklet-{slug}-participants.zip")
    if kind == "copies-ecran.zip":
        return _zip(outputs["copies-ecran"], f"booklet-{slug}-participants-ecran.zip")
    abort(404)


def _zip(copies: list, name: str):
    if not copies:
        abort(404, description=_("The personal copies are not built yet: build the booklet first."))
    spooled = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - send_file closes it
    with zipfile.ZipFile(spooled, "w", zipfile.ZIP_STORED) as archive:  # PDFs are compressed already
        for path in copies:
            archive.write(path, path.name)
    spooled.seek(0)
    return send_file(spooled, mimetype="application/zip", as_attachment=True,
                     download_name=name, max_age=0)

