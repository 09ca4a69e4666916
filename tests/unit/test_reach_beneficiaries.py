"""Reading beneficiary files (sector_map.reach.beneficiaries): every kind, messy input, accounting,
apportionment, and the privacy rule (no postcode reaches disk, logs, temp files or error text).

Counts are worked out by hand on :func:`tests.reach_packs.hand_pack`: LSOAs 1 and 2 in Alpha
(6,000 and 2,000 residents), 3 in Beta, 4 and 5 in Gamma (5,000 each), 6 in Delta; sector ZZ1 1
has two postcodes in LSOA 1, one in LSOA 2 and one with no LSOA.
"""

from __future__ import annotations

import dataclasses
import gzip
import io
import logging
import os
import tempfile
import warnings

import openpyxl
import pytest

from sector_map.importers.tables import InputError, read_table_bytes
from sector_map.reach.beneficiaries import LIMITS, read_beneficiaries
from tests.reach_packs import hand_pack


def L(i: int) -> str:  # noqa: N802 (reads like the LSOA names in the docstring)
    return f"X01{i:06d}"


@pytest.fixture
def pack():
    return hand_pack()


def csv(text: str, encoding: str = "utf-8") -> bytes:
    return text.replace("\n", "\r\n").encode(encoding)


def xlsx(rows: list[list]) -> bytes:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def check_adds_up(b) -> None:
    a = b.accounting
    assert a.matched + a.unmatched_total == pytest.approx(a.people)
    assert b.by_lsoa.sum() == pytest.approx(a.matched)


# --- kinds ----------------------------------------------------------------------------------------


def test_one_postcode_per_row_counts_people_in_their_lsoas_and_every_unmatched_reason(pack):
    data = csv(
        "Name,Postcode\n"
        "a,ZZ1 1AA\nb,zz11ab\nc,ZZ1   1AD\nd,ZZ1 1AE\ne,\nf,NOT A CODE\ng,ZZ1 9ZZ\nh,SW1A 1AA\ni,ZZ2 4AA\n"
    )
    b = read_beneficiaries(data, "people.csv", pack)
    assert b.kind == "people"
    assert b.columns == {"postcode": "Postcode"}
    assert b.by_lsoa[L(1)] == 2 and b.by_lsoa[L(2)] == 1 and b.by_lsoa[L(6)] == 1
    assert b.by_lsoa.sum() == 4
    assert list(b.by_lsoa.index) == [L(i) for i in range(1, 7)]  # every pack LSOA, zeros kept
    a = b.accounting
    assert (a.rows_read, a.people, a.matched) == (9, 9, 4)
    # ZZ1 9ZZ is in a district of the area but not in its postcodes: not found; SW1A is not a district
    # of the area: outside it.
    assert a.unmatched == {
        "not a postcode": 1,
        "not found": 1,
        "outside the area": 1,
        "no LSOA": 1,
        "blank": 1,
        "bad count": 0,
    }
    check_adds_up(b)
    assert "row 7: not a postcode" in b.problems
    assert "row 9: outside the area" in b.problems


def test_counts_by_postcode_read_thousands_separators(pack):
    b = read_beneficiaries(csv('Postcode,Clients\nZZ1 1AA,"1,204"\nZZ2 3AA,7\n'), "c.csv", pack)
    assert b.kind == "counts_by_postcode"
    assert b.columns == {"postcode": "Postcode", "count": "Clients"}
    assert b.by_lsoa[L(1)] == 1204 and b.by_lsoa[L(4)] == 7
    assert b.accounting.people == 1211


def test_postcodes_are_preferred_to_wards_and_only_the_column_used_is_reported(pack):
    b = read_beneficiaries(csv("Ward,Postcode\nBeta,ZZ1 1AA\nBeta,ZZ1 1AB\n"), "c.csv", pack)
    assert b.columns == {"postcode": "Postcode"}
    assert b.by_lsoa[L(1)] == 2 and b.by_lsoa[L(3)] == 0


def test_a_repeated_postcode_with_a_count_column_is_people_per_row(pack):
    b = read_beneficiaries(csv("Postcode,Count\nZZ1 1AA,2\nZZ1 1AA,3\n"), "c.csv", pack)
    assert b.kind == "people"
    assert b.by_lsoa[L(1)] == 5


def test_sectors_are_shared_over_lsoas_by_their_postcodes(pack):
    b = read_beneficiaries(
        csv("Postcode sector,People\nZZ1 1,8\nzz1 2,3\nSW1A 1,5\nZZ1 7,2\n"), "s.csv", pack
    )
    assert b.kind == "counts_by_sector"
    # ZZ1 1: 2 of its 4 pack postcodes in LSOA 1, 1 in LSOA 2, 1 with no LSOA.
    assert b.by_lsoa[L(1)] == pytest.approx(4) and b.by_lsoa[L(2)] == pytest.approx(2)
    assert b.by_lsoa[L(3)] == pytest.approx(3)
    a = b.accounting
    assert a.unmatched["no LSOA"] == pytest.approx(2)
    assert a.unmatched["outside the area"] == 5 and a.unmatched["not found"] == 2
    check_adds_up(b)
    assert any("only the area's postcodes" in m for m in b.method)


def test_with_a_national_file_the_part_of_a_sector_outside_the_area_is_outside(pack, tmp_path):
    # Code-Point Open's layout: sector ZZ1 1 has 4 more postcodes outside the pack; SW1A 1 exists.
    rows = [
        "ZZ1 1AA",
        "ZZ1 1AB",
        "ZZ1 1AD",
        "ZZ1 1AE",
        "ZZ1 1BA",
        "ZZ1 1BB",
        "ZZ1 1BD",
        "ZZ1 1BE",
        "SW1A 1AA",
    ]
    text = "Postcode,Positional_quality_indicator,Eastings,Northings\n" + "".join(
        f'"{p}",10,1,1\n' for p in rows
    )
    national = tmp_path / "codepoint.csv.gz"
    national.write_bytes(gzip.compress(text.encode()))
    b = read_beneficiaries(
        csv("Sector,Count\nZZ1 1,8\nSW1A 1,5\nZZ9 9,2\n"), "s.csv", pack, postcodes_file=national
    )
    assert b.by_lsoa[L(1)] == pytest.approx(2) and b.by_lsoa[L(2)] == pytest.approx(1)
    a = b.accounting
    assert a.unmatched["no LSOA"] == pytest.approx(1)
    assert a.unmatched["outside the area"] == pytest.approx(4 + 5)
    assert a.unmatched["not found"] == 2  # ZZ9 9 is in no file: it does not exist
    check_adds_up(b)


def test_with_a_national_file_postcodes_outside_the_area_are_told_from_missing_ones(pack, tmp_path):
    national = tmp_path / "onspd.csv"
    national.write_text("pcds,lsoa21,oslaua\nSW1A 1AA,E01004736,E09000033\nZZ1 9ZZ,E01000001,E09000001\n")
    data = csv("Postcode\nSW1A 1AA\nZZ1 9ZZ\nAB1 2CD\n")
    b = read_beneficiaries(data, "p.csv", pack, postcodes_file=national)
    assert b.accounting.unmatched["outside the area"] == 2
    assert b.accounting.unmatched["not found"] == 1  # AB1 2CD is in no file
    assert any("national postcode file (onspd.csv)" in m for m in b.method)


def test_lsoa_counts_are_used_as_they_are(pack):
    b = read_beneficiaries(
        csv("LSOA code,Number\nX01000003,12\nx01000006,4\nE01000001,3\nnowhere,1\n"), "l.csv", pack
    )
    assert b.kind == "counts_by_lsoa"
    assert b.by_lsoa[L(3)] == 12 and b.by_lsoa[L(6)] == 4 and b.by_lsoa.sum() == 16
    assert b.accounting.unmatched["outside the area"] == 3
    assert b.accounting.unmatched["not found"] == 1
    check_adds_up(b)


def test_ward_counts_are_shared_by_population_and_the_method_says_what_it_assumes(pack):
    b = read_beneficiaries(csv("Ward,Count\nAlpha,80\nX05000003,10\nE05000001,4\nOmega,2\n"), "w.csv", pack)
    assert b.kind == "counts_by_ward"
    assert b.by_lsoa[L(1)] == pytest.approx(60) and b.by_lsoa[L(2)] == pytest.approx(20)
    assert b.by_lsoa[L(4)] == pytest.approx(5) and b.by_lsoa[L(5)] == pytest.approx(5)
    assert b.accounting.unmatched["outside the area"] == 4 and b.accounting.unmatched["not found"] == 2
    check_adds_up(b)
    assert any("understates differences within wards" in m for m in b.method)


def test_a_column_of_ward_names_is_recognised_by_its_values(pack):
    b = read_beneficiaries(csv("Area,Total\nbeta,9\nGAMMA,4\n"), "w.csv", pack)
    assert b.columns["ward"] == "Area"
    assert b.by_lsoa.sum() == pytest.approx(13)


def test_a_postcode_column_with_an_unhelpful_name_is_recognised_by_its_values(pack):
    b = read_beneficiaries(csv("Ref,Home\n1,ZZ1 1AA\n2,ZZ2 3AB\n"), "p.csv", pack)
    assert b.columns["postcode"] == "Home"
    assert b.by_lsoa.sum() == 2


# --- messy input ----------------------------------------------------------------------------------


def test_bom_cp1252_and_blank_rows_are_read(pack):
    text = "\ufeffPostcode,Service\nZZ1 1AA,Café\n\n,\nZZ2 4AA,Café\nNOTAPC,Café\n"
    for data in (text.encode("utf-8"), text.removeprefix("\ufeff").encode("cp1252")):
        b = read_beneficiaries(data, "m.csv", pack)
        assert b.columns["postcode"] == "Postcode"
        assert b.by_lsoa[L(1)] == 1 and b.by_lsoa[L(6)] == 1
        assert b.services == ["Café"]
        assert b.accounting.rows_read == 3  # wholly blank rows are not records
        assert "row 6: not a postcode" in b.problems  # but file rows are still named right
    assert any("Windows-1252" in n for n in b.notes)


def test_unreadable_and_negative_counts_count_as_one_bad_count_each(pack):
    b = read_beneficiaries(
        csv("Postcode,Count\nZZ1 1AA,abc\nZZ1 1AB,-3\nZZ2 4AA,5\nZZ2 3AA,\n"), "b.csv", pack
    )
    a = b.accounting
    assert a.unmatched["bad count"] == 3 and a.unmatched_rows["bad count"] == 3
    assert a.people == 8 and a.matched == 5
    check_adds_up(b)
    assert "rows 2, 3 and 5: bad count" in b.problems


def test_an_excel_workbook_is_read_from_memory(pack):
    data = xlsx(
        [
            ["Client", "Postcode", "People"],
            ["a", "ZZ1 1AA", 3],
            [None] * 3,
            ["b", "ZZ2 3AB", 2],
            ["c", "X", 1],
        ]
    )
    b = read_beneficiaries(data, "list.xlsx", pack)
    assert b.problems == ["row 5: not a postcode"]  # the blank row 3 still counts
    assert b.by_lsoa[L(1)] == 3 and b.by_lsoa[L(5)] == 2
    assert b.columns["count"] == "People"


def test_read_table_bytes_reads_gzipped_text():
    df = read_table_bytes(gzip.compress(b"a,b\n1,2\n"), "t.csv.gz")
    assert df.to_dict("list") == {"a": ["1"], "b": ["2"]}


def test_problems_name_rows_and_are_capped(pack):
    body = "".join(f"{'NOTAPC' if i % 2 else 'ZZ1 1AA'}\n" for i in range(40))
    b = read_beneficiaries(csv("Postcode\n" + body), "p.csv", pack)
    sentence = next(p for p in b.problems if p.endswith("not a postcode"))
    assert sentence.startswith("rows 3, 5, 7, 9, 11, 13, 15, 17, 19, 21 and 10 more:")


# --- mapping, filters, refusals -------------------------------------------------------------------


def test_mapping_overrides_the_guess(pack):
    data = csv("Postcode,Home postcode,n\nZZ2 4AA,ZZ1 1AA,2\nZZ2 4AA,ZZ1 2AA,1\n")
    guessed = read_beneficiaries(data, "m.csv", pack)
    assert guessed.columns["postcode"] == "Postcode" and guessed.by_lsoa[L(6)] == 3
    mapped = read_beneficiaries(data, "m.csv", pack, mapping={"postcode": "Home postcode", "count": "n"})
    assert mapped.columns == {"postcode": "Home postcode", "count": "n"}
    assert mapped.by_lsoa[L(1)] == 2 and mapped.by_lsoa[L(3)] == 1 and mapped.by_lsoa[L(6)] == 0
    unmapped = read_beneficiaries(data, "m.csv", pack, mapping={"count": None})
    assert "count" not in unmapped.columns and unmapped.accounting.people == 2


def test_a_mapping_to_a_missing_column_names_the_columns_there_are(pack):
    with pytest.raises(InputError, match=r"has no column 'Home'.*its columns: Postcode, n"):
        read_beneficiaries(csv("Postcode,n\nZZ1 1AA,1\n"), "m.csv", pack, mapping={"postcode": "Home"})


def test_a_file_with_no_place_column_names_the_columns_it_saw(pack):
    with pytest.raises(InputError, match=r"no column of postcodes.*its columns: Name, Age, Visits") as e:
        read_beneficiaries(csv("Name,Age,Visits\nAnn,40,3\n"), "n.csv", pack)
    assert "mapping" in str(e.value)


def test_a_file_without_a_header_row_is_refused_without_quoting_it(pack):
    with pytest.raises(InputError, match="first row holds a postcode") as e:
        read_beneficiaries(csv("ZZ1 1AA,3\nZZ2 3AB,2\n"), "h.csv", pack)
    assert "ZZ1" not in str(e.value)


def test_a_header_below_a_title_row_is_refused_naming_its_row(pack):
    data = xlsx([["Clients seen in 2025"], [None], ["Name", "Postcode"], ["a", "ZZ1 1AA"]])
    with pytest.raises(InputError, match="column names seem to be on row 3, not row 1"):
        read_beneficiaries(data, "t.xlsx", pack)


def test_filters_by_date_and_service_and_report_what_they_saw(pack):
    data = csv(
        "Postcode,Date,Service\nZZ1 1AA,03/01/2025,Advice\nZZ1 1AB,2025-02-10,Food\n"
        "ZZ2 4AA,15/03/2025,advice\nZZ2 3AA,soon,Advice\n"
    )
    b = read_beneficiaries(data, "f.csv", pack)
    assert b.services == ["Advice", "Food", "advice"]
    assert [str(d) for d in b.date_range] == ["2025-01-03", "2025-03-15"]
    got = read_beneficiaries(
        data, "f.csv", pack, date_from="2025-01-01", date_to="2025-03-15", services=["ADVICE"]
    )
    assert got.by_lsoa[L(1)] == 1 and got.by_lsoa[L(6)] == 1 and got.by_lsoa.sum() == 2
    assert got.accounting.rows_left_out == 2 and got.accounting.people == 2
    assert "row 5: no readable date, so left out by the date filter" in got.problems


def test_a_pack_without_lsoas_is_refused(pack):
    pack.lsoas = None
    with pytest.raises(InputError, match="no LSOA table"):
        read_beneficiaries(csv("Postcode\nZZ1 1AA\n"), "p.csv", pack)


def test_a_file_over_the_row_limit_is_refused_naming_the_limit(pack):
    data = csv("Postcode\n" + "ZZ1 1AA\n" * 12)
    with pytest.raises(InputError, match="more than 10 rows, the most a beneficiary file can have"):
        read_beneficiaries(data, "big.csv", pack, limits=dataclasses.replace(LIMITS, rows=10))
    assert read_beneficiaries(data, "big.csv", pack).accounting.people == 12


def test_utf16_text_from_excel_is_read(pack):
    b = read_beneficiaries("Postcode\tCount\nZZ1 1AA\t3\n".encode("utf-16"), "u.txt", pack)
    assert b.by_lsoa[L(1)] == 3


def test_a_file_of_another_kind_is_refused(pack):
    with pytest.raises(InputError, match="PDF"):
        read_beneficiaries(b"%PDF-1.4 ...", "p.csv", pack)


# --- privacy --------------------------------------------------------------------------------------

SECRET = ["ZZ1 1AA", "ZZ1 1AB", "ZZ2 3AB", "ZZ1 9ZZ", "SW1A 1AA", "QQ1 1QQ"]


def _hidden(text: str) -> bool:
    squeezed = text.upper().replace(" ", "")
    return not any(p.replace(" ", "") in squeezed for p in SECRET)


def test_no_postcode_reaches_temp_files_logs_warnings_results_or_errors(pack, tmp_path, monkeypatch, caplog):
    tmp, cwd = tmp_path / "tmp", tmp_path / "cwd"
    tmp.mkdir(), cwd.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setattr(tempfile, "tempdir", None)  # so tempfile reads TMPDIR again
    monkeypatch.chdir(cwd)
    national = tmp_path / "national.csv"
    national.write_text("pcds\nSW1A 1AA\n")
    caplog.set_level(logging.DEBUG)
    people = "Postcode,Count,Date,Service\n" + "".join(
        f"{p},{c},2025-01-0{i + 1},Advice\n"
        for i, (p, c) in enumerate(zip(SECRET, ["1", "x", "2", "1", "3", "1"], strict=True))
    )
    files = {
        "people.csv": csv(people),
        "people.xlsx": xlsx([line.split(",") for line in people.splitlines()]),
        "sectors.csv": csv("Sector,n\nZZ1 1,4\nSW1A 1,2\n"),
    }
    texts: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for name, data in files.items():
            for national_file in (None, national):
                since = "2025-01-02" if name.startswith("people") else None
                b = read_beneficiaries(data, name, pack, postcodes_file=national_file, date_from=since)
                texts += [repr(b), *b.problems, *b.method, *b.notes, str(b.columns), str(b.accounting)]
        bad = {
            "headerless.csv": csv("ZZ1 1AA,1\nZZ1 1AB,2\n"),
            "ragged.csv": csv("Postcode,n\nZZ1 1AA,1\nZZ1 1AB,2,3,4\n"),
            "noplace.csv": csv("Name,Age\nZZ1 1AAx,3\n"),
            "mapping.csv": csv("Postcode\nQQ1 1QQ\n"),
        }
        for name, data in bad.items():
            mapping = {"postcode": "QQ1 1QQ"} if name == "mapping.csv" else None
            with pytest.raises(InputError) as e:
                read_beneficiaries(data, name, pack, mapping=mapping)
            texts += [str(e.value), repr(e.value), str(e.value.__context__), str(e.value.__cause__)]
    assert os.listdir(tmp) == [] and os.listdir(cwd) == []
    texts += [caplog.text, *(str(w.message) for w in caught)]
    leaks = [t for t in texts if not _hidden(t)]
    assert leaks == []
