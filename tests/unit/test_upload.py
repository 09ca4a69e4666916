"""The Data page's upload flow, on small files written in tmp_path against the tiny pack."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from sector_map import upload
from sector_map.pack import schema as s
from sector_map.pack.errors import InputError
from sector_map.pack.io import load_pack, save_pack
from tests.conftest import make_tiny_pack

# Ward squares of the tiny pack: x from -2.30 in steps of 0.01, y 53.40-53.41.
POSTCODES = pd.DataFrame(
    {"postcode": ["DM1 1AA", "DM1 3CD"], "lon": [-2.295, -2.275], "lat": [53.405, 53.405]}
)


@pytest.fixture
def pack():
    p = make_tiny_pack()
    p.postcodes = POSTCODES.copy()
    return p


def write(tmp_path, name: str, text: str, encoding: str = "utf-8") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


ORGS = (
    "Name,Postcode,Charity Number,Website,Income\n"
    'Gamma Lunch Club,DM1 3CD,,,"1,200"\n'
    "Alpha Food Share,dm11aa,1000001,https://alpha.example,\n"
    ",DM1 3CD,,,\n"
    "No Postcode Group,,,,\n"
)


def test_organisations_good_file(tmp_path, pack):
    path = write(tmp_path, "groups.csv", ORGS)
    mapping = upload.guess_mapping("organisations", list(upload.preview(path, "organisations").table.columns))
    assert mapping["name"] == "Name" and mapping["charity_number"] == "Charity Number"
    assert mapping["email"] is None
    res = upload.import_upload("organisations", path, pack=pack, mapping=mapping, themes=["older_people"])
    orgs = res.pack.organisations.set_index(s.ORG_ID)
    # 3 existing + Gamma + No Postcode; Alpha merged into o1 (same charity number)
    assert len(orgs) == 5
    assert res.stats["rows_read"] == 4 and res.stats["rows_accepted"] == 3
    assert res.stats["added"] == 2 and res.stats["merged_existing"] == 1 and res.stats["placed"] == 1
    gamma = orgs.loc["upload-groups-2"]
    assert gamma[s.INCOME] == 1200.0 and gamma[s.SIZE_BAND] == "micro"
    assert gamma[s.LOCATION_QUALITY] == s.LOCATION_CONTACT
    assert (gamma.geometry.x, gamma.geometry.y) == (-2.275, 53.405)
    assert orgs.loc["upload-groups-5", s.LOCATION_QUALITY] == s.LOCATION_AREA_ONLY
    assert list(res.accepted["What happens"]) == [
        "added",
        "merged with 'Alpha Food Share', already in the pack",
        "added",
    ]
    assert res.summary().startswith("3 of 4 rows accepted (2 new organisations (1 on the map), 1 merged")
    # the row without a name is the only one not accepted
    assert list(res.rejected["File row"]) == [4]
    assert "no name" in res.rejected["Reason"].iloc[0]
    # the current pack is never changed
    assert len(pack.organisations) == 3 and pack.path is None


def test_organisations_outside_the_area_are_left_out_unless_kept(tmp_path, pack):
    path = write(
        tmp_path,
        "far.csv",
        "name,postcode,lon,lat\nFar Away Club,ZZ9 9ZZ,,\nSea Club,,-1.0,54.0\nNear Club,DM1 3CD,,\n",
    )
    res = upload.import_upload("organisations", path, pack=pack)
    assert res.stats["added"] == 1 and len(res.pack.organisations) == 4
    assert list(res.rejected["File row"]) == [2, 3]
    assert res.rejected["Reason"].tolist() == [
        "its postcode is not in this pack's postcode table, so it is probably outside the area",
        "its point is outside this pack's wards",
    ]
    kept = upload.import_upload("organisations", path, pack=pack, keep_outside=True)
    orgs = kept.pack.organisations.set_index(s.ORG_ID)
    assert len(orgs) == 6 and len(kept.rejected) == 0
    assert orgs.loc["upload-far-2", s.LOCATION_QUALITY] == s.LOCATION_AREA_ONLY
    # a point outside the wards is kept, and its quality says so
    assert orgs.loc["upload-far-3", s.LOCATION_QUALITY] == s.LOCATION_SITE_OUTSIDE
    assert (orgs.loc["upload-far-3"].geometry.x, orgs.loc["upload-far-3"].geometry.y) == (-1.0, 54.0)


def test_duplicate_of_existing_is_merged_not_doubled(tmp_path, pack):
    path = write(
        tmp_path, "dup.csv", "name,charity_number,website\nALPHA FOOD SHARE LTD,1000001,https://a.example\n"
    )
    res = upload.import_upload("organisations", path, pack=pack)
    orgs = res.pack.organisations.set_index(s.ORG_ID)
    assert len(orgs) == 3
    o1 = orgs.loc["o1"]
    assert o1[s.ORG_NAME] == "Alpha Food Share"  # the pack's own values win
    assert o1[s.WEBSITE] == "https://a.example"  # blanks are filled from the upload
    assert o1[s.LOCATION_QUALITY] == s.LOCATION_SITE
    assert res.stats["merged_existing"] == 1 and res.stats["added"] == 0
    assert any("merged with them, not added twice" in n.text for n in res.notes)


def test_existing_placements_are_kept(tmp_path, pack):
    """o2 is a contact address with a point: combining must not turn it into a 'site'."""
    path = write(tmp_path, "x.csv", "name,postcode\nNew Hall Group,DM1 1AA\n")
    res = upload.import_upload("organisations", path, pack=pack)
    orgs = res.pack.organisations.set_index(s.ORG_ID)
    assert list(orgs.loc[["o1", "o2", "o3"], s.LOCATION_QUALITY]) == [
        s.LOCATION_SITE,
        s.LOCATION_CONTACT,
        s.LOCATION_AREA_ONLY,
    ]
    assert orgs.loc["o2"].geometry.equals(pack.organisations.geometry.iloc[1])


def test_no_postcode_table_makes_postcode_rows_area_only_and_says_why(tmp_path, pack):
    pack.postcodes = None
    path = write(tmp_path, "g.csv", "name,postcode\nGamma Lunch Club,DM1 3CD\n")
    res = upload.import_upload("organisations", path, pack=pack)
    assert (
        res.accepted["Map"].iloc[0]
        == "not on the map: this pack has no postcode table to look the postcode up"
    )
    assert any("no postcode table" in n.message() for n in res.notes)


def test_bom_windows_1252_and_thousands_separators(tmp_path, pack):
    text = 'name,postcode,income\nCafé Ñandú Club,DM1 3CD,"12,500"\n'
    path = tmp_path / "cp.csv"
    path.write_bytes(text.encode("cp1252"))
    res = upload.import_upload("organisations", path, pack=pack)
    row = res.pack.organisations.set_index(s.ORG_ID).loc["upload-cp-2"]
    assert row[s.ORG_NAME] == "Café Ñandú Club" and row[s.INCOME] == 12500.0 and row[s.SIZE_BAND] == "small"
    assert any("Windows-1252" in n.text for n in res.notes)
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbfname,postcode\nBom Group,DM1 3CD\n")
    assert upload.preview(bom, "organisations").table.columns[0] == "name"
    res = upload.import_upload("organisations", bom, pack=pack)
    assert res.stats["added"] == 1


def test_empty_file_and_header_only(tmp_path, pack):
    with pytest.raises(InputError, match="empty.csv: the file is empty"):
        upload.import_upload("organisations", write(tmp_path, "empty.csv", ""), pack=pack)
    with pytest.raises(InputError, match="no data rows"):
        upload.import_upload("organisations", write(tmp_path, "head.csv", "name,postcode\n"), pack=pack)


def test_wrong_kind_of_file(tmp_path, pack):
    geo = '{"type": "FeatureCollection", "features": []}'
    with pytest.raises(InputError, match=r"\.geojson file goes in as Ward boundaries"):
        upload.import_upload("organisations", write(tmp_path, "wards.geojson", geo), pack=pack)
    with pytest.raises(InputError, match=r"\.csv file goes in as Organisations"):
        upload.import_upload("boundaries", write(tmp_path, "list.csv", ORGS), pack=pack)
    with pytest.raises(InputError, match="not a table"):
        upload.import_upload("organisations", write(tmp_path, "renamed.csv", geo), pack=pack)
    with pytest.raises(InputError, match="this is a table"):
        upload.import_upload("boundaries", write(tmp_path, "renamed.geojson", ORGS), pack=pack)


def test_oversized_file_names_the_limit(tmp_path, pack, monkeypatch):
    from sector_map.upload import files

    monkeypatch.setattr(files, "MAX_UPLOAD_MB", 0.0001)  # where check_upload reads it
    with pytest.raises(InputError, match=r"uploads are limited to 0.0001 MB"):
        upload.import_upload("organisations", write(tmp_path, "big.csv", ORGS * 10), pack=pack)


def test_indicators_unknown_ward_codes_and_clash(tmp_path, pack):
    text = (
        "ward_code,ward_name,Claimant rate,IMD score\n"
        "X05000001,Alpha,3.5,11\n"
        'X05000002,Beta,"1,204.5",41\n'
        "E05000819,Elsewhere,2.0,5\n"
        "E05000820,Elsewhere too,2.5,6\n"
        ",,1,1\n"
    )
    path = write(tmp_path, "figures.csv", text)
    res = upload.import_upload("indicators", path, pack=pack)
    assert list(res.accepted["Id"]) == ["claimant_rate"]
    assert res.accepted["Wards with a value"].iloc[0] == 2
    wide = res.pack.indicator_wide()
    assert wide.loc["X05000002", "claimant_rate"] == 1204.5
    assert pd.isna(wide.loc["X05000003", "claimant_rate"])
    assert wide.loc["X05000001", "imd_score"] == 10.0  # the pack's own value, not replaced
    rej = res.rejected
    assert list(rej["File row"].dropna()) == [4, 5, 6]
    assert rej["Reason"].iloc[0] == "ward code E05000819 is not one of this pack's wards"
    assert rej["Reason"].iloc[2] == "no ward code"
    assert rej["Reason"].iloc[3] == "indicator 'imd_score' is already in the pack; not added"
    assert any(
        "2 ward codes are not among the pack's wards" in n.text and "E05000819, E05000820" in n.text
        for n in res.notes
    )
    assert res.stats["unknown_codes"] == 2
    replaced = upload.import_upload("indicators", path, pack=pack, replace_indicators=True)
    wide = replaced.pack.indicator_wide()
    assert wide.loc["X05000001", "imd_score"] == 11.0
    assert pd.isna(wide.loc["X05000003", "imd_score"])  # old values of a replaced indicator go


def test_indicators_all_clashing_is_an_error(tmp_path, pack):
    path = write(tmp_path, "imd.csv", "ward_code,IMD score\nX05000001,3\n")
    with pytest.raises(InputError, match="Replace indicators already in the pack"):
        upload.import_upload("indicators", path, pack=pack)


def _square_geojson(codes: list[str]) -> str:
    feats = []
    for i, code in enumerate(codes):
        x = -2.0 + i * 0.01
        ring = [[x, 53.0], [x + 0.01, 53.0], [x + 0.01, 53.01], [x, 53.01], [x, 53.0]]
        feats.append(
            {
                "type": "Feature",
                "properties": {"WD22CD": code, "WD22NM": f"Ward {i}", "LAD22CD": "E08000009"},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    return json.dumps({"type": "FeatureCollection", "features": feats})


def test_boundaries_make_a_new_pack_that_saves_and_loads(tmp_path, pack):
    path = write(tmp_path, "new_wards.geojson", _square_geojson(["E05000001", "E05000002"]))
    prev = upload.preview(path, "boundaries").table
    assert list(prev["WD22CD"]) == ["E05000001", "E05000002"] and prev["shape"].iloc[0] == "Polygon"
    res = upload.import_upload("boundaries", path, pack=pack, name="New Town")
    assert res.new_pack_only and len(res.accepted) == 2
    assert len(res.pack.organisations) == 0 and res.pack.indicator_meta == {}
    with pytest.raises(InputError, match="Save as a new pack instead"):
        pack.manifest["demo"] = False
        pack.path = tmp_path / "packs" / "current"
        upload.add_to_current(pack, res)
    out = upload.save_as_new_pack(res.pack, tmp_path / "packs", "New Town")
    assert out == tmp_path / "packs" / "new-town"
    loaded = load_pack(out)
    assert loaded.name == "New Town" and list(loaded.wards[s.WARD_CODE]) == ["E05000001", "E05000002"]
    assert loaded.manifest["ward_vintage"] == "WD22" and loaded.manifest["area_codes"] == ["E08000009"]


def test_save_as_new_pack_refuses_existing_demo_and_empty_names(tmp_path, pack):
    packs = tmp_path / "packs"
    (packs / "taken").mkdir(parents=True)
    with pytest.raises(InputError, match="'taken' already exists"):
        upload.save_as_new_pack(pack, packs, "Taken")
    with pytest.raises(InputError, match="demo"):
        upload.save_as_new_pack(pack, packs, "Demo")
    with pytest.raises(InputError, match="give the new pack a name"):
        upload.save_as_new_pack(pack, packs, " — ")


def test_add_to_current_refuses_the_demo_and_writes_a_real_pack(tmp_path, pack):
    path = write(tmp_path, "groups.csv", ORGS)
    res = upload.import_upload("organisations", path, pack=pack)
    with pytest.raises(InputError, match="demo pack cannot be changed. Save as a new pack instead"):
        upload.add_to_current(pack, res)
    pack.manifest = {**pack.manifest, "demo": False}
    folder = save_pack(pack, tmp_path / "packs" / "testshire")
    current = load_pack(folder)
    res = upload.import_upload("organisations", path, pack=current)
    added = upload.add_to_current(current, res)
    assert added.folder == folder and not added.redone
    again = load_pack(folder)
    assert len(again.organisations) == 5
    assert again.postcodes is not None and len(again.postcodes) == 2
    assert again.sources[-1]["title"] == "groups.csv" and "updated_at" in again.manifest
    assert any("merged with them" in n for n in again.manifest["build_notes"])


def test_assets_with_only_a_postcode_and_no_postcode_table(tmp_path, pack):
    text = "name,kind,status,postcode,lon,lat\nOld Baths,pool,vacant,,-2.285,53.405\nSmall Hall,hall,,DM1 3CD,,\n"
    path = write(tmp_path, "assets.csv", text)
    assert (
        upload.guess_mapping("assets", ["name", "kind", "status", "postcode", "lon", "lat"])["lat"] == "lat"
    )
    res = upload.import_upload("assets", path, pack=pack)
    assets = res.pack.assets.set_index(s.ASSET_ID)
    assert len(assets) == 3  # the pack's one + both rows (the postcode is in the pack's table)
    pack.postcodes = None
    res = upload.import_upload("assets", path, pack=pack)
    assert len(res.pack.assets) == 2
    assert list(res.rejected["File row"]) == [3]
    assert (
        res.rejected["Reason"].iloc[0] == "only a postcode, and this pack has no postcode table to place it"
    )
    assert res.accepted["Status"].iloc[0] == "vacant"


def test_save_upload_keeps_the_file_name(tmp_path):
    p = upload.save_upload(b"a,b\n1,2\n", "C:\\Users\\me\\My groups.csv", folder=tmp_path)
    assert p == tmp_path / "My groups.csv" and p.read_bytes() == b"a,b\n1,2\n"


def test_the_organisations_template_places_its_rows_in_the_demo():
    """The template's example rows use demo postcodes, so trying it on the demo shows them on the map."""
    from sector_map.demo.make import build_demo_pack

    demo = build_demo_pack()
    result = upload.import_upload("organisations", upload.template_path("organisations"), pack=demo)
    new = result.pack.organisations[
        result.pack.organisations[s.ORG_NAME].str.contains("(fictional)", regex=False)
    ]
    assert len(new) == 2 and (new[s.LOCATION_QUALITY] == s.LOCATION_CONTACT).all()
    assert len(result.pack.organisations) == len(demo.organisations) + 2


def test_columns_the_importers_do_not_know_survive_an_upload(tmp_path, pack):
    """A pack's own extra columns (hand-added or from a newer importer) are kept for every old row."""
    pack.organisations = pack.organisations.assign(
        funder_note=pd.Series(["core grant", None, "trust"], dtype="string"),
        hubs=[["Hale"], [], ["Sale", "Urmston"]],
    )
    pack.services = pack.services.assign(
        referral=pd.Series([f"route {i}" for i in range(len(pack.services))], dtype="string")
    )
    path = write(tmp_path, "x.csv", "name,postcode\nNew Hall Group,DM1 1AA\n")
    res = upload.import_upload("organisations", path, pack=pack)
    saved = load_pack(save_pack(res.pack, tmp_path / "p"))
    orgs = saved.organisations.set_index(s.ORG_ID)
    assert list(orgs.loc[["o1", "o3"], "funder_note"]) == ["core grant", "trust"]
    assert pd.isna(orgs.loc["o2", "funder_note"])
    assert list(orgs.loc["o3", "hubs"]) == ["Sale", "Urmston"]
    old_services = saved.services[saved.services[s.SERVICE_ID].isin(pack.services[s.SERVICE_ID])]
    assert sorted(old_services["referral"]) == sorted(pack.services["referral"])
