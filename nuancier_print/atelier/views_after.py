"""Screen 3, « Après la session »: mises en situation with their photos, and the participants' quotes."""

from __future__ import annotations

import math
import mimetypes

from flask import abort, redirect, request, send_file, url_for

from ..sessions import GOOD_DPI, MIN_DPI, PHOTO_WIDTH_MM
from . import forms, yamlwrite
from .security import inside
from .store import Conflict, Invalid
from .views_nuancier import fan
from .views_sessions import _after_save, remember
from .web import atelier, bp, page


def _authors(session) -> list[str]:
    """Return who may be named as a quote's author: the participants, then anyone the file already names."""
    names = [p.nom for p in session.participants]
    for vecue in session.teintes:
        for citation in vecue.lecture_critique:
            if citation.auteur and citation.auteur not in names:
                names.append(citation.auteur)
    return names


def _after_page(slug, loaded, values, feedback, status=200, conflict=None, reload_only=False):
    content = atelier().store.content()
    titles = {t["numero"]: t for f in fan(content) for t in f["teintes"]}
    return page("after.html", status, slug=slug, session=loaded.session, values=values, base=values["base"],
                titles=titles, authors=_authors(loaded.session), feedback=feedback, conflict=conflict,
                reload_only=reload_only,
                photo_px=[math.ceil(dpi * PHOTO_WIDTH_MM / 25.4) for dpi in (MIN_DPI, GOOD_DPI)])


def after_values(data: dict, digest: str) -> dict:
    """Return the after-session form's values for a session's plain model."""
    teintes = []
    for vecue in data.get("teintes", []):
        mises = [{"titre": m.get("titre", ""), "description": "\n\n".join(m.get("description", [])),
                  "photo": m.get("photo", ""), "legende": m.get("legende", ""), "alt": m.get("alt", "")}
                 for m in vecue.get("mises_en_situation", [])]
        citations = [{"texte": c.get("texte", ""), "auteur": c.get("auteur", "")}
                     for c in vecue.get("lecture_critique", [])]
        teintes.append({"numero": str(vecue["numero"]), "mises": mises + [_blank_mise()],
                        "citations": citations + [_blank_citation(), _blank_citation()]})
    return {"base": digest, "teintes": teintes}


def _blank_mise() -> dict:
    return {"titre": "", "description": "", "photo": "", "legende": "", "alt": "", "new": True}


def _blank_citation() -> dict:
    return {"texte": "", "auteur": "", "new": True}


def submitted_values(form, data: dict, digest: str) -> dict:
    """Return the form's values as submitted, to show them again (uploaded photos must be sent again)."""
    values = after_values(data, digest)
    for i, vecue in enumerate(values["teintes"]):
        for j, mise in enumerate(vecue["mises"]):
            key = f"mise-{i}-{j}"
            mise.update(titre=form.get(f"{key}-titre", ""), description=form.get(f"{key}-description", ""),
                        legende=form.get(f"{key}-legende", ""), alt=form.get(f"{key}-alt", ""),
                        photo=form.get(f"{key}-photo-keep", ""),
                        delete=bool(form.get(f"{key}-delete")))
        for j, citation in enumerate(vecue["citations"]):
            key = f"citation-{i}-{j}"
            citation.update(texte=form.get(f"{key}-texte", ""), auteur=form.get(f"{key}-auteur", ""),
                            delete=bool(form.get(f"{key}-delete")))
    return values


def _fields(values: dict) -> set[str]:
    keys = {""}
    for i, vecue in enumerate(values["teintes"]):
        keys |= {f"mise-{i}-{j}" for j in range(len(vecue["mises"]))}
        keys |= {f"citation-{i}-{j}" for j in range(len(vecue["citations"]))}
    return keys


def _loaded(slug: str):
    loaded = atelier().store.read(slug)
    if not loaded.exists:
        abort(404)
    remember(slug)
    return loaded


@bp.get("/sessions/<slug>/after")
def after(slug: str):
    """The after-session form, with the problems of the file next to their fields."""
    loaded = _loaded(slug)
    if loaded.session is None:
        return page("file_problems.html", 200, slug=slug, loaded=loaded)
    data = yamlwrite.plain(loaded.session)
    values = after_values(data, loaded.digest)
    feedback = forms.Feedback()
    feedback.place(atelier().store.validate(slug, loaded.text, data, {}), _fields(values))
    return _after_page(slug, loaded, values, feedback)[0]


@bp.post("/sessions/<slug>/after")
def save_after(slug: str):
    """Save the mises en situation, photos and quotes."""
    loaded = _loaded(slug)
    if loaded.session is None:
        return page("file_problems.html", 409, slug=slug, loaded=loaded)
    base_digest = request.form.get("disk", "") if request.form.get("action") == "overwrite" \
        else request.form.get("base", "")
    data = yamlwrite.plain(loaded.session)
    values = submitted_values(request.form, data, request.form.get("base", ""))
    feedback = forms.Feedback()
    if request.form.getlist("numero") != [str(v.numero) for v in loaded.session.teintes]:
        return _after_page(slug, loaded, after_values(data, loaded.digest), feedback, 409, conflict=loaded,
                           reload_only=True)
    new, photos = forms.after_data(request.form, request.files, data, slug, set(_authors(loaded.session)),
                                   feedback)
    if feedback:
        return _after_page(slug, loaded, values, feedback, 400)
    try:
        written = atelier().store.save(slug, base_digest, new, photos)
    except Conflict as exc:
        return _after_page(slug, loaded, values, feedback, 409, conflict=exc.loaded)
    except Invalid as exc:
        feedback.place(exc.problems, _fields(values))
        return _after_page(slug, loaded, values, feedback, 400)
    _after_save(slug, written)
    return redirect(url_for("atelier.after", slug=slug), 303)


@bp.get("/sessions/<slug>/photos/<path:name>")
def photo(slug: str, name: str):
    """A photo of the session, as the file names it (only images inside content/sessions/)."""
    store = atelier().store
    store.path(slug)  # refuses a slug that is not a safe name
    path = inside(store.folder, name)
    kind = mimetypes.guess_type(path.name)[0]
    if not path.is_file() or kind not in ("image/jpeg", "image/png"):
        abort(404)
    return send_file(path, mimetype=kind, max_age=0)
