#!/usr/bin/env python3
"""Independent reference for SecretStream: PyNaCl's own libsodium opens a stream the Swift wrapper wrote, and
writes one for Swift to open. Request: {"key", "header", "chunks": [b64...], "ad", "messages": [b64...]}
(base64). Answer: {"opened": [b64...], "tags": [int...], "python_header", "python_chunks": [b64...]}."""
import base64, json, sys

import nacl.bindings as b

def unb64(s): return base64.b64decode(s)
def b64(x): return base64.b64encode(x).decode()

req = json.load(sys.stdin)
key, ad = unb64(req["key"]), unb64(req["ad"])
out = {"opened": [], "tags": []}

state = b.crypto_secretstream_xchacha20poly1305_state()
b.crypto_secretstream_xchacha20poly1305_init_pull(state, unb64(req["header"]), key)
for i, chunk in enumerate(req["chunks"]):
    message, tag = b.crypto_secretstream_xchacha20poly1305_pull(state, unb64(chunk), ad if i == 0 else None)
    out["opened"].append(b64(message))
    out["tags"].append(tag)
out["tag_final"] = b.crypto_secretstream_xchacha20poly1305_TAG_FINAL

state = b.crypto_secretstream_xchacha20poly1305_state()
out["python_header"] = b64(b.crypto_secretstream_xchacha20poly1305_init_push(state, key))
messages = [unb64(m) for m in req["messages"]]
out["python_chunks"] = [
    b64(b.crypto_secretstream_xchacha20poly1305_push(
        state, m, ad if i == 0 else None,
        b.crypto_secretstream_xchacha20poly1305_TAG_FINAL if i == len(messages) - 1
        else b.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE))
    for i, m in enumerate(messages)]
json.dump(out, sys.stdout)
