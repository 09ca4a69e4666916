"""Files for reports: print-ready maps and charts (PNG, SVG, PDF), CSV and XLSX tables, alt text.

May import: ``sector_map.pack``, ``sector_map.analysis``, ``sector_map.views`` and ``sector_map.export``.
"""
