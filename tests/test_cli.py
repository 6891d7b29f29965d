"""The `taskforce` command line as a user runs it: no TTY, pinned clock, fresh databases."""

import os
import subprocess
import sys
from pathlib import Path

CLI = [sys.executable, "-m", "bot.cli"]
ROOT = Path(__file__).resolve().parent.parent


def run(
    args: list[str], tmp_path: Path, stdin: str = "", **env: str
) -> subprocess.CompletedProcess:
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TASKFORCE_", "SLACK_", "DINGTALK_"))
    }
    environment.update({"TASKFORCE_DATABASE_URL": f"sqlite:///{tmp_path}/cli.db", **env})
    return subprocess.run(
        CLI + args,
        input=stdin,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=environment,
        timeout=120,
    )


SCRIPT = """\
/tf project create "Purchasing speed-up" key PU goal "PO cycle 10 -> 5 days"
dept add Finance head @fay
member add @fay dept Finance role lead
member add @sam dept Finance
action add "Map the PO flow" owner @sam due fri deliverable "flow chart"
add Collect baseline data @fay next fri
action list
:as sam
action start A1
done A1
action list all
nonsense here
"""


def test_console_runs_a_scripted_session_without_a_tty(tmp_path):
    result = run(
        ["console", "--as", "pat", "--channel", "purchasing"],
        tmp_path,
        SCRIPT,
        TASKFORCE_NOW="2026-11-18T10:00:00+08:00",
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Project PU Purchasing speed-up created" in out
    assert "Added A1: Map the PO flow" in out and "due Fri 2026-11-20" in out
    assert "Added A2: Collect baseline data" in out and "Fri 2026-11-27" in out
    assert "✔ A1 Map the PO flow is done." in out
    assert "All items (2)" in out
    assert "I don't know the command" in out
    assert "Traceback" not in out + result.stderr


def test_taskforce_now_pins_the_clock(tmp_path):
    script = "project create X\nadd Thing @pat today\n"
    result = run(["console", "--as", "pat"], tmp_path, script, TASKFORCE_NOW="2026-03-02T09:00")
    assert "due Mon 2026-03-02" in result.stdout


def test_demo_plays_its_walkthrough_and_exits_zero(tmp_path):
    result = run(
        ["demo"], tmp_path, "", TASKFORCE_NOW="2026-11-23T09:30:00+08:00", TASKFORCE_LOCALE="en"
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Demo project LAUNCH" in out
    assert "Overdue items (2):" in out
    assert "A3 法务合同模板预审机制" in out and "blocked" in out
    assert "Viewers can only read" in out
    assert "That was the walk-through" in out
    last = out.strip().splitlines()[-1].strip()  # what to type next, runnable as shown
    assert " console --as 王磊 --channel launch-approval" in last
    assert last.startswith("TASKFORCE_DATABASE_URL=sqlite:///taskforce-demo.db ")
    assert "/taskforce console" in last
    assert (tmp_path / "taskforce-demo.db").exists()


def test_db_upgrade_and_bad_configuration(tmp_path):
    ok = run(["db", "upgrade"], tmp_path)
    assert ok.returncode == 0 and "up to date" in ok.stdout
    bad = run(["db", "upgrade"], tmp_path, TASKFORCE_TIMEZONE="Mars/Olympus")
    assert bad.returncode == 2
    assert "TASKFORCE_TIMEZONE='Mars/Olympus' is not an IANA time zone" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_run_refuses_a_platform_without_credentials(tmp_path):
    result = run(["run", "--platform", "dingtalk"], tmp_path)
    assert result.returncode == 2
    assert "DINGTALK_CLIENT_ID" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "cli.db").exists()
    unknown = run(["run", "--platform", "teams"], tmp_path)
    assert unknown.returncode == 2 and "unknown platform 'teams'" in unknown.stderr


def test_run_says_why_the_database_cannot_be_migrated(tmp_path):
    result = run(["run", "--platform", "slack", "--port", "0"], tmp_path,
                 TASKFORCE_DATABASE_URL=f"sqlite:///{tmp_path}/no such folder/tf.db",
                 SLACK_BOT_TOKEN="xoxb-test", SLACK_SIGNING_SECRET="secret")
    assert result.returncode == 1
    assert "database error: migrating the database failed: OperationalError" in result.stderr
    assert "unable to open database file" in result.stderr and "Traceback" not in result.stderr
