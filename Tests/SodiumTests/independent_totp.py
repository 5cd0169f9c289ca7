#!/usr/bin/env python3
"""Independent reference for the TOTP known-answer tests (Python standard library only).

Usage: independent_totp.py [--digits N] [--period S] SECRET_OR_URI TIME...
SECRET_OR_URI is a base32 secret, or an otpauth:// URI whose secret, digits, period and algorithm
are used instead (so the Swift URI and base32 encoder are checked too). Prints one code per TIME
(Unix seconds), one per line. The Swift tests compare them with their own.
"""
import argparse, base64, hashlib, hmac, struct, sys
from urllib.parse import parse_qs, urlsplit

p = argparse.ArgumentParser()
p.add_argument("--digits", type=int, default=6)
p.add_argument("--period", type=int, default=30)
p.add_argument("source")
p.add_argument("times", nargs="*", type=int)
args = p.parse_args()

secret, digits, period = args.source, args.digits, args.period
if secret.startswith("otpauth://"):
    uri = urlsplit(secret)
    if uri.netloc != "totp":
        sys.exit("not a totp URI")
    query = {k: v[0] for k, v in parse_qs(uri.query, strict_parsing=True).items()}
    if query.get("algorithm", "SHA1") != "SHA1":
        sys.exit("algorithm is not SHA1")
    secret = query["secret"]
    digits = int(query.get("digits", 6))
    period = int(query.get("period", 30))

key = base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)
for t in args.times:
    mac = hmac.new(key, struct.pack(">Q", t // period), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    binary = struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF
    print(str(binary % 10 ** digits).zfill(digits))
