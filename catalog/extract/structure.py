"""What a policy's structure says: tables read by their header, list items by their lead-in,
statements by the heading they sit under, references ("this information") by what they refer to.

`with_structure(doc, statements)` gives each mention the role its place implies (a name in a
column headed "Recipients" is a recipient, whatever the cell's wording; the items of a negated
lead-in are negated); the `link_*` functions then read the links that join two statements.
"""

from __future__ import annotations

import functools
import re
from collections import Counter, defaultdict
from dataclasses import replace

from catalog.extract.builder import Builder
from catalog.extract.clauses import Polarity
from catalog.extract.cues import cues, header_role
from catalog.extract.links import LINK_ROLE, LIST_ITEM, TABLE_ROW, Part, Reading, link_pair, link_parts, link_rule_pairs
from catalog.extract.statements import Role, Statement, action_of
from catalog.records import Kind, PolicyDocument, Status

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
            out.append(replace(st, defined=True, roles=tuple(r if m.kind is Kind.RECIPIENT and r is Role.RECIPIENT
                                                             else Role.MENTIONED for m, r in zip(st.mentions, st.roles))))
            continue
        if u.lead_in >= 0 and (lead := last_clause.get(u.lead_in)) is not None and not lead.affirmed \
                and st.affirmed and action_of(doc, st) == "":
            st = replace(st, polarity=lead.polarity)  # "We do not collect the following: - health data"
        if u.table >= 0 and (role := roles.get((u.table, u.col))) in COLUMN_ROLE:
            kind, as_role = COLUMN_ROLE[role]
            st = replace(st, roles=tuple(as_role if m.kind is kind and r in (Role.MENTIONED, Role.RECIPIENT, Role.DATA)
                                         or (m.kind is kind and kind is Kind.COUNTRY and r is not Role.ADDRESS) else r
                                         for m, r in zip(st.mentions, st.roles)))
        elif st is first_clause.get(st.unit) and (head := _colon_head(doc, st)):
            # "Payment partners: user data and payment data, so they can process your payments"
            st = replace(st, roles=tuple(Role.RECIPIENT if m.kind is Kind.RECIPIENT and m.end <= head and r is Role.MENTIONED
                                         else r for m, r in zip(st.mentions, st.roles)))
        out.append(st)
    return out


def _colon_head(doc: PolicyDocument, st: Statement) -> int:
    """The end of a short 'Label:' that opens a statement (0 when there is none)."""
    text = doc.text[st.start : st.end]
    colon = text.find(":")
    if 0 < colon <= 60 and len(text[:colon].split()) <= 6:
        return st.start + colon
    return 0


def _part(st: Statement) -> Part:
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
        lead_parts = [_part(s) for s in by_unit.get(lead, []) if s.affirmed]
        if not lead_parts:
            continue
        # an item that names its own data subjects ('health data of end-users') is not about the lead-in's
        own_subjects = any(m.kind is Kind.DATA_SUBJECT for s in sts for m in s.mentions)
        merged = [(m, r) for _, pr in lead_parts for m, r in pr if not (own_subjects and m.kind is Kind.DATA_SUBJECT)]
        for st in sts:
            if st.affirmed:
                link_parts(b, [(lead, merged), _part(st)], LIST_ITEM, "list-item")


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


#: heading kind -> the kinds of the statements under it that it links with
HEADING_LINKS: dict[Kind, frozenset[Kind]] = {
    Kind.LEGAL_BASIS: frozenset({Kind.PURPOSE}),
    Kind.PURPOSE: frozenset({Kind.LEGAL_BASIS, Kind.DATA_CATEGORY}),
    Kind.DATA_CATEGORY: frozenset({Kind.PURPOSE, Kind.RETENTION, Kind.RECIPIENT, Kind.LEGAL_BASIS}),
    Kind.RECIPIENT: frozenset({Kind.DATA_CATEGORY, Kind.PURPOSE}),
}
#: a heading naming more than this many linkable things is a table of contents, not a scope
HEADING_MAX = 3


def link_heading_scopes(b: Builder, doc: PolicyDocument, statements: list[Statement]) -> None:
    """A heading scopes the statements under it: purposes under 'Legitimate interests' rest on it,
    purposes under 'Location data' use location data (inferred: the heading, not the sentence, says so)."""
    heads: dict[int, Statement] = {}
    for st in statements:
        u = doc.units[st.unit]
        if u.kind == "heading":
            heads[u.section] = st
    labels = paragraph_labels(doc, statements)
    for st in statements:
        u = doc.units[st.unit]
        head = labels.get(u.paragraph) or heads.get(u.section)
        if head is not None and head.unit == st.unit:
            head = heads.get(u.section)
        if head is None or u.kind == "heading" or not st.affirmed or not head.mentions:
            continue
        linkable = [(m, r) for m, r in zip(head.mentions, head.roles) if m.kind in HEADING_LINKS]
        if not linkable or len(linkable) > HEADING_MAX:
            continue
        own = {m.kind for m in st.mentions}
        for m, r in linkable:
            if m.kind in own:
                continue  # the statement names its own (purpose, data...): its own words win
            title = doc.text[doc.units[head.unit].start : doc.units[head.unit].end]
            reading = Reading("heading scope", 0.65, Status.INFERRED,
                              f"'{doc.text[m.start:m.end]}' is named by the heading '{title}' this statement is under")
            kinds = frozenset((a, t) for k in HEADING_LINKS[m.kind] for a, t in ((m.kind, k), (k, m.kind)))
            if m.kind is Kind.PURPOSE and not b.has(f"purpose:{m.concept}") and any(
                    x.kind in HEADING_LINKS[m.kind] and LINK_ROLE.get(x.kind) is xr for x, xr in zip(st.mentions, st.roles)):
                # the heading's purpose becomes a fact where it scopes a statement it links with
                b.add_concept(b.concept(m.kind, m.concept), b.evidence(head.unit, f"heading:{doc.text[m.start:m.end].lower()}"))
            link_parts(b, [(head.unit, [(m, r)]), _part(st)], reading, "heading", kinds)


def link_references(b: Builder, doc: PolicyDocument, statements: list[Statement]) -> None:
    """'We use this information to...': the data of the statements before it in the same paragraph
    (or cell) is what 'this information' means; else the lead-in's, or the row's first cell's."""
    c = cues()
    prior: list[Statement] = []
    by_unit: dict[int, list[Statement]] = defaultdict(list)
    for st in statements:
        by_unit[st.unit].append(st)
    for st in statements:
        has_data = any(r is Role.DATA for r in st.roles)
        if st.affirmed and not st.defined and not has_data and any(
                r in (Role.PURPOSE, Role.RECIPIENT, Role.RETENTION) for r in st.roles) \
                and c.anaphora.search(doc.text[st.start : st.end]):  # "we use this information to ..."
            for ante in _antecedents(doc, prior, by_unit, st):
                names = ", ".join(doc.text[m.start:m.end] for m, r in zip(ante.mentions, ante.roles) if r is Role.DATA)
                reading = Reading("reference", 0.7, Status.INFERRED,
                                  f"'this information' in this statement refers to {names}, named just before it")
                kinds = frozenset((Kind.DATA_CATEGORY, k) for k in (Kind.PURPOSE, Kind.RECIPIENT, Kind.RETENTION))
                data = [(m, r) for m, r in zip(ante.mentions, ante.roles) if r is Role.DATA]
                link_parts(b, [(ante.unit, data), _part(st)], reading, "reference", kinds)
        prior.append(st)


def _antecedents(doc: PolicyDocument, prior: list[Statement], by_unit: dict[int, list[Statement]],
                 st: Statement) -> list[Statement]:
    """The statements 'this information' refers to: those naming data in the same paragraph (or cell)
    before it, else the lead-in's, else the row's label cell."""
    u = doc.units[st.unit]
    found: list[Statement] = []
    for p in reversed(prior[-8:]):
        pu = doc.units[p.unit]
        if pu.paragraph != u.paragraph or (u.table >= 0 and (pu.row, pu.col) != (u.row, u.col)):
            break
        if p.affirmed and any(r is Role.DATA for r in p.roles):
            found.append(p)
    if found:
        return found
    one = _antecedent(doc, prior, by_unit, st)
    return [one] if one is not None else []


def _antecedent(doc: PolicyDocument, prior: list[Statement], by_unit: dict[int, list[Statement]],
                st: Statement) -> Statement | None:
    u = doc.units[st.unit]
    for p in reversed(prior[-6:]):
        pu = doc.units[p.unit]
        same_block = pu.paragraph == u.paragraph and (u.table < 0 or (pu.row, pu.col) == (u.row, u.col))
        if not same_block:
            break
        if p.affirmed and any(r is Role.DATA for r in p.roles):
            return p
    if u.lead_in >= 0:
        for p in by_unit.get(u.lead_in, []):
            if p.affirmed and any(r is Role.DATA for r in p.roles):
                return p
    if u.table >= 0:  # the row's label cell ("Precise Location Data | Spotify will only use ...")
        for p in reversed(prior):
            pu = doc.units[p.unit]
            if (pu.table, pu.row) != (u.table, u.row):
                break
            if pu.col == 0 and any(r is Role.DATA for r in p.roles):
                return p
    return None


def _section_headings(doc: PolicyDocument, statements: list[Statement]) -> dict[int, Statement]:
    """section -> the statement of its heading."""
    return {doc.units[st.unit].section: st for st in statements if doc.units[st.unit].kind == "heading"}


def link_basis_references(b: Builder, doc: PolicyDocument, statements: list[Statement]) -> None:
    """'The legal basis for this processing is consent': the bases of such a statement are those of the
    purposes its paragraph (or list item, or cell) describes before it, and of its section's heading."""
    c = cues()
    heads = _section_headings(doc, statements)
    for i, st in enumerate(statements):
        if not st.affirmed or not st.having(Role.BASIS) or not c.basis_reference.search(doc.text[st.start : st.end]):
            continue
        u = doc.units[st.unit]
        block = [p for p in statements[max(0, i - 12) : i]
                 if doc.units[p.unit].paragraph == u.paragraph and (u.table < 0 or doc.units[p.unit].col == u.col)]
        described = [p for p in block if p.affirmed and p.having(Role.PURPOSE)]
        if not described and (head := heads.get(u.section)) is not None and head.having(Role.PURPOSE):
            described = [head]
        bases = [(m, Role.BASIS) for m in st.having(Role.BASIS)]
        for p in described:
            names = ", ".join(doc.text[m.start:m.end] for m in p.having(Role.PURPOSE))
            reading = Reading("reference", 0.75, Status.INFERRED,
                              f"'{doc.text[st.start:st.end][:60]}' states the basis of the processing described just before it ({names})")
            link_parts(b, [(p.unit, [(m, Role.PURPOSE) for m in p.having(Role.PURPOSE)]), (st.unit, bases)], reading,
                       "basis-reference", frozenset({(Kind.PURPOSE, Kind.LEGAL_BASIS)}))


def link_purpose_references(b: Builder, doc: PolicyDocument, statements: list[Statement]) -> None:
    """'We use the following categories of personal information for this purpose: ...': the purpose
    is the one named just before (same paragraph, its label, or the section's heading)."""
    c = cues()
    heads = _section_headings(doc, statements)
    for i, st in enumerate(statements):
        if not st.affirmed or st.having(Role.PURPOSE) or not c.purpose_reference.search(doc.text[st.start : st.end]):
            continue
        u = doc.units[st.unit]
        before = [p for p in statements[max(0, i - 8) : i] if doc.units[p.unit].paragraph == u.paragraph]
        ante = next((p for p in reversed(before) if p.affirmed and p.having(Role.PURPOSE)), None)
        if ante is None and (head := heads.get(u.section)) is not None and head.affirmed and head.having(Role.PURPOSE):
            ante = head
        if ante is None:
            continue
        names = ", ".join(doc.text[m.start:m.end] for m in ante.having(Role.PURPOSE))
        reading = Reading("reference", 0.7, Status.INFERRED, f"'this purpose' in this statement refers to {names}, named just before it")
        kinds = frozenset({(Kind.DATA_CATEGORY, Kind.PURPOSE), (Kind.PURPOSE, Kind.LEGAL_BASIS), (Kind.PURPOSE, Kind.RECIPIENT)})
        link_parts(b, [(ante.unit, [(m, Role.PURPOSE) for m in ante.having(Role.PURPOSE)]), _part(st)], reading,
                   "purpose-reference", kinds)


#: a label that opens a paragraph or list item ("To provide you with the services.", "Payment partners:")
_LABEL_MAX_WORDS = 10


def paragraph_labels(doc: PolicyDocument, statements: list[Statement]) -> dict[int, Statement]:
    """Paragraphs (or list items) that open with a short label naming a purpose, a basis, data or a
    recipient: the label scopes the rest of the paragraph as a heading scopes its section."""
    first: dict[int, Statement] = {}
    count: dict[int, int] = defaultdict(int)
    for st in statements:
        u = doc.units[st.unit]
        if u.kind == "heading" or u.table >= 0:
            continue
        count[u.paragraph] += 1
        first.setdefault(u.paragraph, st)
    out = {}
    for para, st in first.items():
        text = doc.text[st.start : st.end].strip()
        if count[para] < 2 or len(text.split()) > _LABEL_MAX_WORDS or not text.endswith((".", ":")):
            continue
        if st.affirmed and any(m.kind in HEADING_LINKS for m in st.mentions):
            out[para] = st
    return out


def link_elaborations(b: Builder, doc: PolicyDocument, statements: list[Statement]) -> None:
    """'This may include your name, email address...': a statement that specifies the data of the
    one before it (same paragraph or list item, else its lead-in) takes that one's purposes,
    recipients, retention and data subjects."""
    c = cues()
    by_unit: dict[int, list[Statement]] = defaultdict(list)
    for st in statements:
        by_unit[st.unit].append(st)
    for i, st in enumerate(statements):
        u = doc.units[st.unit]
        if not st.affirmed or st.defined or not st.having(Role.DATA) or st.having(Role.PURPOSE, Role.RECIPIENT, Role.RETENTION):
            continue
        if not c.elaboration.match(doc.text[st.start : st.end]) or st.start != u.start:
            continue
        before = [p for p in statements[max(0, i - 6) : i] if doc.units[p.unit].paragraph == u.paragraph]
        ante = next((p for p in reversed(before) if p.affirmed), None)
        if ante is None and u.lead_in >= 0:
            ante = next((p for p in reversed(by_unit.get(u.lead_in, [])) if p.affirmed), None)
        if ante is None or not ante.having(Role.PURPOSE, Role.RECIPIENT, Role.RETENTION, Role.SUBJECT):
            continue
        reading = Reading("reference", 0.75, Status.INFERRED,
                          f"'{doc.text[st.start:st.end][:40]}...' specifies the data of the statement before it")
        kinds = frozenset({(Kind.DATA_CATEGORY, Kind.PURPOSE), (Kind.DATA_CATEGORY, Kind.RECIPIENT),
                           (Kind.DATA_CATEGORY, Kind.RETENTION)})
        link_parts(b, [_part(ante), (st.unit, [(m, Role.DATA) for m in st.having(Role.DATA)])], reading, "elaboration", kinds)


def link_recipient_references(b: Builder, doc: PolicyDocument, statements: list[Statement]) -> None:
    """'These platforms may combine information ... in order to conduct targeted advertising': the
    recipients named just before (same paragraph, or the previous item of the same list) are the ones
    the statement's purposes and data go to."""
    c = cues()
    for i, st in enumerate(statements):
        u = doc.units[st.unit]
        if not st.affirmed or st.defined or st.having(Role.RECIPIENT) or not st.having(Role.PURPOSE, Role.DATA):
            continue
        if not c.recipient_reference.search(doc.text[st.start : st.end]):
            continue
        ante = None
        for p in reversed(statements[max(0, i - 8) : i]):
            pu = doc.units[p.unit]
            same_list = u.lead_in >= 0 and pu.lead_in == u.lead_in
            if pu.paragraph != u.paragraph and not same_list:
                break
            if p.affirmed and p.having(Role.RECIPIENT):
                ante = p
                break
        if ante is None:
            continue
        names = ", ".join(doc.text[m.start:m.end] for m in ante.having(Role.RECIPIENT))
        reading = Reading("reference", 0.7, Status.INFERRED, f"the parties this statement refers to are {names}, named just before it")
        kinds = frozenset({(Kind.PURPOSE, Kind.RECIPIENT), (Kind.DATA_CATEGORY, Kind.RECIPIENT)})
        link_parts(b, [_part(st), (ante.unit, [(m, Role.RECIPIENT) for m in ante.having(Role.RECIPIENT)])], reading,
                   "recipient-reference", kinds)
