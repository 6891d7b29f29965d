"""Taking a quiz through the console: the whole attempt, closed book, time limit,
retakes, resume after a restart, rights by target, and `quiz status` by department."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from conftest import SETUP, Chat, make_chat
from quiz_support import EXPLANATIONS, answer_to, asked, current, import_text, right, wrong
from sqlmodel import Session, select

from bot.jobs.quizzes import quiz_sweep
from bot.jobs.registry import JobEnv
from storage.delivery_tables import OutboxMessage
from storage.quizzes import QuizAttempt

DUE = "2026-11-25"


@pytest.fixture
def quiz(team: Chat, tmp_path: Path) -> Chat:
    import_text(team.runtime.engine, team.runtime.clock, tmp_path)
    return team


def outbox(chat: Chat) -> list[OutboxMessage]:
    with Session(chat.runtime.engine) as db:
        return list(db.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all())


def attempts(chat: Chat) -> list[QuizAttempt]:
    with Session(chat.runtime.engine) as db:
        return list(db.exec(select(QuizAttempt).order_by(QuizAttempt.id)).all())


def test_a_whole_attempt_is_closed_book_until_submitted(quiz: Chat) -> None:
    assigned = quiz("olivia", f"quiz assign tq to dept Marketing due {DUE}")
    assert "assigned to 2 people (dept Marketing)" in assigned
    invites = [r for r in outbox(quiz) if r.kind == "quiz_invite"]
    assert sorted(r.user_id for r in invites) == ["max", "olivia"]
    assert "quiz take tq" in invites[0].payload
    in_channel = quiz("max", "quiz take tq")
    assert in_channel == "I have sent quiz tq to you in a direct message; answer it there."
    first = [r for r in outbox(quiz) if r.kind == "quiz_question"]
    assert len(first) == 1 and first[0].user_id == "max"
    assert "Question 1/3" in first[0].payload  # Marketing gets the 3 untagged questions
    replies = [quiz("max", "quiz take tq", channel="dm")]
    assert replies[0].startswith("Picking up where you left off.")
    assert "10 min left" in replies[0]
    missed = None
    for _ in range(3):
        question = asked(quiz.runtime.engine, "max")
        if question.number == 2:
            missed = question
            replies.append(quiz("max", wrong(quiz.runtime.engine, "max"), channel="dm"))
        else:
            replies.append(quiz("max", right(quiz.runtime.engine, "max"), channel="dm"))
    before, result = replies[:-1], replies[-1]
    sent = [r.payload for r in outbox(quiz)]
    for text in before + sent:
        assert not any(e in text for e in EXPLANATIONS)
        assert "Right answer" not in text and "Why:" not in text
    assert "❌ Launch approval basics (tq): 67% — not passed (pass mark 75%), 2 of 3 right." \
        in result
    assert missed is not None and f". {missed.text}" in result
    assert "EXPLAIN-TWO manual and checklist." in result
    assert "Right answer: " in result and "Manual" in result and "Checklist" in result
    assert "You may try again (1 attempt(s) left): quiz take tq" in result
    assert quiz("max", "A", channel="dm").startswith('I don\'t know the command "A"')


def test_retakes_are_reshuffled_and_limited(quiz: Chat) -> None:
    quiz("olivia", f"quiz assign tq to @max due {DUE}")
    for _ in range(2):
        quiz("max", "quiz take tq", channel="dm")
        for _ in range(3):
            quiz("max", wrong(quiz.runtime.engine, "max"), channel="dm")
    first, second = attempts(quiz)
    assert (first.number, second.number) == (1, 2)
    assert first.seed != second.seed
    assert second.submitted_at is not None and second.score == 0
    refused = quiz("max", "quiz take tq", channel="dm")
    assert refused == "You have used all 2 attempts at tq (best score 0%)."
    assert len(attempts(quiz)) == 2


def test_the_time_limit_is_kept_by_the_server(quiz: Chat) -> None:
    quiz("olivia", f"quiz assign tq to @max due {DUE}")
    quiz("max", "quiz take tq", channel="dm")
    quiz("max", right(quiz.runtime.engine, "max"), channel="dm")
    late_answer = right(quiz.runtime.engine, "max")
    quiz.at("2026-11-18T10:10:30+08:00")
    late = quiz("max", late_answer, channel="dm")
    assert late.startswith("⏰ Time is up: an answer given now does not count")
    assert "33% — not passed" in late  # 1 of 3: the late answer was refused
    (attempt,) = attempts(quiz)
    assert attempt.submitted_at == datetime.fromisoformat("2026-11-18T10:10:00+08:00")
    # an attempt left open past its limit is graded by the job
    quiz("olivia", f"quiz assign tq to @olivia due {DUE}")
    quiz("olivia", "quiz take tq", channel="dm")
    quiz.at("2026-11-18T10:30:00+08:00")
    quiz_sweep(JobEnv(quiz.runtime.engine, quiz.runtime.clock, quiz.runtime.settings))
    graded = attempts(quiz)[-1]
    assert graded.submitted_at is not None and graded.score == 0 and graded.passed is False


def test_an_attempt_survives_a_restart(quiz: Chat, sqlite_url: str) -> None:
    quiz("olivia", f"quiz assign tq to @max due {DUE}")
    quiz("max", "quiz take tq", channel="dm")
    quiz("max", right(quiz.runtime.engine, "max"), channel="dm")
    expected = asked(quiz.runtime.engine, "max")
    quiz.runtime.engine.dispose()
    again = make_chat(sqlite_url)  # a new process on the same database
    resumed = again("max", "quiz take tq", channel="dm")
    assert resumed.startswith("Picking up where you left off.")
    assert "Question 2/3" in resumed and expected.text in resumed
    again("max", right(again.runtime.engine, "max"), channel="dm")
    done = again("max", right(again.runtime.engine, "max"), channel="dm")
    assert "100% — passed" in done
    assert again("max", "quiz take tq", channel="dm") == (
        "You have already passed tq (best score 100%)."
    )
    again.runtime.engine.dispose()


def test_assignees_take_it_without_being_members(quiz: Chat) -> None:
    quiz("olivia", f"quiz assign tq to @mona due {DUE}")  # Marketing's head, not a member
    started = quiz("mona", "quiz take tq", channel="dm")
    assert "Question 1/3" in started
    assert quiz("zoe", "quiz take tq", channel="dm") == "The quiz tq was not assigned to you.\n" \
        "Usage: quiz take <key>"
    assert "not a member" in quiz("mona", "quiz status tq")


def test_only_leads_and_the_process_owner_assign_and_see_everyone(quiz: Chat) -> None:
    refused = quiz("max", f"quiz assign tq to dept Legal due {DUE}")
    assert "lead" in refused and not [r for r in outbox(quiz) if r.kind == "quiz_invite"]
    quiz("lena", f"quiz assign tq to dept Legal due {DUE}")
    everyone = quiz("lena", "quiz results tq")
    assert "· lena · Legal" in everyone and "· vic · Legal" in everyone
    assert "You can see your own results" in quiz("vic", "quiz results tq @lena")
    own = quiz("vic", "quiz results")
    assert "vic · Legal · attempts 0/2" in own and "lena" not in own
    show = quiz("vic", "quiz show tq")
    assert "4 questions: 2 single choice, 1 multiple choice, 1 true/false" in show
    assert not any(e in show for e in EXPLANATIONS)


def test_status_by_department_against_hand_counted_figures(quiz: Chat) -> None:
    quiz("olivia", f"quiz assign tq to dept Marketing due {DUE}")
    quiz("olivia", f"quiz assign tq to dept Legal due {DUE}")
    plans = {
        "max": {},                                 # 3 of 3: 100, passed
        "olivia": {1: "C"},                        # 2 of 3: 67
        "lena": {1: "A", 2: "A"},                  # 2 of 4: 50 (Legal gets question 4)
    }
    for user, plan in plans.items():
        quiz(user, "quiz take tq", channel="dm")
        total = len(json.loads(current(quiz.runtime.engine, user)[0].order))
        for _ in range(total):
            reply = quiz(user, answer_to(quiz.runtime.engine, user, plan), channel="dm")
        assert "%" in reply
    status = quiz("olivia", "quiz status tq").splitlines()
    assert "Legal: assigned 2 · started 1 · completed 1 · passed 0 · average 50.0" in status
    assert "Marketing: assigned 2 · started 2 · completed 2 · passed 1 · average 83.5" in status
    legal = status.index("Legal: assigned 2 · started 1 · completed 1 · passed 0 · average 50.0")
    assert status[legal + 1:legal + 4] == [
        "  Most missed:",
        "  - Q1 Who reviews first? — missed 1×; most chosen wrong answer: A Finance",
        "  - Q2 Which documents are needed? — missed 1×; most chosen wrong answer: A Manual",
    ]
    marketing = status.index(
        "Marketing: assigned 2 · started 2 · completed 2 · passed 1 · average 83.5")
    assert status[marketing + 1:marketing + 3] == [
        "  Most missed:",
        "  - Q1 Who reviews first? — missed 1×; most chosen wrong answer: C Quality",
    ]
    results = quiz("olivia", "quiz results tq")
    assert "tq v1 · max · Marketing · attempts 1/2 · best 100% · passed" in results
    assert "tq v1 · vic · Legal · attempts 0/2 · best – · not passed yet" in results


def test_a_new_version_keeps_the_old_results(quiz: Chat, tmp_path: Path) -> None:
    from quiz_support import BANK

    quiz("olivia", f"quiz assign tq to @max due {DUE}")
    quiz("max", "quiz take tq", channel="dm")
    for _ in range(3):
        quiz("max", right(quiz.runtime.engine, "max"), channel="dm")
    import_text(quiz.runtime.engine, quiz.runtime.clock, tmp_path,
                BANK.replace("version: 1", "version: 2"), "v2.yaml")
    assert "v2" in quiz("olivia", "quiz list")
    quiz("olivia", f"quiz assign tq to @olivia due {DUE}")
    results = quiz("olivia", "quiz results tq")
    assert "tq v1 · max · Marketing · attempts 1/2 · best 100% · passed" in results
    assert "tq v2 · olivia · Marketing · attempts 0/2" in results


def test_answers_need_the_right_shape(quiz: Chat) -> None:
    quiz("olivia", f"quiz assign tq to @max due {DUE}")
    quiz("max", "quiz take tq", channel="dm")
    kind = asked(quiz.runtime.engine, "max").type
    bad = quiz("max", "H", channel="dm")
    expected = {"single": "Answer with the letter(s)", "multiple": "Answer with the letter(s)",
                "true_false": "Answer this one with 对 / 错"}[kind]
    assert expected in bad
    assert current(quiz.runtime.engine, "max")[0].position == 0
    # other text is still a command while the attempt is open
    assert "Question banks" in quiz("max", "quiz list", channel="dm")


def test_quiz_on_postgresql(postgres_url: str, tmp_path: Path) -> None:
    chat = make_chat(postgres_url)
    try:
        for user, line in SETUP:
            chat(user, line)
        import_text(chat.runtime.engine, chat.runtime.clock, tmp_path)
        chat("olivia", f"quiz assign tq to all due {DUE}")
        chat("max", "quiz take tq", channel="dm")
        for _ in range(3):
            reply = chat("max", right(chat.runtime.engine, "max"), channel="dm")
        assert "100% — passed" in reply
        assert "Marketing: assigned 2 · started 1 · completed 1 · passed 1 · average 100.0" \
            in chat("olivia", "quiz status tq")
        env = JobEnv(chat.runtime.engine, chat.runtime.clock, chat.runtime.settings)
        chat.at("2026-11-26T09:05:00+08:00")
        quiz_sweep(env)
        assert {r.kind for r in outbox(chat)} >= {"quiz_overdue_head", "quiz_overdue_owner"}
    finally:
        chat.runtime.engine.dispose()


def test_chinese_verbs(quiz: Chat) -> None:
    assigned = quiz("olivia", "测验 指派 tq 给 部门 Marketing 截止 2026-11-25")
    assert "assigned to 2 people (dept Marketing)" in assigned
    assert "Question 1/3" in quiz("max", "测验 答题 tq", channel="dm")
    assert "Marketing: assigned 2 · started 1" in quiz("olivia", "测验 进度 tq")
    assert "tq v1 · max · Marketing" in quiz("max", "测验 成绩")
    assert "4 questions" in quiz("max", "测验 详情 tq")
    assert "Question banks" in quiz("max", "测验 列表")
