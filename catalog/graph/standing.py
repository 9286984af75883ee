"""Where a transfer to one country stands under GDPR Chapter V, given the safeguards a version names (pure).

The one place that decides it, below every view that shows it: the transfer checks (catalog.checks.transfers),
the ROPA cells and the Transfers sheet, lineage's transfer hops, the DOT rendering and the dashboard.
It reads only the vocabulary (EEA countries, adequacy decisions, which safeguards count where).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from catalog.vocabulary import adequacy_decisions, eea_countries, read_yaml

UNNAMED = "ZZ"  # country.yaml's code for "third countries" a policy does not name


@dataclass(frozen=True)
class TransferStanding:
    """What Chapter V makes of a transfer to one country with the safeguards a version names.

    adequacy: "eea" (an EEA country, EFTA-EEA included: no third country), "full", "partial",
    "none", or "unknown" (a destination the policy does not name). `safeguards` are the ones that
    count for this country (own and `blanket` ones, those stated once for all third countries);
    `not_applicable` are named but count nowhere here (an adequacy decision the country does not
    have, the Data Privacy Framework outside the US). `covered`: no Chapter V gap.
    """

    country: str
    adequacy: str
    label: str
    safeguards: tuple[str, ...]
    blanket: tuple[str, ...]
    not_applicable: tuple[str, ...]
    covered: bool


@functools.cache
def _adequacy_safeguards() -> dict[str, Any]:
    return dict(read_yaml("adequacy.yaml").get("adequacy_safeguards") or {})


def _applies(safeguard: str, code: str) -> bool:
    """Whether a named safeguard can cover a transfer to this country (adequacy ones only where decided)."""
    scope = _adequacy_safeguards().get(safeguard)
    if scope is None or code == UNNAMED:  # of a destination not named, nothing can be ruled out
        return True
    if scope == "decided":
        return code in adequacy_decisions()
    return code in scope


def transfer_standing(code: str, safeguards: Iterable[str] = (), blanket: Iterable[str] = ()) -> TransferStanding:
    """Pure: the standing of a transfer to ISO country `code` (ZZ: not named) given the safeguards named for it.

    The one place that decides what the Transfers sheet, the ROPA cells, lineage and the dashboard
    show for a destination, and what the transfer checks flag.
    """
    own = list(dict.fromkeys(safeguards))
    general = [s for s in dict.fromkeys(blanket) if s not in own]
    if code in eea_countries():
        return TransferStanding(code, "eea", "EEA country: no transfer to a third country", (), (), (), True)
    named = [s for s in own + general if _applies(s, code)]
    not_applicable = tuple(s for s in own + general if s not in named)
    decision = adequacy_decisions().get(code)
    if code == UNNAMED:
        adequacy, label = "unknown", "destination not named"
    elif not decision:
        adequacy, label = "none", "no adequacy decision"
    elif decision.get("partial"):
        adequacy, label = "partial", f"partial adequacy decision ({decision.get('scope', '')})"
    else:
        adequacy, label = "full", "adequacy decision (Art. 45)"
    return TransferStanding(code, adequacy, label, tuple(named), tuple(s for s in general if s in named),
                            not_applicable, adequacy == "full" or bool(named))
