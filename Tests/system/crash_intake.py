#!/usr/bin/env python3
"""Kill -9 the server repeatedly while referrals are being sent; afterwards every referral that was
answered 201 must be in the database. Usage: crash_intake.py BIN DATA_DIR KEY_DIR PORT ROUNDS
Prints one reference per acknowledged referral to stdout (the shell test checks them)."""
import json, os, random, signal, subprocess, sys, threading, time

from intake_load import send_referrals, wait_ready

bin_, data, keys, port, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
url = f"http://127.0.0.1:{port}"
body = json.dumps({"contact": {"preference": "portal"}, "council_area": "worcestershire", "referrer_role": "young_person",
                   "setting": "online", "harm": ["online_or_image_based"], "when": "under_1_year", "told_before": ["none"],
                   "wishes": ["emotional_support"], "consent": {"contact": True, "statistics": True}}).encode()
env = dict(os.environ, RECONCILE_LIMITS_INTAKE_PER_MINUTE="0", RECONCILE_SECURITY_PASSWORD_HASH_COST="minimum")
acknowledged, lock = [], threading.Lock()
random.seed(11)

def ready():
    return wait_ready(url)

def sender(stop):
    def ack(ref):
        with lock:
            acknowledged.append(ref)
    send_referrals(url, body, stop, ack)

for _ in range(rounds):
    server = subprocess.Popen([bin_, "serve", "--data-dir", data, "--key-dir", keys, "--host", "127.0.0.1", "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if not ready():
        server.kill(); sys.exit("server did not become ready")
    stop = threading.Event()
    threads = [threading.Thread(target=sender, args=(stop,)) for _ in range(8)]
    for t in threads: t.start()
    time.sleep(random.uniform(0.5, 1.5))
    server.send_signal(signal.SIGKILL)
    server.wait()
    stop.set()
    for t in threads: t.join()

for ref in acknowledged:
    print(ref)
