"""Take the README's screenshots of the atelier's four screens: ``python3 -m tests.atelier_screenshots``.

The atelier runs on a copy of content/ (the example session included), the
deck and the example booklet are built first, and headless Chromium takes
each screen at 1280 × 960, in French, into docs/atelier-*.png (the preview twice: its top, and the workshop kit).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SLUG = "faire-ensemble-autrement"
SCREENS = [
    ("atelier-nuancier.png", "/nuancier", None),
    ("atelier-composer.png", f"/sessions/{SLUG}/compose", None),
    ("atelier-apres.png", f"/sessions/{SLUG}/after", None),
    ("atelier-apercu.png", f"/sessions/{SLUG}/preview", None),
    ("atelier-kit.png", f"/sessions/{SLUG}/preview", "#kit"),
]


def main(out: Path = ROOT / "docs") -> None:
    """Write the screenshots into ``out``."""
    from werkzeug.serving import make_server

    from nuancier_print.atelier import create_app
    from tests.browser import start_chromium

    work = Path(tempfile.mkdtemp(prefix="atelier-shots-"))
    try:
        shutil.copytree(ROOT / "content", work / "content")
        app = create_app(work / "content", work / "out", language="fr")
        builder = app.extensions["atelier"].builder
        from nuancier_print.atelier.jobs import KitChoice, kit_key

        builder.request_kit(SLUG, KitChoice(5, "A4"))
        for key in ("deck", SLUG, kit_key(SLUG)):
            builder.request(key)
            job = builder.wait(key, 600)
            assert job.state == "done", job.lines
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        driver = start_chromium(width=1280, height=960)
        try:
            for name, path, anchor in SCREENS:
                driver.get(f"http://127.0.0.1:{server.port}{path}")
                if anchor:
                    driver.execute_script(f"document.querySelector(\"{anchor}\").scrollIntoView()")
                time.sleep(1.0)
                driver.save_screenshot(str(out / name))
                print(out / name)
        finally:
            driver.quit()
            server.shutdown()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
