"""Browser tests: a genki app served by textual-serve, driven by Debian's Chromium (headless).

textual-serve draws the app with xterm.js on a canvas, so the page has no text to read. The page
is opened with a script (Chrome DevTools ``Page.addScriptToEvaluateOnNewDocument``) that keeps
every message the app sends over its WebSocket; ``TerminalPage.text`` strips the terminal escape
sequences from them, which leaves the words the app drew. Keys go to xterm's hidden textarea, as
a person's typing does. Downloads (``App.deliver_binary``) land in the driver's download folder.

Chromium and chromedriver come from Debian (``.ci/run`` installs them); without them the tests
fail, saying what to install, as the sync tests do without Mosquitto.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains

CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")
_ESCAPES = re.compile(r"\x1b\[[0-9;?$<>=]*[A-Za-z~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[=>]")
_CAPTURE = r"""
window.__received = [];
const NativeSocket = window.WebSocket;
window.WebSocket = function (url, protocols) {
  const socket = protocols === undefined ? new NativeSocket(url) : new NativeSocket(url, protocols);
  socket.addEventListener("message", (event) => {
    if (typeof event.data === "string") { window.__received.push(event.data); }
    else if (event.data instanceof Blob) {
      event.data.text().then((t) => window.__received.push(t));
    }
    else { window.__received.push(new TextDecoder().decode(event.data)); }
  });
  return socket;
};
window.WebSocket.prototype = NativeSocket.prototype;
Object.assign(window.WebSocket, NativeSocket);
"""


def require_browser() -> None:
    """Fail, saying what to install, when Chromium or chromedriver is missing."""
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.fail("needs Debian's chromium and chromedriver: apt-get install chromium-driver")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def served(arguments: Sequence[str], *, port: int, log: Path) -> Iterator[str]:
    """Run ``genki ARGUMENTS --serve --port PORT``; yield its URL once it listens."""
    command = [sys.executable, "-m", "genki", *arguments, "--serve", "--port", str(port)]
    with log.open("w") as out:
        server = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 30
            while True:
                assert server.poll() is None, f"the server exited: {log.read_text()}"
                try:
                    socket.create_connection(("127.0.0.1", port), 0.2).close()
                    break
                except OSError:
                    assert time.monotonic() < deadline, f"nothing listens: {log.read_text()}"
                    time.sleep(0.1)
            yield f"http://127.0.0.1:{port}/"
        finally:
            server.terminate()
            server.wait(timeout=15)


class TerminalPage:
    """The served app in Chromium: what it drew, keys, downloads."""

    def __init__(self, driver: webdriver.Chrome, downloads: Path) -> None:
        self.driver, self.downloads = driver, downloads

    def text(self) -> str:
        """The words the app drew since the page opened (or since ``forget``)."""
        received = str(self.driver.execute_script("return window.__received.join('')"))
        return " ".join(_ESCAPES.sub("", received).split())

    def forget(self) -> None:
        """Drop what was drawn so far, so the next ``wait_for`` sees only new drawing."""
        self.driver.execute_script("window.__received = []")

    def wait_for(self, *words: str, timeout: float = 30) -> str:
        """Wait until every one of ``words`` has been drawn; return the text."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.text()
            if all(word in text for word in words):
                return text
            missing = [w for w in words if w not in text]
            assert time.monotonic() < deadline, f"never drawn: {missing}; drawn: {text[-2000:]}"
            time.sleep(0.2)

    def press(self, *keys: str, pause_s: float = 0.3) -> None:
        """Type ``keys`` into the terminal, one by one."""
        self.driver.execute_script("document.querySelector('.xterm-helper-textarea').focus()")
        for key in keys:
            ActionChains(self.driver).send_keys(key).perform()
            time.sleep(pause_s)

    def wait_for_download(self, suffix: str, timeout: float = 30) -> Path:
        """Wait for a finished download ending in ``suffix``; return its path."""
        deadline = time.monotonic() + timeout
        while True:
            done = [p for p in self.downloads.iterdir() if p.name.endswith(suffix)]
            if done:
                return done[0]
            assert time.monotonic() < deadline, (
                f"no {suffix} download: {list(self.downloads.iterdir())}"
            )
            time.sleep(0.2)


@contextmanager
def chromium(url: str, downloads: Path) -> Iterator[TerminalPage]:
    """Open ``url`` in headless Chromium with the WebSocket capture; yield the page."""
    require_browser()
    options = Options()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,900"):
        options.add_argument(argument)
    options.add_experimental_option(
        "prefs",
        {"download.default_directory": str(downloads), "download.prompt_for_download": False,
         "plugins.always_open_pdf_externally": True},  # a PDF is downloaded, not shown
    )  # fmt: skip
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": _CAPTURE})
        driver.execute_cdp_cmd(
            "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
        )
        driver.get(url)
        yield TerminalPage(driver, downloads)
    finally:
        driver.quit()
