"""Helpers for developers' tools (browser tests, benchmarks); not used by the app."""
