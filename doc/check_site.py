"""Look at the built site as a reader would: headless Chromium opens pages and screenshots them.

For each page checked (the index, an API page, a gallery page): the page
loads from disk with no console message (errors and warnings included) or
failed request logged by Chromium, every image it shows exists in the build, nothing is fetched
from the internet, and a screenshot is saved to ``<build>/_screenshots/``.

    python doc/check_site.py [doc/_build/html]

Needs Debian's ``chromium`` package (``apt-get install -y chromium``).
"""

import re
import shutil
import subprocess
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path

PAGES = (
    "index.html",
    "generated/skae.AETransformer.html",
    "auto_examples/plot_reconstructions.html",
    "auto_examples/plot_imputation.html",
    "auto_examples/plot_mixed_imputation.html",
    "benchmarks/imputation.html",
    "benchmarks/mixed_imputation.html",
)
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars", "--enable-logging=stderr", "--v=0", "--window-size=1280,1600",
)  # fmt: skip


THEME_INFO = ('"Got invalid theme mode: . Resetting to auto."', '"[PST]: Changed to auto mode')


class _Images(HTMLParser):
    def __init__(self):
        super().__init__()
        self.sources, self.remote = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("src", "href"):
            value = attrs.get(key) or ""
            if tag in ("img", "script") and key == "src" and value:
                (self.remote if re.match(r"https?://", value) else self.sources).append(value)
            if tag == "link" and key == "href" and re.match(r"https?://", value):
                if attrs.get("rel") in ("stylesheet", "preload", "icon"):
                    self.remote.append(value)


def check(build, page, shots, browser):
    path = (build / page).resolve()
    problems = []
    if not path.is_file():
        return [f"{page}: not built"]
    parser = _Images()
    parser.feed(path.read_text())
    problems += [f"{page}: fetches {url} from the internet" for url in parser.remote]
    for src in parser.sources:
        target = (path.parent / src.split("#")[0].split("?")[0]).resolve()
        if not target.is_file():
            problems.append(f"{page}: missing {src}")
    if not any(s.endswith((".png", ".svg")) for s in parser.sources if "_static" not in s):
        if page != "index.html":
            problems.append(f"{page}: shows no image")
    shot = shots / (page.replace("/", "_").replace(".html", ".png"))
    with tempfile.TemporaryDirectory() as profile:
        run = subprocess.run(
            [browser, *FLAGS, f"--user-data-dir={profile}", f"--screenshot={shot}",
             path.as_uri()],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    for line in run.stderr.splitlines():
        # Chromium logs every console message (errors included) as INFO:CONSOLE, without
        # its level; the theme's own two informational console.log lines (its light/dark
        # mode on a first visit) are the only ones a healthy page prints
        if ":CONSOLE" in line and not any(ok in line for ok in THEME_INFO):
            problems.append(f"{page}: console: {line.strip()}")
        if "Failed to load resource" in line or "net::ERR_FILE_NOT_FOUND" in line:
            problems.append(f"{page}: {line.strip()}")
    if not shot.is_file() or shot.stat().st_size < 10_000:
        problems.append(f"{page}: no screenshot ({run.returncode}): {run.stderr[-500:]}")
    return problems


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    build = Path(argv[0] if argv else Path(__file__).parent / "_build" / "html")
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        sys.exit("check_site.py needs Chromium: apt-get install -y chromium")
    shots = build / "_screenshots"
    shots.mkdir(exist_ok=True)
    problems = [p for page in PAGES for p in check(build, page, shots, browser)]
    for p in problems:
        print("PROBLEM:", p)
    print(f"checked {len(PAGES)} pages; screenshots in {shots}")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
