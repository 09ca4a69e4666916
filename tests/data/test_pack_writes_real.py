"""The upload that used to wipe themes, on the real Trafford pack: nothing already there is lost.

Data page → Organisations → the app's own template → Check → Add to the current pack, through the
same functions the page calls, on a copy of the Trafford pack built from ../shared/data. Before
the fix, organisations with themes went from 670 of 749 to 2 of 751 and client groups were wiped.
Run with ``-s`` to see the counts before and after.
"""

from __future__ import annotations

import shutil

import pytest

from sector_map import upload
from sector_map.pack import schema as s
from sector_map.pack.io import Pack, load_pack

pytestmark = pytest.mark.data


def counts(pack: Pack) -> dict[str, int]:
    """Rows, and rows with at least one theme / client group / served ward."""
    o, v = pack.organisations, pack.services
    filled = lambda col: int(col.map(len).gt(0).sum())  # noqa: E731
    return {
        "organisations": len(o),
        "organisations with themes": filled(o[s.THEMES]),
        "organisations with client groups": filled(o[s.CLIENT_GROUPS]) if s.CLIENT_GROUPS in o else 0,
        "services": len(v),
        "services with themes": filled(v[s.THEMES]),
        "services with client groups": filled(v[s.CLIENT_GROUPS]),
        "services with listed wards": filled(v[s.AREA_WARDS]),
    }


def test_adding_the_organisations_template_to_trafford_keeps_every_theme(trafford_pack_dir, tmp_path):
    folder = shutil.copytree(trafford_pack_dir, tmp_path / "packs" / "trafford")
    before = load_pack(folder)
    result = upload.import_upload(
        "organisations", upload.template_path("organisations"), pack=before, keep_outside=True
    )
    added = upload.add_to_current(before, result)
    after = load_pack(folder)

    was, now = counts(before), counts(after)
    old = after.organisations[after.organisations[s.ORG_ID].isin(before.organisations[s.ORG_ID])]
    old_services = after.services[after.services[s.SERVICE_ID].isin(before.services[s.SERVICE_ID])]
    kept = counts(Pack(**{**before.__dict__, "organisations": old, "services": old_services}))
    print("\nTrafford, before → after adding data/templates/organisations.csv:")
    for key in was:
        print(f"  {key}: {was[key]:,} → {now[key]:,} (original rows: {kept[key]:,})")

    assert not added.redone
    # 629: since issue 10 the text rules give PTAs, formula-only texts and aid abroad no theme (was 670)
    assert was["organisations with themes"] == 629 and was["organisations"] == 749
    assert kept == was  # every original row, with every theme, client group and served ward
    assert now["organisations"] == was["organisations"] + 2
    assert now["organisations with themes"] == was["organisations with themes"] + 2
    assert now["services with themes"] == was["services with themes"] + 2

    by_id = after.organisations.set_index(s.ORG_ID)
    for col in (s.THEMES, s.CLIENT_GROUPS, "themes_reason", s.LOCATION_QUALITY, s.INCOME):
        theirs = by_id.loc[before.organisations[s.ORG_ID], col].tolist()
        mine = before.organisations[col].tolist()
        assert [str(x) for x in theirs] == [str(x) for x in mine], col
    svc = after.services.set_index(s.SERVICE_ID)
    for col in (s.THEMES, s.CLIENT_GROUPS, s.AREA_WARDS, s.AREA_TYPE):
        assert svc.loc[before.services[s.SERVICE_ID], col].tolist() == before.services[col].tolist(), col
