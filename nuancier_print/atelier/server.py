"""`nuancier serve`: run the atelier on this computer and open it in the browser.

The server is Werkzeug's threaded WSGI server (the one Flask runs), bound to
the loopback interface unless told otherwise; port 0 lets the system pick a
free port. Ctrl+C stops it.
"""

from __future__ import annotations

import threading
import webbrowser
from pathlib import Path

from werkzeug.serving import make_server

from .app import LOOPBACK_HOSTS, create_app
from .texts import _

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def url_of(host: str, port: int) -> str:
    """Return the address a browser opens for a host and port."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
    return f"http://[{shown}]:{port}/" if ":" in shown else f"http://{shown}:{port}/"


def serve(content: Path, out: Path, *, host: str = "127.0.0.1", port: int = 0, browser: bool = True,
          language: str | None = None, echo=print) -> None:
    """Serve the atelier until interrupted."""
    trusted = LOOPBACK_HOSTS if host in LOOPBACK else None
    app = create_app(content, out, language=language, trusted_hosts=trusted)
    server = make_server(host, port, app, threaded=True)
    url = url_of(host, server.port)
    echo(_("atelier: {url} (content: {content}, out: {out}); Ctrl+C to stop").format(url=url, content=content,
                                                                                       out=out))
    if host not in LOOPBACK:
        echo(_("atelier: warning: listening on {host}: anyone who can reach this computer can edit the "
               "content").format(host=host))
    if browser:
        threading.Timer(0.5, webbrowser.open, args=(url,)).start()
    try:
        server.serve_forever()
    finally:
        server.server_close()
