"""A local stand-in for the 企业微信 / 钉钉 group robots, for the outbox and worker
tests: it answers, trickles, refuses with an errcode, answers the rate-limit codes
(45009, 130101), and checks 钉钉's 加签 signature when given a secret."""

import base64
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class RobotHandler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - the name http.server calls
        length = int(self.headers["Content-Length"])
        payload = self.rfile.read(length)
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        server = self.server
        server.received.append({"query": query, "payload": json.loads(payload)})
        mode = server.mode
        answer = {"errcode": 0, "errmsg": "ok"}
        if mode == "bad key":
            answer = {"errcode": 93000, "errmsg": "invalid webhook url"}
        elif mode in ("45009", "130101"):
            answer = {"errcode": int(mode), "errmsg": "send too fast"}
        if server.secret and not _signature_verifies(query, server.secret):
            answer = {"errcode": 310000, "errmsg": "sign not match"}
        data = json.dumps(answer).encode()
        self.send_response(500 if mode == "broken" else 200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        try:
            if mode == "trickle":
                # 200 and headers at once, then one byte every 0.5 s: each read
                # is quick, the whole answer takes 30 s.
                for byte in data.ljust(60):
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(0.5)
            else:
                self.wfile.write(data)
        except OSError:  # the client gave up waiting
            pass

    def log_message(self, *args):
        pass


def _signature_verifies(query, secret):
    try:
        timestamp = query["timestamp"][0]
        sign = query["sign"][0]
    except (KeyError, IndexError):
        return False
    digest = hmac.new(
        secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256
    ).digest()
    fresh = abs(time.time() * 1000 - int(timestamp)) < 3600_000
    return fresh and hmac.compare_digest(sign, base64.b64encode(digest).decode())


class Robot:
    """A running robot server; ``url`` is its webhook address."""

    def __init__(self):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), RobotHandler)
        self.server.daemon_threads = True
        self.server.mode = "ok"
        self.server.secret = ""
        self.server.received = []
        port = self.server.server_port
        self.url = f"http://127.0.0.1:{port}/robot/send?access_token=k"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def received(self):
        return self.server.received

    def contents(self):
        return [r["payload"]["text"]["content"] for r in self.received]

    def answer(self, mode):
        self.server.mode = mode

    def require_signature(self, secret):
        self.server.secret = secret

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
