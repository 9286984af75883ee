"""Generate a benchmark corpus of many policies from the real ones in ../shared/corpus (deterministic).

Each real policy (other/*.md, alibaba-history/*.md, and the seed page; 13 versions) is normalised by
the catalog's own ingest, then rewritten with controlled variations: another publisher, effective
date and body dates, some country and recipient names swapped (United States <-> Canada, Google <->
Microsoft, ...), and its top-level sections shuffled. Organisations get several versions each, so the
corpus has many organisations with dated histories. Same arguments, same bytes (the digest printed
at the end proves it). Written under bench/out/ (git-ignored), never committed.

    python bench/make_corpus.py --n 1000 --out bench/out/corpus
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import random
import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SOURCES = (sorted((SHARED / "corpus" / "other").glob("*.md")) + sorted((SHARED / "corpus" / "alibaba-history").glob("*.md"))
           + [SHARED / "seed" / "000_1847cb862053c11f.txt"])

FIRST = ["Nordwind", "Helix", "Brightwater", "Cobalt", "Larkspur", "Meridian", "Quillon", "Redfern", "Solenne",
         "Tamarind", "Umbra", "Vantor", "Westmark", "Yarrow", "Zephyr", "Alder", "Birchfield", "Corvid", "Driftwood",
         "Ember", "Fjordline", "Granite", "Harbour", "Ivory"]
SECOND = ["Logistics", "Travel", "Payments", "Retail", "Health", "Media", "Cloud", "Mobility", "Foods", "Labs",
          "Games", "Energy"]
FORM = ["Ltd", "GmbH", "Inc.", "S.A.", "B.V.", "AB", "S.r.l.", "plc"]
#: swapped both ways, each pair with probability 1/2 per policy
COUNTRIES = [("United States", "Canada"), ("China", "Japan"), ("Singapore", "Australia"), ("India", "Brazil"),
             ("United Kingdom", "Switzerland")]
RECIPIENTS = [("Google", "Microsoft"), ("Facebook", "TikTok"), ("Criteo", "Yandex"), ("Amazon", "Baidu")]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]


def base_documents() -> list[tuple[str, str]]:
    """(publisher, normalised text) of every real policy version the corpus is made from."""
    from catalog.ingest.documents import read_policy

    return [(d.publisher.removesuffix("’s").removesuffix("'s"), d.text) for f in SOURCES for d in read_policy(f)]


def org_name(k: int) -> str:
    """A distinct, plausible organisation name for every k."""
    first, second, form = FIRST[k % len(FIRST)], SECOND[(k // len(FIRST)) % len(SECOND)], FORM[k % len(FORM)]
    extra = k // (len(FIRST) * len(SECOND))
    return f"{first} {second}{f' {extra + 1}' if extra else ''} {form}"


def long_date(d: dt.date) -> str:
    return f"{MONTHS[d.month - 1]} {d.day}, {d.year}"


def swap(text: str, pairs: list[tuple[str, str]]) -> str:
    """Swap each pair's names both ways in one pass (whole words only)."""
    if not pairs:
        return text
    table = {a: b for a, b in pairs} | {b: a for a, b in pairs}
    pattern = re.compile(r"\b(" + "|".join(re.escape(k) for k in sorted(table, key=len, reverse=True)) + r")\b")
    return pattern.sub(lambda m: table[m[1]], text)


def shuffle_sections(text: str, rng: random.Random) -> str:
    """Shuffle the top-level sections (by the highest heading level present), the preamble kept first."""
    levels = [len(m[1]) for m in re.finditer(r"^(#{1,6}) ", text, re.MULTILINE)]
    if len(levels) < 3:
        return text
    top = min(levels)
    parts = re.split(rf"(?m)^(?=#{{{top}}} )", text)
    head, sections = parts[0], [p if p.endswith("\n\n") else p.rstrip("\n") + "\n\n" for p in parts[1:]]
    rng.shuffle(sections)
    return head + "".join(sections)


def variant(publisher: str, text: str, name: str, date: dt.date, rng: random.Random) -> str:
    """One policy: the base text under another publisher and date, with swapped names and shuffled sections."""
    from catalog.ingest.dates import DATE_RE, VERSION_MARKER
    from catalog.ingest.inline import clean_inline

    # the header below states the date; a kept "New Version (Effective as of ...)" line would split it off
    out = "\n".join(line for line in text.split("\n") if not VERSION_MARKER.search(clean_inline(line)))
    out = re.sub(re.escape(publisher), name, out, flags=re.IGNORECASE)
    out = DATE_RE.sub(lambda m: long_date(date), out)
    out = swap(out, [p for p in COUNTRIES if rng.random() < 0.5])
    out = swap(out, [p for p in RECIPIENTS if rng.random() < 0.5])
    out = shuffle_sections(out, rng)
    return f"# {name} Privacy Policy\n\nLast updated: {long_date(date)}\n\n{out}"


def generate(out: Path, n: int = 1000, versions: int = 4, seed: int = 5) -> list[Path]:
    """Write n policy files (n // versions organisations, `versions` dated versions each) under out."""
    from catalog.ingest.publisher import slug

    bases = base_documents()
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    files = []
    for i in range(n):
        k, v = divmod(i, versions)
        rng = random.Random(f"{seed}-{k}-{v}")
        publisher, text = bases[(k + v) % len(bases)]
        name = org_name(k)
        date = dt.date(2018, 1, 1) + dt.timedelta(days=(k * 37) % 365 + v * 211)
        path = out / f"{slug(name)}-v{v + 1}.md"
        path.write_text(variant(publisher, text, name, date, rng), encoding="utf-8")
        files.append(path)
    return files


def history(out: Path, n: int, seed: int = 5) -> list[Path]:
    """Write n dated versions of one organisation's policy under out: the seed's text each time, its
    sections shuffled and some names swapped per version (as `variant` does). The facts stay much
    the same while every fact's and link's evidence gains a version: bench/bench_lineage.py's
    "flat in the number of versions" is measured on these."""
    from catalog.ingest.publisher import slug

    publisher, text = base_documents()[-1]
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    name = org_name(0)
    files = []
    for v in range(n):
        date = dt.date(2010, 1, 1) + dt.timedelta(days=61 * v)
        path = out / f"{slug(name)}-{date.isoformat()}.md"
        path.write_text(variant(publisher, text, name, date, random.Random(f"{seed}-history-{v}")), encoding="utf-8")
        files.append(path)
    return files


def digest(files: list[Path]) -> str:
    h = hashlib.sha256()
    for f in sorted(files):
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=1000, help="number of policy files (default 1000)")
    p.add_argument("--versions", type=int, default=4, help="versions per organisation (default 4)")
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "corpus")
    a = p.parse_args()
    files = generate(a.out, a.n, a.versions)
    size = sum(f.stat().st_size for f in files)
    print(f"wrote {len(files)} policies ({len(files) // a.versions} organisations) to {a.out}: "
          f"{size / 1e6:.1f} MB, digest {digest(files)}")


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(ROOT))
    main()
