"""Inline markup out of a line of text: HTML tags and character references, Markdown emphasis, links
and escapes; a list item's marker; and the letters-and-digits form texts are compared in.

Every block of a policy (heading, item, paragraph, table cell) goes through `clean_inline`, so evidence
quotes plain words whatever the source's markup. Its patterns are bounded: hostile text (an opener
never closed) costs a bounded look-ahead, not a quadratic scan.
"""

from __future__ import annotations

import html
import re


#: A list item's marker at the start of a line ('- ', '* ', '• ', 'o ', '1. ', '2) ').
ITEM = re.compile(r"^\s*(?:[*+\-•·▪●◦]|o(?=\s)|\d{1,2}[.)](?=\s))\s+(?=\S)")

#: Markup spans are bounded (the longest in ../shared/corpus is 262 characters): an opener that is never
#: closed costs a bounded look-ahead, not a scan to the end of the paragraph (quadratic on hostile text).
MAX_MARKUP = 1000
_N = f"{{0,{MAX_MARKUP}}}"
_IMG = re.compile(rf"!\[[^\]]{_N}\]\([^)]{_N}\)")
_LINK = re.compile(rf"\[([^\]]{_N})\]\((?:[^()]|\([^)]{_N}\)){_N}\)")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])")
_STRONG = re.compile(r"(\*\*|__)")
_EMPH = re.compile(rf"(?<![\w*])[*_](?=\S)(.{{1,{MAX_MARKUP}}}?)(?<=\S)[*_](?![\w*])")
_MARKUP = frozenset("*_[\\!\u200b\ufeff")
#: Inline HTML a Markdown export keeps (`<br>`, `<br/>`, `<b>`, `<a href=...>`): a break or a block
#: tag is a space, a formatting tag nothing. Only these names: '<https://...>' and '<name@host>' stay.
_BREAK_TAG = re.compile(r"</?(?:br|p|div|li|ul|ol|tr|td|th|table|tbody|thead|center)\b[^<>]{0,200}>", re.IGNORECASE)
_INLINE_TAG = re.compile(r"</?(?:span|b|strong|i|em|u|sup|sub|small|big|font|a|mark|abbr|code)\b[^<>]{0,200}>",
                         re.IGNORECASE)
_ENTITY = re.compile(r"&(?:[a-z]{2,8}\d{0,2}|#\d{1,7}|#x[0-9a-f]{1,6});", re.IGNORECASE)


def without_html(s: str) -> str:
    """Inline HTML tags and character references (`&nbsp;`, `&amp;`, `&#8217;`) out of a line of text."""
    if "<" in s:
        s = _INLINE_TAG.sub("", _BREAK_TAG.sub(" ", s))
    if "&" in s:
        s = _ENTITY.sub(lambda m: html.unescape(m[0]), s)
    return s


def clean_inline(s: str) -> str:
    """Inline HTML, Markdown emphasis, links, escapes and odd spaces out; one space between words."""
    s = without_html(s)  # tests for "<" and "&" itself
    if not _MARKUP.isdisjoint(s):
        s = _IMG.sub("", s)
        s = _LINK.sub(r"\1", s)
        s = _ESCAPE.sub(r"\1", s)
        s = _STRONG.sub("", s)
        s = _EMPH.sub(r"\1", s)
        s = s.replace("\u200b", "").replace("\ufeff", "")
    return " ".join(s.split())  # str.split's whitespace is re's \s


#: every byte but a-z and 0-9, dropped by `squash`
_NOT_ALNUM = bytes(b for b in range(256) if not (48 <= b <= 57 or 97 <= b <= 122))


def squash(s: str) -> str:
    """The lower-cased ASCII letters and digits of s (what re.sub('[^a-z0-9]+', '', s.lower()) keeps)."""
    return s.lower().encode("ascii", "ignore").translate(None, _NOT_ALNUM).decode("ascii")
