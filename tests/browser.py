"""Headless Chromium for tests, through Selenium and Debian's chromium-driver: start it, or say why not.

:func:`start_chromium` returns a driver of Debian's ``chromium`` and
``chromedriver``, headless, with a fresh profile and no network chatter
(its ``quit()`` also deletes the profile); :func:`chromium_driver` is the
same as a context manager. When something they need is absent (Selenium,
the browser, its driver, axe-core), the test is skipped with the reason,
unless ``NUANCIER_REQUIRE_BROWSER=1`` is set (as `.ci/run` does): then the
test fails, so a CI machine that lost its browser cannot pass by skipping.

axe-core is read from ``NUANCIER_AXE`` (the path of ``axe.min.js``), else
from the npm prefix `.ci/run` installs it into.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

import pytest

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
DRIVERS = ("chromedriver",)
AXE_DEFAULT = Path.home() / ".cache" / "nuancier-ci" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
FLAGS = (
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars", "--force-color-profile=srgb", "--force-device-scale-factor=1",
)


def unavailable(reason: str):
    """Skip the current test with ``reason``, or fail it when a browser is required."""
    if os.environ.get("NUANCIER_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (NUANCIER_REQUIRE_BROWSER=1: a browser test may not be skipped)")
    pytest.skip(reason)


def _which(names: tuple[str, ...]) -> str | None:
    return next((path for path in map(shutil.which, names) if path), None)


def axe_script() -> str:
    """Return the source of axe.min.js, or skip (fail) naming where it was looked for."""
    path = Path(os.environ.get("NUANCIER_AXE") or AXE_DEFAULT)
    if not path.is_file():
        unavailable(f"axe-core not found at {path}: `npm install --prefix ~/.cache/nuancier-ci/npm axe-core@4`, "
                    "or set NUANCIER_AXE to the path of axe.min.js")
    return path.read_text(encoding="utf-8")


def start_chromium(*, width: int = 1280, height: int = 900, language: str = "fr-FR", downloads: Path | None = None):
    """Return a headless Chromium WebDriver (its ``quit()`` cleans up), or skip/fail when none can be had."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        unavailable("Selenium is not installed: `pip install selenium` (it is in the `test` extra)")
    browser, driver_path = _which(BROWSERS), _which(DRIVERS)
    if browser is None or driver_path is None:
        unavailable("Chromium or its driver is missing: `apt-get install chromium chromium-driver`")
    profile = tempfile.mkdtemp(prefix="nuancier-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    short = language.split("-")[0]
    for flag in (*FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}", f"--lang={language}",
                 f"--accept-lang={language},{short}"):
        options.add_argument(flag)
    prefs = {"intl.accept_languages": f"{language},{short}"}
    if downloads is not None:
        prefs.update({"download.default_directory": str(downloads), "download.prompt_for_download": False,
                      "safebrowsing.enabled": False})
    options.add_experimental_option("prefs", prefs)
    try:
        driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    except Exception as exc:  # noqa: BLE001 - any start-up failure is reported the same way
        shutil.rmtree(profile, ignore_errors=True)
        unavailable(f"Chromium did not start: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
    if downloads is not None:
        driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    quit_driver = driver.quit

    def quit_and_clean():
        try:
            quit_driver()
        finally:
            shutil.rmtree(profile, ignore_errors=True)

    driver.quit = quit_and_clean
    return driver


@contextlib.contextmanager
def chromium_driver(**options):
    """Yield a driver of :func:`start_chromium`, quit afterwards."""
    driver = start_chromium(**options)
    try:
        yield driver
    finally:
        driver.quit()


def set_viewport(driver, width: int, height: int = 900) -> None:
    """Emulate a screen ``width`` CSS pixels wide (narrower than a headless window may be)."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})


def screenshot(driver, url: str, path: Path, width: int, *, full_page: bool = True) -> Path:
    """Save a PNG of ``url`` at ``width`` CSS pixels, the whole page by default."""
    set_viewport(driver, width)
    driver.get(url)
    driver.execute_script("return document.fonts.ready.then(() => true)")
    height = driver.execute_script("return document.documentElement.scrollHeight") if full_page else 900
    set_viewport(driver, width, min(int(height), 6000))
    Path(path).write_bytes(driver.get_screenshot_as_png())
    return Path(path)
