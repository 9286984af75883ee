"""Write the analyst notebooks (01-03) with their outputs cleared.

The notebooks are generated so that they stay reviewable as code: edit the cells here, then run
`python notebooks/make_notebooks.py` (from anywhere) and commit the .ipynb files it writes.
The notebooks themselves only call the catalog library (catalog.pipeline.build / store / graph / diff /
lineage / devset / analysis); every analysis function they use lives in catalog/queries/ (analysis.py,
graph_sets.py, transfers.py).
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

# Finds the repository (walking up from the working directory to pyproject.toml, or from $ROPA_ROOT)
# and the shared corpus (<repo>/../shared, or $ROPA_SHARED), so a notebook runs from the repo root
# and from notebooks/ alike.
SETUP = '''\
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(os.environ.get("ROPA_ROOT") or Path.cwd()).resolve()
while not (ROOT / "pyproject.toml").exists() and ROOT != ROOT.parent:
    ROOT = ROOT.parent
assert (ROOT / "pyproject.toml").exists(), "run this notebook from inside the repository (or set ROPA_ROOT)"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
SHARED = Path(os.environ.get("ROPA_SHARED") or ROOT.parent / "shared").resolve()
SEED = SHARED / "seed" / "000_1847cb862053c11f.txt"
if not SEED.exists():  # no ../shared on this machine: the copy of the seed the product ships
    SEED = ROOT / "data" / "policies" / "alibaba-com-privacy-policy.txt"
print("repository:", ROOT)
print("shared corpus:", SHARED)
print("seed:", SEED)'''

IMPORTS = '''\
%matplotlib inline
import matplotlib.pyplot as plt
import networkx as nx
import pandas as pd

from catalog.queries import analysis
from catalog.queries.graph_sets import graphs_by_policy, graphs_by_vendor, kind_counts, source_stem
from catalog.queries.transfers import matrix_countries, matrix_labels, matrix_rows, transfer_matrix, transfer_timeline
from catalog.pipeline.build import build
from catalog.graph.build import to_graph
from catalog.store.engine import make_engine
from catalog.store.read import read_counts, read_extractions, read_policies

pd.set_option("display.max_colwidth", 90)
pd.set_option("display.width", 200)
pd.set_option("display.max_rows", 80)'''


def nb01() -> nbformat.NotebookNode:
    cells = [
        new_markdown_cell("""\
# 01 · Exploring the seed catalog with networkx

The seed is the Alibaba.com privacy policy page as scraped: two versions (2018-05-25 and 2019-01-17).
This notebook builds the catalog from it into a temporary SQLite file, derives the processing graph
and asks three questions of it:

1. Which data categories reach the most recipients, directly and via the purposes they serve?
2. Which nodes are central to the flows (degree and betweenness centrality)?
3. Which purposes rest on legitimate interests (Art. 6(1)(f)), as stated or as inferred?

Cells only call the library; the analysis functions are in `catalog/queries/analysis.py`, `graph_sets.py` and
`transfers.py` (tested in `tests/queries/test_analysis.py`)."""),
        new_code_cell(SETUP),
        new_code_cell(IMPORTS + "\nfrom catalog.queries.lineage.walk import downstream"),
        new_markdown_cell("## Build the catalog\nOne transaction into a throw-away SQLite file; the graph is derived from what was stored."),
        new_code_cell('''\
workdir = tempfile.TemporaryDirectory(prefix="ropa-nb01-")
engine = make_engine(f"sqlite:///{workdir.name}/catalog.db")
result = build([SEED], engine)
print("policy versions built:", result.policy_ids, "| warnings:", len(result.warnings))
pd.DataFrame([{"id": p.id, "title": p.title, "publisher": p.publisher, "effective_date": p.effective_date}
              for p in read_policies(engine)])'''),
        new_code_cell('''\
counts = pd.DataFrame(read_counts(engine))  # facts per kind (rows) per version (columns)
counts'''),
        new_code_cell('''\
extractions = read_extractions(engine)
G = to_graph(extractions)
print(f"{G.number_of_nodes()} nodes, {G.number_of_edges()} edges (both versions merged)")
ax = pd.Series(kind_counts(G)).sort_values().plot.barh(figsize=(6, 3.5), title="Nodes per kind")
ax.set_xlabel("nodes")
plt.tight_layout()
plt.show()'''),
        new_markdown_cell("""\
## 1 · Which data categories reach the most recipients?

`direct`: the policy discloses the category to the recipient. `via_purpose`: the category is processed
for a purpose whose data is disclosed to the recipient, with both hops stated by the same version.
`total` counts distinct recipients either way."""),
        new_code_cell('''\
reach = pd.DataFrame(analysis.reach_table(G)).drop(columns="recipients")
reach.head(15)'''),
        new_code_cell('''\
top = reach.head(15).set_index("label")[["direct", "via_purpose", "total"]].iloc[::-1]
ax = top.plot.barh(figsize=(8, 6), title="Recipients reached per data category (top 15)")
ax.set_xlabel("distinct recipients")
plt.tight_layout()
plt.show()'''),
        new_markdown_cell("Payment data in particular: which recipients does it reach, and how many?"),
        new_code_cell('''\
payment = reach[reach["data_category"].str.contains("financial")]
payment'''),
        new_markdown_cell("""\
The same question from the library's lineage query (`catalog.queries.lineage.walk.downstream`): every path from
payment card numbers, with the legal bases of the purpose and the countries the data may go to
(the controller's general transfers apply to every category)."""),
        new_code_cell('''\
card = "data_category:user.financial.credit_card"
lineage = downstream(G, card)
paths = pd.DataFrame(lineage.to_rows(labels=True))
paths[["purpose", "legal_basis", "recipient", "transferred_by", "country", "safeguards", "scc", "policy_ids"]]'''),
        new_code_cell('''\
H = analysis.lineage_graph(lineage)
pos = nx.multipartite_layout(H, subset_key="layer")
kinds = sorted({k for _, k in H.nodes(data="kind")})
palette = dict(zip(kinds, plt.cm.tab10.colors))
fig, ax = plt.subplots(figsize=(12, 6))
nx.draw_networkx_edges(H, pos, ax=ax, alpha=0.35, arrows=True, arrowsize=8)
for kind in kinds:
    nodes = [n for n, k in H.nodes(data="kind") if k == kind]
    nx.draw_networkx_nodes(H, pos, nodelist=nodes, node_color=[palette[kind]], node_size=220, ax=ax, label=kind)
nx.draw_networkx_labels(H, pos, labels={n: d["label"][:28] for n, d in H.nodes(data=True)}, font_size=7, ax=ax)
ax.set_title("Where payment card numbers go (downstream lineage)")
ax.legend(loc="lower left", fontsize=8, markerscale=0.6)
ax.axis("off")
plt.tight_layout()
plt.show()'''),
        new_markdown_cell("And from the recipients' side: how many data categories reach each recipient?"),
        new_code_cell('''\
exposure = pd.DataFrame(analysis.recipient_exposure(G))
exposure.head(15)'''),
        new_code_cell('''\
top = exposure.head(20).iloc[::-1]
colors = ["tab:red" if t == "named" else "tab:gray" for t in top["type"]]
ax = top.plot.barh(x="label", y="data_categories", color=colors, legend=False, figsize=(8, 6),
                   title="Data categories reaching each recipient (red: named company, grey: category)")
ax.set_xlabel("data categories")
ax.set_ylabel("")
plt.tight_layout()
plt.show()'''),
        new_markdown_cell("""\
## 2 · Centrality

Degree and betweenness on the simple directed graph under the MultiDiGraph. Betweenness follows the
direction of the flows (subject → category → purpose → recipient → country), so it singles out the
nodes many flows pass through: the recipients that also transfer data abroad, the purposes that
collect many categories and disclose to many recipients."""),
        new_code_cell('''\
centrality = pd.DataFrame(analysis.centrality_table(G))
centrality.head(15)'''),
        new_code_cell('''\
fig, ax = plt.subplots(figsize=(9, 6))
for i, (kind, group) in enumerate(centrality.groupby("kind")):
    ax.scatter(group["degree_centrality"], group["betweenness"], label=kind, s=25, alpha=0.8, color=plt.cm.tab20(i))
for _, row in centrality.head(8).iterrows():
    ax.annotate(row["label"][:30], (row["degree_centrality"], row["betweenness"]), fontsize=7,
                xytext=(3, 3), textcoords="offset points")
ax.set_xlabel("degree centrality")
ax.set_ylabel("betweenness centrality")
ax.set_title("Centrality of every node")
ax.legend(fontsize=7)
plt.tight_layout()
plt.show()'''),
        new_code_cell('''\
# the most connected node of each kind
centrality.sort_values("degree", ascending=False).groupby("kind").head(1)[["kind", "label", "degree", "betweenness"]]'''),
        new_markdown_cell("""\
## 3 · Which purposes rest on legitimate interests?

`stated`: a sentence says so; `inferred`: drawn from a general clause (the policy's list of legal
bases introduced for all purposes of a section), with the text it was inferred from as evidence."""),
        new_code_cell('''\
LI = "legal_basis:art6-1-f-legitimate-interests"
li = pd.DataFrame(analysis.basis_rows(G, LI))
print(len(li), "purposes rest on legitimate interests,", int((li["status"] == "stated").sum()), "of them stated")
li'''),
        new_code_cell('''\
# purposes x legal bases: 2 = stated, 1 = inferred, 0 = none
matrix = pd.DataFrame(analysis.basis_matrix(G)).T.replace({"stated": 2, "inferred": 1}).fillna(0).astype(int)
matrix.index = [G.nodes[p]["label"] for p in matrix.index]
matrix.columns = [G.nodes[b]["label"] for b in matrix.columns]
fig, ax = plt.subplots(figsize=(9, 9))
ax.imshow(matrix.values, cmap="Blues", vmin=0, vmax=2, aspect="auto")
ax.set_xticks(range(len(matrix.columns)), matrix.columns, rotation=45, ha="right", fontsize=8)
ax.set_yticks(range(len(matrix.index)), matrix.index, fontsize=8)
ax.set_title("Legal basis per purpose (dark: stated, light: inferred)")
plt.tight_layout()
plt.show()'''),
        new_code_cell('''\
# per version: purposes on legitimate interests, stated or inferred
per_version = graphs_by_policy(extractions)
pd.DataFrame([{"version": v, "purposes on legitimate interests": len(analysis.purposes_on_basis(g, LI)),
               "of which stated": len(analysis.purposes_on_basis(g, LI, stated_only=True))}
              for v, g in per_version.items()])'''),
        new_code_cell('''\
engine.dispose()
workdir.cleanup()'''),
    ]
    return _notebook(cells)


def nb02() -> nbformat.NotebookNode:
    cells = [
        new_markdown_cell("""\
# 02 · The Alibaba.com policy over time

The seed's two versions (2018-05-25, 2019-01-17) and the five later snapshots in
`shared/corpus/alibaba-history` (2020–2026), built into one catalog. For each step from one version
to the next: what was added and dropped (`catalog.compare.diff.timeline` / `diff`), then the transfers and
their safeguards over the years, and the counts per kind.

Some snapshot files hold more than one version: the 2020 page also carries the "Old version" of
2019-01-17 (a slightly different text from the seed's, so it gets its own id), and the 2021-12 and
2022-03 snapshots both carry the version effective 2021-01-16 (again with small differences). Every
distinct text is one version of the timeline, ordered by effective date."""),
        new_code_cell(SETUP + '\nHISTORY = SHARED / "corpus" / "alibaba-history"\nprint("history:", HISTORY)'),
        new_code_cell(IMPORTS + "\nfrom catalog.compare.diff import diff, timeline, to_diff_rows"),
        new_code_cell('''\
workdir = tempfile.TemporaryDirectory(prefix="ropa-nb02-")
engine = make_engine(f"sqlite:///{workdir.name}/catalog.db")
sources = [SEED] + ([HISTORY] if HISTORY.exists() else [])
result = build(sources, engine)
extractions = read_extractions(engine, organisation="alibaba-com")  # ordered by effective date
pd.DataFrame([{"version": x.policy.id, "effective_date": x.policy.effective_date,
               "file": Path(x.policy.source).name, "retrieved": x.policy.retrieved,
               "text": x.policy.content_hash[:10]} for x in extractions])'''),
        new_markdown_cell("## What changed at each step\nFacts and links added, removed, changed (same identity, different attributes) and restated (same fact, new wording)."),
        new_code_cell('''\
steps = timeline(extractions)
summary = pd.DataFrame(analysis.timeline_summary(steps))
summary[["from", "to", "added", "removed", "changed", "restated", "sections_added", "sections_removed"]]'''),
        new_code_cell('''\
ax = summary.set_index("to")[["added", "removed", "changed"]].plot.bar(figsize=(10, 4), rot=30,
                                                                        title="Facts and links changed, per new version")
ax.set_xlabel("new version")
plt.tight_layout()
plt.show()'''),
        new_markdown_cell("The changes a DPO looks at first: recipients, countries, transfers, safeguards, special-category data."),
        new_code_cell('''\
notable = pd.DataFrame(analysis.timeline_notable(steps))
notable[notable["kind"].isin(["recipient", "data_category"])][["to", "change", "kind", "label"]]'''),
        new_markdown_cell("""\
### 2018 → 2019, with the quotes

The 2019 version drops VKontakte and names more advertising partners (Criteo, Bing, Yahoo, Mail.ru,
Yandex); it also adds health data (special category, on explicit consent)."""),
        new_code_cell('''\
first = diff(extractions[0], extractions[1])
print(first.summary())
rows = pd.DataFrame(to_diff_rows(first))
rows[(rows["kind"] == "recipient") & rows["change"].isin(["added", "removed"])][["change", "label", "old_quote", "new_quote"]]'''),
        new_markdown_cell("## Named recipients over the years"),
        new_code_cell('''\
graphs = graphs_by_policy(extractions)  # one graph per version, attributes exactly as stated
named = pd.DataFrame(analysis.presence(graphs, "recipient", named_only=True)).T.astype(int)
named.index = [n.split(":", 1)[1] for n in named.index]
fig, ax = plt.subplots(figsize=(10, 5))
ax.imshow(named.values, cmap="Greens", vmin=0, vmax=1, aspect="auto")
ax.set_xticks(range(len(named.columns)), named.columns, rotation=35, ha="right", fontsize=8)
ax.set_yticks(range(len(named.index)), named.index, fontsize=8)
ax.set_title("Named recipients per version (green: named)")
plt.tight_layout()
plt.show()
named'''),
        new_markdown_cell("""\
## Transfers and safeguards over the years

Every `transferred_to` edge per version: who transfers, where, the safeguards the text names, the SCC
flag and the destination's EU adequacy status (partial for the US: only DPF-certified organisations)."""),
        new_code_cell('''\
transfers = pd.DataFrame(transfer_timeline(graphs))
transfers[["version", "from_label", "country", "safeguards", "scc", "dpf", "adequacy", "third_country"]]'''),
        new_code_cell('''\
# version x country: the safeguards named (and the country's adequacy)
by_version = transfer_matrix(graphs)
pd.DataFrame(matrix_labels(by_version)).T.reindex(columns=matrix_countries(by_version)).fillna("")'''),
        new_code_cell('''\
per_version = transfers.groupby("version", sort=False).agg(countries=("country", "nunique"), scc=("scc", "sum"))
per_version = per_version.reindex(list(graphs)).fillna(0)
ax = per_version.plot.bar(figsize=(10, 4), rot=30, title="Destination countries and transfers naming SCCs, per version")
ax.set_xlabel("version")
plt.tight_layout()
plt.show()
per_version'''),
        new_markdown_cell("## Counts per kind over time"),
        new_code_cell('''\
kinds = pd.DataFrame(read_counts(engine))[list(graphs)].T  # versions in date order
kinds'''),
        new_code_cell('''\
ax = kinds[["data_category", "purpose", "recipient", "country", "safeguard", "cookie", "legal_basis"]].plot(
    marker="o", figsize=(11, 4.5), title="Facts per kind, per version")
ax.set_xticks(range(len(kinds.index)), kinds.index, rotation=30, ha="right", fontsize=8)
ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
plt.tight_layout()
plt.show()'''),
        new_code_cell('''\
engine.dispose()
workdir.cleanup()'''),
    ]
    return _notebook(cells)


def nb03() -> nbformat.NotebookNode:
    cells = [
        new_markdown_cell("""\
# 03 · Vendors side by side

Five GDPR-era policies of other companies (`shared/corpus/other`: Booking.com, IKEA, PayPal, Proton,
WeTransfer) and the 60 app policies of the development set (`shared/corpus/gdpr-transparency-dev`,
passage lists rendered to text with `catalog.evaluation.devset.to_text`), built into one catalog. Questions:

1. Which vendors transfer personal data where, under which safeguards (SCC, DPF, BCR, adequacy)?
2. Who shares with advertising platforms (a named recipient whose role is advertising, or the
   advertising-platforms category)?

What a vendor's policy does not say is not in the graph: an empty row means no transfer is named,
not that none happens."""),
        new_code_cell(SETUP + '''
OTHER = SHARED / "corpus" / "other"
DEV = SHARED / "corpus" / "gdpr-transparency-dev"
print("other:", OTHER, "| dev set:", DEV)'''),
        new_code_cell(IMPORTS + "\nfrom catalog.evaluation import devset"),
        new_code_cell('''\
workdir = tempfile.TemporaryDirectory(prefix="ropa-nb03-")
dev_dir = Path(workdir.name) / "dev"
dev_dir.mkdir()
for f in sorted(DEV.glob("*.json")):  # the dev set's passage lists as the text ingest reads
    (dev_dir / f"{f.stem}.md").write_text(devset.to_text(devset.load(f)), encoding="utf-8")
engine = make_engine(f"sqlite:///{workdir.name}/catalog.db")
other = build([OTHER], engine) if OTHER.exists() else None
dev = build([dev_dir], engine) if any(dev_dir.iterdir()) else None
# one graph per vendor: the companies by publisher, the dev set's apps by their id (the file name)
graphs = {}
if other:
    graphs.update(graphs_by_vendor(read_extractions(engine, other.policy_ids)))
if dev:
    graphs.update(graphs_by_vendor(read_extractions(engine, dev.policy_ids), name=source_stem))
print(len(graphs), "vendors:", len(other.policy_ids) if other else 0, "company policies,",
      len(dev.policy_ids) if dev else 0, "dev-set app policies")'''),
        new_code_cell('''\
overview = pd.DataFrame({v: kind_counts(g) for v, g in graphs.items()}).T
overview[["data_category", "purpose", "recipient", "country", "safeguard", "legal_basis"]].sort_values(
    "recipient", ascending=False).head(20)'''),
        new_markdown_cell("""\
## 1 · Who transfers where, under which safeguards

Third countries only (destinations in the EEA are not Chapter V transfers). A cell lists the
mechanisms the policy names for that destination, then the destination's EU adequacy status:
*adequate* (Art. 45 decision), *partly adequate* (the US for DPF-certified organisations only; Canada
for commercial organisations). `ZZ` is a transfer to countries the policy does not name
("we may transfer your data outside your country")."""),
        new_code_cell('''\
matrix = transfer_matrix(graphs, third_countries_only=True)
labels = pd.DataFrame(matrix_labels(matrix)).T.reindex(columns=matrix_countries(matrix)).fillna("")
print(len(labels), "of", len(graphs), "vendors name a transfer to a third country")
labels'''),
        new_code_cell('''\
flags = pd.DataFrame(matrix_rows(matrix))
flags'''),
        new_code_cell('''\
by_country = flags.groupby("country").agg(vendors=("vendor", "nunique"), scc=("scc", "sum"), dpf=("dpf", "sum"),
                                          bcr=("bcr", "sum")).sort_values("vendors", ascending=False)
ax = by_country[["vendors", "scc", "dpf", "bcr"]].plot.bar(figsize=(9, 4), rot=0,
                                                         title="Vendors per destination, and how many name SCC / DPF / BCR")
ax.set_xlabel("destination")
plt.tight_layout()
plt.show()
by_country'''),
        new_code_cell('''\
# how many (vendor, destination) pairs name each mechanism
mechanisms = flags["safeguards"].str.split(", ").explode().replace("", "none named").value_counts()
ax = mechanisms.sort_values().plot.barh(figsize=(7, 3.5), title="Safeguards named per (vendor, destination)")
plt.tight_layout()
plt.show()'''),
        new_markdown_cell("""\
## 2 · Who shares with advertising platforms

A vendor shares with an advertising platform when data (or a purpose's data) is disclosed to it, or
its cookie is set on the vendor's site. A platform only mentioned ("we are active on Facebook") is
listed apart, under `mentioned_only`."""),
        new_code_cell('''\
ads = pd.DataFrame(analysis.ad_sharing_table(graphs))
sharing = ads[ads["shares_with_ad_platforms"]]
print(len(sharing), "of", len(ads), "vendors share with advertising platforms;",
      int(sharing["category"].sum()), "say so as a category,", int((sharing["named"].str.len() > 0).sum()), "name one")
sharing[["vendor", "named", "category", "data_categories", "mentioned_only"]]'''),
        new_code_cell('''\
named_counts = sharing["named"].explode().dropna().value_counts()
ax = named_counts.sort_values().plot.barh(figsize=(7, 4), title="Named advertising recipients: vendors sharing with each")
ax.set_xlabel("vendors")
plt.tight_layout()
plt.show()
named_counts'''),
        new_code_cell('''\
# named, but nothing shared with them
ads[ads["mentioned_only"].str.len() > 0][["vendor", "mentioned_only", "named"]]'''),
        new_code_cell('''\
engine.dispose()
workdir.cleanup()'''),
    ]
    return _notebook(cells)


def _notebook(cells: list) -> nbformat.NotebookNode:
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


NOTEBOOKS = {
    "01_explore_seed.ipynb": nb01,
    "02_alibaba_over_time.ipynb": nb02,
    "03_vendors_side_by_side.ipynb": nb03,
}


def main() -> None:
    for name, make in NOTEBOOKS.items():
        nb = make()
        # stable cell ids, so regenerating an unchanged notebook changes nothing in git
        for i, cell in enumerate(nb.cells):
            cell["id"] = f"{name[:2]}-{i:02d}"
        nbformat.validate(nb)
        nbformat.write(nb, HERE / name)
        print("wrote", HERE / name)


if __name__ == "__main__":
    main()
