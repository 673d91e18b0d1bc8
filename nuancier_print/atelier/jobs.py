"""Builds in the background, one at a time, with their progress; and the booklet's page previews.

A save asks for the session's booklet to be built again (:meth:`Builder.request`).
One worker thread runs the builds in order; asking again for a build that
is waiting changes nothing, and asking while it runs queues one more run.
Each build is a :class:`Job` of named steps that the preview screen polls:
the booklet, its page previews (PNG drawn from the real PDF by pypdfium2),
then the personal copies. The deck has a job of its own (key ``deck``), and
so does each session's workshop kit (key :func:`kit_key`), with the copies
and the sheet chosen on the screen.
"""

from __future__ import annotations

import hashlib
import shutil
import threading
import time
import traceback
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from ..build import BuildOptions, build
from ..errors import BuildError, NuancierError
from ..outputs import booklet_paths, kit_paths
from .texts import N_, _, ngettext

PREVIEW_WIDTH_PX = 420
DECK = "deck"


@dataclass
class Step:
    """One step of a build: what it does (an English text, translated when shown) and how it went."""

    label: str
    state: str = "waiting"  # waiting, running, done, failed
    seconds: float = 0.0


@dataclass
class Job:
    """One build of a session's booklet (or of the deck), as the screens show it."""

    key: str
    number: int
    steps: list[Step]
    state: str = "waiting"  # waiting, running, done, failed
    lines: list[str] = field(default_factory=list)  # what the build printed, or why it failed
    started: float = 0.0
    finished: float = 0.0

    def as_json(self, translate) -> dict:
        """Return the job for the browser, its texts translated by ``translate``."""
        return {"key": self.key, "number": self.number, "state": self.state, "lines": self.lines,
                "elapsed": round((self.finished or time.time()) - self.started, 1) if self.started else 0,
                "steps": [{"label": translate(s.label), "state": s.state, "seconds": round(s.seconds, 1)}
                          for s in self.steps]}


SESSION_STEPS = (N_("Checking the content and building the booklet"), N_("Drawing the page previews"),
                 N_("Building the personal copies"))
DECK_STEPS = (N_("Checking the content and building the deck"),)
KIT_STEPS = (N_("Building the kit"), N_("Drawing the first sheet"))
KIT_SUFFIX = "~kit"  # `~` is not in a session slug: the keys of kits and of booklets cannot meet


def kit_key(slug: str) -> str:
    """Return the job key of a session's kit."""
    return slug + KIT_SUFFIX


@dataclass(frozen=True)
class KitChoice:
    """What a trainer chose for a session's kit on the preview screen."""

    copies: int = 1
    sheet: str = "A4"


class Builder:
    """The worker that runs builds in the background."""

    def __init__(self, content: Path, out: Path):
        self.content, self.out = Path(content), Path(out)
        self._jobs: dict[str, Job] = {}
        self._queue: deque[str] = deque()
        self._again: set[str] = set()
        self._lock = threading.Condition()
        self._numbers = 0
        self._thread: threading.Thread | None = None
        self._kits: dict[str, KitChoice] = {}  # session slug -> the kit asked last

    # --- asking and watching -----------------------------------------------------------------

    def request(self, key: str) -> Job:
        """Ask for ``key`` (a session slug, ``deck``, or a :func:`kit_key`) to be built; return its job."""
        with self._lock:
            job = self._jobs.get(key)
            if job is not None and job.state == "waiting":
                return job
            if job is not None and job.state == "running":
                self._again.add(key)
                return job
            job = self._new_job(key)
            self._queue.append(key)
            self._start()
            self._lock.notify()
            return job

    def request_kit(self, slug: str, choice: KitChoice) -> Job:
        """Ask for a session's kit to be built with ``choice``; return its job."""
        with self._lock:
            self._kits[slug] = choice
        return self.request(kit_key(slug))

    def kit_choice(self, slug: str) -> KitChoice | None:
        """Return the kit last asked for a session, if any."""
        with self._lock:
            return self._kits.get(slug)

    def job(self, key: str) -> Job | None:
        """Return the latest job of ``key``, if any."""
        with self._lock:
            return self._jobs.get(key)

    def wait(self, key: str, timeout: float = 120.0) -> Job | None:
        """Wait until ``key`` has no build waiting or running (for tests and scripts)."""
        deadline = time.time() + timeout
        with self._lock:
            while time.time() < deadline:
                job = self._jobs.get(key)
                if job is None or (job.state in ("done", "failed") and key not in self._again):
                    return job
                self._lock.wait(0.2)
        return self._jobs.get(key)

    def _new_job(self, key: str) -> Job:
        self._numbers += 1
        labels = DECK_STEPS if key == DECK else KIT_STEPS if key.endswith(KIT_SUFFIX) else SESSION_STEPS
        job = Job(key, self._numbers, [Step(label) for label in labels])
        self._jobs[key] = job
        return job

    def _start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._work, name="atelier-builder", daemon=True)
            self._thread.start()

    # --- working -----------------------------------------------------------------------------

    def _work(self) -> None:
        while True:
            with self._lock:
                while not self._queue:
                    self._lock.wait()
                key = self._queue.popleft()
                job = self._jobs[key]
                job.state, job.started = "running", time.time()
            self._run(job)
            with self._lock:
                job.finished = time.time()
                if key in self._again:
                    self._again.discard(key)
                    self._new_job(key)
                    self._queue.append(key)
                self._lock.notify_all()

    def _run(self, job: Job) -> None:
        if job.key == DECK:
            actions = [self._deck]
        elif job.key.endswith(KIT_SUFFIX):
            actions = [self._kit, self._kit_previews]
        else:
            actions = [self._booklet, self._previews, self._copies]
        for step, action in zip(job.steps, actions):
            step.state, began = "running", time.time()
            try:
                job.lines += action(job.key)
            except NuancierError as exc:
                return self._failed(job, step, exc.lines())
            except Exception as exc:  # noqa: BLE001 - shown on the screen, and the traceback on the console
                traceback.print_exc()
                return self._failed(job, step, [f"internal error: {type(exc).__name__}: {exc}"])
            finally:
                step.seconds = time.time() - began
            step.state = "done"
        job.state = "done"

    @staticmethod
    def _failed(job: Job, step: Step, lines: list[str]) -> None:
        step.state, job.state = "failed", "failed"
        job.lines += lines

    def _options(self, **what) -> BuildOptions:
        chosen = {"deck": False, "sheets": False, "booklets": False, **what}
        return BuildOptions(content=self.content, out=self.out, **chosen)

    def _deck(self, key: str) -> list[str]:
        return _lines(build(self._options(deck=True)))

    def _booklet(self, slug: str) -> list[str]:
        return _lines(build(self._options(booklets=True, sessions=[slug])))[-1:]

    def _copies(self, slug: str) -> list[str]:
        return _lines(build(self._options(booklets=True, sessions=[slug], per_participant=True)))[-1:]

    def _previews(self, slug: str) -> list[str]:
        count = write_previews(booklet_paths(self.out, slug).booklet, previews_folder(self.out, slug))
        return [ngettext("previews: {count} page", "previews: {count} pages", count).format(count=count)]

    def _kit(self, key: str) -> list[str]:
        slug = key.removesuffix(KIT_SUFFIX)
        choice = self.kit_choice(slug) or KitChoice()
        asked = {"session": slug, "copies": choice.copies, "sheet": choice.sheet}
        return _lines(build(self._options(kits=[asked], session_kits=False)))[-1:]

    def _kit_previews(self, key: str) -> list[str]:
        slug = key.removesuffix(KIT_SUFFIX)
        choice = self.kit_choice(slug) or KitChoice()
        sheets = kit_paths(self.out, slug).sheets(choice.sheet)
        count = write_previews(sheets, previews_folder(self.out, key), limit=2)
        return [f"previews: {count} pages"]


def _lines(result) -> list[str]:
    """Return a build's lines, or raise its errors when an output could not be written."""
    if result.errors or result.failed:
        raise BuildError("\n".join(result.errors) or _("not written: {outputs}").format(
            outputs=", ".join(result.failed)))
    return result.lines


# --- previews ------------------------------------------------------------------------------------


def previews_folder(out: Path, key: str) -> Path:
    """Return the folder of the page previews of a session's booklet (or, with a :func:`kit_key`, its kit)."""
    return Path(out) / ".atelier" / "previews" / key


def write_previews(pdf: Path, folder: Path, width_px: int = PREVIEW_WIDTH_PX, limit: int | None = None) -> int:
    """Draw the pages of ``pdf`` (the first ``limit``) as ``<folder>/<stamp>/page-NNN.png``; keep the newest stamp."""
    import pypdfium2 as pdfium

    data = Path(pdf).read_bytes()
    stamp = hashlib.sha256(data).hexdigest()[:16]
    final = folder / stamp
    if final.is_dir():
        return len(list(final.glob("page-*.png")))
    building = folder / f".{stamp}.partial"
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    document = pdfium.PdfDocument(data)
    try:
        count = min(len(document), limit or len(document))
        for number in range(1, count + 1):
            page = document[number - 1]
            scale = width_px / page.get_width()
            page.render(scale=scale).to_pil().save(building / f"page-{number:03d}.png", optimize=True)
    finally:
        document.close()
    building.rename(final)
    for old in folder.iterdir():
        if old != final:
            shutil.rmtree(old, ignore_errors=True)
    return count


def preview_pages(out: Path, slug: str) -> tuple[str, list[int]]:
    """Return the newest preview stamp of a session and its page numbers (``("", [])`` if none)."""
    folder = previews_folder(out, slug)
    stamps = [p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")] if folder.is_dir() else []
    if not stamps:
        return "", []
    newest = max(stamps, key=lambda p: p.stat().st_mtime)
    pages = sorted(int(p.stem.split("-")[1]) for p in newest.glob("page-*.png"))
    return newest.name, pages
