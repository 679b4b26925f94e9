"""Hostile zip files built in the suite: a zip writer that lets a member's headers lie."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass

# Bytes of zeros deflated per call while building a bomb (never held whole).
_BOMB_PIECE = bytes(1024 * 1024)


@dataclass
class Member:
    name: str
    compressed: bytes
    crc: int
    file_size: int  # what the headers claim
    method: int = zipfile.ZIP_DEFLATED


def deflated(name: str, content: bytes) -> Member:
    packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return Member(name, packer.compress(content) + packer.flush(), zlib.crc32(content), len(content))


def bomb(name: str, *, real_bytes: int, claimed_bytes: int) -> Member:
    """``real_bytes`` of zeros, deflated piece by piece, whose headers claim ``claimed_bytes``."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    out, crc = bytearray(), 0
    for _ in range(real_bytes // len(_BOMB_PIECE)):
        out += packer.compress(_BOMB_PIECE)
        crc = zlib.crc32(_BOMB_PIECE, crc)
    out += packer.flush()
    return Member(name, bytes(out), crc, claimed_bytes)


def members_of(content: bytes) -> list[Member]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return [deflated(info.filename, archive.read(info)) for info in archive.infolist()]


def write_zip(members: list[Member]) -> bytes:
    """A zip whose local and central headers both carry each member's claimed size."""
    out = io.BytesIO()
    central = io.BytesIO()
    for m in members:
        offset = out.tell()
        name = m.name.encode()
        local = ("<4s2B4HL2L2H", b"PK\x03\x04", 20, 0, 0, m.method, 0, 0x21)
        out.write(struct.pack(*local, m.crc, len(m.compressed), m.file_size, len(name), 0))
        out.write(name)
        out.write(m.compressed)
        entry = ("<4s4B4HL2L5HLL", b"PK\x01\x02", 20, 0, 20, 0, 0, m.method, 0, 0x21)
        sizes = (m.crc, len(m.compressed), m.file_size, len(name))
        central.write(struct.pack(*entry, *sizes, 0, 0, 0, 0, 0, offset))
        central.write(name)
    start = out.tell()
    directory = central.getvalue()
    out.write(directory)
    out.write(
        struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(directory), start, 0)
    )
    return out.getvalue()


def with_bomb(xlsx: bytes, *, real_bytes: int = 256 * 1024 * 1024, claimed_bytes: int = 1024) -> bytes:
    """The workbook plus one member of ``real_bytes`` zeros whose headers claim ``claimed_bytes``."""
    padding = bomb("xl/media/image1.png", real_bytes=real_bytes, claimed_bytes=claimed_bytes)
    return write_zip([*members_of(xlsx), padding])


def with_damaged_member(xlsx: bytes, name: str) -> bytes:
    """The workbook with ``name``'s deflate stream starting with an invalid block type (zlib.error)."""
    members = members_of(xlsx)
    for m in members:
        if m.name == name:
            m.compressed = b"\xff" + m.compressed[1:]
    return write_zip(members)
