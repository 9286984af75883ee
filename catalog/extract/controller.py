"""The controller: the legal entity (or entities) a policy names as responsible for the data.

Candidates are legal names (organisations.py) that a cue ties to the controller's role: "X is the
(data) controller", "the controller ... is X", "controlled by X and Y", "we, X", "X ("we")",
"the company responsible for your data is: X", "joint controllers with X", a table row whose
cell says it "is the controller", the EU row of a table of entities "where you reside". A
representative (Art. 27), a processor, or a party that is a controller "in its own right" is not
ours. Where the policy names controllers per region, the one for the EEA is the record's (with
any that act "regardless of your location"); the others are regional and left out.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from catalog.extract.builder import Builder
from catalog.extract.contacts import extract_contacts
from catalog.extract.controller_templates import template_controller
from catalog.extract.mentions import units_to_search
from catalog.extract.organisations import organisations
from catalog.extract.registration import registration
from catalog.folded import fold
from catalog.scanning import is_word_char
from catalog.ingest.publisher import slug
from catalog.records import Kind, PolicyDocument

_IS_CONTROLLER = re.compile(
    r"^[^.;]{0,160}?\b(?:is|are|acts?\s+as|will\s+be|shall\s+be|remains?|serves?\s+as|is\s+considered)\s+(?:the\s+|a\s+|an\s+|our\s+|your\s+|its\s+)?"
    r"[“\"‘']?(?:joint\s+|sole\s+|local\s+|group\s+|global\s+)?(?:data\s+)?controllers?\b"
    r"|^[^.;]{0,60}?\b(?:is|are)\s+(?:the\s+company\s+|the\s+entity\s+)?responsible\s+for\s+(?:the\s+processing\s+of\s+)?your\s+(?:personal\s+)?(?:data|information)\b"
    r"|^[^.;]{0,40}?\b(?:is|are)\s+jointly\s+responsible\b",
    re.IGNORECASE)
_CONTROLLER_IS = re.compile(
    r"(?:\b(?:data\s+)?controllers?\b[”\"’')]*[^.;]{0,120}?\b(?:is|are|will\s+be)|\b(?:company|entity)\s+responsible\s+for\s+"
    r"(?:your\s+)?(?:personal\s+)?(?:data|information)[^.;]{0,60}?\bis)\s*:?\s*(?:the\s+company\s+)?$", re.IGNORECASE)
_CONTROLLED_BY = re.compile(r"\bcontrolled\s+by\s+(?:[^.;]{0,60}\s+and\s+)?$", re.IGNORECASE)
_OPERATED_BY = re.compile(r"\b(?:operated|run|owned)\s+by\s+$", re.IGNORECASE)
_WE = re.compile(r"(?:\bwe,?|\bwe\s+are|\bthis\s+is)\s+$", re.IGNORECASE)
_CONTRACTING = re.compile(r"\byou\s+are\s+contracting\s+with\s+(?:the\s+)?$", re.IGNORECASE)
_DEFINES_WE = re.compile(r"^\s*\([^)]{0,80}?[“\"‘'](?:we|us|our|company)\b", re.IGNORECASE)
_JOINT_WITH = re.compile(r"\b(?i:joint\s+(?:data\s+)?controllers?)[”\"’']?\s+(?i:with)\s+(?P<name>[A-Z][\w.&]*(?:\s+[A-Z][\w.&]*){0,3})")
_NOT_OURS = re.compile(r"\brepresentative\b|\bprocessors?\b|\bin\s+(?:its|their)\s+own\s+right\b|\bindependent\s+(?:data\s+)?controllers?\b"
                       r"|\bseparately\s+from\b|\bon\s+(?:our|its|their)\s+behalf\b", re.IGNORECASE)
_REGION_CONDITION = fold(
    r"\b(?:(?:if\s+|and\s+)?you\s+(?:usually\s+)?(?:live|reside|are\s+(?:located|based|resident)|are)\s+(?:in|outside|from)\b[^.;:]{0,90}"
    r"|for\s+(?:users|individuals|people|residents|customers|members|everyone)\b[^.;:]{0,90}"
    r"|(?:users|individuals|customers|members)\b[^.;:]{0,50}?\b(?:based|located|resident|residing|living)\s+(?:in|outside)\b[^.;:]{0,60}"
    r"|for\s+everyone\s+else|if\s+you\s+(?:are\s+)?(?:live\s+)?outside\b[^.;:]{0,60})")
_EEA = re.compile(r"\b(?:EEA|European\s+Economic\s+Area|EU|European\s+Union)\b")
_OUTSIDE_EEA = re.compile(r"\boutside\s+(?:of\s+)?(?:the\s+)?(?:EEA|European\s+Economic\s+Area|EU|European\s+Union)\b", re.IGNORECASE)
_REST = re.compile(r"\b(?:everyone\s+else|all\s+other|other\s+(?:locations|countries|regions|jurisdictions)|elsewhere|rest\s+of\s+the\s+world)\b", re.IGNORECASE)
_GLOBAL = fold(r"\bregardless\s+of\s+(?:your|where\s+you)")
_BY_RESIDENCE = fold(r"\bcontroller\b[^.]{0,120}\b(?:entity|company)\b[^.]{0,60}\b(?:where|in\s+which)\s+you\s+(?:reside|live|are\s+located)")
_EEA_ROW = re.compile(r"^\s*(?:EU|EEA|European\s+Union|European\s+Economic\s+Area)\b")


@dataclass(frozen=True, slots=True)
class Candidate:
    name: str
    unit: int
    strength: int  # 2: named as controller; 1: operating the service, or "we" by definition
    region: str  # "eea", "other" (another region's controller), "global", "" (not said)


def extract_controller(b: Builder) -> str:
    """Add the controller fact(s) (or the publisher, inferred, when no controller is named); returns the
    node id of the one the policy's contacts and general transfers belong to."""
    doc = b.doc
    cands = candidates(doc)
    chosen = choose(cands)
    if not chosen and (found := template_controller(b)) is not None:
        _mentions_of_name(b, found)
        extract_contacts(b, found)
        return found
    if not chosen:
        quote_unit = next((i for i, u in enumerate(doc.units)
                           if doc.publisher.lower() in doc.text[u.start:u.end].lower()), 0)
        note = f"no controller is named; the policy's publisher '{doc.publisher}' is assumed to be it"
        main = b.add_fact(Kind.CONTROLLER, slug(doc.publisher), doc.publisher, "",
                          b.evidence(quote_unit, "publisher-as-controller", note), inferred=True,
                          read_as="inferred", confidence=0.3)
    else:
        main = ""
        for c in chosen:
            text = doc.text[doc.units[c.unit].start : doc.units[c.unit].end]
            attrs = {"legal_name": c.name, "region": c.region or None, "read_as": "statement",
                     "confidence": 0.9 if c.strength == 2 else 0.7}
            attrs.update(registration(text))
            nid = b.add_fact(Kind.CONTROLLER, slug(c.name), c.name, "", b.evidence(c.unit, "controller-named"), **attrs)
            main = main or nid
        for c in chosen:
            _mentions_of_name(b, f"controller:{slug(c.name)}")
        # controllers the policy names for other regions' users: not this record's, but a DPO should see them
        kept = {c.name.lower() for c in chosen}
        regional = {c.name: c for c in cands if c.region == "other" and c.name.lower() not in kept}
        if regional:
            b.set_attr(main, "regional_controllers", [
                {"name": c.name, "quote": doc.text[doc.units[c.unit].start : doc.units[c.unit].end][:300]}
                for c in regional.values()])
    extract_contacts(b, main)
    return main


def candidates(doc: PolicyDocument) -> list[Candidate]:
    """Every legal name a controller cue points at, in text order."""
    out: list[Candidate] = []
    by_residence = any(_BY_RESIDENCE.search(doc.text[doc.units[ui].start : doc.units[ui].end])
                       for ui in units_to_search(doc, _BY_RESIDENCE) if doc.units[ui].kind != "heading")
    rows_saying_controller = _controller_rows(doc)
    for ui, u in enumerate(doc.units):
        text = doc.text[u.start : u.end]
        orgs = organisations(text)
        region = _region(text) if orgs else ""
        lead = doc.text[doc.units[u.lead_in].start : doc.units[u.lead_in].end] if u.lead_in >= 0 else ""
        prev = doc.text[doc.units[ui - 1].start : doc.units[ui - 1].end] if ui > 0 else ""
        for k, (name, a, z) in enumerate(orgs):
            before, after = text[max(0, a - 200) : a], text[z : z + 220]
            nxt = orgs[k + 1] if k + 1 < len(orgs) else None
            clause = text[max(0, a - 120) : z + 120]
            strength = 0
            if (isc := _IS_CONTROLLER.match(after)) and not (nxt and nxt[1] - z < isc.end()):
                strength = 2
            elif nxt and re.match(r"^\s*(?:,|and|&)\s*$", text[z : nxt[1]]) and _IS_CONTROLLER.match(text[nxt[2] : nxt[2] + 220]):
                strength = 2  # "Badoo Trading Limited and Bumble Trading LLC are joint controllers"
            elif _CONTROLLER_IS.search(before) or _CONTROLLED_BY.search(before) or _CONTRACTING.search(before):
                strength = 2
            elif a < 3 and (_CONTROLLER_IS.search(prev) or re.search(r"\bcontroller\b[^.]*:\s*$", lead, re.IGNORECASE)):
                strength = 2  # "... the company responsible for your data is:" / "MTCH Technology Services Limited ..."
                region = region or _region(prev if _CONTROLLER_IS.search(prev) else lead)
            elif _WE.search(before) or _DEFINES_WE.match(after):
                strength = 1
            elif _OPERATED_BY.search(before) and _DEFINES_WE.match(after):
                strength = 1
            elif (u.table, u.row) in rows_saying_controller and u.col == 0 and a < 3:
                strength = 2
            elif by_residence and u.table >= 0 and u.col == 1 and a < 3 and _row_label_is_eea(doc, ui):
                strength, region = 2, "eea"
            if strength and _NOT_OURS.search(_clause_of(clause, before, after)):
                continue
            if strength:
                out.append(Candidate(name, ui, strength, region))
        for m in _JOINT_WITH.finditer(text) if "joint" in text.lower() else ():
            name = m["name"].strip()
            if not _NOT_OURS.search(text):
                out.append(Candidate(name.rstrip(".,"), ui, 2, "joint"))
    return out


def _clause_of(clause: str, before: str, after: str) -> str:
    """The words around a name that decide whether it is ours: up to the nearest sentence or clause break."""
    b = re.split(r"[.;]\s|,\s+(?:and|but|while|whereas)\s", before)[-1]
    a = re.split(r"[.;]\s|,\s+(?:and|but|while|whereas)\s", after)[0]
    return b + " " + a


def _controller_rows(doc: PolicyDocument) -> set[tuple[int, int]]:
    rows = set()
    for u in doc.units:
        if u.table >= 0 and ("controller" in (low := doc.text[u.start:u.end].lower()) or "jointly" in low) and re.search(r"\b(?:is|as)\s+the\s+(?:sole\s+|joint\s+)?controller\b|\bjointly\s+responsible\b",
                                      doc.text[u.start:u.end], re.IGNORECASE):
            rows.add((u.table, u.row))
    return rows


def _row_label_is_eea(doc: PolicyDocument, ui: int) -> bool:
    u = doc.units[ui]
    for v in doc.units[max(0, ui - 8) : ui]:
        if (v.table, v.row, v.col) == (u.table, u.row, 0):
            return bool(_EEA_ROW.match(doc.text[v.start : v.end]))
    return False


def _region(text: str) -> str:
    """Which users a sentence's controller is for: the EEA's, another region's, everyone's, or not said."""
    if _GLOBAL.search(text):
        return "global"
    m = _REGION_CONDITION.search(text)
    if not m:
        return ""
    cond = text[m.start() : m.end()]  # the words as written (the match is of the lower-cased text)
    if _EEA.search(cond) and not _OUTSIDE_EEA.search(cond):
        return "eea"
    if _REST.search(cond):
        return "rest"  # "for everyone else", "from other locations outside of mainland China, Hong Kong..."
    return "other"


def choose(cands: list[Candidate]) -> list[Candidate]:
    """The controllers of the record: the EEA's where the policy names one per region (with joint and
    global ones), else every one named as controller, else the ones operating the service."""
    rank = {"eea": 0, "global": 1, "joint": 2, "rest": 3, "": 4, "other": 5}
    seen: dict[str, Candidate] = {}
    for c in cands:
        key = c.name.lower()
        old = seen.get(key)
        if old is None or (c.strength, -rank[c.region]) > (old.strength, -rank[old.region]):
            seen[key] = c
    cs = list(seen.values())
    strong = [c for c in cs if c.strength == 2]
    pool = strong or cs
    if any(c.region == "eea" for c in pool):
        pool = [c for c in pool if c.region in ("eea", "global", "joint")]
    else:  # no EEA controller: the one for everyone else covers EEA users
        pool = [c for c in pool if c.region != "other"] or pool
    # the main one first: an EEA controller, then the one for everyone else, then any other named one, joint last
    return sorted(pool, key=lambda c: (c.region == "joint", rank[c.region] if c.region in ("eea", "rest") else 9, -c.strength, c.unit))


def _mentions_of_name(b: Builder, controller: str) -> None:
    """Every sentence that names the controller by its legal name is evidence of who it is."""
    doc = b.doc
    if controller not in b.facts:
        return
    name = b.facts[controller]["label"]
    if len(name) < 4:
        return
    starts = [u.start for u in doc.units]
    named: set[int] = set()
    for a, z in whole_word_hits(doc.text, name):  # one pass over the text, each hit placed in its unit
        ui = bisect.bisect_right(starts, a) - 1
        if ui >= 0 and z <= doc.units[ui].end:
            named.add(ui)
    for ui in sorted(named):
        b.add_fact(Kind.CONTROLLER, b.facts[controller]["ident"], name, "", b.evidence(ui, "controller-mention"))


def whole_word_hits(text: str, name: str) -> list[tuple[int, int]]:
    r"""(start, end) of each occurrence of `name` not inside a longer word: the matches, left to right,
    of `(?<!\w)name(?!\w)`, found with str.find (a pattern that opens with a look-behind is tried at
    every position of the text)."""
    out: list[tuple[int, int]] = []
    pos = text.find(name)
    while pos >= 0:
        end = pos + len(name)
        if (pos == 0 or not is_word_char(text[pos - 1])) and (end == len(text) or not is_word_char(text[end])):
            out.append((pos, end))
            pos = text.find(name, end)
        else:
            pos = text.find(name, pos + 1)
    return out
