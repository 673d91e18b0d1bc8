"""`nuancier reprint --since REV`: print again only the cards whose faces changed.

The content of revision REV is read from git into a temporary folder and
laid out with today's layouts. A card has changed when what it prints has
changed: its faces' HTML and the stylesheet are compared, with the edition
mark left out (the mark always differs, since it dates the content). The changed cards are written to `reprint.pdf`,
imposed on sheets like the full deck, and `reprint.png` shows each of them
before (left) and after (right).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import pdf
from .build import Builder, BuildOptions, BuildResult, content_date
from .cache import digest
from .content import Content, load_content
from .deck import Card, card_format, deck_cards, deck_stylesheet
from .edition import git
from .errors import BuildError
from .i18n import _, ngettext
from .markup import LAYOUTS_DIR, make_environment, template_errors
from .output import atomic_write, build_lock
from .publish import publish


@dataclass
class ReprintResult:
    """What reprint found and wrote."""

    changed: list[str]  # card labels
    pdf: Path | None
    png: Path | None
    lines: list[str]


def reprint(options: BuildOptions, since: str, *, sheet: str = "A3", flip: str = "long") -> ReprintResult:
    """Write `reprint.pdf` and `reprint.png` for the cards changed since git revision ``since``."""
    content = load_content(options.content, with_sessions=False)
    with tempfile.TemporaryDirectory(prefix="nuancier-reprint-") as tmp:
        old = load_content(checkout_content(options.content, since, Path(tmp) / "content"), with_sessions=False)
        pairs = changed_cards(old, content, options)
        if not pairs:
            return ReprintResult([], None, None, [_("no card changed since {since}: nothing to reprint").format(
                since=since)])
        with build_lock(options.out):
            return _write(pairs, old, content, options, since, sheet, flip)


def checkout_content(content_dir: Path, rev: str, dest: Path) -> Path:
    """Copy the content folder as it was at git revision ``rev`` into ``dest``."""
    content_dir = Path(content_dir).resolve()
    top = Path(_git(content_dir, "rev-parse", "--show-toplevel").strip())
    relative = content_dir.relative_to(top).as_posix()
    try:
        _git(content_dir, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    except BuildError:
        raise BuildError(_("git does not know the revision `{rev}`; give a commit, a tag or a branch "
                           "(for example HEAD~3)").format(rev=rev)) from None
    names = _git(top, "ls-tree", "-r", "--name-only", rev, "--", relative).splitlines()
    if not names:
        raise BuildError(_("the content folder `{folder}` did not exist at revision `{rev}`").format(folder=relative,
                                                                                                 rev=rev))
    times = _commit_times(top, rev, relative)
    for name in names:
        data = _git(top, "cat-file", "blob", f"{rev}:{name}", binary=True)
        target = dest / Path(name).relative_to(relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        if name in times:  # so that the old cards' edition marks carry their own dates
            os.utime(target, (times[name], times[name]))
    return dest


def _commit_times(top: Path, rev: str, relative: str) -> dict[str, int]:
    """Return {path: time of the last commit touching it, as of ``rev``}."""
    times, stamp = {}, None
    for line in _git(top, "log", "--format=@%ct", "--name-only", rev, "--", relative).splitlines():
        if line.startswith("@"):
            stamp = int(line[1:])
        elif line.strip() and stamp is not None:
            times.setdefault(line.strip(), stamp)
    return times


def _git(folder: Path, *args: str, binary: bool = False):
    """Run git safely (see :func:`.edition.git`), turning its failures into BuildErrors."""
    try:
        return git(folder, *args, binary=binary, timeout=30)
    except FileNotFoundError:
        raise BuildError(_("reprint needs git, which is not installed")) from None
    except subprocess.CalledProcessError as exc:
        stderr = exc.stderr.decode(errors="replace") if isinstance(exc.stderr, bytes) else exc.stderr
        message = (stderr or "").strip().splitlines()
        raise BuildError(_("git: {message} (is {folder} in a git repository?)").format(
            message=message[-1] if message else _("failed"), folder=folder)) from None


def changed_cards(old: Content, new: Content, options: BuildOptions) -> list[tuple[Card | None, Card]]:
    """Return (old card or None, new card) for every card whose printed faces changed."""
    layouts = options.layouts or LAYOUTS_DIR
    before = {card.key: card for card in deck_cards(old, card_format(old))}
    pairs = []
    for card in deck_cards(new, card_format(new)):
        previous = before.get(card.key)
        if previous is None or _print_key(previous, old, layouts) != _print_key(card, new, layouts):
            pairs.append((previous, card))
    return pairs


def _print_key(card: Card, content: Content, layouts: Path) -> tuple[str, str]:
    """Return a hash of what each face of a card prints: its HTML (edition mark left out) and the stylesheet."""
    env = make_environment(layouts)
    stylesheet = deck_stylesheet(card_format(content), layouts)
    keys = []
    for face in (card.recto, card.verso):
        with template_errors(layouts, face.label):
            keys.append(digest(stylesheet, env.select_template(list(face.templates)).render(
                **_without_edition(face).context, face=face)))
    return tuple(keys)


def _without_edition(face):
    from dataclasses import replace

    return replace(face, context={**face.context, "edition": ""})


def _write(pairs, old: Content, new: Content, options: BuildOptions, since: str, sheet: str, flip: str):
    from .preview import contact_sheet, render_pages
    from .sheets import impose_cards

    info = pdf.DocInfo(f"{new.nuancier.titre} — réimpression", content_date(new), "reprint|" + since,
                       document="reprint")
    after = _deck([card for _, card in pairs], new, options, info)
    tmp_deck = atomic_write(options.out / ".reprint-deck.pdf", after)
    path = options.out / "reprint.pdf"
    try:
        publish(impose_cards(tmp_deck, info, sheet=sheet, flip=flip).data, path, kind="sheets")
    finally:
        tmp_deck.unlink(missing_ok=True)
    before = [card for card, _ in pairs if card is not None]
    old_pages = iter(render_pages(_deck(before, old, options, info), dpi=50) if before else [])
    new_pages = render_pages(after, dpi=50)
    tiles = []
    for index, (previous, _card) in enumerate(pairs):
        now = new_pages[2 * index: 2 * index + 2]
        tiles += ([next(old_pages), next(old_pages)] if previous else [_blank(now[0])] * 2) + now
    png = atomic_write(options.out / "reprint.png", _png(_captioned(contact_sheet(tiles, columns=4), since)))
    labels = [card.label for _, card in pairs]
    changed = ngettext("{count} card(s) changed since {since}: {cards}",
                       "{count} card(s) changed since {since}: {cards}",
                       len(labels)).format(count=len(labels), since=since, cards=", ".join(labels))
    duplex = _("backs for long-edge duplex") if flip == "long" else _("backs for short-edge duplex")
    return ReprintResult(labels, path, png, [changed, _("reprint: {file} ({sheet}, {duplex}), {png}").format(
        file=path, sheet=sheet, duplex=duplex, png=png)])


def _deck(cards: list[Card], content: Content, options: BuildOptions, info: pdf.DocInfo) -> bytes:
    """Return ``cards`` of ``content`` laid out and written as a finished deck PDF."""
    from .build import face_key

    builder = Builder(options)
    engine = builder.engine(content)
    css_text = deck_stylesheet(card_format(content), engine.layouts)
    specs = [face for card in cards for face in (card.recto, card.verso)]
    htmls = [engine.html(spec) for spec in specs]
    keys = [face_key(engine, css_text, spec, html) for spec, html in zip(specs, htmls)]
    faces = builder.lay_out_faces(specs, htmls, keys, engine.stylesheet(css_text, "deck.css"), BuildResult())
    return pdf.finish(engine.write([document for _, document in faces], "reprint"), info)


def _captioned(sheet, since: str):
    """Put "avant (REV)" over the left half of the sheet and "après" over the right half."""
    from PIL import Image, ImageDraw, ImageFont

    from .fonts import FONTS_DIR

    band = 34
    out = Image.new("RGB", (sheet.width, sheet.height + band), (236, 234, 230))
    out.paste(sheet, (0, band))
    font = ImageFont.truetype(str(FONTS_DIR / "inter" / "Inter-SemiBold.otf"), 18)
    draw = ImageDraw.Draw(out)
    draw.text((10, 8), f"avant ({since})", fill=(60, 60, 60), font=font)
    draw.text((sheet.width // 2 + 4, 8), "après", fill=(60, 60, 60), font=font)
    return out


def _blank(like):
    from PIL import Image

    return Image.new("RGB", like.size, (236, 234, 230))


def _png(image) -> bytes:
    import io

    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
