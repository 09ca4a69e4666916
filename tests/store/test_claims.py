"""Claims of pack organisations, finding organisations, what an editor may open for editing, and
the caps on a submission (sector_map/directory/store.py), on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest

from sector_map.directory.models import Organisation
from sector_map.directory.store import (
    MAX_OPEN_CLAIMS_PER_USER,
    MAX_TEXT_CHARS,
    DirectoryError,
    NotAllowed,
    Store,
    check_service,
)

OFFICER, EDITOR, OTHER = "officer@council.example", "ed@pantry.example", "ed@choir.example"
PANTRY = {"pack_org_id": "DEMO-ORG-0003", "name": "Thistleby Pantry", "charity_number": "9177390"}


def _organisations(store: Store) -> list[Organisation]:
    with store.transaction() as s:
        return list(s.query(Organisation).order_by(Organisation.id))


def test_claiming_a_pack_organisation_makes_its_record_once_and_waits_for_an_officer(store: Store) -> None:
    store.create_user(OFFICER, "officer")
    store.create_user(EDITOR, "editor")
    store.create_user(OTHER, "editor")
    claim = store.claim_pack_organisation(PANTRY, by=EDITOR, relationship="I chair the trustees")
    (org,) = _organisations(store)
    assert (org.name, org.pack_org_id, org.charity_number) == (
        "Thistleby Pantry",
        "DEMO-ORG-0003",
        "9177390",
    )
    assert (claim.state, claim.relationship, claim.organisation_id) == (
        "unreviewed",
        "I chair the trustees",
        org.id,
    )
    assert store.user(EDITOR).organisation_id is None  # nothing to edit until an officer approves
    with pytest.raises(DirectoryError, match="already claimed"):
        store.claim_pack_organisation(PANTRY, by=EDITOR, relationship="again")
    second = store.claim_pack_organisation({**PANTRY, "name": "Renamed"}, by=OTHER, relationship="volunteer")
    assert second.organisation_id == org.id and len(_organisations(store)) == 1
    assert [(r.email, r.relationship) for r in store.claims("unreviewed", by=OFFICER)] == [
        (EDITOR, "I chair the trustees"),
        (OTHER, "volunteer"),
    ]
    store.review_claim(claim.id, "approved", by=OFFICER)
    assert store.user(EDITOR).organisation_id == org.id
    with pytest.raises(DirectoryError, match="already manages"):
        store.claim(org.id, by=EDITOR)
    assert [(c.id, o.id) for c, o in store.claims_of(EDITOR)] == [(claim.id, org.id)]


def test_officers_need_no_claim_and_editors_have_a_limit_of_open_claims(store: Store) -> None:
    store.create_user(OFFICER, "officer")
    store.create_user(EDITOR, "editor")
    with pytest.raises(NotAllowed, match="need no claim"):
        store.claim_pack_organisation(PANTRY, by=OFFICER)
    for i in range(MAX_OPEN_CLAIMS_PER_USER):
        store.claim_pack_organisation({"pack_org_id": f"P{i}", "name": f"Org {i}"}, by=EDITOR)
    with pytest.raises(NotAllowed, match="waiting for review"):
        store.claim_pack_organisation({"pack_org_id": "P-last", "name": "One too many"}, by=EDITOR)
    with pytest.raises(DirectoryError, match="pack id and name"):
        store.claim_pack_organisation({"name": "no id"}, by=EDITOR)


def test_find_organisations_by_part_of_the_name_or_an_exact_number(store: Store) -> None:
    store.create_user(EDITOR, "editor")
    store.claim_pack_organisation(PANTRY, by=EDITOR)
    store.claim_pack_organisation({"pack_org_id": "X2", "name": "100% Choir_Group"}, by=EDITOR)
    assert [o.name for o in store.find_organisations("pantry")] == ["Thistleby Pantry"]
    assert [o.name for o in store.find_organisations("9177390")] == ["Thistleby Pantry"]
    assert [o.name for o in store.find_organisations("0% c")] == ["100% Choir_Group"]
    assert [o.name for o in store.find_organisations("%")] == ["100% Choir_Group"]  # % is literal
    assert store.find_organisations("choi_") == []  # _ is literal, not "any character"
    assert store.find_organisations("  ") == []


def _service_of_a_claimed_organisation(store: Store) -> str:
    store.create_user(OFFICER, "officer")
    store.create_user(EDITOR, "editor")
    claim = store.claim_pack_organisation(PANTRY, by=EDITOR)
    store.review_claim(claim.id, "approved", by=OFFICER)
    revision = store.submit({"name": "Pantry"}, by=EDITOR, organisation_id=claim.organisation_id)
    return store.approve(revision.id, by=OFFICER).id


def test_only_the_organisations_editor_or_an_officer_opens_a_service_for_editing(store: Store) -> None:
    service_id = _service_of_a_claimed_organisation(store)
    store.create_user(OTHER, "editor")
    assert store.editable_service(service_id, by=EDITOR).name == "Pantry"
    assert store.editable_service(service_id, by=OFFICER).version == 1
    with pytest.raises(NotAllowed, match="own organisation"):
        store.editable_service(service_id, by=OTHER)
    with pytest.raises(NotAllowed, match="own organisation"):
        store.submit({"name": "Taken over"}, by=OTHER, service_id=service_id, base_version=1)


def test_an_editors_revisions_show_their_state_and_the_rejection_reason(store: Store) -> None:
    service_id = _service_of_a_claimed_organisation(store)
    rejected = store.submit({"capacity": "10"}, by=EDITOR, service_id=service_id, base_version=1)
    store.reject(rejected.id, "Say how many people a week", by=OFFICER)
    waiting = store.submit({"capacity": "10 a week"}, by=EDITOR, service_id=service_id, base_version=1)
    mine = store.revisions_by(EDITOR)
    assert [(r.id, r.state, r.reason) for r in mine] == [
        (waiting.id, "submitted", ""),
        (rejected.id, "rejected", "Say how many people a week"),
    ]
    assert [r.id for r in store.pending(service_id=service_id)] == [waiting.id]
    assert store.pending(service_id="svc-none") == []


def test_text_fields_are_capped(store: Store) -> None:
    assert check_service({"description": "x" * MAX_TEXT_CHARS})["description"] == "x" * MAX_TEXT_CHARS
    with pytest.raises(DirectoryError, match="description is 10,001 characters long"):
        check_service({"description": "x" * (MAX_TEXT_CHARS + 1)})
    with pytest.raises(DirectoryError, match="an entry of themes"):
        check_service({"themes": ["y" * 201]})
    with pytest.raises(DirectoryError, match="client_groups has 101 entries"):
        check_service({"client_groups": [str(i) for i in range(101)]})
    service_id = _service_of_a_claimed_organisation(store)
    with pytest.raises(DirectoryError, match="opening_times is"):
        store.submit({"opening_times": "9-5 " * 3000}, by=EDITOR, service_id=service_id)
    assert store.pending() == []
