"""Debian's headless Chromium, driven by Playwright, with the network closed to all but local pages.

Shared by the snapshot renderer and the browser tests, so what the tests prove (no request leaves
the machine) is what the exports do. Never `playwright install`: it downloads a browser of its own.
"""

from __future__ import annotations

from typing import Any

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "route_locally"]

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium phones home at every start.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def route_locally(route: Any, allowed: tuple[str, ...], external: list[str]) -> None:
    """A Playwright route handler's body: requests to `allowed` URL prefixes go through; any other
    is aborted and its URL recorded in `external`."""
    url = route.request.url
    if url.startswith(allowed):
        route.continue_()
    else:
        external.append(url)
        route.abort()
