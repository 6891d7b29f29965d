"""The one normalised key a name is looked up by (departments, KPIs, people by name).

SQLite's `lower()` folds ASCII only, so comparing it with Python's Unicode lowercase
missed `Über` typed as `über`. The key is computed here, in Python, stored beside the
name and indexed, so SQLite and PostgreSQL compare the same thing.
"""

from __future__ import annotations

import unicodedata

KEY_LENGTH = 320  # NFKC and casefold may lengthen a name (`ß` -> `ss`, `ﬃ` -> `ffi`)


def name_key(name: str) -> str:
    """`name` compared as a person reads it: NFKC, casefolded, NFKC again, spaces single."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return " ".join(unicodedata.normalize("NFKC", folded).split())
