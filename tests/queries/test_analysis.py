"""catalog.queries.analysis, graph_sets and transfers: the notebooks' questions, on small hand-made graphs
(exact answers) and on the seed (what the Alibaba.com policy is known to say)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import networkx as nx
import pytest

from catalog.queries import analysis as A
from catalog.queries import graph_sets as GS
from catalog.queries import transfers as T
from catalog.pipeline.build import build
from catalog.graph.build import to_graph
from catalog.queries.lineage.walk import downstream
from catalog.records import Extraction, Fact, Kind, Link, PolicyDocument, Relation, Status
from catalog.store.engine import make_engine
from catalog.store.read import read_extractions

LI = "legal_basis:art6-1-f-legitimate-interests"
CARD = "data_category:user.financial.credit_card"


# ---------------------------------------------------------------- hand-made graphs


def doc(pid: str, publisher: str = "Acme", source: str = "acme.md") -> PolicyDocument:
    return PolicyDocument(id=pid, title="Privacy", publisher=publisher, effective_date=dt.date(2024, 1, 1),
                          source=source, text="", content_hash=pid)


def fact(nid: str, label: str = "", **attrs) -> Fact:
    kind, _, ident = nid.partition(":")
    return Fact(Kind(kind), ident, label or ident, attrs=attrs)


def link(u: str, rel: Relation, v: str, status: Status = Status.STATED, **attrs) -> Link:
    return Link(u, v, rel, status, attrs=attrs)


def extraction(pid: str, nodes: list[Fact], links: list[Link], **doc_kw) -> Extraction:
    return Extraction(doc(pid, **doc_kw), tuple(nodes), tuple(links))


D, P, B = Relation.DISCLOSED_TO, Relation.PROCESSED_FOR, Relation.BASED_ON
EMAIL, CARD_ = "data_category:user.contact.email", "data_category:user.financial.credit_card"
ADS, PAY = "purpose:marketing.advertising", "purpose:essential.service.payment_processing"
GOOGLE, PSP, ADCAT = "recipient:google", "recipient:payment-service-providers", "recipient:advertising-platforms"
CTRL, US, CN = "controller:acme", "country:US", "country:CN"


@pytest.fixture()
def small() -> nx.MultiDiGraph:
    """Email -> ads -> Google and the ad category; email directly to Google; card -> payments -> PSP."""
    nodes = [fact(EMAIL, "Email"), fact(CARD_, "Card"), fact(ADS, "Ads"), fact(PAY, "Payments"),
             fact(GOOGLE, "Google", type="named", role="advertising", home_country="US"),
             fact(PSP, "PSPs", type="category", role="payment"), fact(ADCAT, "Ad platforms", type="category", role="advertising"),
             fact("recipient:meta", "Meta", type="named", role="advertising"),
             fact(LI, "LI"), fact("legal_basis:art6-1-a-consent", "Consent"), fact(CTRL, "Acme"),
             fact(US, "United States"), fact(CN, "China")]
    links = [link(EMAIL, P, ADS), link(EMAIL, D, GOOGLE), link(ADS, D, GOOGLE), link(ADS, D, ADCAT),
             link(CARD_, P, PAY), link(PAY, D, PSP),
             link(ADS, B, "legal_basis:art6-1-a-consent"), link(PAY, B, LI, Status.INFERRED),
             link(CTRL, Relation.TRANSFERRED_TO, US, safeguards=["scc"], scc=True, adequacy="partial", third_country=True),
             link(GOOGLE, Relation.TRANSFERRED_TO, US, safeguards=["dpf"], scc=False, adequacy="partial", third_country=True),
             link(CTRL, Relation.TRANSFERRED_TO, CN, safeguards=[], scc=False, adequacy="none", third_country=True)]
    return to_graph([extraction("acme-2024", nodes, links)])


def test_reach_counts_direct_and_via_purpose(small: nx.MultiDiGraph) -> None:
    rows = {r["data_category"]: r for r in A.reach_table(small)}
    assert rows[EMAIL] | {} == {"data_category": EMAIL, "label": "Email", "direct": 1, "via_purpose": 2, "total": 2,
                                "recipients": [ADCAT, GOOGLE]}
    assert (rows[CARD_]["direct"], rows[CARD_]["via_purpose"], rows[CARD_]["recipients"]) == (0, 1, [PSP])
    assert A.recipient_reach(small) == [(EMAIL, 2), (CARD_, 1)]


def test_reach_via_purpose_needs_one_version_for_both_hops() -> None:
    """2018 says email serves ads; 2019 says ads go to Google: no version says email reaches Google."""
    nodes = [fact(EMAIL), fact(ADS), fact(GOOGLE, type="named")]
    old = extraction("v1", nodes, [link(EMAIL, P, ADS)])
    new = extraction("v2", nodes, [link(ADS, D, GOOGLE)])
    assert A.recipient_reach(to_graph([old, new])) == [(EMAIL, 0)]


def test_recipient_exposure(small: nx.MultiDiGraph) -> None:
    rows = {r["recipient"]: r for r in A.recipient_exposure(small)}
    assert rows[GOOGLE]["data_categories"] == 1 and rows[GOOGLE]["type"] == "named"
    assert rows["recipient:meta"]["data_categories"] == 0
    assert A.recipient_exposure(small)[-1]["recipient"] == "recipient:meta"


def test_purposes_on_basis_and_matrix(small: nx.MultiDiGraph) -> None:
    assert A.purposes_on_basis(small, LI) == [PAY]
    assert A.purposes_on_basis(small, "art6-1-f-legitimate-interests") == [PAY]  # the ident works too
    assert A.purposes_on_basis(small, LI, stated_only=True) == []
    assert A.purposes_on_basis(small, "legal_basis:nope") == []
    assert A.basis_matrix(small) == {ADS: {"legal_basis:art6-1-a-consent": "stated"}, PAY: {LI: "inferred"}}
    assert [(r["purpose"], r["status"]) for r in A.basis_rows(small, LI)] == [(PAY, "inferred")]


def test_centrality_table(small: nx.MultiDiGraph) -> None:
    rows = A.centrality_table(small)
    assert len(rows) == small.number_of_nodes()
    by = {r["node"]: r for r in rows}
    # every email -> ... -> US path passes through Google or ads: the flow's middle has betweenness > 0
    assert by[ADS]["betweenness"] > 0 and by[GOOGLE]["betweenness"] > 0
    assert by[EMAIL]["betweenness"] == 0  # a source
    assert by[ADS]["degree"] == 4 and by[ADS]["in_degree"] == 1
    assert [r["kind"] for r in A.centrality_table(small, kinds=["country"])] == ["country", "country"]
    assert len(A.centrality_table(small, top=3)) == 3
    assert A.centrality_table(nx.MultiDiGraph()) == []


def test_transfer_matrix_merges_transfers_per_country(small: nx.MultiDiGraph) -> None:
    m = T.transfer_matrix({"Acme": small, "Empty": nx.MultiDiGraph()})
    assert list(m["Acme"]) == ["CN", "US"] and m["Empty"] == {}
    us = m["Acme"]["US"]
    assert (us["scc"], us["dpf"], us["bcr"], us["adequacy"]) == (True, True, False, "partial")
    assert us["safeguards"] == ["scc", "dpf"] and us["by"] == ["Acme", "Google"]
    assert T.matrix_cell(us) == "SCC + DPF (partly adequate)"
    assert T.matrix_cell(m["Acme"]["CN"]) == "none named"
    assert T.matrix_cell(None) == ""
    only = T.transfer_matrix({"Acme": small}, controller_only=True)["Acme"]["US"]
    assert (only["dpf"], only["by"]) == (False, ["Acme"])
    assert T.matrix_labels(m) == {"Acme": {"CN": "none named", "US": "SCC + DPF (partly adequate)"}}
    assert T.matrix_countries(m) == ["CN", "US"]
    assert [r["country"] for r in T.matrix_rows(m)] == ["CN", "US"]


def test_transfer_matrix_third_countries_and_unnamed_last() -> None:
    nodes = [fact(CTRL), fact("country:DE"), fact("country:ZZ"), fact(US)]
    links = [link(CTRL, Relation.TRANSFERRED_TO, "country:DE", third_country=False),
             link(CTRL, Relation.TRANSFERRED_TO, "country:ZZ", third_country=True),
             link(CTRL, Relation.TRANSFERRED_TO, US, third_country=True, adequacy="full", safeguards=["adequacy"])]
    G = to_graph([extraction("x", nodes, links)])
    assert list(T.transfer_matrix({"x": G})["x"]) == ["DE", "US", "ZZ"]
    assert list(T.transfer_matrix({"x": G}, third_countries_only=True)["x"]) == ["US", "ZZ"]
    assert T.matrix_cell(T.transfer_matrix({"x": G})["x"]["US"]) == "adequacy (adequate)"


def test_ad_sharing_counts_disclosures_not_mentions(small: nx.MultiDiGraph) -> None:
    assert A.ad_sharing(small) == [ADCAT, GOOGLE]  # Meta is only mentioned
    assert A.ad_mentioned_only(small) == ["recipient:meta"]
    row = A.ad_sharing_table({"Acme": small})[0]
    assert row == {"vendor": "Acme", "shares_with_ad_platforms": True, "named": ["Google"], "category": True,
                   "data_categories": 1, "mentioned_only": ["Meta"]}


def test_ad_sharing_through_a_cookie() -> None:
    nodes = [fact("cookie:name:_fbp"), fact("recipient:meta", type="named", role="advertising")]
    G = to_graph([extraction("x", nodes, [link("cookie:name:_fbp", Relation.SET_BY, "recipient:meta")])])
    assert A.ad_sharing(G) == ["recipient:meta"]


def test_presence_and_kind_counts() -> None:
    a = extraction("v1", [fact(GOOGLE, type="named"), fact(PSP, type="category")], [])
    b = extraction("v2", [fact("recipient:criteo", type="named")], [])
    graphs = GS.graphs_by_policy([a, b])
    assert list(graphs) == ["v1", "v2"]
    assert A.presence(graphs, "recipient", named_only=True) == {
        "recipient:criteo": {"v1": False, "v2": True}, GOOGLE: {"v1": True, "v2": False}}
    assert PSP in A.presence(graphs, "recipient")
    counts = GS.kind_counts(graphs["v1"])
    assert counts["recipient"] == 2 and counts["country"] == 0 and set(counts) == {k.value for k in Kind}


def test_vendor_names() -> None:
    company = extraction("a", [], [], publisher="PayPal", source="/x/PayPal.privacy.md")
    app = extraction("b", [], [], publisher="com.momcina.ctower free.md", source="/x/com.momcina.ctower_free.md")
    odd = extraction("c", [], [], publisher="Pets has adopted this", source="/x/com.pets.app.md")
    assert GS.vendor_name(company) == "PayPal"
    assert GS.vendor_name(app) == "com.momcina.ctower_free"
    assert GS.source_stem(odd) == "com.pets.app"
    graphs = GS.graphs_by_vendor([company, app, odd], name=GS.source_stem)
    assert list(graphs) == ["PayPal.privacy", "com.momcina.ctower_free", "com.pets.app"]
    assert list(GS.graphs_by_vendor([company, extraction("d", [], [], publisher="PayPal")])) == ["PayPal"]


def test_timeline_tables() -> None:
    steps = [{"from": "v1", "to": "v2", "from_date": "2018", "to_date": "2019", "identical_text": False,
              "added": {"recipient": 2, "disclosed_to": 3}, "removed": {"recipient": 1}, "changed": {},
              "restated": 7, "sections_added": ["A"], "sections_removed": [],
              "notable": [{"change": "removed", "kind": "recipient", "id": "recipient:vkontakte", "label": "VK"}]}]
    row = A.timeline_summary(steps)[0]
    assert (row["added"], row["removed"], row["changed"], row["restated"], row["sections_added"]) == (5, 1, 0, 7, 1)
    assert A.timeline_notable(steps) == [{"from": "v1", "to": "v2", "to_date": "2019", "change": "removed",
                                          "kind": "recipient", "id": "recipient:vkontakte", "label": "VK"}]


# ---------------------------------------------------------------- the seed


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory, seed_path: Path) -> list[Extraction]:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('analysis') / 'catalog.db'}")
    build([seed_path], engine)
    out = read_extractions(engine)
    engine.dispose()
    return out


@pytest.fixture(scope="module")
def seed_graph(seed: list[Extraction]) -> nx.MultiDiGraph:
    return to_graph(seed)


def test_seed_payment_card_reaches_payment_providers(seed_graph: nx.MultiDiGraph) -> None:
    rows = {r["data_category"]: r for r in A.reach_table(seed_graph)}
    card = rows[CARD]
    assert card["label"] == "Payment card number"
    assert "recipient:payment-service-providers" in card["recipients"]
    assert card["direct"] == 0 and card["via_purpose"] == card["total"] >= 2  # via payment processing only
    # the e-mail address reaches the recipients of the purposes the policy says it serves (customer support:
    # "If you contact us (such as via ... email), we may record a copy of your correspondence"), no more
    reach = dict(A.recipient_reach(seed_graph))
    email = rows["data_category:user.contact.email"]
    assert "recipient:customer-service-providers" in email["recipients"] and reach["data_category:user.contact.email"] >= 1
    top = [c for c, _ in A.recipient_reach(seed_graph)[:3]]
    assert CARD in top or reach[CARD] >= 4


def test_seed_reach_agrees_with_lineage(seed_graph: nx.MultiDiGraph) -> None:
    """Recipients reached by a category are exactly those of its downstream lineage."""
    for c in (CARD, "data_category:user.contact.email", "data_category:user.social"):
        row = next(r for r in A.reach_table(seed_graph) if r["data_category"] == c)
        assert row["recipients"] == downstream(seed_graph, c).reached("recipient")


def test_seed_legitimate_interests(seed_graph: nx.MultiDiGraph) -> None:
    on_li = A.purposes_on_basis(seed_graph, LI)
    for p in ("purpose:essential.fraud_detection", "purpose:marketing.communications",
              "purpose:essential.service.payment_processing"):
        assert p in on_li
    assert "purpose:marketing.advertising" not in on_li  # advertising is never said to rest on LI
    stated = A.purposes_on_basis(seed_graph, LI, stated_only=True)
    # "this interest will normally be to operate our Platform and services ... and communicate with you": stated;
    # "..., for instance, when ... undertaking marketing": an example, so inferred. "The right to object to
    # processing ... based on our legitimate interests, and separately ... to direct marketing" states no basis.
    assert "purpose:essential.service" in stated and set(stated) < set(on_li)
    assert "purpose:marketing.communications" not in stated
    assert "purpose:essential.service.payment_processing" not in stated  # inferred from the general clause


def test_seed_centrality(seed_graph: nx.MultiDiGraph) -> None:
    rows = A.centrality_table(seed_graph)
    top = [r["node"] for r in rows[:10]]
    assert "recipient:google" in top  # named, receives from many purposes, transfers to the US
    assert all(rows[i]["betweenness"] >= rows[i + 1]["betweenness"] for i in range(len(rows) - 1))


def test_seed_transfers_per_version(seed: list[Extraction]) -> None:
    graphs = GS.graphs_by_policy(seed)
    assert set(graphs) == {"alibaba-com-2018-05-25", "alibaba-com-2019-01-17"}
    m = T.transfer_matrix(graphs)
    for version in graphs:
        assert set(m[version]) == {"CN", "US"}
        assert m[version]["CN"]["scc"] and m[version]["US"]["scc"]
        assert m[version]["US"]["adequacy"] == "partial" and m[version]["CN"]["adequacy"] == "none"
        assert "Google" in m[version]["US"]["by"]
        assert T.matrix_cell(m[version]["CN"]).startswith("SCC")


def test_seed_ad_sharing(seed: list[Extraction], seed_graph: nx.MultiDiGraph) -> None:
    shared = A.ad_sharing(seed_graph)
    assert {"recipient:google", "recipient:meta", A.AD_CATEGORY} <= set(shared)
    graphs = GS.graphs_by_policy(seed)
    assert "recipient:vkontakte" in A.ad_sharing(graphs["alibaba-com-2018-05-25"])
    assert "recipient:vkontakte" not in A.ad_sharing(graphs["alibaba-com-2019-01-17"])
    named = A.presence(graphs, "recipient", named_only=True)
    assert named["recipient:vkontakte"] == {"alibaba-com-2018-05-25": True, "alibaba-com-2019-01-17": False}
    assert named["recipient:criteo"] == {"alibaba-com-2018-05-25": False, "alibaba-com-2019-01-17": True}
    assert all(r["shares_with_ad_platforms"] for r in A.ad_sharing_table(graphs))


def test_seed_lineage_graph_layers(seed_graph: nx.MultiDiGraph) -> None:
    H = A.lineage_graph(downstream(seed_graph, CARD))
    assert H.nodes[CARD]["layer"] == 1
    assert H.nodes["recipient:payment-service-providers"]["layer"] == 3
    assert H.has_edge(CARD, "purpose:essential.service.payment_processing", "processed_for")
    nx.multipartite_layout(H, subset_key="layer")  # drawable as the notebook draws it
