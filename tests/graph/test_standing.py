"""Where a transfer stands under GDPR Chapter V (catalog.graph.standing), from lexicons/adequacy.yaml."""

from __future__ import annotations

from catalog.graph.standing import UNNAMED, transfer_standing


def test_an_eea_country_is_no_third_country_whatever_is_named():
    s = transfer_standing("DE", ["scc"])
    assert (s.adequacy, s.covered, s.safeguards) == ("eea", True, ())
    assert transfer_standing("NO").adequacy == "eea"  # EFTA-EEA


def test_an_adequacy_decision_covers_on_its_own():
    japan = transfer_standing("JP")
    assert (japan.adequacy, japan.covered) == ("full", True)
    assert japan.label == "adequacy decision (Art. 45)"


def test_a_partial_decision_needs_a_safeguard_and_dpf_counts_only_for_the_us():
    us = transfer_standing("US")
    assert (us.adequacy, us.covered) == ("partial", False)
    assert transfer_standing("US", ["dpf"]).covered
    china = transfer_standing("CN", ["dpf"])
    assert (china.adequacy, china.covered, china.safeguards, china.not_applicable) == ("none", False, (), ("dpf",))


def test_a_blanket_safeguard_covers_every_named_destination_and_says_it_is_blanket():
    india = transfer_standing("IN", [], blanket=["scc"])
    assert (india.adequacy, india.covered, india.safeguards, india.blanket) == ("none", True, ("scc",), ("scc",))
    own = transfer_standing("IN", ["scc"], blanket=["scc", "bcr"])
    assert (own.safeguards, own.blanket) == (("scc", "bcr"), ("bcr",))


def test_a_destination_the_policy_does_not_name_is_unknown():
    s = transfer_standing(UNNAMED)
    assert (s.adequacy, s.label, s.covered) == ("unknown", "destination not named", False)
