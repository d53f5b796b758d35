"""A read-only table of Chinese wordings → sense numbers packed in a few byte strings
(:class:`PackedTable`): the wordings sorted, found by binary search, so reading a saved table back
is a handful of copies instead of making a string object per wording."""
from __future__ import annotations

from array import array
from collections.abc import Mapping
from itertools import accumulate

#: The array type codes and the item size every array here is written with.
_KEYS, _VALUES, _WIDTH = "I", "i", 4


def pack(table: Mapping) -> tuple:
    """``table`` (a wording → a sense number or a tuple of them) as builtins for ``marshal``:
    the UTF-8 wordings joined in code-point order (the order of their bytes), where each one
    starts, its value (a sense number, or ``~j`` for the ``j``-th tuple of several), the tuples'
    numbers laid end to end with where each starts, and the longest wording's length."""
    keys = sorted(table)
    encoded = [key.encode("utf-8") for key in keys]
    offsets = array(_KEYS, accumulate(map(len, encoded), initial=0))
    values, several, starts = array(_VALUES), array(_KEYS), array(_KEYS, [0])
    for key in keys:
        held = table[key]
        if type(held) is tuple:
            values.append(~(len(starts) - 1))
            several.extend(held)
            starts.append(len(several))
        else:
            values.append(held)
    return (_WIDTH, b"".join(encoded), offsets.tobytes(), values.tobytes(), several.tobytes(), starts.tobytes(),
            max(map(len, keys), default=0))


class PackedTable(Mapping):
    """What :func:`pack` wrote, read in place: ``table[wording]`` is the sense number or the tuple
    of them, as in the dict it was packed from. Iterating decodes every wording (slow; only
    :meth:`__contains__` and :meth:`__getitem__` are on a question's path)."""

    def __init__(self, packed: tuple):
        width, self.blob, offsets, values, several, starts, self.longest = packed
        self.offsets, self.values = array(_KEYS), array(_VALUES)
        self.several, self.starts = array(_KEYS), array(_KEYS)
        if width != _WIDTH or self.offsets.itemsize != _WIDTH or self.values.itemsize != _WIDTH:
            raise ValueError(f"packed table of {width}-byte items, expected {_WIDTH}")
        for target, data in ((self.offsets, offsets), (self.values, values), (self.several, several),
                             (self.starts, starts)):
            target.frombytes(data)
        if len(self.offsets) != len(self.values) + 1:
            raise ValueError("packed table: offsets and values disagree")

    def _find(self, key) -> int:
        """The position of ``key`` among the sorted wordings, or -1."""
        if type(key) is not str:
            return -1
        wanted, blob, offsets = key.encode("utf-8"), self.blob, self.offsets
        lo, hi = 0, len(self.values)
        while lo < hi:
            mid = (lo + hi) // 2
            if blob[offsets[mid]:offsets[mid + 1]] < wanted:
                lo = mid + 1
            else:
                hi = mid
        return lo if lo < len(self.values) and blob[offsets[lo]:offsets[lo + 1]] == wanted else -1

    def __getitem__(self, key):
        at = self._find(key)
        if at < 0:
            raise KeyError(key)
        held = self.values[at]
        if held >= 0:
            return held
        j = ~held
        return tuple(self.several[self.starts[j]:self.starts[j + 1]])

    def __contains__(self, key) -> bool:
        return self._find(key) >= 0

    def __iter__(self):
        blob, offsets = self.blob, self.offsets
        return (blob[offsets[i]:offsets[i + 1]].decode("utf-8") for i in range(len(self.values)))

    def __len__(self) -> int:
        return len(self.values)
