"""The one normalised key a name is looked up by (departments, KPIs, people by name).

SQLite's `lower()` folds ASCII only, so comparing it with Python's Unicode lowercase
missed `Über` typed as `über`. The key is computed here, in Python, stored beside the
name and indexed, so SQLite and PostgreSQL compare the same thing.
"""

from __future__ import annotations

import re
import unicodedata

# C0 controls except tab, line feed and carriage return; DEL; C1 controls. NUL cannot be
# stored by PostgreSQL and a terminal obeys the rest: no name or typed text keeps one.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
KEY_LENGTH = 320  # NFKC and casefold may lengthen a name (`ß` -> `ss`, `ﬃ` -> `ffi`)


def name_key(name: str) -> str:
    """`name` compared as a person reads it: NFKC, casefolded, NFKC again, spaces single."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return " ".join(unicodedata.normalize("NFKC", folded).split())


def shown_name(name: str) -> str:
    """A name a platform gave (a display name, a nick) without control characters."""
    return CONTROL.sub("", name)
