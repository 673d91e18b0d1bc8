"""Workshop kits: the deck of some teintes (a session's, a list, or all), in one copy per table.

A kit is made of complete copies: the cover, then for each teinte its card,
each preceded by its famille's divider whenever the famille changes, then
the closing card. Every card of copy *k* of *n* carries « table k/n » in its
footer, after the edition mark, so that cards mixed on a table can be sorted
again. The kit deck (`out/kits/<name>/kit-<name>.pdf`) holds the copies one
after the other; it is imposed on the chosen sheet so that, once the pile
of sheets is cut, each pile of cards is one copy, in order; the copies
left over by the last sheets are spread over all their places
(:func:`.impose.stack_plan`).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from .content import Content
from .deck import deck_cards
from .edition import Dates
from .errors import BuildError, relative
from .geometry import CardFormat
from .i18n import _, ngettext
from .model import Card, FaceSpec

MAX_COPIES = 50


@dataclass(frozen=True)
class KitSpec:
    """What a kit holds and how it is printed."""

    name: str  # its folder under out/kits/
    teintes: tuple[str, ...] | None  # teinte numbers in order; None: the whole nuancier
    copies: int = 1
    sheet: str = "A4"
    flip: str = "long"
    printer: str | None = None
    session: str | None = None  # the session it was taken from, if any

    @property
    def options(self) -> dict:
        """Return what the manifest records to make the kit again."""
        return {"teintes": list(self.teintes) if self.teintes is not None else None, "copies": self.copies,
                "sheet": self.sheet, "flip": self.flip, "printer": self.printer, "session": self.session}


def kit_of_session(content: Content, slug: str, *, copies: int | None = None, sheet: str | None = None,
                   flip: str = "long", printer: str | None = None) -> KitSpec:
    """Return the kit of a session: its teintes in the order lived, its own kit settings unless given."""
    if slug not in content.sessions:
        if slug in content.session_errors:
            path = content.session_errors[slug][0]
            raise BuildError(_("{file} has errors (above): its kit cannot be made").format(file=relative(path)))
        known = ", ".join(sorted(content.sessions)) or _("none")
        raise BuildError(_("no session named {slug} (the sessions are: {known})").format(slug=slug, known=known))
    session = content.sessions[slug][1]
    declared = session.kit
    return KitSpec(slug, tuple(v.numero for v in session.teintes),
                   _copies(copies if copies is not None else declared.copies.count if declared else 1),
                   sheet or (str(declared.feuille) if declared else "A4"), flip, printer, slug)


def kit_of_teintes(content: Content, numeros: str, *, copies: int = 1, sheet: str = "A4", flip: str = "long",
                   printer: str | None = None, name: str | None = None) -> KitSpec:
    """Return the kit of a list of teinte numbers such as ``3.2,4.1,5.1`` (``all``: the whole nuancier)."""
    if numeros.strip().lower() in ("all", "tout", "tous", "toutes"):
        return KitSpec(name or "nuancier", None, _copies(copies), sheet, flip, printer)
    wanted = [n for n in re.split(r"[\s,;]+", numeros.strip()) if n]
    known = {t.numero for t in content.teintes}
    unknown = [n for n in wanted if n not in known]
    if unknown or not wanted:
        raise BuildError(_("--teintes: {numbers} is not a teinte of the nuancier; give numbers such as "
                           "3.2,4.1,5.1").format(numbers=", ".join(unknown) or _("nothing")))
    ordered = tuple(dict.fromkeys(wanted))
    return KitSpec(name or "teintes-" + "-".join(n.replace(".", "-") for n in ordered), ordered, _copies(copies),
                   sheet, flip, printer)


def kit_asked(content: Content, asked: dict) -> KitSpec:
    """Return the kit a command asked for: ``{"session": slug}``, ``{"teintes": "3.2,4.1"}`` or neither, and options."""
    options = {key: asked[key] for key in ("copies", "sheet", "flip", "printer") if asked.get(key) is not None}
    if asked.get("session"):
        return kit_of_session(content, asked["session"], **options)
    return kit_of_teintes(content, asked.get("teintes") or "all", name=asked.get("name"), **options)


def _copies(count: int) -> int:
    if not 1 <= int(count) <= MAX_COPIES:
        raise BuildError(_("--copies: {count} copies; give a number from 1 to {most}").format(count=count,
                                                                                            most=MAX_COPIES))
    return int(count)


def kit_cards(content: Content, fmt: CardFormat, dates: Dates, teintes: tuple[str, ...] | None) -> list[Card]:
    """Return one copy's cards: the cover, each teinte after its famille's divider, the closing card."""
    cards = deck_cards(content, fmt, dates)
    if teintes is None:
        return cards
    by_key = {card.key: card for card in cards}
    chosen, famille = [by_key["cover"]], None
    for numero in teintes:
        if numero.split(".")[0] != famille:
            famille = numero.split(".")[0]
            chosen.append(by_key[f"famille-{famille}"])
        chosen.append(by_key[f"teinte-{numero.replace('.', '-')}"])
    return chosen + [by_key["closing"]]


def marked(face: FaceSpec, copy: int, copies: int) -> FaceSpec:
    """Return a face with its copy mark, « table k/n », after its edition mark (and in the cover's bookmark)."""
    if copies == 1:
        return face
    copy_mark = f"table\u00a0{copy}/{copies}"  # never broken between its words
    return dataclasses.replace(face, key=f"{face.key}-table-{copy}", context={
        **face.context, "edition": f"{face.context['edition']} · {copy_mark}", "copy_mark": copy_mark})


def write_kit(builder, content: Content, spec: KitSpec, dates: Dates, result, ledger) -> None:
    """Lay out a kit's copies, write its deck and impose it (see the module docstring)."""
    from . import pdf
    from .build import content_date, face_key, printer_correction
    from .cache import digest, file_sha256
    from .deck import card_format, deck_stylesheet
    from .outputs import kit_paths
    from .publish import publish
    from .sheets import impose_cards

    fmt, engine = card_format(content), builder.engine(content)
    css_text = deck_stylesheet(fmt, engine.layouts)
    css = engine.stylesheet(css_text, "deck.css")
    faces = [face for card in kit_cards(content, fmt, dates, spec.teintes) for face in (card.recto, card.verso)]
    copies = [[marked(face, copy, spec.copies) for face in faces] for copy in range(1, spec.copies + 1)]
    htmls = [[engine.html(face) for face in copy] for copy in copies]
    keys = [[face_key(engine, css_text, face, html) for face, html in zip(copy, hs)] for copy, hs in zip(copies, htmls)]
    paths = kit_paths(builder.options.out, spec.name)
    sheets = paths.sheets(spec.sheet)
    ledger.plan(paths.deck, sheets)
    sources = kit_sources(content, spec)
    key = digest("kit", keys, spec.options, content_date(content, dates).isoformat())
    if builder.cache.unchanged(f"kit|{spec.name}", key) is not None:
        for path, kind in ((paths.deck, "kit"), (sheets, "kit-sheets")):
            ledger.written(path, kind, sources, options=spec.options, session=spec.session, unchanged=True)
        result.lines.append(_("kit {name}: {file}; unchanged, not laid out again").format(
            name=spec.name, file=relative(paths.deck)))
        return
    laid = []
    for copy, hs, ks in zip(copies, htmls, keys):
        laid += builder.lay_out_faces(copy, hs, ks, css, result, kept=False)
    info = pdf.DocInfo(f"{content.nuancier.titre} — kit {spec.name}", content_date(content, dates), key,
                       document=f"kit|{spec.name}",
                       purpose=f"Kit d'atelier : {spec.copies} exemplaire(s), cartes recto puis verso.")
    data = pdf.finish(engine.write([document for _, document in laid], _("kit {name}").format(name=spec.name)), info)
    publish(data, paths.deck, kind="deck", trim=(fmt.width, fmt.height), bleed=fmt.bleed, rivet=fmt.rivet,
            texts=[fitted.text for fitted, _ in laid])
    ledger.written(paths.deck, "kit", sources, options=spec.options, session=spec.session)
    imposed = impose_cards(paths.deck, pdf.DocInfo(f"{info.title} — {spec.sheet}", info.date,
                                                   f"{key}|{file_sha256(paths.deck)}",
                                                   document=f"kit|{spec.name}|{spec.sheet}"),
                           sheet=spec.sheet, flip=spec.flip, correction=printer_correction(content, spec.printer),
                           copies=spec.copies)
    publish(imposed.data, sheets, kind="sheets", bleed=imposed.grid.bleed, pieces_checked=True)  # its deck passed
    ledger.written(sheets, "kit-sheets", sources, options=spec.options, session=spec.session)
    builder.cache.written(f"kit|{spec.name}", key, [paths.deck, sheets])
    result.written += [paths.deck, sheets]
    leftover = spec.copies % imposed.grid.count if spec.copies > 1 else 0  # spread over every place (stack_plan)
    piles = ngettext("each copy one pile once cut, but the last one, spread over every place: lay its piles one "
                     "on the other", "each copy one pile once cut, but the last {count}, spread over every place: lay "
                     "their piles one on the other", leftover).format(count=leftover) if leftover \
        else _("each copy one pile once cut")
    result.lines.append(_("kit {name}: {file} ({copies} × {cards}); {sheets_file} ({sheets}, {per_sheet} a sheet, "
                          "{piles})").format(
        name=spec.name, file=relative(paths.deck), copies=spec.copies, piles=piles,
        cards=ngettext("{count} card", "{count} cards", len(faces) // 2).format(count=len(faces) // 2),
        sheets_file=relative(sheets),
        sheets=ngettext("{count} {sheet} sheet(s) recto verso", "{count} {sheet} sheet(s) recto verso",
                        imposed.n_sheets).format(count=imposed.n_sheets, sheet=spec.sheet),
        per_sheet=ngettext("{count} card", "{count} cards", imposed.grid.count).format(count=imposed.grid.count)))


def kit_sources(content: Content, spec: KitSpec) -> list:
    """Return the content files a kit is made of."""
    from pathlib import Path

    from .edition import content_files
    from .load import where

    if spec.teintes is None:
        files = content_files(content.root)
    else:
        root = content.root
        files = [root / "nuancier.yaml", root / "familles.yaml", *sorted(root.glob("familles/*.y*ml"))]
        files += [Path(where(content.teinte(n)).file) for n in spec.teintes]
    if spec.session and spec.session in content.sessions:
        files.append(content.sessions[spec.session][0])
    return [f for f in files if f.exists()]
