#!/usr/bin/env python3
"""Independent reference for the Sodium wrapper's known-answer tests.

Reads a JSON request on stdin and answers with what PyNaCl (its own bundled libsodium) and Python's
hashlib (its own BLAKE2b) compute for the same inputs. The Swift tests compare byte for byte.
"""
import base64, hashlib, json, sys

import nacl.bindings as b
import nacl.pwhash
import nacl.public
import nacl.signing

def unb64(s): return base64.b64decode(s)
def b64(x): return base64.b64encode(x).decode()

req = json.load(sys.stdin)
out = {}

a = req["aead"]
out["aead"] = b64(unb64(a["nonce"]) + b.crypto_aead_xchacha20poly1305_ietf_encrypt(
    unb64(a["message"]), unb64(a["ad"]), unb64(a["nonce"]), unb64(a["key"])))

sk = nacl.signing.SigningKey(unb64(req["sign"]["seed"]))
out["sign_public_key"] = b64(bytes(sk.verify_key))
out["signature"] = b64(sk.sign(unb64(req["sign"]["message"])).signature)
try:
    sk.verify_key.verify(unb64(req["sign"]["message"]), unb64(req["sign"]["swift_signature"]))
    out["swift_signature_valid"] = True
except Exception:
    out["swift_signature_valid"] = False

h = req["hash"]
out["blake2b_keyed"] = b64(hashlib.blake2b(unb64(h["message"]), digest_size=32, key=unb64(h["key"])).digest())
out["blake2b_plain"] = b64(hashlib.blake2b(unb64(h["message"]), digest_size=32).digest())

# crypto_kdf_derive_from_key is BLAKE2b(key=master, salt=LE64(id)||0*8, person=context||0*8).
k = req["kdf"]
out["kdf"] = b64(hashlib.blake2b(b"", digest_size=k["length"], key=unb64(k["master"]),
                                 salt=k["id"].to_bytes(8, "little") + bytes(8),
                                 person=k["context"].encode() + bytes(8)).digest())

p = req["pwhash"]
out["pwhash_python"] = nacl.pwhash.argon2id.str(p["password"].encode(),
                                                opslimit=nacl.pwhash.argon2id.OPSLIMIT_MIN,
                                                memlimit=nacl.pwhash.argon2id.MEMLIMIT_MIN).decode()
def verifies(pw):
    try:
        return nacl.pwhash.argon2id.verify(p["swift_hash"].encode(), pw.encode())
    except Exception:
        return False
out["swift_hash_verifies"] = verifies(p["password"])
out["swift_hash_rejects_wrong"] = not verifies(p["password"] + "x")

s = req["sealed"]
box_sk = nacl.public.PrivateKey(unb64(s["python_secret_key"]))
out["box_public_key"] = b64(bytes(box_sk.public_key))
out["swift_sealed_opened"] = b64(nacl.public.SealedBox(box_sk).decrypt(unb64(s["swift_sealed"]))) if s.get("swift_sealed") else None
out["python_sealed"] = b64(nacl.public.SealedBox(nacl.public.PublicKey(unb64(s["swift_public_key"]))).encrypt(unb64(s["message"])))

json.dump(out, sys.stdout)
