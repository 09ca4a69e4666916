"""The plain-English summary of a reach result, for a trustee, that never quotes a count under 10.

The first sentence compares the most deprived local fifth's share of residents with its share of
beneficiaries and words the ratio ("about half the reach you would expect"); when the interval
includes 1 it says the difference could be chance. The second says which way reach per resident
runs with deprivation (the slope index of inequality, shown only when every local fifth's count
may be shown). The last says how many beneficiaries live outside the catchment and so were left out.
"""

from __future__ import annotations

import math

from sector_map.reach.suppress import FEWER, SUPPRESSED, may_quote, protect
from sector_map.reach.tables import ReachResult

# (upper limit of the ratio, words before "the reach you would expect"), in order.
_RATIO_WORDS = (
    (0.2, "well under a fifth of"),
    (0.29, "about a quarter of"),
    (0.42, "about a third of"),
    (0.6, "about half"),
    (0.71, "about two-thirds of"),
    (0.8, "about three-quarters of"),
    (0.93, "a little less than"),
    (1.075, "about the same as"),
    (1.25, "a little more than"),
    (1.75, "about one and a half times"),
    (2.5, "about twice"),
    (3.5, "about three times"),
)


def ratio_words(ratio: float) -> str:
    """Words for a representation ratio, to go before "the reach you would expect".

    >>> [ratio_words(r) for r in (0.57, 1.0, 0.88, 2.1, 6.0)]
    ['about half', 'about the same as', 'a little less than', 'about twice', 'more than three times']
    """
    for limit, words in _RATIO_WORDS:
        if ratio < limit:
            return words
    return "more than three times"


def percent(share: float) -> str:
    """A share as a whole percentage, without rounding a small non-zero share down to 0%.

    >>> percent(0.214), percent(0.003), percent(0.0)
    ('21%', 'less than 1%', '0%')
    """
    if 0 < share < 0.005:
        return "less than 1%"
    return f"{share:.0%}"


def _count(value: float) -> str:
    words = f"{round(value):,}"
    return words if float(value).is_integer() else f"about {words}"


def _fifth_sentence(result: ReachResult, shown: object, area: str, by: str) -> str:
    q1 = result.quintiles.iloc[0]
    where = f"the most deprived fifth of {area}{by}"
    if shown == FEWER:
        return (
            f"Fewer than 10 of your beneficiaries live in {where}, too few to compare with its "
            f"{percent(q1['share_residents'])} of residents."
        )
    if shown == SUPPRESSED:
        return f"The count for {where} is hidden to protect small numbers, so it is not compared here."
    ratio, low, high = q1["ratio"], q1["ratio_low"], q1["ratio_high"]
    if not q1["residents"] > 0:
        return (
            f"The most deprived fifth of {area}{by} has no neighbourhood of its own (one large LSOA "
            "spans it), so it is not compared."
        )
    words = ratio_words(ratio)
    link = "and" if words == "about the same as" else "but"
    sentence = (
        f"People living in {where} make up {percent(q1['share_residents'])} of residents {link} "
        f"{percent(q1['share_beneficiaries'])} of your beneficiaries: {words} the reach you would "
        f"expect (ratio {ratio:.2f}, 95% interval {low:.2f}–{high:.2f})."
    )
    if low <= 1 <= high:
        sentence += " The interval includes 1, so the difference could be chance."
    return sentence


def _slope_sentence(result: ReachResult, area: str) -> str:
    sii = result.sii
    figures = (
        f"slope index of inequality {sii.value:.1f} per 1,000, 95% interval {sii.low:.1f} to {sii.high:.1f}"
    )
    if sii.low > 0:
        return (
            f"Reach per resident rises with deprivation: the most deprived end of {area} has about "
            f"{sii.value:.1f} more beneficiaries per 1,000 residents than the least deprived end ({figures})."
        )
    if sii.high < 0:
        return (
            f"Reach per resident falls as deprivation rises: the most deprived end of {area} has about "
            f"{-sii.value:.1f} fewer beneficiaries per 1,000 residents than the least deprived end ({figures})."
        )
    return (
        f"There is no clear rise or fall in reach per resident from the least to the most deprived "
        f"parts of {area} ({figures}, which includes 0)."
    )


def _outside_sentence(outside: float) -> str:
    if outside <= 0:
        return "All of your beneficiaries live within the catchment."
    if not may_quote(outside):
        return "Fewer than 10 of your beneficiaries live outside the catchment and are left out of these comparisons."
    return f"{_count(outside).capitalize()} of your beneficiaries live outside the catchment and are left out of these comparisons."


def summary(result: ReachResult, area_name: str, domain_label: str) -> list[str]:
    """A few plain sentences: the most deprived fifth, the slope with deprivation, who was left out.

    ``domain_label`` names the deprivation measure used (e.g. "health deprivation and disability").
    """
    by = f" (by {domain_label})" if domain_label else ""
    if result.total <= 0:
        return ["No beneficiaries were counted, so there is nothing to compare yet."]
    if result.nothing_to_compare:
        return [
            "None of your beneficiaries live within the catchment, so there is nothing to compare.",
            _outside_sentence(result.outside_catchment),
        ]
    protected = protect(result)
    sentences = []
    if len(result.quintiles) == 0:
        sentences.append(
            f"The catchment has too few neighbourhoods (LSOAs) with a deprivation rank to split {area_name} "
            "into fifths by deprivation, so the fifths are not compared."
        )
    else:
        shown = protected.quintiles["beneficiaries"].iloc[0]
        sentences.append(_fifth_sentence(result, shown, area_name, by))
        if protected.indices_shown and not math.isnan(result.sii.value):
            sentences.append(_slope_sentence(result, area_name))
        elif not protected.indices_shown:
            sentences.append(
                "The slope of reach across the fifths is not shown because some of their counts are too "
                "small to publish."
            )
    sentences.append(_outside_sentence(result.outside_catchment))
    return sentences
