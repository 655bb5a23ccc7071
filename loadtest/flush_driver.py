#!/usr/bin/env python3
"""Group-commit flush throughput driver (standard library only).

Drives FlashSaleScripts.flush (the Lua source is read from the Swift file, so the
measured script is exactly the shipped one) with batches of B orders, D calls in
flight on one connection, and prints one line:

    batch=B depth=D orders=N seconds=S orders_per_s=R redis_cpu_us_per_order=U calls=C ok=K

Usage: flush_driver.py PORT BATCH [--orders N] [--depth D] [--idem] [--repo DIR]
The sale `bench` (SKU `a`, stock 1e9, per_user_limit 1) is created with the shipped
upsert script, the worker `bench/0` leases the whole pool, then every order (a fresh
user each, like redis-benchmark's random users) is flushed; afterwards the audit
script must report conservation and every order must be `ok`.
"""
import argparse, os, re, socket, sys, time

NOW = 1_700_000_000_000


def script_source(repo, name):
    """The Lua of `RedisScript(name: "<name>", source: #\"\"\" … \"\"\"#)` in the Swift sources."""
    folder = os.path.join(repo, "Sources/FlashSaleRedis/Scripts")
    pattern = re.compile(r'RedisScript\(name: "%s", source: #"""\n(.*?)\n( *)"""#' % re.escape(name), re.S)
    for file in sorted(os.listdir(folder)):
        text = open(os.path.join(folder, file)).read()
        m = pattern.search(text)
        if m:
            indent = len(m.group(2))
            return "\n".join(line[indent:] for line in m.group(1).split("\n")) + "\n"
    sys.exit(f"script {name} not found in {folder}")


def command(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        b = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(b), b))
    return b"".join(out)


class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port))
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()
        self.pos = 0

    def send(self, data):
        self.s.sendall(data)

    def _line(self):
        while True:
            i = self.buf.find(b"\r\n", self.pos)
            if i >= 0:
                line = bytes(self.buf[self.pos:i])
                self.pos = i + 2
                return line
            self._fill()

    def _fill(self):
        if self.pos > 1 << 20:
            del self.buf[:self.pos]
            self.pos = 0
        chunk = self.s.recv(1 << 20)
        if not chunk:
            raise EOFError("connection closed")
        self.buf += chunk

    def reply(self):
        line = self._line()
        t, rest = line[:1], line[1:]
        if t == b"+":
            return rest.decode()
        if t == b"-":
            raise RuntimeError(rest.decode())
        if t == b":":
            return int(rest)
        if t == b"$":
            n = int(rest)
            if n < 0:
                return None
            while len(self.buf) - self.pos < n + 2:
                self._fill()
            v = bytes(self.buf[self.pos:self.pos + n]).decode()
            self.pos += n + 2
            return v
        if t == b"*":
            n = int(rest)
            return None if n < 0 else [self.reply() for _ in range(n)]
        raise RuntimeError(f"bad reply {line!r}")

    def call(self, *args):
        self.send(command(*args))
        return self.reply()


def redis_cpu(conn):
    info = conn.call("INFO", "cpu")
    v = dict(l.split(":", 1) for l in info.split("\r\n") if ":" in l)
    return float(v["used_cpu_user"]) + float(v["used_cpu_sys"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("batch", type=int)
    ap.add_argument("--orders", type=int, default=400_000)
    ap.add_argument("--depth", type=int, default=4)
    ap.add_argument("--idem", action="store_true", help="every order carries an Idempotency-Key")
    ap.add_argument("--repo", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    o = ap.parse_args()

    conn = Conn(o.port)
    conn.call("FLUSHALL")
    sha = {n: conn.call("SCRIPT", "LOAD", script_source(o.repo, n)) for n in ("sale_upsert", "lease", "flush", "audit")}
    if os.environ.get("FLUSH_LUA"):  # experiments: measure a variant of the flush script
        sha["flush"] = conn.call("SCRIPT", "LOAD", open(os.environ["FLUSH_LUA"]).read())
    p = "fs:{bench}:"
    r = conn.call("EVALSHA", sha["sale_upsert"], 3, p + "sale", p + "pool:a", p + "counts:a",
                  "bench", NOW, NOW - 1000, NOW + 3_600_000, 1, 600, 1, "a", 1_000_000_000)
    assert r == ["created"], r
    r = conn.call("EVALSHA", sha["lease"], 2, p + "pool:a", p + "leases:a", "bench/0", 1_000_000_000)
    assert r[0] == 1_000_000_000, r

    # Pre-build every call so the driver's own cost stays out of the timing.
    calls, n = [], 0
    # Schema 2 layout (FlashSaleScripts.writeFlush): no key per order; per order id, sku
    # index, user, qty, idempotency field, expiry second, packed record, event value.
    keys = [p + "sale", p + "idem", p + "expiry", p + "events", p + "orders", p + "leases:a", p + "counts:a", p + "buyers:a"]
    expires = NOW + 600_000
    while n < o.orders:
        b = min(o.batch, o.orders - n)
        args = ["bench", "bench/0", 1, b, 1_000_000, NOW, "a"]
        for i in range(n, n + b):
            user, key = "u%d" % i, ("k%d" % i) if o.idem else ""
            field = "%d:%s:%s" % (len(user), user, key) if key else ""
            args += ["o%d" % i, 1, user, 1, field, expires // 1000,
                     "reserved a %s 1 0 %d %d 0 %s" % (user, NOW, expires, key), "a %s 1 0" % user]
        calls.append(command("EVALSHA", sha["flush"], len(keys), *keys, *args))
        n += b

    cpu0, t0 = redis_cpu(conn), time.perf_counter()
    sent = received = ok = 0
    while sent < min(o.depth, len(calls)):
        conn.send(calls[sent]); sent += 1
    while received < len(calls):
        rep = conn.reply(); received += 1
        if sent < len(calls):
            conn.send(calls[sent]); sent += 1
        ok += rep[0].count("o")
    t1 = time.perf_counter()
    cpu1 = redis_cpu(conn)

    audit = conn.call("EVALSHA", sha["audit"], 1, p + "sale", p)[0]
    total, pool, leased, reserved, paid = audit[1:6]
    conserved = total == pool + leased + reserved + paid and reserved == o.orders
    xlen = conn.call("XLEN", p + "events")
    secs = t1 - t0
    print(f"batch={o.batch} depth={o.depth} idem={int(o.idem)} orders={o.orders} seconds={secs:.3f} "
          f"orders_per_s={o.orders / secs:.0f} redis_cpu_us_per_order={(cpu1 - cpu0) / o.orders * 1e6:.2f} "
          f"calls={len(calls)} ok={ok} xlen={xlen} conserved={int(conserved)}")
    if ok != o.orders or not conserved:
        sys.exit("FAILED: not every order was recorded, or the counters do not add up")


if __name__ == "__main__":
    main()
