"""DOT rendering: clusters in data-flow order, Art. 9 marked, inferred edges dashed, SCC labelled, labels escaped."""

from __future__ import annotations

import re
from collections import Counter
import shutil
import subprocess

import networkx as nx
import pytest

from catalog.extract import extract
from catalog.graph.build import restrict, to_graph
from catalog.ingest.documents import read_policy
from catalog.queries.lineage.walk import downstream
from catalog.export.dot import SPECIAL_FILL, lineage_to_dot, to_dot

NEW = "alibaba-com-2019-01-17"
CARD = "data_category:user.financial.credit_card"


@pytest.fixture(scope="module")
def G(seed_path):
    return restrict(to_graph(extract(d) for d in read_policy(seed_path)), NEW)


def node_line(src: str, label: str) -> str:
    return next(ln for ln in src.splitlines() if f'label="{label}' in ln or f"label={label} " in ln)


def test_whole_graph_dot(G):
    src = to_dot(G, title="Alibaba.com 2019", highlight={CARD})
    assert src.startswith("digraph") and src.rstrip().endswith("}")
    alone = Counter(k for n, k in G.nodes(data="kind") if not G.degree(n) and n != CARD)
    linked = [n for n, k in G.nodes(data="kind") if G.degree(n) or n == CARD or alone[k] == 1]
    assert len(re.findall(r"^\s*n\d+ \[", src, re.M)) == len(linked)
    for n in linked:
        assert f'tooltip="{n}"' in src
    drawn = [ln for ln in src.splitlines() if " -> " in ln and "style=invis" not in ln]
    assert len(drawn) == G.number_of_edges()
    rights = next(ln for ln in src.splitlines() if "unlinked_right [" in ln)  # linked to nothing: one box
    assert "Right of access (Art. 15)\\l" in rights and "Right to erasure (Art. 17)" in rights
    assert src.count("style=invis") == 6  # subjects -> ... -> safeguards kept in column order
    order = [src.index(f"cluster_{k}") for k in
             ("data_subject", "data_category", "purpose", "legal_basis", "recipient", "country", "safeguard")]
    assert order == sorted(order)
    assert "rankdir=LR" in src and 'label="Alibaba.com 2019"' in src
    health = node_line(src, "Health data [Art. 9]")
    assert SPECIAL_FILL in health and "peripheries=2" in health
    assert "penwidth=3" in node_line(src, "Payment card number")
    assert 'tooltip="data_category:user.financial.credit_card"' in src
    assert not re.search(r"^\s*\"?data_category:", src, re.M)  # ids with ':' are never DOT names (ports)
    assert src.count("label=SCC") == 2  # controller -> US, controller -> CN
    assert "adequacy: partial" in src  # Google -> US, no safeguard
    assert "style=dashed" in src


def test_labels_are_escaped():
    H = nx.MultiDiGraph()
    H.add_node("recipient:x", kind="recipient", label='ACME "Ads" \\ Co', attrs={"home_country": "RU"})
    H.add_node("country:RU", kind="country", label="Russia", attrs={})
    H.add_edge("recipient:x", "country:RU", key="transferred_to", relation="transferred_to", status="inferred",
               attrs={"scc": False, "adequacy": "none"})
    src = to_dot(H, title='say "hi"')
    assert 'label="ACME \\"Ads\\" \\\\ Co (RU)"' in src
    assert 'label="say \\"hi\\""' in src
    assert 'style=dashed' in src and 'label="adequacy: none"' in src


def test_lineage_dot(G):
    src = lineage_to_dot(downstream(G, CARD))
    assert 'label="Payment card number: downstream lineage"' in src
    assert "Payment service providers" in src and "China" in src and "United States" in src
    assert src.count("label=SCC") == 2
    assert "style=dotted" in src  # the controller's transfers apply to the category
    assert "Cookies" not in src  # only what the lineage reached
    if shutil.which("dot"):  # when Graphviz is installed, the source must also lay out
        out = subprocess.run(["dot", "-Tsvg"], input=src, capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        assert "<svg" in out.stdout


def test_cli_export_dot(db_url, seed_path, tmp_path):
    from typer.testing import CliRunner

    from catalog.pipeline.build import build
    from catalog.cli.app import app
    from catalog.store.engine import make_engine

    build([seed_path], make_engine(db_url))
    out_file = tmp_path / "catalog.dot"
    out = CliRunner().invoke(app, ["export", "dot", "-o", str(out_file), "--policy", NEW, "--highlight", "payment card",
                                   "--db", db_url])
    assert out.exit_code == 0, out.output
    assert out.output.startswith(f"wrote {out_file}")
    src = out_file.read_text(encoding="utf-8")
    assert src.startswith("digraph") and f'label="{NEW}"' in src
    assert "penwidth=3" in node_line(src, "Payment service providers")  # on the card's lineage
    assert "penwidth=3" not in node_line(src, "Yandex (RU)")
    bad = CliRunner().invoke(app, ["export", "dot", "--highlight", "zzzz", "--db", db_url])
    assert bad.exit_code == 2 and "nothing in the catalog matches 'zzzz'" in bad.output
