"""Links read from statements and the structure around them, by the relation schema (relations.yaml).

Each link comes from the roles of what one statement says, or from structure that joins two
statements: a list item and its lead-in, the cells of one table row, a heading and the statements
under it, a reference ("we use this information to...") and the data it refers to. A link says how
it was read (`read_as`) and how sure the reading is (`confidence`); the ones from one clause or
one table row are `stated`, the ones from a heading scope or a reference are `inferred` with a note.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from catalog.extract.builder import Builder
from catalog.extract.clauses import Polarity
from catalog.extract.mentions import Mention
from catalog.extract.statements import Role, Statement
from catalog.records import Kind, Relation, Status
from catalog.extract.bases import EXAMPLE_CUE
from catalog.vocabulary import LinkRule, concept, link_rules

#: the role a mention must play for the relation schema to link it
LINK_ROLE: dict[Kind, Role] = {
    Kind.DATA_SUBJECT: Role.SUBJECT, Kind.DATA_CATEGORY: Role.DATA, Kind.PURPOSE: Role.PURPOSE,
    Kind.LEGAL_BASIS: Role.BASIS, Kind.RECIPIENT: Role.RECIPIENT, Kind.COUNTRY: Role.DESTINATION,
    Kind.RETENTION: Role.RETENTION, Kind.COOKIE: Role.COOKIE,
}


@dataclass(frozen=True, slots=True)
class Reading:
    """How a link was read, and how sure the reading is."""

    read_as: str  # "statement" | "list item" | "table row" | "heading scope" | "reference" | "inferred"
    confidence: float
    status: Status
    note: str = ""


STATEMENT = Reading("statement", 0.9, Status.STATED)
CONDITIONAL = Reading("statement", 0.8, Status.STATED)
LIST_ITEM = Reading("list item", 0.85, Status.STATED)
TABLE_ROW = Reading("table row", 0.85, Status.STATED)


#: A part of a frame: the unit whose quote is evidence, and the (mention, role) pairs it contributes.
Part = tuple[int, Sequence[tuple[Mention, Role]]]


@functools.cache
def _rules() -> dict[tuple[Kind, Kind], tuple[LinkRule, ...]]:
    out: dict[tuple[Kind, Kind], list[LinkRule]] = {}
    for r in link_rules():
        out.setdefault((r.source, r.target), []).append(r)
    return {k: tuple(v) for k, v in out.items()}


def link_rule_pairs() -> frozenset[tuple[Kind, Kind]]:
    """The (source kind, target kind) pairs the relation schema links."""
    return frozenset(_rules())


def allowed(b: Builder, rule: LinkRule, source: Mention, target: Mention) -> bool:
    """The schema's extra conditions: named recipients only for transfers and cookies, Art. 9
    conditions only for special categories, no Art. 9 condition as a purpose's basis."""
    req = rule.requires
    if "recipient_type" in req:
        rec = source if source.kind is Kind.RECIPIENT else target
        c = b.concept(Kind.RECIPIENT, rec.concept)
        if c is None or c.attrs.get("type") != req["recipient_type"]:
            return False
    if "target_article" in req:
        c = concept(target.kind, target.concept)
        if c is None or not str(c.attrs.get("article", "")).startswith(req["target_article"]):
            return False
        src = concept(source.kind, source.concept)
        if src is None or not src.attrs.get("special_category"):
            return False
    if rule.relation is Relation.BASED_ON and rule.source is Kind.PURPOSE:
        c = concept(Kind.LEGAL_BASIS, target.concept)
        if c is not None and str(c.attrs.get("article", "")).startswith("9"):
            return False
    return True


def link_pair(b: Builder, a: Mention, t: Mention, units: Iterable[int], reading: Reading, rule_name: str) -> bool:
    """Link two mentions if the schema relates their kinds; True when a link was made."""
    made = False
    if a.kind is Kind.PURPOSE and t.kind is Kind.LEGAL_BASIS and (c := concept(Kind.LEGAL_BASIS, t.concept)) \
            and c.attrs.get("as_art6"):
        t = replace(t, concept=c.attrs["as_art6"])  # "explicit consent" to a purpose: Art. 6(1)(a) consent
    rules = _rules().get((a.kind, t.kind), ())
    if not rules:
        return False
    src, dst = a.kind + ":" + a.concept, t.kind + ":" + t.concept  # node_id, without its enum look-up
    if src == dst or src not in b.facts or dst not in b.facts:
        return False  # (allowed() is pure: asked only of facts that exist)
    for rule in rules:
        if not allowed(b, rule, a, t):
            continue
        ev = [b.evidence(u, f"{rule_name}:{rule.relation}", reading.note) for u in dict.fromkeys(units)]  # formats as its value
        b.add_link(src, dst, rule.relation, reading.status, ev, read_as=reading.read_as, confidence=reading.confidence)
        made = True
    return made


def _linkable(pairs: Iterable[tuple[Mention, Role]]) -> list[Mention]:
    return [m for m, r in pairs if LINK_ROLE.get(m.kind) is r]


def link_statement(b: Builder, st: Statement) -> None:
    """Links inside one clause. Where a clause names several runs of data and of purposes (or
    recipients, retention), each run of one kind pairs with the nearest run of the other: "we use
    A and B to do X, and C to do Y" links A, B to X and C to Y, not C to X."""
    if not st.affirmed or st.defined:
        return
    reading = STATEMENT if st.polarity is Polarity.AFFIRMED else CONDITIONAL
    ms = _linkable(zip(st.mentions, st.roles))
    text = b.doc.text
    for a, t in paired(ms, text):
        if a.kind is Kind.PURPOSE and t.kind is Kind.LEGAL_BASIS and t.end <= a.start and EXAMPLE_CUE.search(text[t.end : a.start]):
            # "Contract: necessary to perform our agreement (for example, to provide you with the services you
            # request)": the purpose illustrates the basis rather than being stated to rest on it
            note = f"'{text[a.start:a.end]}' is given as an example of '{text[t.start:t.end]}' in this sentence"
            link_pair(b, a, t, [st.unit], Reading("statement (example)", 0.75, Status.INFERRED, note), "example-of-basis")
            continue
        link_pair(b, a, t, [st.unit], reading, "statement")


#: kinds whose mentions pair by runs (the rest pair with every mention of the other kind)
RUN_KINDS = frozenset({Kind.DATA_CATEGORY, Kind.PURPOSE, Kind.RECIPIENT, Kind.RETENTION})


def paired(ms: list[Mention], text: str = "") -> list[tuple[Mention, Mention]]:
    """(source, target) candidate pairs of one clause. For each pair of kinds the schema relates, the
    clause's mentions of those two kinds fall into runs; a run pairs with the run of the other kind it reads
    with (see _nearest), other kinds named between them aside ("share your billing/shipping address ... with")."""
    out: list[tuple[Mention, Mention]] = []
    kinds = {m.kind for m in ms}
    for (ka, kb) in _rules():
        if ka not in kinds or kb not in kinds or ka is kb:
            continue
        runs: list[tuple[Kind, list[Mention]]] = []
        for m in ms:
            if m.kind is not ka and m.kind is not kb:
                continue
            if runs and runs[-1][0] is m.kind:
                runs[-1][1].append(m)
            else:
                runs.append((m.kind, [m]))
        for i, (ki, ri) in enumerate(runs):
            if ki is not ka:
                continue
            for j, (kj, rj) in enumerate(runs):
                if kj is not kb:
                    continue
                if ka in RUN_KINDS and kb in RUN_KINDS and not _nearest(runs, i, j, text):
                    continue
                out.extend((a, t) for a in ri for t in rj)
    return out


#: the words that join data to what follows it: "A to do X", "A for X", "A with Y", "A for 30 days"
_JOINS_AFTER = {
    Kind.PURPOSE: re.compile(r"\b(?:to|for|in\s+order\s+to|so\s+(?:that|we|as)|as|because|when|if|in\s+accordance\s+with)\b", re.IGNORECASE),
    Kind.RECIPIENT: re.compile(r"\b(?:with|to|by|among|between)\b", re.IGNORECASE),
    Kind.RETENTION: re.compile(r"\w"),
}


def _nearest(runs: list[tuple[Kind, list[Mention]]], i: int, j: int, text: str = "") -> bool:
    """Whether run j is the one run i reads with, among the runs of j's kind around i (none of i's kind
    between). The one after i wins when the words between join them ("A and B to do X", "share A with Y");
    else the one before ("To do X, we use A"; "shared with Y for A transactions"); else the one after."""
    ki, kj = runs[i][0], runs[j][0]
    if sum(1 for k, _ in runs if k is kj) == 1 and sum(1 for k, _ in runs if k is ki) == 1:
        return True
    after = before = None
    for k in range(i + 1, len(runs)):
        if runs[k][0] is ki:
            break
        if runs[k][0] is kj:
            after = k
            break
    for k in range(i - 1, -1, -1):
        if runs[k][0] is ki:
            break
        if runs[k][0] is kj:
            before = k
            break
    if after is not None and before is not None:
        gap = text[runs[i][1][-1].end : runs[after][1][0].start] if text else ""
        joins = _JOINS_AFTER.get(kj)
        choice: int | None = after if (joins is None or not text or joins.search(gap)) else before
    else:
        choice = after if after is not None else before
    return choice == j


def link_parts(b: Builder, parts: Sequence[Part], reading: Reading, rule_name: str,
               kinds: frozenset[tuple[Kind, Kind]] | None = None) -> None:
    """Links across the parts of a frame (a lead-in and its item, the cells of a row...), never
    inside one part (a part's own clause links itself)."""
    for i, (ua, pa) in enumerate(parts):
        for j, (ut, pt) in enumerate(parts):
            if i == j:
                continue
            for a in _linkable(pa):
                for t in _linkable(pt):
                    if kinds is not None and (a.kind, t.kind) not in kinds:
                        continue
                    link_pair(b, a, t, [ua, ut], reading, rule_name)
