"""Reading an uploaded zip (xlsx, docx, pptx) without trusting what its headers say.

Contract: ``check_zip(data, max_inflated=...)`` inflates every member itself, in a stream, and stops the
moment the bytes actually produced pass ``max_inflated`` (summed over all members), whatever sizes the
local and central headers claim. A member must inflate completely, to exactly its declared size and
CRC: a zip that lies about its sizes or whose compressed bytes are damaged is refused, so a later reader
(openpyxl, zipfile) that trusts the headers reads exactly the bytes checked here. Every failure is one
``ArchiveError`` with a code; callers turn it into their own refusal (a 400 with a Chinese message).
Memory stays at a few chunks whatever the archive holds: nothing inflated is kept except the members
the caller asks for by name (``keep``), each capped on its own.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

# Inflated bytes produced per decompress call: the unit by which the cap is checked and memory is held.
CHUNK_BYTES = 64 * 1024
# Compressed bytes fed per call; small enough that one feed cannot hide a large burst of output.
FEED_BYTES = 16 * 1024
# The fixed part of a zip local file header (APPNOTE 4.3.7).
LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
LOCAL_SIGNATURE = b"PK\x03\x04"
# Markers that an XML part declares a DTD or entities (refused before any XML parser runs).
UNSAFE_XML_MARKERS = (b"<!DOCTYPE", b"<!ENTITY")
_MARKER_OVERLAP = max(len(m) for m in UNSAFE_XML_MARKERS) - 1
XML_SUFFIXES = (".xml", ".rels", ".vml")


class ArchiveError(Exception):
    """The upload is not a zip that can be read safely; ``code`` says why."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(detail or code)
        self.code = code


@dataclass
class CheckedZip:
    names: list[str]
    inflated_bytes: int
    kept: dict[str, bytes] = field(default_factory=dict)
    unsafe_xml: list[str] = field(default_factory=list)


def check_zip(
    data: bytes,
    *,
    max_inflated: int,
    max_entries: int,
    keep: Collection[str] = (),
    keep_max_bytes: int = 1024 * 1024,
) -> CheckedZip:
    """Inflate every member of ``data`` under the caps; see the module docstring.

    Codes: ``not_zip`` (no readable directory), ``too_many_entries``, ``encrypted``,
    ``too_large_uncompressed`` (the cap was reached, or a kept member is over ``keep_max_bytes``),
    ``damaged`` (a member does not inflate, is truncated, or differs from its declared size or CRC).
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, struct.error) as exc:
        raise ArchiveError("not_zip", str(exc)) from exc
    if len(infos) > max_entries:
        raise ArchiveError("too_many_entries", str(len(infos)))
    if any(info.flag_bits & 0x1 for info in infos):
        raise ArchiveError("encrypted")
    if sum(info.file_size for info in infos) > max_inflated:  # honest headers: no need to inflate
        raise ArchiveError("too_large_uncompressed", "declared sizes")
    result = CheckedZip(names=[info.filename for info in infos], inflated_bytes=0)
    for info in infos:
        budget = max_inflated - result.inflated_bytes
        wanted = info.filename in keep
        kept = bytearray() if wanted else None
        scan_xml = info.filename.lower().endswith(XML_SUFFIXES)
        tail = b""
        produced = 0
        for chunk in _inflate(data, info, budget=budget):
            produced += len(chunk)
            if kept is not None:
                if len(kept) + len(chunk) > keep_max_bytes:
                    raise ArchiveError("too_large_uncompressed", info.filename)
                kept += chunk
            if scan_xml:
                window = (tail + chunk).upper()
                if any(marker in window for marker in UNSAFE_XML_MARKERS):
                    result.unsafe_xml.append(info.filename)
                    scan_xml = False
                tail = window[-_MARKER_OVERLAP:]
        result.inflated_bytes += produced
        if kept is not None:
            result.kept[info.filename] = bytes(kept)
    return result


def _inflate(data: bytes, info: zipfile.ZipInfo, *, budget: int) -> Iterable[bytes]:
    """The member's bytes, chunk by chunk; raises once more than ``budget`` bytes come out."""
    start = _data_offset(data, info)
    compressed = memoryview(data)[start : start + info.compress_size]
    if len(compressed) < info.compress_size:
        raise ArchiveError("damaged", f"{info.filename}: truncated")
    produced = 0
    crc = 0
    try:
        if info.compress_type == zipfile.ZIP_STORED:
            for pos in range(0, len(compressed), CHUNK_BYTES):
                chunk = bytes(compressed[pos : pos + CHUNK_BYTES])
                produced += len(chunk)
                if produced > budget:
                    raise ArchiveError("too_large_uncompressed", info.filename)
                crc = zlib.crc32(chunk, crc)
                yield chunk
        elif info.compress_type == zipfile.ZIP_DEFLATED:
            inflater = zlib.decompressobj(-zlib.MAX_WBITS)
            for pos in range(0, len(compressed), FEED_BYTES):
                pending = bytes(compressed[pos : pos + FEED_BYTES])
                while pending and not inflater.eof:
                    chunk = inflater.decompress(pending, CHUNK_BYTES)
                    pending = inflater.unconsumed_tail
                    produced += len(chunk)
                    if produced > budget:
                        raise ArchiveError("too_large_uncompressed", info.filename)
                    crc = zlib.crc32(chunk, crc)
                    yield chunk
                if inflater.eof:
                    break
            if not inflater.eof:
                raise ArchiveError("damaged", f"{info.filename}: compressed data ends early")
        else:
            raise ArchiveError("damaged", f"{info.filename}: compression method {info.compress_type}")
    except zlib.error as exc:
        raise ArchiveError("damaged", f"{info.filename}: {exc}") from exc
    if produced != info.file_size or crc != info.CRC:
        raise ArchiveError("damaged", f"{info.filename}: size or CRC differs from its header")


def _data_offset(data: bytes, info: zipfile.ZipInfo) -> int:
    """Where the member's compressed bytes start: after its local header, whose name and extra field
    lengths may differ from the central directory's."""
    header = data[info.header_offset : info.header_offset + LOCAL_HEADER.size]
    if len(header) < LOCAL_HEADER.size:
        raise ArchiveError("damaged", f"{info.filename}: truncated")
    fields = LOCAL_HEADER.unpack(header)
    if fields[0] != LOCAL_SIGNATURE:
        raise ArchiveError("damaged", f"{info.filename}: no local header")
    name_length, extra_length = fields[-2], fields[-1]
    return info.header_offset + LOCAL_HEADER.size + name_length + extra_length
