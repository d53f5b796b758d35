"""A compact map from positions in a derived text back to positions in its original.

:class:`OffsetMap` records a normalization step as aligned and atomic segments (built with
:class:`OffsetMapBuilder`); ``to_original``, ``span_to_original`` and ``compose`` map positions,
spans and chained steps back. Segments, costs and conventions: docs/pipeline.md.
"""
from __future__ import annotations

from array import array
from bisect import bisect_right
from operator import sub
from typing import Iterator

__all__ = ["OffsetMap", "OffsetMapBuilder"]


class OffsetMapBuilder:
    """Builds an :class:`OffsetMap` by appending runs from left to right.

    >>> b = OffsetMapBuilder()
    >>> b.keep(3); b.replace(1, 2); b.delete(5); b.keep(2)
    >>> m = b.build()
    >>> m.derived_len, m.original_len
    (6, 12)
    """

    __slots__ = ("_d", "_o", "_a", "_dpos", "_opos")

    def __init__(self) -> None:
        self._d = array("q")
        self._o = array("q")
        self._a = bytearray()
        self._dpos = 0
        self._opos = 0

    def keep(self, n: int) -> None:
        """Append ``n`` characters that map one-to-one (copied or replaced char for char)."""
        if n <= 0:
            return
        if not (self._a and self._a[-1]):
            self._d.append(self._dpos)
            self._o.append(self._opos)
            self._a.append(1)
        self._dpos += n
        self._opos += n

    def replace(self, derived_len: int, original_len: int) -> None:
        """Append an atomic unit: ``original_len`` source chars became ``derived_len`` chars."""
        if derived_len < 0 or original_len < 0:
            raise ValueError("run lengths must not be negative")
        if derived_len == 0 and original_len == 0:
            return
        self._d.append(self._dpos)
        self._o.append(self._opos)
        self._a.append(0)
        self._dpos += derived_len
        self._opos += original_len

    def delete(self, n: int) -> None:
        """Append ``n`` source characters that left no trace in the derived text."""
        self.replace(0, n)

    def insert(self, n: int) -> None:
        """Append ``n`` derived characters that have no source."""
        self.replace(n, 0)

    def build(self) -> "OffsetMap":
        return OffsetMap._from_columns(self._d, self._o, self._a, self._dpos, self._opos)


class OffsetMap:
    """Maps positions in a derived text back to positions in the original text."""

    __slots__ = ("_d", "_o", "_a", "derived_len", "original_len")

    def __init__(self) -> None:  # use identity(), OffsetMapBuilder or compose()
        self._d = array("q")
        self._o = array("q")
        self._a = bytearray()
        self.derived_len = 0
        self.original_len = 0

    @classmethod
    def _from_columns(cls, d: array, o: array, a: bytearray, dlen: int, olen: int) -> "OffsetMap":
        m = cls.__new__(cls)
        m._d, m._o, m._a = d, o, a
        m.derived_len, m.original_len = dlen, olen
        return m

    @classmethod
    def identity(cls, n: int) -> "OffsetMap":
        """The map of a step that changed nothing (or only replaced chars one for one)."""
        b = OffsetMapBuilder()
        b.keep(n)
        return b.build()

    @classmethod
    def from_edits(cls, original_len: int, edits) -> "OffsetMap":
        """The map of a text after ``edits``: sorted, non-overlapping tuples
        ``(start, end, new_len, aligned)`` in original positions; text between edits is kept.

        ``aligned`` edits replace char for char (``new_len == end - start``); the others are
        atomic units (``new_len == 0`` is a deletion). Equivalent to driving an
        :class:`OffsetMapBuilder`, but with no call per edit.
        """
        d, o, a = array("q"), array("q"), bytearray()
        dpos = pos = 0
        last_aligned = False
        for start, end, new_len, aligned in edits:
            if start < pos or end < start:
                raise ValueError(f"edit ({start}, {end}) overlaps or is not sorted")
            if aligned or start > pos:
                if not last_aligned:
                    d.append(dpos)
                    o.append(pos)
                    a.append(1)
                    last_aligned = True
                dpos += start - pos
                if aligned:
                    dpos += end - start
                    pos = end
                    continue
            if new_len or end > start:
                d.append(dpos)
                o.append(start)
                a.append(0)
                last_aligned = False
                dpos += new_len
            pos = end
        if original_len > pos and not last_aligned:
            d.append(dpos)
            o.append(pos)
            a.append(1)
        dpos += original_len - pos
        return cls._from_columns(d, o, a, dpos, original_len)

    # -- queries ---------------------------------------------------------------------------

    @classmethod
    def from_segments(cls, segments) -> "OffsetMap":
        """The map of ``(derived_len, original_len, aligned)`` segments, as :meth:`segments` yields
        them (and as a document's pkb:offsetMap stores them)."""
        b = OffsetMapBuilder()
        for derived, original, aligned in segments:
            if aligned:
                if derived != original:
                    raise ValueError(f"an aligned segment has equal lengths, not {derived} and {original}")
                b.keep(derived)
            else:
                b.replace(derived, original)
        return b.build()

    @property
    def is_identity(self) -> bool:
        return self.derived_len == self.original_len and (
            not self._a or (len(self._a) == 1 and self._a[0] == 1))

    def __len__(self) -> int:
        """Number of segments (a measure of how much the text was edited)."""
        return len(self._a)

    def __repr__(self) -> str:
        return (f"OffsetMap(derived_len={self.derived_len}, original_len={self.original_len}, "
                f"segments={len(self._a)})")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, OffsetMap) and list(self.segments()) == list(other.segments())

    def _check(self, pos: int) -> None:
        if not 0 <= pos <= self.derived_len:
            raise IndexError(f"position {pos} outside 0..{self.derived_len}")

    def to_original(self, pos: int) -> int:
        """Original position of the character at derived ``pos`` (0 <= pos <= len(derived))."""
        self._check(pos)
        if pos == self.derived_len:
            return self.original_len
        i = bisect_right(self._d, pos) - 1
        if self._a[i]:
            return self._o[i] + pos - self._d[i]
        return self._o[i]

    def _end_to_original(self, end: int) -> int:
        """Original position just after the source of the character at ``end - 1``."""
        i = bisect_right(self._d, end - 1) - 1
        if self._a[i]:
            return self._o[i] + end - self._d[i]
        return self._o[i + 1] if i + 1 < len(self._o) else self.original_len

    def span_to_original(self, start: int, end: int) -> tuple[int, int]:
        """The original span ``[s, e)`` holding the sources of derived chars ``[start, end)``."""
        self._check(start)
        self._check(end)
        if start > end:
            raise ValueError(f"span start {start} is after its end {end}")
        if start == end:
            p = self.to_original(start)
            return p, p
        return self.to_original(start), self._end_to_original(end)

    def segments(self) -> Iterator[tuple[int, int, bool]]:
        """Yield ``(derived_len, original_len, aligned)`` for each segment, left to right."""
        d, o, a = self._d, self._o, self._a
        n = len(a)
        for i in range(n):
            dn = d[i + 1] if i + 1 < n else self.derived_len
            on = o[i + 1] if i + 1 < n else self.original_len
            yield dn - d[i], on - o[i], bool(a[i])

    # -- composition -----------------------------------------------------------------------

    def compose(self, inner: "OffsetMap") -> "OffsetMap":
        """Chain two steps: ``self`` maps text1 → original, ``inner`` maps text2 → text1.

        The result maps text2 → original. Positions that are exact in both steps stay exact;
        where an atomic unit of one step overlaps units of the other, the overlapping units
        merge into one atomic unit, so spans stay conservative (never too small).
        """
        if inner.original_len != self.derived_len:
            raise ValueError(f"cannot compose: inner map's original has {inner.original_len} "
                             f"chars, this map's derived text has {self.derived_len}")
        if inner.is_identity:
            return self
        if self.is_identity:
            return inner
        bd, bt, ba = inner._columns()    # text2 length, text1 length, aligned
        at, ao, aa = self._columns()     # text1 length, original length, aligned
        out = OffsetMapBuilder()
        keep, unit = out.keep, out.replace
        nb, na = len(ba), len(aa)
        i = j = 0
        rb = bt[0] if nb else 0          # text1 chars left in inner segment i
        ra = at[0] if na else 0          # text1 chars left in outer segment j
        b_new = a_new = True             # the segment's own length is not yet counted
        pend_d = pend_o = 0              # the atomic unit being gathered
        inside = False                   # inside an atomic unit of either map
        while i < nb or j < na:
            if i < nb and bt[i] == 0:    # text2 chars with no text1 source
                pend_d += bd[i]
                i += 1
                rb, b_new = (bt[i] if i < nb else 0), True
                continue
            if j < na and at[j] == 0:    # original chars deleted on the way to text1
                pend_o += ao[j]
                j += 1
                ra, a_new = (at[j] if j < na else 0), True
                continue
            if i >= nb or j >= na:           # pragma: no cover - lengths were checked
                raise AssertionError("offset maps out of step")
            if not inside and (pend_d or pend_o):
                unit(pend_d, pend_o)
                pend_d = pend_o = 0
            if aa[j] and not inside and b_new:
                # Fast path: whole inner segments inside this aligned outer segment.
                while i < nb and 0 < bt[i] <= ra:
                    if ba[i]:
                        keep(bt[i])
                    else:
                        unit(bd[i], bt[i])
                    ra -= bt[i]
                    i += 1
                rb = bt[i] if i < nb else 0
                if ra == 0:
                    j += 1
                    ra, a_new = (at[j] if j < na else 0), True
                    continue
                if i >= nb or rb == 0:
                    continue
            b_al, a_al = ba[i], aa[j]
            k = rb if rb < ra else ra
            if b_al and a_al and not inside:
                keep(k)
            else:
                pend_d += k if b_al else (bd[i] if b_new else 0)
                pend_o += k if a_al else (ao[j] if a_new else 0)
            b_new = a_new = False
            rb -= k
            ra -= k
            inside = not ((rb == 0 or b_al) and (ra == 0 or a_al))
            if rb == 0:
                i += 1
                rb, b_new = (bt[i] if i < nb else 0), True
            if ra == 0:
                j += 1
                ra, a_new = (at[j] if j < na else 0), True
            if not inside and (pend_d or pend_o):
                unit(pend_d, pend_o)
                pend_d = pend_o = 0
        unit(pend_d, pend_o)
        return out.build()

    def _columns(self) -> tuple[list[int], list[int], bytearray]:
        """Per-segment derived lengths, original lengths and aligned flags."""
        d = self._d.tolist()
        o = self._o.tolist()
        dl = list(map(sub, d[1:] + [self.derived_len], d))
        ol = list(map(sub, o[1:] + [self.original_len], o))
        return dl, ol, self._a
