"""A local fake of the Telegram Bot API: an HTTP server on 127.0.0.1 (random port), in a
thread, that records every ``sendMessage`` and serves queued ``getUpdates``; ``failing``
makes it answer 500 to everything."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeBot:
    def __init__(self, token: str):
        self.token = token
        self.sent: list[dict] = []
        self.updates: list[dict] = []
        self.failing = False
        self.calls: list[str] = []
        bot = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                payload = json.loads(self.rfile.read(length) or b"{}")
                prefix = f"/bot{bot.token}/"
                method = self.path[len(prefix) :] if self.path.startswith(prefix) else ""
                bot.calls.append(method)
                if bot.failing:
                    return self._answer(500, {"ok": False, "description": "Internal error"})
                if method == "sendMessage":
                    bot.sent.append(payload)
                    return self._answer(200, {"ok": True, "result": {"message_id": len(bot.sent)}})
                if method == "getUpdates":
                    offset = payload.get("offset", 0)
                    result = [u for u in bot.updates if u["update_id"] >= offset]
                    return self._answer(200, {"ok": True, "result": result})
                return self._answer(404, {"ok": False, "description": "Not Found"})

            def _answer(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def message_from(self, chat_id: int, text: str) -> None:
        """Someone writes to the bot in a private chat."""
        self.updates.append(
            {
                "update_id": 1000 + len(self.updates),
                "message": {"chat": {"id": chat_id, "type": "private"}, "text": text},
            }
        )

    def close(self):
        self.server.shutdown()
        self.server.server_close()
