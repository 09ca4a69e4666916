"""The shared vocabulary: pack file names, column names, themes and enumerations.

Everything that names a column, a theme or an allowed value is defined here once and
imported everywhere else, so a rename is a one-line change and tests can check the
contract against this module.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

# --- pack files ---------------------------------------------------------------------------
MANIFEST_FILE = "manifest.json"
WARDS_FILE = "wards.parquet"
INDICATORS_FILE = "indicators.parquet"
INDICATOR_META_FILE = "indicators.json"
ORGANISATIONS_FILE = "organisations.parquet"
SERVICES_FILE = "services.parquet"
ASSETS_FILE = "assets.parquet"
# Optional: postcode centroids inside the area (postcode, lon, lat), so uploads can be placed.
POSTCODES_FILE = "postcodes.parquet"

PACK_CRS = "EPSG:4326"
METRE_CRS = "EPSG:27700"

# --- columns ------------------------------------------------------------------------------
WARD_CODE = "ward_code"
WARD_NAME = "ward_name"
LA_CODE = "la_code"
LA_NAME = "la_name"
POPULATION = "population"
GEOMETRY = "geometry"
WARD_COLUMNS = [WARD_CODE, WARD_NAME, LA_CODE, LA_NAME, POPULATION, GEOMETRY]

INDICATOR_ID = "indicator_id"
VALUE = "value"
INDICATOR_COLUMNS = [WARD_CODE, INDICATOR_ID, VALUE]

ORG_ID = "org_id"
ORG_NAME = "name"
ORG_KIND = "kind"
CHARITY_NUMBER = "charity_number"
INCOME = "income"
SIZE_BAND = "size_band"
POSTCODE = "postcode"
WEBSITE = "website"
THEMES = "themes"
LOCATION_QUALITY = "location_quality"
SOURCE = "source"
ORGANISATION_COLUMNS = [
    ORG_ID,
    ORG_NAME,
    ORG_KIND,
    CHARITY_NUMBER,
    INCOME,
    SIZE_BAND,
    POSTCODE,
    WEBSITE,
    THEMES,
    LOCATION_QUALITY,
    SOURCE,
    GEOMETRY,
]

SERVICE_ID = "service_id"
SERVICE_NAME = "name"
CLIENT_GROUPS = "client_groups"
CAPACITY = "capacity"
AREA_TYPE = "area_type"
AREA_WARDS = "area_wards"
RADIUS_KM = "radius_km"
SERVICE_COLUMNS = [
    SERVICE_ID,
    ORG_ID,
    SERVICE_NAME,
    THEMES,
    CLIENT_GROUPS,
    CAPACITY,
    AREA_TYPE,
    AREA_WARDS,
    RADIUS_KM,
    SOURCE,
]

ASSET_ID = "asset_id"
ASSET_NAME = "name"
ASSET_KIND = "kind"
ASSET_STATUS = "status"
ASSET_COLUMNS = [ASSET_ID, ASSET_NAME, ASSET_KIND, ASSET_STATUS, GEOMETRY]

# --- enumerations -------------------------------------------------------------------------
HIGHER_IS_MORE_NEED = "more_need"
HIGHER_IS_LESS_NEED = "less_need"
HIGHER_IS = (HIGHER_IS_MORE_NEED, HIGHER_IS_LESS_NEED)

LOCATION_SITE = "site"
LOCATION_CONTACT = "contact address"
LOCATION_AREA_ONLY = "area only"
# A point outside every ward is kept (a service just over the border still reaches the wards
# beside it), and its quality says it lies outside.
LOCATION_SITE_OUTSIDE = "site (outside the area)"
LOCATION_CONTACT_OUTSIDE = "contact address (outside the area)"
LOCATION_QUALITIES = (
    LOCATION_SITE,
    LOCATION_CONTACT,
    LOCATION_SITE_OUTSIDE,
    LOCATION_CONTACT_OUTSIDE,
    LOCATION_AREA_ONLY,
)
LOCATION_OUTSIDE = (LOCATION_SITE_OUTSIDE, LOCATION_CONTACT_OUTSIDE)
# Each quality that carries a point → what the point is, wherever it lies (site / contact address).
LOCATION_KIND = {
    LOCATION_SITE: LOCATION_SITE,
    LOCATION_SITE_OUTSIDE: LOCATION_SITE,
    LOCATION_CONTACT: LOCATION_CONTACT,
    LOCATION_CONTACT_OUTSIDE: LOCATION_CONTACT,
}
OUTSIDE_OF = {LOCATION_SITE: LOCATION_SITE_OUTSIDE, LOCATION_CONTACT: LOCATION_CONTACT_OUTSIDE}

AREA_RADIUS = "radius"
AREA_WARDS_LIST = "wards"
AREA_WHOLE = "whole area"
AREA_TYPES = (AREA_RADIUS, AREA_WARDS_LIST, AREA_WHOLE)

ORG_KINDS = (
    "registered charity",
    "CIO",
    "charitable company",
    "CIC",
    "community group",
    "faith group",
    "other",
)

ASSET_STATUSES = ("in community use", "available for community use", "vacant", "under review")

CLIENT_GROUP_IDS = (
    "children",
    "young people",
    "families",
    "older people",
    "disabled people",
    "carers",
    "people on low incomes",
    "homeless people",
    "refugees and migrants",
    "everyone",
)


@dataclass(frozen=True)
class SizeBand:
    """An income band as used in sector reports (micro under £10k ... major over £10m)."""

    id: str
    label: str
    low: float
    high: float


SIZE_BANDS = (
    SizeBand("micro", "Micro (under £10k)", 0, 10_000),
    SizeBand("small", "Small (£10k–£100k)", 10_000, 100_000),
    SizeBand("medium", "Medium (£100k–£1m)", 100_000, 1_000_000),
    SizeBand("large", "Large (£1m–£10m)", 1_000_000, 10_000_000),
    SizeBand("major", "Major (over £10m)", 10_000_000, float("inf")),
)
SIZE_BAND_UNKNOWN = "unknown"
SIZE_BAND_IDS = tuple(b.id for b in SIZE_BANDS) + (SIZE_BAND_UNKNOWN,)
SIZE_BAND_LABELS = {b.id: b.label for b in SIZE_BANDS} | {SIZE_BAND_UNKNOWN: "Income not known"}


def size_band_for(income: float | None) -> str:
    """Return the size band id for an annual income in pounds (``unknown`` when missing)."""
    if income is None or income != income or income < 0:
        return SIZE_BAND_UNKNOWN
    for band in SIZE_BANDS:
        if band.low <= income < band.high:
            return band.id
    return SIZE_BAND_UNKNOWN


# --- themes -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Theme:
    """One need/offer theme and the IMD 2019 domains its need index draws on.

    Indicators of these domains (and others tagged with the theme in ``indicators.json``) are the
    theme's candidates; :func:`sector_map.analysis.need.default_choices` picks one per concept, the
    theme's own domains first, so no need is counted twice.
    """

    id: str
    label: str
    domains: tuple[str, ...]
    colour: str


# Domain keys name IMD 2019 concepts; importers and the demo map their indicator ids to them.
DOMAIN_IMD = "imd"
DOMAIN_INCOME = "income"
DOMAIN_EMPLOYMENT = "employment"
DOMAIN_EDUCATION = "education"
DOMAIN_HEALTH = "health"
DOMAIN_CRIME = "crime"
DOMAIN_HOUSING = "housing"
DOMAIN_LIVING_ENV = "living_environment"
DOMAIN_IDACI = "idaci"
DOMAIN_IDAOPI = "idaopi"

# Colours: a 13-step qualitative set chosen to stay distinguishable for the common forms
# of colour-blindness (based on Paul Tol's "muted" and "light" schemes, with a grey).
THEMES_LIST = (
    Theme("children_young_people", "Children and young people", (DOMAIN_IDACI, DOMAIN_EDUCATION), "#332288"),
    Theme("older_people", "Older people", (DOMAIN_IDAOPI, DOMAIN_HEALTH), "#88CCEE"),
    Theme("health_wellbeing", "Health and wellbeing", (DOMAIN_HEALTH,), "#44AA99"),
    Theme("mental_health", "Mental health", (DOMAIN_HEALTH,), "#117733"),
    Theme("disability_carers", "Disability and carers", (DOMAIN_HEALTH,), "#999933"),
    Theme("poverty_food", "Poverty, food and money advice", (DOMAIN_INCOME, DOMAIN_IMD), "#DDCC77"),
    Theme("housing_homelessness", "Housing and homelessness", (DOMAIN_HOUSING,), "#CC6677"),
    Theme("employment_skills", "Employment and skills", (DOMAIN_EMPLOYMENT, DOMAIN_EDUCATION), "#882255"),
    Theme("education_learning", "Education and learning", (DOMAIN_EDUCATION,), "#AA4499"),
    Theme("crime_safety", "Crime, safety and justice", (DOMAIN_CRIME,), "#661100"),
    Theme("community_cohesion", "Community, faith and cohesion", (DOMAIN_IMD,), "#6699CC"),
    Theme("environment", "Environment and green space", (DOMAIN_LIVING_ENV,), "#AAAA00"),
    Theme("arts_culture_sport", "Arts, culture, sport and leisure", (DOMAIN_IMD,), "#888888"),
)
THEMES_BY_ID = {t.id: t for t in THEMES_LIST}
THEME_IDS = tuple(THEMES_BY_ID)


def themes_for_domain(domain: str) -> list[str]:
    """Theme ids whose default need index draws on an IMD 2019 domain key."""
    return [t.id for t in THEMES_LIST if domain in t.domains]


# --- indicator metadata -------------------------------------------------------------------
@dataclass
class IndicatorMeta:
    """What one indicator is, which way is worse, and where it came from."""

    id: str
    label: str
    unit: str
    higher_is: str
    source: str
    year: str
    themes: list[str] = field(default_factory=list)
    description: str = ""
    domain: str = ""

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "label": self.label,
            "unit": self.unit,
            "higher_is": self.higher_is,
            "source": self.source,
            "year": self.year,
            "themes": list(self.themes),
            "description": self.description,
            "domain": self.domain,
        }

    @classmethod
    def from_dict(cls, d: dict) -> IndicatorMeta:
        return cls(
            id=str(d["id"]),
            label=str(d.get("label", d["id"])),
            unit=str(d.get("unit", "")),
            higher_is=str(d.get("higher_is", "")),
            source=str(d.get("source", "")),
            year=str(d.get("year", "")),
            themes=[str(t) for t in d.get("themes", [])],
            description=str(d.get("description", "")),
            domain=str(d.get("domain", "")),
        )

    @property
    def worse_phrase(self) -> str:
        """Plain-English direction, e.g. 'higher = more deprived'."""
        return "higher = more need" if self.higher_is == HIGHER_IS_MORE_NEED else "lower = more need"


def check_theme_ids(themes: str | Iterable[str]) -> list[str]:
    """The theme ids as a list (one id may be given as a string); ValueError for unknown ids or none.

    Example:
        >>> check_theme_ids("poverty_food")
        ['poverty_food']
    """
    wanted = [themes] if isinstance(themes, str) else list(themes)
    bad = [t for t in wanted if t not in THEMES_BY_ID]
    if not wanted or bad:
        raise ValueError(
            f"unknown theme(s) {', '.join(bad) or '(none given)'}; choose from: {', '.join(THEME_IDS)}"
        )
    return wanted


THEMES_REASON = "themes_reason"  # why each theme was given, "; "-separated, in theme order
LON = "lon"  # a point given by the source file (WGS84); wins over postcode centroids
LAT = "lat"
