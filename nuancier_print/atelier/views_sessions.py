"""Screen 2, « Composer une session »: the list of sessions, a new session, and the compose form.

Saving writes ``content/sessions/<slug>.yaml`` (see :mod:`.store`); the
participants can be pasted, or imported from a CSV or XLSX file into the
form first (nothing is written until the trainer saves).
"""

from __future__ import annotations

import re

from flask import abort, flash, redirect, request, session, url_for

from ..errors import ContentError
from . import forms, people, yamlwrite
from .security import plain_name, valid_slug
from .store import ABSENT, Conflict, Invalid
from .texts import _, ngettext
from .views_nuancier import fan
from .web import atelier, bp, page

COMPOSE_FIELDS = {"", "slug", "titre", "commanditaire", "lieu", "dates", "formateurs", "participants",
                  "mot_introduction", "programme", "teintes"}


def remember(slug: str) -> None:
    """Make ``slug`` the session the navigation's screens open."""
    session["slug"] = slug


@bp.app_context_processor
def current_session():
    """Give every page the session the navigation points to, if it still exists."""
    slug = session.get("slug")
    if slug and not (valid_slug(slug) and atelier().store.path(slug).is_file()):
        slug = None
    return {"current_slug": slug}


@bp.get("/sessions")
def sessions():
    """The sessions of the content folder."""
    store = atelier().store
    listed = []
    for slug in store.slugs():
        loaded = store.read(slug)
        listed.append({"slug": slug, "session": loaded.session, "problems": [str(p) for p in loaded.problems]})
    return page("sessions.html", sessions=listed)


@bp.get("/sessions/<slug>/state.json")
def state(slug: str):
    """The digest of the session file now, so an open page sees a change made on disk."""
    loaded = atelier().store.read(slug)
    return {"digest": loaded.digest, "exists": loaded.exists}


def _deck():
    try:
        content = atelier().store.content()
    except ContentError as exc:
        return None, exc.lines()
    return content, []


def _compose_page(slug: str | None, values: dict, base: str, feedback: forms.Feedback, status: int = 200,
                  conflict=None, new: bool = False):
    content, problems = _deck()
    if content is None:
        return page("problems.html", 200, problems=problems)
    familles = fan(content)
    titles = {t["numero"]: t for f in familles for t in f["teintes"]}
    lived = _lived(slug) if slug else {}
    return page("compose.html", status, slug=slug, values=values, base=base, feedback=feedback, new=new,
                familles=familles, titles=titles, lived=lived, conflict=conflict)


def _lived(slug: str) -> dict:
    """Return, per teinte number, how many mises en situation and quotes the file holds for it."""
    loaded = atelier().store.read(slug)
    if loaded.session is None:
        return {}
    return {str(v.numero): (len(v.mises_en_situation), len(v.lecture_critique)) for v in loaded.session.teintes}


@bp.get("/sessions/new")
def new_session():
    """An empty compose form."""
    values = forms.compose_values({})
    values["slug"] = ""
    values["programme"] = [{"titre": "", "texte": ""}]
    return _compose_page(None, values, ABSENT, forms.Feedback(), new=True)[0]


@bp.post("/sessions/new")
def create_session():
    """Create a session file from the compose form (or import participants into it)."""
    values = forms.compose_form_values(request.form)
    values["slug"] = request.form.get("slug", "")
    feedback = forms.Feedback()
    slug = _new_slug(request.form, feedback)
    if request.form.get("action") == "import":
        return _import(None, values, ABSENT, new=True)
    if slug and atelier().store.path(slug).exists():
        feedback.add("slug", _("A session file with this name already exists; choose another name."))
    if feedback:
        forms.compose_data(request.form, {}, _known(), feedback)
        return _compose_page(None, values, ABSENT, feedback, 400, new=True)
    return _save(slug, {}, ABSENT, values, new=True)


def _new_slug(form, feedback: forms.Feedback) -> str | None:
    """Return the file name of a new session: the one typed (made safe), else one made from its title."""
    typed = (form.get("slug") or "").strip()
    if re.search(r"[./\\:\x00-\x1f]", typed):
        feedback.add("slug", _("A file name may hold only letters, digits and dashes."))
        return None
    slug = plain_name(typed or form.get("titre", ""), "")
    if not valid_slug(slug):
        feedback.add("slug", _("Give the session a title or a file name."))
        return None
    return slug


def _known() -> set[str]:
    content, _problems = _deck()
    return {str(t.numero) for t in content.teintes} if content else set()


@bp.get("/sessions/<slug>/compose")
def compose(slug: str):
    """The compose form of an existing session, with the problems of its file next to their fields."""
    store = atelier().store
    loaded = store.read(slug)
    if not loaded.exists:
        abort(404)
    remember(slug)
    if loaded.session is None:
        return page("file_problems.html", 200, slug=slug, loaded=loaded)
    base = yamlwrite.plain(loaded.session)
    feedback = forms.Feedback()
    feedback.place(store.validate(slug, loaded.text, base, {}), COMPOSE_FIELDS)
    return _compose_page(slug, forms.compose_values(base), loaded.digest, feedback)[0]


@bp.post("/sessions/<slug>/compose")
def save_compose(slug: str):
    """Save the compose form, import participants into it, or overwrite after a conflict."""
    store = atelier().store
    values = forms.compose_form_values(request.form)
    base_digest = request.form.get("base", "")
    if request.form.get("action") == "import":
        return _import(slug, values, base_digest)
    if request.form.get("action") == "overwrite":
        base_digest = request.form.get("disk", "")
    loaded = store.read(slug)
    if not loaded.exists:
        abort(404)
    if loaded.session is None:
        return page("file_problems.html", 409, slug=slug, loaded=loaded)
    return _save(slug, yamlwrite.plain(loaded.session), base_digest, values)


def _save(slug: str, base: dict, base_digest: str, values: dict, new: bool = False):
    feedback = forms.Feedback()
    data = forms.compose_data(request.form, base, _known(), feedback)
    if feedback:
        return _compose_page(None if new else slug, values, base_digest, feedback, 400, new=new)
    try:
        store = atelier().store
        written = store.save(slug, base_digest, data)
    except Conflict as exc:
        return _compose_page(None if new else slug, values, base_digest, feedback, 409, conflict=exc.loaded,
                             new=new)
    except Invalid as exc:
        feedback.place(exc.problems, COMPOSE_FIELDS)
        return _compose_page(None if new else slug, values, base_digest, feedback, 400, new=new)
    remember(slug)
    _after_save(slug, written)
    return redirect(url_for("atelier.compose", slug=slug), 303)


def _after_save(slug: str, written) -> None:
    """Tell the trainer what was written, and rebuild the booklet in the background."""
    flash(_("Saved: {file}").format(file=f"content/sessions/{slug}.yaml"), "ok")
    for problem in written.problems:
        flash(str(problem), "warning")
    if atelier().auto_build:
        atelier().builder.request(slug)


def _import(slug: str | None, values: dict, base_digest: str, new: bool = False):
    """Read the participants file sent with the form into the participants field; write nothing."""
    feedback = forms.Feedback()
    upload = request.files.get("participants_file")
    if upload is None or not upload.filename:
        feedback.add("participants", _("Choose a CSV or XLSX file to import."))
        return _compose_page(slug, values, base_digest, feedback, 400, new=new)
    try:
        rows = people.read_table(upload.filename, upload.read(people.MAX_BYTES + 1))
    except people.ImportProblem as exc:
        feedback.add("participants", str(exc))
        return _compose_page(slug, values, base_digest, feedback, 400, new=new)
    found = people.people_from_rows(rows)
    if not found:
        feedback.add("participants", _("No participant was found in this file: is the first column the name?"))
        return _compose_page(slug, values, base_digest, feedback, 400, new=new)
    pasted = values.get("participants", "").strip()
    values["participants"] = "\n".join(t for t in (pasted, people.people_text(found)) if t)
    flash(ngettext("{n} participant imported from {file}; check the list, then save.",
                   "{n} participants imported from {file}; check the list, then save.",
                   len(found)).format(n=len(found), file=upload.filename), "ok")
    return _compose_page(slug, values, base_digest, feedback, new=new)
