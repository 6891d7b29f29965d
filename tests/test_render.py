"""Rendering: the template fallback chain, escaping, and both locales."""

from datetime import date
from pathlib import Path

import pytest

from bot import catalog
from bot.messages import Inbound, Reply
from bot.render import Renderer, format_date


def shout(text: str) -> str:
    return text.replace("<", "&lt;").replace(">", "&gt;")


def test_values_and_catalogue_params_pass_through_the_platform_escape():
    renderer = Renderer("console", escape=shout)
    reply = Reply("message", {"key": "item.done", "params": {"id": "A1", "title": "<!channel>"}})
    assert renderer.reply(reply) == "✔ A1 &lt;!channel&gt; is done."


def test_macro_output_is_escaped_once(team):
    team("max", 'add "R&D <review>" @max fri')
    inbound = Inbound(platform="console", user_id="max", text="action list", channel_id="launch")
    reply = team.runtime.dispatcher.handle(inbound)[0]
    html_like = Renderer("console", escape=lambda t: shout(t.replace("&", "&amp;")))
    text = html_like.reply(reply)
    assert "R&amp;D &lt;review&gt;" in text and "&amp;lt;" not in text


def test_fallback_chain_prefers_platform_then_locale_then_default(tmp_path: Path, monkeypatch):
    renderer = Renderer("fakechat")
    assert renderer.candidates("status", "zh-CN") == [
        "fakechat/zh-CN/status.txt.j2",
        "fakechat/status.txt.j2",
        "zh-CN/status.txt.j2",
        "default/status.txt.j2",
    ]
    for folder, body in [("default", "D"), ("fakechat", "P"), ("fakechat/en", "PL")]:
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
        (tmp_path / folder / "kind.txt.j2").write_text(body)
    from jinja2 import FileSystemLoader

    renderer.env.loader = FileSystemLoader(str(tmp_path))
    assert renderer.render("kind", {}, "en") == "PL"
    assert renderer.render("kind", {}, "zh-CN") == "P"
    assert Renderer("other").candidates("kind", "en")[-1] == "default/kind.txt.j2"


@pytest.mark.parametrize(
    ("locale", "expected"), [("en", "Fri 2026-11-20"), ("zh-CN", "11月20日(周五)")]
)
def test_dates_read_naturally_in_each_locale(locale, expected):
    assert format_date(date(2026, 11, 20), locale) == expected


def test_a_missing_key_falls_back_to_english():
    assert catalog.text("zh-CN", "no.such.key") == "no.such.key"
    assert catalog.text("zh-CN", "item.done", id="A1", title="x") != catalog.text(
        "en", "item.done", id="A1", title="x"
    )


def test_every_reply_kind_renders_in_both_locales(team):
    team("max", 'action add "Draft" owner @max due fri deliverable "v1"')
    team("olivia", "project kpi cycle baseline 15 target 7 unit days")
    lines = [
        "help",
        "help action add",
        "project info",
        "member list",
        "action list",
        "action show A1",
        "status",
        "action list overdue",
    ]
    for locale in ("en", "zh-CN"):
        with team.runtime.engine.begin() as conn:
            conn.exec_driver_sql(f"UPDATE project SET locale = '{locale}'")
        for line in lines:
            inbound = Inbound(platform="console", user_id="max", text=line, channel_id="launch")
            replies = team.runtime.dispatcher.handle(inbound)
            for reply in replies:
                assert reply.locale == locale
                text = Renderer("console").render(reply.template, reply.data, reply.locale)
                assert text and "{" not in text, (line, text)
