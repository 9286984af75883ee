"""Statements: each clause of a sentence, list item or table cell, read as who does what to which data.

A statement has an action (collect, use, share, sell, transfer, retain, rely on), a polarity
(affirmed, conditional, negated, discouraged) and its mentions, each in a role: the data it is
about, the purposes, the recipients or the sources, the legal bases, the retention, the countries
as destination, origin, scope or address. Links are read from the roles of one statement (and of
the structure around it: lead-ins, table rows, headings), never from mere co-occurrence.
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass, field
from enum import StrEnum

from catalog.extract.clauses import Polarity, action, clause_spans, polarity
from catalog.extract.cues import cues
from catalog.extract.mentions import Mention
from catalog.records import Kind, PolicyDocument


class Role(StrEnum):
    DATA = "data"
    PURPOSE = "purpose"
    RECIPIENT = "recipient"
    SOURCE = "source"
    BASIS = "basis"
    RETENTION = "retention"
    DESTINATION = "destination"
    ORIGIN = "origin"
    SCOPE = "scope"
    ADDRESS = "address"
    SAFEGUARD = "safeguard"
    SUBJECT = "subject"
    RIGHT = "right"
    COOKIE = "cookie"
    MENTIONED = "mentioned"  # named, but in no role the record needs (a login with Google, "we are on Instagram")
    EXCLUDED = "excluded"  # named as left out: "(but not User Content)", "except your email address"


_AFFIRMING = (Polarity.AFFIRMED, Polarity.CONDITIONAL)
#: the roles of a statement that names nothing (shared: never changed)
_NO_ROLES: dict[Role, list[Mention]] = {}


@dataclass(slots=True, unsafe_hash=True)
class Statement:
    """One clause of one unit, with its mentions in their roles. Never changed once made (a new one
    is made with dataclasses.replace); not frozen: a frozen dataclass's __init__ sets each field
    through object.__setattr__, four times the cost, and extraction makes tens of thousands."""

    unit: int
    start: int
    end: int
    polarity: Polarity
    #: what is done with the data (clauses.action); None where nothing needed it read (see `action_of`)
    action: str | None
    mentions: tuple[Mention, ...]
    roles: tuple[Role, ...]
    defined: bool = False  # in a definitions section or table: it names kinds of things, it links nothing

    #: whether it states what it says (affirmed or conditional), set from the polarity
    affirmed: bool = field(init=False, compare=False)
    #: role -> its mentions in text order (the linking passes ask a statement for one role many times;
    #: never changed once built: `having` hands out copies)
    _by_role: dict[Role, list[Mention]] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.affirmed = self.polarity in _AFFIRMING
        if not self.mentions:  # most statements: a unit that names nothing
            self._by_role = _NO_ROLES
            return
        by_role: dict[Role, list[Mention]] = {}
        for m, r in zip(self.mentions, self.roles):
            ms = by_role.get(r)
            if ms is None:
                by_role[r] = [m]
            else:
                ms.append(m)
        self._by_role = by_role

    def names(self, *roles: Role) -> bool:
        """Whether this statement has a mention in one of these roles (`having`, without the list)."""
        by_role = self._by_role
        for r in roles:
            if r in by_role:  # (a role is in the map only with a mention)
                return True
        return False

    def having(self, *roles: Role) -> list[Mention]:
        """This statement's mentions in these roles, in text order (a new list)."""
        if len(roles) == 1:
            return list(self._by_role.get(roles[0], ()))
        if not self.mentions:
            return []
        return [m for m, r in zip(self.mentions, self.roles) if r in roles]


_LIST_GLUE = re.compile(r"^[\s,;/&()]*(?:(?:and|or|as well as|and/or|plus|including|such as|e\.g\.,?|the|our|your|other|their)\b[\s,;/&()]*)*$",
                        re.IGNORECASE)
_BACK_TO_THEM = re.compile(r"\b(?:shar|disclos|provid|transfer|send|sen[dt])\w*\b[^.;]{0,60}?\b(?:with|to)\s+them\b", re.IGNORECASE)
_ALIAS = re.compile(r"^\s*\(\s*(?:the\s+)?[\"“”'‘’]?$", re.IGNORECASE)
_ROLE_CARRIES = {Kind.RECIPIENT, Kind.COUNTRY}


def to_statements(doc: PolicyDocument, mentions: list[Mention]) -> list[Statement]:
    """Every clause of every unit as a statement (units with no mention give statements too: they
    may refer back to data named before, or carry a polarity a list item inherits)."""
    by_unit: dict[int, list[Mention]] = {}
    for m in mentions:
        by_unit.setdefault(m.unit, []).append(m)
    out: list[Statement] = []
    leads = {u.lead_in for u in doc.units if u.lead_in >= 0}
    text = doc.text
    for ui, unit in enumerate(doc.units):
        own = by_unit.get(ui, [])
        if not own and ui not in leads:
            # nothing named and introducing no list: nothing to read but that it is there
            out.append(Statement(ui, unit.start, unit.end, Polarity.AFFIRMED, "", (), ()))
            continue
        if unit.kind == "heading":  # "No Ads Based on Contents of Chats": a heading can disclaim too
            pol = Polarity.NEGATED if polarity(text[unit.start:unit.end]) is Polarity.NEGATED else Polarity.AFFIRMED
            out.append(Statement(ui, unit.start, unit.end, pol, "", tuple(own), tuple(_plain_role(m) for m in own)))
            continue
        base = unit.start
        named = tuple((m.kind, m.concept, m.start - base, m.end - base) for m in own)
        for a, z, pol, act, which, roles in _unit_statements(text[base : unit.end], named, _scope_text(doc, ui)):
            out.append(Statement(ui, base + a, base + z, pol, act, tuple(map(own.__getitem__, which)), roles))
    return out


@functools.lru_cache(maxsize=32768)
def _unit_statements(span: str, named: tuple[tuple[Kind, str, int, int], ...], scope: str
                     ) -> tuple[tuple[int, int, Polarity, str | None, tuple[int, ...], tuple[Role, ...]], ...]:
    """The statements of one unit's text (not a heading) with these mentions (kind, concept, offsets in
    the text) under this scope: (start, end, polarity, action, which mentions, their roles) per clause.
    Memoised: a statement reads nothing outside its unit but its scope, and versions and templates of
    policies repeat most of their units."""
    clauses = clause_spans(span)
    starts = [a for a, _, _ in clauses]
    grouped: list[list[int]] = [[] for _ in clauses]
    for i, (_, _, a, _) in enumerate(named):
        grouped[max(0, bisect.bisect_right(starts, a) - 1)].append(i)
    out = []
    for (a, z, pol), which in zip(clauses, grouped):
        ms = [Mention(named[i][0], named[i][1], 0, named[i][2], named[i][3]) for i in which]
        # the action decides only the roles of parties and places: read it where the clause names one
        act = action(span[a:z]) if any(m.kind in _ACTION_KINDS for m in ms) else None
        out.append((a, z, pol, act, tuple(which), tuple(_roles(span, a, z, ms, act or "", scope))))
    return tuple(out)


#: the kinds of mention whose role depends on the clause's action
_ACTION_KINDS = frozenset({Kind.RECIPIENT, Kind.COUNTRY})


def action_of(doc: PolicyDocument, st: Statement) -> str:
    """A statement's action, read now if to_statements did not need it."""
    return st.action if st.action is not None else action(doc.text[st.start : st.end])


@functools.lru_cache(maxsize=4096)
def _sourcing_scope(scope: str) -> bool:
    """Whether a lead-in or heading introduces sources ("Information we receive from third parties")."""
    return bool(cues().source_scope.search(scope))


def _scope_text(doc: PolicyDocument, ui: int) -> str:
    """What introduces a unit: its lead-in and its section's heading (a 'sources' heading makes the
    parties under it sources; a 'sharing' one makes them recipients)."""
    unit = doc.units[ui]
    parts = [doc.sections[unit.section].path[-1]] if unit.section >= 0 else []
    if unit.lead_in >= 0:
        lead = doc.units[unit.lead_in]
        parts.append(doc.text[lead.start : lead.end])
    return " / ".join(parts)


_PLAIN_ROLES = {
    Kind.DATA_CATEGORY: Role.DATA, Kind.PURPOSE: Role.PURPOSE, Kind.RECIPIENT: Role.RECIPIENT,
    Kind.LEGAL_BASIS: Role.BASIS, Kind.RETENTION: Role.RETENTION, Kind.COUNTRY: Role.MENTIONED,
    Kind.SAFEGUARD: Role.SAFEGUARD, Kind.DATA_SUBJECT: Role.SUBJECT, Kind.RIGHT: Role.RIGHT,
    Kind.COOKIE: Role.COOKIE,
}


def _plain_role(m: Mention) -> Role:
    return _PLAIN_ROLES.get(m.kind, Role.MENTIONED)


def _roles(text: str, start: int, end: int, ms: list[Mention], act: str, scope: str) -> list[Role]:
    """The role of each mention of the clause text[start:end], read from the words right before and after it."""
    c = cues()
    roles: list[Role] = []
    last_of_kind: dict[Kind, tuple[Mention, Role]] = {}
    sourcing = act not in ("share", "sell", "transfer") and _sourcing_scope(scope)
    to_us: list[bool] = []  # whether the clause says the data is given to us, read once if needed
    # what the clause's words rule out for every piece of it (most clauses exclude nothing)
    clause = text[start:end]
    low = clause.lower()
    may_exclude, may_be_service = c.excluded.could_match(low), c.service_compound.could_match(low)
    for m in ms:
        before = text[max(start, m.start - 80) : m.start]
        after = text[m.end : min(end, m.end + 120)]
        role = _plain_role(m)
        carried = last_of_kind.get(m.kind)
        if m.kind in _ROLE_CARRIES and carried and _ALIAS.match(text[carried[0].end : m.start]):
            role = carried[1]  # 'the United Kingdom (the "UK")': the same place, the same role
        elif m.kind in _ROLE_CARRIES and carried and _LIST_GLUE.match(text[carried[0].end : m.start]):
            role = carried[1]  # "from advertisers, data brokers and public databases": all sources
        elif m.kind is Kind.RECIPIENT and c.product.match(after):
            role = Role.MENTIONED  # "if you use an Apple device": a product, no recipient
        elif m.kind is Kind.RECIPIENT and _is_label(text, start, end, m) and not m.concept.startswith("org-") \
                and not _CONTACTS.search(scope):
            role = Role.RECIPIENT  # a list item, cell or line that is just a third party's name: "- AdMob"
        elif m.kind is Kind.RECIPIENT:
            if not sourcing and not to_us:
                to_us.append(c.to_us.search_low(clause, low) is not None)
            role = _recipient_role(before, after, act, sourcing or to_us[0], scope)
        elif m.kind is Kind.COUNTRY:
            role = _country_role(before, after, act)
        elif m.kind is Kind.DATA_CATEGORY and may_be_service and c.service_compound.match(after):
            role = Role.MENTIONED  # "credit card processing", "payment processors": a service, not data
        elif m.kind is Kind.LEGAL_BASIS and c.objection.search_low(clause, low):
            role = Role.MENTIONED  # "you may object to processing based on our legitimate interests"
        if may_exclude and c.excluded.search(before):
            role = Role.EXCLUDED  # "(but not User Content)", "except your email address"
        roles.append(role)
        last_of_kind[m.kind] = (m, role)
    if "them" in low and _BACK_TO_THEM.search(clause):
        # "we may receive personal data from other companies in the group, or share your data with them"
        roles = [Role.RECIPIENT if r is Role.SOURCE else r for r in roles]
    return roles


_CONTACTS = re.compile(r"\b(?:contact|representative|controller|who\s+we\s+are|about\s+us|our\s+compan|address)", re.IGNORECASE)
#: what a unit may hold besides the name for it to be just that name (a bullet, a colon, "(Google Inc.)")
_LABEL_SLACK = 24
_URL = re.compile(r"\bhttps?://\S+|\bwww\.\S+")


def _is_label(text: str, start: int, end: int, m: Mention) -> bool:
    rest = _URL.sub("", text[start : m.start] + text[m.end : end]).strip(" •-*:;,.")
    return len(rest) <= _LABEL_SLACK and (not rest or rest.startswith("(") or rest.split()[0][:1].isupper())


def _recipient_role(before: str, after: str, act: str, sourcing: bool, scope: str) -> Role:
    c = cues()
    bl, al = before.lower(), after.lower()
    if c.source_cue.search_low(before, bl):
        return Role.SOURCE
    if c.gives_to_us.search_low(after, al):
        return Role.SOURCE
    if c.receives.search_low(after, al) or c.recipient_cue.search_low(before, bl) or c.used_by.search_low(after, al):
        return Role.RECIPIENT if not sourcing or c.recipient_cue.search_low(before, bl) and act in ("share", "sell") else Role.SOURCE
    if sourcing:
        return Role.SOURCE
    if act in ("share", "sell", "transfer") or c.recipient_scope.search(scope):
        return Role.RECIPIENT
    return Role.MENTIONED


def _country_role(before: str, after: str, act: str) -> Role:
    c = cues()
    bl = before.lower()
    if c.address_cue.search_low(before, bl):
        return Role.ADDRESS
    if c.country_scope.search_low(before, bl) or c.country_after_scope.match(after):
        return Role.SCOPE
    if c.country_origin.search_low(before, bl):
        return Role.ORIGIN
    if c.country_destination.search_low(before, bl):
        return Role.DESTINATION  # the country lexicon's gate already put the sentence in a transfer context
    if act == "transfer":
        return Role.DESTINATION
    return Role.MENTIONED
