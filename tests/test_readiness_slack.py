"""`project readiness` and the gate in Slack over real HTTP (signed like Slack; the Web
API and response URLs answered by tests/slack_fake.py): a long checklist stays inside
Block Kit's limits and says how much it left out."""

from __future__ import annotations

from slack_fake import Call, until
from test_slack_http import ANSWERS, Harness, slack, team  # noqa: F401  (the fixture)

from bot.readiness_view import SHOWN

TITLE = "Launch plan for the northern region with the updated service level terms " * 2


def answer(h: Harness, line: str, user_id: str = "U1") -> Call:
    before = len(h.fake.calls)
    status, _, _ = h.command(line, user_id)
    assert status == 200
    until(lambda: any(c.method in ANSWERS for c in h.fake.calls[before:]))
    return next(c for c in h.fake.calls[before:] if c.method in ANSWERS)


def sections(call: Call) -> list[str]:
    return [b["text"]["text"] for b in call.args["blocks"] if b.get("type") == "section"]


def test_readiness_lists_open_reviews_within_block_kit_limits(slack) -> None:  # noqa: F811
    team(slack)
    count = SHOWN + 5
    for n in range(count):
        slack.run(f'review "{TITLE}{n:02d}" by dept Marketing within 3wd', user_id="U2")
    shown = answer(slack, "project readiness", "U2")
    blocks = shown.args["blocks"]
    assert len(blocks) <= 50
    assert all(len(text) <= 3000 for text in sections(shown))
    text = "\n".join(sections(shown))
    assert "Readiness of LA Launch approval for rollout" in text
    assert f"❌ Reviews decided: {count} missing" in text
    assert f"R{SHOWN} {TITLE.strip()}" in text and f"R{SHOWN + 1} " not in text
    assert "… and 5 more" in text

    refused = "\n".join(sections(answer(slack, "project phase rollout")))
    assert "Not switching LA to rollout; still missing:" in refused
    forced = "\n".join(sections(answer(slack, 'project phase rollout force "date is fixed"')))
    assert "now in rollout" in forced and '"date is fixed"' in forced
