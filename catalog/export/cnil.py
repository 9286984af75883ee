"""The ROPA in the CNIL's layout: a common page, then one "fiche de registre" per processing activity.

`ropa export xlsx --template cnil`. The fields, their order and wording, the data-category groups
and which recipients are processors are data (lexicons/cnil.yaml, after the CNIL's model record);
the values are the same rows as the ICO layout (catalog.export.ropa), so both layouts always agree. A
field no privacy policy can fill (security measures, internal recipients, dates of the record)
reads "For the DPO to complete"; one the policy should fill and does not, "Not stated in the policy".
The Evidence sheet backs every value with its quote, as in the ICO workbook.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import networkx as nx
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from catalog.export.ropa import ropa_rows
from catalog.export.ropa_columns import DATA, FOR_DPO, NOT_STATED, PURPOSE, RECIPIENTS
from catalog.export.ropa_controller import controller_details
from catalog.export.spreadsheet import EVIDENCE_COLUMNS, GAP_STYLES, add_sheet, evidence_rows
from catalog.vocabulary import read_yaml
from catalog.export.workbook import WRAP, atomic_save, fit_row_heights, header_row, lines_needed, print_setup, put

NONE_STATED = "None stated for this activity"
NO_SENSITIVE = "No: the policy states no sensitive data for this activity"
SECTION_FILL = PatternFill("solid", fgColor="DDEBF7")
LABEL_WIDTH, VALUE_WIDTH = 44, 62
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


@functools.cache
def _model() -> dict[str, Any]:
    return read_yaml("cnil.yaml")


def _longest_prefix(ident: str, groups: dict[str, list[str]]) -> str:
    best, size = "other", -1
    for group, prefixes in groups.items():
        for p in prefixes:
            if (ident == p or ident.startswith(p + ".")) and len(p) > size:
                best, size = group, len(p)
    return best


def data_group(G: nx.MultiDiGraph, node: str) -> str:
    """The CNIL group of a data category: sensitive for Art. 9 and Art. 10 data, else by its id."""
    d = G.nodes[node] if node in G else {}
    attrs = d.get("attrs", {})
    if attrs.get("special_category") or attrs.get("criminal"):
        return "sensitive"
    return _longest_prefix(str(d.get("ident") or node.partition(":")[2]), _model()["data_groups"])


def is_processor(G: nx.MultiDiGraph, node: str) -> bool:
    """Whether a recipient acts for the controller (cnil.yaml's processors: ids and roles)."""
    p = _model()["processors"]
    d = G.nodes[node] if node in G else {}
    return d.get("ident") in p["ids"] or d.get("attrs", {}).get("role") in p["roles"]


def _texts(row: dict[str, Any], column: str, keep: Any = None) -> list[str]:
    """A column's items as text (suffixed with their versions when not every version states them),
    only those whose facts pass `keep`."""
    out = []
    for it in row["provenance"][column]["items"]:
        if keep is not None and not any(keep(f) for f in it["facts"]):
            continue
        suffix = "" if it["policy_ids"] == row["policy_ids"] else f" [{', '.join(it['policy_ids'])}]"
        out.append(it["text"] + suffix)
    return out


def _value(G: nx.MultiDiGraph, row: dict[str, Any], source: str) -> str:
    if source == "dpo":
        return FOR_DPO
    if source == "purpose":
        return row[PURPOSE]
    if source == "versions":
        return ", ".join(row["policy_ids"])
    kind, _, group = source.partition(":")
    if kind == "data" and group:
        if not row["provenance"][DATA]["items"]:
            return NOT_STATED
        texts = _texts(row, DATA, lambda f: data_group(G, f) == group)
        return "; ".join(texts) or (NO_SENSITIVE if group == "sensitive" else NONE_STATED)
    if kind == "recipients" and group:
        if not row["provenance"][RECIPIENTS]["items"]:
            return NOT_STATED
        texts = _texts(row, RECIPIENTS, lambda f: is_processor(G, f) == (group == "processors"))
        return "; ".join(texts) or NONE_STATED
    return str(row.get(source, NOT_STATED))


def fiche(G: nx.MultiDiGraph, row: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Pure: one activity's record as (kind, label, value) lines in the model's order, kind being
    "section" (a heading of the model), "field", or "addition" (after the model's fields)."""
    out: list[tuple[str, str, str]] = []
    for f in _model()["fiche"]:
        if "section" in f:
            out.append(("section", f["section"], ""))
        else:
            out.append(("field", f["label"], _value(G, row, f["from"])))
    out.append(("section", "Compléments (hors modèle CNIL : art. 6, art. 9, AIPD, droits, source)", ""))
    out += [("addition", f["label"], _value(G, row, f["from"])) for f in _model()["additions"]]
    return out


def sheet_names(rows: Iterable[dict[str, Any]]) -> list[str]:
    """A sheet name per activity: its reference and purpose, within the 31 characters a sheet name allows."""
    names: list[str] = []
    for i, row in enumerate(rows, 1):
        base = f"A{i:02d} {_BAD_SHEET_CHARS.sub(' ', row[PURPOSE])}"[:31].strip()
        names.append(base)
    return names


def _common_page(ws: Any, G: nx.MultiDiGraph, rows: list[dict[str, Any]], names: list[str]) -> None:
    c = controller_details(G)
    _title(ws, f"Registre des activités de traitement de {c['name']}")
    block = [
        ("Coordonnées du responsable de l'organisme (responsable de traitement, ou son représentant si le "
         "responsable est situé en dehors de l'UE)", ""),
        ("Nom", c["legal_name"]), ("Numéro d'immatriculation", c["registration_number"]), ("Adresse", c["address"]),
        ("Pays", c["country"]), ("Téléphone", c["phone"]), ("Adresse de messagerie", c["contact_email"]),
        ("Nom et coordonnées du délégué à la protection des données (si un DPO a été désigné)", ""),
        ("Nom", NOT_STATED), ("Adresse de messagerie", c["dpo"]),
        ("Représentant dans l'Union (art. 27 RGPD)", c["representative"]),
    ]
    r = 3
    for label, value in block:
        lc, vc = put(ws, r, 1, label), put(ws, r, 2, value)
        lc.alignment = vc.alignment = WRAP
        if not value and label.startswith(("Coordonnées", "Nom et coordonnées")):
            lc.font, lc.fill, vc.fill = Font(bold=True), SECTION_FILL, SECTION_FILL
        elif value in GAP_STYLES:
            vc.font = GAP_STYLES[value][0]
        r += 1
    put(ws, r + 1, 1, "Activités de l'organisme impliquant le traitement de données personnelles").font = Font(bold=True)
    first = r + 2
    header_row(ws, first, ("Activité", "Fiche de registre (onglet) et versions de la politique"),
               {"Activité": LABEL_WIDTH, "Fiche de registre (onglet) et versions de la politique": VALUE_WIDTH})
    for i, (row, name) in enumerate(zip(rows, names), first + 1):
        for j, v in enumerate((row[PURPOSE], f"{name} ({', '.join(row['policy_ids'])})"), 1):
            put(ws, i, j, v).alignment = WRAP
    fit_row_heights(ws, 3)
    print_setup(ws, "", f"Registre des activités de traitement : {c['name']}", landscape=False)


def _title(ws: Any, title: str, subtitle: str = "") -> None:
    """A title (and subtitle) across both columns of a portrait sheet."""
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = LABEL_WIDTH, VALUE_WIDTH
    for r, text, font in ((1, title, Font(bold=True, size=13)), (2, subtitle, Font(italic=True))):
        if text:
            cell = put(ws, r, 1, text)
            cell.font, cell.alignment = font, WRAP
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=2)
            ws.row_dimensions[r].height = 20 * lines_needed(text, LABEL_WIDTH + VALUE_WIDTH, True)


def _fiche_sheet(ws: Any, G: nx.MultiDiGraph, row: dict[str, Any], name: str, organisation: str) -> None:
    _title(ws, f"Fiche de registre de l'activité : {row[PURPOSE]}",
           f"Référence {name.split(' ')[0]} · organisme : {organisation}")
    header_row(ws, 4, ("Rubrique", "Contenu"), {"Rubrique": LABEL_WIDTH, "Contenu": VALUE_WIDTH})
    for r, (kind, label, value) in enumerate(fiche(G, row), 5):
        lc = put(ws, r, 1, label)
        lc.alignment = WRAP
        if kind == "section":
            lc.font, lc.fill = Font(bold=True), SECTION_FILL
            ws.cell(r, 2).fill = SECTION_FILL
            continue
        vc = put(ws, r, 2, value)
        vc.alignment = WRAP
        if value in GAP_STYLES:
            font, fill = GAP_STYLES[value]
            vc.font = font
            if fill is not None:
                vc.fill = fill
    ws.freeze_panes = "A5"
    fit_row_heights(ws, 4)
    print_setup(ws, "4:4", f"Fiche de registre : {row[PURPOSE]}", landscape=False)


def write_cnil_xlsx(path: str | Path, G: nx.MultiDiGraph) -> Path:
    """The CNIL-layout workbook: "Registre" (the organisation, its DPO, the activities), one fiche per
    activity, and the Evidence sheet."""
    rows = ropa_rows(G)
    names = sheet_names(rows)
    wb = Workbook()
    ws = wb.active
    ws.title = "Registre"
    _common_page(ws, G, rows, names)
    organisation = controller_details(G)["name"]
    for row, name in zip(rows, names):
        _fiche_sheet(wb.create_sheet(name), G, row, name, organisation)
    add_sheet(wb, "Evidence", EVIDENCE_COLUMNS, evidence_rows(G), f"Registre des activités de traitement : {organisation}")
    return atomic_save(wb, path)
