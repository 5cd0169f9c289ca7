#!/usr/bin/env python3
"""The load half of the restore drill: serve ships backups every INTERVAL s while 8 senders make referrals for
SECONDS s; midway /readyz and /metrics are saved; then the server is killed with SIGKILL.
Usage: backup_drill.py BIN DATA_DIR KEY_DIR TARGET PORT INTERVAL SECONDS OUT_DIR
Writes OUT_DIR/acked ("<epoch seconds> <reference>" per 201), OUT_DIR/kill (epoch seconds), OUT_DIR/readyz,
OUT_DIR/metrics and OUT_DIR/serve.log."""
import atexit, json, os, signal, subprocess, sys, threading, time, urllib.request

from intake_load import send_referrals, wait_ready

bin_, data, keys, target, port, interval, seconds, out = sys.argv[1:9]
port, seconds = int(port), float(seconds)
url = f"http://127.0.0.1:{port}"
body = json.dumps({"contact": {"preference": "portal"}, "council_area": "herefordshire", "referrer_role": "parent_or_carer",
                   "setting": "secondary", "harm": ["sexual_harassment"], "when": "under_1_year", "told_before": ["school"],
                   "wishes": ["to_be_listened_to"], "consent": {"contact": True, "statistics": True}}).encode()
env = dict(os.environ, RECONCILE_LIMITS_INTAKE_PER_MINUTE="0", RECONCILE_SECURITY_PASSWORD_HASH_COST="minimum",
           RECONCILE_BACKUP_TARGET_DIR=target, RECONCILE_BACKUP_INTERVAL_SECONDS=interval)
acknowledged, lock = [], threading.Lock()

def get(path):
    # /metrics answers only with its token (RECONCILE_METRICS_TOKEN, which the server reads too).
    headers = {"Authorization": "Bearer " + os.environ["RECONCILE_METRICS_TOKEN"]} if "RECONCILE_METRICS_TOKEN" in os.environ else {}
    with urllib.request.urlopen(urllib.request.Request(url + path, headers=headers), timeout=5) as r:
        return r.read().decode()

def sender(stop):
    def ack(ref):
        with lock:
            acknowledged.append((time.time(), ref))
    send_referrals(url, body, stop, ack)

log = open(os.path.join(out, "serve.log"), "w")
server = subprocess.Popen([bin_, "serve", "--data-dir", data, "--key-dir", keys, "--host", "127.0.0.1", "--port", str(port)],
                          env=env, stdout=log, stderr=subprocess.STDOUT)
atexit.register(lambda: server.poll() is None and server.kill())   # a failed driver leaves no server behind
if not wait_ready(url, tries=300):
    server.kill(); sys.exit("server did not become ready")
stop = threading.Event()
threads = [threading.Thread(target=sender, args=(stop,), daemon=True) for _ in range(8)]  # never outlive a failed driver
for t in threads: t.start()
time.sleep(seconds / 2)
open(os.path.join(out, "readyz"), "w").write(get("/readyz"))
open(os.path.join(out, "metrics"), "w").write(get("/metrics"))
time.sleep(seconds / 2)
killed = time.time()
server.send_signal(signal.SIGKILL)
server.wait()
stop.set()
for t in threads: t.join()
open(os.path.join(out, "kill"), "w").write(f"{killed:.3f}\n")
with open(os.path.join(out, "acked"), "w") as f:
    for at, ref in acknowledged:
        f.write(f"{at:.3f} {ref}\n")
