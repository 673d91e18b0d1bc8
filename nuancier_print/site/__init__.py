"""The static site: the nuancier on the web, from the same content and colours as the cards.

``nuancier site`` writes `out/site/`: a home page, the mode d'emploi, the
conseils pratiques, one page per famille and per teinte, and the deck PDF to
download. Pages are plain, semantic HTML in French, with one stylesheet and
the bundled fonts; nothing is loaded from elsewhere, and every link is
relative, so the folder works opened from disk as well as on any static host.

* :mod:`.pages`: the pages as data (file names, templates, breadcrumbs);
* :mod:`.colours`: the cards' CMYK swatches in sRGB, and text colours that
  meet WCAG AA contrast;
* :mod:`.write`: rendering, and the atomic swap of the whole folder;
* :mod:`.command`: what the CLI runs (the deck first, when it is missing).
"""

from .command import make_site
from .write import SiteError, SiteResult, build_site

__all__ = ["SiteError", "SiteResult", "build_site", "make_site"]
