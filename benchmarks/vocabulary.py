"""Words a UK council's open data is written in, for the generated benchmark catalogue.

Publishers are directorates and services, topics are Council Plan themes, and each subject is a
kind of dataset councils really publish (spend over £500, school census, recycling rates, car
park occupancy, planning applications and so on) with the tags and table columns that go with it.
"""

from __future__ import annotations

from dataclasses import dataclass

ORGANISATIONS = {
    "corporate-services": "Corporate Services",
    "children-education": "Children, Education and Communities",
    "adult-social-care": "Adult Social Care and Integration",
    "economy-place": "Economy and Place",
    "housing-communities": "Housing and Communities",
    "public-health": "Public Health",
    "customer-services": "Customer and Digital Services",
    "governance": "Governance and Democratic Services",
    "finance": "Finance and Procurement",
    "environment-climate": "Environment and Climate Change",
}

TOPICS = {
    "finance-and-spending": "Finance and spending",
    "education-and-skills": "Education and skills",
    "health-and-wellbeing": "Health and wellbeing",
    "transport-and-streets": "Transport and streets",
    "housing": "Housing",
    "environment-and-climate": "Environment and climate",
    "communities-and-safety": "Communities and safety",
    "council-and-democracy": "Council and democracy",
    "culture-and-leisure": "Culture and leisure",
    "planning-and-development": "Planning and development",
    "economy-and-business": "Economy and business",
}

WARDS = (
    "Acomb",
    "Bishopthorpe",
    "Clifton",
    "Copmanthorpe",
    "Dringhouses and Woodthorpe",
    "Fishergate",
    "Fulford and Heslington",
    "Guildhall",
    "Haxby and Wigginton",
    "Heworth",
    "Heworth Without",
    "Holgate",
    "Hull Road",
    "Huntington and New Earswick",
    "Micklegate",
    "Osbaldwick and Derwent",
    "Poppleton",
    "Rawcliffe and Clifton Without",
    "Rural West York",
    "Strensall",
    "Westfield",
    "Wheldrake",
)

SUPPLIERS = (
    "Yorkshire Water",
    "Northern Powergrid",
    "Biffa Waste Services",
    "Balfour Beatty Living Places",
    "First York",
    "Jacobs UK",
    "Capita Business Services",
    "Explore York Libraries and Archives",
    "Be Independent",
    "Make It York",
    "Better Leisure",
    "Joseph Rowntree Housing Trust",
)

SERVICE_AREAS = (
    "Waste services",
    "Highways",
    "Parking services",
    "Libraries",
    "Schools",
    "Adult social care",
    "Children's social care",
    "Housing repairs",
    "Planning",
    "Revenues and benefits",
    "Public protection",
    "Parks and open spaces",
)

FREQUENCY_WEIGHTS = {
    "monthly": 30,
    "quarterly": 22,
    "annual": 28,
    "weekly": 4,
    "daily": 2,
    "one-off": 8,
    "irregular": 6,
}

QUALIFIERS = (
    "by ward",
    "by month",
    "by service area",
    "summary",
    "by postcode sector",
    "by age group",
    "trend",
    "detailed",
    "for the city centre",
    "by quarter",
)

# Sentences every kind of dataset may carry, after its own.
GENERAL = (
    "Figures are provisional until the annual statement of accounts is signed off.",
    "Personal data has been removed and counts under five are suppressed to protect privacy.",
    "The data is published under the Local Government Transparency Code 2015.",
    "Ward boundaries follow the 2015 electoral review by the Local Government Boundary "
    "Commission for England.",
    "Earlier years are available on request from the council's information governance team.",
    "Values are in pounds sterling and exclude VAT unless stated.",
    "Locations are given as Ordnance Survey grid references and postcodes where known.",
    "Where a figure has been revised the note column explains why.",
    "This dataset supports the Council Plan's commitment to open and transparent decision making.",
    "Please tell us if you find an error so that we can correct it in the next release.",
)


@dataclass(frozen=True)
class Subject:
    """One kind of dataset: what it is called, who publishes it, how it is described."""

    title: str
    organisation: str
    topics: tuple[str, ...]
    tags: tuple[str, ...]
    sentences: tuple[str, ...]
    columns: tuple[tuple[str, str], ...]
    formats: tuple[str, ...] = ("csv",)


def _cols(*pairs: str) -> tuple[tuple[str, str], ...]:
    """'Name:type' pairs as (name, Table Schema type)."""
    return tuple((p.split(":")[0], p.split(":")[1]) for p in pairs)


SPEND_COLUMNS = _cols(
    "Payment date:date",
    "Supplier:string",
    "Service area:string",
    "Expense type:string",
    "Transaction number:integer",
    "Amount:number",
)
WARD_COUNT = _cols("Ward:string", "Year:integer", "Count:integer", "Rate per 1000:number")
MONTHLY = _cols("Month:date", "Service area:string", "Value:number", "Target:number")
SCHOOL = _cols("School:string", "URN:integer", "Ward:string", "Pupils:integer", "Places:integer")

SUBJECTS = (
    Subject(
        "Spend over £500",
        "finance",
        ("finance-and-spending",),
        ("spend", "transparency", "payments", "suppliers"),
        (
            "Every payment the council makes to a supplier of £500 or more.",
            "Each row is one payment with the supplier, the service area and the expense type.",
        ),
        SPEND_COLUMNS,
        ("csv", "xlsx"),
    ),
    Subject(
        "Procurement card transactions",
        "finance",
        ("finance-and-spending",),
        ("spend", "procurement", "transparency"),
        ("Purchases made on council procurement cards, with the merchant category.",),
        SPEND_COLUMNS,
    ),
    Subject(
        "Contracts register",
        "finance",
        ("finance-and-spending", "economy-and-business"),
        ("contracts", "procurement", "suppliers", "transparency"),
        ("Contracts and framework agreements worth more than £5,000, with start and end dates.",),
        _cols("Contract:string", "Supplier:string", "Start:date", "End:date", "Value:number"),
        ("csv", "xlsx"),
    ),
    Subject(
        "Council tax bands",
        "finance",
        ("finance-and-spending", "housing"),
        ("council-tax", "valuation", "housing"),
        (
            "The number of dwellings in each council tax band, from the Valuation Office Agency "
            "list.",
            "Council tax pays for schools, social care, bins, roads and libraries.",
        ),
        _cols("Band:string", "Ward:string", "Dwellings:integer", "Band D equivalent:number"),
    ),
    Subject(
        "Council tax collection rates",
        "finance",
        ("finance-and-spending",),
        ("council-tax", "collection", "revenues"),
        ("How much council tax due in the year was collected, month by month.",),
        MONTHLY,
    ),
    Subject(
        "Business rates",
        "finance",
        ("finance-and-spending", "economy-and-business"),
        ("business-rates", "nndr", "revenues", "business"),
        ("Non-domestic rates accounts with rateable value and reliefs granted.",),
        _cols("Property reference:string", "Ward:string", "Rateable value:number", "Relief:string"),
    ),
    Subject(
        "School census pupil numbers",
        "children-education",
        ("education-and-skills",),
        ("schools", "pupils", "census", "education"),
        (
            "Pupils on roll at each maintained school and academy on census day in January.",
            "Counts include nursery and sixth form pupils where the school has them.",
        ),
        SCHOOL,
    ),
    Subject(
        "School admissions offers",
        "children-education",
        ("education-and-skills",),
        ("schools", "admissions", "education"),
        ("Offers made on national offer day for primary and secondary school places.",),
        SCHOOL,
    ),
    Subject(
        "Free school meals eligibility",
        "children-education",
        ("education-and-skills", "health-and-wellbeing"),
        ("schools", "free-school-meals", "pupils", "deprivation"),
        ("Pupils known to be eligible for free school meals, by school.",),
        SCHOOL,
    ),
    Subject(
        "Special educational needs and disabilities",
        "children-education",
        ("education-and-skills",),
        ("send", "schools", "ehcp", "education"),
        ("Children and young people with an education, health and care plan.",),
        WARD_COUNT,
    ),
    Subject(
        "Library visits",
        "children-education",
        ("culture-and-leisure", "education-and-skills"),
        ("libraries", "visits", "reading"),
        ("Visits to each library and reading cafe, counted at the door.",),
        _cols("Library:string", "Month:date", "Visits:integer", "Computer sessions:integer"),
    ),
    Subject(
        "Library book loans",
        "children-education",
        ("culture-and-leisure",),
        ("libraries", "loans", "books", "reading"),
        ("Books, e-books and audiobooks borrowed from York libraries.",),
        _cols("Library:string", "Month:date", "Loans:integer", "E-loans:integer"),
    ),
    Subject(
        "Household waste recycling rates",
        "environment-climate",
        ("environment-and-climate",),
        ("recycling", "waste", "bins", "household-waste"),
        (
            "The share of household waste sent for reuse, recycling or composting.",
            "Reported to DEFRA through WasteDataFlow every quarter.",
        ),
        MONTHLY,
        ("csv", "json"),
    ),
    Subject(
        "Missed bin collections",
        "environment-climate",
        ("environment-and-climate", "communities-and-safety"),
        ("bins", "waste", "recycling", "collections"),
        ("Reports of missed refuse, recycling and garden waste collections by round.",),
        WARD_COUNT,
    ),
    Subject(
        "Fly-tipping incidents",
        "environment-climate",
        ("environment-and-climate", "communities-and-safety"),
        ("fly-tipping", "waste", "enforcement"),
        ("Fly-tipping reported to the council and the action taken.",),
        WARD_COUNT,
        ("csv", "geojson"),
    ),
    Subject(
        "Air quality monitoring",
        "environment-climate",
        ("environment-and-climate", "health-and-wellbeing"),
        ("air-quality", "nitrogen-dioxide", "pollution", "monitoring"),
        ("Nitrogen dioxide concentrations from diffusion tubes across the city.",),
        _cols("Site:string", "Ward:string", "Month:date", "NO2 ugm3:number"),
        ("csv", "json"),
    ),
    Subject(
        "Tree preservation orders",
        "environment-climate",
        ("environment-and-climate", "planning-and-development"),
        ("trees", "tpo", "planning"),
        ("Trees and woodlands protected by a tree preservation order.",),
        WARD_COUNT,
        ("geojson", "csv"),
    ),
    Subject(
        "Car park occupancy",
        "economy-place",
        ("transport-and-streets",),
        ("parking", "car-parks", "occupancy"),
        (
            "Spaces occupied in each council car park, sampled every fifteen minutes.",
            "Live figures feed the parking guidance signs on the ring road.",
        ),
        _cols("Car park:string", "Timestamp:datetime", "Spaces:integer", "Occupied:integer"),
        ("csv", "json"),
    ),
    Subject(
        "Parking penalty charge notices",
        "economy-place",
        ("transport-and-streets",),
        ("parking", "pcn", "enforcement"),
        (
            "Penalty charge notices issued by civil enforcement officers, by street and "
            "contravention.",
        ),
        WARD_COUNT,
    ),
    Subject(
        "Residents' parking permits",
        "economy-place",
        ("transport-and-streets", "housing"),
        ("parking", "permits", "respark"),
        ("Permits issued in each residents' parking zone.",),
        WARD_COUNT,
    ),
    Subject(
        "Park and ride passenger numbers",
        "economy-place",
        ("transport-and-streets",),
        ("park-and-ride", "buses", "passengers"),
        ("Passenger journeys on each of the six park and ride routes.",),
        MONTHLY,
    ),
    Subject(
        "Road traffic collisions",
        "economy-place",
        ("transport-and-streets", "communities-and-safety"),
        ("road-safety", "collisions", "casualties", "stats19"),
        ("Reported road traffic collisions involving injury, from STATS19 returns.",),
        WARD_COUNT,
        ("csv", "geojson"),
    ),
    Subject(
        "Potholes and highway defects",
        "economy-place",
        ("transport-and-streets",),
        ("potholes", "highways", "roads", "repairs"),
        ("Highway defects reported and repaired, with response times against target.",),
        WARD_COUNT,
    ),
    Subject(
        "Cycle counts",
        "economy-place",
        ("transport-and-streets", "environment-and-climate"),
        ("cycling", "active-travel", "counts"),
        ("Bicycles counted by automatic counters on cycle routes.",),
        MONTHLY,
        ("csv", "json"),
    ),
    Subject(
        "Electric vehicle charging points",
        "economy-place",
        ("transport-and-streets", "environment-and-climate"),
        ("electric-vehicles", "charging", "parking"),
        ("Public charge points on council land with their power and connector types.",),
        WARD_COUNT,
        ("csv", "geojson"),
    ),
    Subject(
        "Planning applications",
        "economy-place",
        ("planning-and-development",),
        ("planning", "applications", "development"),
        (
            "Planning applications received and decided, with the decision and the date.",
            "Householder, minor and major applications are reported separately.",
        ),
        _cols("Reference:string", "Ward:string", "Received:date", "Decision:string"),
        ("csv", "geojson"),
    ),
    Subject(
        "Planning appeals",
        "economy-place",
        ("planning-and-development",),
        ("planning", "appeals", "development"),
        ("Appeals against planning decisions and their outcome at the Planning Inspectorate.",),
        _cols("Reference:string", "Ward:string", "Received:date", "Decision:string"),
    ),
    Subject(
        "Brownfield land register",
        "economy-place",
        ("planning-and-development", "housing"),
        ("brownfield", "land", "planning", "housing"),
        ("Previously developed sites suitable for housing.",),
        WARD_COUNT,
        ("csv", "geojson"),
    ),
    Subject(
        "City centre footfall",
        "economy-place",
        ("economy-and-business",),
        ("footfall", "city-centre", "economy"),
        ("People counted by footfall cameras on the main shopping streets.",),
        MONTHLY,
    ),
    Subject(
        "Housing register",
        "housing-communities",
        ("housing",),
        ("housing", "waiting-list", "social-housing"),
        ("Households on the housing register by band and bedroom need.",),
        WARD_COUNT,
    ),
    Subject(
        "Council housing stock",
        "housing-communities",
        ("housing",),
        ("housing", "council-homes", "stock"),
        ("Homes the council owns and manages, by type and number of bedrooms.",),
        WARD_COUNT,
    ),
    Subject(
        "Homelessness decisions",
        "housing-communities",
        ("housing", "communities-and-safety"),
        ("homelessness", "housing", "temporary-accommodation"),
        ("Homelessness applications and decisions under the Housing Act 1996.",),
        MONTHLY,
    ),
    Subject(
        "Empty homes",
        "housing-communities",
        ("housing",),
        ("empty-homes", "housing", "council-tax"),
        ("Homes empty for more than six months, from council tax records.",),
        WARD_COUNT,
    ),
    Subject(
        "Housing repairs response times",
        "housing-communities",
        ("housing",),
        ("housing", "repairs", "council-homes"),
        ("Repairs to council homes and the share completed within target time.",),
        MONTHLY,
    ),
    Subject(
        "Ward boundaries",
        "governance",
        ("council-and-democracy",),
        ("wards", "boundaries", "geography"),
        ("The boundaries of the city's 21 electoral wards.",),
        WARD_COUNT,
        ("geojson", "csv"),
    ),
    Subject(
        "Councillors and ward members",
        "governance",
        ("council-and-democracy",),
        ("councillors", "wards", "democracy"),
        ("Elected members, their party and the ward they represent.",),
        _cols("Councillor:string", "Ward:string", "Party:string", "Elected:date"),
        ("csv", "json"),
    ),
    Subject(
        "Local election results",
        "governance",
        ("council-and-democracy",),
        ("elections", "wards", "votes", "democracy"),
        ("Votes cast for each candidate in each ward, and turnout.",),
        WARD_COUNT,
    ),
    Subject(
        "Freedom of Information requests",
        "governance",
        ("council-and-democracy",),
        ("foi", "transparency", "information-requests"),
        ("Freedom of Information and Environmental Information Regulations requests.",),
        MONTHLY,
    ),
    Subject(
        "Councillor allowances and expenses",
        "governance",
        ("council-and-democracy", "finance-and-spending"),
        ("councillors", "allowances", "expenses", "transparency"),
        ("Allowances and expenses paid to each councillor in the year.",),
        _cols("Councillor:string", "Ward:string", "Party:string", "Elected:date"),
        ("csv", "pdf"),
    ),
    Subject(
        "Senior salaries",
        "corporate-services",
        ("council-and-democracy", "finance-and-spending"),
        ("pay", "salaries", "transparency", "staff"),
        ("Posts paid £50,000 or more, with job title and responsibilities.",),
        _cols("Job title:string", "Directorate:string", "Salary band:string", "FTE:number"),
        ("csv", "pdf"),
    ),
    Subject(
        "Staff headcount and sickness absence",
        "corporate-services",
        ("council-and-democracy",),
        ("staff", "workforce", "sickness"),
        ("Employees, full time equivalents and days lost to sickness per FTE.",),
        MONTHLY,
    ),
    Subject(
        "Land and property assets",
        "corporate-services",
        ("finance-and-spending", "planning-and-development"),
        ("land", "property", "assets", "transparency"),
        ("Land and buildings the council owns or leases, with their use.",),
        WARD_COUNT,
        ("csv", "geojson"),
    ),
    Subject(
        "Complaints and compliments",
        "customer-services",
        ("council-and-democracy",),
        ("complaints", "compliments", "customer-service"),
        ("Complaints, compliments and comments received, by service.",),
        MONTHLY,
    ),
    Subject(
        "Customer contact centre calls",
        "customer-services",
        ("council-and-democracy",),
        ("calls", "customer-service", "contact-centre"),
        ("Calls answered and average waiting time at the customer centre.",),
        MONTHLY,
    ),
    Subject(
        "Adult social care packages",
        "adult-social-care",
        ("health-and-wellbeing",),
        ("social-care", "adults", "care-homes", "home-care"),
        ("People receiving long-term support, by type of care and age group.",),
        MONTHLY,
    ),
    Subject(
        "Delayed transfers of care",
        "adult-social-care",
        ("health-and-wellbeing",),
        ("social-care", "nhs", "hospital-discharge"),
        ("Days of delayed discharge from hospital attributed to social care.",),
        MONTHLY,
    ),
    Subject(
        "Food hygiene inspections",
        "public-health",
        ("health-and-wellbeing", "economy-and-business"),
        ("food-hygiene", "inspections", "restaurants", "ratings"),
        ("Food businesses inspected and the hygiene rating awarded.",),
        WARD_COUNT,
        ("csv", "json"),
    ),
    Subject(
        "Premises licences",
        "public-health",
        ("communities-and-safety", "economy-and-business"),
        ("licensing", "alcohol", "premises"),
        ("Premises licensed to sell alcohol or provide late night refreshment.",),
        WARD_COUNT,
    ),
    Subject(
        "Smoking cessation outcomes",
        "public-health",
        ("health-and-wellbeing",),
        ("smoking", "public-health", "stop-smoking"),
        ("People setting a quit date with the stop smoking service and quitting at four weeks.",),
        MONTHLY,
    ),
    Subject(
        "Leisure centre attendance",
        "children-education",
        ("culture-and-leisure", "health-and-wellbeing"),
        ("leisure", "sport", "swimming", "gyms"),
        ("Visits to council leisure centres and swimming pools.",),
        MONTHLY,
    ),
    Subject(
        "Allotment plots",
        "environment-climate",
        ("culture-and-leisure", "environment-and-climate"),
        ("allotments", "parks", "food-growing"),
        ("Allotment sites, plots let and the waiting list at each.",),
        WARD_COUNT,
    ),
    Subject(
        "Anti-social behaviour reports",
        "housing-communities",
        ("communities-and-safety",),
        ("anti-social-behaviour", "community-safety", "noise"),
        ("Anti-social behaviour and noise nuisance reported to the council.",),
        WARD_COUNT,
    ),
    Subject(
        "Population estimates",
        "corporate-services",
        ("health-and-wellbeing", "housing"),
        ("population", "census", "wards", "demographics"),
        ("Mid-year population estimates by age and sex, from the Office for National Statistics.",),
        WARD_COUNT,
    ),
)

# Words for the benchmark's queries; each is known to match the generated catalogue.
COMMON_WORD = "parking"
PREFIX = "schoo"
TWO_WORDS = ("library visits", "children-education")
MISSPELT = "recyclng"
