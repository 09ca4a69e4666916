"""Text themes against hand labels of 150 randomly drawn Trafford charities.

The labels (``labels/trafford_charity_themes.csv``) hold only charity numbers, theme ids and a
short note; names and activities are read from the shared register extract at run time. How the
sample was drawn and labelled is in ``labels/README.md``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sector_map.importers import records as r
from sector_map.importers.ccew import read_ccew
from sector_map.pack import schema as s

pytestmark = pytest.mark.data

CHARITIES = "organisations/trafford_charities_ccew_extract_2023-04-04.csv"
LABELS = Path(__file__).parent / "labels" / "trafford_charity_themes.csv"
SAMPLE_SIZE, SEED = 150, 10
MIN_PRECISION, MIN_RECALL = 0.85, 0.80


def _labels() -> pd.DataFrame:
    labels = pd.read_csv(LABELS, dtype=str, keep_default_na=False)
    labels["gold"] = labels["themes"].map(lambda t: {x for x in t.split(";") if x})
    return labels


def _sample(extract: Path) -> list[str]:
    """The sample as drawn: the extract sorted by charity number, 150 rows at random with seed 10."""
    df = pd.read_csv(extract, dtype=str)
    df = df.sort_values("registered_charity_number", key=lambda n: n.astype(int), ignore_index=True)
    return df.sample(n=SAMPLE_SIZE, random_state=SEED)["registered_charity_number"].tolist()


def micro_scores(gold: list[set[str]], got: list[set[str]]) -> tuple[float, float, int, int, int]:
    """Micro-averaged precision and recall over (organisation, theme) pairs, and the tp/fp/fn counts."""
    tp = sum(len(g & p) for g, p in zip(gold, got, strict=True))
    fp = sum(len(p - g) for g, p in zip(gold, got, strict=True))
    fn = sum(len(g - p) for g, p in zip(gold, got, strict=True))
    return tp / max(tp + fp, 1), tp / max(tp + fn, 1), tp, fp, fn


def test_micro_scores_count_pairs():
    p, r, tp, fp, fn = micro_scores([{"a", "b"}, set(), {"c"}], [{"a"}, {"x"}, {"c", "d"}])
    assert (tp, fp, fn) == (2, 2, 1) and p == 0.5 and r == pytest.approx(2 / 3)


def test_labels_are_the_seeded_sample_and_use_schema_themes(shared_data):
    labels = _labels()
    assert labels["charity_number"].tolist() == _sample(shared_data / CHARITIES)
    assert set().union(*labels["gold"]) <= set(s.THEME_IDS)
    # every label file column is ours: no charity text is copied into the repo
    assert list(labels.columns[:3]) == ["charity_number", "themes", "note"]


def test_text_themes_precision_and_recall_on_labelled_sample(shared_data):
    labels = _labels()
    orgs, _ = read_ccew(shared_data / CHARITIES)
    got = orgs.set_index(s.CHARITY_NUMBER)[s.THEMES].reindex(labels["charity_number"])
    assert got.notna().all(), "every labelled charity is in the extract"
    precision, recall, tp, fp, fn = micro_scores(list(labels["gold"]), [set(t) for t in got])
    print(
        f"themes from text on {len(labels)} labelled charities: precision {precision:.3f}, "
        f"recall {recall:.3f} (tp {tp}, fp {fp}, fn {fn})"
    )
    assert precision >= MIN_PRECISION, f"precision {precision:.3f} < {MIN_PRECISION}"
    assert recall >= MIN_RECALL, f"recall {recall:.3f} < {MIN_RECALL}"
    # every theme keeps its reason
    reasons = orgs.set_index(s.CHARITY_NUMBER).loc[labels["charity_number"]]
    for themes, why in zip(reasons[s.THEMES], reasons[r.THEMES_REASON], strict=True):
        assert (len(themes) == 0) == (pd.isna(why) or why == "")
        if len(themes):
            assert why.count("; ") == len(themes) - 1
