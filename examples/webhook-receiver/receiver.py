#!/usr/bin/env python3
"""A FlashSale webhook receiver (Python 3 standard library only) to copy and adapt.

It verifies every delivery the Standard Webhooks way, dedupes on webhook-id, and
answers 204. Replace handle_event() with your own work (record the payment, ship…).

    WEBHOOK_SECRETS="whsec_... whsec_..." python3 receiver.py --port 9000 [--log deliveries.jsonl]

- Secrets: WEBHOOK_SECRETS (space-separated; several while you rotate) or --secret
  (repeatable). Each is whsec_<base64>; the key is the base64-decoded bytes.
- Signature: webhook-signature holds one or more "v1,<base64>" separated by spaces;
  each is HMAC-SHA256(key, "<webhook-id>.<webhook-timestamp>.<raw body>"). The
  delivery is accepted when any signature matches any secret (constant-time compare).
- Timestamp: webhook-timestamp (Unix seconds) must be within --tolerance seconds
  (default 300) of now, so an old delivery cannot be replayed.
- Dedupe: the relay delivers at least once and keeps webhook-id on every redelivery;
  an id already processed is answered 204 again without processing it twice. Here the
  seen ids live in memory (bounded); keep them in your database in production, in the
  same transaction as the work.
- Answer 2xx only once the work is durably done: anything else is retried.
"""

import argparse
import base64
import collections
import hashlib
import hmac
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BODY = 1 << 20


def parse_secret(text):
    """The key bytes of a whsec_<base64> secret."""
    if not text.startswith("whsec_"):
        raise ValueError("a secret must start with whsec_")
    key = base64.b64decode(text[len("whsec_"):], validate=True)
    if len(key) < 24:
        raise ValueError("a secret must decode to at least 24 bytes")
    return key


def verify(keys, webhook_id, timestamp, signature_header, body, tolerance, now=None):
    """None when the delivery is authentic, else the reason it is not."""
    if not webhook_id or not timestamp or not signature_header:
        return "missing webhook-id, webhook-timestamp or webhook-signature"
    try:
        sent = int(timestamp)
    except ValueError:
        return "webhook-timestamp is not an integer"
    now = time.time() if now is None else now
    if abs(now - sent) > tolerance:
        return "webhook-timestamp is outside the tolerance"
    content = webhook_id.encode() + b"." + timestamp.encode() + b"." + body
    expected = [base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()) for key in keys]
    for signature in signature_header.split(" "):
        version, _, value = signature.partition(",")
        if version != "v1":
            continue  # other schemes (e.g. v1a) are not ours
        for candidate in expected:
            if hmac.compare_digest(candidate, value.encode()):
                return None
    return "no signature matches"


class SeenIDs:
    """The last `capacity` webhook ids processed (thread-safe)."""

    def __init__(self, capacity=100000):
        self.capacity = capacity
        self.ids = collections.OrderedDict()
        self.lock = threading.Lock()

    def first_time(self, webhook_id):
        with self.lock:
            if webhook_id in self.ids:
                return False
            self.ids[webhook_id] = True
            if len(self.ids) > self.capacity:
                self.ids.popitem(last=False)
            return True


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: the relay reuses its connections
    keys = []
    tolerance = 300
    seen = SeenIDs()
    log_file = None
    log_lock = threading.Lock()

    def handle_event(self, event):
        """Your work goes here. `event` is the parsed body: type, timestamp, data."""

    def record(self, entry):
        if self.log_file is None:
            return
        with self.log_lock:
            self.log_file.write(json.dumps(entry) + "\n")
            self.log_file.flush()

    def answer(self, status, text=b""):
        self.send_response(status)
        self.send_header("Content-Length", str(len(text)))
        self.end_headers()
        if text:
            self.wfile.write(text)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self.close_connection = True
            return self.answer(413)
        body = self.rfile.read(length)
        webhook_id = self.headers.get("webhook-id", "")
        timestamp = self.headers.get("webhook-timestamp", "")
        problem = verify(self.keys, webhook_id, timestamp, self.headers.get("webhook-signature", ""), body, self.tolerance)
        if problem:
            self.record({"id": webhook_id, "rejected": problem})
            return self.answer(401, problem.encode())
        event = json.loads(body)
        first = self.seen.first_time(webhook_id)
        if first:
            self.handle_event(event)
        self.record({"id": webhook_id, "timestamp": int(timestamp), "duplicate": not first, "event": event,
                     "signatures": len(self.headers.get("webhook-signature", "").split(" "))})
        self.answer(204)

    def log_message(self, format, *args):
        pass  # one line per request is too many; log your own work instead


def serve(handler, argv=None):
    parser = argparse.ArgumentParser(description="FlashSale webhook receiver")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9000)
    parser.add_argument("--secret", action="append", default=[], help="whsec_<base64> (repeatable)")
    parser.add_argument("--tolerance", type=int, default=300, help="seconds of clock difference accepted")
    parser.add_argument("--log", help="append one JSON line per delivery to this file")
    args = parser.parse_args(argv)
    secrets = args.secret or os.environ.get("WEBHOOK_SECRETS", "").split()
    if not secrets:
        sys.exit("give --secret or WEBHOOK_SECRETS")
    handler.keys = [parse_secret(s) for s in secrets]
    handler.tolerance = args.tolerance
    if args.log:
        handler.log_file = open(args.log, "a", encoding="utf-8")
    server = ThreadingHTTPServer((args.host, args.port), handler)
    server.daemon_threads = True
    print(f"listening on http://{args.host}:{server.server_address[1]}/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    serve(Handler)
