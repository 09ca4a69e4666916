"""Opening the app under AppTest the same way in every page test."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def open_app(page: str | None = None, *, timeout: int = 120, **params: str) -> AppTest:
    """Run app.py with these query parameters (pack defaults to the demo), then switch to ``page``."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.query_params.update({"pack": "demo", **params})
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.message for e in at.exception]
    return at
