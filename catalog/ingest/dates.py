"""The dates a policy states: "Effective as of", "Last updated", version markers, in words or numbers.

`parse_date` reads the first date of a string ('January 17,2019', '6 May 2026', '2024-08-28', '21.06.2023');
`stated_date` finds the effective / last-updated date of a version's blocks. A page holding several
versions marks each with a `VERSION_MARKER` line ("New Version (Effective as of ...)").
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path


_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
DATE_RE = re.compile(
    rf"(?P<mdy>(?P<m1>{_MONTH})\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s*,\s*(?P<y1>\d{{4}}))"
    rf"|(?P<dmy>(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m2>{_MONTH})\s*,?\s*(?P<y2>\d{{4}}))"
    rf"|(?P<iso>(?P<y3>\d{{4}})-(?P<m3>\d{{2}})-(?P<d3>\d{{2}}))"
    rf"|(?P<my>(?P<m4>{_MONTH})\s+(?P<y4>\d{{4}}))",
    re.IGNORECASE,
)
VERSION_MARKER = re.compile(
    r"^\W*(?:part\s+[a-z]\s*:\s*)?(?:new|old|current|previous|prior)\s+version\W*.{0,20}?"
    r"effective\s+(?:as\s+of|from|on|date)?\s*:?\s*(?P<date>[^)）\n*]{6,40})",
    re.IGNORECASE | re.MULTILINE,
)
EFFECTIVE_RE = re.compile(
    r"(?:effective\s+(?:as\s+of|from|on|date)?|last\s+(?:updated|modified|revised|amended)(?:\s+on)?|updated(?:\s+on)?"
    r"|applies\s+(?:from|as\s+of)|in\s+effect\s+(?:from|as\s+of|since)|version)"
    r"\s*[:：]?\s*(?:\*\*)?\s*(?P<date>[^\n)）*]{6,40})",
    re.IGNORECASE,
)


#: Dates written in numbers only: "21.06.2023", "06/21/2023", "06-21-2023", "2023/06/21". Kept apart
#: from DATE_RE (the benchmark corpus generator rewrites DATE_RE's dates in policy bodies).
NUMERIC_DATE_RE = re.compile(
    r"(?<![\d.,/-])(?:(?P<a>\d{1,2})(?P<sep>[./-])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4})"
    r"|(?P<ny>\d{4})(?P<nsep>[./])(?P<nm>\d{1,2})(?P=nsep)(?P<nd>\d{1,2}))(?![\d.,/-]?\d)",
)


def to_day_month(a: int, b: int, sep: str) -> tuple[int, int]:
    """(day, month) of a numeric date 'a<sep>b<sep>year'. A number over 12 is the day; when both could
    be a month, '.' is read day first (21.06.2023, the European form) and '/' or '-' month first
    (06/21/2023, 06-21-2023, the American form English-language policies use)."""
    if a > 12 >= b:
        return a, b
    if b > 12 >= a:
        return b, a
    return (a, b) if sep == "." else (b, a)


def _word_date(m: re.Match[str]) -> dt.date:
    if m["mdy"]:
        return dt.date(int(m["y1"]), _MONTHS[m["m1"][:3].lower()], int(m["d1"]))
    if m["dmy"]:
        return dt.date(int(m["y2"]), _MONTHS[m["m2"][:3].lower()], int(m["d2"]))
    if m["iso"]:
        return dt.date(int(m["y3"]), int(m["m3"]), int(m["d3"]))
    return dt.date(int(m["y4"]), _MONTHS[m["m4"][:3].lower()], 1)


def _numeric_date(m: re.Match[str]) -> dt.date:
    if m["ny"]:
        return dt.date(int(m["ny"]), int(m["nm"]), int(m["nd"]))
    day, month = to_day_month(int(m["a"]), int(m["b"]), m["sep"])
    return dt.date(int(m["y"]), month, day)


def parse_date(text: str) -> dt.date | None:
    """The first date in a string: 'January 17,2019', '6 May 2026', '2024-08-28',
    'August 2026' (its first day), or numbers only, '21.06.2023', '06/21/2023', '06-21-2023' (see
    `to_day_month`). An impossible date ('31.02.2023') is no date."""
    found = [(m.start(), read, m) for rx, read in ((DATE_RE, _word_date), (NUMERIC_DATE_RE, _numeric_date))
             if (m := rx.search(text))]
    if not found:
        return None
    _, read, m = min(found, key=lambda f: f[0])
    try:
        return read(m)
    except ValueError:
        return None


#: Body statements of a date, in the order they are looked for when the head states none: the whole
#: text's "last updated" line (often at its end) before an "effective from" that may open one part of it
#: (IKEA's page holds a family-account notice "Effective from 16/09/2026", its own date "last updated on
#: September 2026").
BODY_DATE_LEADS = (re.compile(r"last (?:updated|modified|revised|amended)", re.IGNORECASE),
                   re.compile(r"effective (?:as of|from|date)|applies (?:from|as of)", re.IGNORECASE))


def stated_date(blocks: list[tuple[str, str, int]], source: str) -> tuple[dt.date | None, str]:
    """The effective / last-updated date stated near the top (else in the body), and any date the file
    name carries."""
    retrieved = ""
    if m := re.search(r"(\d{4}-\d{2}-\d{2})", Path(source).name):
        retrieved = m[1]
    head = "\n".join(t for _, t, _ in blocks[:25])
    for m in EFFECTIVE_RE.finditer(head):
        if d := parse_date(m["date"]):
            return d, retrieved
    for lead in BODY_DATE_LEADS:
        for _, t, _ in blocks:
            if lead.search(t):
                for m in EFFECTIVE_RE.finditer(t):
                    if d := parse_date(m["date"]):
                        return d, retrieved
    return (dt.date.fromisoformat(retrieved) if retrieved else None), retrieved
