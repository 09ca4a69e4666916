"""Property: a pack saved, loaded and merged with an organisations upload loses nothing.

Random small packs (list columns with empty lists, unicode text, missing numbers, extra columns)
go through the same functions the Data page calls: ``save_pack``, ``load_pack``,
``upload.import_upload`` and ``upload.add_to_current``. Every organisation and service already in
the pack must come out with every column as it went in: themes, client groups, wards served,
funders, text and numbers. (Parquet hands list columns back as numpy arrays; a conformer that
kept only lists once emptied the themes of every organisation on the first upload.)
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import Point

from sector_map import upload
from sector_map.pack import schema as s
from sector_map.pack.io import load_pack, save_pack
from tests.conftest import make_tiny_pack
from tests.unit.test_upload import POSTCODES

WARD_CODES = ["X05000001", "X05000002", "X05000003", "X05000004"]
WORDS = ["Alder", "Birch", "Cedar", "Damson", "Elder", "Fir", "Gorse", "Hazel"]
TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")),
    min_size=1,
    max_size=10,
).filter(lambda t: t.strip() == t and t.strip() != "")
MAYBE_TEXT = st.none() | TEXT
NUMBER = st.just(math.nan) | st.floats(min_value=0, max_value=5e6, allow_nan=False)
THEMES = st.lists(st.sampled_from(s.THEME_IDS), unique=True, max_size=4)
GROUPS = st.lists(st.sampled_from(s.CLIENT_GROUP_IDS), unique=True, max_size=3)


@st.composite
def organisation(draw, i: int) -> dict:
    where = draw(st.sampled_from([s.LOCATION_SITE, s.LOCATION_CONTACT, s.LOCATION_AREA_ONLY]))
    income = draw(NUMBER)
    ward = draw(st.integers(0, 3))
    return {
        s.ORG_ID: f"o{i}",
        s.ORG_NAME: f"{WORDS[i]} {draw(TEXT)}",
        s.ORG_KIND: draw(st.sampled_from(s.ORG_KINDS)),
        s.CHARITY_NUMBER: draw(st.sampled_from([None, str(1_100_000 + i)])),
        s.INCOME: income,
        s.SIZE_BAND: s.size_band_for(income),
        # A pack places every organisation whose postcode it can look up: 'area only' ones have none.
        s.POSTCODE: draw(
            st.sampled_from(
                [None, "ZZ9 9ZZ"] if where == s.LOCATION_AREA_ONLY else [None, *POSTCODES["postcode"]]
            )
        ),
        s.WEBSITE: draw(MAYBE_TEXT),
        s.THEMES: draw(THEMES),
        s.LOCATION_QUALITY: where,
        s.SOURCE: draw(TEXT),
        "activities": draw(MAYBE_TEXT),
        "email": draw(MAYBE_TEXT),
        "address": draw(MAYBE_TEXT),
        "grants_total": draw(NUMBER),
        "funders": draw(st.lists(TEXT, max_size=3)),
        s.CLIENT_GROUPS: draw(GROUPS),
        s.GEOMETRY: None if where == s.LOCATION_AREA_ONLY else Point(-2.295 + 0.01 * ward, 53.405),
    }


@st.composite
def service(draw, org_id: str, j: int) -> dict:
    area = draw(st.sampled_from(s.AREA_TYPES))
    return {
        s.SERVICE_ID: f"{org_id}-s{j}",
        s.ORG_ID: org_id,
        s.SERVICE_NAME: draw(TEXT),
        s.THEMES: draw(THEMES),
        s.CLIENT_GROUPS: draw(GROUPS),
        s.CAPACITY: draw(NUMBER),
        s.AREA_TYPE: area,
        s.AREA_WARDS: draw(st.lists(st.sampled_from(WARD_CODES), unique=True, min_size=1, max_size=4))
        if area == s.AREA_WARDS_LIST
        else [],
        s.RADIUS_KM: draw(st.floats(0.1, 20)) if area == s.AREA_RADIUS else math.nan,
        s.SOURCE: draw(TEXT),
    }


@st.composite
def packs(draw):
    n = draw(st.integers(1, len(WORDS)))
    orgs = [draw(organisation(i)) for i in range(n)]
    services = [draw(service(o[s.ORG_ID], j)) for o in orgs for j in range(draw(st.integers(0, 2)))]
    pack = make_tiny_pack()
    pack.manifest = {**pack.manifest, "demo": False}
    pack.postcodes = POSTCODES.copy()
    frame = pd.DataFrame(orgs)
    for col in (
        s.ORG_KIND,
        s.CHARITY_NUMBER,
        s.POSTCODE,
        s.WEBSITE,
        "activities",
        "email",
        "address",
        s.SOURCE,
    ):
        frame[col] = frame[col].astype("string")
    pack.organisations = gpd.GeoDataFrame(frame, geometry=s.GEOMETRY, crs=s.PACK_CRS)
    svc = pd.DataFrame(services, columns=s.SERVICE_COLUMNS)
    for col in (s.SERVICE_ID, s.ORG_ID, s.SERVICE_NAME, s.AREA_TYPE, s.SOURCE):
        svc[col] = svc[col].astype("string")
    pack.services = svc.astype({s.CAPACITY: "float64", s.RADIUS_KM: "float64"})
    return pack


UPLOAD_ROWS = st.lists(
    st.tuples(TEXT, st.sampled_from(["", *POSTCODES["postcode"]]), THEMES), min_size=1, max_size=3
)


def same(a, b) -> bool:
    if isinstance(a, list) or isinstance(b, list):
        return list(a) == list(b)
    if a is None or b is None or (isinstance(a, float) and math.isnan(a)) or a is pd.NA:
        return pd.isna(a) and pd.isna(b)
    return a == b


def empty(value) -> bool:
    return len(value) == 0 if isinstance(value, list) else bool(pd.isna(value))


def assert_kept(before: pd.DataFrame, after: pd.DataFrame, key: str, what: str) -> None:
    """Every row of ``before`` is in ``after`` (by ``key``) with every column of ``before`` unchanged.

    An optional column with no value in any row may be left out (nothing is lost).
    """
    got = after.set_index(key)
    missing = set(before[key]) - set(got.index)
    assert not missing, f"{what} lost: {sorted(missing)}"
    for _, row in before.iterrows():
        for col in before.columns:
            if col in (key, s.GEOMETRY):
                continue
            if col not in got.columns and before[col].map(empty).all():
                continue
            assert col in got.columns, f"{what}: column {col} lost"
            assert same(row[col], got.at[row[key], col]), (
                f"{what} {row[key]}, column {col}: {row[col]!r} became {got.at[row[key], col]!r}"
            )


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pack=packs(), rows=UPLOAD_ROWS)
def test_save_load_and_merging_an_upload_keeps_every_column(pack, rows):
    with tempfile.TemporaryDirectory() as tmp:
        folder = save_pack(pack, Path(tmp) / "packs" / "area")
        loaded = load_pack(folder)
        assert_kept(pack.organisations, loaded.organisations, s.ORG_ID, "saved and loaded: organisation")
        assert_kept(pack.services, loaded.services, s.SERVICE_ID, "saved and loaded: service")
        assert all(type(v) is list for v in loaded.organisations[s.THEMES])

        csv = Path(tmp) / "my groups.csv"
        pd.DataFrame(
            {
                "name": [f"Upload {k} {name}" for k, (name, _, _) in enumerate(rows)],
                "postcode": [pc for _, pc, _ in rows],
                "themes": ["; ".join(t) for _, _, t in rows],
            }
        ).to_csv(csv, index=False, encoding="utf-8")
        result = upload.import_upload("organisations", csv, pack=loaded, keep_outside=True)
        added = upload.add_to_current(loaded, result)
        assert not added.redone
        merged = load_pack(folder)
        assert_kept(pack.organisations, merged.organisations, s.ORG_ID, "after the upload: organisation")
        assert_kept(pack.services, merged.services, s.SERVICE_ID, "after the upload: service")
        assert len(merged.organisations) == len(pack.organisations) + len(rows)
        new = merged.organisations[merged.organisations[s.ORG_ID].str.startswith("upload-")]
        want = sorted(sorted(t) for _, _, t in rows)
        assert sorted(sorted(t) for t in new[s.THEMES]) == want or not any(want)
