"""The forms of the atelier: session file ↔ form values, and problems ↔ the fields they concern.

A form is made from the plain model of a session (:func:`yamlwrite.plain`)
and gives back a new plain model; what a screen does not show (the lived
teintes' mises en situation on the compose screen, for instance) is carried
over from the file unchanged. Each problem, the loader's or the form's own,
is placed next to the field it is about (:func:`field_key`).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

from ..errors import Problem
from . import people
from .security import UploadProblem, checked_photo, photo_name
from .texts import _

SIMPLE = ("titre", "commanditaire", "lieu")
LISTED = ("dates", "formateurs", "participants", "mot_introduction")


@dataclass
class Feedback:
    """Problems placed by field key: ``titre``, ``participants``, ``mise-0-1``… (``""``: the whole form)."""

    errors: dict[str, list[str]] = field(default_factory=dict)
    warnings: dict[str, list[str]] = field(default_factory=dict)

    def add(self, key: str, message: str, warning: bool = False) -> None:
        """Add a message for a field."""
        (self.warnings if warning else self.errors).setdefault(key, []).append(message)

    def place(self, problems: list[Problem], shown: set[str]) -> None:
        """Add the loader's problems next to their fields; those about fields not ``shown`` go on top."""
        for problem in problems:
            key, prefix = field_key(problem.field)
            if key not in shown:
                key = ""
            where = f"{problem.where}: " if key == "" and problem.where.line else ""
            self.add(key, f"{where}{prefix}{problem.message}", not problem.is_error)

    def __bool__(self) -> bool:
        return bool(self.errors)


def field_key(path: str) -> tuple[str, str]:
    """Return the form key a loader field path belongs to, and a prefix naming the line or item."""
    match = re.match(r"teintes\[(\d+)\]\.(mises_en_situation|lecture_critique)\[(\d+)\]", path)
    if match:
        kind = "mise" if match[2] == "mises_en_situation" else "citation"
        return f"{kind}-{match[1]}-{match[3]}", ""
    match = re.match(r"(formateurs|participants|dates|programme)\[(\d+)\]", path)
    if match:
        if match[1] == "programme":
            return f"programme-{match[2]}", ""
        return match[1], _("Line {n}: ").format(n=int(match[2]) + 1)
    top = re.match(r"[a-z_]+", path or "")
    return (top[0] if top else ""), ""


def required(form, feedback: Feedback, name: str) -> str:
    """Return a required one-line text, or note that it is missing."""
    value = " ".join((form.get(name) or "").split())
    if not value:
        feedback.add(name, _("This field is required."))
    return value


def lines(text: str | None) -> list[str]:
    """Return the non-empty lines of a text area, each on one line."""
    return [" ".join(line.split()) for line in (text or "").splitlines() if line.strip()]


def paragraphs(text: str | None) -> list[str]:
    """Return the paragraphs of a text area (separated by empty lines), each on one line."""
    blocks = re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n"))
    return [" ".join(block.split()) for block in blocks if block.strip()]


# --- compose ---------------------------------------------------------------------------------


def compose_values(data: dict) -> dict:
    """Return the compose form's values for a session's plain model."""
    values = {name: data.get(name, "") for name in SIMPLE}
    values["dates"] = "\n".join(data.get("dates", []))
    values["formateurs"] = people.people_text([_person(p) for p in data.get("formateurs", [])], with_role=False)
    values["participants"] = people.people_text([_person(p) for p in data.get("participants", [])])
    values["mot_introduction"] = "\n\n".join(data.get("mot_introduction", []))
    values["programme"] = [{"titre": s.get("titre", ""), "texte": "\n".join(s.get("texte", []))}
                           for s in data.get("programme", [])]
    values["teintes"] = [str(t["numero"]) for t in data.get("teintes", [])]
    return values


def _person(item) -> people.Person:
    if isinstance(item, str):
        return people.Person(item)
    return people.Person(item.get("nom", ""), item.get("service", ""), item.get("role", ""))


def compose_form_values(form) -> dict:
    """Return the compose form's values as submitted (to show them again)."""
    values = {name: form.get(name, "") for name in (*SIMPLE, *LISTED)}
    values["programme"] = [{"titre": form.get(f"programme-{i}-titre", ""),
                            "texte": form.get(f"programme-{i}-texte", "")}
                           for i in range(_count(form, "programme-", "-titre"))]
    values["teintes"] = form.getlist("teinte")
    return values


def _count(form, prefix: str, suffix: str) -> int:
    numbers = [int(m[1]) for key in form for m in [re.fullmatch(rf"{prefix}(\d+){suffix}", key)] if m]
    return min(max(numbers, default=-1) + 1, 100)


def compose_data(form, base: dict, known: set[str], feedback: Feedback) -> dict:
    """Return the new plain model from the compose form, on top of ``base`` (the file's model)."""
    data = copy.deepcopy(base)
    for name in SIMPLE:
        data[name] = required(form, feedback, name)
    data["dates"] = lines(form.get("dates"))
    if not data["dates"]:
        feedback.add("dates", _("Give at least one date."))
    data["formateurs"] = _people(form, "formateurs", feedback, columns=2)
    if not data["formateurs"]:
        feedback.add("formateurs", _("Give at least one trainer."))
    data["participants"] = _people(form, "participants", feedback, columns=3)
    data["mot_introduction"] = paragraphs(form.get("mot_introduction"))
    data["programme"] = _programme(form)
    data["teintes"] = _teintes(form.getlist("teinte"), base, known, feedback)
    return data


def _people(form, name: str, feedback: Feedback, columns: int) -> list[dict]:
    rows = people.parse_people(form.get(name), columns)
    for number, cells in rows:
        if not cells or not cells[0]:
            feedback.add(name, _("Line {n}: the name is missing.").format(n=number))
    return [p.plain(with_role=columns == 3) for p in people.to_people(rows) if p.nom]


def _programme(form) -> list[dict]:
    blocks = []
    for i in range(_count(form, "programme-", "-titre")):
        titre = " ".join((form.get(f"programme-{i}-titre") or "").split())
        texte = lines(form.get(f"programme-{i}-texte"))
        if titre or texte:
            blocks.append({"titre": titre or _("Day {n}").format(n=len(blocks) + 1), "texte": texte})
    return blocks


def _teintes(numeros: list[str], base: dict, known: set[str], feedback: Feedback) -> list[dict]:
    lived = {str(t["numero"]): t for t in base.get("teintes", [])}
    chosen, seen = [], set()
    for numero in numeros:
        if numero not in known or numero in seen:
            continue
        seen.add(numero)
        chosen.append(lived.get(numero, {"numero": numero}))
    if not chosen:
        feedback.add("teintes", _("Pick at least one teinte."))
    return chosen


# --- after the session -----------------------------------------------------------------------


def after_data(form, files, base: dict, slug: str, authors: set[str], feedback: Feedback):
    """Return the new plain model and the new photos ({name: bytes}) from the after-session form."""
    data = copy.deepcopy(base)
    photos: dict[str, bytes] = {}
    taken = set()
    for i, vecue in enumerate(data.get("teintes", [])):
        vecue["mises_en_situation"] = _mises(form, files, i, vecue, slug, photos, taken, feedback)
        vecue["lecture_critique"] = _citations(form, i, vecue, authors, feedback)
    return data, photos


def _mises(form, files, i, vecue, slug, photos, taken, feedback) -> list[dict]:
    out = []
    before = vecue.get("mises_en_situation", [])
    for j in range(len(before) + 1):
        key = f"mise-{i}-{j}"
        if form.get(f"{key}-delete"):
            continue
        mise = {"titre": " ".join((form.get(f"{key}-titre") or "").split()),
                "description": paragraphs(form.get(f"{key}-description")),
                "photo": None if form.get(f"{key}-photo-remove") else (form.get(f"{key}-photo-keep") or None),
                "legende": " ".join((form.get(f"{key}-legende") or "").split()) or None,
                "alt": " ".join((form.get(f"{key}-alt") or "").split()) or None}
        kept = mise["photo"]
        upload = files.get(f"{key}-photo")
        if upload is not None and upload.filename:
            mise["photo"] = _photo(upload, key, slug, photos, taken, feedback) or mise["photo"]
        old = before[j] if j < len(before) else {}
        if not mise["photo"] or mise["photo"] != kept and mise["alt"] == old.get("alt"):
            mise["alt"] = None  # it described the photo that is gone (unless the field was rewritten with the new one)
        if not (mise["titre"] or mise["description"] or mise["photo"] or mise["legende"]):
            continue
        if not mise["titre"]:
            feedback.add(key, _("Give this mise en situation a title."))
        out.append({k: v for k, v in mise.items() if v})
    return out


def _photo(upload, key, slug, photos, taken, feedback) -> str | None:
    try:
        photo = checked_photo(upload.read(security_limit()))
    except UploadProblem as exc:
        feedback.add(key, str(exc))
        return None
    name = photo_name(upload.filename, photo.extension, taken | _existing(slug))
    taken.add(name)
    photos[f"{slug}/{name}"] = photo.data
    return f"{slug}/{name}"


def security_limit() -> int:
    """Return how many bytes of an upload to read: one more than a photo may have."""
    from .security import MAX_PHOTO_BYTES

    return MAX_PHOTO_BYTES + 1


def _existing(slug: str) -> set[str]:
    from flask import current_app

    folder = current_app.extensions["atelier"].store.folder / slug
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def _citations(form, i, vecue, authors, feedback) -> list[dict]:
    out = []
    for j in range(len(vecue.get("lecture_critique", [])) + 2):
        key = f"citation-{i}-{j}"
        texte = " ".join((form.get(f"{key}-texte") or "").split())
        if form.get(f"{key}-delete") or not texte:
            continue
        auteur = form.get(f"{key}-auteur") or None
        if auteur is not None and auteur not in authors:
            feedback.add(key, _("Pick the author from the list of participants, or leave the quote anonymous."))
            auteur = None
        out.append({"texte": texte, "auteur": auteur} if auteur else {"texte": texte})
    return out

