#!/usr/bin/env python3
"""Writes the seed corpora (corpus/<harness>/) and checks the dictionaries exist.
Run from Fuzz/: python3 make-seeds.py. The seeds are committed; this script
says where they come from (HTTP: the shapes of Tests/FlashSaleHTTPTests'
corpus; JWT: tokens signed with the harness's secret)."""
import base64, hashlib, hmac, json, os

def write(harness, name, data):
    d = os.path.join("corpus", harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())

P = "POST /v1/sales/s1/purchases HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
http = {
    "purchase": P + 'Content-Length: 20\r\n\r\n{"sku":"s1","qty":1}',
    "chunked": P + "Transfer-Encoding: chunked\r\n\r\n3;x=y\r\n{\"s\r\n2\r\n\"}\r\n0\r\nT: v\r\n\r\n",
    "pipelined": "PUT /v1/sales/a?x=1 HTTP/1.1\r\nHost: a:80\r\n\r\n" * 3,
    "http10": "PUT /v1/sales/a HTTP/1.0\r\nConnection: keep-alive\r\n\r\nPUT /v1/sales/b HTTP/1.0\r\n\r\n",
    "expect": P + "Content-Length: 2\r\nExpect: 100-continue\r\n\r\n{}",
    "absolute": "POST http://h.example:8080/echo HTTP/1.1\r\nHost: [::1]:80\r\nContent-Length: 0\r\n\r\n",
    "smuggle-crlf": P + 'Transfer-Encoding: chunked\r\n\r\n14\r\n{"sku":"s1","qty":1}XX0\r\n\r\nPOST /echo HTTP/1.1\r\nHost: a\r\n\r\n',
    "cl-te": P + "Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG",
    "te-te": P + "Transfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n\r\n0\r\n\r\n",
    "obs-fold": "PUT /v1/sales/a HTTP/1.1\r\nHost: t\r\nX: a\r\n b\r\n\r\n",
    "pri": "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
    "options": "OPTIONS * HTTP/1.1\r\nHost: t\r\n\r\n",
    "upgrade": "PUT /v1/sales/a HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n",
    "bad-host": "PUT /v1/sales/a HTTP/1.1\r\nHost: a@b\r\n\r\n",
    "empty-lines": "\r\n\r\nPUT /v1/sales/a HTTP/1.1\r\nHost: t\r\n\r\n",
    # Found by the fuzzer: a HEAD answer (404) has a Content-Length and no body.
    "head-chunked-404": "HEAD /sales/s1/purchases HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n3;x=y\r\n{\"s\r\n2\r\n\"}\r\n0\r\nT: v\r\n\r\n",
}
for name, text in http.items():
    write("http-request", name, text)
    write("http-split", name, b"\x40\xc0" + text.encode())

purchase = ['{"sku":"s1","qty":1}', '{"sku":"SKU-1.a_b"}', '{ "qty" : 2 , "sku" : "x" }', '{"sku":"s1","qty":1000000}',
            '{"sku":"s1","qty":1.0}', '{"sku":"s\\u0031"}', '{"sku":"s1","sku":"s2"}', '{}', '[]', '{"sku":"' + 'a' * 64 + '"}']
for i, t in enumerate(purchase):
    write("purchase-body", f"seed{i}", t)

sale = {"starts_at": "2026-06-01T12:00:00Z", "ends_at": "2026-06-01T13:00:00.250+02:00", "per_user_limit": 2,
        "reservation_ttl_seconds": 600, "items": [{"sku": "s1", "stock": 10}, {"sku": "s2", "stock": 0}]}
write("sale-body", "seed0", json.dumps(sale))
write("sale-body", "seed1", json.dumps(sale, separators=(",", ":")))
write("sale-body", "seed2", '{"starts_at":"1970-01-01T00:00:00Z","ends_at":"9999-12-31T23:59:59.999Z","items":[{"sku":"a","stock":1}]}')
write("sale-body", "seed3", '{"items":[]}')

secret = b"fuzz-secret-0123456789abcdef0123"
def b64(b): return base64.urlsafe_b64encode(b).rstrip(b"=")
def token(header, claims):
    signing = b64(json.dumps(header, separators=(",", ":")).encode()) + b"." + b64(json.dumps(claims, separators=(",", ":")).encode())
    return signing + b"." + b64(hmac.new(secret, signing, hashlib.sha256).digest())
hs = {"alg": "HS256", "typ": "JWT"}
write("jwt", "valid", token(hs, {"sub": "user-1", "exp": 1900000000}))
write("jwt", "valid-nbf", token(hs, {"sub": "u", "exp": 1900000000, "nbf": 1700000000, "iat": 1700000000}))
write("jwt", "expired", token(hs, {"sub": "u", "exp": 1700000000}))
write("jwt", "alg-none", b64(b'{"alg":"none"}') + b"." + b64(b'{"sub":"u","exp":1900000000}') + b".")
write("jwt", "bearer", b"Bearer " + token(hs, {"sub": "user-2", "exp": 1900000000}))

for i, t in enumerate(["2026-06-01T12:00:00Z", "2026-06-01t12:00:00.123456+05:30", "1970-01-01 00:00:00z", "9999-12-31T23:59:59.999Z",
                       "2024-02-29T23:59:60-00:00", "0000-01-01T00:00:00+01:00", "1969-12-31T23:59:59Z"]):
    write("rfc3339", f"seed{i}", t)

# PROXY protocol headers (HAProxy's proxy-protocol.txt), each followed by a request;
# the first two bytes pick the harness's cut points.
sig = b"\r\n\r\n\x00\r\nQUIT\n"
v4 = bytes([192, 0, 2, 1, 198, 51, 100, 2, 0xDC, 0x04, 0x01, 0xBB])
v6 = bytes([0x20, 0x01, 0x0D, 0xB8] + [0] * 11 + [7] + [0x20, 0x01, 0x0D, 0xB8] + [0] * 11 + [8] + [0, 80, 1, 187])
def v2(cmd, fam, payload): return sig + bytes([0x20 | cmd, fam, len(payload) >> 8, len(payload) & 0xFF]) + payload
proxy = {
    "v1-tcp4": b"PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r\n",
    "v1-tcp6": b"PROXY TCP6 2001:db8::7 2001:db8::8 1 65535\r\n",
    "v1-unknown": b"PROXY UNKNOWN\r\n",
    "v2-ipv4": v2(1, 0x11, v4),
    "v2-ipv6": v2(1, 0x21, v6),
    "v2-tlvs": v2(1, 0x11, v4 + bytes([0x04, 0, 3, 1, 2, 3, 0x05, 0, 1, 9])),
    "v2-local": v2(0, 0x00, b""),
    "v2-unix": v2(1, 0x31, b"A" * 216),
    "plain-http": b"",
}
for name, header in proxy.items():
    write("proxy-header", name, b"\x40\xc0" + header + b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")

for harness in ["http-request", "http-split", "purchase-body", "sale-body", "jwt", "rfc3339", "proxy-header"]:
    assert os.path.exists(os.path.join("dict", harness + ".dict")), harness
