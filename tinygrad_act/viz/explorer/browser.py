"""Headless Chromium for the explorer's tests and screenshot (selenium and Debian's chromium and
chromium-driver; none is needed to write a page).

The flags matter on a machine without a network: without them Chromium spends its start-up on
background requests, QUIC and component updates that cannot succeed. Each browser gets a new empty
profile, removed when it closes.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from typing import Any

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
INSTALL_HINT = "apt-get install chromium chromium-driver; pip install selenium"


def missing_tools() -> list[str]:
    """What of chromium, chromedriver and selenium is not installed (empty when all are)."""
    missing = [name for name in ("chromium", "chromedriver") if shutil.which(name) is None]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("selenium")
    return missing


@contextlib.contextmanager
def headless_chromium(width: int = 1400, height: int = 1200) -> Iterator[Any]:
    """A selenium WebDriver of headless Chromium with a `width` x `height` window, keeping the
    browser's console log (`driver.get_log("browser")`); RuntimeError naming what is missing."""
    missing = missing_tools()
    if missing:
        raise RuntimeError(f"headless Chromium needs {', '.join(missing)}: {INSTALL_HINT}")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="tinygrad-act-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in (*CHROMIUM_FLAGS, f"--window-size={width},{height}", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
