"""Recipients no lexicon lists: companies by their legal name ("Hubspot, Inc.", "ProtonLabs DOOEL") and
categories of recipients named in the policy's own words ("connectivity providers", "event sponsors",
"registry operators"). They become mentions of concepts this document adds (Builder.dynamic); like any
recipient mention they make a fact only where a statement gives them the role of a recipient.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterable

from catalog.extract.builder import Builder
from catalog.extract.contacts import representative_tables
from catalog.extract.mentions import Mention, words_of
from catalog.extract.organisations import organisations
from catalog.scanning import is_word_char
from catalog.ingest.publisher import slug
from catalog.records import Kind, PolicyDocument
from catalog.vocabulary import Concept, stem

#: the head nouns of a category of recipients, singular and plural
_HEAD_NOUNS = (
    "provider", "partner", "company", "agency", "vendor", "processor", "network", "sponsor", "body", "operator",
    "holder", "label", "developer", "administrator", "researcher", "auditor", "merchant", "adviser", "advisor",
    "consultant", "lawyer", "insurer", "broker", "reseller", "contractor", "supplier", "moderator", "regulator",
    "institution", "bank", "organisation", "organization", "distributor", "agent", "counterparty", "acquirer",
    "purchaser", "successor", "issuer", "intermediary", "publisher", "advertiser", "carrier",
)
HEAD_WORDS = frozenset({*_HEAD_NOUNS, *(n[:-1] + "ies" if n.endswith("y") and n[-2] not in "aeiou" else n + "s"
                                       for n in _HEAD_NOUNS), "peers"})
_HEADS = "|".join(sorted(HEAD_WORDS, key=len, reverse=True))
#: the words that may qualify it (lower-case, no determiners: "age verification providers", "ad measurement partners")
_MODIFIER = r"(?:[a-z][a-z&-]{1,20}|third[- ]party|e-commerce)"
CATEGORY = re.compile(rf"(?<![\w-])(?P<np>(?:{_MODIFIER}\s+){{1,3}}(?:{_HEADS}))\b", re.IGNORECASE)
_SKIP_MODIFIER = re.compile(r"^(?:the|our|its|their|your|these|those|such|certain|some|any|all|other|selected|trusted|relevant|"
                            r"respective|various|and|or|of|to|with|by|for|from|in|on|as|a|an|that|which|who|are|is|third-party|"
                            r"third party|external|outside|independent|new|potential|prospective|many|several|no|not|also|"
                            r"including|like|e\.g|between|among|this|might|may|can|could|will|would|should|must|shall|include|"
                            r"includes|included|is|are|was|were|be|been|being|has|have|had|do|does|did|only|also|just|"
                            r"we|you|they|it|us|them|he|she|where|when|if|whether|so|then|there|here|than|more|most|"
                            r"other|another|every|each|both|either|neither|who|whom|whose|what|which|one|two|three|"
                            r"following|above|below|said|same|about|information|data|personal)$")


GROUP = re.compile(r"\b(?:(?:other\s+)?(?:companies|entities|members|businesses)\s+(?:in|of|within)\s+(?:the|our)\s+"
                   r"(?:[A-Z][\w.&-]*\s+){0,3}(?:group|family)(?:\s+of\s+companies)?|group\s+entities)\b")


def party_mentions(b: Builder, doc: PolicyDocument, mentions: list[Mention], own_names: list[str]) -> list[Mention]:
    """Mentions of companies and recipient categories that no lexicon recipient already covers."""
    recipients_in: dict[int, list[Mention]] = {}
    for m in mentions:
        if m.kind is Kind.RECIPIENT:
            recipients_in.setdefault(m.unit, []).append(m)
    own = {n.lower() for n in own_names}
    out: list[Mention] = []
    heads = _heads_by_unit(doc)
    representatives = representative_tables(doc)
    for ui, u in enumerate(doc.units):
        if u.table >= 0 and u.table in representatives:
            continue  # a table of Art. 27 and local representatives names no recipients (contacts.py reads it)
        text = doc.text[u.start : u.end]
        # the spans already naming a recipient in this unit (mentions never cross a unit)
        taken = [(m.start, m.end) for m in recipients_in.get(ui, ())]
        mine: list[Mention] = []
        for g in GROUP.finditer(text) if "group" in text or "family" in text else ():  # every match holds one
            # "other companies in the BHI group": the controller's group companies
            a, z = u.start + g.start(), u.start + g.end()
            if not _overlaps([(x.start, x.end) for x in mine], a, z):
                mine = [x for x in mine if not (a <= x.start and x.end <= z)]
                taken = [t for t in taken if not (a <= t[0] and t[1] <= z)]
                mine.append(Mention(Kind.RECIPIENT, "group-companies", ui, a, z))
                taken.append((a, z))
        out.extend(mine)
        for name, a, z in organisations(text):
            a, z = u.start + a, u.start + z
            if _overlaps(taken, a, z) or name.lower() in own:
                continue
            ident = f"org-{slug(name)}"
            b.dynamic.setdefault((Kind.RECIPIENT, ident), Concept(Kind.RECIPIENT, ident, name, "", {"type": "named", "legal_name": name}))
            out.append(Mention(Kind.RECIPIENT, ident, ui, a, z))
            taken.append((a, z))
        for cm in categories(text, heads.get(ui, ())):
            words = cm["np"].split()
            # the content words that end in the head ("data from the merchant" names no kind of recipient)
            k = len(words) - 1
            while k > 0 and not _SKIP_MODIFIER.match(words[k - 1].lower()):
                k -= 1
            words = words[k:]
            if len(words) < 2:
                continue  # a bare "partners": the lexicon's, or too vague to name
            phrase = " ".join(words)
            if re.search(r"[a-z][A-Z]", phrase):
                continue  # "minorsYour rightsOur company": link texts run together, no name
            z = u.start + cm.end("np")
            a = z - len(phrase)
            if _overlaps(taken, a, z):
                continue
            ident = f"category-{slug(phrase)}"
            label = phrase[0].upper() + phrase[1:]
            b.dynamic.setdefault((Kind.RECIPIENT, ident), Concept(Kind.RECIPIENT, ident, label, "", {"type": "category"}))
            out.append(Mention(Kind.RECIPIENT, ident, ui, a, z))
            taken.append((a, z))
        if _last_word_char(text) in ("s", "S") and (lab := _LABEL.match(text)) and lab["np"].lower().endswith("s") \
                and not _overlaps(taken, u.start, u.end):
            # a cell or heading that is just a kind of recipient: "Moderators", "Auditors"
            phrase = lab["np"]
            a = u.start + text.index(phrase)
            ident = f"category-{slug(phrase)}"
            b.dynamic.setdefault((Kind.RECIPIENT, ident), Concept(Kind.RECIPIENT, ident, phrase, "", {"type": "category"}))
            out.append(Mention(Kind.RECIPIENT, ident, ui, a, a + len(phrase)))
        for name, a, z in brand_names(text, recipients_in.get(ui, []), ui, u.start):
            if _overlaps(taken, a, z) or name.lower() in own:
                continue
            ident = f"brand-{slug(name)}"
            b.dynamic.setdefault((Kind.RECIPIENT, ident), Concept(Kind.RECIPIENT, ident, name, "", {"type": "named"}))
            out.append(Mention(Kind.RECIPIENT, ident, ui, a, z))
            taken.append((a, z))
    return out


#: a cell or heading that is only a kind of recipient, in the plural ("Moderators"; "Provider" is a column title)
_HEAD_STEMS = frozenset(stem(w) for w in HEAD_WORDS)
#: the one to three qualifying words right before a head noun (CATEGORY's, searched back from the head)
_MODIFIERS_BEFORE = re.compile(rf"(?<![\w-])(?:{_MODIFIER}\s+){{1,3}}\Z", re.IGNORECASE)
#: how far back from a head noun its qualifying words may start
_REACH = 120


def _heads_by_unit(doc: PolicyDocument) -> dict[int, list[int]]:
    """unit -> where in it (offsets relative to the unit) a head noun stands, from the document's words."""
    stems, starts, ends = words_of(doc.text)
    unit_starts = [u.start for u in doc.units]
    out: dict[int, list[int]] = {}
    for i in itertools.compress(itertools.count(), map(_HEAD_STEMS.__contains__, stems)):  # a C-level scan of the words
        a, z = starts[i], ends[i]
        if doc.text[a:z].lower() not in HEAD_WORDS:
            continue  # "peer" stems as "peers" does
        ui = bisect.bisect_right(unit_starts, a) - 1
        if ui >= 0 and z <= doc.units[ui].end:
            out.setdefault(ui, []).append(a - doc.units[ui].start)
    return out


def categories(text: str, heads: Iterable[int]) -> list[re.Match[str]]:
    """CATEGORY's matches in text, as `CATEGORY.finditer` finds them, read back from each head noun
    (`heads`: where they start): the pattern tried at every position of every sentence cost more than
    the rest of the extraction."""
    out: list[re.Match[str]] = []
    pos = 0
    for h in heads:
        if h < pos:
            continue
        before = _MODIFIERS_BEFORE.search(text, max(pos, h - _REACH), h)
        if before and (m := CATEGORY.match(text, before.start())):
            out.append(m)
            pos = m.end()
    return out


def _last_word_char(text: str) -> str:
    """The text's last character that the regex \\w matches ('' if none): a _LABEL match ends on it."""
    for ch in reversed(text):
        if is_word_char(ch):
            return ch
    return ""


_LABEL = re.compile(rf"^\W*(?P<np>(?:{_MODIFIER}\s+){{0,2}}(?:{_HEADS}))\W*$", re.IGNORECASE)
#: a name in apposition to a kind of recipient: "our third party partner called Veriff", "processors like Stripe
#: and PayPal", "Service Providers: Twilio, OpenAI"
_APPOSITION = re.compile(r"^\s*(?:,\s*)?(?:(?:called|named|known\s+as|such\s+as|like|including|e\.g\.,?|for\s+example,?|namely|viz\.?)\s+|[:,]\s*|\(\s*)"
                         r"(?P<names>(?-i:[A-Z][\w.&’'-]+)(?:\s+(?-i:[A-Z][\w.&’'-]+)){0,2}"
                         r"(?:\s*(?:,|and|or|&)\s*(?-i:[A-Z][\w.&’'-]+)(?:\s+(?-i:[A-Z][\w.&’'-]+)){0,2})*)", re.IGNORECASE)
_NOT_BRAND = re.compile(r"^(?:The|Our|We|You|Your|They|This|These|Those|It|Its|App|Apps|Application|Services?|Platform|Site|Website|Data|"
                        r"Information|Personal|Privacy|Policy|Terms|Section|EU|EEA|GDPR|UK|US|USA|CCPA|Inc|Ltd|LLC|For|And|Or|If|When|"
                        r"Where|With|In|On|At|To|By|Such|Other|Some|All|Any|Each|See|Please|Note|Learn|More|Here|Below|Above|"
                        r"Google\s+Play|App\s+Store|Customer|Customers|Members?|Users?)$")


def brand_names(text: str, mentions: list[Mention], ui: int, offset: int) -> list[tuple[str, int, int]]:
    """Names a text puts in apposition to a recipient it names ("partner called Veriff")."""
    out = []
    for m in mentions:
        if m.unit != ui or m.kind is not Kind.RECIPIENT:
            continue
        tail = text[m.end - offset :]
        app = _APPOSITION.match(tail)
        if not app:
            continue
        base = m.end - offset + app.start("names")
        for part in re.finditer(r"(?-i:[A-Z][\w.&’'-]+)(?:\s+(?-i:[A-Z][\w.&’'-]+)){0,2}", app["names"]):
            name = part[0].rstrip(".,")
            if _NOT_BRAND.match(name) or len(name) < 3:
                continue
            out.append((name, offset + base + part.start(), offset + base + part.start() + len(name)))
    return out


def _overlaps(spans: list[tuple[int, int]], a: int, z: int) -> bool:
    return any(s < z and a < e for s, e in spans)
