"""Where the app finds its packs and vendored browser files (relative to this file, never the cwd)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKS_DIR = ROOT / "data" / "packs"
DEMO_PACK = PACKS_DIR / "demo"
STATIC_DIR = ROOT / "static"
