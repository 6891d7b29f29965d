"""Regressions found in review: each of these once misbehaved."""

from sqlmodel import Session

from bot.messages import Inbound
from bot.render import Renderer
from storage import people, projects


def slack(chat, user: str, text: str, channel: str = "C1") -> str:  # noqa: ANN001
    inbound = Inbound(platform="slack", user_id=user, user_name=user, text=text, channel_id=channel)
    replies = chat.runtime.dispatcher.handle(inbound)
    return "\n".join(Renderer("console").reply(r) for r in replies)


def test_a_slack_mention_is_resolved_by_user_id_never_by_a_shared_name(chat):
    with Session(chat.runtime.engine) as db:
        people.ensure(db, "slack", "UBOB1", "John Smith")
        db.commit()
    assert "created" in slack(chat, "U1", "project create Ops key OPS")
    slack(chat, "U1", "dept add Ops head <@U1|olivia>")
    reply = slack(chat, "U1", "member add <@UJOHN2|John Smith> dept Ops")
    assert "joined OPS" in reply
    with Session(chat.runtime.engine) as db:
        project = projects.by_key(db, "OPS")
        member_ids = {p.user_id for _, p in projects.members(db, project.id)}
    assert member_ids == {"U1", "UJOHN2"}
    assert "Added A1" in slack(chat, "U1", "add Check <@UJOHN2|John Smith> fri")
    assert "I don't know" in slack(chat, "U1", "add Other <@UNOPE|John Smith> fri")


def test_overlong_values_are_refused_before_the_database_sees_them(team):
    before = team.snapshot()
    assert "too long" in team("olivia", "dept add D head @" + "x" * 70)
    assert "out of range" in team("olivia", "project kpi x baseline 1e308 target -1e308")
    assert team.snapshot() == before
    long_name = "approval cycle time in working days"
    assert "baseline 15" in team("olivia", f'project kpi "{long_name}" baseline 15 target 7')
    assert "recorded" in team("olivia", f'project kpi "{long_name}" record 12')


def test_only_the_process_owner_hands_over_the_role(team):
    before = team.snapshot()
    assert "Only the process owner can hand" in team("lena", "member role @lena process-owner")
    assert team.snapshot() == before


def test_errors_in_a_chinese_project_are_chinese_even_before_parsing(chat):
    chat("olivia", "project create 审批提速 key BX locale zh-CN")
    assert "用法" in chat("olivia", "action add Fix owner @olivia due fri owner @olivia")
    assert "无法识别命令「frobnicate」" in chat("olivia", "frobnicate")


def test_help_on_a_command_prefix_and_chinese_digest_verbs(team):
    listing = team("max", "help action")
    assert "action add" in listing and "action due" in listing
    assert "action add" in team("max", "帮助 待办")
    assert "Only a lead" in team("max", "周报 设置 weekly fri 17:00")


def test_unbind_in_a_dm_is_refused(team):
    before = team.snapshot()
    assert "direct message is not bound" in team("olivia", "project unbind", channel="dm")
    assert team.snapshot() == before


def test_use_in_a_bound_channel_cannot_reach_another_project(team):
    team("olivia", "project create Other key OT", channel="other")
    reply = team("olivia", "use OT")
    assert "This channel belongs to LA, not OT" in reply and "Other" not in reply
    assert "say it there" in team("olivia", "use LA")


def test_roles_statuses_and_phases_read_in_the_projects_language(chat):
    chat("olivia", "project create 审批提速 key BX locale zh-CN")
    chat("olivia", "dept add 法务部 head @leo")
    assert "组长" in chat("olivia", "member add @lena dept 法务部 role lead")
    assert "流程owner" in chat("olivia", "member list")
    assert "试点" in chat("olivia", "project phase pilot")
    chat("olivia", "add 草拟 @olivia 明天")
    assert "待处理" in chat("olivia", "action reopen A1")


def test_labels_are_translated_for_slack_too():
    from bot.adapters.slack.render import SlackRenderer
    from bot.messages import Label

    message = SlackRenderer().message(
        "message",
        {"key": "member.role_set", "params": {"name": "<b>", "role": Label("role", "lead")}},
        "zh-CN",
    )
    assert "组长" in message.text and "&lt;b&gt;" in message.text


def test_digest_weekdays_are_the_date_grammars_weekdays(team):
    assert "the next one: Thu 2026-11-19 16:00" in team("olivia", "digest set weekly thurs 16:00")
    assert "the next one: Sun 2026-11-22 10:00" in team("olivia", "digest set weekly 星期天 10:00")
    assert '"someday" is not a weekday' in team("olivia", "digest set weekly someday 10:00")


def test_dingtalk_notification_titles_carry_no_markup():
    from bot.adapters.dingtalk.markdown import escape, title_of

    assert title_of("<font color=#d03050>⏰ Overdue: A3</font> <b>x</b>") == "⏰ Overdue: A3 x"
    assert title_of("### " + escape("<font>hi</font>")) == "＜font＞hi＜/font＞"


def test_every_item_verb_has_a_short_form_in_both_languages(team):
    team("max", "add Draft @max fri")
    assert "blocked: waiting" in team("max", "block A1 waiting for legal")
    assert "now due" in team("max", "due A1 next fri")
    assert "Note added" in team("max", 'note A1 "called Leo"')
    assert "called Leo" in team("vic", "show A1")
    assert "is cancelled" in team("max", "取消 A1")
    assert "open again" in team("max", "重开 A1")
    assert "blocked" in team("max", "阻塞 A1 等法务")
    help_text = team("max", "help")
    assert help_text.count("action block <id>") == 1


def test_chinese_refusals_and_missing_fields_read_chinese(chat):
    chat("olivia", "project create 审批提速 key BX locale zh-CN")
    chat("olivia", "dept add 法务部 head @leo")
    chat("olivia", "member add @vic dept 法务部 role viewer")
    chat("olivia", "add 草拟 @olivia 明天")
    assert "你的角色是 观察者" in chat("vic", "完成 A1")
    assert "缺少 <截止日期>" in chat("olivia", "待办 新增 「x」 负责人 @olivia")
    assert "「昨天」（2026-11-17）已经过去了" in chat("olivia", "新增 x @olivia 昨天")


def test_repeating_a_setup_command_is_an_answer_not_an_error(team):
    reply = team("olivia", "member add @max dept Marketing")
    assert "already member" in reply and "Usage" not in reply
