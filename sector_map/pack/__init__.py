"""What a data pack is, and reading and writing one safely.

Owns: the pack's columns and vocabulary (``schema``, ``indicator_rules``), the :class:`Pack` and
its files (``io``: load, save, revision), atomic writes under a lock (``store``), validation
(``validate``), officers' theme corrections kept beside a pack (``corrections``), and the
user-facing error type every layer raises (``errors``).

May import: only ``sector_map.pack``. Every other package builds on this one.
"""
