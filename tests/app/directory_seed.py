"""Seeding the directory an app test opens (its ``directory_url``) and signing people in."""

from __future__ import annotations

import time

from streamlit.testing.v1 import AppTest

from sector_map.directory import db
from sector_map.directory.store import Store

OFFICER, EDITOR = "officer@council.example", "ed@pantry.example"
PASSWORD = "correct horse battery staple"


def open_store(url: str) -> Store:
    """The store at ``url``, migrated, with an officer (password :data:`PASSWORD`)."""
    store = Store.open(url)
    db.init(store.engine)
    if store.user(OFFICER) is None:
        store.create_user(OFFICER, "officer", password=PASSWORD)
    return store


def listed(store: Store, name: str, organisation: str, **fields: object) -> str:
    """An approved service of a new organisation (submitted and approved by the officer)."""
    revision = store.submit({"name": name, **fields}, by=OFFICER, organisation={"name": organisation})
    return store.approve(revision.id, by=OFFICER).id


def signed_in(at: AppTest, email: str) -> AppTest:
    """``at`` with ``email`` signed in the built-in way (as ui.auth keeps it)."""
    now = time.time()
    at.session_state["_directory_login"] = {"email": email, "started": now, "seen": now}
    return at
