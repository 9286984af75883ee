"""Work grows linearly with the text: over-long units are split where a reader would pause, markup
look-aheads are bounded, and hostile shapes that used to take minutes build in seconds.

The timings here are gross-regression guards only (the figures come from bench/bench_linear.py)."""

from __future__ import annotations

import time

import pytest

from catalog.pipeline.build import build
from catalog.ingest.documents import read_policy, to_documents
from catalog.ingest.markup import MAX_HEADING
from catalog.ingest.segment import MAX_UNIT, segment, sentences, split_long
from catalog.store.engine import make_engine

TITLE = "Acme Privacy Policy\n\nEffective date: 1 March 2024\n\n"
DENSE = "we collect your email address and phone number and share them with Google for advertising "


def _words(s: str) -> list[str]:
    return s.split()


def test_split_long_cuts_at_sentence_marks_then_commas_then_spaces_then_anywhere():
    clauses = "; ".join(f"clause {i} names your email address" for i in range(400))
    pieces = split_long(clauses, 0, len(clauses), limit=500)
    assert all(b - a <= 500 for a, b in pieces) and len(pieces) > 10
    assert all(clauses[a:b].endswith(";") for a, b in pieces[:-1])  # cut after a semicolon
    assert _words(" ".join(clauses[a:b] for a, b in pieces)) == _words(clauses)  # nothing lost

    commas = ", ".join(f"item {i}" for i in range(400))
    assert all(commas[a:b].endswith(",") for a, b in split_long(commas, 0, len(commas), limit=300)[:-1])

    words = " ".join(f"word{i}" for i in range(400))
    pieces = split_long(words, 0, len(words), limit=300)
    assert _words(" ".join(words[a:b] for a, b in pieces)) == _words(words)  # cut between words

    token = "x" * 1000
    assert split_long(token, 0, 1000, limit=300) == [(0, 300), (300, 600), (600, 900), (900, 1000)]
    assert split_long("short", 0, 5) == [(0, 5)]


def test_a_paragraph_without_full_stops_becomes_units_of_bounded_length():
    text = (DENSE * 2000).strip()
    spans = sentences(text)
    assert max(b - a for a, b in spans) <= MAX_UNIT and len(spans) >= len(text) // MAX_UNIT
    assert _words(" ".join(text[a:b] for a, b in spans)) == _words(text)
    _, units = segment(text + "\n")
    assert max(u.end - u.start for u in units) <= MAX_UNIT


def test_sentences_still_skip_abbreviations_in_a_long_run_of_them():
    text = "We use e.g. cookies, i.e. small files, etc. and more. " * 500 + "Then a new sentence ends here."
    spans = sentences(text)
    assert all(not text[a:b].endswith(("e.g.", "i.e.")) for a, b in spans)
    assert text[spans[-1][0]:spans[-1][1]] == "Then a new sentence ends here."


def test_a_heading_line_too_long_for_a_heading_is_a_paragraph():
    long_heading = "# " + "We collect your email address " * 20
    assert len(long_heading) > MAX_HEADING
    [doc] = to_documents(TITLE + long_heading + "\n\nWe share it with Google.\n", "acme.md", "markdown")
    assert all(len(s.title) <= MAX_HEADING for s in doc.sections)
    assert "We collect your email address We collect" in doc.text


def test_a_long_paragraph_with_a_copyright_sign_is_kept():
    # page chrome is short; a long block is policy text even if it mentions '© 2024'
    body = "We collect your email address and share it with Google. " * 40 + "© 2024 Acme. All rights reserved."
    [doc] = to_documents(TITLE + body + "\n", "acme.txt")
    assert "We collect your email address and share it with Google." in doc.text


@pytest.mark.parametrize("shape", ["no-full-stops", "one-long-token", "unclosed-emphasis", "unclosed-links"])
def test_hostile_shapes_build_in_seconds_not_minutes(shape, tmp_path):
    size = 300_000  # before issue 11: about 130 s, 290 s, 144 s and 28 s on this machine; now a second or two
    body = {
        "no-full-stops": DENSE * (size // len(DENSE)),
        "one-long-token": "a" * size,
        "unclosed-emphasis": " _email address" * (size // 15),
        "unclosed-links": " [email address" * (size // 15),
    }[shape]
    path = tmp_path / "hostile.txt"
    path.write_text(TITLE + body + "\n", encoding="utf-8")
    t = time.perf_counter()
    result = build([path], make_engine(str(tmp_path / "c.db")))
    assert time.perf_counter() - t < 60, "a gross regression: linear work on 300 KB takes seconds"
    assert result.policy_ids == ["acme-2024-03-01"]
    [doc] = read_policy(path)
    assert max(u.end - u.start for u in doc.units) <= max(MAX_UNIT, MAX_HEADING)


def test_a_text_without_blank_lines_is_read_as_paragraphs_of_bounded_length(tmp_path):
    # 'same paragraph' relates every safeguard to every transfer in it: over one 440 KB paragraph that
    # was every pair in the text (work growing with its square: 193 s here before issue 11, now seconds)
    from catalog.ingest.segment import MAX_PARAGRAPH

    sentence = "We transfer your email address to the United States. Such transfers rely on standard contractual clauses. "
    path = tmp_path / "one-paragraph.txt"
    path.write_text(TITLE + sentence * 4000 + "\n", encoding="utf-8")
    [doc] = read_policy(path)
    spans: dict[int, list[int]] = {}
    for u in doc.units:
        spans.setdefault(u.paragraph, []).extend((u.start, u.end))
    longest = max(max(v) - min(v) for v in spans.values())
    assert longest < len(doc.text) / 20 and longest <= MAX_PARAGRAPH + MAX_UNIT
    t = time.perf_counter()
    assert build([path], make_engine(str(tmp_path / "c.db"))).policy_ids == ["acme-2024-03-01"]
    assert time.perf_counter() - t < 60, "a gross regression: linear work on 440 KB takes seconds"
