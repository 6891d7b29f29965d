"""`run_dingtalk(runtime)` as the CLI will call it: a process configured only by the
environment, DINGTALK_API_URL pointing at the local fake, stopped by SIGTERM.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from test_dingtalk_fakes import CLIENT_ID, CLIENT_SECRET, ROBOT_CODE, FakeDingTalk

ROOT = Path(__file__).resolve().parent.parent
PROGRAM = """
from bot.adapters.dingtalk import run_dingtalk
from bot.runtime import build
import atexit
def report():
    import dingtalk_stream.utils as sdk
    print("sdk endpoint", sdk.DINGTALK_OPENAPI_ENDPOINT, flush=True)
atexit.register(report)
run_dingtalk(build())
"""


def test_run_dingtalk_serves_until_sigterm(tmp_path: Path) -> None:
    with FakeDingTalk() as fake:
        env = {
            **os.environ,
            "TASKFORCE_DATABASE_URL": f"sqlite:///{tmp_path}/run.db",
            "TASKFORCE_NOW": "2026-11-18T10:00:00+08:00",
            "DINGTALK_CLIENT_ID": CLIENT_ID,
            "DINGTALK_CLIENT_SECRET": CLIENT_SECRET,
            "DINGTALK_ROBOT_CODE": ROBOT_CODE,
            "DINGTALK_API_URL": fake.api_url,
        }
        env.pop("DINGTALK_OPENAPI_ENDPOINT", None)
        process = subprocess.Popen(
            [sys.executable, "-c", PROGRAM],
            cwd=tmp_path,
            env={**env, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            fake.wait(lambda: fake.connections == 1, timeout=30)
            message = fake.robot_message(
                "帮助", staff_id="u-a", nick="甲", conversation="cid-dm-a", dm=True
            )
            fake.push(message)
            (post,) = fake.wait_posts("/robot/sendBySession", 1)
            assert "待办 新增" in post["body"]["actionCard"]["text"]
            process.send_signal(signal.SIGTERM)
            out, err = process.communicate(timeout=20)
        finally:
            if process.poll() is None:
                process.kill()
        assert process.returncode == 0, err
        assert f"sdk endpoint {fake.api_url}" in out  # the SDK was pointed there as well


def test_taskforce_run_picks_dingtalk_from_the_environment(tmp_path: Path) -> None:
    with FakeDingTalk() as fake:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DINGTALK_"))}
        env.update(
            {
                "TASKFORCE_DATABASE_URL": f"sqlite:///{tmp_path}/run.db",
                "TASKFORCE_NOW": "2026-11-18T10:00:00+08:00",
                "DINGTALK_CLIENT_ID": CLIENT_ID,
                "DINGTALK_CLIENT_SECRET": CLIENT_SECRET,
                "DINGTALK_ROBOT_CODE": ROBOT_CODE,
                "DINGTALK_API_URL": fake.api_url,
            }
        )
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            fake.wait(lambda: fake.connections == 1, timeout=30)
            fake.push(
                fake.robot_message(
                    "tf help action add",
                    staff_id="u-a",
                    nick="甲",
                    conversation="cid-dm-a",
                    dm=True,
                )
            )
            (post,) = fake.wait_posts("/robot/sendBySession", 1)
            assert "待办 新增" in str(post["body"])
            process.send_signal(signal.SIGTERM)
            _, err = process.communicate(timeout=20)
        finally:
            if process.poll() is None:
                process.kill()
        assert process.returncode == 0, err
        assert "Traceback" not in err
