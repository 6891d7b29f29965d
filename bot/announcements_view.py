"""What announcement messages show, built in one place for the handlers, the job, the
digest, the export and the readiness gate: the announcement as sent, who confirmed it
per department, the department heads' lists, and the required ones still open."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.clock import Clock
from bot.literal import Link
from bot.messages import Notice
from bot.notices import dm, to_channels
from bot.outbox.enqueue import renderer
from bot.readiness import Gap, readiness_check
from storage import announcements, people, projects
from storage.announcements import Announcement, AnnouncementRecipient
from storage.models import Department, Person, Project

Row = Any  # a line of a paged message: a dict, or a string of names
NAMES_A_LINE = 20  # names per line: a line stays far below Slack's 3,000 characters
# the text in parts of at most this many characters: escaped for Slack (`&` -> `&amp;`,
# five times as long at worst) a part still fits one 3,000-character section
TEXT_PART = 600


def ref(project: Project, announcement: Announcement) -> str:
    """`LA/N2`: names the announcement from anywhere (buttons, DMs to non-members)."""
    return f"{project.key}/N{announcement.seq}"


def announcement_row(
    project: Project, announcement: Announcement, confirmed: int = 0, total: int = 0
) -> dict[str, Any]:
    return {
        "id": f"N{announcement.seq}",
        "ref": ref(project, announcement),
        "project": project.key,
        "project_name": project.name,
        "title": announcement.title,
        "text": announcement.text,
        "text_parts": text_parts(announcement.text),
        "link": Link(announcement.link) if announcement.link else None,  # the one live link
        "confirm_by": announcement.confirm_by,
        "required": announcement.required,
        "confirmed": confirmed,
        "total": total,
    }


def text_parts(text: str, size: int = TEXT_PART) -> list[str]:
    """`text` cut into parts of at most `size` characters, at a line break or a space
    where there is one."""
    parts, rest = [], text
    while len(rest) > size:
        cut = max(rest.rfind("\n", 0, size), rest.rfind(" ", 0, size))
        cut = cut if cut > 0 else size
        parts.append(rest[:cut])
        rest = rest[cut:].lstrip(" \n")
    return [*parts, rest]


def send_notices(
    db: Session, project: Project, announcement: Announcement,
    recipients: Sequence[AnnouncementRecipient], sender: Person, target: str,
) -> list[Notice]:
    """The post in each of the project's channels and one DM per recipient."""
    names = people.by_ids(db, (r.person_id for r in recipients))
    data = {**announcement_row(project, announcement, 0, len(recipients)),
            "sender": sender.display_name, "target": target}
    post = to_channels(projects.bindings(db, project.id), "announcement",
                       {**data, "recipient": False}, project.locale,
                       f"announce-post:{announcement.id}")
    dms = [
        dm(names[r.person_id], "announcement", project.locale, f"announce:{r.id}",
           **data, recipient=True)
        for r in recipients if r.person_id in names
    ]
    return post + dms


def reminder(
    project: Project, announcement: Announcement, person: Person, row: AnnouncementRecipient
) -> Notice:
    """The working day before confirm-by: the announcement again, asking to confirm."""
    key = f"announce-remind:{row.id}:{announcement.confirm_by}"
    data = announcement_row(project, announcement)
    return dm(person, "announcement", project.locale, key, **data, recipient=True, remind=True,
              sender=None, target=None)


def _lines(names: list[str]) -> list[str]:
    ordered = sorted(names, key=str.casefold)
    return [", ".join(ordered[i : i + NAMES_A_LINE]) for i in range(0, len(ordered), NAMES_A_LINE)]


def _by_department(
    rows: Sequence[AnnouncementRecipient],
) -> dict[int | None, list[AnnouncementRecipient]]:
    groups: dict[int | None, list[AnnouncementRecipient]] = defaultdict(list)
    for row in rows:
        groups[row.department_id].append(row)
    return groups


def status_lines(
    db: Session, recipients: Sequence[AnnouncementRecipient]
) -> list[dict[str, Any]]:
    """Per department (by name; people without one last): a heading line with the counts,
    then lines of names who confirmed and who have not yet."""
    names = people.by_ids(db, (r.person_id for r in recipients))
    groups = _by_department(recipients)
    depts = people.departments_by_ids(db, groups)
    order = sorted(groups, key=lambda d: (d not in depts, depts[d].name if d in depts else ""))
    lines: list[dict[str, Any]] = []
    for dept_id in order:
        rows = groups[dept_id]
        done = [names[r.person_id].display_name for r in rows if r.confirmed_at]
        missing = [names[r.person_id].display_name for r in rows if not r.confirmed_at]
        lines.append({"kind": "dept", "department": depts[dept_id].name if dept_id in depts
                      else None, "confirmed": len(done), "total": len(rows)})
        lines += [{"kind": "done", "names": line} for line in _lines(done)]
        lines += [{"kind": "missing", "names": line} for line in _lines(missing)]
    return lines


def pages(rows: list[Row], fits: Callable[[list[Row]], bool]) -> list[list[Row]]:
    """`rows` cut into the fewest consecutive pages that each fit (at least one row a page)."""
    out: list[list[dict[str, Any]]] = []
    start = 0
    while start < len(rows):
        low, high = start + 1, len(rows)
        while low < high:  # the largest end whose page fits
            middle = (low + high + 1) // 2
            if fits(rows[start:middle]):
                low = middle
            else:
                high = middle - 1
        out.append(rows[start:low])
        start = low
    return out or [[]]


def head_notices(
    project: Project, announcement: Announcement,
    pending: Sequence[AnnouncementRecipient], owner: Person | None,
    depts: dict[int, Department], names: dict[int, Person],
) -> list[Notice]:
    """After confirm-by: one DM per department to its head listing who has not confirmed
    (the process owner when it has no head, or for people in no department, saying why),
    paged to fit the head's platform: keys `<key>`, `<key>:2`, …"""
    notices = []
    for dept_id, rows in _by_department(pending).items():
        dept = depts.get(dept_id) if dept_id is not None else None
        head = names.get(dept.head_id) if dept and dept.head_id else None
        target = head or owner
        if target is None:
            continue
        data = {**announcement_row(project, announcement),
                "department": dept.name if dept else None, "no_head": head is None,
                "count": len(rows)}
        lines = _lines([names[r.person_id].display_name for r in rows if r.person_id in names])
        key = f"announce-late:{announcement.id}:{dept_id or 0}"
        notices += paged_dm(target, "announcement_late", project.locale, key, data, lines)
    return notices


def paged_dm(
    person: Person, template: str, locale: str, key: str, data: dict[str, Any], lines: list[Row]
) -> list[Notice]:
    """A DM of `lines`, as several (keyed `<key>`, `<key>:2`, …) when one would not fit
    the person's platform (Slack's blocks, DingTalk's bytes)."""
    fits = getattr(renderer(person.platform), "fits", None)

    def page_fits(chosen: list[Row]) -> bool:
        return fits is None or bool(fits(template, {**data, "lines": chosen}, locale))

    return [
        dm(person, template, locale, key if n == 1 else f"{key}:{n}", **data, lines=chunk)
        for n, chunk in enumerate(pages(lines, page_fits), start=1)
    ]


def open_rows(db: Session, project: Project) -> list[dict[str, Any]]:
    """The digest's section: announcements not yet confirmed by everyone, with counts."""
    found = announcements.of_project(db, project.id)
    counts = announcements.counts(db, [a.id for a in found])
    rows = []
    for a in found:
        done, total = counts.get(a.id, (0, 0))
        if done < total:
            rows.append(announcement_row(project, a, done, total))
    return rows


@readiness_check("announcements", order=40)
def required_unconfirmed(db: Session, clock: Clock, project: Project) -> list[Gap]:
    """Announcements sent `required` that someone has not confirmed yet."""
    return [
        Gap("announce_text.gap", {"id": row["id"], "title": row["title"],
                                  "confirmed": row["confirmed"], "total": row["total"],
                                  "missing": row["total"] - row["confirmed"]})
        for row in open_rows(db, project) if row["required"]
    ]


def local_time(at: datetime, project: Project) -> datetime:
    """An instant as the project's clock shows it (sent, confirmed)."""
    return at.astimezone(ZoneInfo(project.timezone))
