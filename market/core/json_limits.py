"""Refusing JSON that would hurt to parse, before parsing it.

Python's ``json`` recurses once per nested array or object: a body of 100,000 ``[`` raises
``RecursionError`` deep inside the parser (a 500), and a body that parses that deep breaks
whatever walks it next (storing it, logging it). Counting the nesting is a linear scan.
"""

import math
import re
from itertools import accumulate

# A JSON string, escapes included; what is inside one is text, not structure. An unterminated
# string runs to the end: matching always succeeds where it starts, so the scan stays linear.
_STRING = re.compile(rb'"(?:[^"\\]++|\\.?)*+(?:"|\Z)', re.DOTALL)
_NOT_A_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


def json_nesting_exceeds(raw: bytes, *, limit: int) -> bool:
    """Whether arrays and objects in ``raw`` nest deeper than ``limit`` (a top-level object is
    depth 1). Malformed JSON is not judged here: it answers ``False`` unless it is too deep,
    and the parser refuses it afterwards."""
    brackets = _STRING.sub(b"", raw).translate(None, _NOT_A_BRACKET)
    if len(brackets) <= limit:  # no deeper than it has brackets: most bodies stop here
        return False
    return max(accumulate(_STEP[b] for b in brackets)) > limit


def json_storable(value: object) -> bool:
    """Whether parsed JSON can be stored as PostgreSQL ``jsonb`` and text: no NUL character and
    no lone surrogate in any key or string (both parse in Python from ``\\u`` escapes), and no
    ``NaN`` or ``Infinity`` (Python's parser accepts them; JSON has neither)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, str):
            if not text_storable(item):
                return False
        elif isinstance(item, float) and not math.isfinite(item):
            return False
    return True


def text_storable(text: str) -> bool:
    """Whether PostgreSQL can store ``text``: no NUL character, no lone surrogate."""
    if "\x00" in text:
        return False
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True
