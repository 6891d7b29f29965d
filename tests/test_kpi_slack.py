"""A KPI ask in Slack over real HTTP: the owner's DM carries a button that opens a modal
(slack-bolt against tests/slack_fake.py); its submission records the value as the owner,
who is no member of the project."""

from __future__ import annotations

import json

from slack_fake import user
from sqlmodel import Session, select
from test_reviews_slack import click, deliver, submit
from test_slack_http import Harness, slack, team  # noqa: F401  (the fixture)

from bot.jobs.kpis import kpi_sweep
from bot.jobs.registry import JobEnv
from storage.models import KpiValue


def ask(h: Harness, at: str) -> None:
    h.runtime.clock.set(__import__("datetime").datetime.fromisoformat(at))
    kpi_sweep(JobEnv(h.runtime.engine, h.runtime.clock, h.runtime.settings))


def values(h: Harness) -> list[tuple[float, int | None]]:
    with Session(h.runtime.engine) as db:
        return [(v.value, v.recorded_by) for v in db.exec(select(KpiValue)).all()]


def test_the_owner_records_through_the_button_and_the_modal(slack) -> None:  # noqa: F811
    slack.fake.users.update({"U7": user("U7", "Quinn Quality")})
    team(slack)
    slack.run("project kpi cycle baseline 15 target 7 unit days")
    slack.run("project kpi cycle every week on mon owner <@U7>")
    ask(slack, "2026-11-23T09:01:00+08:00")
    assert deliver(slack) == 1
    dm = next(c for c in slack.fake.of("chat.postMessage") if c.args["channel"] == "DU7")
    assert "please record its value for the week of Mon 2026-11-23" in dm.args["text"]
    button = "project kpi 「LA/cycle」 record"
    assert click(slack, dm, button, "U7") == 200
    opened = slack.fake.wait("views.open")[0]
    view = opened.args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["callback_id"] == "tf:reason" and view["title"]["text"] == "Record KPI value"
    assert view["blocks"][1]["label"]["text"].startswith("The value")
    assert values(slack) == []  # nothing before the submission

    before = len(slack.fake.of("chat.postMessage"))
    assert submit(slack, view, "13 days", "U7") == 200
    answer = slack.fake.wait("chat.postMessage", before + 1)[before]
    assert answer.args["channel"] == "DU7"
    assert "KPI cycle recorded: 13 days" in answer.args["text"]
    owner = slack.person("U7")
    assert owner is not None and values(slack) == [(13.0, owner.id)]


def test_bad_input_in_the_modal_records_nothing(slack) -> None:  # noqa: F811
    slack.fake.users.update({"U7": user("U7", "Quinn Quality")})
    team(slack)
    slack.run("project kpi cycle baseline 15 target 7 unit days")
    slack.run("project kpi cycle every week on mon owner <@U7>")
    ask(slack, "2026-11-23T09:01:00+08:00")
    deliver(slack)
    dm = next(c for c in slack.fake.of("chat.postMessage") if c.args["channel"] == "DU7")
    click(slack, dm, "project kpi 「LA/cycle」 record", "U7")
    view = slack.fake.wait("views.open")[0].args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    before = len(slack.fake.of("chat.postMessage"))
    assert submit(slack, view, "a lot", "U7") == 200
    answer = slack.fake.wait("chat.postMessage", before + 1)[before]
    assert "is not a number" in answer.args["text"]
    assert values(slack) == []
