#!/usr/bin/env python3
"""A stateful fuzzer against the running binary, from outside.

Signs in as every role (lead, two practitioners, admin, council officer) with TOTP, makes referrals (the family's
form and staff entry) and portal sessions, then runs random sequences of every case action, portal action,
release, theme, complaint, offer round, records check, link, assignment, hold, reopen and erasure on real ids,
with valid, nearly valid and hostile bodies, and some HTML forms with their CSRF tokens. After every request the
process must be alive and nothing may answer 5xx (a 503 `busy` with Retry-After is the bounded queue and
allowed); `/readyz` must be 200 every few requests. The seed is printed first, so `--seed` replays a run.

  stateful_driver.py --bin BIN --data-dir D --key-dir K --accounts FILE --server-log LOG [--seconds S] [--seed N]
                     [--keep-going] [--journal FILE]

CI mode stops at the first failure and prints the last requests. `--keep-going` restarts the server after a
crash and records each distinct finding (the fatal error line from the server log), for exploration.
Exit 0: no finding; 1: findings; 2: the run could not start.
"""
import argparse
import json
import os
import random
import subprocess
import sys
import threading
import time
import uuid
from urllib.parse import quote, urlencode

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stateful_bodies import AREAS, NASTY, NEEDS, STAGES, Bodies  # noqa: E402
from stateful_client import Client, Failure, Server, template  # noqa: E402
from stateful_desk import DeskSteps  # noqa: E402
from stateful_pages import csrf_cookie, fill, forms_of  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
TOTP = os.path.join(HERE, "..", "SodiumTests", "independent_totp.py")
CASE_ACTIONS = ["assign", "acknowledge", "listening-sessions", "assessment", "signposts", "signpost-outcome",
                "safeguarding", "safeguarding-outcome", "messages", "appointments", "appointment-update", "close", "safeguarding-hold",
                "reopen", "themes",
                "evidential-hold"]


def cookie_value(headers, name):
    for k, v in headers:
        if k.lower() == "set-cookie" and v.startswith(name + "="):
            return v.split(";", 1)[0].split("=", 1)[1]
    return None


class Fuzzer(DeskSteps):
    def __init__(self, args, rng):
        self.args, self.r = args, rng
        self.bodies = Bodies(rng)
        self.server = Server(args.bin, args.data_dir, args.key_dir, args.server_log)
        self.client = Client(self.server, args.journal, readyz_every=args.readyz_every)
        self.staff = {}  # label -> {role, email, password, uri, token, cookie, csrf, last_step}
        for line in open(args.accounts):
            if line.strip():
                label, role, email, password, uri = line.rstrip("\n").split("\t")
                self.staff[label] = {"role": role, "email": email, "password": password, "uri": uri, "last_step": -1}
        self.cases, self.theme_ids, self.complaint_ids, self.samples, self.families = [], [], [], [], {}
        self.services = []
        self.findings = {}  # signature -> {kind, detail, last, count, first_at}

    # ---- plumbing -----------------------------------------------------------------------------------------
    def send(self, who, method, path, body=None, **kw):
        headers = kw.pop("headers", {}) or {}
        if who in self.staff and self.staff[who].get("token"):
            headers.setdefault("Authorization", "Bearer " + self.staff[who]["token"])
        elif who.startswith("family:"):
            fam = self.families.get(who[7:])
            if fam and fam.get("token"):
                headers.setdefault("Authorization", "Bearer " + fam["token"])
        elif who == "bogus":
            headers["Authorization"] = self.r.choice(["Bearer x", "Bearer " + "A" * 43, "Basic Zm9vOmJhcg==", "Bearer ",
                                                      "bearer " + "a" * 5000])
        result = self.client.send(who, method, path, body, headers=headers, **kw)
        if result[0] == 401 and "Authorization" in headers and path.startswith("/api/"):
            if who.startswith("family:") and who[7:] in self.families:
                self.families[who[7:]].update(token=None, cookie=None)  # signed out, or the case was erased
            elif who in self.staff and headers["Authorization"] == "Bearer " + (self.staff[who].get("token") or ""):
                self.staff[who]["lost"] = True
        return result

    def json_of(self, payload):
        try:
            return json.loads(payload)
        except ValueError:
            return None

    def body_variant(self, body, p_valid=0.65):
        """(note, kwargs for send): the body as it is, nearly valid, or not a well-formed body at all."""
        x = self.r.random()
        if x < p_valid:
            return "valid", {"body": body}
        if x < 0.92:
            note, mutated = self.bodies.mutate(body)
            return note, {"body": mutated}
        note, raw, ctype = self.bodies.hostile_raw(body)
        return note, {"raw": raw, "content_type": ctype}

    def totp_sign_in(self, label):
        s = self.staff[label]
        while True:
            now = int(time.time())
            if now // 30 != s["last_step"]:
                break
            time.sleep(30 - now % 30 + 0.2)  # a code works once: wait for the next one
        code = subprocess.run([sys.executable, TOTP, s["uri"], str(now)], capture_output=True, text=True, check=True).stdout.split()[0]
        s["last_step"] = now // 30
        status, headers, payload = self.send("anon", "POST", "/api/v1/staff/session",
                                             {"email": s["email"], "password": s["password"], "totp": code}, note="sign in " + label)
        if status != 200:
            raise RuntimeError(f"{label} could not sign in: {status} {payload[:200]!r}")
        s["token"] = json.loads(payload)["token"]
        s["cookie"] = cookie_value(headers, "reconcile_session")
        s["csrf"] = None

    def sign_in_everyone(self):
        for label in self.staff:
            self.totp_sign_in(label)

    def sessions_survive(self):
        """After a restart: staff tokens live in the database; anyone whose token no longer works signs in again."""
        for label, s in self.staff.items():
            path = "/api/v1/council/reports" if s["role"] == "council" else "/api/v1/services"
            status, _, _ = self.send(label, "GET", path, note="token still valid?")
            if status == 401:
                self.totp_sign_in(label)

    def labels(self, role):
        return [k for k, v in self.staff.items() if v["role"] == role]

    def emails(self):
        return [self.staff[k]["email"] for k in self.labels("practitioner") + self.labels("lead")] + \
               [self.staff[k]["email"] for k in self.labels("admin") + self.labels("council")]

    # ---- setup --------------------------------------------------------------------------------------------
    def setup(self):
        self.server.start()
        self.sign_in_everyone()
        lead = self.labels("lead")[0]
        status, _, payload = self.send(lead, "GET", "/api/v1/services")
        self.services = [(s["id"], s["needs"]) for s in json.loads(payload)["services"]]
        self.learn_cases(limit=200)
        for _ in range(6):
            self.new_referral(valid=True)
        for _ in range(4):
            self.staff_referral(valid=True)

    def learn_cases(self, limit=30):
        lead = self.labels("lead")[0]
        status, _, payload = self.send(lead, "GET", f"/api/v1/cases?limit={limit}", note="learn ids")
        if status != 200:
            return
        known = {c["id"] for c in self.cases}
        for c in json.loads(payload)["cases"]:
            if c["id"] not in known:
                self.cases.append({"id": c["id"], "reference": c["reference"], "assigned": c.get("assigned_to"),
                                   "signposts": [], "safeguarding": []})
            else:
                case = self.case_by_id(c["id"])
                case["reference"] = c["reference"]
                case["assigned"] = c.get("assigned_to")

    def case_by_id(self, cid):
        return next((c for c in self.cases if c["id"] == cid), None)

    # ---- actions ------------------------------------------------------------------------------------------
    def new_referral(self, valid=False):
        body = self.bodies.referral()
        note, kw = ("valid", {"body": body}) if valid else self.body_variant(body, 0.7)
        headers = {}
        if self.r.random() < 0.2:
            headers["Idempotency-Key"] = self.r.choice(["k" + str(self.r.randint(0, 5)), "", " ", "x" * 300, "é", "k\u0000"])
        status, _, payload = self.send("anon", "POST", "/api/v1/referrals", headers=headers, note=note, **kw)
        if status == 201:
            got = self.json_of(payload)
            if got:
                self.families[got["reference"]] = {"passphrase": got["passphrase"], "token": None, "cookie": None}
                self.learn_cases()

    def staff_referral(self, valid=False):
        who = self.r.choice(self.labels("lead") + self.labels("practitioner") + (["admin"] if not valid else []))
        body = self.bodies.referral(staff=True, canary="Staff")
        note, kw = ("valid", {"body": body}) if valid else self.body_variant(body, 0.7)
        status, _, payload = self.send(who, "POST", "/api/v1/cases", note=note, **kw)
        if status == 201:
            got = self.json_of(payload)
            if got:
                self.families[got["reference"]] = {"passphrase": got["passphrase"], "token": None, "cookie": None}
                self.cases.append({"id": got["case_id"], "reference": got["reference"],
                                   "assigned": self.staff[who]["email"] if got.get("assigned_to_me") else None,
                                   "signposts": [], "safeguarding": []})

    def pick_case(self):
        x = self.r.random()
        if self.cases and x < 0.9:
            # Newer cases more often: they move through the lifecycle instead of staying at "received".
            i = len(self.cases) - 1 - min(int(self.r.expovariate(1 / 8)), len(self.cases) - 1)
            return self.cases[i], self.cases[i]["id"]
        if x < 0.95:
            return None, str(uuid.uuid4())
        return None, self.r.choice(["x", "0", "%00", "..%2F..", "A" * 2000, "00000000-0000-0000-0000-00000000000G",
                                    str(uuid.uuid4()).upper(), self.cases[0]["reference"] if self.cases else "RS-AAAA-AAAA",
                                    quote("\u202e"), "%ff%fe"])

    def actor_for(self, case):
        x = self.r.random()
        assigned = case and case.get("assigned")
        pats = self.labels("practitioner")
        if x < 0.55:
            return self.labels("lead")[0]
        if x < 0.85:
            owner = next((k for k in pats + self.labels("lead") if self.staff[k]["email"] == assigned), None)
            return owner or self.r.choice(pats)
        if x < 0.92:
            return self.r.choice(pats)
        return self.r.choice(self.labels("admin") + self.labels("council") + ["anon", "bogus"])

    def case_action(self):
        case, cid = self.pick_case()
        action = self.r.choice(CASE_ACTIONS)
        who = self.actor_for(case)
        body = self.bodies.case_action(action, case or {}, self.services, self.emails())
        path, method = f"/api/v1/cases/{cid}/{action}", "POST"
        if action == "signpost-outcome":
            sid = self.r.choice(case["signposts"]) if case and case["signposts"] and self.r.random() < 0.85 else str(uuid.uuid4())
            path, method = f"/api/v1/cases/{cid}/signposts/{sid}", "PATCH"
        elif action == "safeguarding-outcome":
            eid = self.r.choice(case["safeguarding"]) if case and case["safeguarding"] and self.r.random() < 0.85 else str(uuid.uuid4())
            path, method = f"/api/v1/cases/{cid}/safeguarding/{eid}", "PATCH"
        elif action == "appointment-update":
            known = case.setdefault("appointments", []) if case else []
            aid = self.r.choice(known) if known and self.r.random() < 0.85 else str(uuid.uuid4())
            path, method = f"/api/v1/cases/{cid}/appointments/{aid}", "PATCH"
        note, kw = self.body_variant(body)
        status, _, payload = self.send(who, method, path, note=f"{action} {note}", **kw)
        got = self.json_of(payload) if status in (200, 201) else None
        if case and got:
            if action == "assign" and "body" in kw and isinstance(kw["body"].get("practitioner"), str):
                case["assigned"] = kw["body"]["practitioner"].strip().lower()
            elif action == "signposts" and "id" in got:
                case["signposts"].append(got["id"])
            elif action == "safeguarding" and "id" in got:
                case["safeguarding"].append(got["id"])
            elif action == "appointments" and "id" in got:
                case.setdefault("appointments", []).append(got["id"])

    def walk(self):
        """One case taken a few valid steps along its lifecycle (assign, acknowledge, listen, assess, signpost, close,
        reopen), so the random steps above meet cases at every stage and with every kind of record."""
        if not self.cases:
            return
        r, lead = self.r, self.labels("lead")[0]
        case = self.cases[len(self.cases) - 1 - min(int(r.expovariate(1 / 10)), len(self.cases) - 1)]
        steps = ["assign", "acknowledge", "listening-sessions", "assessment", "signposts", "signpost-outcome", "close"]
        start = r.randrange(len(steps))
        for action in steps[start:start + r.randint(2, 5)] + (["reopen"] if r.random() < 0.2 else []):
            owner = next((k for k in self.staff if self.staff[k]["email"] == case.get("assigned")), None)
            who = lead if action in ("assign", "reopen") or not owner or r.random() < 0.3 else owner
            body = self.bodies.case_action(action, case, self.services, self.emails())
            path, method = f"/api/v1/cases/{case['id']}/{action}", "POST"
            if action == "close":
                body["reason"] = r.choice(["completed", "completed", "withdrawn", "no_contact", "declined", "transferred"])
            if action == "signpost-outcome":
                if not case["signposts"]:
                    continue
                path, method = f"/api/v1/cases/{case['id']}/signposts/{r.choice(case['signposts'])}", "PATCH"
            status, _, payload = self.send(who, method, path, body, note="walk " + action)
            got = self.json_of(payload) if status in (200, 201) else None
            if got and action == "assign":
                case["assigned"] = body["practitioner"].strip().lower()
            elif got and action == "signposts" and "id" in got:
                case["signposts"].append(got["id"])

    def link(self):
        """Links between real cases, across assigned and unassigned ones, by id and by reference."""
        if len(self.cases) < 2:
            return
        a, b = self.r.sample(self.cases, 2)
        if self.r.random() < 0.5:
            # The pairs that matter most: one with a worker, one without; both with the same worker.
            withw = [c for c in self.cases if c.get("assigned")]
            without = [c for c in self.cases if not c.get("assigned")]
            if withw and without:
                a, b = self.r.choice(withw), self.r.choice(without)
                if self.r.random() < 0.5:
                    a, b = b, a
        other = self.r.choice([b["id"], b["reference"], b["reference"].lower(), a["id"], str(uuid.uuid4()), "",
                               b["id"].upper(), " " + b["reference"] + " "])
        who = self.labels("lead")[0] if self.r.random() < 0.85 else self.actor_for(a)
        note, kw = self.body_variant({"case": other}, 0.8)
        self.send(who, "POST", f"/api/v1/cases/{a['id']}/links", note="link " + note, **kw)

    def case_read(self):
        case, cid = self.pick_case()
        who = self.actor_for(case)
        self.send(who, "GET", f"/api/v1/cases/{cid}" + self.r.choice(["", "", "/timeline"]))

    def case_list(self):
        who = self.r.choice(self.labels("lead") + self.labels("practitioner") + ["admin", "council", "bogus"])
        q = {}
        r = self.r
        if r.random() < 0.4:
            q["stage"] = r.choice(STAGES + ["", "CLOSED", "x" * 300])
        if r.random() < 0.4:
            q["assigned"] = r.choice(["me", "none", "", "nobody@example.org"] + self.emails())
        if r.random() < 0.3:
            q["overdue"] = r.choice(["true", "false", "1", "yes", ""])
        if r.random() < 0.3:
            q["come_back"] = r.choice(["true", "false", "maybe"])
        if r.random() < 0.4:
            q["limit"] = r.choice(["1", "2", "1000", "1001", "0", "-1", "99999999999999999999", "1e3", "", "abc"])
        if r.random() < 0.3:
            q["cursor"] = r.choice(["", "abc", "A" * 200, "A" * 201, "%%%", "MTIz", "eyJ4IjoxfQ", "-_-_"])
        status, _, payload = self.send(who, "GET", "/api/v1/cases" + ("?" + urlencode(q) if q else ""))
        got = self.json_of(payload) if status == 200 else None
        if got and got.get("next_cursor") and r.random() < 0.7:
            self.send(who, "GET", "/api/v1/cases?" + urlencode({**q, "cursor": got["next_cursor"]}), note="next page")

    def reports(self):
        r, lead = self.r, self.labels("lead")[0]
        x = r.random()
        if x < 0.35:
            body = {"quarter": self.bodies.quarter(), "council_area": r.choice(AREAS), "text": self.bodies.text()}
            note, kw = self.body_variant(body)
            status, _, payload = self.send(r.choice([lead, lead, "pat1", "council"]), "POST", "/api/v1/themes", note=note, **kw)
            got = self.json_of(payload) if status == 201 else None
            if got:
                self.theme_ids.append(got["id"])
        elif x < 0.5:
            tid = r.choice(self.theme_ids) if self.theme_ids and r.random() < 0.8 else r.choice([str(uuid.uuid4()), "x", "%20"])
            self.send(r.choice([lead, lead, "pat1"]), "DELETE", f"/api/v1/themes/{tid}")
        elif x < 0.7:
            # Releases are the slowest step (disclosure control), so fewer of them and fewer at once.
            body = {"council_area": r.choice(AREAS + ["shropshire"] * 2)}
            if r.random() < 0.6:
                body["kind"] = r.choice(["quarter", "correction", "year_to_date"])
            note, kw = self.body_variant(body)
            self.send(r.choice([lead] * 6 + ["pat1", "admin", "council"]), "POST",
                      f"/api/v1/reports/{quote(self.bodies.quarter())}/release", note="release " + note, **kw)
        else:
            self.send(r.choice(self.labels("lead") + ["pat1", "council"]), "GET", r.choice(["/staff/themes", "/api/v1/services"]))

    def records(self):
        r, lead = self.r, self.labels("lead")[0]
        if r.random() < 0.5 or not self.samples:
            month = r.choice([None, "2026-01", "2025-06", "2025-13", "0000-00", "9999-12", "2000-01", "2000-12", "1999-12",
                              "", "2025-1", "٢٠٢٥-٠١", "+202-01"])
            status, _, payload = self.send(r.choice([lead] * 4 + ["pat1"]), "GET",
                                           "/api/v1/records-check" + (f"?month={quote(month)}" if month is not None else ""))
            got = self.json_of(payload) if status == 200 else None
            if got and got.get("sample"):
                self.samples = [c["id"] for c in got["sample"]["cases"]] or self.samples
        else:
            sid = r.choice(self.samples) if r.random() < 0.85 else str(uuid.uuid4())
            note, kw = self.body_variant({"note": self.bodies.text()})
            self.send(lead, "POST", f"/api/v1/records-check/sample/{sid}/review", note=note, **kw)

    def offer_rounds(self):
        r, lead = self.r, self.labels("lead")[0]
        if r.random() < 0.6:
            body = {"council_area": r.choice(AREAS), "date": self.bodies.date(r.random() < 0.8),
                    "channel": r.choice(["letter_from_the_council", "through_schools", "public_campaign", "other"]),
                    "offers_made": r.choice([1, 250, 10000000])}
            if r.random() < 0.5:
                body["label"] = r.choice([None, "Spring letters", "x" * 200, "x" * 201])
            note, kw = self.body_variant(body)
            self.send(r.choice([lead] * 4 + ["pat1"]), "POST", "/api/v1/offer-rounds", note=note, **kw)
        else:
            self.send(lead, "GET", "/api/v1/offer-rounds?council_area=" + quote(r.choice(AREAS + ["", "x", "nowhere"])))

    def complaints(self):
        r, lead = self.r, self.labels("lead")[0]
        x = r.random()
        if x < 0.5:
            case = r.choice(self.cases) if self.cases else None
            body = {"kind": r.choice(["complaint", "compliment"]), "received_on": self.bodies.date()}
            if case and r.random() < 0.6:
                if r.random() < 0.5:
                    body["case_id"] = case["id"]
                else:
                    body["reference"] = case["reference"]
            if r.random() < 0.5:
                body["council_area"] = r.choice(AREAS + [None])
            if r.random() < 0.3:
                body["responded_on"] = self.bodies.date(r.random() < 0.7)
            note, kw = self.body_variant(body)
            status, _, payload = self.send(r.choice([lead] * 4 + ["pat1"]), "POST", "/api/v1/complaints", note=note, **kw)
            got = self.json_of(payload) if status == 201 else None
            if got:
                self.complaint_ids.append(got["id"])
        elif x < 0.75:
            cid = r.choice(self.complaint_ids) if self.complaint_ids and r.random() < 0.85 else str(uuid.uuid4())
            note, kw = self.body_variant({"responded_on": self.bodies.date(r.random() < 0.8)})
            self.send(lead, "POST", f"/api/v1/complaints/{cid}/response", note=note, **kw)
        else:
            self.send(lead, "GET", "/api/v1/complaints?council_area=" + quote(r.choice(AREAS + ["", "nowhere"])))

    def council(self):
        r = self.r
        who = r.choice(self.labels("council") * 4 + [self.labels("lead")[0], "anon"])
        q = "2025-Q1" if r.random() < 0.6 else self.bodies.quarter()
        kind = r.choice(["", "", "", "?kind=quarter", "?kind=correction", "?kind=year_to_date", "?kind=x"])
        fmt = r.choice(["", "format=json", "format=csv", "format=html", "format=html", "format=xml"])
        path = r.choice([
            "/api/v1/council/reports",
            f"/api/v1/council/reports/{q}{kind}{('&' if kind else '?') + fmt if fmt else ''}",
            f"/api/v1/council/reports/{q}/signature{kind}",
            "/api/v1/council/trends?" + urlencode({"figure": r.choice(["referrals_received", "referrals_by_setting.total",
                                                                     "referrals_by_heard_from.letter_from_the_council",
                                                                     "referrals_received", "referrals_by_setting.secondary",
                                                                     "x", "", ".", "a.b.c", "x" * 500, "total."]),
                                                   "format": r.choice(["json", "csv", "json", "pdf"])}),
            "/api/v1/council/public-key"])
        self.send(who, "GET", path)

    def notifications(self):
        r = self.r
        who = r.choice(self.labels("lead") + self.labels("practitioner") + ["admin", "council"])
        if r.random() < 0.4:
            self.send(who, "GET", "/api/v1/staff/me/notifications")
            return
        body = {k: r.random() < 0.5 for k in ("new_referral", "family_reply", "overdue", "digest_only") if r.random() < 0.6}
        if r.random() < 0.5:
            body["areas"] = self.bodies.some(AREAS, 0, 3)
        note, kw = self.body_variant(body)
        self.send(who, "PATCH", "/api/v1/staff/me/notifications", note=note, **kw)

    def family(self):
        """A family in the portal: sign in (or not), then one of everything the portal offers."""
        r = self.r
        if not self.families:
            return
        ref = r.choice(list(self.families))
        fam = self.families[ref]
        if not fam.get("token") or r.random() < 0.05:
            body = {"reference": r.choice([ref, ref.lower().replace("-", " "), ref]),
                    "passphrase": r.choice([fam["passphrase"], fam["passphrase"].replace("-", " ").title(), fam["passphrase"]])}
            note, kw = self.body_variant(body, 0.85)
            status, headers, payload = self.send("anon", "POST", "/api/v1/portal/session", note="portal sign in " + note, **kw)
            if status == 200:
                fam["token"] = json.loads(payload)["token"]
                fam["cookie"] = cookie_value(headers, "reconcile_portal")
            return
        who = "family:" + ref
        self.family_step(who, fam)

    def family_step(self, who, fam):
        r = self.r
        x = r.randrange(14)
        if x == 0:
            self.send(who, "GET", "/api/v1/portal/case", headers={"Accept-Language": r.choice(["pl", "en", "*", "x" * 500, "pl;q=2"])})
        elif x == 1:
            note, kw = self.body_variant({"body": self.bodies.text()})
            self.send(who, "POST", "/api/v1/portal/messages", note=note, **kw)
        elif x == 2 and r.random() < 0.3:
            self.send(who, "POST", "/api/v1/portal/withdraw")
        elif x == 3:
            body = {k: r.choice([1, 2, 3, 4, 5, None]) for k in ("listened_to", "believed", "help_was_right") if r.random() < 0.6}
            if r.random() < 0.5:
                body["comment"] = self.bodies.text()
            note, kw = self.body_variant(body)
            self.send(who, "POST", "/api/v1/portal/feedback", note=note, **kw)
        elif x == 4:
            body = {"kind": r.choice(["complaint", "compliment"])}
            if r.random() < 0.6:
                body["text"] = r.choice([None, self.bodies.text()])
            note, kw = self.body_variant(body)
            self.send(who, "POST", "/api/v1/portal/complaints", note=note, **kw)
        elif x == 5:
            self.send(who, "POST", "/api/v1/portal/come-back")
        elif x == 6 and r.random() < 0.5:
            self.send(who, "POST", "/api/v1/portal/erasure")
        elif x == 7:
            self.send(who, "DELETE", "/api/v1/portal/erasure")
        elif x == 8:
            self.send(who, "GET", "/api/v1/portal/export")
        elif x == 9:
            self.send(who, "GET", "/api/v1/portal/notifications")
        elif x == 10:
            body = {k: r.random() < 0.5 for k in ("notify_by_email", "names_service") if r.random() < 0.7}
            note, kw = self.body_variant(body)
            self.send(who, "PATCH", "/api/v1/portal/notifications", note=note, **kw)
        elif x == 12:
            self.family_voice(who)
        elif x == 11 and r.random() < 0.2:
            self.send(who, "DELETE", "/api/v1/portal/session")
            fam["token"] = None
        else:
            self.send(who, "GET", "/api/v1/portal/case")

    def misc(self):
        r = self.r
        path = r.choice(["/healthz", "/openapi.yaml", "/metrics", "/api/v1/services", "/api/v1/nothing", "/api/v1/cases/",
                         "/api/v1//cases", "/static/" + r.choice(["style.css", "x", "..%2f..%2fetc%2fpasswd", "%00"]),
                         "/" + "a/" * 300, "/api/v1/cases?" + "a=1&" * 300, "/%ff%fe", "/api/v1/cases/%E2%80%AE"])
        method = r.choice(["GET", "GET", "POST", "PUT", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"])
        who = r.choice(["anon", "bogus", self.labels("lead")[0], "admin"])
        self.send(who, method, path, raw=r.choice([None, "{}", "x"]) if method not in ("GET", "HEAD") else None)
        if r.random() < 0.2:
            self.send("bogus", "DELETE", "/api/v1/staff/session")

    def odd_headers(self):
        """Real routes with headers a proxy, an old browser or an attacker might send."""
        r = self.r
        fam = next((f for f in self.families.values() if f.get("cookie")), None)
        name, value = r.choice([
            ("Cookie", r.choice(["reconcile_session=" + "A" * 4000, "reconcile_csrf=; reconcile_csrf=x", "=;=;;", "a" * 8000,
                                 "reconcile_portal=%ff%fe", "reconcile_session=\u202e"])),
            ("Accept-Language", r.choice(["pl", "pl-PL,en;q=0.5", "*;q=0", "en;q=abc", "x" * 4000, ",,,;;;", "pl;q=1e999",
                                          "zh-Hant-TW-x-private-" * 50])),
            ("X-Forwarded-For", r.choice(["1.2.3.4", "::1, ::1", "x" * 1000, ", , ,", "999.999.999.999"])),
            ("Host", r.choice(["", "evil.example", "127.0.0.1:1", "[::1]", "a" * 1000])),
            ("Sec-Fetch-Site", r.choice(["same-origin", "cross-site", "none", ""])),
            ("Origin", r.choice(["null", "http://127.0.0.1", "http://127.0.0.1:" + str(self.server.port), "x"])),
        ])
        path = r.choice(["/", "/refer", "/portal", "/portal/case", "/staff", "/staff/cases", "/api/v1/portal/case",
                         "/api/v1/cases", "/council", "/staff/sign-in"])
        headers = {name: value}
        who = "anon"
        if path.startswith("/portal") and fam and name != "Cookie":
            headers["Cookie"] = "reconcile_portal=" + fam["cookie"]
        elif path.startswith("/api/v1/cases"):
            who = self.labels("lead")[0]
        self.send(who, r.choice(["GET", "GET", "POST"]), path, headers=headers, raw="a=1" if r.random() < 0.3 else None,
                  content_type="application/x-www-form-urlencoded", note="odd header " + name)

    # ---- pages --------------------------------------------------------------------------------------------
    def page_get(self, who, path, cookies):
        status, headers, payload = self.send(who, "GET", path, headers={"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items() if v)})
        token = csrf_cookie([v for k, v in headers if k.lower() == "set-cookie"])
        if token:
            cookies["reconcile_csrf"] = token
        return status, payload.decode("utf-8", "replace")

    def pages(self):
        r = self.r
        lead = self.labels("lead")[0]
        x = r.random()
        case = r.choice(self.cases) if self.cases else None
        if x < 0.6:
            who = r.choice([lead, lead] + self.labels("practitioner"))
            if case and case.get("assigned") and r.random() < 0.5:
                who = next((k for k in self.staff if self.staff[k]["email"] == case["assigned"]), who)
            path = r.choice([f"/staff/cases/{case['id']}" if case else "/staff/cases"] * 5 +
                            ["/staff", "/staff/cases", "/staff/themes", "/staff/records-check", "/staff/offer-rounds",
                             "/staff/complaints", "/staff/directory", "/staff/notifications", "/staff/referrals/new",
                             "/staff/cases?" + urlencode({"stage": r.choice(STAGES + ["x"]), "assigned": r.choice(["me", "none", "x@y.z", ""]),
                                                               "limit": r.choice(["1", "0", "-1", "1001", "9" * 25]),
                                                               "cursor": r.choice(["", "x", "A" * 201])}),
                             "/staff/records-check?month=" + r.choice(["2025-13", "2000-01", "2000-02", "9999-12", "1999-12",
                                                                      "2026-01", "0000-00", "%00", ""])])
            s = self.staff[who]
            jar = s.setdefault("jar", {})
            jar["reconcile_session"] = s["cookie"]
        elif x < 0.85 and self.families:
            ref = r.choice(list(self.families))
            fam = self.families[ref]
            if not fam.get("cookie"):
                self.family()
                return
            who, jar = "family:" + ref, fam.setdefault("jar", {})
            jar["reconcile_portal"] = fam["cookie"]
            path = r.choice(["/portal/case", "/portal/case", "/portal/feedback", "/portal/export"])
        else:
            who, jar = "anon", {}
            path = r.choice(["/", "/refer", "/portal", "/staff/sign-in", "/council/sign-in"])
            if self.labels("council") and r.random() < 0.4:
                who = self.labels("council")[0]
                jar = {"reconcile_session": self.staff[who]["cookie"]}
                path = r.choice(["/council", "/council/trends", "/council/summary", "/council/trends.csv?figure=referrals_received",
                                 "/council/reports/2025-Q1", "/council/reports/2025-Q1/report.csv", "/council/reports/2025-Q9"])
        status, page = self.page_get(who, path, jar)
        # Staff sign out only by the API's bogus tokens: a code works once, so a signed-out lead would wait 30 s.
        forms = [f for f in forms_of(page) if "sign-out" not in f.action or (who.startswith("family:") and r.random() < 0.05)]
        if status != 200 or not forms:
            return
        form = r.choice(forms)
        if any(form.action.endswith("/" + w + "s") for w in self.args.without):
            return
        if form.action in ("/staff/sign-in", "/council/sign-in") or not form.action.startswith("/"):
            return  # a code works once; sign-in is exercised by the API
        hostile = r.random() < 0.3
        refs = [c["reference"] for c in self.cases[-40:]] + [c["id"] for c in self.cases[-20:]]
        pairs = fill(form, r, hostile, {"case": refs, "reference": refs, "practitioner": self.emails()})
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items() if v),
                   "Origin": f"http://127.0.0.1:{self.server.port}"}
        if hostile and r.random() < 0.2:
            headers.pop("Origin")
            headers[r.choice(["Sec-Fetch-Site", "Referer"])] = r.choice(["cross-site", "same-site", "http://evil.example/"])
        raw = urlencode(pairs, errors="surrogatepass")
        if hostile and r.random() < 0.1:
            raw = raw + r.choice(["&%zz", "&a=%ff%fe", "&&&", "&=x", "&" + "b=" * 3000])
        self.send(who, "POST", form.action, raw=raw, content_type="application/x-www-form-urlencoded", headers=headers,
                  note="form" + (" hostile" if hostile else ""))

    # ---- erasure, as the daily retention run carries it out ---------------------------------------------------
    def retention(self):
        """`reconcile retention run` beside the running server, with no cooling-off, so erasure requests are carried
        out and (with a time years ahead) closed cases shredded: erased cases then meet every route above."""
        if not self.args.policies_dir:
            return
        if not getattr(self, "_retention_policies", None):
            import shutil
            import tempfile
            copy = tempfile.mkdtemp(prefix="fuzz-policies-", dir=os.path.dirname(os.path.abspath(self.args.data_dir)))
            for name in os.listdir(self.args.policies_dir):
                shutil.copy(os.path.join(self.args.policies_dir, name), copy)
            with open(os.path.join(copy, "retention.json"), "w") as f:
                json.dump({"erasure_cooling_off_days": 0, "closed_case_retention_months": 24}, f)
            self._retention_policies = copy
        cmd = [self.args.bin, "retention", "run", "--data-dir", self.args.data_dir, "--key-dir", self.args.key_dir,
               "--policies-dir", self._retention_policies]
        if self.r.random() < 0.1:
            cmd += ["--now", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3 * 366 * 86400))]
        run = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        self.client.journal and self.client.journal.write(json.dumps({"cli": cmd[1:3] + cmd[-2:], "rc": run.returncode,
                                                                      "out": run.stdout.strip()}) + "\n")
        if run.returncode != 0:
            raise Failure("cli", f"retention run exited {run.returncode}: {run.stderr.strip()[:200]}", run.stderr[-1500:])

    # ---- many at once -------------------------------------------------------------------------------------
    def burst(self):
        """The same step eight times at once (a double-clicked button, a retrying client)."""
        r = self.r
        choice = r.randrange(4)
        lead = self.labels("lead")[0]
        if choice == 0 and len(self.cases) >= 2 and "link" not in self.args.without:
            a = r.choice(self.cases)
            bs = r.sample(self.cases, min(8, len(self.cases)))
            calls = [(lead, "POST", f"/api/v1/cases/{a['id']}/links", {"case": b["id"]}) for b in bs]
        elif choice == 1 and self.cases:
            a = r.choice(self.cases)
            action = r.choice(CASE_ACTIONS[:-2])
            if action.endswith("-outcome") or action == "appointment-update":
                action = "close"
            body = self.bodies.case_action(action, a, self.services, self.emails())
            calls = [(lead, "POST", f"/api/v1/cases/{a['id']}/{action}", body)] * 8
        elif choice == 2 and self.families:
            ref = r.choice(list(self.families))
            if not self.families[ref].get("token"):
                return
            calls = [("family:" + ref, r.choice(["POST", "DELETE"]), "/api/v1/portal/erasure", None),
                     ("family:" + ref, "POST", "/api/v1/portal/withdraw", None),
                     ("family:" + ref, "POST", "/api/v1/portal/come-back", None)] * 3
        else:
            body = {"council_area": "shropshire", "kind": r.choice(["quarter", "correction", "year_to_date"])}
            calls = [(lead, "POST", "/api/v1/reports/2025-Q1/release", body)] * 3
        errors = []

        def run(call):
            try:
                self.send(call[0], call[1], call[2], call[3], note="burst")
            except Failure as f:
                errors.append(f)
        threads = [threading.Thread(target=run, args=(c,)) for c in calls]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise errors[0]

    # ---- the run ------------------------------------------------------------------------------------------
    ACTIONS = [("new_referral", 5), ("staff_referral", 2), ("case_action", 34), ("walk", 8), ("link", 6), ("case_read", 6),
               ("case_list", 4), ("reports", 4), ("records", 2), ("offer_rounds", 2), ("complaints", 3), ("council", 3),
               ("notifications", 2), ("family", 14), ("pages", 8), ("burst", 1), ("misc", 2), ("odd_headers", 2),
               ("desk", 8)]

    def step(self):
        names, weights = zip(*[(n, w) for n, w in self.ACTIONS if n not in self.args.without])
        name = self.r.choices(names, weights)[0]
        if name.endswith("referral") and len(self.cases) > 150 and self.r.random() < 0.7:
            name = "walk"  # enough cases: work the ones there are
        getattr(self, name)()

    def record(self, failure):
        f = self.findings.get(failure.signature)
        if f:
            f["count"] += 1
            return
        self.findings[failure.signature] = {"kind": failure.kind, "detail": failure.detail, "count": 1,
                                            "at_request": self.client.count, "last": self.client.last_requests()}
        print(f"\nFINDING {len(self.findings)} ({failure.kind}) at request {self.client.count}: {failure.signature}", flush=True)
        print(failure.detail, flush=True)
        print("last requests, oldest first:\n" + self.client.last_requests(), flush=True)

    def run(self):
        deadline = time.time() + self.args.seconds
        started = time.time()
        try:
            self.setup()
        except Failure as failure:
            self.record(failure)
            if not self.args.keep_going:
                return started
            self.restart()
        next_retention = time.time() + self.args.retention_every
        while time.time() < deadline:
            try:
                if self.args.retention_every and time.time() >= next_retention:
                    next_retention = time.time() + self.args.retention_every
                    self.retention()
                self.step()
                for label, s in self.staff.items():
                    if s.pop("lost", False):
                        print(f"  note: {label}'s session stopped working at request {self.client.count}; signing in again", flush=True)
                        self.totp_sign_in(label)
            except Failure as failure:
                self.record(failure)
                if not self.args.keep_going:
                    break
                if failure.kind != "5xx" or not self.server.alive():
                    self.restart()
        return started

    def restart(self):
        if self.server.alive():
            self.server.stop()
        self.client.history.clear()
        self.server.start()
        self.sessions_survive()
        for fam in self.families.values():
            fam["token"] = None


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bin", required=True)
    p.add_argument("--data-dir", required=True)
    p.add_argument("--key-dir", required=True)
    p.add_argument("--accounts", required=True, help="lines: label TAB role TAB email TAB password TAB otpauth-uri")
    p.add_argument("--server-log", required=True)
    p.add_argument("--seconds", type=float, default=float(os.environ.get("RECONCILE_FUZZ_SECONDS", "90")))
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--keep-going", action="store_true", help="restart after a crash; record each distinct finding")
    p.add_argument("--readyz-every", type=int, default=25)
    p.add_argument("--policies-dir", default=os.environ.get("RECONCILE_POLICIES_DIR"),
                   help="the policies serve uses; a copy without cooling-off is given to the retention runs")
    p.add_argument("--retention-every", type=float, default=15, help="seconds between retention runs (0: none)")
    p.add_argument("--without", action="append", default=[], metavar="ACTION",
                   help="leave out one kind of step (e.g. link), to explore past a known crash")
    p.add_argument("--journal", help="append every request as a JSON line (for turning a finding into a test)")
    p.add_argument("--findings", help="write the distinct findings as JSON here")
    args = p.parse_args()
    seed = args.seed if args.seed is not None else int(os.environ.get("RECONCILE_FUZZ_SEED") or random.SystemRandom().randrange(2**32))
    print(f"stateful fuzzer seed {seed} (replay with --seed {seed}), {args.seconds:.0f} s"
          f"{', keep going after crashes' if args.keep_going else ''}", flush=True)
    fuzzer = Fuzzer(args, random.Random(seed))
    try:
        started = fuzzer.run()
    except RuntimeError as e:
        print(f"could not run: {e}")
        fuzzer.server.stop()
        return 2
    except BaseException:
        fuzzer.server.stop()  # never leave a server behind
        raise
    elapsed = time.time() - started
    stop_code = fuzzer.server.stop()
    c = fuzzer.client
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(c.statuses.items(), key=lambda kv: str(kv[0])))
    print(f"stateful fuzzer: seed {seed}, {c.count} requests in {elapsed:.0f} s ({c.count / max(elapsed, 1):.0f}/s), "
          f"{len(fuzzer.cases)} cases, {len(fuzzer.families)} families, {fuzzer.server.starts} server start(s); "
          f"503 busy: {c.busy}; statuses {statuses}; serve stopped with {stop_code}", flush=True)
    for note, n in c.soft.most_common(10):
        print(f"  note ({n}x): {note} (e.g. {c.soft_example.get(note)})")
    if args.findings:
        with open(args.findings, "w") as f:
            json.dump({"seed": seed, "requests": c.count, "seconds": elapsed, "findings": fuzzer.findings}, f, indent=1)
    if fuzzer.findings:
        print(f"stateful fuzzer: {len(fuzzer.findings)} distinct finding(s), seed {seed}:")
        for sig, f in fuzzer.findings.items():
            print(f"  {f['kind']} x{f['count']}: {sig}")
        return 1
    if stop_code != 0:
        print(f"stateful fuzzer: serve did not stop cleanly ({stop_code})")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
