"""SDK callback handlers: ack every frame at once and hand its data to the adapter.

The SDK acks with whatever `process` returns, echoing the frame's messageId.
Nothing slow happens here: the adapter runs the command and the reply in its
own threads, so one slow reply never holds up the stream or another user.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dingtalk_stream import AckMessage, CallbackHandler, CallbackMessage, ChatbotMessage
from dingtalk_stream.card_callback import Card_Callback_Router_Topic

MESSAGE_TOPIC = ChatbotMessage.TOPIC  # /v1.0/im/bot/messages/get
CARD_TOPIC = Card_Callback_Router_Topic  # /v1.0/card/instances/callback
# (kind, frame data) -> None; kind is "message" or "card"
Accept = Callable[[str, dict[str, Any]], None]


class _Handler(CallbackHandler):
    kind = ""

    def __init__(self, accept: Accept) -> None:
        super().__init__()
        self.accept = accept

    async def process(self, message: CallbackMessage) -> tuple[int, Any]:
        data = message.data if isinstance(message.data, dict) else {}
        self.accept(self.kind, data)
        return AckMessage.STATUS_OK, "OK"


class RobotMessageHandler(_Handler):
    kind = "message"


class CardCallbackHandler(_Handler):
    kind = "card"

    async def process(self, message: CallbackMessage) -> tuple[int, Any]:
        await super().process(message)
        return AckMessage.STATUS_OK, {}  # leave the card as it is; the answer is a message


def register(client: Any, accept: Accept) -> None:
    client.register_callback_handler(MESSAGE_TOPIC, RobotMessageHandler(accept))
    client.register_callback_handler(CARD_TOPIC, CardCallbackHandler(accept))
