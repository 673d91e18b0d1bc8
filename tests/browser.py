"""A headless Chromium for end-to-end tests, through Selenium and Debian's chromium-driver.

:func:`chromium_driver` returns a driver, or skips the test with the reason
when Chromium, its driver or Selenium is missing; with the environment
variable ``NUANCIER_REQUIRE_BROWSER=1`` (CI sets it) it fails instead, so a
CI that lost its browser cannot pass by skipping.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
DRIVERS = ("chromedriver",)
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--force-device-scale-factor=1")


def _missing(reason: str):
    if os.environ.get("NUANCIER_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (NUANCIER_REQUIRE_BROWSER=1: browser tests may not be skipped)")
    pytest.skip(reason)


def _which(names: tuple[str, ...]) -> str | None:
    return next((found for found in map(shutil.which, names) if found), None)


def chromium_driver(*, width: int = 1280, height: int = 900, language: str = "fr-FR", downloads: Path | None = None):
    """Return a headless Chromium WebDriver (call ``.quit()``), or skip/fail when none can be had."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _missing("selenium is not installed (pip install selenium)")
    browser, driver = _which(BROWSERS), _which(DRIVERS)
    if browser is None or driver is None:
        _missing("Chromium or chromedriver is missing (apt-get install chromium chromium-driver)")
    profile = tempfile.mkdtemp(prefix="nuancier-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in (*FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}", f"--lang={language}",
                 f"--accept-lang={language},{language.split('-')[0]}"):
        options.add_argument(flag)
    prefs = {"intl.accept_languages": f"{language},{language.split('-')[0]}"}
    if downloads is not None:
        prefs.update({"download.default_directory": str(downloads), "download.prompt_for_download": False,
                      "safebrowsing.enabled": False})
    options.add_experimental_option("prefs", prefs)
    try:
        chrome = webdriver.Chrome(options=options, service=Service(executable_path=driver))
    except Exception as exc:  # noqa: BLE001 - any failure to start is "no browser here"
        shutil.rmtree(profile, ignore_errors=True)
        _missing(f"Chromium did not start: {type(exc).__name__}: {str(exc).splitlines()[0]}")
    if downloads is not None:
        chrome.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    chrome.set_page_load_timeout(60)
    _cleanup = chrome.quit

    def quit_and_clean():
        try:
            _cleanup()
        finally:
            shutil.rmtree(profile, ignore_errors=True)

    chrome.quit = quit_and_clean
    return chrome
