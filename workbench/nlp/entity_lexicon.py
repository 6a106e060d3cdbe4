"""Word lists behind the scheme's entity conventions (no spaCy, no I/O).

These are the closed-class words of news prose the rules read around a name: place
designators, the head nouns that make a name an organisation or a facility, titles,
times of day. Names themselves (groups, agencies, demonyms) are data files under
`patterns/`, which a team can extend.
"""

from __future__ import annotations

# Lowercase designators after a place name stay out of the span and make it a place:
# "Sichuan province" -> "Sichuan" GPE, "Bohol island" -> "Bohol" LOC.
GPE_DESIGNATORS = {
    "province", "provinces", "village", "villages", "district", "districts", "town",
    "towns", "city", "county", "state", "governorate", "prefecture", "municipality",
    "neighbourhood", "neighborhood", "suburb", "community", "communities", "township",
    "tehsil", "subdistrict", "sub-district", "locality", "settlement", "commune",
    "oblast", "region",
}  # fmt: skip
LOC_DESIGNATORS = {
    "island", "islands", "valley", "river", "mountains", "mountain", "desert", "sea",
    "lake", "peninsula", "coast", "plateau",
}  # fmt: skip
# The words that may follow a lowercase designator and still be part of the phrase
# that marks the place ("Maradun district area", "Zango Kataf local government area").
DESIGNATOR_TAILS = {"area", "areas", "council", "government", "local"}

# Capitalised designators are part of the name: "Zamfara State", "Lushan County".
GPE_HEADS = {
    "State", "Province", "County", "District", "Prefecture", "Governorate",
    "Municipality", "Area", "Village", "Town", "City", "Oblast", "Territory",
    "Territories", "Tehsil", "Township", "Council", "Emirate", "Republic",
}  # fmt: skip
# Capitalised heads of facility names: "Bethel Memorial Methodist Church", "Republic Bridge".
FAC_HEADS = {
    "Church", "Mosque", "Masjid", "Temple", "Synagogue", "Shrine", "Cathedral", "Chapel",
    "Monastery", "Market", "Bazaar", "Bazar", "Square", "Street", "St", "Road", "Rd",
    "Avenue", "Boulevard", "Highway", "Bridge", "Grounds", "Ground", "Stadium",
    "Airport", "Airbase", "Zone", "Compound", "Hotel", "Mall", "Tower", "Towers",
    "Palace", "Prison", "Jail", "Gate", "Park", "Plaza", "Port", "Harbour", "Harbor",
    "Dam", "Station", "Terminal", "Embassy", "Consulate", "Crossing", "Checkpoint",
    "Mine", "Colliery", "Factory", "Plant", "Refinery", "Warehouse", "Dock", "Pier",
}  # fmt: skip
# Heads that make a name an institution (hospitals and schools are ORG in the scheme).
ORG_HEADS = {
    "Hospital", "Clinic", "School", "University", "College", "Academy", "Institute",
    "Police", "Army", "Forces", "Force", "Ministry", "Committee", "Commission", "Party",
    "Front", "Brigade", "Brigades", "Movement", "Agency", "News", "Network", "Authority",
    "Service", "Services", "Guard", "Guards", "Corps", "Rangers", "Command",
    "Organization", "Organisation", "Association", "Society", "Union", "Federation",
    "Court", "Parliament", "Assembly", "Office", "Department", "Directorate", "Bureau",
    "Center", "Centre", "Programme", "Program", "Fund", "Bank", "Company",
    "Corporation", "Group", "Foundation", "Observatory", "Mission", "Council",
    "Government", "Administration", "Militia", "Battalion", "Regiment", "Division",
    "Unit", "Times", "Post", "Herald", "Tribune", "Gazette", "Daily", "Television",
    "TV", "Radio", "Press", "Channel", "Cross", "Crescent", "Red", "Congress", "Senate",
    "Knesset", "Cabinet", "Duma",
}  # fmt: skip
# Lowercase heads kept in an institution's span ("Al-Aqsa hospital").
ORG_LOWER_HEADS = {"hospital", "clinic", "network"}
# Place designators whose capitalised form is a council of government, not a place.
GPE_COUNCIL_WORDS = {"Regional", "Local", "Municipal", "District", "County"}

# Nouns after a group's name that make it an armed group: "Tamil Tiger rebels".
ARMED_FOLLOWERS = {
    "rebels", "rebel", "militants", "militant", "fighters", "insurgents", "guerrillas",
    "guerillas", "jihadists", "extremists", "gunmen", "militia", "militias",
    "separatists", "commanders", "commander", "cadres", "loyalists",
}  # fmt: skip
# Nouns after a name that make it a weapon or a product, not an entity of the scheme.
PRODUCT_FOLLOWERS = {
    "rocket", "rockets", "missile", "missiles", "rifle", "rifles", "drone", "drones",
    "mortar", "mortars", "launcher", "launchers", "helicopter", "helicopters", "jet",
    "jets", "tank", "tanks",
}  # fmt: skip
# Words before a name that say it is a place: "the town of Kohat", "villages of A, B and C".
PLACE_NOUNS_OF = GPE_DESIGNATORS | {"area", "areas", "outskirts", "residents", "resident"}
DIRECTIONS = {
    "north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest",
    "north-east", "north-west", "south-east", "south-west",
}  # fmt: skip
LOCATIVES = {"in", "at", "near", "outside", "from", "across", "into", "around", "inside"}
# Words after a name that say it is a place: "Magami resident", "Loon mayor".
PLACE_FOLLOWERS = {"resident", "residents", "mayor", "governor", "villagers", "townspeople"}
PLACE_FOLLOWERS_ALL = PLACE_FOLLOWERS | {"area", "areas"}

# Titles before a name: "Hon Yusuf ...", "eyewitness Salim Masih" (stay out of PERSON).
TITLES = {
    "mr", "mrs", "ms", "miss", "dr", "hon", "president", "minister", "chief", "general",
    "gen", "colonel", "col", "major", "maj", "captain", "capt", "lt", "lieutenant", "sgt",
    "sergeant", "commander", "sheikh", "shaikh", "imam", "bishop", "father", "rev",
    "reverend", "prince", "king", "queen", "senator", "sen", "governor", "gov", "mayor",
    "spokesman", "spokeswoman", "spokesperson", "eyewitness", "witness", "resident",
    "officer", "inspector", "superintendent", "commissioner", "director", "secretary",
    "leader", "premier", "judge", "justice", "prof", "professor", "mullah", "maulana",
    "ayatollah", "pope", "cardinal", "brigadier", "marshal", "admiral", "chairman",
}  # fmt: skip
# Portfolio words that, before "Minister" or "Secretary", are part of a title.
PORTFOLIOS = {
    "Defense", "Defence", "Interior", "Foreign", "Health", "Finance", "Home", "Justice",
    "Information", "Education", "Security", "Prime",
}  # fmt: skip
TITLE_HEADS = {"Minister", "Secretary", "Chief", "Spokesman", "Spokesperson", "Adviser"}

# Times of day: not annotated, nor the weekday inside them ("Friday night").
TIMES_OF_DAY = {
    "morning", "afternoon", "evening", "night", "nights", "noon", "midnight", "dawn",
    "dusk", "overnight", "tonight", "midday", "daybreak", "nightfall", "sunset",
    "sunrise", "a.m.", "p.m.", "am", "pm",
}  # fmt: skip
# Words a DATE may hold; a DATE is cut before the first word after a dash that is none.
DATE_WORDS = {
    "january", "february", "march", "april", "may", "june", "july", "august",
    "september", "october", "november", "december", "jan", "feb", "mar", "apr", "jun",
    "jul", "aug", "sep", "sept", "oct", "nov", "dec", "monday", "tuesday", "wednesday",
    "thursday", "friday", "saturday", "sunday",
}  # fmt: skip
# Words a DATE may hold after a dash ("51-day", "month-long", singular forms).
DURATIONS = {"day", "week", "month", "year", "hour", "long", "old", "decade", "century"}
# Emphasis words a DATE drops at its start ("just nine days" -> "nine days").
DATE_EMPHASIS = {"just", "only", "even"}

# All-caps words opening a line that are no dateline place ("BREAKING:", "REUTERS -").
NOT_DATELINES = {
    "breaking", "update", "updated", "updates", "exclusive", "watch", "video", "photos",
    "live", "analysis", "opinion", "editorial", "correction", "urgent", "flash", "news",
    "note", "editor", "warning", "reuters", "afp", "ap", "upi", "xinhua", "ani", "pti",
    "ians", "tass", "interfax", "anadolu", "yonhap", "kyodo", "bernama", "antara", "bbc",
    "cnn", "efe", "ansa", "dpa", "irna", "sana", "wafa", "by",
}  # fmt: skip

# Demonym pairs that make one span: "Shia Muslim", "Sunni Arab".
NORP_MODIFIERS = {
    "Shia", "Shiite", "Shi'ite", "Sunni", "Sufi", "Ahmadi", "Orthodox", "Catholic",
    "Protestant", "Coptic", "Evangelical", "Maronite", "Alawite", "Druze", "Ismaili",
}  # fmt: skip

# Lowercase words that may sit inside a name ("Liberation Tigers of Tamil Eelam").
NAME_PARTICLES = {
    "of", "and", "for", "the", "al", "el", "ul", "bin", "ibn", "de", "del", "la", "le",
    "van", "von", "da", "du", "dos", "das", "y", "e", "&",
}  # fmt: skip
