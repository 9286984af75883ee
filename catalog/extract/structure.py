"""What a policy's structure says: tables read by their header, list items by their lead-in,
statements by the heading they sit under, references ("this information") by what they refer to.

`with_structure(doc, statements)` gives each mention the role its place implies (a name in a
column headed "Recipients" is a recipient, whatever the cell's wording; the items of a negated
lead-in are negated); `link_lead_ins` and `link_table_rows` read the links that join list items to
their lead-in and a table row's cells. Headings and labels scoping what is under them are in
scopes.py; references to what was named before ("this information") in references.py.
"""

from __future__ import annotations

import functools
import re
from collections import Counter, defaultdict

from catalog.extract.builder import Builder
from catalog.extract.cues import cues, header_role
from catalog.extract.links import LINK_ROLE, LIST_ITEM, TABLE_ROW, Part, link_pair, link_parts, link_rule_pairs
from catalog.extract.statements import Polarity, Role, Statement, action_of
from catalog.records import Kind, PolicyDocument

#: a column's role -> (the kind it lists, the role a mention of that kind takes there)
COLUMN_ROLE: dict[str, tuple[Kind, Role]] = {
    "data": (Kind.DATA_CATEGORY, Role.DATA),
    "purpose": (Kind.PURPOSE, Role.PURPOSE),
    "legal_basis": (Kind.LEGAL_BASIS, Role.BASIS),
    "recipient": (Kind.RECIPIENT, Role.RECIPIENT),
    "source": (Kind.RECIPIENT, Role.SOURCE),
    "retention": (Kind.RETENTION, Role.RETENTION),
    "country": (Kind.COUNTRY, Role.DESTINATION),
    "safeguard": (Kind.SAFEGUARD, Role.SAFEGUARD),
}


def column_roles(doc: PolicyDocument, statements: list[Statement] | None = None) -> dict[tuple[int, int], str]:
    """(table, column) -> what the column holds: read from its header cell when the header is a short
    label; else (a header that is a sentence, or none) from the kind most of the column's mentions are."""
    text: dict[tuple[int, int], list[str]] = defaultdict(list)
    for u in doc.units:
        if u.kind == "header":
            text[(u.table, u.col)].append(doc.text[u.start : u.end])
    roles = {}
    for k, v in text.items():
        head = " ".join(v)
        roles[k] = header_role(head) if len(re.sub(r"\([^)]*\)", "", head).split()) <= 12 else ""
    if statements is not None:
        counts: dict[tuple[int, int], Counter[Kind]] = defaultdict(Counter)
        for st in statements:
            u = doc.units[st.unit]
            if u.table >= 0 and u.kind != "header" and st.affirmed:
                counts[(u.table, u.col)].update(m.kind for m in st.mentions if m.kind is not Kind.DATA_SUBJECT)
        by_kind = {kind: role for role, (kind, _r) in COLUMN_ROLE.items() if role != "source"}
        for k, c in counts.items():
            if roles.get(k) or not c:
                continue
            kind, n = c.most_common(1)[0]
            if n >= 3 and n >= 0.4 * sum(c.values()) and kind in by_kind:
                roles[k] = by_kind[kind]
    return roles


@functools.lru_cache(maxsize=4096)
def _defines(heading: str) -> bool:
    return bool(cues().definitions.search(heading))


def definition_units(doc: PolicyDocument) -> set[int]:
    """Units of a definitions section or table: they define terms, they state no processing."""
    c = cues()
    roles = column_roles(doc)
    out: set[int] = set()
    for i, u in enumerate(doc.units):
        if u.table >= 0 and "definition" in {roles.get((u.table, 0)), roles.get((u.table, 1))}:
            out.add(i)
        elif u.section >= 0 and _defines(doc.sections[u.section].path[-1]):
            out.add(i)
    return out


def with_structure(doc: PolicyDocument, statements: list[Statement]) -> list[Statement]:
    """Statements with the roles and polarity their place in the document gives them."""
    roles = column_roles(doc, statements)
    defined = definition_units(doc)
    first_clause: dict[int, Statement] = {}
    last_clause: dict[int, Statement] = {}
    for st in statements:
        first_clause.setdefault(st.unit, st)
        last_clause[st.unit] = st
    out = []
    for st in statements:
        u = doc.units[st.unit]
        if st.unit in defined:
            # a definition names a kind of recipient the policy uses ("Service Provider means any person who
            # processes the data on behalf of the Company"); it states no processing, so no other fact and no link
            out.append(_replaced(st, defined=True, roles=tuple(r if m.kind is Kind.RECIPIENT and r is Role.RECIPIENT
                                                             else Role.MENTIONED for m, r in zip(st.mentions, st.roles))))
            continue
        if u.lead_in >= 0 and (lead := last_clause.get(u.lead_in)) is not None and not lead.affirmed \
                and st.affirmed and action_of(doc, st) == "":
            st = _replaced(st, polarity=lead.polarity)  # "We do not collect the following: - health data"
        if u.table >= 0 and (role := roles.get((u.table, u.col))) in COLUMN_ROLE:
            kind, as_role = COLUMN_ROLE[role]
            st = _replaced(st, roles=tuple(as_role if m.kind is kind and r in (Role.MENTIONED, Role.RECIPIENT, Role.DATA)
                                         or (m.kind is kind and kind is Kind.COUNTRY and r is not Role.ADDRESS) else r
                                         for m, r in zip(st.mentions, st.roles)))
        elif st is first_clause.get(st.unit) and (head := _colon_head(doc, st)):
            # "Payment partners: user data and payment data, so they can process your payments"
            st = _replaced(st, roles=tuple(Role.RECIPIENT if m.kind is Kind.RECIPIENT and m.end <= head and r is Role.MENTIONED
                                         else r for m, r in zip(st.mentions, st.roles)))
        out.append(st)
    return out


def _replaced(st: Statement, *, polarity: Polarity | None = None, roles: tuple[Role, ...] | None = None,
              defined: bool | None = None) -> Statement:
    """dataclasses.replace(st, ...) for the fields with_structure changes (replace reads the fields of
    the class and builds its arguments anew for every statement)."""
    return Statement(st.unit, st.start, st.end, st.polarity if polarity is None else polarity, st.action, st.mentions,
                     st.roles if roles is None else roles, st.defined if defined is None else defined)


def _colon_head(doc: PolicyDocument, st: Statement) -> int:
    """The end of a short 'Label:' that opens a statement (0 when there is none)."""
    text = doc.text[st.start : st.end]
    colon = text.find(":")
    if 0 < colon <= 60 and len(text[:colon].split()) <= 6:
        return st.start + colon
    return 0


def part_of(st: Statement) -> Part:
    """A statement as one part of a link: its unit and its mentions in their roles."""
    return (st.unit, list(zip(st.mentions, st.roles)))


#: an item that ends like this is continued by the next one ("It is necessary to fulfil our contract, including" / "- to provide...")
_DANGLING = re.compile(r"(?:\b(?:including|such\s+as|e\.g\.|for\s+example|namely|as\s+follows|and|or|to|for|of|with)|[:,])\s*$", re.IGNORECASE)


#: how far from the end of an item a _DANGLING match may start, unless spaces fill that tail
_DANGLING_REACH = 40


def dangles(text: str) -> bool:
    """Whether the text breaks off mid-sentence (_DANGLING finds a match). The pattern ends at the end of
    the text, yet the regex engine would try it at every position: it is tried in the text's tail, and
    in the whole text only when that tail is mostly spaces (a match longer than the tail)."""
    at = max(0, len(text) - _DANGLING_REACH)
    if _DANGLING.search(text, at):
        return True
    # a match holds at most a dozen characters besides spaces: one that starts before the tail leaves
    # fewer than that in it
    return at > 0 and len("".join(text[at:].split())) < 20 and _DANGLING.search(text) is not None


def continued_from(doc: PolicyDocument, ui: int) -> int:
    """The unit a list item continues: its lead-in, or the item before it when that one breaks off mid-sentence."""
    u = doc.units[ui]
    if u.kind == "item" and ui > 0:
        prev = doc.units[ui - 1]
        if prev.kind == "item" and prev.table == u.table and dangles(doc.text[prev.start : prev.end]):
            return ui - 1
    return u.lead_in


def link_lead_ins(b: Builder, doc: PolicyDocument, statements: list[Statement]) -> None:
    """A list item reads with the sentence that introduces it ('We use your data to: - ...')."""
    by_unit: dict[int, list[Statement]] = defaultdict(list)
    for st in statements:
        by_unit[st.unit].append(st)
    for ui, sts in by_unit.items():
        lead = continued_from(doc, ui)
        if lead < 0:
            continue
        lead_parts = [part_of(s) for s in by_unit.get(lead, []) if s.affirmed]
        if not lead_parts:
            continue
        # an item that names its own data subjects ('health data of end-users') is not about the lead-in's
        own_subjects = any(m.kind is Kind.DATA_SUBJECT for s in sts for m in s.mentions)
        merged = [(m, r) for _, pr in lead_parts for m, r in pr if not (own_subjects and m.kind is Kind.DATA_SUBJECT)]
        for st in sts:
            if st.affirmed:
                link_parts(b, [(lead, merged), part_of(st)], LIST_ITEM, "list-item")


def link_table_rows(b: Builder, doc: PolicyDocument, statements: list[Statement]) -> None:
    """The cells of one table row read together: data in one column, purposes, bases, recipients or
    retention in the others. A table states the relations of its columns' kinds: a table of
    purposes, data and bases says what is processed for what on which basis; a table of recipients
    says who receives what and why, not what each kind of data is processed for; a name a cell
    mentions in passing (authorities a purpose reports to) is no column of the table."""
    roles = column_roles(doc, statements)
    rows: dict[tuple[int, int], dict[int, list[Statement]]] = defaultdict(lambda: defaultdict(list))
    for st in statements:
        u = doc.units[st.unit]
        if u.table >= 0 and u.kind != "header" and st.affirmed:
            rows[(u.table, u.row)][u.col].append(st)
    for (table, _row), cols in rows.items():
        kinds = {COLUMN_ROLE[r][0] for (t, _c), r in roles.items() if t == table and r in COLUMN_ROLE}
        col_kind = {c: COLUMN_ROLE[r][0] for (t, c), r in roles.items() if t == table and r in COLUMN_ROLE}
        parts: list[Part] = []
        for col in sorted(cols):
            sts = _labelled(doc, cols[col])
            # purposes, bases and recipients speak for the row in their own column: a purpose named in passing
            # in the data column's examples ("the ads you click") is not one of the row's purposes
            other = {k for c, k in col_kind.items() if c != col and k in _OWN_COLUMN_KINDS} - {col_kind.get(col)}
            parts.append((sts[0].unit, [(m, r) for s in sts for m, r in zip(s.mentions, s.roles) if m.kind not in other]))
        if len(parts) > 1:
            link_table_parts(b, parts, cols, _table_pairs(kinds))


#: kinds that count for a row only in the column holding them, when the table has one
_OWN_COLUMN_KINDS = frozenset({Kind.PURPOSE, Kind.LEGAL_BASIS, Kind.RECIPIENT})
#: a cell opening with a short label and going on with examples is about its label
_CELL_LABEL_WORDS = 12


def _labelled(doc: PolicyDocument, sts: list[Statement]) -> list[Statement]:
    """The statements of a cell that speak for the row: its label alone when the cell opens with a short
    one that names something and goes on with examples ("To provide personalised services, including
    content and ads" / "Examples of processing activities: ..."), else all of them."""
    first = sts[0]
    units = {s.unit for s in sts}
    text = doc.text[first.start : first.end]
    if len(units) > 2 and len(text.split()) <= _CELL_LABEL_WORDS and first.mentions and doc.units[first.unit].kind == "cell":
        return [s for s in sts if s.unit == first.unit]
    return sts


def _table_pairs(kinds: set[Kind]) -> frozenset[tuple[Kind, Kind]] | None:
    """The (source, target) kinds a table's rows link, from the kinds its columns hold (None: any)."""
    if not kinds:
        return None
    pairs = {(a, t) for a in kinds | {Kind.DATA_SUBJECT} for t in kinds}
    if Kind.RECIPIENT in kinds:
        pairs.discard((Kind.DATA_CATEGORY, Kind.PURPOSE))
    return frozenset(pairs)


def link_table_parts(b: Builder, parts: list[Part], cols: dict[int, list[Statement]],
                     kinds: frozenset[tuple[Kind, Kind]] | None) -> None:
    """Row links, each with the quotes of the two cells' units that name its two ends."""
    unit_of = {}
    for sts in cols.values():
        for s in sts:
            for m in s.mentions:
                unit_of[m] = s.unit
    linkable = [[m for m, r in pa if LINK_ROLE.get(m.kind) is r] for _, pa in parts]
    rules = link_rule_pairs()
    for i, ma in enumerate(linkable):
        for j, mt in enumerate(linkable):
            if i == j:
                continue
            for a in ma:
                for t in mt:
                    if (a.kind, t.kind) not in rules or (kinds is not None and (a.kind, t.kind) not in kinds):
                        continue
                    link_pair(b, a, t, [unit_of[a], unit_of[t]], TABLE_ROW, "table-row")
