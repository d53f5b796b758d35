"""Numbers as policy texts write them: 1, 12, 1.5, 两, 二十, 百分之五, 5%.

The Chinese-numeral arithmetic is cn2an's; this module only finds where a number is and
deals with the forms cn2an leaves out (两 in every position, 百分之…, 半).
"""
from __future__ import annotations

import re
from functools import lru_cache

#: One numeral as a regex: Arabic (with decimals) or a run of Chinese numeral characters.
CN_DIGITS = "零〇一二两三四五六七八九十百千万"
NUMBER = rf"(?:\d+(?:\.\d+)?|[{CN_DIGITS}]+(?:点[{CN_DIGITS}]+)?|半)"
NUMBER_RE = re.compile(NUMBER)


@lru_cache(maxsize=4096)
def parse_number(text: str) -> float | None:
    """The value of one numeral, or None when ``text`` is not a numeral.

    >>> parse_number("两"), parse_number("二十"), parse_number("3"), parse_number("1.5")
    (2, 20, 3, 1.5)
    """
    text = text.strip()
    if not text:
        return None
    if text == "半":
        return 0.5
    if text.replace(".", "", 1).isdecimal():   # not isdigit(): "²", "①" are digits float() refuses
        value = float(text)
        return int(value) if value.is_integer() else value
    if text.startswith("百分之"):
        return parse_number(text[3:])
    if text.endswith("%"):
        return parse_number(text[:-1])
    # 两 means 2 wherever it stands (两百, 十两 are rare but harmless); cn2an accepts it only
    # in some positions.
    text = text.replace("两", "二").replace("〇", "零")
    import cn2an   # here, not at the top: importing it takes ~0.3 s, and the query side rarely needs it

    try:
        value = cn2an.cn2an(text, "smart")
    except (ValueError, KeyError, IndexError):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def parse_int(text: str) -> int | None:
    """The value of a numeral when it is a whole number, else None."""
    value = parse_number(text)
    if value is None or (isinstance(value, float) and not value.is_integer()):
        return None
    return int(value)
