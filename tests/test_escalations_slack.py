"""Slack: an escalation DM's Acknowledge opens a modal with a date picker (views.open on
the fake Slack); its submission, signed like Slack's, runs `escalation ack … eta …` as
the person who submitted it. Resolve works the same way with a text field."""

from __future__ import annotations

import json
import time

from slack_fake import TEAM, form, post, signed_headers, until
from sqlmodel import Session, select
from test_slack_http import Harness, slack, team  # noqa: F401

from storage.delivery_tables import OutboxMessage
from storage.escalations import Escalation

DM = "DU2"


def escalation(h: Harness) -> Escalation:
    with Session(h.runtime.engine) as db:
        return db.exec(select(Escalation)).one()


def dm_blocks(h: Harness, user_id: str) -> list[dict]:
    """The escalation DM the outbox holds for a person, as Slack would get it."""
    with Session(h.runtime.engine) as db:
        row = db.exec(
            select(OutboxMessage).where(OutboxMessage.user_id == user_id,
                                        OutboxMessage.kind == "escalation_dm")
        ).one()
    return json.loads(row.payload)["blocks"]


def click(h: Harness, blocks: list[dict], action_id: str, user_id: str) -> int:
    block, button = next(
        (b, e) for b in blocks for e in b.get("elements", []) if e.get("action_id") == action_id
    )
    h.n += 1
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM},
        "user": {"id": user_id, "username": f"legacy.{user_id.lower()}"},
        "api_app_id": "A0APP",
        "trigger_id": f"click.{h.n}.{time.monotonic_ns()}",
        "container": {"type": "message", "message_ts": "1763430000.000500", "channel_id": DM,
                      "is_ephemeral": False},
        "channel": {"id": DM, "name": "directmessage"},
        "message": {"type": "message", "ts": "1763430000.000500", "text": "", "blocks": blocks},
        "response_url": h.fake.response_url(f"click{h.n}"),
        "actions": [{"type": "button", "action_id": button["action_id"],
                     "block_id": block["block_id"], "value": button["value"],
                     "action_ts": "1763430001.000000"}],
    }
    body = form({"payload": json.dumps(payload)})
    return post(h.url, body, signed_headers(body))[0]


def submit(h: Harness, view: dict, values: dict, user_id: str) -> tuple[int, str]:
    """A view_submission as Slack sends it: the opened view with the state filled in."""
    h.n += 1
    submitted = {**view, "id": "V1", "team_id": TEAM, "state": {"values": values},
                 "hash": "1763430002.abc", "app_id": "A0APP", "bot_id": "BBOT"}
    payload = {
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "fake"},
        "user": {"id": user_id, "username": f"legacy.{user_id.lower()}", "team_id": TEAM},
        "api_app_id": "A0APP",
        "token": "legacy",
        "trigger_id": f"submit.{h.n}.{time.monotonic_ns()}",
        "view": submitted,
        "response_urls": [],
    }
    body = form({"payload": json.dumps(payload)})
    status, text, _ = post(h.url, body, signed_headers(body))
    return status, text


def test_acknowledge_opens_a_date_modal_and_its_submission_acks(slack) -> None:  # noqa: F811
    team(slack)
    slack.run('escalate "Template conflict with Legal" to <@U2>')
    blocks = dm_blocks(slack, "U2")
    assert click(slack, blocks, "tfmodal:ack:LA/E1", "U2") == 200
    (opened,) = slack.fake.wait("views.open")
    view = opened.args["view"] if isinstance(opened.args["view"], dict) else json.loads(
        opened.args["view"])
    assert opened.args["trigger_id"].startswith("click.")
    assert view["callback_id"] == "tf:ack"
    picker = view["blocks"][0]["element"]
    assert picker["type"] == "datepicker" and picker["initial_date"] == "2026-11-18"

    before = slack.snapshot()
    status, text = submit(slack, view, {"eta": {"date": {"type": "datepicker",
                                                         "selected_date": "2026-11-01"}}}, "U2")
    assert status == 200 and json.loads(text)["response_action"] == "errors"
    assert "past" in json.loads(text)["errors"]["eta"]
    time.sleep(0.3)
    assert slack.snapshot() == before  # refused in memory, before the ack

    status, text = submit(slack, view, {"eta": {"date": {"type": "datepicker",
                                                         "selected_date": "2026-11-25"}}}, "U2")
    assert status == 200 and text == ""
    until(lambda: escalation(slack).state == "acknowledged")
    assert str(escalation(slack).eta) == "2026-11-25"
    until(lambda: any(c.args.get("channel") == DM and "acknowledged E1" in c.args.get("text", "")
                      for c in slack.fake.of("chat.postMessage")))


def test_resolve_opens_a_text_modal_and_needs_a_lead(slack) -> None:  # noqa: F811
    team(slack)
    slack.run('escalate "Template conflict with Legal" to <@U2>')
    blocks = dm_blocks(slack, "U2")
    assert click(slack, blocks, "tfmodal:resolve:LA/E1", "U2") == 200
    view = slack.fake.wait("views.open")[0].args["view"]
    view = view if isinstance(view, dict) else json.loads(view)
    assert view["callback_id"] == "tf:resolve"
    assert view["blocks"][0]["element"]["type"] == "plain_text_input"
    values = {"resolution": {"text": {"type": "plain_text_input", "value": 'Use "v2" template'}}}
    assert submit(slack, view, values, "U2") == (200, "")  # U2 is a member, not a lead
    until(lambda: any("process owner" in c.dump() for c in slack.fake.of("chat.postMessage")))
    assert escalation(slack).state == "open"
    assert submit(slack, view, values, "U1") == (200, "")  # U1 is the process owner
    until(lambda: escalation(slack).state == "resolved")
    assert escalation(slack).resolution == "Use ”v2” template"
