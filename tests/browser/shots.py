"""Screenshots of the main pages for a reviewer: written to test-artifacts/ on every run."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.browser.conftest import ARTIFACTS


def shot(page: Page, name: str) -> None:
    """Save a full-page screenshot as ``test-artifacts/<name>.png``."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
