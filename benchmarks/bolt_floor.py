"""P1's floors, each a server process of its own: a bare Bolt app whose `/tf` listener
only acks.

- `async`: an `AsyncApp`, served the way Bolt serves one (`app.start()`: its aiohttp
  server), with Bolt's defaults — the floor the issue names;
- `serving`: a sync `App` (ack-first) behind the same HTTP serving and edge as
  taskforce (`HttpServing`, aiohttp): the serving path without any of taskforce's work.

    python -m benchmarks.bolt_floor --kind async|serving --port N --slack-api URL
"""

from __future__ import annotations

import argparse
import logging

from tests.slack_fake import BOT_TOKEN, SECRET


def serve_async(port: int, slack_api: str) -> None:
    from slack_bolt.async_app import AsyncAck, AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    client = AsyncWebClient(token=BOT_TOKEN, base_url=slack_api)
    app = AsyncApp(client=client, signing_secret=SECRET)

    @app.command("/tf")
    async def noop(ack: AsyncAck) -> None:
        await ack()

    app.start(port=port, host="127.0.0.1")


def serve_sync(port: int, slack_api: str) -> None:
    from slack_bolt import Ack, App
    from slack_sdk import WebClient

    from bot.adapters.slack import HttpServing

    client = WebClient(token=BOT_TOKEN, base_url=slack_api)
    app = App(client=client, signing_secret=SECRET, process_before_response=True)

    @app.command("/tf")
    def noop(ack: Ack) -> None:
        ack()

    HttpServing(app, SECRET, host="127.0.0.1", port=port).run()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kind", choices=["async", "serving"], required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--slack-api", required=True)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    serve = serve_async if args.kind == "async" else serve_sync
    serve(args.port, args.slack_api)


if __name__ == "__main__":
    main()
