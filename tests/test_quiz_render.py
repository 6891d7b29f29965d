"""Every quiz message kind renders on every platform in both languages, and a
question's rendering carries no answer key."""

from __future__ import annotations

from datetime import date

import pytest

from bot.adapters.dingtalk.render import DingTalkRenderer
from bot.adapters.slack.render import SlackRenderer
from bot.messages import Label
from bot.render import Renderer

QUESTION = {"key": "tq", "title": "T", "n": 2, "total": 3, "type": "multiple", "text": "Which?",
            "options": [{"letter": "A", "text": "one"}, {"letter": "B", "text": "two"}],
            "picked": "A", "minutes_left": 5, "attempt": 1, "note": "quiz.recorded",
            "note_params": {"n": 1}}
DATA = {
    "quiz_question": QUESTION,
    "quiz_invite": {"key": "tq", "title": "T", "due": date(2026, 11, 25), "project": "LA",
                    "project_name": "Launch", "questions": 3, "pass_mark": 75, "time_limit": 10,
                    "attempts": 2},
    "quiz_result": {"key": "tq", "title": "T", "score": 50, "pass_mark": 75, "passed": False,
                    "total": 2, "right": 1, "attempt": 1, "attempts": 2, "left": 1,
                    "time_up": True,
                    "missed": [{"n": 1, "text": "Q?", "type": "true_false", "explain": "Why",
                                "right": [{"letter": "", "text": "true"}], "given": []}]},
    "quiz_list": {"banks": [{"key": "tq", "title": "T", "version": 1, "questions": 3,
                             "pass_mark": 75}],
                  "mine": [{"key": "tq", "title": "T", "due": date(2026, 11, 25),
                            "passed": False}]},
    "quiz_show": {"key": "tq", "title": "T", "version": 1, "questions": 3, "pass_mark": 75,
                  "kinds": {"single": 1, "multiple": 1, "true_false": 1}, "time_limit": 0,
                  "attempts": 1, "shuffle": True},
    "quiz_status": {"key": "tq", "title": "T", "project": "LA", "departments": [
        {"department": None, "assigned": 2, "started": 1, "completed": 1, "passed": 0,
         "average": "50.0", "missed": [{"number": 1, "text": "Q?", "missed": 1,
                                        "wrong": Label("quiz_tf", "false"), "wrong_count": 1}]}]},
    "quiz_results": {"project": "LA", "rows": [
        {"key": "tq", "version": 1, "name": "max", "department": None, "due": date(2026, 11, 25),
         "used": 1, "attempts": 2, "best": 50, "passed": False, "open": False}]},
    "quiz_remind_dm": {"key": "tq", "title": "T", "project": "LA", "due": date(2026, 11, 25)},
    "quiz_overdue_head": {"key": "tq", "title": "T", "project": "LA", "due": date(2026, 11, 25),
                          "department": "Legal", "names": "lena, vic", "no_head": True},
    "quiz_overdue_owner": {"key": "tq", "title": "T", "project": "LA",
                           "due": date(2026, 11, 25), "passed": 1, "assigned": 2,
                           "departments": [{"department": "Legal", "passed": 1, "assigned": 2,
                                            "names": "vic"}]},
}


@pytest.mark.parametrize("locale", ["en", "zh-CN"])
@pytest.mark.parametrize("kind", sorted(DATA))
def test_quiz_kinds_render_everywhere(kind: str, locale: str) -> None:
    plain = Renderer("console").render(kind, DATA[kind], locale)
    dingtalk = DingTalkRenderer().render(kind, DATA[kind], locale)
    slack = SlackRenderer().message(kind, DATA[kind], locale)
    for text in (plain, dingtalk, slack.text):
        assert text.strip() and "quiz_text." not in text and "quiz_tf." not in text
    if locale == "zh-CN":
        assert "quiz_text" not in plain and any("\u4e00" <= c <= "\u9fff" for c in plain)


def test_question_buttons_in_slack_and_no_key() -> None:
    blocks = SlackRenderer().message("quiz_question", QUESTION, "en").blocks
    values = [e["value"] for b in blocks for e in b.get("elements", [])]
    assert values == ["quiz pick tq 2 A", "quiz pick tq 2 B", "quiz answer tq 2"]
    single = {**QUESTION, "type": "single"}
    blocks = SlackRenderer().message("quiz_question", single, "en").blocks
    assert [e["value"] for b in blocks for e in b.get("elements", [])] == [
        "quiz answer tq 2 A", "quiz answer tq 2 B"]
