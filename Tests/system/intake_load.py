"""Shared by the kill -9 drivers (crash_intake.py, backup_drill.py): wait for /readyz, and send referrals until
told to stop, calling on_ack(reference) for every 201."""
import json, time, urllib.request

def wait_ready(url, tries=200):
    for _ in range(tries):
        try:
            urllib.request.urlopen(url + "/readyz", timeout=1).read()
            return True
        except Exception:
            time.sleep(0.05)
    return False

def send_referrals(url, body, stop, on_ack):
    while not stop.is_set():
        req = urllib.request.Request(url + "/api/v1/referrals", data=body, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=5) as r:
                if r.status == 201:
                    on_ack(json.loads(r.read())["reference"])
        except Exception:
            pass  # refused or cut off by the kill: not acknowledged, so nothing is owed
