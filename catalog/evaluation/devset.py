"""The annotated dev set (GDPR Transparency 200, dev split) as our input, our gold, and a score.

Each dev file is one app's privacy policy as a list of passages (headline / text / list_item /
table_cell, with their heading `context`) whose `annotations` name what the passage states.
We render the passages as the canonical text ingest reads, run the real pipeline on it, map
every fact's evidence back to the passages it overlaps, and compare per passage and kind.

Scoring unit: (passage, kind). Gold: the passage carries at least one `performed: true`
annotation mapped to that kind. Predicted: at least one evidence quote of a fact of that kind
overlaps the passage. `performed: false` annotations ("we do not collect your name") are not
gold, so a fact extracted from such a negated passage counts as a false positive.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from catalog.extract import extract
from catalog.ingest.documents import to_documents
from catalog.ingest.inline import ITEM, clean_inline
from catalog.records import Extraction, Kind

Passage = Mapping[str, Any]

#: dev-set requirement -> the kind we score it as ("" = reported, never scored).
REQUIREMENT_KIND: dict[str, str] = {
    "Data Categories": "data_category",
    "Processing Purpose": "purpose",
    "Data Recipients": "recipient",
    "Legal Basis for Processing": "legal_basis",
    "Legitimate Interests for Processing": "legitimate_interests",
    "Data Retention Period": "retention",
    "Third-country Transfers": "transfer",
    "Controller Name": "controller",
    "Controller Contact": "controller",
    "DPO Contact": "controller",
    "Right to Access": "right",
    "Right to Rectification": "right",
    "Right to Erasure": "right",
    "Right to Restrict": "right",
    "Right to Portability": "right",
    "Right to Object": "right",
    "Right to Withdraw Consent": "right",
    "Right to Lodge Complaint": "right",
    "Automated Decision-Making": "right",
    "Source of Data": "",
}

#: the right a "Right to ..." requirement names -> our right concept id (scored as `right:<id>` too).
REQUIREMENT_RIGHT: dict[str, str] = {
    "Right to Access": "access",
    "Right to Rectification": "rectification",
    "Right to Erasure": "erasure",
    "Right to Restrict": "restriction",
    "Right to Portability": "portability",
    "Right to Object": "objection",
    "Right to Withdraw Consent": "withdraw-consent",
    "Right to Lodge Complaint": "complaint",
    "Automated Decision-Making": "automated-decisions",
}

#: our fact kinds -> the scored kind their evidence predicts.
FACT_KIND: dict[Kind, str] = {
    Kind.DATA_CATEGORY: "data_category",
    Kind.PURPOSE: "purpose",
    Kind.RECIPIENT: "recipient",
    Kind.LEGAL_BASIS: "legal_basis",
    Kind.RETENTION: "retention",
    Kind.COUNTRY: "transfer",
    Kind.SAFEGUARD: "transfer",
    Kind.CONTROLLER: "controller",
    Kind.RIGHT: "right",
}

#: the order the score table lists kinds in.
SCORED_KINDS: tuple[str, ...] = (
    "data_category", "purpose", "recipient", "legal_basis", "legitimate_interests", "retention",
    "transfer", "controller", "right",
)


def load(path: str | Path) -> list[Passage]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _one_line(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


def _heading_level(passages: list[Passage], i: int) -> int:
    """A headline's level: the hN its following passages file it under, else one below its own context."""
    title = _one_line(passages[i]["passage"])
    for p in passages[i + 1 : i + 40]:
        for c in p.get("context", []):
            if c.get("type", "").startswith("h") and _one_line(c.get("text", "")) == title:
                return min(int(c["type"][1:] or 1), 6)
    depth = sum(1 for c in passages[i].get("context", []) if c.get("type", "").startswith("h"))
    return min(depth + 1, 6)


def _is_item(p: Passage) -> bool:
    ctx = p.get("context", [])
    return p["type"] == "list_item" or bool(ctx and ctx[-1].get("type") == "list_intro")


def to_text(passages: list[Passage]) -> str:
    """Passages as Markdown: headlines as headings by depth, list items as `- `, the rest as paragraphs."""
    blocks = []
    for i, p in enumerate(passages):
        text = _one_line(p["passage"])
        if not text:
            continue
        if p["type"] == "headline":
            blocks.append("#" * _heading_level(passages, i) + " " + text)
        elif _is_item(p):
            blocks.append("- " + text)
        else:
            blocks.append(text)
    return "\n\n".join(blocks) + "\n"


def _normalised(text: str) -> str:
    return clean_inline(unicodedata.normalize("NFKC", _one_line(text)))


def _blocks(doc_text: str) -> list[tuple[int, str]]:
    """(start, text) of each blank-line-separated block of the canonical text."""
    out, pos = [], 0
    for block in doc_text.split("\n\n"):
        out.append((pos, block))
        pos += len(block) + 2
    return out


def locate(doc_text: str, passages: list[Passage], lookahead: int = 4) -> list[tuple[int, int] | None]:
    """Each passage's (start, end) in the normalised text, or None if ingest dropped it.

    Ingest keeps one block per passage, in order (less what it drops as chrome), so each passage
    is looked for in the next few blocks only: a table-of-contents line never jumps to its heading.
    """
    blocks = _blocks(doc_text)
    spans: list[tuple[int, int] | None] = []
    cursor = 0
    for p in passages:
        norm = _normalised(p["passage"])
        stripped = norm[m.end():] if (m := ITEM.match(norm)) else norm
        span = None
        for j in range(cursor, min(cursor + lookahead, len(blocks))):
            start, block = blocks[j]
            for needle in (norm, stripped, stripped[:40]):
                at = block.find(needle) if needle else -1
                if at != -1:
                    end = start + at + len(needle) if needle in (norm, stripped) else start + len(block)
                    span, cursor = (start + at, end), j + 1
                    break
            if span:
                break
        spans.append(span)
    return spans


def gold(passages: list[Passage]) -> list[set[str]]:
    """Per passage, the kinds its performed annotations state (plus `right:<id>` for each right)."""
    out: list[set[str]] = []
    for p in passages:
        kinds: set[str] = set()
        for a in p.get("annotations", []):
            if not a.get("performed", True):
                continue
            if kind := REQUIREMENT_KIND.get(a["requirement"]):
                kinds.add(kind)
            if right := REQUIREMENT_RIGHT.get(a["requirement"]):
                kinds.add(f"right:{right}")
        out.append(kinds)
    return out


def _fact_kinds(fact_kind: Kind, ident: str, key: str) -> list[str]:
    kinds = [FACT_KIND[fact_kind]] if fact_kind in FACT_KIND else []
    if fact_kind is Kind.RIGHT:
        kinds.append(f"right:{ident}")
    if fact_kind is Kind.LEGAL_BASIS and key == "Legitimate interests":
        kinds.append("legitimate_interests")
    return kinds


def predicted(extractions: list[Extraction], spans: list[tuple[int, int, int] | None]) -> list[set[str]]:
    """Per passage, the kinds of the facts whose evidence overlaps it (spans: (doc index, start, end))."""
    out: list[set[str]] = [set() for _ in spans]
    for di, x in enumerate(extractions):
        mine = [(i, s[1], s[2]) for i, s in enumerate(spans) if s is not None and s[0] == di]
        for f in x.facts:
            kinds = _fact_kinds(f.kind, f.ident, f.key)
            if not kinds:
                continue
            for e in f.evidence:
                for i, a, b in mine:
                    if a < e.end and e.start < b:
                        out[i].update(kinds)
    return out


@dataclass
class Counts:
    """Passage counts of one kind: gold, predicted, both."""

    gold: int = 0
    predicted: int = 0
    tp: int = 0

    @property
    def precision(self) -> float:
        return self.tp / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.tp / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: Counts) -> None:
        self.gold += other.gold
        self.predicted += other.predicted
        self.tp += other.tp


@dataclass
class PolicyScore:
    """One dev policy's counts per kind, and how many passages ingest dropped."""

    name: str
    counts: dict[str, Counts] = field(default_factory=dict)
    passages: int = 0
    unlocated: int = 0
    reported: Counter[str] = field(default_factory=Counter)  # gold of kinds we do not score (Source of Data)
    values: Counter[str] = field(default_factory=Counter)  # gold value phrases located, per kind
    value_hits: Counter[str] = field(default_factory=Counter)  # ... of which a fact's evidence covers


def score_passages(passages: list[Passage], name: str = "<passages>") -> PolicyScore:
    """Run the whole pipeline on one passage list and count (passage, kind) hits against the gold."""
    docs = to_documents(to_text(passages), f"{name}.md", "markdown")
    extractions = [extract(d) for d in docs]
    spans: list[tuple[int, int, int] | None] = [None] * len(passages)
    for di, d in enumerate(docs):
        for i, s in enumerate(locate(d.text, passages)):
            if s is not None and spans[i] is None:
                spans[i] = (di, s[0], s[1])
    g, p = gold(passages), predicted(extractions, spans)
    result = PolicyScore(name, passages=len(passages), unlocated=sum(1 for s in spans if s is None))
    for gi, pi in zip(g, p):
        for kind in gi | pi:
            c = result.counts.setdefault(kind, Counts())
            c.gold += kind in gi
            c.predicted += kind in pi
            c.tp += kind in gi and kind in pi
    for passage in passages:
        for a in passage.get("annotations", []):
            if a.get("performed", True) and REQUIREMENT_KIND.get(a["requirement"]) == "":
                result.reported[a["requirement"]] += 1
    _score_values(result, passages, spans, docs, extractions)
    return result


def _value_span(doc_text: str, span: tuple[int, int], value: str) -> tuple[int, int] | None:
    """Where an annotation's value phrase sits inside its passage (its longest fragment, since values
    elide with '[...]' and 'PLACEHOLDER')."""
    parts = [_normalised(x) for x in re.split(r"\[\.\.\.\]|PLACEHOLDER", value)]
    part = max(parts, key=len, default="")
    if not part:
        return None
    at = doc_text.find(part, span[0], span[1])
    return (at, at + len(part)) if at != -1 else None


def _score_values(result: PolicyScore, passages: list[Passage], spans: list[tuple[int, int, int] | None],
                  docs: list, extractions: list[Extraction]) -> None:
    """Value level: a gold value phrase is found when evidence of a fact of its kind covers it
    (evidence is a sentence or list item, so this is sentence-level, finer than the passage)."""
    evidence: dict[tuple[int, str], list[tuple[int, int]]] = {}
    for di, x in enumerate(extractions):
        for f in x.facts:
            for kind in _fact_kinds(f.kind, f.ident, f.key):
                evidence.setdefault((di, kind), []).extend((e.start, e.end) for e in f.evidence)
    for p, s in zip(passages, spans):
        if s is None:
            continue
        for a in p.get("annotations", []):
            wanted = REQUIREMENT_KIND.get(a["requirement"])
            if not a.get("performed", True) or not wanted:
                continue
            where = _value_span(docs[s[0]].text, (s[1], s[2]), a.get("value", ""))
            if where is None:
                continue
            result.values[wanted] += 1
            if any(e0 < where[1] and where[0] < e1 for e0, e1 in evidence.get((s[0], wanted), ())):
                result.value_hits[wanted] += 1


def micro(scores: Iterable[PolicyScore]) -> dict[str, Counts]:
    """Counts summed over policies, per kind."""
    total: dict[str, Counts] = {}
    for s in scores:
        for kind, c in s.counts.items():
            total.setdefault(kind, Counts()).add(c)
    return total


def macro(scores: list[PolicyScore], kind: str) -> tuple[float, float, float]:
    """Mean precision, recall and F1 of one kind over the policies whose gold or output has it."""
    rows = [s.counts[kind] for s in scores if kind in s.counts]
    ps = [c.precision for c in rows if c.predicted]
    rs = [c.recall for c in rows if c.gold]
    fs = [c.f1 for c in rows if c.gold and c.predicted] + [0.0 for c in rows if bool(c.gold) != bool(c.predicted)]
    mean = lambda xs: sum(xs) / len(xs) if xs else 0.0  # noqa: E731
    return mean(ps), mean(rs), mean(fs)


def score_dir(path: str | Path) -> list[PolicyScore]:
    return [score_passages(load(f), f.stem) for f in sorted(Path(path).glob("*.json"))]
