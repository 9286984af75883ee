"""The controller's contacts: e-mail addresses (obfuscated ones too: "dpo[at]example[dot]com"), the
DPO (by e-mail, post or web form), phone numbers and postal addresses in contact sections, and the
Art. 27 representatives in the EU and the UK. A supervisory authority's address is no contact of the
controller; the "European Data Protection Office" is a representative's name, not a DPO."""

from __future__ import annotations

import re
from collections.abc import Callable

from catalog.extract.builder import Builder
from catalog.extract.mentions import match_phrases
from catalog.extract.organisations import organisations
from catalog.records import Kind, PolicyDocument
from catalog.vocabulary import eea_countries

PHONE = re.compile(r"(?<![\w/])(?:\+|\(\+)?\d[\d ().-]{7,}\d(?![\w/])")
CONTACT_SECTION = re.compile(r"\bcontact", re.IGNORECASE)
ADDRESS_LINE = re.compile(r"^(?:address|head office|registered office|postal address|mailing address)\s*:", re.IGNORECASE)
EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[a-z0-9-]+)+\b")  # lower-case domain parts: "...alibaba.com.Also" ends at .com
OBFUSCATED = re.compile(r"\b(?P<user>[\w.+-]+)\s*(?:\[at\]|\(at\)|\{at\}|\s+at\s+)\s*(?P<domain>[\w-]+(?:\s*(?:\[dot\]|\(dot\)|\{dot\}|\s+dot\s+)\s*[\w-]+)+)\b",
                        re.IGNORECASE)
AUTHORITY = re.compile(r"supervisory authority|data protection (?:commission|authority)|commissioner|complain|regulator|\b(?:DPC|ICO|CNIL|EDPB)\b", re.IGNORECASE)
DPO = re.compile(r"\b(?:data\s+protection\s+officers?|DPO|privacy\s+officer|grievance\s+officer|data\s+protection\s+office)\b", re.IGNORECASE)
#: names of bodies that contain the words but are no controller's DPO
NOT_DPO = re.compile(r"\bEuropean\s+Data\s+Protection\s+(?:Office|Board|Supervisor)\b|\(EDPO\)|\bEDPO\b", re.IGNORECASE)
DPO_CHANNEL = re.compile(r"\b(?:form|online|contact|write|post|by\s+mail|address|reach|attn|attention)\b", re.IGNORECASE)
REPRESENTATIVE = re.compile(r"\brepresentatives?\b", re.IGNORECASE)
_UK = re.compile(r"\b(?:UK|U\.K\.|United\s+Kingdom)\b")
_EU = re.compile(r"\b(?:EU|EEA|European|Article\s+27|Art\.\s*27)\b")
#: what marks a row of a representatives table as the EU's, besides naming one of its states
_EU_ROW = re.compile(r"\b(?:EU|EEA|European\s+(?:Union|Economic\s+Area)|Article\s+27|Art\.\s*27)\b")


def _for_the_eu(row: str) -> bool:
    """Whether a row of a representatives table is the EU's: it says so, or names an EEA state (the
    country lexicon read by the phrase matcher, as everywhere else)."""
    return _EU_ROW.search(row) is not None or any(
        ident in eea_countries() for _, ident, _, _ in match_phrases(row, (Kind.COUNTRY,)))


def _names_dpo(text: str) -> bool:
    low = text.lower()
    if "protection" not in low and "dpo" not in low and "officer" not in low:
        return False  # none of DPO's words: the common case, without running the patterns
    cleaned = NOT_DPO.sub(" ", text)
    return DPO.search(cleaned) is not None


def _emails(text: str) -> list[tuple[str, int]]:
    """(address, where it starts) of every e-mail address in a text, de-obfuscated."""
    obfuscated = "dot" in text.lower()  # an obfuscated domain always spells out its dots
    if "@" not in text and not obfuscated:
        return []
    found = [(m[0].rstrip("."), m.start()) for m in EMAIL.finditer(text)] if "@" in text else []
    for m in OBFUSCATED.finditer(text) if obfuscated else ():
        domain = re.sub(r"\s*(?:\[dot\]|\(dot\)|\{dot\}|\s+dot\s+)\s*", ".", m["domain"], flags=re.IGNORECASE)
        if "." in domain:
            found.append((f"{m['user']}@{domain}", m.start()))
    return found


def representative_tables(doc: PolicyDocument) -> set[int]:
    """The tables with a "Representative" column: lists of representatives, one a row."""
    return {u.table for u in doc.units if u.kind == "header" and REPRESENTATIVE.search(doc.text[u.start : u.end])}


def _representative_row(doc: PolicyDocument, cells: list[int], add: Callable[..., None]) -> None:
    """One row of a table of representatives: the company it names, for the EU, the UK or another
    jurisdiction (said in the row: "UK", "Korea"), with the row's e-mail addresses."""
    row = " ".join(doc.quote(doc.units[i]) for i in cells)
    names = [(i, o[0]) for i in cells for o in organisations(doc.quote(doc.units[i]))]
    if not names:
        return
    region = "uk" if _UK.search(row) and not _EU.search(row) else "eu" if _for_the_eu(row) else ""
    ui, name = names[0]
    emails = [e for i in cells for e, _ in _emails(doc.quote(doc.units[i]))]
    fields = {"name": name, **({"email": emails[0]} if emails else {})}
    if region:
        add(f"{region}_representative", ui, "contact:representative", **fields)
    else:  # a representative under another country's law (Korea's PIPA, Türkiye's KVKK ...)
        add("representative", ui, "contact:representative", jurisdiction=doc.quote(doc.units[cells[0]]), **fields)


def extract_contacts(b: Builder, controller: str) -> None:
    """Contacts with their role: dpo, privacy, phone, address, eu_representative / uk_representative."""
    doc = b.doc
    contacts: list[dict[str, str]] = []
    seen: set[tuple[str, str]] = set()
    ident, label = b.facts[controller]["ident"], b.facts[controller]["label"]
    dpo_headers = {(u.table, u.col) for u in doc.units if u.kind == "header" and _names_dpo(doc.text[u.start:u.end])}
    # a table with a "Representative" column lists representatives, one a row: the e-mail addresses,
    # phone numbers and companies in its rows are theirs, not the controller's
    rep_tables = representative_tables(doc)
    rows: dict[tuple[int, int], list[int]] = {}
    for i, u in enumerate(doc.units):
        if u.table in rep_tables and u.kind != "header":
            rows.setdefault((u.table, u.row), []).append(i)

    def add(role: str, ui: int, rule: str, **fields: str) -> None:
        b.add_fact(Kind.CONTROLLER, ident, label, "", b.evidence(ui, rule))
        key = (role, "|".join(fields.values()).lower())
        if key not in seen:
            seen.add(key)
            contacts.append({"role": role, **fields})

    for cells in rows.values():
        _representative_row(doc, cells, add)
    for ui, unit in enumerate(doc.units):
        if unit.table in rep_tables:
            continue  # read row by row above
        text = doc.text[unit.start : unit.end]
        lead = doc.quote(doc.units[unit.lead_in]) if unit.lead_in >= 0 else ""
        context = lead + " " + doc.section_title(unit.section)
        dpo_here = _names_dpo(text) or (unit.table, unit.col) in dpo_headers or (unit.lead_in >= 0 and _names_dpo(lead))
        representative = "representative" in (text + " " + lead).lower() and REPRESENTATIVE.search(text + " " + lead) is not None
        if representative and (orgs := organisations(text)):
            region = "uk" if _UK.search(text + " " + lead) and not _EU.search(text) else "eu"
            add(f"{region}_representative", ui, "contact:representative", name=orgs[0][0])
        for email, at in _emails(text):
            before = doc.quote(doc.units[ui - 1]) if ui > 0 and doc.units[ui - 1].paragraph == unit.paragraph else ""
            near = text[max(0, at - 160) : at] + " " + lead  # the words before this address say whose it is
            dpo_near = _names_dpo(near) or (unit.table, unit.col) in dpo_headers
            rep_near = REPRESENTATIVE.search(near) is not None
            if AUTHORITY.search(before + " " + text) and not dpo_near:
                continue  # the regulator's address is no contact of the controller
            role = "dpo" if dpo_near and not rep_near else "representative" if rep_near else "privacy"
            add(role, ui, f"contact:{role}", email=email)
        if dpo_here and not _emails(text) and DPO_CHANNEL.search(text + " " + context) and not representative:
            add("dpo", ui, "contact:dpo", via=text[:200])  # by post or through a web form
        title = doc.section_title(unit.section)
        in_contact = "contact" in title.lower() and CONTACT_SECTION.search(title) is not None
        if in_contact or unit.lead_in >= 0 and "contact" in lead.lower() and CONTACT_SECTION.search(lead):
            for m in PHONE.finditer(text):
                add("phone", ui, "contact:phone", phone=m[0].strip())
            if ADDRESS_LINE.match(text):
                add("address", ui, "contact:address", address=ADDRESS_LINE.sub("", text).strip())
    if contacts:
        b.set_attr(controller, "contacts", contacts)
        dpo = [c["email"] for c in contacts if c["role"] == "dpo" and "email" in c]
        if dpo:
            b.set_attr(controller, "dpo_email", dpo[0])
        emails = [c["email"] for c in contacts if "email" in c and c["role"] in ("privacy", "dpo")]
        if emails:
            b.set_attr(controller, "contact_email", next((c["email"] for c in contacts if c["role"] == "privacy" and "email" in c), emails[0]))
        reps = [c["name"] for c in contacts if c["role"].endswith("_representative") and "name" in c]
        if reps:
            b.set_attr(controller, "representative", reps[0])
