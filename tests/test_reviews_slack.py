"""Reviews in Slack over real HTTP: the ask reaches each head as a DM with buttons,
Approve is clicked, and Request changes opens a modal whose submission runs
`changes R1 "<reason>"` as the submitter (signed like Slack; tests/slack_fake.py)."""

from __future__ import annotations

import json

from slack_fake import TEAM, Call, form, post, signed_headers, until, user
from sqlmodel import Session, select
from test_slack_http import Harness, slack, team  # noqa: F401  (the fixture)

from bot.adapters.slack import make_sender
from bot.outbox.loop import DeliveryLoop
from storage.reviews import Review, ReviewSlot


def deliver(h: Harness) -> int:
    sender = make_sender(h.runtime.settings)
    loop = DeliveryLoop(h.runtime.engine, h.runtime.clock, {"slack": sender})
    return len(loop.run_once().sent)


def click(h: Harness, message: Call, value: str, user_id: str) -> int:
    """Click a button in a DM the bot sent (the DM channel is the message's channel)."""
    blocks = message.args["blocks"]
    block, button = next(
        (b, e) for b in blocks for e in b.get("elements", []) if e.get("value") == value
    )
    h.n += 1
    channel = message.args["channel"]
    ts = h.ts_of(message)
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM},
        "user": {"id": user_id, "username": f"legacy.{user_id.lower()}"},
        "api_app_id": "A0APP",
        "trigger_id": f"trigger.click.{h.n}",
        "container": {"type": "message", "message_ts": ts, "channel_id": channel,
                      "is_ephemeral": False},
        "channel": {"id": channel, "name": "directmessage"},
        "message": {"type": "message", "ts": ts, "text": "", "blocks": blocks},
        "response_url": h.fake.response_url(f"click{h.n}"),
        "actions": [{"type": "button", "action_id": button["action_id"],
                     "block_id": block["block_id"], "value": button["value"],
                     "action_ts": "1763430001.000000"}],
    }
    body = form({"payload": json.dumps(payload)})
    return post(h.url, body, signed_headers(body))[0]


def submit(h: Harness, view: dict, reason: str, user_id: str) -> int:
    """Submit the modal Slack showed, as Slack's view_submission payload does."""
    payload = {
        "type": "view_submission",
        "team": {"id": TEAM},
        "user": {"id": user_id, "username": f"legacy.{user_id.lower()}", "team_id": TEAM},
        "api_app_id": "A0APP",
        "trigger_id": "trigger.submit",
        "view": {
            "id": "V1",
            "type": "modal",
            "team_id": TEAM,
            "callback_id": view["callback_id"],
            "private_metadata": view["private_metadata"],
            "blocks": view["blocks"],
            "state": {"values": {"reason": {"reason": {"type": "plain_text_input",
                                                       "value": reason}}}},
            "hash": "1763430002.abc",
        },
        "response_urls": [],
    }
    body = form({"payload": json.dumps(payload)})
    return post(h.url, body, signed_headers(body))[0]


def states(h: Harness) -> tuple[str, list[str]]:
    with Session(h.runtime.engine) as db:
        review = db.exec(select(Review)).one()
        slots = db.exec(select(ReviewSlot).order_by(ReviewSlot.id)).all()
        return review.state, [s.state for s in slots]


def test_heads_are_asked_by_dm_and_decide_with_buttons_and_the_modal(slack) -> None:  # noqa: F811
    slack.fake.users.update({"U4": user("U4", "Leo Legal"), "U5": user("U5", "Tara Tech")})
    team(slack)
    slack.run("dept add Legal head <@U4>")
    slack.run("dept add Tech head <@U5>")
    slack.run('review "Launch plan v2" by dept Legal,Tech within 3wd', user_id="U2")
    assert deliver(slack) == 2
    dms = {c.args["channel"]: c for c in slack.fake.of("chat.postMessage")
           if str(c.args["channel"]).startswith("D")}
    assert set(dms) == {"DU4", "DU5"}
    ask = dms["DU4"]
    assert "please review LA/R1 Launch plan v2" in ask.args["text"]
    values = {e["value"] for b in ask.args["blocks"] for e in b.get("elements", [])}
    assert values == {"approve LA/R1", "changes LA/R1"}

    assert click(slack, ask, "approve LA/R1", "U4") == 200
    update = slack.fake.wait("chat.update")[0]
    assert update.args["channel"] == "DU4" and update.args["ts"] == slack.ts_of(ask)
    assert "You approved LA/R1" in update.dump() and "Leo Legal" in update.dump()
    assert states(slack) == ("open", ["approved", "pending"])

    tech = dms["DU5"]
    assert click(slack, tech, "changes LA/R1", "U5") == 200
    opened = slack.fake.wait("views.open")[0]
    assert opened.args["trigger_id"] == f"trigger.click.{slack.n}"
    view = opened.args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["type"] == "modal" and view["callback_id"] == "tf:reason"
    assert view["title"]["text"] == "Request changes"
    assert states(slack) == ("open", ["approved", "pending"])  # nothing yet

    before = len(slack.fake.of("chat.postMessage"))
    assert submit(slack, view, 'Section "4" needs the new SLA', "U5") == 200
    answer = slack.fake.wait("chat.postMessage", before + 1)[before]
    assert answer.args["channel"] == "DU5"
    assert "You requested changes on LA/R1" in answer.args["text"]
    assert states(slack) == ("changes", ["approved", "changes"])
    with Session(slack.runtime.engine) as db:
        reason = db.exec(select(ReviewSlot).where(ReviewSlot.state == "changes")).one().comment
    assert reason == 'Section "4" needs the new SLA'
    until(lambda: len(slack.fake.of("chat.update")) == 2)
    assert slack.fake.of("chat.update")[1].args["ts"] == slack.ts_of(tech)


def test_a_modal_submitted_by_someone_else_changes_nothing(slack) -> None:  # noqa: F811
    slack.fake.users.update({"U4": user("U4", "Leo Legal")})
    team(slack)
    slack.run("dept add Legal head <@U4>")
    slack.run('review "Launch plan v2" by dept Legal within 3wd', user_id="U2")
    deliver(slack)
    ask = next(c for c in slack.fake.of("chat.postMessage") if c.args["channel"] == "DU4")
    click(slack, ask, "changes LA/R1", "U4")
    view = slack.fake.wait("views.open")[0].args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    before = len(slack.fake.of("chat.postMessage"))
    assert submit(slack, view, "not mine to say", "U2") == 200  # max is no reviewer
    refusal = slack.fake.wait("chat.postMessage", before + 1)[before]
    assert "You do not review R1" in refusal.args["text"]
    assert states(slack) == ("open", ["pending"])


def test_reminders_and_overdue_notices_carry_the_buttons_for_the_reviewer_only() -> None:
    from datetime import date

    from bot.adapters.slack.render import SlackRenderer

    review = {"ref": "LA/R1", "title": "Launch <plan>", "due": date(2026, 11, 23)}
    renderer = SlackRenderer()

    def values(template: str, **data: object) -> set[str]:
        data = {"review": review, "slot": "Legal", **data}
        blocks = renderer.message(template, data, "en").blocks
        return {e["value"] for b in blocks for e in b.get("elements", []) if "value" in e}

    assert values("review_remind", kind="before") == {"approve LA/R1", "changes LA/R1"}
    assert values("review_overdue", to="reviewer", days=1, reviewer="leo") == {
        "approve LA/R1", "changes LA/R1"
    }
    assert values("review_overdue", to="lead", days=1, reviewer="leo") == set()
    text = renderer.message("review_overdue", {"review": review, "slot": "Legal", "to": "lead",
                                               "days": 2, "reviewer": "leo"}, "zh-CN").text
    assert "Legal（leo）已超期 2 个工作日" in text and "&lt;plan&gt;" in text
