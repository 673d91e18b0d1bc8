"""Headless Chromium for tests, through Selenium: start it, or say plainly why it cannot start.

:func:`chromium_driver` yields a Selenium driver of Debian's ``chromium`` and
``chromedriver``, headless, with a fresh profile and no network chatter. When
something it needs is absent (Selenium, the browser, its driver, axe-core), the
test is skipped with the reason, unless ``NUANCIER_REQUIRE_BROWSER=1`` is set
(as `.ci/run` does): then the test fails, so a CI machine that lost its browser
cannot pass by skipping.

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

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
DRIVER_NAMES = ("chromedriver",)
AXE_DEFAULT = Path.home() / ".cache" / "nuancier-ci" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_FLAGS = (
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars", "--force-color-profile=srgb",
)


def browser_required() -> bool:
    """Tell whether a missing browser must fail the tests instead of skipping them."""
    return os.environ.get("NUANCIER_REQUIRE_BROWSER") == "1"


def unavailable(reason: str):
    """Skip the current test with ``reason``, or fail it when a browser is required."""
    if browser_required():
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


@contextlib.contextmanager
def chromium_driver(width: int = 1280, height: int = 900):
    """Yield a headless Chromium Selenium driver with a fresh profile; quit it afterwards."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        unavailable("Selenium is not installed: `pip install selenium` (it is in the `test` extra)")
    browser, driver_path = _which(CHROMIUM_NAMES), _which(DRIVER_NAMES)
    if browser is None or driver_path is None:
        unavailable("Chromium or its driver is missing: `apt-get install chromium chromium-driver`")
    profile = tempfile.mkdtemp(prefix="nuancier-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}"):
        options.add_argument(flag)
    try:
        driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    except Exception as exc:  # noqa: BLE001 - any start-up failure is reported the same way
        shutil.rmtree(profile, ignore_errors=True)
        unavailable(f"Chromium did not start: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
    try:
        driver.set_script_timeout(60)
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


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
