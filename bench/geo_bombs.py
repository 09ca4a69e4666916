"""``python -m bench.geo_bombs``: time and peak memory of boundary bombs on the Data page's import.

Each bomb (built by the hostile corpus's own builders) is imported in a fresh subprocess through
``sector_map.upload.import_upload(kind="boundaries")``; the subprocess reports its wall time, peak
resident memory (``resource.getrusage``) and the first line of the message it got. Not a test.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from tests.hostile.test_geo_corpus import (
    MB,
    deflate_pieces,
    stored,
    write_gzip_bomb,
    write_zip,
    write_zip_bomb,
)

ROOT = Path(__file__).resolve().parent.parent

_CHILD = """
import json, resource, sys, time
t0 = time.perf_counter()
from sector_map.upload import import_upload
from sector_map.demo.make import build_demo_pack
pack = build_demo_pack()
t1 = time.perf_counter()
try:
    import_upload("boundaries", sys.argv[1], pack=pack)
    msg = "accepted"
except BaseException as e:
    msg = type(e).__name__ + ": " + str(e)
t2 = time.perf_counter()
print(json.dumps({"seconds": t2 - t1, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "message": msg.splitlines()[0][:300]}))
"""


def _bombs(folder: Path, mb: int) -> dict[str, Path]:
    zeros, crc, size = deflate_pieces(b"", b"\0" * MB, mb)
    ok = folder / "small.geojson"
    ok.write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"ward_code":"E05000001",'
        '"ward_name":"A"},"geometry":{"type":"Polygon","coordinates":[[[-2.3,53.4],[-2.29,53.4],'
        "[-2.29,53.41],[-2.3,53.4]]]}}]}"
    )
    return {
        "reference: one small ward": ok,
        "geojson.gz": write_gzip_bomb(folder / "wards.geojson.gz", mb),
        "zip geojson": write_zip_bomb(folder / "wards.zip", mb),
        "zip geojson, directory lies": write_zip_bomb(folder / "lies.zip", mb, lie=True),
        "zip shapefile": write_zip(
            folder / "shapes.zip",
            [
                ("w.shp", zeros, crc, size, None, 0o100644),
                stored(b"\0" * 100, "w.shx"),
                stored(b"\0" * 33, "w.dbf"),
            ],
        ),
        "zip gpkg": write_zip(folder / "gpkg.zip", [("w.gpkg", zeros, crc, size, None, 0o100644)]),
    }


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.geo_bombs", description=__doc__.splitlines()[0])
    p.add_argument("--mb", type=int, default=1024, help="unpacked size of each bomb in MB (default 1024)")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        for name, path in _bombs(Path(tmp), args.mb).items():
            out = subprocess.run(
                [sys.executable, "-c", _CHILD, str(path)],
                capture_output=True,
                text=True,
                cwd=ROOT,
                timeout=600,
            )
            try:
                r = json.loads(out.stdout.strip().splitlines()[-1])
            except (IndexError, json.JSONDecodeError):
                r = {"seconds": float("nan"), "peak_mb": float("nan"), "message": out.stderr.strip()[-300:]}
            size = path.stat().st_size / MB
            print(
                f"{name:30} {size:6.2f} MB file  {r['seconds']:6.1f} s  peak {r['peak_mb']:7.0f} MB  {r['message']}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
