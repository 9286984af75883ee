"""Review decisions: stored with who and when, applied to the graph, surviving a rebuild."""

from __future__ import annotations

import pytest

from catalog.pipeline.build import build
from catalog.graph.build import to_graph
from catalog.store.review import (REVIEWED, ReviewError, apply_reviews, catalog_stamp, read_reviews, review_of,
                            reviewed_items, write_review)
from catalog.store.engine import make_engine
from catalog.store.read import read_extractions
from catalog.store.tables import link_key
from tests.conftest import DEMO

CARD = "data_category:user.financial.credit_card"
PSP = "recipient:payment-service-providers"
PAY = "purpose:essential.service.payment_processing"
TRANSFER_CN = "controller:alibaba-com-singapore-e-commerce-private-limited|transferred_to|country:CN"


@pytest.fixture
def built(db_url):
    engine = make_engine(db_url)
    build([DEMO], engine)
    yield engine
    engine.dispose()


def graph(engine, policy_ids=None):
    return apply_reviews(to_graph(read_extractions(engine, policy_ids)), read_reviews(engine))


def test_review_is_stored_with_who_and_when(built):
    row = write_review(built, CARD, "confirm", "Dana DPO", comment="checked against s.2")
    assert row.id and row.created_at and row.reviewer == "Dana DPO"
    [stored] = read_reviews(built)
    assert (stored.target, stored.decision, stored.comment) == (CARD, "confirm", "checked against s.2")
    G = graph(built)
    assert G.nodes[CARD]["review"]["decision"] == "confirm"
    assert G.nodes[CARD]["review"]["reviewer"] == "Dana DPO"
    assert G.nodes[CARD]["review"]["at"]


def test_review_survives_a_rebuild(built):
    write_review(built, CARD, "confirm", "Dana", comment="ok")
    write_review(built, TRANSFER_CN, "reject", "Dana", comment="CN transfer is to the group only")
    write_review(built, "", "add", "Dana", comment="the policy says so in s.5",
                 correction={"source": CARD, "target": "recipient:alipay", "relation": "disclosed_to"})
    stamp = catalog_stamp(built)
    build([DEMO], built)  # rebuild: replaces every fact, link and evidence row of both versions
    assert len(read_reviews(built)) == 3
    G = graph(built)
    assert G.nodes[CARD]["review"]["comment"] == "ok"
    s, r, t = TRANSFER_CN.split("|")
    assert G.edges[s, t, r]["review"]["decision"] == "reject"
    added = G.edges[CARD, "recipient:alipay", "disclosed_to"]
    assert added["status"] == REVIEWED
    assert added["evidence"][0]["note"] == "the policy says so in s.5"
    assert G.graph["orphan_reviews"] == []
    assert catalog_stamp(built) == stamp  # same text rebuilt: caches stay valid


def test_latest_decision_wins_and_history_is_kept(built):
    write_review(built, PSP, "reject", "A", comment="wrong")
    write_review(built, PSP, "confirm", "B", comment="actually right")
    G = graph(built)
    assert G.nodes[PSP]["review"]["reviewer"] == "B"
    assert [r["decision"] for r in G.nodes[PSP]["reviews"]] == ["reject", "confirm"]
    assert review_of(G, PSP)["decision"] == "confirm"
    assert any(i["target"] == PSP for i in reviewed_items(G))


def test_apply_is_pure_and_scoped_to_versions(built):
    base = to_graph(read_extractions(built))
    write_review(built, "recipient:vkontakte", "confirm", "Dana", policy_id="alibaba-com-2018-05-25")
    H = apply_reviews(base, read_reviews(built))
    assert "review" not in base.nodes["recipient:vkontakte"]
    assert H.nodes["recipient:vkontakte"]["review"]["policy_id"] == "alibaba-com-2018-05-25"
    only_2019 = graph(built, ["alibaba-com-2019-01-17"])
    assert only_2019.graph["orphan_reviews"] == []  # scoped to a version this graph does not hold


def test_correct_a_link_adds_the_right_one(built):
    write_review(built, link_key(PAY, "disclosed_to", PSP), "correct", "Dana", comment="it is Alipay",
                 correction={"source": PAY, "target": "recipient:alipay", "relation": "disclosed_to"})
    G = graph(built)
    assert G.edges[PAY, PSP, "disclosed_to"]["review"]["decision"] == "correct"
    assert G.edges[PAY, "recipient:alipay", "disclosed_to"]["status"] == REVIEWED


def test_orphans_are_reported(built):
    write_review(built, "recipient:nobody", "confirm", "Dana")
    assert graph(built).graph["orphan_reviews"][0]["target"] == "recipient:nobody"


@pytest.mark.parametrize("kwargs, message", [
    ({"target": CARD, "decision": "approve", "reviewer": "x"}, "unknown decision"),
    ({"target": CARD, "decision": "confirm", "reviewer": " "}, "reviewer"),
    ({"target": "no-kind", "decision": "confirm", "reviewer": "x"}, "not a node id"),
    ({"target": "", "decision": "add", "reviewer": "x", "correction": {"source": CARD}}, "needs target, relation"),
    ({"target": f"{CARD}|likes|{PSP}", "decision": "reject", "reviewer": "x"}, "unknown relation"),
    ({"target": CARD, "decision": "correct", "reviewer": "x"}, "correction needs"),
])
def test_bad_reviews_are_refused(built, kwargs, message):
    with pytest.raises(ReviewError, match=message):
        write_review(built, **kwargs)
    assert read_reviews(built) == []
