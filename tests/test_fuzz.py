"""Random and adversarial text at the dispatcher: nothing escapes, nothing is half-written."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.messages import Inbound
from bot.registry import COMMANDS
from bot.render import Renderer

VERBS = sorted(
    {" ".join(words) for words in COMMANDS} | {"待办 新增", "完成", "项目 信息", "/tf", "tf"}
)
PIECES = st.sampled_from(
    [
        "A1",
        "A2",
        "P9/A1",
        "LA/A1",
        "@max",
        "@lena",
        "@nobody",
        "<@U123|x>",
        "<@U1>",
        "owner",
        "due",
        "deliverable",
        "fri",
        "next",
        "下周五",
        "+3d",
        "+2wd",
        "12-01",
        "2026-13-45",
        "明天下午3点",
        '"',
        "「",
        "」",
        "“quoted”",
        "dept",
        "Marketing",
        "role",
        "lead",
        "viewer",
        "baseline",
        "target",
        "record",
        "1e309",
        "nan",
        "-0",
        "key",
        "tz",
        "Mars/Olympus",
        "\u3000",
        "\x00",
        "'",
        "<!channel>",
        "@here",
        "x" * 300,
        "'; DROP TABLE project; --",
    ]
)
ADVERSARIAL = st.builds(
    lambda verb, parts: " ".join([verb, *parts]),
    st.sampled_from(VERBS),
    st.lists(st.one_of(PIECES, st.text(max_size=12)), max_size=8),
)
SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _check(team, text: str) -> None:  # noqa: ANN001
    renderer = Renderer("console")
    before = team.snapshot()
    inbound = Inbound(
        platform="console", user_id="max", user_name="max", text=text, channel_id="launch"
    )
    replies = team.runtime.dispatcher.handle(inbound)
    assert replies
    for reply in replies:
        renderer.render(reply.template, reply.data, reply.locale)  # templates never fail
        assert reply.data.get("key") != "error.internal", text
    if replies[0].template == "error":
        assert team.snapshot() == before, text


@SETTINGS
@given(text=st.text(max_size=200))
def test_random_text(team, text):
    _check(team, text)


@SETTINGS
@given(text=ADVERSARIAL)
def test_adversarial_commands(team, text):
    _check(team, text)
