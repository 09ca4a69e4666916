"""Measured reach sent as a listing's service area (sector_map/reach/service_area.py), on SQLite and
PostgreSQL: a change for review with the wards as its delivery, only for someone who may edit the
listing; approval puts the wards in the listing."""

from __future__ import annotations

import pandas as pd
import pytest

from sector_map.directory.store import NotAllowed, Store
from sector_map.reach import service_area

OFFICER, EDITOR, OTHER = "officer@council.example", "ed@pantry.example", "ed@elsewhere.example"


class _Report:
    """Just what reach_wards reads of a report: the raw ward table."""

    def __init__(self, wards: pd.DataFrame):
        self.result = type("R", (), {"wards": wards})()


def _report() -> _Report:
    return _Report(
        pd.DataFrame(
            {
                "ward_code": ["W1", "W2", "W3", "W4", "W5"],
                "beneficiaries": [40.0, 12.0, 3.0, 0.0, 60.0],
                "per_1000": [8.0, 2.4, 9.0, 0.0, 12.0],
                "in_catchment": [True, True, True, True, False],
            }
        )
    )


def test_reach_wards_keeps_shown_counts_at_the_rate_in_the_catchment():
    rep = _report()
    assert service_area.reach_wards(rep, 2.0) == ["W1", "W2"]  # W3: 3 people (hidden); W5 outside
    assert service_area.reach_wards(rep, 5.0) == ["W1"]
    assert service_area.reach_wards(rep, 50.0) == []
    with pytest.raises(ValueError, match="per 1,000"):
        service_area.reach_wards(rep, -1)
    with pytest.raises(ValueError, match="no ward reaches that rate"):
        service_area.delivery([])


def test_a_service_area_goes_to_review_and_only_its_editor_may_send_it(store: Store) -> None:
    store.create_user(OFFICER, "officer")
    rev = store.submit(
        {"name": "Lunch club", "themes": ["older_people"], "delivery": {"mode": "whole_area"}},
        by=OFFICER,
        organisation={"name": "Example Pantry", "charity_number": "1234567"},
    )
    service = store.approve(rev.id, by=OFFICER)
    store.create_user(EDITOR, "editor")
    store.create_user(OTHER, "editor")
    claim = store.claim(service.organisation_id, by=EDITOR)
    store.review_claim(claim.id, "approved", by=OFFICER)

    with pytest.raises(NotAllowed):
        service_area.send(store, by=OTHER, service_id=service.id, wards=["E05015244"])
    sent = service_area.send(store, by=EDITOR, service_id=service.id, wards=["E05015244", "E05015252"])
    assert sent.state == "submitted"
    assert sent.content["service"] == {"delivery": {"mode": "wards", "wards": ["E05015244", "E05015252"]}}
    approved = store.approve(sent.id, by=OFFICER)
    assert approved.delivery == {"mode": "wards", "wards": ["E05015244", "E05015252"]}
    assert approved.name == "Lunch club"  # only the delivery changed
