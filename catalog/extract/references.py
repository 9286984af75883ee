"""References to what was named just before: 'this information', 'for this purpose', 'these platforms',
'the legal basis for this processing is ...', 'This may include your name...'.

Each links the statement to the data, purposes, bases or recipients of the statement it refers to
(same paragraph, list or cell, else the lead-in, the row's label cell or the section's heading);
inferred, with a note saying what the reference was read as.
"""

from __future__ import annotations

from collections import defaultdict

from catalog.extract.builder import Builder
from catalog.extract.cues import cues
from catalog.extract.links import Reading, link_parts
from catalog.extract.statements import Role, Statement
from catalog.extract.structure import part_of
from catalog.records import Kind, PolicyDocument, Status


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
                link_parts(b, [(ante.unit, data), part_of(st)], reading, "reference", kinds)
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
        if not st.affirmed or not st.names(Role.BASIS) or not c.basis_reference.search(doc.text[st.start : st.end]):
            continue
        u = doc.units[st.unit]
        block = [p for p in statements[max(0, i - 12) : i]
                 if doc.units[p.unit].paragraph == u.paragraph and (u.table < 0 or doc.units[p.unit].col == u.col)]
        described = [p for p in block if p.affirmed and p.names(Role.PURPOSE)]
        if not described and (head := heads.get(u.section)) is not None and head.names(Role.PURPOSE):
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
        if not st.affirmed or st.names(Role.PURPOSE) or not c.purpose_reference.search(doc.text[st.start : st.end]):
            continue
        u = doc.units[st.unit]
        before = [p for p in statements[max(0, i - 8) : i] if doc.units[p.unit].paragraph == u.paragraph]
        ante = next((p for p in reversed(before) if p.affirmed and p.names(Role.PURPOSE)), None)
        if ante is None and (head := heads.get(u.section)) is not None and head.affirmed and head.names(Role.PURPOSE):
            ante = head
        if ante is None:
            continue
        names = ", ".join(doc.text[m.start:m.end] for m in ante.having(Role.PURPOSE))
        reading = Reading("reference", 0.7, Status.INFERRED, f"'this purpose' in this statement refers to {names}, named just before it")
        kinds = frozenset({(Kind.DATA_CATEGORY, Kind.PURPOSE), (Kind.PURPOSE, Kind.LEGAL_BASIS), (Kind.PURPOSE, Kind.RECIPIENT)})
        link_parts(b, [(ante.unit, [(m, Role.PURPOSE) for m in ante.having(Role.PURPOSE)]), part_of(st)], reading,
                   "purpose-reference", kinds)


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
        if not st.affirmed or st.defined or not st.names(Role.DATA) or st.names(Role.PURPOSE, Role.RECIPIENT, Role.RETENTION):
            continue
        if not c.elaboration.match(doc.text[st.start : st.end]) or st.start != u.start:
            continue
        before = [p for p in statements[max(0, i - 6) : i] if doc.units[p.unit].paragraph == u.paragraph]
        ante = next((p for p in reversed(before) if p.affirmed), None)
        if ante is None and u.lead_in >= 0:
            ante = next((p for p in reversed(by_unit.get(u.lead_in, [])) if p.affirmed), None)
        if ante is None or not ante.names(Role.PURPOSE, Role.RECIPIENT, Role.RETENTION, Role.SUBJECT):
            continue
        reading = Reading("reference", 0.75, Status.INFERRED,
                          f"'{doc.text[st.start:st.end][:40]}...' specifies the data of the statement before it")
        kinds = frozenset({(Kind.DATA_CATEGORY, Kind.PURPOSE), (Kind.DATA_CATEGORY, Kind.RECIPIENT),
                           (Kind.DATA_CATEGORY, Kind.RETENTION)})
        link_parts(b, [part_of(ante), (st.unit, [(m, Role.DATA) for m in st.having(Role.DATA)])], reading, "elaboration", kinds)


def link_recipient_references(b: Builder, doc: PolicyDocument, statements: list[Statement]) -> None:
    """'These platforms may combine information ... in order to conduct targeted advertising': the
    recipients named just before (same paragraph, or the previous item of the same list) are the ones
    the statement's purposes and data go to."""
    c = cues()
    for i, st in enumerate(statements):
        u = doc.units[st.unit]
        if not st.affirmed or st.defined or st.names(Role.RECIPIENT) or not st.names(Role.PURPOSE, Role.DATA):
            continue
        if not c.recipient_reference.search(doc.text[st.start : st.end]):
            continue
        ante = None
        for p in reversed(statements[max(0, i - 8) : i]):
            pu = doc.units[p.unit]
            same_list = u.lead_in >= 0 and pu.lead_in == u.lead_in
            if pu.paragraph != u.paragraph and not same_list:
                break
            if p.affirmed and p.names(Role.RECIPIENT):
                ante = p
                break
        if ante is None:
            continue
        names = ", ".join(doc.text[m.start:m.end] for m in ante.having(Role.RECIPIENT))
        reading = Reading("reference", 0.7, Status.INFERRED, f"the parties this statement refers to are {names}, named just before it")
        kinds = frozenset({(Kind.PURPOSE, Kind.RECIPIENT), (Kind.DATA_CATEGORY, Kind.RECIPIENT)})
        link_parts(b, [part_of(st), (ante.unit, [(m, Role.RECIPIENT) for m in ante.having(Role.RECIPIENT)])], reading,
                   "recipient-reference", kinds)
