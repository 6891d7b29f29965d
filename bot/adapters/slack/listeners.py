"""What the bot does with a `/tf` command or a button click, after Bolt acked it.

Both go through the same core (`Dispatcher.handle`) as typed text, so a click
has exactly the permissions of the typed command. Replies go where their
visibility says: "private" ones ephemerally to the caller (`respond`), "channel"
ones into the conversation (`chat.postMessage`, or `respond` in channel when the
bot may not post there). After a successful click the clicked message is
updated in place: re-rendered when its buttons remember the command that
produced it, else with the clicked buttons replaced by the outcome.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.adapters.slack.inbound import Directory, from_click, from_command
from bot.adapters.slack.limits import context
from bot.adapters.slack.once import shared_key
from bot.adapters.slack.refresh import TEMPLATES as REFRESHABLE
from bot.adapters.slack.refresh import refresh_command
from bot.adapters.slack.render import SlackMessage, SlackRenderer
from bot.catalog import text as catalog_text
from bot.dispatch import Dispatcher
from bot.messages import Inbound, Reply

log = logging.getLogger(__name__)
STAYS = "tf:stay:"  # buttons for everyone (check in, the agenda): their message stays as it is
CANNOT_POST = {"not_in_channel", "channel_not_found", "is_archived", "restricted_action"}


class SlackBot:
    def __init__(self, dispatcher: Dispatcher, client: WebClient) -> None:
        self.dispatcher = dispatcher
        self.client = client
        self.directory = Directory(client)
        self.renderer = SlackRenderer()

    # -- listeners (Bolt lazy functions: they run after the ack) -------------------

    def on_command(self, body: dict[str, Any], respond: Respond) -> None:
        inbound = from_command(body, self.directory)
        replies = self.dispatcher.handle(inbound, once=shared_key(body))
        blocked = False
        for reply in replies:
            blocked = not self.post(reply, inbound, respond, refresh=inbound.text) or blocked
        binds = [r for r in replies if r.template == "project_created" or _is_bound(r)]
        if binds and not inbound.is_dm and (blocked or not self._is_member(inbound.channel_id)):
            # a private channel the bot is not in: every digest and alert would fail
            hint = catalog_text(binds[0].locale, "slack.invite")
            respond(text=hint, response_type="ephemeral", replace_original=False)

    def on_click(self, body: dict[str, Any], respond: Respond) -> None:
        action = (body.get("actions") or [{}])[0]
        value = action.get("value")
        if not value:
            return
        inbound = from_click(body, value, self.directory)
        replies = self.dispatcher.handle(inbound, once=shared_key(body))
        if not replies:  # another replica took this click
            return
        for reply in replies:
            self.post(reply, inbound, respond)
        stays = str(action.get("action_id", "")).startswith(STAYS)
        if all(r.template != "error" for r in replies) and not stays:
            self.update_clicked(body, action, inbound, replies, respond)

    # -- sending ------------------------------------------------------------------

    def _is_member(self, channel_id: str) -> bool:
        """Whether the bot is in the channel (conversations.info); a private channel it
        is not in is "channel_not_found" to it."""
        try:
            answer = self.client.conversations_info(channel=channel_id)
        except SlackApiError as error:
            return error.response.get("error") not in CANNOT_POST
        return bool((answer.get("channel") or {}).get("is_member", True))

    def post(
        self, reply: Reply, inbound: Inbound, respond: Respond, refresh: str | None = None
    ) -> bool:
        """Send one reply; False when the bot could not post in the conversation itself."""
        message = self.renderer.reply(reply)
        if refresh and reply.template in REFRESHABLE:
            message = message.refreshed_by(refresh)
        if reply.visibility == "channel":
            try:
                self.client.chat_postMessage(
                    channel=inbound.channel_id, text=message.text, blocks=message.blocks
                )
                return True
            except SlackApiError as error:
                if error.response.get("error") not in CANNOT_POST:
                    raise
            # not a member of this conversation: the command's response_url still reaches
            # it; in a DM between two people only the caller sees the answer
            respond(
                text=message.text,
                blocks=message.blocks,
                response_type="ephemeral" if inbound.is_dm else "in_channel",
                replace_original=False,
            )
            return False
        else:
            respond(
                text=message.text,
                blocks=message.blocks,
                response_type="ephemeral",
                replace_original=False,
            )
        return True

    def update_clicked(
        self,
        body: dict[str, Any],
        action: dict[str, Any],
        inbound: Inbound,
        replies: list[Reply],
        respond: Respond,
    ) -> None:
        container = body.get("container") or {}
        refresh = refresh_command(action.get("block_id"))  # None unless a read-only view
        message = self._rerun(inbound, refresh) if refresh else None
        if message is None:
            message = self._outcome(body, action, inbound, replies)
        if message is None:
            return
        if not container.get("is_ephemeral") and container.get("message_ts"):
            try:
                self.client.chat_update(
                    channel=container.get("channel_id") or inbound.channel_id,
                    ts=container["message_ts"],
                    text=message.text,
                    blocks=message.blocks,
                )
                return
            except SlackApiError as error:
                log.info(
                    "chat.update failed (%s); replacing through response_url",
                    error.response.get("error"),
                )
        respond(text=message.text, blocks=message.blocks, replace_original=True)

    def _rerun(self, inbound: Inbound, command: str) -> SlackMessage | None:
        fresh = self.dispatcher.handle(replace(inbound, text=command))
        if len(fresh) != 1 or fresh[0].template not in REFRESHABLE:
            return None
        return self.renderer.reply(fresh[0]).refreshed_by(command)

    def _outcome(
        self, body: dict[str, Any], action: dict[str, Any], inbound: Inbound, replies: list[Reply]
    ) -> SlackMessage | None:
        """The clicked message with the clicked buttons replaced by what they did."""
        original = body.get("message") or {}
        blocks = original.get("blocks")
        if not blocks:
            return None
        locale = replies[0].locale if replies else "en"
        result = " ".join(self.renderer.reply(r).text for r in replies)
        name = self.renderer.text.escape(inbound.user_name or inbound.user_id)
        done = context(catalog_text(locale, "slack.clicked", result=result, name=name))
        updated = [done if b.get("block_id") == action.get("block_id") else b for b in blocks]
        return SlackMessage(original.get("text") or result, updated)


def _is_bound(reply: Reply) -> bool:
    return reply.template == "message" and reply.data.get("key") == "project.bound"
