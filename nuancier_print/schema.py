"""The content schema, declared once.

Every content file is described here as a dataclass. Each field carries a
one-line description (shown by ``nuancier schema`` and in editors), and the
loader (:mod:`nuancier_print.load`), the validator and the JSON Schema export
(:mod:`nuancier_print.jsonschema`) all read these declarations: nothing else
lists the fields.

YAML keys are the French snake_case words of the printed headings, so that
editors recognise them.

Field types understood by the loader:

* ``str``: one piece of text (any YAML scalar, taken exactly as written);
* ``list[str]``: a list of texts; a single text is accepted as a list of one;
* ``Cmyk``: four numbers from 0 to 100 (cyan, magenta, yellow, black);
* ``Length``: a length with a unit, for example ``99mm`` or ``0.5in``;
* ``Numero``: a teinte number such as ``2.4``; ``FamilleNumero``: ``2``;
* a :class:`Number` type (``Shift``, ``Angle``, ``Scale``): a YAML number within its range;
* another dataclass: a nested mapping; ``list[...]`` of one: a list of them;
* ``dict[str, ...]``: a mapping whose keys are names chosen by the user (printers).
"""

from __future__ import annotations

import dataclasses
import math
import re
import types
import typing
from dataclasses import dataclass
from typing import Any

from .i18n import N_

MISSING = dataclasses.MISSING


def doc(description: str, default: Any = MISSING):
    """Declare a field with its description (and its default when optional).

    The description is English, marked with ``N_`` where it is written: messages
    show it translated (``_(field.metadata["doc"])``); the JSON Schema files keep
    it in English, so that they are the same whoever writes them.
    """
    meta = {"doc": description}
    if default is MISSING:
        return dataclasses.field(metadata=meta)
    if isinstance(default, (list, dict)):
        return dataclasses.field(default_factory=lambda: type(default)(default), metadata=meta)
    return dataclasses.field(default=default, metadata=meta)


# --- Scalar value types ----------------------------------------------------


class Cmyk(tuple):
    """A CMYK colour as four percentages: cyan, magenta, yellow, black."""

    @property
    def css(self) -> str:
        """Return the colour as CSS ``device-cmyk()``."""
        return "device-cmyk({})".format(" ".join(_fmt(v / 100) for v in self))

    @property
    def rgb(self) -> tuple[float, float, float]:
        """Return a naive RGB approximation (0..1), for screen previews only."""
        c, m, y, k = (v / 100 for v in self)
        return tuple((1 - x) * (1 - k) for x in (c, m, y))


def _fmt(value: float) -> str:
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return text or "0"


class Length(float):
    """A length in millimetres, written in YAML with its unit (``99mm``)."""

    UNITS = {"mm": 1.0, "cm": 10.0, "in": 25.4, "pt": 25.4 / 72, "px": 25.4 / 96}
    PATTERN = re.compile(r"^\s*(-?\d+(?:[.,]\d+)?)\s*(mm|cm|in|pt|px)\s*$")

    @property
    def css(self) -> str:
        """Return the length as CSS millimetres."""
        return f"{_fmt(float(self))}mm"


class Numero(str):
    """A teinte number: famille number, dot, position (``2.4``)."""

    PATTERN = re.compile(r"^([1-9][0-9]?)\.([1-9][0-9]?)$")

    @property
    def famille(self) -> str:
        """Return the number of the famille this teinte belongs to."""
        return self.split(".")[0]

    @property
    def rang(self) -> int:
        """Return the position of the teinte within its famille."""
        return int(self.split(".")[1])

    @property
    def slug(self) -> str:
        """Return the number with a dash, for file names (``2-4``)."""
        return self.replace(".", "-")

    def sort_key(self) -> tuple[int, int]:
        """Sort numerically: 1.2 before 1.10."""
        famille, rang = self.split(".")
        return int(famille), int(rang)


class FamilleNumero(str):
    """A famille number (``2``)."""

    PATTERN = re.compile(r"^[1-9][0-9]?$")


class Copies(str):
    """A number of copies: a whole number from 1 to 50."""

    PATTERN = re.compile(r"^(?:[1-9]|[1-4][0-9]|50)$")

    @property
    def count(self) -> int:
        """Return the number."""
        return int(self)


class Feuille(str):
    """A sheet to print cards on: a print shop's `A3` or `SRA3`, an office printer's `A4` or `Letter`."""

    CHOICES = ("A3", "SRA3", "A4", "Letter")


class Number(float):
    """A number written as a YAML number (``0.8``, ``-1``), within :attr:`RANGE`; each subclass sets its own."""

    RANGE: tuple[float, float] = (-math.inf, math.inf)
    UNIT = ""  # what the number counts, for messages (marked with N_): "mm", "degrees"


class Shift(Number):
    """A distance in mm, either way: the largest a printer's duplex error plausibly is."""

    RANGE = (-20.0, 20.0)
    UNIT = N_("mm")


class Angle(Number):
    """A small rotation in degrees, anticlockwise."""

    RANGE = (-5.0, 5.0)
    UNIT = N_("degrees")


class Scale(Number):
    """A scale factor close to 1."""

    RANGE = (0.9, 1.1)


# --- Deck content ----------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Reference:
    """A resource or an inspiring reference: its text and an optional URL."""

    texte: str = doc(N_("The reference as printed: title, authors, year, publisher."))
    url: str | None = doc(N_("A web address, printed short and clickable in the PDF."), None)
    url_2: str | None = doc(N_("A second web address, when the source gives two."), None)

    SHORTHAND = "texte"  # a plain string stands for {texte: ...}


@dataclass(frozen=True, kw_only=True)
class Module:
    """The "exemple de module" on the verso of a teinte."""

    titre: str | None = doc(N_("The module's title, without quotes; leave out if the source has none."), None)
    modalites: list[str] = doc(N_("Modalités: format, duration, group size."), [])
    deroule: list[str] = doc(N_("Déroulé: the steps of the module."), [])
    publics: list[str] = doc(N_("Publics: who the module is for."), [])
    profil_formateurs: list[str] = doc(N_("Profil du(des) formateur(s)."), [])


@dataclass(frozen=True, kw_only=True)
class Incomplete:
    """A place where the source itself is unfinished, kept visible on purpose."""

    champ: str = doc(N_("The field that is unfinished, for example `ressources` or `module.titre`."))
    note: str = doc(N_("What is missing, in a few words, for the editors."))


@dataclass(frozen=True, kw_only=True)
class Teinte:
    """A teinte: one training theme, printed as one card (recto and verso)."""

    numero: Numero = doc(N_("The teinte number, famille then position: `2.4`."))
    titre: str = doc(N_("The title, in sentence case (the layout sets the capitals)."))
    couleur: Cmyk | None = doc(N_("This teinte's shade of its famille colour, as CMYK percentages."), None)
    ressources: list[Reference] = doc(N_("Ressources (recto)."), [])
    references_inspirantes: list[Reference] = doc(N_("Références inspirantes (recto)."), [])
    champ_lexical: list[str] = doc(N_("Champ lexical (verso): one word or phrase per item."), [])
    finalites: list[str] = doc(N_("Finalités (verso)."), [])
    competences: list[str] = doc(N_("Compétences et savoir-faire (verso)."), [])
    savoir_etre: list[str] = doc(N_("Savoir-être (verso)."), [])
    exemples_de_contenus: list[str] = doc(N_("Exemples de contenus (verso)."), [])
    module: Module | None = doc(N_("Exemple de module (verso)."), None)
    a_completer: list[Incomplete] = doc(N_("Places where the source is unfinished; each is a warning."), [])


@dataclass(frozen=True, kw_only=True)
class Famille:
    """A famille: a colour of the nuancier, grouping several teintes."""

    numero: FamilleNumero = doc(N_("The famille number, 1 to 7."))
    titre: str = doc(N_("The famille title, in sentence case."))
    couleur: Cmyk = doc(N_("The famille colour, as CMYK percentages [c, m, y, k]."))
    introduction: list[str] = doc(N_("The introduction, one item per paragraph."), [])


@dataclass(frozen=True, kw_only=True)
class FamilleList:
    """The file `content/familles.yaml`: all familles in one list."""

    familles: list[Famille] = doc(N_("The familles, in order."))


@dataclass(frozen=True, kw_only=True)
class Section:
    """A titled block of text: a part of the mode d'emploi, or a conseil."""

    titre: str = doc(N_("The heading of the block."))
    texte: list[str] = doc(N_("The text, one item per paragraph."))


@dataclass(frozen=True, kw_only=True)
class Contact:
    """A person to contact about the nuancier."""

    nom: str = doc(N_("First name and surname."))
    email: str = doc(N_("E-mail address."))


@dataclass(frozen=True, kw_only=True)
class Conseils:
    """The closing advice: "Quelques conseils pratiques"."""

    titre: str = doc(N_("The heading, for example `Quelques conseils pratiques pour une (bonne) formation`."))
    conseils: list[Section] = doc(N_("The pieces of advice, each with a heading and its text."))


FORMAT_PRESETS = {
    "DL": (99.0, 210.0),
    "A6": (105.0, 148.0),
    "A5": (148.0, 210.0),
}


@dataclass(frozen=True, kw_only=True)
class Format:
    """The trimmed size of a card and its bleed."""

    taille: str | None = doc(N_("A preset size: `DL` (99 × 210 mm) or `A6` (105 × 148 mm)."), None)
    largeur: Length | None = doc(N_("The trimmed width, when no preset is given, e.g. `99mm`."), None)
    hauteur: Length | None = doc(N_("The trimmed height, when no preset is given, e.g. `210mm`."), None)
    fond_perdu: Length = doc(N_("The bleed on every side, e.g. `3mm`."), Length(3.0))

    @property
    def size(self) -> tuple[float, float]:
        """Return the trimmed (width, height) in mm."""
        if self.largeur is not None and self.hauteur is not None:
            return float(self.largeur), float(self.hauteur)
        return FORMAT_PRESETS[self.taille or "DL"]


@dataclass(frozen=True, kw_only=True)
class Nuancier:
    """The file `content/nuancier.yaml`: the deck's metadata and format."""

    titre: str = doc(N_("The deck title, in sentence case."))
    editeur: str = doc(N_("Who publishes the nuancier: `La 27e Région`."))
    programme: str = doc(N_("The programme it belongs to: `RÉ•ACTEUR PUBLIC`."))
    mention: str = doc(N_("The cover line: who produced it and in which programme."))
    mode_emploi: list[Section] = doc(N_("The mode d'emploi: its titled blocks, in order."))
    contacts: list[Contact] = doc(N_("The people to contact."), [])
    licence: str = doc(N_("The licence paragraph, verbatim."))
    conseils_pratiques: Conseils | None = doc(N_("Quelques conseils pratiques (the closing card)."), None)
    credits: list[str] = doc(N_("Extra credit lines for the closing card."), [])
    format: Format = doc(N_("The card format: preset or size, and bleed."), Format())


# --- Session (participant booklet) -----------------------------------------


@dataclass(frozen=True, kw_only=True)
class Personne:
    """A person: a trainer; participants are :class:`Participant`, with a role."""

    nom: str = doc(N_("First name and surname, as printed."))
    service: str | None = doc(N_("Their service or organisation."), None)

    SHORTHAND = "nom"


@dataclass(frozen=True, kw_only=True)
class Participant(Personne):
    """A participant: a person, and the role they hold in their service."""

    role: str | None = doc(N_("Their role or job title, e.g. `chargée de mission`."), None)


@dataclass(frozen=True, kw_only=True)
class MiseEnSituation:
    """A mise en situation the group lived during the session."""

    titre: str = doc(N_("A short title."))
    description: list[str] = doc(N_("What happened, one item per paragraph."), [])
    photo: str | None = doc(N_("A photo file next to the session file (JPEG or PNG)."), None)
    legende: str | None = doc(N_("A caption for the photo."), None)
    alt: str | None = doc(N_("The photo's alternative text (« texte alternatif »): what it shows, in a sentence, for "
                             "those who cannot see it (screen readers read it in the booklet's screen edition); "
                             "without it, the caption is used, or else the title."), None)


@dataclass(frozen=True, kw_only=True)
class Citation:
    """A quote or a note from the participants' critical reading."""

    texte: str = doc(N_("The quote or note."))
    auteur: str | None = doc(N_("Who said it; leave out for an anonymous quote."), None)

    SHORTHAND = "texte"


@dataclass(frozen=True, kw_only=True)
class TeinteVecue:
    """What the session lived for one teinte."""

    numero: Numero = doc(N_("The teinte number, e.g. `2.2`."))
    mises_en_situation: list[MiseEnSituation] = doc(N_("Mises en situation vécues."), [])
    lecture_critique: list[Citation] = doc(N_("Lecture critique des participants."), [])


@dataclass(frozen=True, kw_only=True)
class Kit:
    """A deck of a session's teintes, in as many copies as the workshop has tables."""

    copies: Copies = doc(N_("How many copies to print, one per table: 1 to 50."), Copies("1"))
    feuille: Feuille = doc(N_("The sheet: `A4` or `Letter` for an office printer (two cards a sheet), "
                           "`A3` or `SRA3` for a print shop."), Feuille("A4"))


@dataclass(frozen=True, kw_only=True)
class Session:
    """A training session: the file `content/sessions/<slug>.yaml`."""

    titre: str = doc(N_("The title of the formation."))
    commanditaire: str = doc(N_("Who commissioned the training."))
    lieu: str = doc(N_("Where it took place."))
    dates: list[str] = doc(N_("The dates, as they should be printed, e.g. `12 mars 2026`."))
    formateurs: list[Personne] = doc(N_("The trainers."))
    participants: list[Participant] = doc(N_("The participants."), [])
    teintes: list[TeinteVecue] = doc(N_("The teintes covered, in the order they were lived."))
    mot_introduction: list[str] = doc(N_("An optional introduction word, one item per paragraph."), [])
    programme: list[Section] = doc(N_("The programme of the days: one block per day."), [])
    fictif: bool = doc(N_("True for an example session that did not take place."), False)
    kit: Kit | None = doc(N_("A deck of the session's teintes to print for its workshop, made by `nuancier build`."),
                          None)
    badges_a_completer: bool = doc(N_("False to leave out of the booklet the « à compléter » marks where the "
                                      "source is unfinished."), True)


# --- Office printers --------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Printer:
    """An office printer's duplex correction, measured with the sheet of `nuancier calibrate`."""

    dx: Shift = doc(N_("How far to move the backs to the right, in mm (negative: to the left)."), Shift(0.0))
    dy: Shift = doc(N_("How far to move the backs up, in mm (negative: down)."), Shift(0.0))
    rotation: Angle = doc(N_("How far to turn the backs anticlockwise, in degrees."), Angle(0.0))
    scale: Scale = doc(N_("How much to enlarge the backs: 1 leaves them as they are."), Scale(1.0))


# The file `content/printers.yaml`: each printer's correction under the name given to `--printer`.
Printers = dict[str, Printer]


ROOTS = {
    "nuancier": Nuancier,
    "familles": FamilleList,
    "famille": Famille,
    "teinte": Teinte,
    "session": Session,
    "printers": Printers,
}


def fields_of(cls) -> list[dataclasses.Field]:
    """Return the declared fields of a schema class."""
    return list(dataclasses.fields(cls))


def field_paths(cls, prefix: str = "") -> list[str]:
    """Return every dotted field path of a class (nested dataclasses expanded).

    For a mapping of names (``dict[str, X]``), the paths are those of ``X``.
    """
    if typing.get_origin(cls) is dict:
        return field_paths(typing.get_args(cls)[1], prefix)
    hints = typing.get_type_hints(cls)
    paths = []
    for f in dataclasses.fields(cls):
        path = prefix + f.name
        paths.append(path)
        inner, _ = unwrap(hints[f.name])
        if dataclasses.is_dataclass(inner):
            paths.extend(field_paths(inner, path + "."))
    return paths


def unwrap(tp) -> tuple[Any, bool]:
    """Split ``X | None`` into (X, True); return (tp, False) otherwise."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return args[0], True
    return tp, False
