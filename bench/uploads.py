"""``python -m bench.uploads``: peak memory and time of hostile uploads through the Data page's steps.

Each scenario runs in its own Python process (so its peak resident memory is its own; "base" is
that process with the demo pack loaded, before the upload), under an
address-space cap (``--cap-gb``, default 6) so a runaway upload fails with MemoryError instead of
taking the machine down. A scenario does what the Data page does with a file: ``save_upload``,
then ``check_upload`` + ``preview`` (as on every rerun; ``--reruns`` times), then ``import_upload``
(the Check button) against the demo pack. Figures, not a test: nothing here passes or fails.

Scenarios:
  gzip-bomb     a 2.9 MB ``.csv.gz`` of organisations that unzips to about 1.5 GB
  million-rows  a plain CSV of 1,000,000 organisations (about 35 MB, under the 50 MB upload limit)
  xlsx-bomb     a 2.4 MB ``.xlsx`` of 300,000 rows (its sheet XML unzips to 33 MB)
  at-limit      a CSV of 100,000 organisations, the most an upload takes (accepted)
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ("gzip-bomb", "million-rows", "xlsx-bomb", "at-limit")
HEADER = b"name,postcode,activities,income\n"
ROW = b"Anytown Community Food Share,DM1 1AA,food bank and money advice for families,12500\n"


def make_gzip_bomb(path: Path, *, target_bytes: int = 1_500_000_000) -> Path:
    """A gzipped CSV of one row repeated until it is ``target_bytes`` long when unzipped."""
    block = ROW * 20_000
    with gzip.open(path, "wb", compresslevel=9) as f:
        f.write(HEADER)
        written = 0
        while written < target_bytes:
            f.write(block)
            written += len(block)
    return path


def make_million_rows(path: Path, *, rows: int = 1_000_000) -> Path:
    """A CSV of ``rows`` distinct organisations, in the demo pack's postcode area."""
    with open(path, "wb") as f:
        f.write(b"name,postcode,activities\n")
        for i in range(rows):
            f.write(f"Group {i},DM{1 + i % 9} {i % 10}AA,lunch club\n".encode())
    return path


def make_xlsx_bomb(path: Path, *, rows: int = 300_000) -> Path:
    """A minimal workbook whose one sheet repeats a row ``rows`` times (inline strings)."""
    row = (
        '<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>Food Share</t></is></c><c r="B{r}"><v>1</v></c></row>'
    )
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
            '"/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.'
            'main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
        ),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, text in parts.items():
            z.writestr(name, text)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            f.write(
                b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                b'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is>'
                b'</c><c r="B1" t="inlineStr"><is><t>income</t></is></c></row>'
            )
            block = []
            for r in range(2, rows + 2):
                block.append(row.format(r=r))
                if len(block) == 50_000:
                    f.write("".join(block).encode())
                    block = []
            f.write("".join(block).encode())
            f.write(b"</sheetData></worksheet>")
    return path


MAKERS = {
    "gzip-bomb": ("organisations.csv.gz", make_gzip_bomb),
    "million-rows": ("million.csv", make_million_rows),
    "xlsx-bomb": ("organisations.xlsx", make_xlsx_bomb),
    "at-limit": ("at_limit.csv", lambda path: make_million_rows(path, rows=100_000)),
}


def run_one(scenario: str, file: Path, reruns: int) -> dict:
    """In this process: the Data page's steps on ``file``; the outcome, times and peak memory."""
    from sector_map import upload
    from sector_map.demo.make import build_demo_pack
    from sector_map.pack.io import PackError

    pack = build_demo_pack()
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out: dict = {"scenario": scenario, "file_mb": round(file.stat().st_size / 1e6, 1), "base_mb": round(base)}
    start = time.perf_counter()
    path = upload.save_upload(file.read_bytes(), file.name)
    outcome = "accepted"
    try:
        for _ in range(reruns):
            upload.check_upload(path, "organisations")
            upload.preview(path, "organisations")
        out["preview_s"] = round((time.perf_counter() - start) / reruns, 2)
        t = time.perf_counter()
        result = upload.import_upload("organisations", path, pack=pack)
        out["import_s"] = round(time.perf_counter() - t, 2)
        outcome = f"accepted: {result.summary()}"
    except (ValueError, PackError) as exc:  # InputError is a ValueError
        outcome = f"refused: {str(exc)[:160]}"
    except MemoryError:
        outcome = "MemoryError"
    out["total_s"] = round(time.perf_counter() - start, 2)
    out["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    out["outcome"] = outcome
    return out


def _peak_mb(pid: int) -> int | None:
    """The process's peak resident memory so far (Linux), in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    except OSError:
        return None
    return None


def _child(scenario: str, file: Path, reruns: int, cap_gb: float, timeout: float) -> dict:
    cap = int(cap_gb * 2**30)
    code = (
        "import json, resource, sys; from pathlib import Path; "
        f"resource.setrlimit(resource.RLIMIT_AS, ({cap}, {cap})); "
        "from bench.uploads import run_one; "
        f"print(json.dumps(run_one({scenario!r}, Path({str(file)!r}), {reruns})))"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    start, peak = time.perf_counter(), 0
    while proc.poll() is None and time.perf_counter() - start < timeout:
        peak = max(peak, _peak_mb(proc.pid) or 0)
        time.sleep(0.5)
    if proc.poll() is None:
        peak = max(peak, _peak_mb(proc.pid) or 0)
        proc.kill()
        proc.communicate()
        return {
            "scenario": scenario,
            "file_mb": round(file.stat().st_size / 1e6, 1),
            "peak_mb": peak,
            "total_s": round(timeout),
            "outcome": f"still running after {timeout:.0f} s (stopped)",
        }
    stdout, stderr = proc.communicate()
    lines = [ln for ln in stdout.splitlines() if ln.startswith("{")]
    if lines:
        return json.loads(lines[-1])
    tail = (stderr.strip().splitlines() or ["(no output)"])[-1]
    return {
        "scenario": scenario,
        "peak_mb": peak,
        "outcome": f"crashed (exit {proc.returncode}): {tail[:160]}",
    }


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.uploads", description=__doc__.splitlines()[0])
    p.add_argument("scenarios", nargs="*", help=f"any of {', '.join(SCENARIOS)} (default: all)")
    p.add_argument("--reruns", type=int, default=2, help="page reruns (check + preview) before Check")
    p.add_argument("--cap-gb", type=float, default=6.0, help="address-space cap per scenario")
    p.add_argument("--timeout", type=float, default=400.0, help="seconds before a scenario is stopped")
    p.add_argument("--files", type=Path, default=None, help="folder to keep the generated files in")
    args = p.parse_args(argv)
    unknown = set(args.scenarios) - set(SCENARIOS)
    if unknown:
        p.error(f"unknown scenario(s): {', '.join(sorted(unknown))}")
    folder = args.files or Path(tempfile.mkdtemp(prefix="bench-uploads-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"{'scenario':<13} {'file MB':>7} {'base MB':>7} {'peak MB':>8} {'total s':>7}  outcome")
    for name in args.scenarios or SCENARIOS:
        filename, make = MAKERS[name]
        file = folder / filename
        if not file.exists():
            make(file)
        r = _child(name, file, args.reruns, args.cap_gb, args.timeout)
        print(
            f"{name:<13} {r.get('file_mb', '–'):>7} {r.get('base_mb', '–'):>7} {r.get('peak_mb', '–'):>8} "
            f"{r.get('total_s', '–'):>7}  {r['outcome'][:110]}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
