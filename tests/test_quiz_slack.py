"""A quiz taken in Slack by button clicks: signed requests into the Bolt app, the
invitation delivered by the outbox to the fake Slack, every answer a click in the DM."""

from __future__ import annotations

import json
from pathlib import Path

from quiz_support import EXPLANATIONS, asked, current, import_text, shown
from slack_fake import TEAM, Call, form, post, signed_headers, until
from test_slack_http import Harness, slack, team  # noqa: F401  (the harness fixture)

from bot.adapters.slack import make_sender
from bot.outbox.loop import DeliveryLoop

DM = "DU2"  # the fake's conversations.open answers D + the user id


def click(h: Harness, message: Call, value: str, ts: str | None = None) -> None:
    """Click the button with `value` in a message shown in max's DM; wait for the answer."""
    block, button = next(
        (b, e) for b in message.args["blocks"] for e in b.get("elements", [])
        if e.get("value") == value
    )
    h.n += 1
    before = len(h.fake.of("response_url"))
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM},
        "user": {"id": "U2", "username": "legacy.u2"},
        "api_app_id": "A0APP",
        "trigger_id": f"click.{h.n}",
        "container": {"type": "message", "message_ts": ts or "1763430000.999999",
                      "channel_id": DM, "is_ephemeral": ts is None},
        "channel": {"id": DM, "name": "directmessage"},
        "response_url": h.fake.response_url(f"click{h.n}"),
        "actions": [{"type": "button", "action_id": button["action_id"],
                     "block_id": block["block_id"], "value": button["value"],
                     "action_ts": "1763430001.000000"}],
    }
    if ts:
        payload["message"] = {"type": "message", "ts": ts, "text": "",
                              "blocks": message.args["blocks"]}
    body = form({"payload": json.dumps(payload)})
    status, _, _ = post(h.url, body, signed_headers(body))
    assert status == 200
    until(lambda: len(h.fake.of("response_url")) > before)


def replies(h: Harness) -> list[Call]:
    return [c for c in h.fake.of("response_url") if c.path.startswith("/response/click")]


def test_a_quiz_taken_by_button_clicks(slack: Harness, tmp_path: Path) -> None:  # noqa: F811
    team(slack)
    engine = slack.runtime.engine
    import_text(engine, slack.runtime.clock, tmp_path)
    slack.run("quiz assign tq to <@U2> due 2026-11-25")
    loop = DeliveryLoop(engine, slack.runtime.clock, {"slack": make_sender(slack.runtime.settings)})
    assert len(loop.run_once().sent) == 1
    invite = slack.fake.of("chat.postMessage")[-1]
    assert invite.args["channel"] == DM
    assert "Please complete it by Wed 2026-11-25" in invite.args["text"]
    click(slack, invite, "quiz take tq", ts=slack.ts_of(invite))
    first = replies(slack)[-1]
    assert first.args["response_type"] == "ephemeral" and "Question 1/3" in first.args["text"]
    update = slack.fake.wait("chat.update")[0]  # the Start button gave way to what it did
    assert update.args["channel"] == DM and "quiz:tq:start" not in update.dump()
    for _ in range(3):
        message = replies(slack)[-1]
        attempt, question, indexes = current(engine, "U2")
        n = attempt.position + 1
        answer = shown(question.answer, indexes)
        if question.type == "multiple":
            for letter in answer.split():
                click(slack, replies(slack)[-1], f"quiz pick tq {n} {letter}")
            picked = replies(slack)[-1]
            assert f"Picked: {answer.replace(' ', ',')}" in picked.args["text"]
            styled = [e["value"] for b in picked.args["blocks"] for e in b.get("elements", [])
                      if e.get("style") == "primary"]
            assert sorted(styled) == [f"quiz pick tq {n} {c}" for c in answer.split()]
            click(slack, picked, f"quiz answer tq {n}")
        else:
            assert asked(engine, "U2").id == question.id
            click(slack, message, f"quiz answer tq {n} {answer}")
    *during, result = replies(slack)
    assert "100% — passed (pass mark 75%), 3 of 3 right" in result.args["text"]
    everything = [c.dump() for c in during] + [c.dump() for c in slack.fake.calls[:-1]
                                               if c is not result]
    for text in everything:
        assert not any(e in text for e in EXPLANATIONS) and "Right answer" not in text
