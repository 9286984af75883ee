"""The controller (legal name, registration number, establishment) and its contacts (DPO, privacy)."""

from __future__ import annotations

import re

from catalog.extract.builder import Builder
from catalog.ingest import slug
from catalog.records import Kind
from catalog.extract.mentions import match_phrases

_NAME = r"(?P<name>[A-Z][\w.&'’,-]*(?:\s+(?:[A-Z0-9][\w.&'’,-]*|de|du|of|for|and|&|und|la|y|-)){0,9})"
_Q = r"[“\"'‘]?"
CONTROLLER_PATTERNS = (
    re.compile(r"\b[Ww]e are\s+" + _NAME + r"\s*\((?i:[^)]{0,40}?[“\"'‘](?:we|us)\b)"),
    re.compile(r"\b(?:data\s+)?controllers?\s+(?:of|for|responsible for)\s+(?:your\s+)?(?:personal\s+)?(?:information|data)\s+(?:is|are|will be)\s+" + _NAME),
    re.compile(r"\b(?:your|the)\s+(?:data\s+)?controller\s+is\s+" + _NAME),
    re.compile(_NAME + r"(?:\s*\([^)]{0,120}\))?(?:,\s*(?:located|domiciled|established|registered|with (?:its )?registered office)\b[^;()]{0,160}?,)?,?\s+(?:is|acts as|will be|are)\s+(?:the\s+)?" + _Q + r"(?:data\s+)?controller\b"),
    re.compile(r"\b(?:operated|provided|controlled)\s+by\s+" + _NAME + r"(?=\s*[(,.]|\s+\(|\s+with)"),
    re.compile(r"\b(?:data\s+)?controllers?\b[^.]{0,80}?\bare\s+" + _NAME),
    re.compile(r"^" + _NAME + r"\s*\|.*?\b(?:is|acts as)\s+(?:the|a)\s+" + _Q + r"(?:data\s+)?controller\b"),  # a table row
    re.compile(r"\byou are contracting with\s+(?:the\s+)?" + _NAME),
)
_WE = r"[“\"'‘](?:we|us|our)[”\"'’]"
#: Weaker cues, read only when no sentence names the controller outright, first match wins: the
#: defined-terms templates many app policies are generated from.
DEFINED_PATTERNS = (
    re.compile(r"\bCompany\b[^.]{0,160}?\brefers to\s+(?:the\s+)?" + _NAME),
    re.compile(r"(?i:[“\"'‘]?we\s*/\s*us\s*/\s*our[”\"'’]?|" + _WE + r")\s+(?:means|refers to)\s+" + _NAME),
    re.compile(_NAME + r"\s*\((?i:[^)]{0,60}?(?:\b(?:we|us|company|developer|owner)\b))"),
    re.compile(r"^" + _NAME + r"\s+built the\b"),
    re.compile(r"\b(?:We|we) at\s+" + _NAME),
    re.compile(r"\b(?:SERVICE|Service|App|app|Application|application) is (?:provided|operated|owned|developed) by\s+" + _NAME),
    re.compile(r"^" + _NAME + r"[^(]{0,80}\((?i:[“\"'‘]we\b)"),
)
_DEFINED_TRIGGER = re.compile(r"refers to|\bmeans\b|built the|\bwe at\b|\bis (?:provided|operated|owned|developed) by\b|[“\"'‘](?:we|us)\b", re.IGNORECASE)
_TRIGGER = re.compile(r"controller|operated by|contracting with|\\bwe are\\b", re.IGNORECASE)
PHONE = re.compile(r"(?<![\w/])(?:\+|\(\+)?\d[\d ().-]{7,}\d(?![\w/])")
CONTACT_SECTION = re.compile(r"\bcontact", re.IGNORECASE)
ADDRESS_LINE = re.compile(r"^(?:address|head office|registered office|postal address|mailing address)\s*:", re.IGNORECASE)
REG_NO = re.compile(r"\b(?:Company\s+)?(?:Reg(?:istration)?\.?\s*(?:No|Number)\.?|registration number|company number|KvK|CRN)\s*[:.]?\s*(?P<reg>[A-Z0-9][A-Z0-9-]{4,})", re.IGNORECASE)
INCORPORATED = re.compile(r"\b(?:incorporated|registered|established|organi[sz]ed)\s+(?:in|under the laws of)\s+(?:the\s+)?(?P<place>[A-Z][\w ]{2,40}?)(?=\s+with|\s*[,.;()]|\s+under|\s+and)")
EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[a-z0-9-]+)+\b")  # lower-case domain parts: "...alibaba.com.Also" ends at .com
AUTHORITY = re.compile(r"supervisory authority|data protection (?:commission|authority)|commissioner|complain|regulator|\b(?:DPC|ICO|CNIL|EDPB)\b", re.IGNORECASE)
DPO = re.compile(r"\b(data protection officer|DPO|privacy officer|grievance officer)\b", re.IGNORECASE)
_STOP_WORDS = {"we", "us", "our", "the", "this", "you", "it", "who", "what", "which", "where", "how", "when", "why", "if", "company", "controller"}


def _country_code(place: str) -> str:
    found = match_phrases(place, (Kind.COUNTRY,))
    return found[0][1] if found else ""


_ABBREVIATED = re.compile(r"(?:\b(?:[A-Za-z]\.){2,}|\b(?:Inc|Ltd|Co|Corp|Bros|Pte|Pty|Ltda|Cie)\.)$", re.IGNORECASE)
#: what may follow a comma inside a legal name ("Plexum, LLC", "Tanaka Denki Co., Ltd."); anything else
#: after a comma is an address or a list ("Northstar Technologies Inc, 3650 Mansell Rd")
_LEGAL_FORM = re.compile(r"^(?:Inc|LLC|L\.L\.C|Ltd|Limited|Co|Corp|GmbH|AG|S\.?A|S\.?R\.?L|B\.?V|N\.?V|Pte|Pty|PLC|LLP|Sarl|S\.?A\.?S|S\.?p\.?A|Oy|AB|ApS|A/S|KG)\b\.?", re.IGNORECASE)


def _clean_name(name: str) -> str:
    """A captured run of capitalised words, trimmed to the legal name: no sentence before it, no
    trailing connector or punctuation (but 'B.V.', 'Inc.', 'Co., Ltd.' keep their dots)."""
    name = re.split(r"(?:(?<=[a-z0-9]{2}\.)|(?<=\s\d\.))\s+(?=[A-Z])", name.strip())[-1]
    head, *rest = name.split(", ")
    for part in rest:
        if not _LEGAL_FORM.match(part):
            break
        head += ", " + part
    name = head
    name = re.sub(r"(?:\s+(?:and|of|for|de|du|la|y|und|&|-))+$", "", name)
    name = re.sub(r"[\s,-]+$", "", name)
    if name.endswith(".") and not _ABBREVIATED.search(name):
        name = name.rstrip(".")
    return re.sub(r"\s+(?:with|which|located|registered|incorporated|and its affiliates)\b.*$", "", name)


def extract_controller(b: Builder) -> str:
    """Add the controller fact (or the publisher, inferred, when no controller is named); returns its node id."""
    doc = b.doc
    found = _named_controller(b, CONTROLLER_PATTERNS, first_only=False)
    if found is None:
        found = _named_controller(b, DEFINED_PATTERNS, first_only=True)
    if found is None:
        quote_unit = next((i for i, u in enumerate(doc.units)
                           if doc.publisher.lower() in doc.text[u.start:u.end].lower()), 0)
        note = f"no controller is named; the policy's publisher '{doc.publisher}' is assumed to be it"
        found = b.add_fact(Kind.CONTROLLER, slug(doc.publisher), doc.publisher, "",
                           b.evidence(quote_unit, "publisher-as-controller", note), inferred=True)
    else:
        _mentions_of_name(b, found)
    _contacts(b, found)
    return found


def _named_controller(b: Builder, pats: tuple[re.Pattern[str], ...], first_only: bool) -> str | None:
    """The controller(s) these patterns name: every naming sentence (strong patterns), or the first
    match of the highest-priority defined-term pattern (weak ones)."""
    doc = b.doc
    candidates: dict[str, tuple[int, bool, int, int]] = {}
    trigger = _TRIGGER if pats is CONTROLLER_PATTERNS else _DEFINED_TRIGGER
    units = [ui for ui, u in enumerate(doc.units) if trigger.search(doc.text, u.start, u.end)]
    order = [(p, ui) for p in pats for ui in units] if first_only else [(p, ui) for ui in units for p in pats]
    done: set[int] = set()
    for pat, ui in order:
        unit = doc.units[ui]
        text = doc.text[unit.start : unit.end]
        if ui in done:
            continue
        m = pat.search(text)
        if not m:
            continue
        name = _clean_name(m["name"])
        if len(name) < 3 or name.lower() in _STOP_WORDS or name.split()[0].lower() in _STOP_WORDS:
            continue
        attrs = {"legal_name": name}
        if reg := REG_NO.search(text):
            attrs["registration_number"] = reg["reg"]
        if (inc := INCORPORATED.search(text)) and (code := _country_code(inc["place"])):
            attrs["country"] = code
        rule = "controller-named" if pats is CONTROLLER_PATTERNS else "controller-defined-term"
        nid = b.add_fact(Kind.CONTROLLER, slug(name), name, "", b.evidence(ui, rule), **attrs)
        if first_only:
            return nid
        defines_we = re.search(r"[“\"'‘](?:we|us|company)[”\"'’]", text[m.end():m.end() + 60], re.IGNORECASE) is not None
        if nid not in candidates:  # counting the name scans the whole text: once per name, not per sentence
            candidates[nid] = (pats.index(pat), not defines_we, -doc.text.count(name), ui)
        done.add(ui)
    # the one the contacts and the general transfers belong to: named by the strongest pattern,
    # then the one defined as "we", then the most often named, then the first
    return min(candidates, key=candidates.__getitem__) if candidates else None


def _mentions_of_name(b: Builder, controller: str) -> None:
    """Every sentence that names the controller by its legal name is evidence of who it is."""
    doc = b.doc
    name = b.facts[controller]["label"]
    if len(name) < 4:
        return
    pat = re.compile(r"(?<!\w)" + re.escape(name) + r"(?!\w)")
    for ui, unit in enumerate(doc.units):
        if pat.search(doc.text, unit.start, unit.end):
            b.add_fact(Kind.CONTROLLER, b.facts[controller]["ident"], name, "", b.evidence(ui, "controller-mention"))


def _contacts(b: Builder, controller: str) -> None:
    """Emails the policy gives, with their role: DPO when the sentence names one, else privacy contact."""
    doc = b.doc
    contacts: list[dict[str, str]] = []
    seen: set[tuple[str, str]] = set()
    ident, label = b.facts[controller]["ident"], b.facts[controller]["label"]
    for ui, unit in enumerate(doc.units):
        text = doc.text[unit.start : unit.end]
        for m in EMAIL.finditer(text):
            email = m[0].rstrip(".")
            before = doc.quote(doc.units[ui - 1]) if ui > 0 and doc.units[ui - 1].paragraph == unit.paragraph else ""
            role = "dpo" if DPO.search(text) else "authority" if AUTHORITY.search(before + " " + text) else "privacy"
            if role != "authority":  # the regulator's address is no contact of the controller
                b.add_fact(Kind.CONTROLLER, ident, label, "", b.evidence(ui, f"contact:{role}"))
            if (email.lower(), role) in seen:
                continue
            seen.add((email.lower(), role))
            contacts.append({"role": role, "email": email})
        in_contact = CONTACT_SECTION.search(doc.section_title(unit.section)) is not None
        if in_contact or unit.lead_in >= 0 and CONTACT_SECTION.search(doc.quote(doc.units[unit.lead_in])):
            for m in PHONE.finditer(text):
                phone = m[0].strip()
                b.add_fact(Kind.CONTROLLER, ident, label, "", b.evidence(ui, "contact:phone"))
                if ("phone", phone) not in seen:
                    seen.add(("phone", phone))
                    contacts.append({"role": "phone", "phone": phone})
            if ADDRESS_LINE.match(text):
                b.add_fact(Kind.CONTROLLER, ident, label, "", b.evidence(ui, "contact:address"))
                address = ADDRESS_LINE.sub("", text).strip()
                if ("address", address) not in seen:
                    seen.add(("address", address))
                    contacts.append({"role": "address", "address": address})
    if contacts:
        b.set_attr(controller, "contacts", contacts)
        dpo = [c["email"] for c in contacts if c["role"] == "dpo"]
        if dpo:
            b.set_attr(controller, "dpo_email", dpo[0])
        emails = [c["email"] for c in contacts if "email" in c and c["role"] != "authority"]
        if emails:
            b.set_attr(controller, "contact_email", next((c["email"] for c in contacts if c["role"] == "privacy"), emails[0]))
