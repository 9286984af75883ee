"""The bytes of a policy file to its text (pure): the encoding found, binary and empty files refused.

A DPO saves a policy from a word processor as UTF-16 or Windows-1252 as often as UTF-8, so the
encoding is found rather than assumed: a byte order mark first, then UTF-8, then charset-normalizer's
guess. A text read in anything but UTF-8 is loaded with a note naming the encoding used (the build
prints it as a warning). What no text encoding fits, what holds NUL bytes or many control characters
once decoded, and what holds no visible character is refused with a one-line reason.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

#: Byte order marks, longest first (the UTF-32 LE mark begins with the UTF-16 LE one).
BOMS: tuple[tuple[bytes, str, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32 LE"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32 BE"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16 LE"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16 BE"),
)
#: Control characters that have no place in a text policy (tab, newlines and form feed do).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
#: More control characters than this share of the text: binary.
MAX_CONTROL_SHARE = 0.01
#: Unicode categories that show nothing: format characters (zero-width space, BOM...), separators, controls.
_INVISIBLE = frozenset({"Cf", "Cc", "Zs", "Zl", "Zp"})


class DecodeError(ValueError):
    """Bytes that are not a text policy, with a one-line reason (the caller adds the file name)."""


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str  # a Python codec name, e.g. "utf-8", "utf-16", "cp1252"
    note: str = ""  # why it was not read as UTF-8, e.g. "read as UTF-16 LE (byte order mark)"


def to_text(data: bytes) -> Decoded:
    """Decode a policy file's bytes; DecodeError if they are not a text policy."""
    if not data.strip():
        raise DecodeError("empty file")
    decoded = _decode(data)
    check_text(decoded.text)
    return decoded


def _decode(data: bytes) -> Decoded:
    for bom, codec, label in BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as e:
                raise DecodeError(f"not valid {label} text (bad bytes at offset {e.start}) "
                                  "although it starts with that byte order mark") from None
            return Decoded(text, codec, "" if codec == "utf-8-sig" else f"read as {label} (byte order mark)")
    utf8_error: UnicodeDecodeError | None = None
    if b"\x00" not in data:  # NUL bytes: UTF-16/32 without a mark, or binary; the detector tells
        try:
            return Decoded(data.decode("utf-8"), "utf-8")
        except UnicodeDecodeError as e:
            utf8_error = e
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        if b"\x00" in data:
            raise DecodeError("binary file (contains NUL bytes), not a text policy")
        assert utf8_error is not None
        raise DecodeError(f"not valid UTF-8 text (bad byte at offset {utf8_error.start}) and no other "
                          "text encoding fits; re-save it as UTF-8")
    codec = codecs.lookup(best.encoding).name
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as e:
        raise DecodeError(f"not valid {codec} text either (bad byte at offset {e.start}); re-save it as UTF-8") from None
    if codec in ("utf-8", "ascii"):
        return Decoded(text, "utf-8")
    return Decoded(text, codec, f"read as {codec}, not UTF-8 (detected; re-save it as UTF-8 to be sure)")


def check_text(text: str) -> None:
    """Refuse decoded text that is binary (NUL bytes, many control characters) or shows nothing."""
    if "\x00" in text:
        raise DecodeError("binary file (contains NUL bytes), not a text policy")
    controls = len(_CONTROL.findall(text))
    if controls > MAX_CONTROL_SHARE * len(text):
        raise DecodeError(f"binary file ({controls} control characters), not a text policy")
    if not has_visible_text(text):
        raise DecodeError("empty file (only spaces or invisible characters)")


def has_visible_text(text: str) -> bool:
    """Whether any character shows: not a space of any kind, not zero-width, not a control."""
    if not text.strip():
        return False
    return any(not ch.isspace() and unicodedata.category(ch) not in _INVISIBLE for ch in text)
