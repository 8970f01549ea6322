"""Make the PNG icons of the phone pages from chalicelib/web/icon.svg (run by hand when the SVG changes).

    .venv/bin/python -m infra.web_icons

Debian's Chromium (the one `make test-e2e` uses) renders the SVG, so nothing beyond the test
tools is needed. The PNGs are committed: the server only reads them.
"""

from __future__ import annotations

import os
from pathlib import Path

WEB = Path(__file__).resolve().parent.parent / "chalicelib" / "web"
SIZES = {"icon-192.png": 192, "icon-512.png": 512, "apple-touch-icon.png": 180}
CHROMIUM = os.environ.get("FIELDDESK_CHROMIUM", "/usr/bin/chromium")


def main() -> None:
    from playwright.sync_api import sync_playwright

    svg = (WEB / "icon.svg").read_text()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"], headless=True)
        for name, size in SIZES.items():
            page = browser.new_page(viewport={"width": size, "height": size}, device_scale_factor=1)
            page.set_content(
                f'<html><body style="margin:0">{svg.replace("<svg ", f"<svg width={size} height={size} ", 1)}'
                "</body></html>"
            )
            page.screenshot(
                path=str(WEB / name), omit_background=True, clip={"x": 0, "y": 0, "width": size, "height": size}
            )
            page.close()
        browser.close()
    for name in SIZES:
        print(WEB / name, (WEB / name).stat().st_size, "bytes")


if __name__ == "__main__":
    main()
