"""The Fides manifest: validated by fideslang's own models, keys from its default taxonomy, nothing silently dropped."""

from __future__ import annotations

import pytest
import yaml
from fideslang.default_taxonomy import DEFAULT_TAXONOMY
from fideslang.models import System, Taxonomy
from typer.testing import CliRunner

from catalog.cli.app import app
from catalog.extract import extract
from catalog.export.fides import to_fides_manifest
from catalog.graph.build import restrict, to_graph
from catalog.ingest.documents import read_policy

NEW = "alibaba-com-2019-01-17"


@pytest.fixture(scope="module")
def manifest(seed_path):
    G = to_graph(extract(d) for d in read_policy(seed_path))
    return to_fides_manifest(restrict(G, NEW))


def _decl(manifest, name):
    return next(d for d in manifest["system"][0]["privacy_declarations"] if d["name"] == name)


def test_fideslang_validates_the_manifest(manifest):
    taxonomy = Taxonomy.model_validate(manifest)
    (system,) = taxonomy.system
    assert system.fides_key == "alibaba_com_singapore_e_commerce_private_limited"
    assert system.name == system.legal_name == "Alibaba.com Singapore E-Commerce Private Limited"
    assert len(system.privacy_declarations) == 27


def test_every_key_is_one_fideslang_knows(manifest):
    cats = {c.fides_key for c in DEFAULT_TAXONOMY.data_category}
    uses = {u.fides_key for u in DEFAULT_TAXONOMY.data_use}
    subjects = {s.fides_key for s in DEFAULT_TAXONOMY.data_subject}
    for d in manifest["system"][0]["privacy_declarations"]:
        assert d["data_use"] in uses
        assert set(d["data_categories"]) <= cats
        assert set(d["data_subjects"]) <= subjects


def test_payment_and_health_declarations(manifest):
    pay = _decl(manifest, "Processing payments and settlement")
    assert pay["data_use"] == "essential.service.payment_processing"
    assert pay["data_categories"] == ["user.contact.address", "user.financial", "user.financial.bank_account",
                                      "user.financial.credit_card"]
    assert pay["data_subjects"] == ["customer", "employee", "supplier_vendor"]
    assert pay["legal_basis_for_processing"] == "Contract"
    assert "Payment service providers" in pay["third_parties"] and pay["data_shared_with_third_parties"] is True
    support = _decl(manifest, "Customer service and support")
    assert support["processes_special_category_data"] is True
    assert support["special_category_legal_basis"] == "Explicit consent"
    assert _decl(manifest, "Direct marketing communications")["legal_basis_for_processing"] == "Consent"  # stated beats inferred
    s = manifest["system"][0]
    assert s["does_international_transfers"] is True
    assert "SCCs" in s["legal_basis_for_transfers"]
    assert s["meta"]["third_country_transfers"]["Processing payments and settlement"] == ["CN", "US"]
    assert s["meta"]["registration_number"] == "200720572D"


def test_nothing_we_write_is_dropped_by_fideslang(manifest):
    system = manifest["system"][0]
    dumped = System.model_validate(system).model_dump(mode="json")
    for key, value in system.items():
        if key != "privacy_declarations":
            assert dumped[key] == value, key
    by_name = {d["name"]: d for d in dumped["privacy_declarations"]}
    for d in system["privacy_declarations"]:
        for key, value in d.items():
            assert by_name[d["name"]][key] == value, (d["name"], key)


def test_cli_writes_yaml_that_validates(db_url, seed_path, tmp_path):
    runner = CliRunner()
    assert runner.invoke(app, ["build", str(seed_path), "--db", db_url]).exit_code == 0
    out = tmp_path / "alibaba.yml"
    r = runner.invoke(app, ["export", "fides", "-o", str(out), "--policy", NEW, "--db", db_url])
    assert r.exit_code == 0, r.output
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert Taxonomy.model_validate(data).system[0].privacy_declarations
    assert data["system"][0]["meta"]["policy_ids"] == [NEW]
