"""Text normalisation for short-text answers (mirrored in ``sphinx/static/solidarity_quiz.js``).

Steps: Unicode NFKD, drop combining marks (diacritics), lower-case, turn every
run of characters that are not letters or digits into one space, trim.
So ``"  Ibárruri, Dolores!"`` and ``"ibarruri dolores"`` compare equal.
"""

import unicodedata


def normalise_text(text: str) -> str:
    """Return ``text`` normalised for case, spacing, punctuation and diacritics."""
    decomposed = unicodedata.normalize("NFKD", text)
    out: list[str] = []
    for ch in decomposed:
        cat = unicodedata.category(ch)
        if cat.startswith("M"):
            continue
        out.append(ch.lower() if cat[0] in "LN" else " ")
    return " ".join("".join(out).split())
