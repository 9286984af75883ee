"""The controller (legal name, registration number, establishment) and its contacts (DPO, privacy)."""

from __future__ import annotations

import re

from catalog.extract.builder import Builder
from catalog.ingest import slug
from catalog.records import Kind
from catalog.extract.mentions import match_phrases

_NAME = r"(?P<name>[A-Z][\w.&'’,-]*(?:\s+(?:[A-Z0-9][\w.&'’-]*|de|du|of|and|&|und|la|y|-)){0,9})"
CONTROLLER_PATTERNS = (
    re.compile(r"\b(?:data\s+)?controllers?\s+(?:of|for|responsible for)\s+(?:your\s+)?(?:personal\s+)?(?:information|data)\s+(?:is|are|will be)\s+" + _NAME),
    re.compile(r"\b(?:your|the)\s+(?:data\s+)?controller\s+is\s+" + _NAME),
    re.compile(_NAME + r"(?:\s*\([^)]{0,120}\))?,?\s+(?:is|acts as|will be|are)\s+(?:the\s+)?(?:data\s+)?controller\b"),
    re.compile(r"\b(?:operated|provided|controlled)\s+by\s+" + _NAME + r"(?=\s*[(,.]|\s+\(|\s+with)"),
)
REG_NO = re.compile(r"\b(?:Company\s+)?(?:Reg(?:istration)?\.?\s*(?:No|Number)\.?|registration number|company number|KvK|CRN)\s*[:.]?\s*(?P<reg>[A-Z0-9][A-Z0-9-]{4,})", re.IGNORECASE)
INCORPORATED = re.compile(r"\b(?:incorporated|registered|established|organi[sz]ed)\s+(?:in|under the laws of)\s+(?:the\s+)?(?P<place>[A-Z][\w ]{2,40}?)(?=\s+with|\s*[,.;()]|\s+under|\s+and)")
EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
DPO = re.compile(r"\b(data protection officer|DPO|privacy officer|grievance officer)\b", re.IGNORECASE)
_STOP_WORDS = {"we", "us", "our", "the", "this", "you", "it"}


def _country_code(place: str) -> str:
    found = match_phrases(place, (Kind.COUNTRY,))
    return found[0][1] if found else ""


def _clean_name(name: str) -> str:
    name = re.sub(r"[\s,.-]+$", "", name.strip())
    return re.sub(r"\s+(?:with|which|located|registered|incorporated|and its affiliates)\b.*$", "", name)


def extract_controller(b: Builder) -> str:
    """Add the controller fact (or the publisher, inferred, when no controller is named); returns its node id."""
    doc = b.doc
    found: str | None = None
    for ui, unit in enumerate(doc.units):
        text = doc.text[unit.start : unit.end]
        if "controller" not in text.lower() and "operated by" not in text.lower():
            continue
        for pat in CONTROLLER_PATTERNS:
            m = pat.search(text)
            if not m:
                continue
            name = _clean_name(m["name"])
            if len(name) < 3 or name.lower() in _STOP_WORDS or name.split()[0].lower() in _STOP_WORDS:
                continue
            reg = REG_NO.search(text)
            inc = INCORPORATED.search(text)
            attrs = {"legal_name": name}
            if reg:
                attrs["registration_number"] = reg["reg"]
            if inc and (code := _country_code(inc["place"])):
                attrs["country"] = code
            found = b.add_fact(Kind.CONTROLLER, slug(name), name, "", b.evidence(ui, "controller-named"), **attrs)
            break
    if found is None:
        quote_unit = next((i for i, u in enumerate(doc.units)
                           if doc.publisher.lower() in doc.text[u.start:u.end].lower()), 0)
        note = f"no controller is named; the policy's publisher '{doc.publisher}' is assumed to be it"
        found = b.add_fact(Kind.CONTROLLER, slug(doc.publisher), doc.publisher, "",
                           b.evidence(quote_unit, "publisher-as-controller", note), inferred=True)
    _contacts(b, found)
    return found


def _contacts(b: Builder, controller: str) -> None:
    """Emails the policy gives, with their role: DPO when the sentence names one, else privacy contact."""
    doc = b.doc
    contacts: list[dict[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for ui, unit in enumerate(doc.units):
        text = doc.text[unit.start : unit.end]
        for m in EMAIL.finditer(text):
            email = m[0].rstrip(".")
            role = "dpo" if DPO.search(text) else "privacy"
            if (email.lower(), role) in seen:
                continue
            seen.add((email.lower(), role))
            contacts.append({"role": role, "email": email})
            b.add_fact(Kind.CONTROLLER, b.facts[controller]["ident"], b.facts[controller]["label"], "",
                       b.evidence(ui, f"contact:{role}"))
    if contacts:
        b.set_attr(controller, "contacts", contacts)
        dpo = [c["email"] for c in contacts if c["role"] == "dpo"]
        if dpo:
            b.set_attr(controller, "dpo_email", dpo[0])
        b.set_attr(controller, "contact_email", next((c["email"] for c in contacts if c["role"] == "privacy"), contacts[0]["email"]))
