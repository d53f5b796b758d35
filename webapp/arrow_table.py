"""Rows of text and yes/no values as a ``pyarrow.Table`` built from its buffers, for
``st.dataframe``: ``pa.array`` (and so ``pa.Table.from_pylist``) imports pandas to check its input,
about half a second of an app's cold start, and the answer table needs none of it."""
from __future__ import annotations

import sys
from array import array
from collections.abc import Sequence

import pyarrow as pa


def arrow_table(rows: Sequence[dict], columns: Sequence[str] | None = None) -> pa.Table:
    """``rows`` (dicts of str, bool or None) as a table with ``columns`` (default: the first
    row's keys, in order); a column of bools only (or None) becomes a boolean column, every other
    value is written as text, and None stays null."""
    columns = list(columns if columns is not None else (rows[0] if rows else {}))
    arrays = [_column([row.get(name) for row in rows]) for name in columns]
    return pa.Table.from_arrays(arrays, names=columns)


def _column(values: list) -> pa.Array:
    present = [v is not None for v in values]
    validity = pa.py_buffer(_bits(present)) if not all(present) else None
    if values and all(v is None or isinstance(v, bool) for v in values) and any(present):
        return pa.Array.from_buffers(pa.bool_(), len(values), [validity, pa.py_buffer(_bits(values))])
    encoded = [b"" if v is None else str(v).encode("utf-8") for v in values]
    offsets = array("i", [0])
    for item in encoded:
        offsets.append(offsets[-1] + len(item))
    if sys.byteorder == "big":   # Arrow's buffers are little-endian
        offsets.byteswap()
    return pa.Array.from_buffers(pa.string(), len(values), [validity, pa.py_buffer(offsets.tobytes()),
                                                            pa.py_buffer(b"".join(encoded))])


def _bits(flags: list) -> bytes:
    """Arrow's bitmap: bit ``i`` (least significant first) set when ``flags[i]`` is true."""
    out = bytearray((len(flags) + 7) // 8)
    for i, flag in enumerate(flags):
        if flag:
            out[i >> 3] |= 1 << (i & 7)
    return bytes(out)
