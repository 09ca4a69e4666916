"""No secret is committed: no Streamlit secrets file, no private key, no directory database."""

from __future__ import annotations

import subprocess

import pytest

from tests.conftest import ROOT


def _tracked() -> list[str]:
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True, timeout=60
        ).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"not a git checkout ({exc}): nothing is committed here to check")
    return [p for p in out.split("\0") if p]


def test_no_secrets_file_or_directory_database_is_tracked() -> None:
    tracked = _tracked()
    assert not [p for p in tracked if p.endswith("secrets.toml")]
    assert not [p for p in tracked if p.startswith("data/directory.sqlite")]


def test_no_private_key_is_tracked() -> None:
    marker = "-----BEGIN " + "PRIVATE KEY-----"  # split, so this file does not match itself
    found = []
    for path in _tracked():
        full = ROOT / path
        if full.is_file() and full.stat().st_size < 5_000_000:
            text = full.read_bytes().decode("utf-8", errors="ignore")
            if marker in text or ("-----BEGIN RSA " + "PRIVATE KEY-----") in text:
                found.append(path)
    assert found == []
