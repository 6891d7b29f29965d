"""The meeting in Slack, over real HTTP: the agenda's "Add topic" button opens a modal
(views.open on the fake Slack), a signed view_submission runs `agenda add` as the
submitter, and the check-in button records attendance without replacing its message."""

from __future__ import annotations

import json

from slack_fake import TEAM, form, post, signed_headers, until
from sqlmodel import Session, select
from test_slack_http import Harness, slack, team  # noqa: F401  (the fixture)

from storage.meetings import AgendaTopic, Attendance


def _private_with(harness: Harness, action_id: str):  # noqa: ANN202
    found = [
        c
        for c in harness.fake.of("response_url")
        if any(
            e.get("action_id") == action_id
            for b in c.args.get("blocks") or []
            for e in b.get("elements") or []
        )
    ]
    assert found, [c.dump()[:200] for c in harness.fake.of("response_url")]
    return found[-1]


def _submit(harness: Harness, view: dict, user_id: str, values: dict) -> tuple[int, str]:
    harness.n += 1
    payload = {
        "type": "view_submission",
        "team": {"id": TEAM},
        "user": {"id": user_id, "username": f"legacy.{user_id.lower()}"},
        "api_app_id": "A0APP",
        "trigger_id": f"submit.{harness.n}",
        "view": {
            "id": "V1",
            "type": "modal",
            "callback_id": view["callback_id"],
            "private_metadata": view["private_metadata"],
            "state": {"values": values},
        },
    }
    body = form({"payload": json.dumps(payload)})
    status, text, _ = post(harness.url, body, signed_headers(body))
    return status, text


def _values(topic: str, minutes: str, presenter: str | None) -> dict:
    return {
        "topic": {"value": {"type": "plain_text_input", "value": topic}},
        "minutes": {"value": {"type": "number_input", "value": minutes}},
        "presenter": {"value": {"type": "users_select", "selected_user": presenter}},
    }


def _topics(harness: Harness) -> list[AgendaTopic]:
    with Session(harness.runtime.engine) as db:
        return list(db.exec(select(AgendaTopic).order_by(AgendaTopic.seq)).all())


def test_add_topic_button_opens_a_modal_whose_submission_queues_the_topic(slack) -> None:  # noqa: F811
    team(slack)
    slack.run("meeting set thu 14:00")
    slack.run("agenda show", user_id="U2")
    agenda = _private_with(slack, "tfmodal:agenda_add")
    assert len(agenda.args["blocks"]) <= 50
    assert slack.click(agenda, "en", user_id="U2", ephemeral=True) == 200
    (opened,) = slack.fake.wait("views.open")
    view = opened.args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert opened.args["trigger_id"].startswith("click.")
    assert view["callback_id"] == "tf_agenda_add" and view["title"]["text"] == "Add a topic"
    assert [b["block_id"] for b in view["blocks"]] == ["topic", "minutes", "presenter"]

    before = len(_topics(slack))
    status, text = _submit(slack, view, "U2", _values("Pilot scope", "0", None))
    assert status == 200 and "errors" in text and "minutes" in text  # shown in the modal
    assert len(_topics(slack)) == before

    status, _ = _submit(slack, view, "U2", _values("Pilot scope", "15", "U1"))
    assert status == 200
    until(lambda: len(_topics(slack)) == 1)
    slack.fake.wait("chat.postEphemeral")
    queued = slack.fake.of("chat.postEphemeral")[-1]
    assert queued.args["user"] == "U2" and "Queued T1: Pilot scope" in queued.args["text"]

    slack.run("agenda show", user_id="U3")
    shown = slack.fake.of("response_url")[-1].dump()
    assert "T1 Pilot scope · Olivia Chen · 15 min" in shown


def test_a_viewer_cannot_add_a_topic_through_the_modal(slack) -> None:  # noqa: F811
    team(slack)
    slack.run("meeting set thu 14:00")
    slack.run("agenda show", user_id="U3")
    agenda = _private_with(slack, "tfmodal:agenda_add")
    view_call_count = len(slack.fake.of("views.open"))
    assert slack.click(agenda, "en", user_id="U3", ephemeral=True) == 200
    (opened,) = slack.fake.wait("views.open", view_call_count + 1)[-1:]
    view = opened.args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    _submit(slack, view, "U3", _values("Sneaky", "5", None))
    until(lambda: len(slack.fake.of("chat.postEphemeral")) >= 1)
    assert "Viewers can only read" in slack.fake.of("chat.postEphemeral")[-1].args["text"]
    assert _topics(slack) == []


def test_check_in_button_records_attendance_and_stays(slack) -> None:  # noqa: F811
    team(slack)
    slack.run("meeting set thu 14:00")
    slack.run("meeting start")
    checkin = slack.fake.of("chat.postMessage")[-1]
    assert "has started" in checkin.args["text"]
    assert slack.click(checkin, "here", user_id="U2") == 200
    until(lambda: any("checked in" in c.dump() for c in slack.fake.of("response_url")))
    with Session(slack.runtime.engine) as db:
        assert len(db.exec(select(Attendance)).all()) == 1
    assert slack.fake.of("chat.update") == []  # the button stays for everyone else
