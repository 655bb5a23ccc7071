#!/usr/bin/env python3
"""The id of a keyed order in a schema-3 sale, computed outside the engine
(docs/redis-schema.md, "Order ids"): for reconciliation, a payment or support tool that
knows the buyer and the Idempotency-Key finds the order without asking the engine.

  derived_order_id.py SALT USER KEY      # SALT: the sale's id_salt (HGET fs:{S}:sale id_salt)

Prints the 26-character order id; then `HGET fs:{S}:orders <id>` is the order's record.
Python's standard library only (SipHash-2-4-128 written out from its specification).
"""
import sys

MASK = (1 << 64) - 1
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32


def _rotl(x, b):
    return ((x << b) | (x >> (64 - b))) & MASK


def siphash24_128(k0, k1, data):
    """SipHash-2-4 with 128-bit output: (first, second) 64-bit words of the digest."""
    v = [k0 ^ 0x736F6D6570736575, k1 ^ 0x646F72616E646F6D ^ 0xEE, k0 ^ 0x6C7967656E657261, k1 ^ 0x7465646279746573]

    def sip_round():
        v[0] = (v[0] + v[1]) & MASK; v[1] = _rotl(v[1], 13) ^ v[0]; v[0] = _rotl(v[0], 32)
        v[2] = (v[2] + v[3]) & MASK; v[3] = _rotl(v[3], 16) ^ v[2]
        v[0] = (v[0] + v[3]) & MASK; v[3] = _rotl(v[3], 21) ^ v[0]
        v[2] = (v[2] + v[1]) & MASK; v[1] = _rotl(v[1], 17) ^ v[2]; v[2] = _rotl(v[2], 32)

    def absorb(m):
        v[3] ^= m
        sip_round()
        sip_round()
        v[0] ^= m

    whole = len(data) - len(data) % 8
    for i in range(0, whole, 8):
        absorb(int.from_bytes(data[i:i + 8], "little"))
    absorb(int.from_bytes(data[whole:], "little") | (len(data) & 0xFF) << 56)
    v[2] ^= 0xEE
    for _ in range(4):
        sip_round()
    first = v[0] ^ v[1] ^ v[2] ^ v[3]
    v[1] ^= 0xDD
    for _ in range(4):
        sip_round()
    return first, v[0] ^ v[1] ^ v[2] ^ v[3]


def derived_order_id(salt_hex, user, key):
    """The order id for (user, key) under a sale's id_salt (32 hex digits)."""
    if len(salt_hex) != 32:
        raise ValueError("id_salt must be 32 hex digits")
    k0, k1 = int(salt_hex[:16], 16), int(salt_hex[16:], 16)
    u = user.encode()
    high, low = siphash24_128(k0, k1, len(u).to_bytes(8, "little") + u + key.encode())
    value = high << 64 | low
    return "".join(ALPHABET[(value >> (5 * (25 - i))) & 31] for i in range(26))


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    print(derived_order_id(sys.argv[1], sys.argv[2], sys.argv[3]))
