"""Reading a text file block by block, decoded incrementally, so memory does not grow with the
file: the same checks as :func:`unspin.inputs.textio.decode_bytes` (binary refused, a BOM
kept as U+FEFF so offsets index the file's text, invalid UTF-8 named by its byte offset), one block at a time.
"""

from __future__ import annotations

import codecs
import sys
from collections.abc import Iterator

from ..errors import UnspinError
from .textio import open_binary_input

BLOCK_BYTES = 1 << 16
_SNIFF = 8192


def iter_decoded(path: str, errors: str = "strict", block: int = BLOCK_BYTES) -> Iterator[str]:
    """Decoded pieces of ``path`` (``-``: standard input) that concatenate to its text."""
    f = open_binary_input(path)
    name = "<stdin>" if path == "-" else str(path)
    dec = codecs.getincrementaldecoder("utf-8")(errors)
    offset = 0  # bytes of the file before ``raw``
    try:
        first = True
        while True:
            raw = f.read(block)
            final = not raw
            if first and raw:
                if b"\x00" in raw[:_SNIFF]:
                    raise UnspinError(f"{name}: looks like a binary file (NUL bytes); give text, "
                                      "or use a command that extracts it")
                first = False
            elif b"\x00" in raw:
                at = offset + raw.index(b"\x00")
                raise UnspinError(f"{name}: binary data (NUL byte) near byte offset {at}")
            pending = len(dec.getstate()[0])
            try:
                text = dec.decode(raw, final)
            except UnicodeDecodeError as e:
                # e.start counts from the bytes still pending from the previous block.
                raise UnspinError(f"{name}: invalid UTF-8 at byte offset {offset - pending + e.start} "
                                  f"(byte 0x{e.object[e.start]:02x}); fix the encoding or pass --errors replace"
                                  ) from None
            offset += len(raw)
            if text:
                yield text
            if final:
                return
    finally:
        if f is not sys.stdin.buffer:
            f.close()
