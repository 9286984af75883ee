"""The processing graph derived from extractions (catalog.graph.build): one node per fact across versions,
one edge per relation, each carrying every version that states it and that version's evidence."""

from __future__ import annotations

import copy

import pytest

from catalog.extract import extract
from catalog.graph.build import in_scope, nodes_of_kind, read_as_inferred, reading, restrict, to_graph
from catalog.ingest.documents import to_documents
from catalog.records import split_node_id

V2024 = """# Example privacy policy

Effective 1 March 2024

We collect your email address to provide the service. We share your email address with payment processors.
"""
V2025 = V2024.replace("2024", "2025").replace(
    "We share your email address with payment processors.", "We do not share your email address.")
OLD, NEW = "example-ltd-2024-03-01", "example-ltd-2025-03-01"
EMAIL, SERVICE, PAYMENTS = "data_category:user.contact.email", "purpose:essential.service", "recipient:payment-service-providers"


@pytest.fixture(scope="module")
def extractions():
    return [extract(d) for text in (V2024, V2025) for d in to_documents(text, "example.md", "markdown",
                                                                         publisher="Example Ltd")]


def test_a_fact_two_versions_state_is_one_node_with_both_versions_and_their_evidence(extractions):
    G = to_graph(extractions)
    assert sorted(G) == ["controller:example-ltd", EMAIL, SERVICE, PAYMENTS]
    email = G.nodes[EMAIL]
    assert (email["kind"], email["key"], email["policy_ids"]) == ("data_category", "user.contact.email", [OLD, NEW])
    quotes = sorted((e["policy_id"], e["quote"]) for e in email["evidence"])
    assert quotes == [(OLD, "We collect your email address to provide the service."),
                      (OLD, "We share your email address with payment processors."),
                      (NEW, "We collect your email address to provide the service.")]
    assert G.nodes[PAYMENTS]["policy_ids"] == [OLD]  # the newer version says it does not share


def test_edges_are_keyed_by_relation_and_say_which_versions_state_them(extractions):
    G = to_graph(extractions)
    edges = sorted((u, k, v, tuple(d["policy_ids"]), d["status"]) for u, v, k, d in G.edges(keys=True, data=True))
    assert edges == [(EMAIL, "disclosed_to", PAYMENTS, (OLD,), "stated"),
                     (EMAIL, "processed_for", SERVICE, (OLD, NEW), "stated")]
    assert reading(G.edges[EMAIL, PAYMENTS, "disclosed_to"]) == ("statement", 0.9)
    assert not read_as_inferred(G.edges[EMAIL, SERVICE, "processed_for"], [OLD, NEW])
    assert sorted(G.graph["policies"]) == [OLD, NEW]
    assert G.graph["policies"][NEW]["effective_date"] == "2025-03-01"


def test_restrict_keeps_what_one_version_states(extractions):
    H = restrict(to_graph(extractions), NEW)
    assert sorted(H) == ["controller:example-ltd", EMAIL, SERVICE]
    assert [(u, k, v) for u, v, k in H.edges(keys=True)] == [(EMAIL, "processed_for", SERVICE)]
    assert list(H.graph["policies"]) == [NEW]
    assert in_scope(H, [OLD, NEW]) == {NEW}  # its nodes keep both ids; the graph is about one version


def test_to_graph_is_pure_and_repeatable(extractions):
    before = copy.deepcopy(extractions)
    a, b = to_graph(extractions), to_graph(extractions)
    assert extractions == before
    assert dict(a.nodes(data=True)) == dict(b.nodes(data=True))
    assert list(a.edges(keys=True, data=True)) == list(b.edges(keys=True, data=True))


def test_every_node_of_the_seed_is_namespaced_by_its_kind_and_has_evidence(seed_graph):
    assert len(seed_graph) > 50
    for n, data in seed_graph.nodes(data=True):
        kind, _ = split_node_id(n)
        assert kind.value == data["kind"] and n.startswith(data["kind"] + ":")
        assert data["evidence"] and all(e["quote"] for e in data["evidence"]), n
    assert nodes_of_kind(seed_graph, "controller") == sorted(
        n for n, k in seed_graph.nodes(data="kind") if k == "controller") != []
