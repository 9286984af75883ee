"""What a sentence naming a legal entity says of its registration: its number and the country it is
incorporated in (pure). The controller, however it was found, carries them as attributes."""

from __future__ import annotations

import re

from catalog.extract.mentions import match_phrases
from catalog.records import Kind

REG_NO = re.compile(r"\b(?:Company\s+)?(?:Reg(?:istration)?\.?\s*(?:No|Number)\.?|registration number|company number|KvK|CRN)\s*[:.]?\s*(?P<reg>[A-Z0-9][A-Z0-9-]{4,})", re.IGNORECASE)
INCORPORATED = re.compile(r"\b(?:incorporated|registered|established|organi[sz]ed)\s+(?:in|under the laws of)\s+(?:the\s+)?(?P<place>[A-Z][\w ]{2,40}?)(?=\s+with|\s*[,.;()]|\s+under|\s+and)")


def country_code(place: str) -> str:
    """The ISO code of the country a place names ('' if it names none)."""
    found = match_phrases(place, (Kind.COUNTRY,))
    return found[0][1] if found else ""


def registration(text: str) -> dict[str, str]:
    """`registration_number` and `country` (of incorporation) as the text states them, each only if stated."""
    out: dict[str, str] = {}
    if reg := REG_NO.search(text):
        out["registration_number"] = reg["reg"]
    if (inc := INCORPORATED.search(text)) and (code := country_code(inc["place"])):
        out["country"] = code
    return out
