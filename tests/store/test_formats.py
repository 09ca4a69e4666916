"""The directory's file formats without a database: ORUK feeds in (odd values of real feeds),
ORUK JSON out, and the submission CSV (sector_map/directory/oruk.py, submissions.py)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from sector_map.directory.models import Organisation, Service
from sector_map.directory.oruk import export_services, read_feed
from sector_map.directory.submissions import delivery_of, read_rows
from tests.conftest import shared_data_or_skip


def _feed(tmp_path: Path, items: list[dict]) -> Path:
    path = tmp_path / "feed.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"content": items, "totalElements": len(items)}).encode())
    return path


def test_a_feed_with_a_bom_and_odd_values_is_read_and_counted(tmp_path: Path) -> None:
    org = {"id": "o1", "name": "Hub <b>CIC</b>"}
    items = [
        {
            "id": "s1",
            "name": "Food &amp; advice",
            "description": "<p>Food bank</p>",
            "status": "active",
            "organization": org,
            "assured_date": "2024-03-01",
        },
        {
            "id": "s1",
            "name": "Another under the same id",
            "status": "Temporarily_Closed",
            "organization": org,
        },
        {"id": "s2", "name": "  ", "status": "active"},
        {"id": "s3", "name": "No organisation", "status": "", "assured_date": "not a date"},
        {"id": "s4", "name": "Gone", "status": "withdrawn"},
        {
            "id": "s5",
            "name": "Ward service",
            "service_areas": [{"service_area": "Bucklow-St Martins E05000819", "extent": None}],
            "organization": org,
        },
        {
            "id": "s6",
            "name": "Site service",
            "service_areas": [{"service_area": "Partington", "extent": "2 miles"}],
            "service_at_locations": [
                {
                    "location": {
                        "latitude": "53.42",
                        "longitude": "-2.43",
                        "physical_addresses": [{"postal_code": "m31 4fl"}],
                    }
                }
            ],
            "organization": org,
        },
    ]
    report = read_feed(_feed(tmp_path, items))
    got = {s.service_id: s for s in report.services}
    assert list(got) == ["oruk-s1", "oruk-s1~2", "oruk-s3", "oruk-s5", "oruk-s6"]
    assert report.skipped == {"no name": 1, "status 'withdrawn' is not an HSDS service status": 1}
    assert report.renamed_ids == 1
    assert (
        got["oruk-s1"].service["name"] == "Food & advice" and got["oruk-s1"].organisation["name"] == "Hub CIC"
    )
    assert got["oruk-s1"].assured == date(2024, 3, 1) and got["oruk-s3"].assured is None
    assert "poverty_food" in got["oruk-s1"].service["themes"]  # from the text: the feed has no taxonomy
    assert got["oruk-s1~2"].service["status"] == "temporarily closed"
    assert (
        got["oruk-s3"].organisation_id == "oruk-own-s3"
        and got["oruk-s3"].organisation["name"] == "No organisation"
    )
    assert got["oruk-s5"].service["delivery"] == {"mode": "wards", "wards": ["E05000819"]}
    site = got["oruk-s6"].service["delivery"]["sites"][0]
    assert (
        site["postcode"] == "M31 4FL"
        and site["latitude"] == 53.42
        and site["reach_km"] == pytest.approx(3.219, abs=0.01)
    )


def test_the_real_bristol_feed_reads_every_named_service() -> None:
    path = shared_data_or_skip() / "organisations/oruk_feeds/bristol_council_oruk_v1_services_2024-12-18.json"
    raw = json.loads(path.read_text(encoding="utf-8-sig"))
    report = read_feed(path)
    assert len(report.services) == sum(1 for item in raw if item["name"].strip())
    assert len({s.service_id for s in report.services}) == len(report.services)
    assert all(s.service["delivery"] == {"mode": "whole_area"} for s in report.services)  # list-level feed


def test_export_writes_locations_and_areas_and_leaves_out_defunct_services() -> None:
    now = datetime(2026, 11, 30, tzinfo=UTC)
    org = Organisation(id="org-1", name="Pantry", description="", url="")
    common = {
        "organisation_id": "org-1",
        "version": 1,
        "description": "",
        "url": "",
        "email": "",
        "phone": "",
        "themes": ["poverty_food"],
        "client_groups": [],
        "eligibility": "",
        "capacity": "",
        "opening_times": "",
        "source": "test",
        "assured_date": date(2026, 1, 2),
        "last_modified": now,
    }
    sited = Service(
        id="a",
        name="A",
        status="active",
        delivery=delivery_of({"postcode": "M31 4FL", "reach_km": "2"}),
        **common,
    )
    warded = Service(
        id="b",
        name="B",
        status="temporarily closed",
        delivery={"mode": "wards", "wards": ["E05000819"]},
        **common,
    )
    gone = Service(id="c", name="C", status="defunct", delivery={"mode": "whole_area"}, **common)
    out = export_services([(sited, org), (warded, org), (gone, org)])
    assert [r["id"] for r in out] == ["a", "b"]
    assert out[0]["service_at_locations"][0]["location"]["physical_addresses"][0]["postal_code"] == "M31 4FL"
    assert out[0]["service_areas"][0]["extent"] == "2.0 km" and out[0]["assured_date"] == "2026-01-02"
    assert (
        out[1]["service_areas"][0]["service_area"] == "E05000819" and out[1]["status"] == "temporarily closed"
    )


def test_submission_rows_take_the_template_columns_and_report_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "updates.csv"
    path.write_text(
        "\ufeffname,postcode,charity_number,activities,themes,delivery,wards,radius_km\n"
        "Pantry,m31 4fl,123,Food bank,poverty_food; older_people,,,\n"
        "Choir,,,Singing,arts_culture_sport,,,\n"
        "Walks,M31 4FL,,Walks,health_wellbeing,radius,,5\n"
        "Bad,NOT A CODE,,x,,,,\n"
        "Wards,,,x,,wards,,\n"
        "Far,M31 4FL,,x,,radius,,900\n",
        encoding="utf-8",
    )
    rows, problems = read_rows(path)
    assert [r.line for r in rows] == [2, 3, 4]
    assert rows[0].service["delivery"]["sites"][0]["postcode"] == "M31 4FL"  # delivered at its postcode
    assert (
        rows[0].service["themes"] == ["poverty_food", "older_people"]
        and rows[0].organisation["charity_number"] == "123"
    )
    assert rows[1].service["delivery"] == {"mode": "whole_area"}  # no postcode, no delivery columns
    assert rows[2].service["delivery"] == {"mode": "radius", "postcode": "M31 4FL", "radius_km": 5.0}
    assert [p.split(":")[0] for p in problems] == ["line 5", "line 6", "line 7"]
    assert "NOT A CODE" in problems[0] and "ward codes" in problems[1] and "between 0 and 200" in problems[2]
