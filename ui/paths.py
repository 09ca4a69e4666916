"""Where the app finds its packs and vendored browser files (relative to this file, never the cwd).

``SECTOR_MAP_PACKS_DIR`` points the app at another folder of packs (the browser tests use it).
"""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKS_DIR = Path(os.environ.get("SECTOR_MAP_PACKS_DIR") or ROOT / "data" / "packs")
DEMO_PACK = PACKS_DIR / "demo"
STATIC_DIR = ROOT / "static"
