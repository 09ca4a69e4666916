"""The rule tables behind :mod:`~sector_map.importers.themes_text`, kept apart so they read as tables.

- :data:`THEME_RULES` / :data:`CLIENT_GROUP_RULES`: an id, the phrases that give it, the phrases
  whose words never count for it (``unless``) and phrases that count only in a charity's *name*
  (``name_only``: "Cransley School" is a school; "school" in activities is often a PTA's school).
- :data:`BOILERPLATE`: legal formulas copied from governing documents that say nothing about what
  a charity does (the Recreational Charities Act's "by reason of their youth, age, infirmity or
  disablement..."); they are blanked before any rule is applied.
- :data:`OVERSEAS` / :data:`HOME`: a sentence about work abroad that names no place at home is
  blanked, so hospitals in Africa do not make a health service in Trafford.
- :data:`CONTEXTS`: kinds of organisation, recognised from the name or the activities, in which
  some words do not mean a service (a parish church "visiting the sick" is not a health service;
  a school PTA is not an education service).

Phrase syntax is described in :mod:`~sector_map.importers.themes_text`.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ABROAD_PLACES",
    "ABROAD_PREPOSITIONS",
    "BOILERPLATE",
    "CLIENT_GROUP_RULES",
    "CONTEXTS",
    "HOME",
    "OVERSEAS",
    "THEME_RULES",
    "Context",
    "Rule",
]

ALL = "*"  # in a context's ``ignore``: the whole theme is dropped


@dataclass(frozen=True)
class Rule:
    """A theme (or client group) id, the phrases that give it and the phrases that do not."""

    id: str
    phrases: tuple[str, ...]
    unless: tuple[str, ...] = ()
    name_only: tuple[str, ...] = ()


@dataclass(frozen=True)
class Context:
    """A kind of organisation, and per theme the phrases that do not count in it (``ALL``: none do)."""

    label: str
    names: tuple[str, ...]
    activities: tuple[str, ...]
    ignore: tuple[tuple[str, tuple[str, ...]], ...]


# fmt: off
THEME_RULES: tuple[Rule, ...] = (
    Rule(
        "children_young_people",
        (
            "child*", "kids", "young people", "young person", "youth", "teenager", "adolescent", "baby",
            "babies", "toddler", "nursery", "nurseries", "playgroup", "pre-school", "preschool", "scout*",
            "girlguiding", "girl guid*", "brownies", "orphan", "boys and girls", "girls and boys", "pupil",
            "care leaver", "cadet*",
        ),
        name_only=("school",),
    ),
    Rule(
        "older_people",
        (
            "older people", "older person", "older adult", "elderly", "old age", "old people", "retired",
            "retirement", "pensioner", "later life", "senior citizen", "over 50s", "over 60s", "age uk",
            "dementia", "meals on wheels", "u3a", "third age",
        ),
    ),
    Rule(
        "health_wellbeing",
        (
            "health", "healthy", "healthcare", "wellbeing", "well-being", "hospital", "hospice", "medical",
            "medicine", "patient", "illness", "disease", "sick", "sickness", "cancer", "nursing",
            "palliative", "clinic", "therapy", "therapies", "rehabilitation", "addiction",
            "substance misuse", "alcohol", "drug", "stroke", "diabetes", "first aid", "saving of lives",
            "physical activity",
        ),
        unless=(
            "mental health", "mental ill health", "mental wellbeing", "emotional wellbeing", "emotional health",
            "social wellbeing", "health and safety", "medical profession",
        ),
    ),
    Rule(
        "mental_health",
        (
            "mental health", "mental ill health", "mental illness", "mental wellbeing", "emotional wellbeing",
            "emotional health", "emotional support", "depression", "anxiety", "suicide", "self-harm",
            "counselling", "psychological", "psychiatric", "eating disorder", "bereavement", "bereaved",
            "loneliness", "lonely", "social isolation",
        ),
        unless=(
            "physical and mental health",
        ),
    ),
    Rule(
        "disability_carers",
        (
            "disab*", "special needs", "special educational needs", "learning difficult*", "autism",
            "autistic", "blind", "blindness", "visually impaired", "visual impairment", "sight loss",
            "deaf", "hearing loss", "hearing impair*", "wheelchair", "impairment", "cerebral palsy",
            "down syndrome", "down's syndrome", "dyslexi*", "carer", "caring for", "respite", "supported living",
        ),
    ),
    Rule(
        "poverty_food",
        (
            "poverty", "food bank", "foodbank", "food parcel", "food pantry", "pantry", "food poverty",
            "hunger", "hungry", "hardship", "debt", "money advice", "benefits advice", "welfare rights",
            "low income", "cost of living", "soup kitchen", "credit union", "destitute", "destitution",
            "deprivation", "deprived", "the poor", "free meals", "hot meals", "impoverished", "clothing",
        ),
    ),
    Rule(
        "housing_homelessness",
        (
            "homeless*", "rough sleep*", "housing", "accommodation", "hostel", "shelter", "night shelter",
            "tenancy", "tenants", "almshouse", "sheltered housing", "refuge",
        ),
        unless=(
            "student accommodation", "residential accommodation", "accommodation and facilities",
        ),
    ),
    Rule(
        "employment_skills",
        (
            "employment", "employability", "unemploy*", "job", "jobs", "jobseeker", "job seeker",
            "job club", "work experience", "apprentice*", "vocational", "into work", "back to work",
            "career", "enterprise", "basic skills", "work skills", "job skills", "employability skills",
            "skills training", "digital skills",
        ),
        unless=(
            "no longer in full time employment", "no longer in employment",
        ),
    ),
    Rule(
        "education_learning",
        (
            "educat*", "school", "pupil", "student", "learning", "literacy", "numeracy", "tuition",
            "tutoring", "homework", "college", "university", "academy", "scholarship", "bursary",
            "bursaries", "esol", "english classes", "english language", "lessons", "teach*", "courses",
            "it training", "computer training", "digital skills", "adult learning",
        ),
        unless=(
            "learning disab*", "learning difficult*", "driving school", "sunday school", "pre-school",
            "preschool", "teachings", "christian teaching", "teaching of christianity", "religious teaching",
            "bible teaching", "biblical teaching", "education of the public", "educate the public",
            "educating the public", "public education", "awareness and education", "education and awareness",
            "mainstream education", "excluded from education", "exclusion from education",
        ),
    ),
    Rule(
        "crime_safety",
        (
            "crime", "criminal", "offender", "reoffending", "prison*", "justice",
            "domestic abuse", "domestic violence", "sexual abuse", "sexual assault", "sexual violence",
            "child abuse", "rape", "victim", "police", "policing", "gang", "knife", "safety",
            "anti-social behaviour", "antisocial behaviour", "exploitation", "trafficking",
            "modern slavery", "lifeboat", "search and rescue", "mountain rescue", "emergency service",
        ),
        unless=(
            "health and safety",
        ),
    ),
    Rule(
        "community_cohesion",
        (
            "church", "chapel", "mosque", "synagogue", "temple", "gurdwara", "parish", "parochial",
            "worship*", "religion", "religious", "gospel", "bible", "quran", "qur'an", "koran", "torah", "faith",
            "ministry", "pastoral", "congregation",
            "diocese", "community centre", "community hall", "village hall", "community hub",
            "community group", "community development", "cohesion", "integration",
            "interfaith", "inter-faith", "racial harmony", "equality", "diversity", "refugee", "asylum",
            "migrant", "befriending", "neighbourhood", "residents association", "community association",
            "multicultural*", "ethnic minorit*", "bme", "bame", "social inclusion", "community relations",
        ),
        # In activities these words describe who is helped ("grants to Jewish students"), not faith work.
        name_only=("christian", "christ", "islam*", "muslim", "jewish", "hindu", "sikh", "buddhist", "jain"),
    ),
    Rule(
        "environment",
        (
            "environmental*", "the environment", "natural environment", "conservation", "wildlife",
            "nature reserve", "nature conservation", "green space", "parks", "garden", "gardening", "allotment",
            "trees", "tree planting", "woodland", "climate", "sustainability", "environmentally sustainable",
            "recycling", "biodiversity", "canal", "countryside", "litter", "horticultur*", "ecology",
            "ecological", "animal welfare", "animals",
        ),
    ),
    Rule(
        "arts_culture_sport",
        (
            "art", "arts", "artist", "artistic", "music*", "theatre", "drama", "dance", "dancing", "choir",
            "orchestra", "band", "singing", "culture", "cultural", "museum", "heritage", "history", "historic",
            "civic society", "festival", "film", "cinema", "creative", "creativity", "sport*", "football",
            "cricket", "rugby", "hockey", "tennis", "swimming", "athletic*", "golf", "bowls", "cycling",
            "rowing", "sailing", "gymnastic*", "netball", "basketball", "boxing", "martial arts",
            "snowsport*", "fitness", "playground", "playing field", "building preservation",
        ),
    ),
)

# Formulas from governing documents, blanked before matching (regular expressions, any case).
BOILERPLATE: tuple[str, ...] = (
    # Recreational Charities Act 1958: "...who have need of such facilities by reason of their youth,
    # age, infirmity or disablement, financial hardship or social and economic circumstances"
    r"(?:who )?(?:ha(?:ve|s) )?need[^.;]{0,40}? by reason of [^.;]*",
    # "...facilities in the interests of social welfare for recreation and leisure time occupation"
    # ...and the model community association object "to advance education and to provide facilities..."
    r"(?:(?:to )?advance education and (?:to )?)?(?:providing |provision of |provide )?"
    r"facilities (?:in the interests? of social welfare )?"
    r"for (?:\w+ )?recreation(?:al)?(?: and| or|,)? (?:other )?leisure[- ]time occupation",
    r"recreation(?:al)? and leisure(?: time)?(?: activit\w+| occupation| pursuits)?",
    r"leisure time activit\w+ in the interests of social welfare",
)

# A sentence about work abroad that names no place at home (:data:`HOME`) does not give themes. Work
# abroad is a place of :data:`ABROAD_PLACES` after one of :data:`ABROAD_PREPOSITIONS` ("hospitals in
# the Middle East"; "people whose family origins are the Yemen" is not), or a phrase of :data:`OVERSEAS`.
ABROAD_PLACES = (
    "africa", "north africa", "east africa", "west africa", "asia", "south asia", "middle east", "kosovo",
    "bosnia", "palestine", "gaza", "syria", "yemen", "kenya", "uganda", "ghana", "nigeria", "ethiopia",
    "somalia", "sudan", "india", "pakistan", "bangladesh", "sri lanka", "nepal", "romania", "ukraine",
    "developing countr*", "the developing world", "the third world", "other countries",
)
# Bare "overseas" is not enough: grant-makers list "relief of poverty, overseas aid" among home purposes.
OVERSEAS: tuple[str, ...] = (
    "abroad", "overseas countr*", "overseas project*", "overseas development", "projects overseas",
    "work overseas", "people overseas", "communities overseas",
)
ABROAD_PREPOSITIONS: tuple[str, ...] = ("in", "to", "across", "throughout")
HOME: tuple[str, ...] = (
    "uk", "united kingdom", "britain", "british", "england", "english", "north west", "manchester",
    "trafford", "salford", "stockport", "cheshire", "lancashire", "local", "locally", "here",
)

_WORSHIP_WORDS = ("sick", "healing", "bereaved", "bereavement", "teach*", "training",
                  "courses", "educat*", "school", "seminar*", "ministers")

CONTEXTS: tuple[Context, ...] = (
    Context(
        "a school's parents' association or friends",
        names=("pta", "p.t.a", "parent teacher association", "parent teachers association", "parents association",
               "parents' association", "parent staff association", "psa", "pfa", "friends of * school"),
        activities=("raise funds for the school", "fundraising for the school", "funds for the school"),
        ignore=(("children_young_people", (ALL,)), ("education_learning", (ALL,)), ("environment", (ALL,)),
                ("arts_culture_sport", (ALL,)), ("community_cohesion", (ALL,))),
    ),
    Context(
        "a place of worship or religious body",
        names=("church", "chapel", "parish", "parochial", "mosque", "masjid", "synagogue", "temple",
               "gurdwara", "ministries", "ministry", "christadelphian", "congregation", "diocese", "diocesan",
               "cem evi", "mandir", "baptist", "methodist", "pentecostal", "evangelical", "kingdom hall"),
        activities=("public worship", "place of worship", "advancement of the christian", "advance the christian",
                    "proclamation of the gospel", "preaching of the gospel"),
        ignore=(("health_wellbeing", _WORSHIP_WORDS), ("mental_health", _WORSHIP_WORDS),
                ("education_learning", _WORSHIP_WORDS), ("environment", ("environment*",))),
    ),
    Context(
        "funeral or burial services",
        names=("funeral", "burial", "cemetery", "crematorium"),
        activities=(),
        ignore=(("poverty_food", (ALL,)), ("education_learning", (ALL,))),
    ),
    Context(
        "animal welfare",
        names=("animal*", "pets", "cats", "dogs", "rspca", "horse*", "donkey*", "wildlife"),
        activities=("animal welfare", "unwanted pets", "rehoming", "stray*", "neuter*", "spay*"),
        ignore=(("poverty_food", (ALL,)), ("housing_homelessness", (ALL,)), ("health_wellbeing", (ALL,)),
                ("crime_safety", (ALL,))),
    ),
    Context(
        "aid to a place abroad",
        names=("overseas aid", "international aid", "famine relief") + tuple(
            f"{pattern.format(place)}" for place in ABROAD_PLACES for pattern in ("aid to {}", "{} aid", "{} relief", "{} appeal")
        ),
        activities=(),
        ignore=tuple((t, (ALL,)) for t in ("health_wellbeing", "poverty_food", "housing_homelessness",
                                             "employment_skills", "education_learning")),
    ),
    Context(
        "a youth uniformed organisation",
        names=("scout*", "guide*", "girlguiding", "brownies", "cadet*", "boys brigade", "boys' brigade"),
        activities=(),
        ignore=(("education_learning", (ALL,)), ("employment_skills", (ALL,))),
    ),
    Context(
        "a professional or occupational body",
        names=("institute of", "institution of", "chartered", "royal college", "medical committee",
               "law society", "benevolent fund of"),
        activities=("members of the profession", "members of the medical profession", "professional body"),
        ignore=tuple((t, (ALL,)) for t in ("education_learning", "health_wellbeing", "poverty_food")),
    ),
)

CLIENT_GROUP_RULES: tuple[Rule, ...] = (
    Rule(
        "children",
        (
            "child*", "kids", "baby", "babies", "toddler", "infant", "pupil", "boys", "girls", "nursery",
            "playgroup", "brownies", "orphan",
        ),
    ),
    Rule(
        "young people",
        (
            "young people", "young person", "young adult", "youth", "teenager", "adolescent", "students",
            "scout*", "girlguiding", "girl guid*",
        ),
    ),
    Rule(
        "families",
        (
            "family", "families", "parent", "parenting",
        ),
    ),
    Rule(
        "older people",
        (
            "older people", "older person", "older adult", "elderly", "old age", "old people", "retired",
            "pensioner", "later life", "senior citizen", "over 50s", "over 60s", "dementia",
        ),
    ),
    Rule(
        "disabled people",
        (
            "disab*", "special needs", "special educational needs", "learning difficult*", "autism",
            "autistic", "blind", "visually impaired", "visual impairment", "sight loss", "deaf",
            "hearing loss", "wheelchair", "impairment", "cerebral palsy",
        ),
    ),
    Rule(
        "carers",
        (
            "carer", "caring for", "respite",
        ),
    ),
    Rule(
        "people on low incomes",
        (
            "poverty", "food bank", "foodbank", "food parcel", "hardship", "debt", "low income",
            "cost of living", "destitute", "deprivation", "deprived", "the poor", "financial need",
            "in need of financial",
        ),
    ),
    Rule(
        "homeless people",
        (
            "homeless*", "rough sleep*", "night shelter",
        ),
    ),
    Rule(
        "refugees and migrants",
        (
            "refugee", "asylum", "migrant", "immigrant",
        ),
    ),
)# fmt: on
