"""The controller named the way generated app policies name it, when no legal entity is tied to the
controller's role: "X built the Y app", "This SERVICE is provided by X", "Company ... refers to X",
"We are X ("we")". A fallback: these cues name a brand or a developer, seldom a legal entity.
"""

from __future__ import annotations

import re

from catalog.extract.builder import Builder
from catalog.extract.mentions import units_to_search
from catalog.extract.registration import registration
from catalog.folded import fold
from catalog.ingest.publisher import slug
from catalog.records import Kind

_STOP_WORDS = {"we", "us", "our", "the", "this", "you", "it", "who", "what", "which", "where", "how", "when", "why", "if", "company", "controller"}

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
_DEFINED_TRIGGER = fold(r"refers to|\bmeans\b|built the|\bwe at\b|\bis (?:provided|operated|owned|developed) by\b|[“\"'‘](?:we|us)\b")
_TRIGGER = fold(r"controller|operated by|contracting with|\bwe are\b")

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



def _named_controller(b: Builder, pats: tuple[re.Pattern[str], ...], first_only: bool) -> str | None:
    """The controller(s) these patterns name: every naming sentence (strong patterns), or the first
    match of the highest-priority defined-term pattern (weak ones)."""
    doc = b.doc
    candidates: dict[str, tuple[int, bool, int, int]] = {}
    trigger = _TRIGGER if pats is CONTROLLER_PATTERNS else _DEFINED_TRIGGER
    units = [ui for ui in units_to_search(doc, trigger) if trigger.search(doc.text[doc.units[ui].start : doc.units[ui].end])]
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
        attrs = {"legal_name": name, **registration(text)}
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




def template_controller(b: Builder) -> str | None:
    """The controller the old-style cues name (every naming sentence), else the first defined-term cue."""
    found = _named_controller(b, CONTROLLER_PATTERNS, first_only=False)
    return found if found is not None else _named_controller(b, DEFINED_PATTERNS, first_only=True)
