"""Slack: a late review slot's escalation DM reaches its reviewer (a head who is no member)
with Acknowledge / Resolve; Acknowledge opens the date modal and its submission acks the
record as the reviewer (over real HTTP against tests/slack_fake.py)."""

from __future__ import annotations

import json
from datetime import datetime

from slack_fake import until, user
from support_scheduler import run_tick
from test_escalations_slack import click, dm_blocks, escalation, submit
from test_slack_http import slack, team  # noqa: F401


def test_the_reviewer_acknowledges_a_late_slot_from_its_dm(slack) -> None:  # noqa: F811
    slack.fake.users.update({"U4": user("U4", "Leo Legal"), "U5": user("U5", "Tara Tech")})
    team(slack)
    slack.run("dept add Legal head <@U4>")
    slack.run("dept add Tech head <@U5>")
    slack.run('review "Launch plan v2" by dept Legal,Tech within 3wd', user_id="U2")
    slack.run("approve R1", user_id="U4", channel="DU4")
    # due Mon 11-23; Wed 11-25 is the 2nd working day late: `lead`, and the reviewer hears
    run_tick(slack.runtime, datetime.fromisoformat("2026-11-24T09:00:00+08:00"))
    run_tick(slack.runtime, datetime.fromisoformat("2026-11-25T09:00:00+08:00"))
    record = escalation(slack)
    assert (record.subject_kind, record.level) == ("review-slot", "lead")
    blocks = dm_blocks(slack, "U5")
    text = json.dumps(blocks, ensure_ascii=False)
    assert "R1 Launch plan v2 — Tech's review, 2 working days late" in text
    assert click(slack, blocks, "tfmodal:ack:LA/E1", "U5") == 200
    (opened,) = slack.fake.wait("views.open")
    view = opened.args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["callback_id"] == "tf:ack"
    status, text = submit(slack, view, {"eta": {"date": {"type": "datepicker",
                                                         "selected_date": "2026-11-27"}}}, "U5")
    assert status == 200 and text == ""
    until(lambda: escalation(slack).state == "acknowledged")
    assert str(escalation(slack).eta) == "2026-11-27"
