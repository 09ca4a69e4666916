"""Word lists and name builders for the fictional demo borough.

The borough, ward and organisation names are invented. Stems were checked against the
names of every UK ward and local authority (ONS, December 2019) so that none of them is
the name of a real ward or council; common English words (Bridge, Green, Vale) are kept
so the names still sound like places.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np

BOROUGH = "Marrowby"

# Quieter, leafier wards take these stems ("Kettlewick", "Kettlewick North", "Fernholt Vale").
SUBURBAN_STEMS = (
    "Kettlewick",
    "Fernholt",
    "Quillhurst",
    "Thistleby",
    "Wyndlow",
    "Sallowfield",
    "Brindlecote",
    "Orrelby",
    "Pellow",
    "Maddersey",
    "Ravensike",
    "Cobbleford",
    "Elmswick",
    "Gorsemoor",
    "Larkswell",
    "Mossbeck",
    "Wetherholt",
    "Yarrowby",
    "Barrowmede",
    "Greywater",
    "Hobbleford",
    "Wrenfield",
    "Coldmere",
    "Farrowdale",
    "Cressby",
    "Lindenholt",
    "Bramblecote",
    "Halewick",
    "Rookhaven",
    "Sorrelby",
    "Fallowmead",
    "Kestlecombe",
    "Ottersike",
    "Tansholt",
    "Aldermede",
)
SUBURBAN_SUFFIXES = ("", "", "", " Vale", " Green", " Park", " Heath")
# Wards on the old industrial side take these.
URBAN_NAMES = ("Foundry Bridge", "Tannery Fields", "Ropewalk", "Kilnhill", "Saltgate", "Gasworth")
DIRECTIONS = {"ns": (" North", " South"), "ew": (" East", " West")}

SAINTS = ("Aldric", "Ebba", "Cedd", "Hild", "Kenelm", "Botolph", "Wystan", "Alkelda", "Oswin", "Bega")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")

ORG_PATTERNS: dict[str, tuple[str, ...]] = {
    "children_young_people": (
        "{place} Youth Club",
        "{place} Young People's Project",
        "{place} Toddler Group",
        "{place} Stay and Play",
        "{place} Kids' Club",
        "{place} Adventure Playground",
        "{borough} Young Futures",
    ),
    "older_people": (
        "{place} Over-60s Club",
        "{place} Friendship Lunch Club",
        "{place} Good Neighbours",
        "{borough} Befriending Service",
        "{place} Silver Circle",
        "{place} Older People's Forum",
    ),
    "health_wellbeing": (
        "{place} Health Walks",
        "{place} Wellbeing Hub",
        "{borough} Breathe Easy Group",
        "{place} Healthy Living Project",
        "{place} Community Health Champions",
    ),
    "mental_health": (
        "{place} Men's Shed",
        "{place} Talking Space",
        "{borough} Mental Wellbeing Network",
        "{place} Peer Support Circle",
        "{place} Listening Post",
    ),
    "disability_carers": (
        "{borough} Carers Network",
        "{place} Carers' Support Group",
        "{borough} Disability Forum",
        "{place} Sensory Garden Group",
        "{borough} Autism Family Support",
        "{place} Inclusive Play",
    ),
    "poverty_food": (
        "{place} Food Share",
        "{place} Community Pantry",
        "St {saint}'s Community Pantry",
        "{place} Food Bank",
        "{borough} Money Advice",
        "{place} Community Fridge",
        "{place} Warm Welcome",
    ),
    "housing_homelessness": (
        "{borough} Night Shelter",
        "{place} Housing Advice Project",
        "{borough} Homeless Outreach",
        "{place} Tenants' and Residents' Association",
        "{borough} Supported Lodgings",
    ),
    "employment_skills": (
        "{place} Job Club",
        "{borough} Skills Exchange",
        "{place} Work Club",
        "{place} Digital Skills Café",
        "{borough} Pathways to Work",
    ),
    "education_learning": (
        "{place} Reading Circle",
        "{place} Homework Club",
        "{borough} Adult Learning Network",
        "{place} Language Café",
        "{place} Local History Society",
        "{place} Learning Exchange",
    ),
    "crime_safety": (
        "{place} Neighbourhood Watch",
        "{borough} Safer Streets Partnership",
        "{place} Night Guardians",
        "{borough} Restorative Justice Project",
    ),
    "community_cohesion": (
        "{place} Community Association",
        "{place} Residents' Association",
        "Friends of {place} Park",
        "{place} Community Hub",
        "{borough} Welcome Network",
        "{place} Community Festival",
        "{place} Village Hall Committee",
    ),
    "environment": (
        "Friends of {place} Woods",
        "{place} in Bloom",
        "{place} Community Garden",
        "{place} Litter Pickers",
        "{borough} Wildlife Group",
        "{place} Allotment Society",
        "{place} Repair Café",
    ),
    "arts_culture_sport": (
        "{borough} Youth Theatre",
        "{place} Community Choir",
        "{place} Cricket Club",
        "{place} Junior Football Club",
        "{place} Art Group",
        "{place} Brass Band",
        "{place} Boxing Club",
        "{place} Players",
        "{place} Bowls Club",
        "{place} Film Society",
    ),
}
# Names for the few large charities: borough-wide institutions.
LARGE_PATTERNS: dict[str, tuple[str, ...]] = {
    "health_wellbeing": ("{borough} Hospice",),
    "housing_homelessness": ("{borough} Housing Trust",),
    "disability_carers": ("{borough} Carers Centre",),
    "arts_culture_sport": ("{borough} Leisure Trust", "{borough} Arts Centre"),
    "community_cohesion": ("{borough} Community Foundation", "{borough} Council for Voluntary Service"),
    "children_young_people": ("{borough} Children's Trust",),
    "older_people": ("{borough} Later Life Trust",),
    "mental_health": ("{borough} Mental Health Alliance",),
    "poverty_food": ("{borough} Advice Centre",),
    "employment_skills": ("{borough} Training Trust",),
    "education_learning": ("{borough} Learning Trust",),
    "environment": ("{borough} Green Spaces Trust",),
    "crime_safety": ("{borough} Safer Communities Trust",),
}
FAITH_PATTERNS = (
    "St {saint}'s Church",
    "{place} Methodist Church",
    "{place} Baptist Church",
    "{place} Mosque",
    "{place} Gurdwara",
    "{place} Friends Meeting House",
    "{place} Mandir",
    "{place} Pentecostal Fellowship",
    "{place} Community Church",
    "Holy Trinity {place}",
    "{place} Synagogue",
    "{place} United Reformed Church",
)

SERVICE_NAMES: dict[str, tuple[str, ...]] = {
    "children_young_people": (
        "After-school club",
        "{day} stay and play",
        "Holiday activities with lunch",
        "Youth club (11–18)",
        "Parent and toddler group",
        "Young leaders programme",
    ),
    "older_people": (
        "{day} lunch club",
        "Befriending phone calls",
        "Tea dance",
        "Chair-based exercise",
        "Home visiting",
        "Digital help for older people",
    ),
    "health_wellbeing": (
        "Health walks",
        "Healthy cooking course",
        "{day} wellbeing drop-in",
        "Stop smoking support",
        "Falls prevention class",
        "Hospice at home care",
    ),
    "mental_health": (
        "Peer support group",
        "Men's shed sessions",
        "{day} wellbeing café",
        "Mindfulness course",
        "Bereavement support",
    ),
    "disability_carers": (
        "Carers' drop-in",
        "Carers' break days",
        "Inclusive sport sessions",
        "Sensory play",
        "Young carers' club",
        "Disability advice line",
    ),
    "poverty_food": (
        "{day} food bank",
        "Community pantry",
        "Benefits and debt advice",
        "Warm space and hot lunch",
        "Community fridge",
        "School uniform bank",
    ),
    "housing_homelessness": (
        "Night shelter",
        "Housing advice surgery",
        "Tenancy support",
        "Rough sleeper outreach",
        "Furniture reuse scheme",
    ),
    "employment_skills": (
        "Job club",
        "CV and interview help",
        "Digital skills course",
        "Volunteering into work",
        "English for work",
    ),
    "education_learning": (
        "Homework club",
        "Adult literacy classes",
        "English conversation café",
        "Reading group",
        "Local history talks",
        "Family learning sessions",
    ),
    "crime_safety": (
        "Neighbourhood watch patrols",
        "Victims' drop-in",
        "Restorative justice service",
        "Safer streets night patrol",
        "Youth diversion project",
    ),
    "community_cohesion": (
        "Community café",
        "{day} coffee morning",
        "Welcome club for new arrivals",
        "Community events",
        "Residents' meetings",
        "Room hire for local groups",
    ),
    "environment": (
        "Community garden sessions",
        "Litter picks",
        "Repair café",
        "Tree planting days",
        "Allotment plots",
        "Wildlife walks",
    ),
    "arts_culture_sport": (
        "Youth theatre workshops",
        "Community choir rehearsals",
        "Junior football training",
        "Art classes",
        "Walking football",
        "Dance classes",
    ),
}

CLIENT_GROUPS_BY_THEME: dict[str, tuple[str, ...]] = {
    "children_young_people": ("children", "young people", "families"),
    "older_people": ("older people",),
    "health_wellbeing": ("everyone", "older people", "disabled people"),
    "mental_health": ("everyone", "young people"),
    "disability_carers": ("disabled people", "carers"),
    "poverty_food": ("people on low incomes", "families", "homeless people"),
    "housing_homelessness": ("homeless people", "people on low incomes"),
    "employment_skills": ("people on low incomes", "young people", "refugees and migrants"),
    "education_learning": ("children", "everyone", "refugees and migrants"),
    "crime_safety": ("everyone", "young people"),
    "community_cohesion": ("everyone", "refugees and migrants", "older people"),
    "environment": ("everyone", "families"),
    "arts_culture_sport": ("everyone", "children", "young people"),
}

ASSET_PATTERNS: dict[str, tuple[str, ...]] = {
    "community centre": ("{place} Community Centre",),
    "library": ("{place} Library",),
    "former library": ("Former {place} Library",),
    "youth centre": ("{place} Youth Centre",),
    "sports hall": ("{place} Sports Hall", "{place} Leisure Centre"),
    "church hall": ("St {saint}'s Church Hall",),
    "park pavilion": ("{place} Park Pavilion",),
    "former police station": ("Former {place} Police Station",),
    "former school": ("Former {place} Primary School",),
    "council office": ("{place} Housing Office (closed)",),
    "community garden": ("{place} Community Garden",),
}


def place_stem(ward_name: str) -> str:
    """The place a ward is named after: 'Kettlewick North' -> 'Kettlewick'."""
    stem = re.sub(r" (North|South|East|West|Central|Vale|Green|Park|Heath)$", "", ward_name)
    return stem.split(" and ")[0]


def slug(text: str) -> str:
    """A web-address-safe form of a name: "St Ebba's Café" -> 'st-ebbas-cafe'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower().replace("'", "")).strip("-")


def ward_names(
    rng: np.random.Generator,
    centroids: np.ndarray,
    industrial: np.ndarray,
    centre: int,
    neighbours: list[set[int]],
) -> list[str]:
    """Name every ward: a town centre, urban names on the industrial side, paired stems elsewhere.

    Args:
        rng: random generator for this stage.
        centroids: ward centroids in metres (n x 2).
        industrial: how far each ward lies towards the old industrial side (any scale).
        centre: index of the town-centre ward.
        neighbours: for each ward, the indices of wards sharing a border with it.

    Returns:
        One unique name per ward.
    """
    n = len(centroids)
    names: list[str | None] = [None] * n
    names[centre] = f"{BOROUGH} Central"
    urban = [i for i in np.argsort(-industrial) if i != centre][: min(4, n // 5)]
    for i, name in zip(urban, rng.permutation(URBAN_NAMES), strict=False):
        names[int(i)] = str(name)
    stems = [str(s) for s in rng.permutation(SUBURBAN_STEMS)]
    for _pair in range(2):
        free = [i for i in range(n) if names[i] is None and any(names[j] is None for j in neighbours[i])]
        if not free:
            break
        a = int(rng.choice(free))
        b = int(rng.choice(sorted(j for j in neighbours[a] if names[j] is None)))
        dx, dy = centroids[a] - centroids[b]
        first, second = DIRECTIONS["ns"] if abs(dy) >= abs(dx) else DIRECTIONS["ew"]
        a_first = dy > 0 if abs(dy) >= abs(dx) else dx > 0
        stem = stems.pop()
        names[a] = stem + (first if a_first else second)
        names[b] = stem + (second if a_first else first)
    for i in range(n):
        if names[i] is None:
            if rng.random() < 0.12 and len(stems) >= 2:
                names[i] = f"{stems.pop()} and {stems.pop()}"
            else:
                names[i] = stems.pop() + str(rng.choice(SUBURBAN_SUFFIXES))
    return [str(x) for x in names]
