"""Untrusted text made safe to show: every control character becomes a visible glyph.

Article text may carry ANSI/OSC/DCS escape sequences, C1 controls, bidirectional
overrides and invisible format characters. Each is mapped one-for-one to a visible
glyph, so character offsets stay valid and nothing reaches the terminal raw. Pure
Python: the annotator (display.py) and the CLI's listings share it.
"""

from __future__ import annotations

_BIDI = [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C]
_INVISIBLE = [0x200B, 0x2060, 0xFEFF, 0x2028, 0x2029, 0x0085]


def _control_table() -> dict[int, str]:
    table = {code: chr(0x2400 + code) for code in range(0x20) if code != 0x0A}
    table[0x7F] = "\u2421"  # ␡
    for code in range(0x80, 0xA0):
        table[code] = "\ufffd"  # C1 controls have no control picture
    for code in _BIDI:
        table[code] = "\u21c4"  # ⇄: a direction override, shown instead of obeyed
    for code in _INVISIBLE:
        table[code] = "\u2423" if code in (0x2028, 0x2029, 0x0085) else "\u00b7"
    return table


CONTROL_TABLE = _control_table()


def visible(text: str) -> str:
    """The text with every control character replaced by one visible glyph."""
    return text.translate(CONTROL_TABLE)
