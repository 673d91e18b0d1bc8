"""`nuancier reprint --since REV`: print again only the cards whose faces changed.

The content of revision REV is read from git into a temporary folder and
laid out with today's layouts. A card has changed when what it prints has
changed: its faces' cache keys, which hash everything a face depends on,
are compared with the edition mark left out (the mark always differs, since
it dates the content). The changed cards are written to `reprint.pdf`,
imposed on sheets like the full deck, and `reprint.png` shows each of them
before (left) and after (right).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .build import PDF_OPTIONS, BuildOptions, content_date
from .cache import FaceCache, face_key
from .content import Content, load_content
from .deck import Card, card_format, deck_cards, deck_stylesheet
from .errors import BuildError
from .faces import RenderSetup, assets_digest, default_jobs, render_faces
from .output import atomic_write, build_lock
from .render import LAYOUTS_DIR, make_environment


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
            return ReprintResult([], None, None, [f"no card changed since {since}: nothing to reprint"])
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
        raise BuildError(f"git does not know the revision `{rev}`; give a commit, a tag or a branch "
                         "(for example HEAD~3)") from None
    names = _git(top, "ls-tree", "-r", "--name-only", rev, "--", relative).splitlines()
    if not names:
        raise BuildError(f"the content folder `{relative}` did not exist at revision `{rev}`")
    times = _commit_times(top, rev, relative)
    for name in names:
        data = subprocess.run(["git", "-C", str(top), "show", f"{rev}:{name}"], capture_output=True,
                              check=True).stdout
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


def _git(folder: Path, *args: str) -> str:
    try:
        return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True,
                              check=True, timeout=30).stdout
    except FileNotFoundError:
        raise BuildError("reprint needs git, which is not installed") from None
    except subprocess.CalledProcessError as exc:
        message = (exc.stderr or "").strip().splitlines()
        raise BuildError(f"git: {message[-1] if message else 'failed'} (is {folder} in a git repository?)") from None


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
    env = make_environment(layouts)
    stylesheet = deck_stylesheet(card_format(content), layouts)
    assets = assets_digest(layouts)
    return tuple(face_key(_without_edition(face), env, stylesheet, assets) for face in (card.recto, card.verso))


def _without_edition(face):
    from dataclasses import replace

    return replace(face, context={k: v for k, v in face.context.items() if k != "edition"})


def _write(pairs, old: Content, new: Content, options: BuildOptions, since: str, sheet: str, flip: str):
    from .pdfout import DocInfo, assemble
    from .preview import contact_sheet
    from .sheets import impose_cards

    layouts = options.layouts or LAYOUTS_DIR
    new_faces = _faces([card for _, card in pairs], new, options, layouts)
    info = DocInfo(f"{new.nuancier.titre} — réimpression", content_date(new), identity="reprint|" + since)
    tmp_deck = options.out / ".reprint-deck.pdf"
    atomic_write(tmp_deck, assemble([f.pdf for f in new_faces], info))
    pdf = options.out / "reprint.pdf"
    impose_cards(tmp_deck, pdf, sheet=sheet, flip=flip)
    before = [card for card, _ in pairs if card is not None]
    old_faces = iter(_faces(before, old, options, layouts))
    tiles = []
    for index, (previous, _) in enumerate(pairs):
        after = render_pages_from(new_faces[2 * index: 2 * index + 2])
        was = render_pages_from([next(old_faces), next(old_faces)]) if previous else [_blank(after[0])] * 2
        tiles += [*was, *after]
    png = atomic_write(options.out / "reprint.png", _png(_captioned(contact_sheet(tiles, columns=4), since)))
    tmp_deck.unlink(missing_ok=True)
    labels = [card.label for _, card in pairs]
    return ReprintResult(labels, pdf, png, [f"{len(labels)} card(s) changed since {since}: " + ", ".join(labels),
                                           f"reprint: {pdf} ({sheet}, backs for {flip}-edge duplex), {png}"])


def _faces(cards: list[Card], content: Content, options: BuildOptions, layouts: Path):
    fmt = card_format(content)
    setup = RenderSetup(deck_stylesheet(fmt, layouts), roots=[content.root], layouts=layouts,
                        pdf_options=PDF_OPTIONS)
    specs = [face for card in cards for face in (card.recto, card.verso)]
    faces, _ = render_faces(specs, setup, cache=FaceCache(options.cache_folder),
                            jobs=options.jobs or default_jobs())
    return faces


def render_pages_from(faces) -> list:
    """Rasterise rendered faces (one-page PDFs) for the before/after sheet."""
    from .preview import render_pages

    return [image for face in faces for image in render_pages(face.pdf, dpi=50)]


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
