"""Site chrome: navigation, footers, rows of links, language pickers and scraped repeats, dropped from a page.

A block is chrome when one of lexicons/chrome.yaml's patterns is found in it (vocabulary as data);
blocks that repeat earlier text at the page's tail are scrape artefacts. Long blocks and table rows are
never chrome.
"""

from __future__ import annotations

import functools

from catalog.folded import Folded, fold, found_any
from catalog.ingest.inline import squash
from catalog.ingest.tables import TABLE_KINDS
from catalog.vocabulary import read_yaml


#: Navigation and footers are short (the longest in the seed and ../shared/corpus: 250 characters); a longer
#: block is policy text, even with a '©' in it, and is not searched (some patterns are slow on long runs).
MAX_CHROME = 1000


@functools.cache
def chrome_patterns() -> tuple[Folded, ...]:
    """lexicons/chrome.yaml's patterns (a block is chrome when any of them is found in it).

    Kept apart, not joined into one alternation: each keeps its own anchor and the literals every
    match must hold, so a block is rejected by substring tests; joined, the unanchored ones were
    tried at every position of every block (three times the cost of the rest of ingest)."""
    return tuple(fold(p) for p in read_yaml("chrome.yaml")["patterns"])


def is_chrome(text: str) -> bool:
    return found_any(chrome_patterns(), text)


def drop_chrome(blocks: list[tuple[str, str, int]], squashed_page: str) -> list[tuple[str, str, int]]:
    """Drop navigation/footer blocks anywhere, and scraped repeats at the tail of the page.

    `squashed_page` is `squash(page)`, computed once per page by the caller.
    """
    # a table row is never navigation: "| Jurisdictions | Representative | Address |" is a header, not links
    kept = [b for b in blocks if len(b[1]) > MAX_CHROME or b[0] in TABLE_KINDS or not is_chrome(b[1])]
    # trailing blocks that repeat text found earlier in the page are scrape artefacts
    while kept:
        kind, text, _ = kept[-1]
        key = squash(text)
        first = squashed_page.find(key)
        if key and first != -1 and squashed_page.find(key, first + 1) != -1:
            kept.pop()
            continue
        break
    return kept
