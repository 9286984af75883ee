"""Retention: the periods and rules a policy states, as mentions that statements link to their data.

A lexicon names the usual criteria ("as long as necessary", "as required by law"); a concrete
period ("for 90 days", "12 months maximum") or a rule in the policy's own words ("until it is
changed or the account is deleted", "for the duration the user can challenge the transaction")
becomes a retention fact of its own, so each data category is linked to the rule stated for it.
"""

from __future__ import annotations

import re

from catalog.extract.builder import Builder
from catalog.extract.mentions import Mention, units_to_search
from catalog.extract.statements import Role, Statement
from catalog.folded import fold
from catalog.records import Kind, PolicyDocument, node_id
from catalog.vocabulary import Concept, lexicon

_NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve".split())}
_NUMBER_WORDS.update({"eighteen": 18, "twenty-four": 24, "thirty": 30, "sixty": 60, "ninety": 90})
PERIOD = re.compile(
    r"\b(?:for|within|up\s+to|after|of|maximum\s+of|period\s+of|no\s+longer\s+than|at\s+least|at\s+most|than)\s+"
    r"(?:a\s+(?:period|maximum|minimum)\s+of\s+)?(?:(?:about|approximately|around|up\s+to)\s+)?"
    r"(?P<n>\d{1,4}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|eighteen|twenty-four|thirty|sixty|ninety)"
    r"\s*(?:\(\d+\)\s*)?(?P<unit>hour|day|week|month|year)s?\b",
    re.IGNORECASE,
)
#: "12 months maximum", "90 days from ..." (a number before its unit, with no preposition)
PERIOD_BARE = re.compile(
    r"\b(?P<n>\d{1,4}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|eighteen|thirty|sixty|ninety)"
    r"\s+(?P<unit>hour|day|week|month|year)s?\s+(?:maximum|max|from|after|following|since|of\s+inactivity)\b",
    re.IGNORECASE,
)
#: a period names one of these: a unit without any is not read by PERIOD or PERIOD_BARE
_UNITS = ("hour", "day", "week", "month", "year")
_KEEP = (r"(?:kept|keep|keeps|stor(?:e|es|ed)|retain(?:s|ed)?|delet(?:e|es|ed)|eras(?:e|es|ed)|held|hold|holds|sav(?:e|es|ed)|"
         r"anonymi[sz](?:e|es|ed)|remov(?:e|es|ed)|destroy(?:s|ed)?|purg(?:e|es|ed))")
#: a retention rule in the policy's own words, read where a statement says data is kept or deleted
RULE = fold(
    r"\b(?:until\s+(?:it|they|you|your|the|we|such|this|that)\b[^.;:]{4,90}"
    r"|for\s+(?:the\s+)?(?:duration|life|lifetime|length|entirety)\s+of\b[^.;:]{3,70}"
    r"|(?:as|so)\s+long\s+as\b[^.;:]{4,90}"
    r"|(?:a|the)\s+(?:short|limited|reasonable|brief)\s+(?:period|amount)\s+of\s+time\b[^.;:]{0,40}"
    rf"|\b{_KEEP}\s+(?:\w+\s+)?(?:immediately|temporarily|permanently|indefinitely)\b(?:\s+(?:after|once|when|upon)\b[^.;:]{{3,60}})?"
    rf"|\b(?:immediately|temporarily|permanently)\s+{_KEEP}\b(?:\s+(?:after|once|when|upon)\b[^.;:]{{3,60}})?"
    r"|(?:from|after)\s+the\s+date\s+(?:you|of|on\s+which)\b[^.;:]{3,70}"
    r"|(?:beyond|longer\s+than)\s+(?:what\s+is|is)?\s*(?:strictly\s+)?necessary\b[^.;:]{0,60})")


#: deleting what should not have been collected ("if we discover that a child under 13 has provided us
#: with personal information, we immediately delete it") is a remedy, not a retention rule
REMEDIAL = fold(r"\b(?:discover|become\s+aware|learn|find\s+out|notice|are\s+notified)\w*\b[^.]{0,120}\b(?:child|children|minor|under\s+(?:the\s+age\s+of\s+)?1[36])\b"
                r"|\b(?:child|children|minor)\b[^.]{0,120}\b(?:discover|become\s+aware|learn|find\s+out)\w*\b")


def _gate(doc: PolicyDocument, ui: int, sentences: set[int], sections: dict[int, bool]) -> bool:
    """Whether the unit reads as about retention: its sentence (`sentences`: the units whose text the
    lexicon's sentence context finds), or its section's title (`sections`: section index -> that
    title's reading, filled as the units are read)."""
    lex = lexicon(Kind.RETENTION)
    u = doc.units[ui]
    if ui in sentences:
        return True
    if lex.context_section is None or u.section < 0:
        return False
    titled = sections.get(u.section)
    if titled is None:
        titled = sections[u.section] = lex.context_section.search(doc.section_title(u.section)) is not None
    return titled


def _sentences(doc: PolicyDocument) -> set[int]:
    """The units whose text the retention lexicon's sentence context finds (looked for only in those
    holding one of its literals)."""
    pat = lexicon(Kind.RETENTION).context_sentence
    if pat is None:
        return set()
    return {ui for ui in units_to_search(doc, pat) if pat.search(doc.text[doc.units[ui].start : doc.units[ui].end])}


def retention_mentions(b: Builder, doc: PolicyDocument, mentions: list[Mention]) -> list[Mention]:
    """Periods and rules stated in retention sentences, as mentions of concepts this document adds."""
    covered = [(m.start, m.end) for m in mentions if m.kind is Kind.RETENTION]
    out: list[Mention] = []
    sections: dict[int, bool] = {}
    sentences = _sentences(doc)
    for ui, u in enumerate(doc.units):
        if u.kind == "heading" or not _gate(doc, ui, sentences, sections):
            continue
        text = doc.text[u.start : u.end]
        low = text.lower()
        periods = [*PERIOD.finditer(text), *PERIOD_BARE.finditer(text)] if any(w in low for w in _UNITS) else ()
        for m in periods:
            n = m["n"].lower()
            count = int(n) if n.isdigit() else _NUMBER_WORDS.get(n)
            if count is None:
                continue
            unit_name = m["unit"].lower()
            label = f"{count} {unit_name}{'s' if count != 1 else ''}"
            ident = f"period-{count}-{unit_name}"
            b.dynamic.setdefault((Kind.RETENTION, ident), Concept(Kind.RETENTION, ident, label, "period", {"period": label}))
            out.append(Mention(Kind.RETENTION, ident, ui, u.start + m.start("n"), u.start + m.end()))
        remedial = REMEDIAL.search_low(text, low) is not None
        for m in RULE.finditer(text) if not remedial else ():  # (a match of the lower-cased text: its words are read from text)
            a, z = u.start + m.start(), u.start + m.end()
            if any(s < z and a < e for s, e in covered) or any(s < z and a < e for s, e in ((x.start, x.end) for x in out if x.unit == ui)):
                continue
            phrase = re.sub(r"\s+", " ", text[m.start() : m.end()]).strip(" ,")
            ident = "rule-" + re.sub(r"[^a-z0-9]+", "-", phrase.lower()).strip("-")[:60]
            label = phrase[0].upper() + phrase[1:]
            b.dynamic.setdefault((Kind.RETENTION, ident), Concept(Kind.RETENTION, ident, label, "criterion", {"rule": phrase}))
            out.append(Mention(Kind.RETENTION, ident, ui, a, z))
    return out


def general_retention(b: Builder, doc: PolicyDocument, statements: list[Statement]) -> None:
    """A retention rule stated for 'your personal information' as a whole applies to all categories."""
    for st in statements:
        if not st.affirmed or st.names(Role.DATA):
            continue
        text = doc.text[st.start : st.end].lower()
        if not any(w in text for w in ("personal information", "personal data", "your information", "your data")):
            continue
        for m in st.having(Role.RETENTION):
            nid = node_id(Kind.RETENTION, m.concept)
            if b.has(nid):
                b.set_attr(nid, "scope", "all personal data")
