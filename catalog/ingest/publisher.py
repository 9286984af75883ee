"""Who publishes a policy and what it is called: the organisation and title of a version, and slugs.

The organisation comes from the title line ("Vinted – Privacy Policy"), else a "<Org> Privacy Policy"
heading near the top, else a copyright line, else the file name; a question or a sentence before
"Privacy Policy" is never taken for a name. `slug` makes the publisher part of a policy id.
"""

from __future__ import annotations

import re
from pathlib import Path

from catalog.ingest.inline import clean_inline, squash


TITLE_RE = re.compile(r"^(?P<pub>.*?)\s*\b(?P<title>privacy\s+(?:policy|notice|statement)|privacy\s*&\s*cookie\s+policy|data\s+protection\s+(?:policy|notice))\b", re.IGNORECASE)
COPYRIGHT_RE = re.compile(r"©\s*(?:\d{4}(?:\s*[-–]\s*\d{4})?)?\s*(?P<name>[A-Z][\w.&' -]{1,60}?)\.?\s+All rights reserved", re.IGNORECASE)


def slug(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-") or "policy"


#: Words that make the text before "Privacy Policy" a phrase, not a name: "What is the Privacy Policy and
#: what does it cover?", "Pets has adopted this Privacy Policy", "Hey there! Welcome to Tinder's Privacy Policy".
NOT_IN_A_NAME = frozenset(
    "what how why when where who which whose is are was were be been do does did has have had will would can "
    "could may might shall should must this these that those our your their its we you us about welcome read "
    "see view please update updated changes change".split())
#: Separators of a scraped page title's brand tail: "Binance Privacy Notice - Binance", "Privacy Policy | Spotify".
_TAIL = re.compile(r"^\s*[-–—|·:]\s*(?P<brand>.+?)\s*$")
_PUB_EDGES = " -–—:|#*·"


def to_name(lead: str) -> str:
    """The organisation a title's lead names ("Vinted –", "Proton’s"), or "" when it is no name: empty,
    a pronoun, too long, or a phrase (a question, a sentence, "Welcome to ...")."""
    pub = re.sub(r"[’']s$", "", clean_inline(lead).strip(_PUB_EDGES)).strip(_PUB_EDGES)
    words = {w.strip(".,;!?\"“”()").lower() for w in pub.split()}
    if pub.lower() in {"", "our", "the", "this", "<. back to list"} or len(pub) > 40 or "?" in pub or "!" in pub \
            or words & NOT_IN_A_NAME:
        return ""
    return pub


def _title_candidates(blocks: list[tuple[str, str, int]]) -> list[tuple[str, str, re.Match[str]]]:
    """(kind, text, TITLE_RE match) of the first blocks that name the policy; a question names none."""
    return [(k, t, m) for k, t, _ in blocks[:8] if (m := TITLE_RE.search(t)) and "?" not in t[:m.end() + 60]]


def _file_name_publisher(raw: str, source: str) -> str:
    """The organisation a file's name gives ('Facebook.privacy.md', 'Booking_com.privacy.md',
    'alibaba.com-privacy-2024-08-29.md'), spelt as the text spells it most often."""
    stem = Path(source).stem
    stem = re.split(r"[.\-_ ](?:privacy|policy)", stem, flags=re.IGNORECASE)[0]
    stem = re.sub(r"_(com|net|org|io|co|de|fr|uk)$", r".\1", stem)
    stem = stem.replace("_", " ").strip() or "Unknown publisher"
    forms = re.findall(re.escape(stem), raw, re.IGNORECASE)
    forms = [f for f in forms if f[0].isupper()] or forms  # 'Alibaba.com' over URLs' 'alibaba.com'
    if stem[0].isupper() and not any(f[0].isupper() for f in forms):
        return stem  # 'Facebook' (the file name) over URLs' 'facebook'
    return max(sorted(set(forms)), key=forms.count) if forms else stem


def _without_brand_tail(rest: str, pub: str, source: str) -> str:
    """A title's tail without a scraped page title's repeat of the brand (" - Binance", " | Binance.com")."""
    m = _TAIL.match(rest)
    if not m:
        return rest
    brand, own = squash(m["brand"]), {squash(pub), squash(Path(source).stem.split(".")[0])} - {""}
    return "" if brand and any(brand in o or o in brand for o in own) else rest


def publisher_and_title(raw: str, blocks: list[tuple[str, str, int]], source: str, known: str = "") -> tuple[str, str]:
    """(publisher, title): the organisation from the title line, else from a "<Org> Privacy Policy"
    heading near the top, else a copyright line, else the file name; `known` wins if given. A question
    ("What is the Privacy Policy ...?") or a sentence is never taken for a title's organisation."""
    candidates = _title_candidates(blocks)
    title, m, pub = "", None, ""
    if candidates:
        _, title, m = candidates[0]
        pub = to_name(m["pub"])
        if not pub:  # a later "<Org> Privacy Policy" heading names the organisation the first title line did not
            named = next(((t, n) for k, t, n in candidates[1:] if k == "heading" and to_name(n["pub"])), None)
            if named:
                title, m = named
                pub = to_name(m["pub"])
    else:
        title = next((t for k, t, _ in blocks[:3] if k == "heading" and "?" not in t
                      and re.search(r"polic|notice|statement|privacy|data", t, re.IGNORECASE)), "Privacy Policy")
    pub = known or pub
    if not pub and (c := COPYRIGHT_RE.search(raw)):
        pub = c["name"].strip()
    if not pub:
        pub = _file_name_publisher(raw, source)
    if m:
        name = m["title"].title() if m["title"].islower() or m["title"].isupper() else m["title"]
        rest = title[m.end():].strip() if len(title) - m.end() <= 40 else ""  # e.g. 'for Travellers'
        rest = "" if rest.endswith(".") else rest  # the end of a sentence ("... Privacy Policy to explain it."), no title
        title = f"{pub} {name} {_without_brand_tail(rest, pub, source)}"
    elif pub.lower() not in title.lower():
        title = f"{pub} {title}"
    return pub, re.sub(r"\s+", " ", title).strip()
