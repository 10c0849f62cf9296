"""创新券 numbers: the year, eight random characters and a check character, e.g.
2026-7K3QD9XM-R.

Characters come from Crockford's base-32 alphabet (no I, L, O or U, so nothing reads as another
character), drawn with `secrets`, so numbers cannot be guessed from one another. The check
character is Luhn mod 32 over the year and the random part: any single mistyped character and
any swap of two different neighbours but 0 <-> Z (Luhn's one blind pair: both weigh 0 and 31,
doubled or not) is caught before the database is asked.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
N = len(ALPHABET)
BODY_LENGTH = 8
PATTERN = re.compile(rf"^(\d{{4}})-([{ALPHABET}]{{{BODY_LENGTH}}})-([{ALPHABET}])$")
# Read as the platform writes them: 0 for O, 1 for I and L (Crockford's decoding rules).
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def check_character(text: str) -> str:
    """Luhn mod N: from the right, every second character's value is doubled and its base-N
    digits summed; the check character brings the total to a multiple of N."""
    total = 0
    factor = 2
    for char in reversed(text):
        addend = factor * ALPHABET.index(char)
        total += addend // N + addend % N
        factor = 1 if factor == 2 else 2
    return ALPHABET[(N - total % N) % N]


def new_code(year: int) -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return f"{year:04d}-{body}-{check_character(f'{year:04d}{body}')}"


def normalise(code: str) -> str:
    """Upper case, spaces removed, O/I/L read as 0/1; dashes inserted when left out."""
    text = re.sub(r"\s+", "", code or "").upper().translate(_READ_AS)
    if "-" not in text and len(text) == 4 + BODY_LENGTH + 1:
        text = f"{text[:4]}-{text[4:-1]}-{text[-1]}"
    return text


def is_well_formed(code: str) -> bool:
    """True for a normalised number whose check character matches."""
    m = PATTERN.match(code)
    return bool(m) and check_character(m.group(1) + m.group(2)) == m.group(3)
