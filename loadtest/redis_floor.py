#!/usr/bin/env python3
"""Redis CPU and memory per order of a flush-shaped script, driven straight from a client
(no engine): the measurements behind loadtest/redis-floor.sh.

  redis_floor.py PORT VARIANT BATCH ORDERS [--repo DIR]

VARIANT: flush (the engine's flush script, schema 3: keyed orders with derived ids),
flush-v2 (the same script as a schema-2 sale drives it: idempotency entries and keys in
the records), store-only and store-only-compact (loadtest/redis-floor/*.lua: storing
without any check), argv-only (the flush's arguments and nothing else). Every order is a
new buyer with an Idempotency-Key, as in loadtest/redis-cost.sh. Prints one line:
variant, batch, orders, Redis CPU µs per order (INFO cpu), Redis memory B per order
(INFO memory).
"""
import argparse, os, random, sys, time
import redis

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from flush_driver import script_source  # noqa: E402  (the shipped Lua, read from the Swift source)
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def text_id(value):
    return "".join(ALPHABET[(value >> (5 * (25 - i))) & 31] for i in range(26))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("variant")
    ap.add_argument("batch", type=int)
    ap.add_argument("orders", type=int)
    ap.add_argument("--repo", default=os.path.dirname(HERE))
    o = ap.parse_args()
    r = redis.Redis(port=o.port)
    r.flushall()
    sale = "floor"
    p = "fs:{%s}:" % sale
    r.hset(p + "sale", mapping={"per_user_limit": 1, "currency": "XXX"})
    r.hset(p + "leases:s1", "w1", 10 ** 12)
    keys = [p + "sale", p + "idem", p + "expiry", p + "events", p + "orders", p + "leases:s1", p + "counts:s1", p + "buyers:s1"]
    if o.variant in ("flush", "flush-v2"):
        source = script_source(o.repo, "flush")
    elif o.variant == "argv-only":
        source = "redis.call('HINCRBY', KEYS[7], 'reserved', tonumber(ARGV[4]))\nreturn {'', {}, {}}"
    else:
        source = open(os.path.join(HERE, "redis-floor", o.variant + ".lua")).read()
    sha = r.script_load(source)
    tag = "%06x" % random.randrange(1 << 24)
    now = int(time.time() * 1000)
    base = now << 80 | random.randrange(1 << 32) << 48  # a generated id: time, instance, worker 0
    salted = random.Random(tag)
    calls, n = [], 0
    for _ in range(o.orders // o.batch):
        per = []
        for _ in range(o.batch):
            n += 1
            user = "c%s-%d" % (tag, n)
            key = "k-" + user
            rec = "reserved s1 %s 1 0 %d %d 0" % (user, now, now + 600000)
            if o.variant == "flush-v2":
                oid, field, rec = text_id(base + n), "%d:%s:%s" % (len(user), user, key), rec + " " + key
            elif o.variant == "store-only-compact":
                oid, field = text_id(base + n), ""
            else:
                oid, field = text_id(salted.getrandbits(128)), ""  # derived: random-looking
            per.append((oid, user, field, rec, "s1 %s 1 0" % user))
        if o.variant == "store-only-compact":
            argv = [o.batch, "\n".join("%s %s" % (x[0], x[4]) for x in per), " ".join(x[0] for x in per)]
            for oid, user, _, rec, _ in per:
                argv += [oid, user, rec]
        else:
            argv = [sale, "w1", 1, o.batch, 1000000, now, "s1"]
            for oid, user, field, rec, ev in per:
                argv += [oid, 1, user, 1, field, (now + 600000) // 1000, rec, ev]
        calls.append(argv)

    def cpu():
        i = r.info("cpu")
        return i["used_cpu_user"] + i["used_cpu_sys"]

    m0, c0 = r.info("memory")["used_memory"], cpu()
    for argv in calls:
        reply = r.evalsha(sha, len(keys), *keys, *argv)
        if o.variant in ("flush", "flush-v2") and set(reply[0].decode()) != {"o"}:
            sys.exit("flush refused orders: %r" % reply[0][:40])
    c1, m1 = cpu(), r.info("memory")["used_memory"]
    done = len(calls) * o.batch
    print("%s\t%d\t%d\t%.2f\t%.0f" % (o.variant, o.batch, done, (c1 - c0) / done * 1e6, (m1 - m0) / done))


if __name__ == "__main__":
    main()
