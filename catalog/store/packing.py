"""Pure: a fact's or link's evidence as one packed column, and back.

Each piece of evidence is five integers: its section's index in the version's stored sections (-1:
none), its start in the version's text, its length, and the ids of its rule and its note in the phrase
table. Packed with `struct` (12 bytes a record when every value fits the narrow layout, 20 otherwise;
the first byte says which), they cost a tenth of a row per evidence with its indexes, and unpack in C
(`struct.iter_unpack`) instead of building a row object per evidence. Evidence whose quote is not its
slice of the text, or whose section is not a stored section's title, keeps that text beside the packed
records (the `evidence_text` column), so nothing a record can hold is lost.
"""

from __future__ import annotations

import functools
import struct
from collections.abc import Iterator, Sequence

#: One piece of evidence as stored: (section index, start, length, rule id, note id).
Packed = tuple[int, int, int, int, int]

_LAYOUTS = {0: "hIHHH", 1: "iiiii"}  # narrow, wide (little-endian, no padding)


@functools.lru_cache(maxsize=512)
def _struct(layout: int, n: int) -> struct.Struct:
    return struct.Struct("<" + _LAYOUTS[layout] * n)


def to_packed(records: Sequence[Packed]) -> bytes:
    """The records as bytes: the narrow layout when every value fits it, else the wide one."""
    flat = [v for r in records for v in r]
    for layout in _LAYOUTS:
        try:
            return bytes((layout,)) + _struct(layout, len(records)).pack(*flat)
        except struct.error:
            continue
    raise ValueError("evidence offsets beyond 32 bits cannot be stored")


def from_packed(blob: bytes) -> Iterator[Packed]:
    """The records `to_packed` made, in their order."""
    if not blob:
        return iter(())
    return struct.iter_unpack("<" + _LAYOUTS[blob[0]], memoryview(blob)[1:])
