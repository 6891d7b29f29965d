"""KPIs in DingTalk (dingtalk-stream against the local fake gateway and OpenAPI): the
owner's ask is a 1:1 ActionCard; the owner, no member of the project, records by typing
the command in the DM; bad input is answered in Chinese and changes nothing."""

from __future__ import annotations

import json
from datetime import datetime
from urllib.parse import parse_qs, urlparse

from sqlmodel import Session, select
from test_dingtalk_stream import adapter, fake, runtime, say, shown  # noqa: F401  (fixtures)

from bot.jobs.kpis import kpi_sweep
from bot.jobs.registry import JobEnv
from bot.outbox.loop import DeliveryLoop
from storage.models import KpiValue

DM_SEND = "/v1.0/robot/oToMessages/batchSend"
LI = ("u-li", "$:LWCP_v1:$li")


def values(runtime) -> list[float]:  # noqa: ANN001, F811
    with Session(runtime.engine) as db:
        return [v.value for v in db.exec(select(KpiValue).order_by(KpiValue.id)).all()]


def test_owner_is_asked_by_action_card_and_records_by_typing(fake, adapter, runtime) -> None:  # noqa: ANN001, F811
    say(fake, " project create 上线审批")
    assert "指标 交付周期" in shown(say(fake, " 项目 指标 交付周期 基线 15 目标值 7 单位 天"))
    set_reply = shown(say(fake, " 项目 指标 交付周期 每周 在 周一 负责人 @李四\u2005", at=(LI,)))
    assert "由 李四 每周（周一）记录" in set_reply and "11月23日(周一)" in set_reply

    runtime.clock.set(datetime.fromisoformat("2026-11-23T09:01:00+08:00"))
    kpi_sweep(JobEnv(runtime.engine, runtime.clock, runtime.settings))
    loop = DeliveryLoop(runtime.engine, runtime.clock, {"dingtalk": adapter.sender})
    assert len(loop.run_once().sent) == 1
    card = fake.posts_to(DM_SEND)[0]["body"]
    assert card["userIds"] == ["u-li"]
    param = json.loads(card["msgParam"])
    assert "请记录11月23日(周一)这一周的数值" in param["text"]
    assert "直接在此回复：项目 指标 P1/交付周期 记录 ＜数值＞" in param["text"]
    assert card["msgKey"] == "sampleActionCard" and param["singleTitle"] == "历史"
    command = parse_qs(urlparse(param["singleURL"]).query)["content"][0]
    assert command == "project kpi P1/交付周期 history"

    li = ("u-li", "李四")
    bad = say(fake, "项目 指标 P1/交付周期 记录 很多", who=li, conv="cid-dm-li", dm=True)
    assert "「很多」不是数字" in shown(bad)
    future = say(fake, "项目 指标 交付周期 记录 12 在 12-01", who=li, conv="cid-dm-li", dm=True)
    assert "是将来的日期" in shown(future)
    assert values(runtime) == []
    typed = say(fake, "项目 指标 交付周期 记录 12天", who=li, conv="cid-dm-li", dm=True)
    assert "已记录指标 交付周期：12 天" in shown(typed)
    back = say(fake, "项目 指标 交付周期 记录 13 在 11-16", who=li, conv="cid-dm-li", dm=True)
    assert "已补录指标 交付周期（11月16日(周一)）：13" in shown(back)
    assert values(runtime) == [12.0, 13.0]
    history = shown(say(fake, command, who=li, conv="cid-dm-li", dm=True))
    assert "基线 15 → 目标 7 天" in history and "记录人 李四" in history
    assert history.index("11月23日") < history.index("11月16日")  # newest first
    zhao = ("u-zhao", "赵六")
    refused = say(fake, "项目 指标 交付周期 记录 11", who=zhao, conv="cid-dm-z", dm=True)
    assert "还没有加入任何项目" in shown(refused)
    assert values(runtime) == [12.0, 13.0]
