"""`项目 就绪` and the gate in DingTalk: dingtalk-stream's client against the local fake
gateway; the answer comes back through the session webhook as markdown."""

from __future__ import annotations

from test_dingtalk_stream import adapter, fake, runtime, say, shown  # noqa: F401  (fixtures)

LI = ("u-li", "$:LWCP_v1:$li")


def test_readiness_and_the_gate_in_a_dingtalk_group(fake, adapter, runtime) -> None:  # noqa: ANN001, F811
    say(fake, " project create 上线审批")
    say(fake, " dept add 法务部 head @李四\u2005", at=(LI,))
    say(fake, " 会签 「新品上线方案」 由 部门 法务部 限 3个工作日")
    checklist = shown(say(fake, " 项目 就绪"))
    assert "#### P1 上线审批 推广就绪检查（当前阶段：诊断；" in checklist
    assert "- ✅ 各部门测验均已通过：已达成" in checklist
    assert "- **❌ 会签均已完成：缺 1 项**" in checklist
    assert "    - 会签 R1 新品上线方案：进行中" in checklist
    refused = shown(say(fake, " 项目 阶段 推广"))
    assert "#### P1 暂不切换到推广阶段，仍缺：" in refused
    say(fake, "通过 P1/R1", who=("u-li", "李四"), conv="cid-dm-li", dm=True)
    switched = shown(say(fake, " 项目 阶段 推广"))
    assert "#### 🚀 P1 上线审批 已进入推广阶段。" in switched


def test_a_long_checklist_fits_the_robot_limit_and_counts_the_rest(fake, adapter, runtime) -> None:  # noqa: ANN001, F811
    from test_dingtalk_fakes import MAX_ROBOT_BYTES

    from bot.readiness_view import SHOWN

    title = "大促选品与备货计划" * 21  # 189 characters
    say(fake, " project create 上线审批")
    say(fake, " dept add 法务部 head @李四\u2005", at=(LI,))
    for n in range(SHOWN + 3):
        say(fake, f" 会签 「{title}{n:02d}」 由 部门 法务部 限 3个工作日")
    before = len(fake.sizes)
    checklist = shown(say(fake, " 项目 就绪"))
    assert all(size <= MAX_ROBOT_BYTES for size in fake.sizes[before:])
    assert f"❌ 会签均已完成：缺 {SHOWN + 3} 项" in checklist
    assert f"会签 R{SHOWN} {title}{SHOWN - 1:02d}" in checklist
    assert f"R{SHOWN + 1} " not in checklist and "… 另有 3 项" in checklist
