"""`ropa export xlsx --template cnil`: the CNIL's model record, a fiche per processing activity,
fields in the model's order, values from the same rows as the ICO layout; read back cell by cell."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from catalog.cli.app import app
from catalog.export.ropa_columns import FOR_DPO, NOT_STATED
from catalog.vocabulary import read_yaml

NEW = "alibaba-com-2019-01-17"
runner = CliRunner()


@pytest.fixture
def cnil(db_url, seed_path, tmp_path):
    assert runner.invoke(app, ["build", str(seed_path), "--db", db_url]).exit_code == 0
    out = tmp_path / "cnil.xlsx"
    r = runner.invoke(app, ["export", "xlsx", "-o", str(out), "--policy", NEW, "--template", "cnil", "--db", db_url])
    assert r.exit_code == 0, r.output
    assert "27 processing activities (CNIL layout" in r.output
    return load_workbook(out)


def _fiche(wb, purpose: str) -> dict[str, str]:
    ws = next(ws for ws in wb if ws.title[:3].startswith("A") and ws["A1"].value.endswith(purpose))
    return {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(5, ws.max_row + 1)}


def _field(fiche: dict[str, str], start: str) -> str:
    return next(v for k, v in fiche.items() if k.startswith(start))


def test_cnil_layout_sheet_per_activity_in_the_models_order(cnil):
    assert cnil.sheetnames[0] == "Registre" and cnil.sheetnames[-1] == "Evidence"
    fiches = cnil.sheetnames[1:-1]
    assert len(fiches) == 27 and fiches[0].startswith("A01 ") and all(len(n) <= 31 for n in fiches)
    reg = cnil["Registre"]
    assert reg["A1"].value == "Registre des activités de traitement de Alibaba.com Singapore E-Commerce Private Limited"
    block = [(reg.cell(r, 1).value, reg.cell(r, 2).value) for r in range(3, 15)]
    assert ("Numéro d'immatriculation", "200720572D") in block
    emails = [v for k, v in block if k == "Adresse de messagerie"]
    assert emails == ["DataProtection@service.alibaba.com", NOT_STATED]  # the organisation's, then the DPO's
    listed = [reg.cell(r, 1).value for r in range(1, reg.max_row + 1)]
    assert "Processing payments and settlement" in listed

    ws = cnil[fiches[0]]
    assert ws["A1"].value.startswith("Fiche de registre de l'activité : ")
    assert (ws["A4"].value, ws["B4"].value) == ("Rubrique", "Contenu")
    model = read_yaml("cnil.yaml")
    expected = [f.get("section") or f["label"] for f in model["fiche"]]
    labels = [ws.cell(r, 1).value for r in range(5, ws.max_row + 1)]
    assert labels[: len(expected)] == expected  # the model's fields, in its order
    assert labels[len(expected) + 1:] == [f["label"] for f in model["additions"]]  # then what Art. 30 adds
    assert ws.page_setup.orientation == "portrait" and ws.print_title_rows == "$4:$4"


def test_cnil_fiche_values(cnil):
    pay = _fiche(cnil, "Processing payments and settlement")
    finance = _field(pay, "Informations d'ordre économique et financier")
    assert "Payment card number" in finance and "Bank account number" in finance
    assert "Postal address" in _field(pay, "État-civil, identité")
    assert _field(pay, "Données de localisation") == "None stated for this activity"
    assert _field(pay, "Des données sensibles").startswith("No: ")
    assert _field(pay, "Sous-traitants") == "Payment service providers"  # processors
    assert _field(pay, "Organismes externes") == "Credit risk assessment providers"
    transfers = _field(pay, "Des données personnelles sont-elles transmises hors de l'Union")
    assert "China: " in transfers and "Standard Contractual Clauses" in transfers
    assert _field(pay, "Base légale du traitement") == "Contract (Art. 6(1)(b)); Legitimate interests (Art. 6(1)(f))"
    for field in ("Date de création", "Contrôle d'accès", "Chiffrement", "Destinataires internes"):
        assert _field(pay, field) == FOR_DPO
    assert _field(pay, "Nom du responsable conjoint") == NOT_STATED

    support = _fiche(cnil, "Customer service and support")
    assert "Health data (special category)" in _field(support, "Des données sensibles")
    assert "Health data" not in _field(support, "Autres catégories")
    assert _field(support, "Analyse d'impact").startswith("Likely required: ")

    ws = next(ws for ws in cnil if ws["A1"].value.endswith("Processing payments and settlement"))
    dpo = next(r for r in range(5, ws.max_row + 1) if str(ws.cell(r, 1).value).startswith("Sauvegarde"))
    gap = next(r for r in range(5, ws.max_row + 1) if str(ws.cell(r, 1).value).startswith("Nom du responsable conjoint"))
    assert ws.cell(dpo, 2).fill.fgColor.rgb != ws.cell(gap, 2).fill.fgColor.rgb  # the DPO's fields look their own
    assert ws.cell(gap, 2).font.color.rgb.endswith("9C0006")


def test_unknown_template_is_refused(db_url, seed_path, tmp_path):
    assert runner.invoke(app, ["build", str(seed_path), "--db", db_url]).exit_code == 0
    out = tmp_path / "x.xlsx"
    r = runner.invoke(app, ["export", "xlsx", "-o", str(out), "--template", "cnli", "--db", db_url])
    assert r.exit_code == 2 and "unknown template 'cnli'; expected one of: ico, cnil" in r.output
    assert not out.exists()
