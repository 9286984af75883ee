"""Recipients no lexicon lists: companies by their legal name ("Hubspot, Inc.", "ProtonLabs DOOEL") and
categories of recipients named in the policy's own words ("connectivity providers", "event sponsors",
"registry operators"). They become mentions of concepts this document adds (Builder.dynamic); like any
recipient mention they make a fact only where a statement gives them the role of a recipient.
"""

from __future__ import annotations

import re

from catalog.extract.builder import Builder
from catalog.extract.mentions import Mention
from catalog.extract.organisations import organisations
from catalog.ingest import slug
from catalog.records import Kind, PolicyDocument
from catalog.vocabulary import Concept

#: the head nouns of a category of recipients
_HEADS = (r"providers?|partners?|companies|agencies|vendors|processors|platforms|networks|sponsors|peers|bodies|operators|"
          r"holders|labels|developers|administrators|researchers|auditors|merchants|advis[eo]rs|consultants|lawyers|insurers|"
          r"brokers|resellers|contractors|suppliers|moderators|regulators|institutions|banks|organi[sz]ations|distributors|"
          r"agents|counterparties|acquirers|purchasers|successors|issuers|intermediaries|publishers|advertisers|carriers")
#: the words that may qualify it (lower-case, no determiners: "age verification providers", "ad measurement partners")
_MODIFIER = r"(?:[a-z][a-z&-]{1,20}|third[- ]party|e-commerce)"
CATEGORY = re.compile(rf"(?<![\w-])(?P<np>(?:{_MODIFIER}\s+){{1,3}}(?:{_HEADS}))\b", re.IGNORECASE)
_SKIP_MODIFIER = re.compile(r"^(?:the|our|its|their|your|these|those|such|certain|some|any|all|other|selected|trusted|relevant|"
                            r"respective|various|and|or|of|to|with|by|for|from|in|on|as|a|an|that|which|who|are|is|third-party|"
                            r"third party|external|outside|independent|new|potential|prospective|many|several|no|not|also|"
                            r"including|like|e\.g|between|among)$")


def party_mentions(b: Builder, doc: PolicyDocument, mentions: list[Mention], own_names: list[str]) -> list[Mention]:
    """Mentions of companies and recipient categories that no lexicon recipient already covers."""
    taken = [(m.start, m.end) for m in mentions if m.kind is Kind.RECIPIENT]
    own = {n.lower() for n in own_names}
    out: list[Mention] = []
    for ui, u in enumerate(doc.units):
        text = doc.text[u.start : u.end]
        for name, a, z in organisations(text):
            a, z = u.start + a, u.start + z
            if _overlaps(taken, a, z) or name.lower() in own:
                continue
            ident = f"org-{slug(name)}"
            b.dynamic.setdefault((Kind.RECIPIENT, ident), Concept(Kind.RECIPIENT, ident, name, "", {"type": "named", "legal_name": name}))
            out.append(Mention(Kind.RECIPIENT, ident, ui, a, z))
            taken.append((a, z))
        for m in CATEGORY.finditer(text):
            words = m["np"].split()
            while words and _SKIP_MODIFIER.match(words[0].lower()):
                words.pop(0)
            if len(words) < 2:
                continue
            phrase = " ".join(words)
            z = u.start + m.end("np")
            a = z - len(phrase)
            if _overlaps(taken, a, z):
                continue
            ident = f"category-{slug(phrase)}"
            label = phrase[0].upper() + phrase[1:]
            b.dynamic.setdefault((Kind.RECIPIENT, ident), Concept(Kind.RECIPIENT, ident, label, "", {"type": "category"}))
            out.append(Mention(Kind.RECIPIENT, ident, ui, a, z))
            taken.append((a, z))
    return out


def _overlaps(spans: list[tuple[int, int]], a: int, z: int) -> bool:
    return any(s < z and a < e for s, e in spans)
