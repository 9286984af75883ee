"""Cookie tables as scraped pages lay them out (one short line per cell) rather than as real tables.

Scraped cookie tables arrive as one short line per cell: a cookie type paragraph followed by the
providers that serve it, or a provider line followed by its cookie names. Links read from that
layout are `inferred` and say so.
"""

from __future__ import annotations

import re
from collections import defaultdict

from catalog.extract.builder import Builder
from catalog.extract.mentions import Mention
from catalog.records import Kind, Relation, Status, node_id
from catalog.vocabulary import concept

#: the cookie types a policy's cookie table is organised by (not lifetime or party)
TABLE_TYPES = {"essential", "analytics", "functional", "marketing", "social-media"}
COOKIE_SECTION = re.compile(r"cookie|tracking|tracker", re.IGNORECASE)
COOKIE_NAMES = re.compile(r"^[a-z_][\w.-]*(?:\s*,\s*[a-z_][\w.-]*)*$")


def _named(m: Mention) -> bool:
    c = concept(Kind.RECIPIENT, m.concept)
    return c is not None and c.attrs.get("type") == "named"


def extract_cookie_tables(b: Builder, mentions: list[Mention]) -> None:
    doc = b.doc
    by_unit: dict[int, list[Mention]] = defaultdict(list)
    for m in mentions:
        by_unit[m.unit].append(m)
    last_type: tuple[int, str] | None = None  # (unit index, cookie node id)
    cookie_section: dict[int, bool] = {}  # section index -> whether its title is about cookies
    for ui, unit in enumerate(doc.units):
        in_cookies = cookie_section.get(unit.section)
        if in_cookies is None:
            in_cookies = cookie_section[unit.section] = COOKIE_SECTION.search(doc.section_title(unit.section)) is not None
        if not in_cookies:
            last_type = None
            continue
        text = doc.text[unit.start : unit.end]
        types = [m for m in by_unit.get(ui, []) if m.kind is Kind.COOKIE and m.concept in TABLE_TYPES]
        if types and text.lower().startswith(doc.text[types[0].start : types[0].end].lower()[:6]):
            last_type = (ui, node_id(Kind.COOKIE, types[0].concept))
            continue
        short = len(text) <= 120
        if short and last_type and ui - last_type[0] <= 12:
            for m in by_unit.get(ui, []):
                if m.kind is Kind.RECIPIENT and _named(m) and m.start == unit.start:
                    note = "provider listed under this cookie type in the policy's cookie table"
                    b.add_link(last_type[1], node_id(Kind.RECIPIENT, m.concept), Relation.SET_BY, Status.INFERRED,
                               [b.evidence(last_type[0], "cookie-table", note), b.evidence(ui, "cookie-table", note)])
        if short and COOKIE_NAMES.match(text.strip(" .")) and ("_" in text or "," in text):
            _cookie_names(b, ui, text, by_unit)


def _cookie_names(b: Builder, ui: int, text: str, by_unit: dict[int, list[Mention]]) -> None:
    """A cell of cookie names ('_ga, _gat, _utma'): one cookie fact each, with the provider cell before it."""
    doc = b.doc
    provider_unit = ui - 1 if ui > 0 else None
    provider_text = doc.text[doc.units[ui - 1].start : doc.units[ui - 1].end] if provider_unit is not None else ""
    lifetime = doc.text[doc.units[ui + 1].start : doc.units[ui + 1].end] if ui + 1 < len(doc.units) else ""
    providers = [m for m in by_unit.get(ui - 1, []) if m.kind is Kind.RECIPIENT and _named(m)]
    for name in (n.strip() for n in text.split(",")):
        if not name:
            continue
        attrs = {"cookie_name": name, "provider": provider_text[:80]}
        if len(lifetime) < 40 and re.search(r"cookie", lifetime, re.IGNORECASE):
            attrs["lifetime"] = lifetime
        nid = b.add_fact(Kind.COOKIE, f"name:{name}", name, "", b.evidence(ui, "cookie-table:name"), **attrs)
        for p in providers:
            note = f"cookie '{name}' is listed in the row of provider '{provider_text[:60]}'"
            b.add_link(nid, node_id(Kind.RECIPIENT, p.concept), Relation.SET_BY, Status.INFERRED,
                       [b.evidence(ui, "cookie-table", note), b.evidence(ui - 1, "cookie-table", note)])
