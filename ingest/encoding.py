"""Bytes to text: byte-order marks, declared charsets, UTF-8, then detection; never lossy.

Every decode is strict: a character is never dropped or replaced. When the bytes are not UTF-8
and charset-normalizer cannot name one clean reading, the file is refused with a specific error.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from ingest.models import LoadError

# Magic numbers of files that are not text, whatever their name says.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive such as .docx"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a legacy Microsoft Office file such as .doc"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\x7fELF", "an executable"),
)
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Above this "mess" (charset-normalizer's share of odd characters) a reading is not trusted.
_MAX_CHAOS = 0.1
# Control characters that never occur in text (tab, line breaks and form feed are fine).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
_DECLARED = (
    re.compile(rb"<meta[^>]{0,200}?charset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]+)", re.IGNORECASE),
    re.compile(rb"<\?xml[^>]{0,100}?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)", re.IGNORECASE),
)
# As browsers do (WHATWG Encoding): these labels mean windows-1252.
_WINDOWS_1252_LABELS = {"ascii", "latin_1", "iso8859_1", "cp1252"}


def sniff_binary(raw: bytes) -> str | None:
    """What a non-text file is, from its first bytes (None when it may be text)."""
    for magic, kind in _MAGIC:
        if raw.startswith(magic):
            return kind
    return None


def declared_charset(raw: bytes) -> str | None:
    """The charset an HTML or XML file declares in its first 4 KB (normalised), if any."""
    head = raw[:4096]
    for pattern in _DECLARED:
        match = pattern.search(head)
        if match:
            try:
                name = codecs.lookup(match.group(1).decode("ascii")).name
            except (LookupError, UnicodeDecodeError):
                return None
            return "cp1252" if name.replace("-", "_") in _WINDOWS_1252_LABELS else name
    return None


def _utf8_error(raw: bytes) -> str:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})"
    return "not valid UTF-8"


def _detect(path: Path, raw: bytes) -> tuple[str, str]:
    """Decode bytes that are not UTF-8 with the one clean reading charset-normalizer finds."""
    from charset_normalizer import from_bytes

    not_utf8 = _utf8_error(raw)
    redo = "; re-save the file as UTF-8"
    results = [m for m in from_bytes(raw) if not _CONTROL.search(str(m))]
    if not results:
        raise LoadError(path, f"{not_utf8} and no other text encoding reads it{redo}")
    best = min(m.chaos for m in results)
    if best > _MAX_CHAOS:
        guess = min(results, key=lambda m: m.chaos).encoding
        raise LoadError(
            path,
            f"{not_utf8}; cannot tell its encoding (the best guess, {guess}, reads as "
            f"garbled text){redo}",
        )
    ties = [m for m in results if m.chaos <= best + 0.001]
    # Equally clean readings: Western European Windows text is by far the most common here.
    if any("cp1252" in m.could_be_from_charset for m in ties):
        encoding = "cp1252"
    else:
        readings = {str(m): m.encoding for m in ties}
        if len(readings) > 1:
            names = " or ".join(sorted(set(readings.values()))[:3])
            raise LoadError(
                path, f"{not_utf8}; cannot tell its encoding (it reads as {names}){redo}"
            )
        encoding = ties[0].encoding
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:  # charset-normalizer may judge on a sample
        raise LoadError(
            path, f"{not_utf8}; cannot tell its encoding ({encoding} fails at byte {exc.start})"
        ) from exc
    if len(text) == len(raw) and len(_UTF8_SEQUENCE.findall(raw)) >= 2:
        # A one-byte reading of bytes that hold UTF-8 characters: parts are UTF-8, parts not.
        raise LoadError(
            path,
            f"{not_utf8}; the file mixes UTF-8 with another encoding: fix the text around "
            "that offset and save it as UTF-8",
        )
    return text, encoding


def decode_text(path: Path, raw: bytes, declared: str | None = None) -> tuple[str, list[str]]:
    """The file's text with ``\\n`` line ends, and warnings (e.g. the encoding detected)."""
    kind = sniff_binary(raw)
    if kind:
        raise LoadError(path, f"binary content ({kind}), not a text file")
    warnings: list[str] = []
    for bom, name in _BOMS:
        if raw.startswith(bom):
            try:
                text = raw.decode(name)
            except UnicodeDecodeError as exc:
                raise LoadError(
                    path, f"not valid {name.upper()} despite its byte-order mark ({exc.reason})"
                ) from exc
            return _normalise(text), warnings
    if b"\x00" in raw[:8192]:
        raise LoadError(path, "binary content (NUL bytes), not a text file")
    if declared:
        try:
            return _normalise(raw.decode(declared)), warnings
        except (UnicodeDecodeError, LookupError):
            warnings.append(f"the file declares charset {declared} but is not in it")
    if declared != "utf-8":
        try:
            return _normalise(raw.decode("utf-8")), warnings
        except UnicodeDecodeError:
            pass
    text, encoding = _detect(path, raw)
    warnings.append(f"not UTF-8: read as {encoding} (detected); re-save as UTF-8 to be sure")
    return _normalise(text), warnings


def _normalise(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")
