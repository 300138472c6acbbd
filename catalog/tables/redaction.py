"""Spotting private individuals' names where personal data should have been redacted.

The Transparency Code asks councils to publish who they paid, but not to name private
individuals (people receiving care, foster carers, people paid compensation). A schema marks
such a column with `"redaction": "<the text to write instead>"`; every cell that reads like a
person's name, such as "Mr J Smith" or "Mrs Ann Jones", is then an error in the check, so the
file cannot be published until it is redacted or the publisher records why it may be.

Businesses are often named after people ("J Smith & Sons Ltd", "Dr Foster Associates"), so a
cell with a word that only organisations use is never flagged.
"""

from __future__ import annotations

import re

TITLES = (
    "mr", "mrs", "ms", "miss", "mx", "master", "dr", "doctor", "prof", "professor",
    "rev", "revd", "reverend", "sir", "dame", "lady", "lord", "cllr", "councillor",
)  # fmt: skip
ORGANISATION_WORDS = re.compile(
    r"\b(?:ltd|limited|plc|llp|llc|inc|co|company|companies|corporation|group|holdings"
    r"|partnership|partners|associates|services?|solutions|trust|trustees|charity|foundation"
    r"|society|association|council|authority|school|college|university|academy|nhs|hospital"
    r"|surgery|practice|centre|center|club|church|parish|federation|union|cic|cio|bank"
    r"|insurance|agency|consultancy|consulting|contractors|construction|builders|motors"
    r"|garage|taxis?|travel|hotel|care|homes?|nursing|propert(?:y|ies)|estates?|lettings"
    r"|supplies|systems|technologies|media|studios?|design|network|fund|uk|international"
    r"|and|street|road|lane|walk|way|avenue|place|square|park|gate)\b|&",
    re.IGNORECASE,
)
NAME = r"[A-Z][A-Za-z'\u2019-]+"
INITIALS = r"(?:[A-Z](?:\.\s*|\s+)){1,3}"
TITLED = re.compile(
    rf"(?:{'|'.join(TITLES)})\.?\s+(?:{INITIALS}|{NAME}\s+){{0,3}}{NAME}",
    re.IGNORECASE,
)
INITIAL_AND_SURNAME = re.compile(rf"{INITIALS}{NAME}")
SURNAME_COMMA_FIRST = re.compile(rf"{NAME},\s*(?:(?:[A-Z]\.?\s*){{1,3}}|{NAME})")
# Any of the three on a line of its own: one search finds whether a column needs a closer look.
ANY_LINE = re.compile(
    rf"^[ \t]*(?:(?i:{TITLED.pattern})|{INITIAL_AND_SURNAME.pattern}"
    rf"|{SURNAME_COMMA_FIRST.pattern})[ \t]*$",
    re.MULTILINE,
)


def looks_like_a_person(cell: str) -> bool:
    """Whether a cell reads as a private individual's name rather than an organisation's."""
    text = " ".join(cell.split())
    if not text or len(text) > 60:
        return False
    if ORGANISATION_WORDS.search(text):
        return False
    if TITLED.fullmatch(text):
        return True
    return bool(INITIAL_AND_SURNAME.fullmatch(text) or SURNAME_COMMA_FIRST.fullmatch(text))


def people_in(cells: list[str | None]) -> list[int]:
    """The indexes of the cells that look like a person's name, searching the column once."""
    if ANY_LINE.search("\n".join(cell or "" for cell in cells)) is None:
        return []
    return [index for index, cell in enumerate(cells) if cell and looks_like_a_person(cell)]


def redaction_columns(fields: list[dict]) -> dict[int, str]:
    """Position -> the text to write instead, for each field the schema says to redact."""
    return {
        position: str(descriptor["redaction"])
        for position, descriptor in enumerate(fields)
        if descriptor.get("redaction")
    }
