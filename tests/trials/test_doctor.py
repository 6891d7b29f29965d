"""Trial (issue 15, operability): `taskforce doctor` says what is wrong and exits non-zero.

Each run is the real command (typer's runner; one run in a process of its own), configured
only by the environment, against a fresh database and the local fake Slack and DingTalk
(a refused token, a wrong secret).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from slack_fake import BOT_TOKEN, FakeSlack
from test_dingtalk_fakes import CLIENT_ID, CLIENT_SECRET, FakeDingTalk
from typer.testing import CliRunner

from bot.cli import app
from storage.engine import make_engine
from storage.migrate import upgrade

ROOT = Path(__file__).resolve().parents[2]


def doctor(tmp_path: Path, **env: str) -> tuple[int, str]:
    """`taskforce doctor` in this process (typer's runner), configured by `env` only."""
    unset = [k for k in os.environ if k.startswith(("SLACK_", "DINGTALK_", "TASKFORCE_"))]
    done = CliRunner().invoke(app, ["doctor"], env={**dict.fromkeys(unset), **env})
    return done.exit_code, done.output


def upgraded(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path}/doctor.db"
    upgrade(make_engine(url))
    return url


def test_the_command_exits_non_zero_in_a_process_of_its_own(tmp_path: Path, trial) -> None:  # noqa: ANN001
    trial.tried("`python -m bot.cli doctor` on an empty database, as an operator runs it")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DINGTALK_"))}
    env.update(PYTHONPATH=str(ROOT), TASKFORCE_DATABASE_URL=f"sqlite:///{tmp_path}/e.db")
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "doctor"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 1 and "FAIL  database" in done.stdout, done.stdout + done.stderr
    trial.held("the process exited 1")


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    yield fake
    fake.stop()


def test_an_unmigrated_database_fails_and_a_migrated_one_passes(tmp_path: Path, trial) -> None:  # noqa: ANN001
    trial.tried("doctor on an empty SQLite file")
    code, out = doctor(tmp_path, TASKFORCE_DATABASE_URL=f"sqlite:///{tmp_path}/empty.db")
    assert code == 1 and "FAIL  database: at empty" in out and "taskforce db upgrade" in out
    trial.held("exit 1, the database line says to run `taskforce db upgrade`")
    trial.tried("doctor after `taskforce db upgrade`")
    code, out = doctor(tmp_path, TASKFORCE_DATABASE_URL=upgraded(tmp_path))
    assert code == 0, out
    assert "ok    database: reachable, migrated" in out
    assert "ok    calendar 2026" in out and "calendar 2027" in out and "ok    clock" in out
    trial.held("exit 0: database, clock, calendar for this year and next all reported")


def test_an_unreachable_database_and_a_bad_setting_fail(tmp_path: Path, trial) -> None:  # noqa: ANN001
    trial.tried("a PostgreSQL URL on a closed port")
    code, out = doctor(
        tmp_path, TASKFORCE_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:1/none"
    )
    assert code == 1 and "FAIL  database: not reachable" in out
    trial.held("exit 1: database not reachable")
    trial.tried("TASKFORCE_TIMEZONE=Mars/Olympus")
    code, out = doctor(tmp_path, TASKFORCE_TIMEZONE="Mars/Olympus")
    assert code == 1 and "FAIL  configuration" in out and "Mars/Olympus" in out
    assert "Traceback" not in out
    trial.held("exit 1: the configuration line names the bad value, no traceback")


def test_slack_credentials_are_asked_of_the_platform(tmp_path: Path, slack, trial) -> None:  # noqa: ANN001
    url = upgraded(tmp_path)
    env = {
        "TASKFORCE_DATABASE_URL": url, "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": "s3cret", "SLACK_API_URL": slack.url,
    }
    trial.tried("a bot token the (fake) Slack accepts")
    code, out = doctor(tmp_path, **env)
    assert code == 0 and "ok    slack: token accepted" in out, out
    assert slack.of("auth.test"), "doctor must ask Slack, not only read the setting"
    trial.held("exit 0 after auth.test answered ok")
    trial.tried("a bot token Slack answers invalid_auth")
    slack.refused_tokens.add(BOT_TOKEN)
    code, out = doctor(tmp_path, **env)
    assert code == 1 and "FAIL  slack: auth.test refused the token: invalid_auth" in out
    trial.held("exit 1, the line quotes Slack's invalid_auth")


def test_dingtalk_credentials_are_asked_of_the_platform(tmp_path: Path, trial) -> None:  # noqa: ANN001
    url = upgraded(tmp_path)
    with FakeDingTalk() as fake:
        env = {
            "TASKFORCE_DATABASE_URL": url, "DINGTALK_CLIENT_ID": CLIENT_ID,
            "DINGTALK_API_URL": fake.api_url,
        }
        trial.tried("the app's client id and secret")
        code, out = doctor(tmp_path, **env, DINGTALK_CLIENT_SECRET=CLIENT_SECRET)
        assert code == 0 and "ok    dingtalk: access token issued" in out, out
        trial.held("exit 0: the fake OpenAPI issued an access token")
        trial.tried("a wrong client secret")
        code, out = doctor(tmp_path, **env, DINGTALK_CLIENT_SECRET="wrong")
        assert code == 1 and "FAIL  dingtalk: no access token" in out
        trial.held("exit 1: no access token, said on the dingtalk line")
