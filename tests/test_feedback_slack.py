"""The feedback log in Slack over real HTTP (signed requests into Bolt; tests/slack_fake.py):
a viewer reports, the process owner triages, and the reporter's DM goes out through the
outbox and the Slack sender."""

from __future__ import annotations

from slack_fake import until
from sqlmodel import Session, select
from test_slack_http import Harness, posted, slack, team  # noqa: F401  (the fixture)

from bot.adapters.slack import make_sender
from bot.outbox.loop import DeliveryLoop
from storage.feedback import Feedback


def deliver(h: Harness) -> int:
    sender = make_sender(h.runtime.settings)
    loop = DeliveryLoop(h.runtime.engine, h.runtime.clock, {"slack": sender})
    return len(loop.run_once().sent)


def state(h: Harness) -> str:
    with Session(h.runtime.engine) as db:
        return db.exec(select(Feedback)).one().state


def test_a_viewer_reports_and_hears_of_the_triage_by_dm(slack: Harness) -> None:  # noqa: F811
    team(slack)
    slack.run('feedback "Form asks <twice> for the cost centre @here" severity high '
              'step "submit"', user_id="U3")
    report = posted(slack)[-1]
    assert report.args["channel"] == "C0LAUNCH"
    assert "recorded as F1 (high)" in report.args["text"]
    assert "<twice>" not in report.dump() and "<!here>" not in report.dump()  # escaped
    slack.run('feedback accept F1 "fix in form v3"', user_id="U1")
    assert "F1 accepted" in posted(slack)[-1].args["text"]
    assert state(slack) == "accepted"
    assert deliver(slack) == 1
    (dm,) = [c for c in posted(slack) if str(c.args["channel"]).startswith("D")]
    assert dm.args["channel"] == "DU3"
    assert "Your feedback LA/F1 was accepted by Olivia Chen (note: fix in form v3)" in (
        dm.args["text"])
    slack.run("feedback accept F1", user_id="U2")  # a member may not triage
    refused = slack.fake.of("response_url")[-1]
    assert refused.args["response_type"] == "ephemeral"
    assert "Only a lead or the process owner" in refused.args["text"]
    slack.run("feedback list high", user_id="U2")
    assert "Open high-severity feedback (1)" in slack.fake.of("response_url")[-1].dump()


def test_act_posts_the_new_item_and_its_show_names_the_report(slack: Harness) -> None:  # noqa: F811
    team(slack)
    slack.run('feedback "Nobody owns the supplier check"', user_id="U2")
    slack.run("feedback act F1 owner <@U2|max> due fri", user_id="U1")
    added = "Added A1: Nobody owns the supplier check"
    until(lambda: any(added in c.args["text"] for c in posted(slack)))  # the second reply
    texts = [c.args["text"] for c in posted(slack)[-2:]]
    assert "F1 is now action item A1" in texts[0] and added in texts[1]
    assert state(slack) == "acted"
    slack.run("action show A1", user_id="U2")
    shown = slack.fake.of("response_url")[-1].dump()
    assert "From feedback F1: Nobody owns the supplier check" in shown
