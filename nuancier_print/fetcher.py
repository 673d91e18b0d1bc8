"""The only way WeasyPrint may load a resource while rendering.

:class:`LocalFetcher` serves ``file:`` URLs under a fixed set of folders
(the layouts, the fonts, the content and the cache) and refuses everything
else: other schemes (``http:``, ``https:``, ``ftp:``, ``data:``...) and any
path outside those folders. Refusals are recorded so the build can report
them instead of printing a page with something silently missing.

It also serves *named folders*: ``<name>:<file>`` is ``<file>`` in the folder
given that name (one plain file name, nothing above or below it). The
booklet's photo copies are named this way, because WeasyPrint names each
image in the PDF after its URL: with ``file:`` URLs the booklet's bytes
depended on where the project was checked out.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

from .i18n import _


class FetchRefused(ValueError):
    """A resource outside the allowed folders was requested."""


class LocalFetcher(URLFetcher):
    """Serve local files from allowed folders only; never touch the network."""

    def __init__(self, roots: list[Path], named: Mapping[str, Path] | None = None):
        super().__init__(allowed_protocols={"file"})
        self.roots = [Path(r).resolve() for r in roots]
        self.named = {scheme.lower(): Path(folder).resolve() for scheme, folder in (named or {}).items()}
        self.refused: list[str] = []
        self.reasons: dict[str, str] = {}  # refused URL -> why

    def fetch(self, url, headers=None):
        """Return the file behind a ``file:`` URL inside an allowed folder."""
        path = self.allowed_path(url)
        if path is None:
            self.refused.append(url)
            self.reasons.setdefault(url, self.why_refused(url))
            raise FetchRefused(_("not fetched: {url} (only files under the project's layouts, "
                                 "fonts and content folders may be used)").format(url=url))
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), status=200)

    def why_refused(self, url: str) -> str:
        """Say, in a few words, why ``url`` is not served."""
        parts = urlsplit(url)
        if parts.scheme in self.named:
            return _("not a file of the booklet's photo copies")
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            return _("nothing is downloaded: use files of the layouts folder")
        try:
            written = Path(unquote(parts.path))
            if not written.exists():
                return _("this file does not exist")
            inside = any(written == root or root in written.parents for root in self.roots)
        except (OSError, ValueError, RuntimeError):
            return _("not a usable file name")
        if inside:
            return _("a link that leads out of the folders the layouts may use")
        return _("outside the folders the layouts may use (the layouts, the fonts, the content)")

    def allowed_path(self, url: str) -> Path | None:
        """Return the local path for ``url`` if it may be served, else None."""
        parts = urlsplit(url)
        if parts.scheme in self.named:
            return self._named_path(self.named[parts.scheme], parts)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            return None
        try:
            path = Path(unquote(parts.path)).resolve()
            if not path.is_file():
                return None
        except (OSError, ValueError, RuntimeError):  # a NUL byte, a link loop: refused like the rest
            return None
        if any(path == root or root in path.parents for root in self.roots):
            return path
        return None

    @staticmethod
    def _named_path(folder: Path, parts) -> Path | None:
        """Return the file a ``<name>:<file>`` URL names in ``folder``, if it is one plain file there."""
        name = unquote(parts.path)
        if parts.netloc or parts.query or parts.fragment or not name or name in (".", "..") \
                or any(c in name for c in "/\\\0"):
            return None
        path = folder / name
        try:
            return path if path.is_file() and path.resolve().parent == folder else None
        except (OSError, RuntimeError):
            return None

    def __call__(self, url):
        return self.fetch(url)
