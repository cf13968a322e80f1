"""Group-chat robots (企业微信, 钉钉): what a post looks like for each vendor, its
length limit, 钉钉's 加签, and the POST itself under one deadline for the whole
exchange. No ORM: the outbox hands in the address, text and settings.

Vendor rules (their documentation):
- 企业微信: ``{"msgtype": "text", "text": {"content", "mentioned_mobile_list"}}``,
  content at most 2,048 bytes; errcode 45009 when the robot posted more than 20 in
  a minute.
- 钉钉: ``{"msgtype": "text", "text": {"content"}, "at": {"atMobiles"}}`` with each
  ``@mobile`` written into the content; content at most 20,000 bytes; with 加签 the
  address carries ``timestamp`` (ms) and ``sign`` = base64(HMAC-SHA256(secret,
  "timestamp\\nsecret")), URL-encoded; errcode 130101 when it sent too many.
"""

import base64
import hashlib
import hmac
import http.client
import json
import socket
import ssl
import threading
import time
import urllib.parse
from dataclasses import dataclass

WECOM = "wecom"
DINGTALK = "dingtalk"

# Bytes of text content each vendor accepts; the smaller one when the kind is not
# known.
MAX_BYTES = {WECOM: 2048, DINGTALK: 20000}
UNKNOWN_KIND_MAX_BYTES = 2048

# errcodes that mean "too many posts this minute": wait for the window.
RATE_LIMITED = {45009, 130101}

ELLIPSIS = "…"


class DeliveryError(Exception):
    """The post did not reach the group; ``code`` is the vendor's errcode or the
    HTTP status when there was one, ``answer`` what the robot said."""

    def __init__(self, message, *, code="", answer=""):
        super().__init__(message)
        self.code = str(code)
        self.answer = answer


class RateLimited(DeliveryError):
    """The robot refused for its per-minute limit: not a failure, a wait."""


class TimedOut(DeliveryError):
    """No whole answer within the deadline: the robot is slow or stuck."""


@dataclass(frozen=True)
class Answer:
    code: str
    text: str


def kind_of(url, chosen=""):
    """The vendor of a robot: the administrator's choice, else from its host."""
    if chosen:
        return chosen
    host = (urllib.parse.urlsplit(url).hostname or "").lower()
    if host == "qyapi.weixin.qq.com" or host.endswith(".qyapi.weixin.qq.com"):
        return WECOM
    if host.endswith("dingtalk.com"):
        return DINGTALK
    return ""


def fit(text, kind, link=""):
    """``text`` cut to what the robot of ``kind`` accepts, ending with "…" and the
    link to the obligation when it had to be cut (the link is what the reader
    needs to see the rest)."""
    limit = MAX_BYTES.get(kind, UNKNOWN_KIND_MAX_BYTES)
    data = text.encode()
    if len(data) <= limit:
        return text
    if link and text.endswith(link):
        data = text[: -len(link)].rstrip().encode()
    tail = ELLIPSIS + ("\n" + link if link else "")
    room = max(limit - len(tail.encode()), 0)
    return data[:room].decode(errors="ignore") + tail


def payload(text, kind, mobiles=()):
    """The JSON body of a text post; @mentions by mobile number as each vendor
    takes them."""
    mobiles = [m for m in mobiles if m]
    body = {"msgtype": "text", "text": {"content": text}}
    if mobiles and kind == DINGTALK:
        mentions = " ".join(f"@{m}" for m in mobiles)
        body["text"]["content"] = f"{text}\n{mentions}"
        body["at"] = {"atMobiles": mobiles, "isAtAll": False}
    elif mobiles:
        body["text"]["mentioned_mobile_list"] = mobiles
    return json.dumps(body, ensure_ascii=False).encode()


def signed_url(url, secret, *, now=None):
    """钉钉 加签: the address with ``timestamp`` and ``sign`` added."""
    timestamp = str(int((now if now is not None else time.time()) * 1000))
    digest = hmac.new(
        secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256
    ).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    separator = "&" if urllib.parse.urlsplit(url).query else "?"
    return f"{url}{separator}timestamp={timestamp}&sign={sign}"


def public_address(url):
    """The address without its query string, which holds the robot's key."""
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def post(url, body, *, deadline_seconds):
    """POST ``body`` to ``url`` and return the robot's ``Answer``; raises
    ``DeliveryError`` (or ``RateLimited``) otherwise.

    ``deadline_seconds`` bounds the whole exchange, not each read: a watchdog
    closes the socket when it is up, so a robot that answers one byte every two
    seconds is cut off like one that never answers.
    """
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DeliveryError("not an http(s) address")
    started = time.monotonic()
    connection_class = (
        http.client.HTTPSConnection
        if parts.scheme == "https"
        else http.client.HTTPConnection
    )
    extra = {"context": ssl.create_default_context()} if parts.scheme == "https" else {}
    connection = connection_class(
        parts.hostname, parts.port, timeout=deadline_seconds, **extra
    )
    expired = threading.Event()
    opened = []

    def cut_off():
        # The socket as connected: http.client drops ``connection.sock`` once the
        # headers say the connection will close, while the body is still read.
        expired.set()
        for sock in opened:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    watchdog = threading.Timer(deadline_seconds, cut_off)
    watchdog.daemon = True
    watchdog.start()
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    try:
        connection.connect()
        opened.append(connection.sock)
        if expired.is_set():  # the deadline passed while connecting
            raise OSError("deadline")
        connection.request(
            "POST",
            target,
            body=body,
            headers={"Content-Type": "application/json; charset=utf-8"},
        )
        response = connection.getresponse()
        status = response.status
        data = response.read(4096)
    except (OSError, http.client.HTTPException) as error:
        if expired.is_set() or time.monotonic() - started >= deadline_seconds:
            raise TimedOut(
                f"timed out: no whole answer within {deadline_seconds} s"
            ) from None
        raise DeliveryError(f"{type(error).__name__}: {error}") from None
    finally:
        watchdog.cancel()
        connection.close()
    if expired.is_set():
        raise TimedOut(f"timed out: no whole answer within {deadline_seconds} s")
    # The vendor's errcode and errmsg only: whatever else an address answers is
    # neither kept nor shown in the admin (a robot address could point anywhere).
    text = vendor_text(data)
    if status != 200:
        raise DeliveryError(f"HTTP {status}", code=status, answer=text)
    # Both robots answer 200 with {"errcode": 0} on success and a non-zero errcode
    # (a wrong key, a blocked keyword, too many posts) otherwise.
    try:
        errcode = int(json.loads(data).get("errcode", 0))
    except (ValueError, AttributeError, TypeError):
        errcode = 0
    if errcode in RATE_LIMITED:
        raise RateLimited(
            f"the robot is rate limited (errcode {errcode})", code=errcode, answer=text
        )
    if errcode:
        raise DeliveryError(
            f"the robot answered {text}",
            code=errcode,
            answer=text,
        )
    return Answer(code="0", text=text)


def vendor_text(data: bytes) -> str:
    """``errcode N: errmsg`` from a robot's JSON answer, printable and short; ""
    for anything else."""
    try:
        answer = json.loads(data)
    except ValueError:
        return ""
    if not isinstance(answer, dict) or "errcode" not in answer:
        return ""
    message = "".join(c for c in str(answer.get("errmsg", "")) if c.isprintable())
    return f"errcode {answer['errcode']}: {message[:120]}"
