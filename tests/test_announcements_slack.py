"""Announcements in Slack over real HTTP (slack-bolt against tests/slack_fake.py): the
channel post and each recipient's DM with an "I have read it" button; a click records
the confirmation and replaces the button in the DM (a new block, not the old block_id);
what people typed is shown verbatim and the link is the one link of the message."""

from __future__ import annotations

import json

from slack_fake import user
from sqlmodel import Session, select
from test_reviews_slack import click, deliver
from test_slack_http import CHANNEL, Harness, slack, team  # noqa: F401  (the fixture)

from bot.adapters.slack.text import literal
from storage.announcements import AnnouncementRecipient
from storage.models import Department, Person

SEND = ('announce "New SOP" "Read https://evil.example/x <!channel> first" to dept Marketing '
        "confirm-by 2026-11-25 link https://docs.example/sop?a=1&b=2")


def confirmed(h: Harness) -> dict[str, bool]:
    with Session(h.runtime.engine) as db:
        found = db.exec(select(AnnouncementRecipient, Person).join(
            Person, Person.id == AnnouncementRecipient.person_id)).all()
        return {p.user_id: r.confirmed_at is not None for r, p in found}


def add_outsider(h: Harness) -> None:
    """U5 is in Marketing but in no project."""
    with Session(h.runtime.engine) as db:
        marketing = db.exec(select(Department).where(Department.name == "Marketing")).one()
        db.add(Person(platform="slack", user_id="U5", display_name="Sam Sales",
                      name_key="sam sales", department_id=marketing.id))
        db.commit()


def test_the_dm_button_confirms_and_replaces_itself(slack) -> None:  # noqa: F811
    slack.fake.users.update({"U5": user("U5", "Sam Sales")})
    team(slack)
    add_outsider(slack)
    slack.run(SEND)
    assert deliver(slack) == 4  # the channel and Marketing's three (its head is not in it)
    messages = {c.args["channel"]: c for c in slack.fake.of("chat.postMessage")
                if c.args["channel"] in (CHANNEL, "DU2", "DU3", "DU5")
                and "New SOP" in c.dump()}
    assert set(messages) == {CHANNEL, "DU2", "DU3", "DU5"}
    post = json.dumps(messages[CHANNEL].args["blocks"])
    assert "read LA/N1" not in post and post.count("<http") == 1
    dm = messages["DU5"]
    blocks = dm.args["blocks"]
    buttons = [e for b in blocks for e in b.get("elements", []) if e.get("type") == "button"]
    assert [(b["value"], b["text"]["text"]) for b in buttons] == [("read LA/N1", "I have read it")]
    sections = [b for b in blocks if b["type"] == "section"]
    assert all(s["text"].get("verbatim") is True for s in sections)
    body = json.dumps(blocks, ensure_ascii=False)
    # as typed (Slack's <!channel> markup arrives decoded); verbatim: no auto-link, no ping
    # what was typed is shown as text: no link, no @channel (bot/literal.py)
    assert literal("Read https://evil.example/x @channel first") in body and "<!" not in body
    assert body.count("<http") == 1 and "<https://docs.example/sop?a=1&amp;b=2>" in body

    assert click(slack, dm, "read LA/N1", "U5") == 200  # Sam is no member of LA
    update = slack.fake.wait("chat.update")[0]
    assert update.args["channel"] == "DU5" and update.args["ts"] == slack.ts_of(dm)
    assert "you confirmed reading LA/N1 New SOP" in update.dump()
    updated = update.args["blocks"]
    updated = json.loads(updated) if isinstance(updated, str) else updated
    assert all(b.get("block_id") != "announce:LA/N1" for b in updated)
    assert not any(b["type"] == "actions" for b in updated)
    assert confirmed(slack)["U5"] is True

    before = len(slack.fake.calls)
    assert click(slack, messages["DU2"], "read LA/N1", "U2") == 200
    slack.fake.wait("chat.update", 2)
    assert confirmed(slack) == {"U2": True, "U3": False, "U5": True}
    assert len(slack.fake.calls) > before


def test_typed_read_twice_and_by_someone_it_was_not_sent_to(slack) -> None:  # noqa: F811
    slack.fake.users.update({"U4": user("U4", "Leo Legal")})
    team(slack)
    slack.run(SEND)
    deliver(slack)
    slack.run("read N1", user_id="U2", channel="DU2")
    slack.run("read N1", user_id="U2", channel="DU2")
    answers = [c.dump() for c in slack.fake.calls if "LA/N1" in c.dump()
               and c.method in ("chat.postMessage", "response_url")]
    assert any("you confirmed reading LA/N1" in a for a in answers)
    assert any("You already confirmed LA/N1" in a for a in answers)
    slack.run("read LA/N1", user_id="U4", channel="DU4")
    assert any("N1 was not sent to you" in c.dump() for c in slack.fake.calls)
    assert confirmed(slack)["U2"] is True


def test_a_long_text_of_markup_characters_fits_whole() -> None:
    from datetime import date

    from bot.adapters.slack import SlackRenderer
    from bot.adapters.slack.limits import MAX_TEXT, within_limits
    from bot.announcements_view import text_parts

    # 1,000 characters (the limit), 700 of them ampersands: 3,500 characters escaped
    text = "&" * 700 + " " + ("Fees & taxes <see annex> " * 12)[:299]
    data = {"ref": "LA/N1", "project": "LA", "project_name": "Launch", "title": "SOP",
            "text": text, "text_parts": text_parts(text), "link": None,
            "confirm_by": date(2026, 11, 25),
            "required": False, "recipient": True, "sender": "lena", "target": "all"}
    blocks = SlackRenderer().message("announcement", data, "en").blocks
    assert within_limits(blocks)
    shown = [b["text"]["text"] for b in blocks if b["type"] == "section"][1:]
    assert all(len(part) <= MAX_TEXT for part in shown)
    joined = " ".join(shown).replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    assert "".join(joined.split()) == "".join(text.split())  # every character, nothing cut
