#!/usr/bin/env python3
"""A consumer of fs:{S}:events (FlashSale Redis schema 2), with redis-py.

Each stream entry is one event type for one or more orders (docs/redis-schema.md):
fields `type`, `at`, `currency`, then one field per order: order id -> "<sku> <user>
<qty> <amount>" plus what the type adds (payment_unmatched: the order's status;
fulfilled: carrier and tracking). This prints one line per (event, order):

    <type> <delivery id> <sku> <user> <qty> <amount> <currency> [extra...]

where the delivery id `<sale>:<entry id>:<order id>` is stable (the relay's webhook-id).

    python3 examples/events_consumer.py --sale s1 [--url redis://127.0.0.1:6379/0]
        [--group fulfil] [--consumer c1] [--once]

--once reads what the group has not seen yet and exits (tests use it).
"""
import argparse

import redis

HEADER = {"type", "at", "currency"}


def orders_of(fields):
    """(order id, tokens) of one entry; a lease_reaped entry carries no orders."""
    if fields.get("type") == "lease_reaped":
        return []
    return [(key, value.split(" ")) for key, value in fields.items() if key not in HEADER]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--sale", required=True)
    parser.add_argument("--group", default="fulfil")
    parser.add_argument("--consumer", default="c1")
    parser.add_argument("--once", action="store_true")
    args = parser.parse_args()

    r = redis.Redis.from_url(args.url, decode_responses=True)
    if r.get("fs:schema") != "2":
        raise SystemExit("fs:schema is not 2: this consumer reads schema 2 entries")
    stream = "fs:{%s}:events" % args.sale
    try:
        r.xgroup_create(stream, args.group, id="0", mkstream=True)
    except redis.ResponseError as error:
        if "BUSYGROUP" not in str(error):
            raise
    while True:
        replies = r.xreadgroup(args.group, args.consumer, {stream: ">"}, count=100, block=None if args.once else 5000)
        if not replies and args.once:
            return
        for _, entries in replies or []:
            for entry_id, fields in entries:
                for order_id, tokens in orders_of(fields):
                    sku, user, qty, amount, *extra = tokens
                    line = [fields["type"], "%s:%s:%s" % (args.sale, entry_id, order_id), sku, user,
                            str(int(qty)), str(int(amount)), fields["currency"]] + extra
                    print(" ".join(line), flush=True)
                r.xack(stream, args.group, entry_id)


if __name__ == "__main__":
    main()
