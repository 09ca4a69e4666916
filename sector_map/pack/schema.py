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
# Optional: the LSOAs best-fitted to the pack's wards, their population and national IoD ranks.
LSOAS_FILE = "lsoas.parquet"

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
    """One need/offer theme and the IoD domains its need index draws on (the same in IoD2019 and IoD2025).

    Indicators of these domains (and others tagged with the theme in ``indicators.json``) are the
    theme's candidates; :func:`sector_map.analysis.need.default_choices` picks one per concept, the
    theme's own domains first, so no need is counted twice.
    """

    id: str
    label: str
    domains: tuple[str, ...]
    colour: str


# Domain keys name IoD concepts (the same in IoD2019 and IoD2025); importers and the demo map their indicator ids to them.
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
IOD_DOMAINS = (
    DOMAIN_IMD,
    DOMAIN_INCOME,
    DOMAIN_EMPLOYMENT,
    DOMAIN_EDUCATION,
    DOMAIN_HEALTH,
    DOMAIN_CRIME,
    DOMAIN_HOUSING,
    DOMAIN_LIVING_ENV,
    DOMAIN_IDACI,
    DOMAIN_IDAOPI,
)

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
    """Theme ids whose default need index draws on an IoD domain key."""
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
ADDRESS = "address"  # an organisation's address as its source gave it
COMPANY_NUMBER = "company_number"  # an organisation's Companies House number, when its source gave one
# Optional service columns the live directory adds (sector_map.directory.overlay; docs/data-pack.md):
PROVENANCE = "provenance"  # where the service's description comes from, e.g. "described by the
# organisation, reviewed 2 Nov 2026" or "Charity Commission register of charities, 2023"
SUPPLY_WEIGHT = "supply_weight"  # how much of its supply counts in provision: 1, less when stale
LISTING_ID = "listing_id"  # the directory listing a service row comes from ("" for published rows)
# Optional columns of the organisation and service tables.
OPTIONAL_COLUMNS = [THEMES_REASON, LON, LAT, ADDRESS, COMPANY_NUMBER, PROVENANCE, SUPPLY_WEIGHT, LISTING_ID]
# The optional postcode table (POSTCODES_FILE): the postcodes inside the area and their centroids,
# and (optional column) the LSOA each lies in, NA where it is in none of the pack's LSOAs.
POSTCODE_COLUMNS = [POSTCODE, LON, LAT]

# The optional LSOA table (LSOAS_FILE): one row per LSOA best-fitted to a pack ward, its population
# (the weights of the ward averages) and, for each IoD domain the files give, national measures
# ``{domain}_rank`` (1 = most deprived in England), ``{domain}_decile`` (1–10, 1 = most deprived)
# and ``{domain}_score`` where given (see lsoa_measure). Its manifest entry is MANIFEST_LSOAS.
LSOA_CODE = "lsoa_code"
LSOA_NAME = "lsoa_name"
LSOA_COLUMNS = [LSOA_CODE, LSOA_NAME, WARD_CODE, POPULATION]
LSOA_MEASURES = ("rank", "decile", "score")
MANIFEST_LSOAS = "lsoas"  # {edition, lsoa_vintage, n_national, population, postcode_lsoa}


def lsoa_measure(domain: str, measure: str) -> str:
    """The LSOA table's column for a domain's national rank, decile or score.

    Example:
        >>> lsoa_measure(DOMAIN_HEALTH, "decile")
        'health_decile'
    """
    if measure not in LSOA_MEASURES:
        raise ValueError(f"unknown LSOA measure {measure!r}; expected one of {', '.join(LSOA_MEASURES)}")
    return f"{domain}_{measure}"


# --- derived tables -----------------------------------------------------------------------
# Columns of the tables the analysis works out from a pack (sector_map.analysis). Pages, the CLI
# and exports read them under these names. Each constant is its column's name in capitals.

# Services as the analysis places them (analysis.service_reach.service_locations).
SERVICE_ORG_NAME = "org_name"
SUPPLY = "supply"  # capacity (or 1 when it is not known) × the supply weight (1 when not given)
WEAK = "weak"  # only a contact address, no point at all, or said to serve the whole area
REACH = "reach"  # how the service reaches people: one of analysis.service_reach.REACH_KINDS
SERVICE_LOCATION_COLUMNS = [
    SERVICE_ID,
    ORG_ID,
    SERVICE_NAME,
    SERVICE_ORG_NAME,
    THEMES,
    AREA_TYPE,
    AREA_WARDS,
    RADIUS_KM,
    CAPACITY,
    SUPPLY,
    LOCATION_QUALITY,
    WEAK,
    REACH,
    GEOMETRY,
]
# One demand point per ward (analysis.provision.demand_points).
DEMAND = "demand"  # the ward's population, 0 when not known
DEMAND_POINT = "demand_point"  # which kind of point: analysis.provision.DEMAND_POINTS
N_POSTCODES = "postcodes"  # postcodes inside the ward
DEMAND_COLUMNS = [WARD_CODE, WARD_NAME, POPULATION, DEMAND, DEMAND_POINT, N_POSTCODES, GEOMETRY]

# Provision (analysis.provision.provision_table): one row per ward, indexed by WARD_CODE.
SERVICES = "services"  # services of the themes reaching the ward
SERVICES_WEAK = "services_weak"
PER_1000 = "per_1000"
ACCESS = "access"  # two-step floating catchment: supply per 1,000 residents
ACCESS_WEAK_SHARE = "access_weak_share"
NEAREST_KM = "nearest_km"
NEAREST_SERVICE = "nearest_service"
NEAREST_ORG = "nearest_org"
NEAREST_QUALITY = "nearest_quality"
SERVICES_LOCATED = "services_located"
SERVICES_AREA_WIDE = "services_area_wide"
PER_1000_LOCATED = "per_1000_located"
PER_1000_AREA_WIDE = "per_1000_area_wide"
ACCESS_LOCATED = "access_located"
ACCESS_AREA_WIDE = "access_area_wide"
NEAREST_LOCATED_KM = "nearest_located_km"
NEAREST_LOCATED_SERVICE = "nearest_located_service"
LOCATED_SERVICES = "located_services"
PROVISION_COLUMNS = [
    SERVICES,
    SERVICES_WEAK,
    PER_1000,
    ACCESS,
    ACCESS_WEAK_SHARE,
    NEAREST_KM,
    NEAREST_SERVICE,
    NEAREST_ORG,
    NEAREST_QUALITY,
    SERVICES_LOCATED,
    SERVICES_AREA_WIDE,
    PER_1000_LOCATED,
    PER_1000_AREA_WIDE,
    ACCESS_LOCATED,
    ACCESS_AREA_WIDE,
    NEAREST_LOCATED_KM,
    NEAREST_LOCATED_SERVICE,
    LOCATED_SERVICES,
]

# Gaps (analysis.gaps.gap_table): one row per ward, indexed by WARD_CODE, in priority order.
NEED = "need"
NEED_LEVEL = "need_level"
PROVISION = "provision"  # located provision, the figure that sets the provision level
PROVISION_LEVEL = "provision_level"
PROVISION_AREA_WIDE = "provision_area_wide"
GAP = "gap"
GAP_CLASS = "gap_class"
RANK = "rank"
REASON = "reason"
NEED_REASON = "need_reason"  # the need half of the reason alone
GAP_COLUMNS = [
    WARD_NAME,
    NEED,
    NEED_LEVEL,
    PROVISION,
    PROVISION_LEVEL,
    PROVISION_AREA_WIDE,
    SERVICES_LOCATED,
    SERVICES_AREA_WIDE,
    GAP,
    GAP_CLASS,
    RANK,
    REASON,
    NEED_REASON,
]
# Added to a downloaded table (export.tables.with_need_indicators): what its need was made from.
NEED_INDICATORS = "need_indicators"
# The priority list people read, in order: the Gaps page shows the columns it has a header for,
# and `gaps --csv` prints all but the rank (other tools read exactly those columns).
GAP_LIST_COLUMNS = [
    WARD_CODE,
    WARD_NAME,
    RANK,
    NEED,
    PROVISION,
    PROVISION_AREA_WIDE,
    SERVICES_LOCATED,
    SERVICES_AREA_WIDE,
    GAP,
    GAP_CLASS,
    REASON,
    NEED_INDICATORS,
]

# Where an offer fits (analysis.matching.rank_wards_for_offer): one row per ward, best first.
SCORE = "score"
IN_REACH = "in_reach"
THEMES_MATCHED = "themes_matched"
DISTANCE_KM = "distance_km"
FIT_COLUMNS = [RANK, WARD_CODE, WARD_NAME, SCORE, IN_REACH, THEMES_MATCHED, DISTANCE_KM, REASON]
# `fit --csv` (other tools read exactly these columns).
FIT_LIST_COLUMNS = [RANK, WARD_CODE, WARD_NAME, SCORE, IN_REACH, REASON, NEED_INDICATORS]

# Organisations as the matching sees them (analysis.matching.organisation_table and
# service_table): points in metres (METRE_CRS).
X_METRES = "x"
Y_METRES = "y"
ORG_TABLE_COLUMNS = [ORG_NAME, SIZE_BAND, LOCATION_QUALITY, X_METRES, Y_METRES, THEMES, CLIENT_GROUPS]
# Organisations found by name (analysis.matching.find_organisations).
LABEL = "label"  # the name with what tells it apart: charity number, address, ward
FOUND_COLUMNS = [
    ORG_ID,
    ORG_NAME,
    CHARITY_NUMBER,
    THEMES,
    SIZE_BAND,
    LOCATION_QUALITY,
    ADDRESS,
    POSTCODE,
    WARD_NAME,
    LABEL,
]
# Organisations ranked for a ward (analysis.partners.rank_organisations_for_ward).
THEMES_COVERED = "themes_covered"
REACHES = "reaches"
ORG_FIT_COLUMNS = [
    RANK,
    ORG_ID,
    ORG_NAME,
    SCORE,
    THEMES_COVERED,
    REACHES,
    DISTANCE_KM,
    SIZE_BAND,
    LOCATION_QUALITY,
    REASON,
]
# Possible partners and overlap (analysis.partners.partners_and_overlap).
BASED_IN = "based_in"
CLIENT_GROUPS_SHARED = "client_groups_shared"
WHY = "why"
PARTNER_COLUMNS = [
    ORG_ID,
    ORG_NAME,
    BASED_IN,
    THEMES,
    CLIENT_GROUPS_SHARED,
    DISTANCE_KM,
    SIZE_BAND,
    LOCATION_QUALITY,
    WHY,
]
# A possible consortium (analysis.partners.consortium).
MEMBER = "member"
COVERS = "covers"
CONSORTIUM_COLUMNS = [MEMBER, ORG_ID, ORG_NAME, COVERS, REASON]

# --- tables whose columns are the headers people read --------------------------------------
# The Ward profile's tables (analysis.ward_profile), a ward's key figures (views.summaries) and
# the About page's tables (views.about) are shown and downloaded as they are.
HEADER_INDICATOR = "Indicator"
HEADER_VALUE = "Value"
HEADER_RANK_IN_AREA = "Rank in area"
HEADER_DECILE = "National decile (1 = most deprived 10%)"
HEADER_WORSE = "Which way is worse"
HEADER_SOURCE = "Source"
HEADER_ORGANISATION = "Organisation"
HEADER_WHERE = "Where"
HEADER_WHOLE_AREA = "Whole area"
HEADER_DISTANCE = "Distance"
HEADER_SIZE = "Size"
HEADER_LOCATION = "Location"
HEADER_THEMES = "Themes"
HEADER_WHY = "Why"
HEADER_THEME = "Theme"
HEADER_NEED = "Need (0–100)"
HEADER_PROVISION = "Provision"
HEADER_GAP = "Gap (0–100)"
HEADER_CLASS = "Class"
HEADER_PRIORITY = "Priority"
HEADER_NAME = "Name"
HEADER_KIND = "Kind"
HEADER_STATUS = "Status"
HEADER_DISTANCE_KM = "Distance (km)"
# Every indicator for one ward (the decile only when the pack holds national deciles).
PROFILE_INDICATOR_COLUMNS = [
    HEADER_INDICATOR,
    HEADER_VALUE,
    HEADER_RANK_IN_AREA,
    HEADER_DECILE,
    HEADER_WORSE,
    HEADER_SOURCE,
]
# A ward's key figures on the Need map.
KEY_FIGURE_COLUMNS = [HEADER_INDICATOR, HEADER_VALUE, HEADER_RANK_IN_AREA, HEADER_WORSE]
# Organisations in, reaching or near the ward (the size only when some income is known).
PROFILE_ORGANISATION_COLUMNS = [
    ORG_ID,
    HEADER_ORGANISATION,
    HEADER_WHERE,
    HEADER_WHOLE_AREA,
    HEADER_DISTANCE,
    HEADER_SIZE,
    HEADER_LOCATION,
    HEADER_THEMES,
    HEADER_WHY,
]
# Gaps by theme for the ward, and need by theme alone when there is no provision to compare.
PROFILE_GAP_COLUMNS = [
    HEADER_THEME,
    HEADER_NEED,
    HEADER_PROVISION,
    HEADER_GAP,
    HEADER_CLASS,
    HEADER_PRIORITY,
    HEADER_WHY,
]
PROFILE_NEED_COLUMNS = [HEADER_THEME, HEADER_NEED, HEADER_WHY]
# Community buildings and land in or near the ward.
PROFILE_ASSET_COLUMNS = [HEADER_NAME, HEADER_KIND, HEADER_STATUS, HEADER_WHERE, HEADER_DISTANCE_KM]
