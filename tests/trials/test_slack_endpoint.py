"""Trials (issue 15, part 1): the public Slack endpoint under forged and malformed requests.

Everything goes over real HTTP into the bot as served in production (waitress, the
edge, Bolt), its Web API answered by the local fake Slack (tests/slack_fake.py).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import socket
import time
import urllib.error
import urllib.request

import pytest
from slack_fake import SECRET, form, signed_headers, slash_body, until
from test_slack_http import CHANNEL, Harness, posted, slack, team  # noqa: F401
from trial_report import Trial


def sign(body: bytes, timestamp: str | None = None, secret: str = SECRET) -> dict[str, str]:
    """Slack's v0 signature of raw bytes (slack_fake's signs text only)."""
    ts = timestamp or str(int(time.time()))
    digest = hmac.new(secret.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256)
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": "v0=" + digest.hexdigest()}


def send(url: str, body: bytes, headers: dict[str, str], kind: str = "form") -> int:
    request = urllib.request.Request(url, data=body, method="POST")
    content_type = "application/json" if kind == "json" else "application/x-www-form-urlencoded"
    request.add_header("Content-Type", content_type)
    for name, value in headers.items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture
def served(caplog: pytest.LogCaptureFixture, request: pytest.FixtureRequest) -> Harness:
    """The served bot, logging at INFO as `taskforce run` does; set before the app is
    built, because Bolt's loggers copy the root level when the App is made."""
    caplog.set_level(logging.INFO)
    return request.getfixturevalue("slack")


def tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


def click_payload(block_id: str, value: str, answer_to: str = "", user_id: str = "U2") -> dict:
    return {
        "type": "block_actions",
        "team": {"id": "T0TEAM"},
        "user": {"id": user_id, "username": "max"},
        "api_app_id": "A0APP",
        "trigger_id": f"click.{time.monotonic_ns()}",
        "container": {"type": "message", "message_ts": "1763430000.000009",
                      "channel_id": CHANNEL, "is_ephemeral": False},
        "channel": {"id": CHANNEL, "name": "launch"},
        "response_url": answer_to or "http://127.0.0.1:9/response/none",
        "actions": [{"type": "button", "action_id": "tf:done", "block_id": block_id,
                     "value": value, "action_ts": "1763430001.000000"}],
    }


BAD_TIMESTAMPS = ["abc", "", "1e9", " 1763430000", "17634300OO", "176343000²", "9" * 40]


def test_a_bad_timestamp_header_costs_a_401_and_no_traceback(
    served: Harness, trial: Trial, caplog: pytest.LogCaptureFixture
) -> None:
    body = form(slash_body(served.fake, 'project create "Sneaky" key SN', "U1", CHANNEL, 7))
    before = served.snapshot()
    for stamp in [*BAD_TIMESTAMPS, None]:
        headers = sign(body.encode(), timestamp="1")
        if stamp is None:
            del headers["X-Slack-Request-Timestamp"]
        else:
            headers["X-Slack-Request-Timestamp"] = stamp
        trial.tried(f"/tf with X-Slack-Request-Timestamp {stamp!r}")
        assert send(served.url, body.encode(), headers) == 401, stamp
    time.sleep(0.3)
    assert tracebacks(caplog) == []
    assert served.snapshot() == before
    assert {c.method for c in served.fake.calls} <= {"auth.test"}
    trial.held(f"{len(BAD_TIMESTAMPS) + 1} bad timestamps: all 401, no traceback, no change")


def test_an_unsigned_body_is_never_logged(
    served: Harness, trial: Trial, caplog: pytest.LogCaptureFixture
) -> None:
    marker = "UNSIGNED-MARKER-"
    body = form({"command": "/tf", "text": marker + "x" * 200_000})
    forged = [
        ("a bad signature", signed_headers(body) | {"X-Slack-Signature": "v0=" + "0" * 64}),
        ("another secret", signed_headers(body, secret="not-the-secret")),
        ("a stale timestamp", signed_headers(body, timestamp=int(time.time()) - 600)),
        ("no signature", {"X-Slack-Request-Timestamp": str(int(time.time()))}),
    ]
    for what, headers in forged:
        trial.tried(f"10 POSTs of 200 KB with {what}")
        assert [send(served.url, body.encode(), headers) for _ in range(10)] == [401] * 10
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert marker not in logged and "xxxxxxxxxx" not in logged
    assert len(caplog.records) <= len(forged), logged  # one line per reason, not per request
    trial.held(f"40 unsigned 200 KB bodies: 401 each; {len(caplog.records)} log lines, "
               f"{len(logged)} bytes, no body")


def raw_post(port: int, head: bytes, chunks: list[bytes]) -> bytes:
    """Send a request by hand (the server may stop reading); its status line."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\n" + head + b"\r\n")
        try:
            for chunk in chunks:
                conn.sendall(chunk)
        except OSError:  # the server answered and closed while we were still sending
            pass
        return conn.recv(200).split(b"\r\n", 1)[0]


def test_an_oversized_body_is_refused_before_it_is_read(served: Harness, trial: Trial) -> None:
    port = int(served.url.split(":")[2].split("/")[0])
    declared = 50 * 1024 * 1024
    trial.tried(f"headers announcing a {declared} byte body, then 1 KB of it")
    started = time.monotonic()
    status = raw_post(port, f"Content-Length: {declared}\r\n".encode(), [b"x" * 1024])
    assert status == b"HTTP/1.1 413 Request Entity Too Large", status
    trial.held(f"413 in {time.monotonic() - started:.2f} s: the rest was not waited for")
    chunk = b"x" * 65536
    chunks = [b"%x\r\n" % len(chunk) + chunk + b"\r\n"] * 48  # 3 MiB, no Content-Length
    trial.tried("a chunked body growing to 3 MiB")
    status = raw_post(port, b"Transfer-Encoding: chunked\r\n", chunks)
    assert status == b"HTTP/1.1 413 Request Entity Too Large", status
    trial.held("413 once past the cap")


MALFORMED: list[tuple[str, bytes, str]] = [
    ("a body that is not UTF-8", b"command=%2Ftf&text=\xff\xfe\xfa&user_id=U1", "form"),
    ("a JSON body that is not UTF-8", b'{"type": "\xff\xfe"}', "json"),
    ("payload that is a list", form({"payload": "[1, 2]"}).encode(), "form"),
    ("payload that is a string", form({"payload": '"action cancel A1"'}).encode(), "form"),
    ("payload that is a number", form({"payload": "1e999"}).encode(), "form"),
    ("payload that is truncated",
     form({"payload": json.dumps(click_payload("item:1", "action cancel A1"))[:-40]}).encode(),
     "form"),
    ("payload nested 100,000 deep",
     form({"payload": '{"type": "block_actions", "x": ' + "[" * 100_000}).encode(), "form"),
    ("payload nested 500 deep (valid JSON)",
     form({"payload": '{"type": "block_actions", "x": ' + "[" * 500 + "]" * 500 + "}"}).encode(),
     "form"),
    ("payload that is not JSON", form({"payload": "action cancel A1"}).encode(), "form"),
    ("two payload fields", form({"payload": "{}"}).encode() + b"&payload=%7B%7D", "form"),
    ("a JSON body that is a list", b"[1]", "json"),
]
WRONG_ACTIONS: list[tuple[str, object]] = [
    ("actions as a string", "action cancel A1"),
    ("actions as an object", {"value": "action cancel A1"}),
    ("actions as a list of strings", ["action cancel A1"]),
    ("an action whose value is a number", [{"action_id": "tf:x", "block_id": "b", "value": 5}]),
    ("an action whose block_id is a list", [{"action_id": "tf:x", "block_id": ["b"],
                                             "value": "action list"}]),
    ("an action without an action_id", [{"block_id": "b", "value": "action cancel A1"}]),
    ("no actions", []),
]


def test_signed_but_malformed_input_is_a_400_and_changes_nothing(
    served: Harness, trial: Trial, caplog: pytest.LogCaptureFixture
) -> None:
    team(served)
    served.run('action add "Draft the checklist" owner <@U2> due fri')
    calls = len(served.fake.calls)
    before = served.snapshot()
    cases = list(MALFORMED)
    for what, actions in WRONG_ACTIONS:
        payload = click_payload("item:1", "action cancel A1") | {"actions": actions}
        cases.append((what, form({"payload": json.dumps(payload)}).encode(), "form"))
    for what, body, kind in cases:
        trial.tried(f"signed: {what}")
        assert send(served.url, body, sign(body), kind) == 400, what
    time.sleep(0.5)
    assert served.snapshot() == before
    assert served.fake.calls[calls:] == []
    assert tracebacks(caplog) == []
    trial.held(f"{len(cases)} malformed signed requests: 400 each, no traceback, no change")


def test_a_block_id_cannot_run_a_command(served: Harness, trial: Trial) -> None:
    team(served)
    served.run('action add "Draft the checklist" owner <@U2> due fri')
    served.run('action add "Legal review" owner <@U2> due fri')
    for refresh in ["action cancel A1", "cancel A1", "tf action cancel A1", "待办 取消 A1",
                    "action list\naction cancel A1", "action due A1 2027-01-01"]:
        trial.tried(f"a signed click (show A2) whose block_id is {'item:1~' + refresh!r}")
        before = [(i.seq, i.status, i.due_date) for i in served.items()]
        count = len(served.fake.of("response_url")) + len(posted(served))
        answer_to = served.fake.response_url("forged")
        payload = click_payload(f"item:1~{refresh}", "action show A2", answer_to)
        body = form({"payload": json.dumps(payload)})
        assert send(served.url, body.encode(), sign(body.encode())) == 200
        until(lambda n=count: len(served.fake.of("response_url")) + len(posted(served)) > n)
        time.sleep(0.3)
        assert [(i.seq, i.status, i.due_date) for i in served.items()] == before, refresh
    trial.held("6 forged block_ids: nothing changed; the clicked button was answered")
    with_list = served.items()
    served.run("action list")
    listing = posted(served)[-1]
    trial.tried("a genuine click on a list, whose block_id re-renders 'action list'")
    assert served.click(listing, "action done A1", user_id="U2") == 200
    update = served.fake.wait("chat.update")[-1]
    assert "Legal review" in update.dump() and "Draft the checklist" not in update.dump()
    assert len(with_list) == 2
    trial.held("the read-only list still refreshes in place")
