#!/usr/bin/env python3
"""Independent check of a released report's signature, with PyNaCl (its own bundled libsodium).

    verify_signature.py REPORT_FILE SIGNATURE_FILE PUBLIC_KEY_BASE64

REPORT_FILE holds the report's exact bytes; SIGNATURE_FILE the detached Ed25519 signature, base64 (surrounding
white space allowed). Prints "ok" and exits 0 when the signature is valid, prints "signature does not match"
and exits 1 when it is not, and exits 2 on bad input.
"""
import base64
import binascii
import sys

import nacl.exceptions
import nacl.signing


def main(argv):
    if len(argv) != 4:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    with open(argv[1], "rb") as f:
        document = f.read()
    with open(argv[2], "rb") as f:
        signature_text = f.read().strip()
    try:
        signature = base64.b64decode(signature_text, validate=True)
        public_key = base64.b64decode(argv[3].strip(), validate=True)
        key = nacl.signing.VerifyKey(public_key)
    except (binascii.Error, ValueError, nacl.exceptions.CryptoError):
        print("signature does not match")
        return 1
    try:
        key.verify(document, signature)
    except (nacl.exceptions.BadSignatureError, ValueError):
        print("signature does not match")
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
