"""A quiz taken in DingTalk with typed answers: dingtalk-stream's client against the
local fake gateway and OpenAPI; the invitation an ActionCard whose button sends
`quiz take <key>`, every answer a plain `A` / `A C` / `对` in the 1:1 chat."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from quiz_support import EXPLANATIONS, answer_to, import_text
from test_dingtalk_stream import (  # noqa: F401  (fixtures)
    WEBHOOK,
    adapter,
    fake,
    runtime,
    say,
    set_up_project,
    shown,
)

from bot.adapters.dingtalk import make_sender
from bot.outbox.loop import DeliveryLoop

ZHANG = ("u-zhang", "张三")
DM = "cid-dm-zhang"


def test_a_quiz_taken_with_typed_answers(fake, adapter, runtime, tmp_path: Path) -> None:  # noqa: ANN001, F811
    set_up_project(fake)
    import_text(runtime.engine, runtime.clock, tmp_path)
    assigned = say(fake, " quiz assign tq to dept 产品部 due 2026-11-25")
    assert "已指派给 1 人（部门 产品部）" in shown(assigned)  # 张三 (the head is not in it)
    loop = DeliveryLoop(runtime.engine, runtime.clock, {"dingtalk": make_sender(runtime.settings)})
    sent = loop.run_once().sent  # the invitation (and set_up_project's item notice)
    assert [m.user_id for m in sent if m.kind == "quiz_invite"] == ["u-zhang"]
    cards = [p["body"] for p in fake.posts if p["path"].endswith("oToMessages/batchSend")]
    card = next(c for c in cards if c["userIds"] == ["u-zhang"] and "tq" in c["msgParam"])
    assert card["msgKey"] == "sampleActionCard"
    param = json.loads(card["msgParam"])
    assert "请在 11月25日(周三) 前完成" in param["text"]
    command = parse_qs(urlparse(param["singleURL"]).query)["content"][0]
    assert command == "quiz take tq"
    texts = [shown(say(fake, command, who=ZHANG, conv=DM, dm=True))]
    assert "第 1/3 题" in texts[0] and "闭卷" in texts[0]
    plan = {1: "A"}  # one wrong answer: 2 of 3 right, under the 75% pass mark
    for _ in range(3):
        typed = answer_to(runtime.engine, "u-zhang", plan, zh=True)
        texts.append(shown(say(fake, typed, who=ZHANG, conv=DM, dm=True)))
    *during, result = texts
    for text in during:
        assert not any(e in text for e in EXPLANATIONS) and "正确答案" not in text
    assert "67%——未通过（及格线 75%），答对 2/3 题" in result
    assert "正确答案：" in result and "EXPLAIN-ONE" in result
    assert "你还可以再答 1 次：测验 答题 tq" in result
    posts = fake.posts_to(WEBHOOK)
    assert all(p["session"] == DM for p in posts[-4:])
