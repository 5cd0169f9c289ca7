"""The stateful driver's steps for the practitioner's desk and reconciliation itself, on real ids: search, what is due,
follow-ups, moving a leaver's cases, the chronology, closing as a duplicate, meetings a family asks for, and families'
own words (the staff's side here, the family's in `family_voice`). Mixed into the driver's `Fuzzer`, whose `send`,
`pick_case`, `actor_for`, `body_variant` and records of cases and staff these use."""
import datetime
import uuid
from urllib.parse import quote

from stateful_bodies import AREAS, NASTY

PARTIES = ["school_or_college", "council_childrens_services", "council_education", "other_organisation"]
MEETING_STATUSES = ["invited", "accepted", "declined_by_other_party", "held", "withdrawn"]


class DeskSteps:
    def desk(self):
        step = self.r.choice([self.search, self.search, self.my_work, self.follow_up, self.follow_up_done, self.reassign,
                              self.chronology, self.close_as_duplicate, self.meeting, self.meeting, self.staff_voice,
                              self.voice_review])
        step()

    def day(self, offset=None):
        """A London day as `YYYY-MM-DD`: mostly near today (past and future), sometimes not a day at all."""
        r = self.r
        if r.random() < 0.85:
            days = offset if offset is not None else r.randint(-30, 400)
            return (datetime.date.today() + datetime.timedelta(days=days)).isoformat()
        return r.choice(["2026-02-30", "2026-13-01", "26-01-01", "", "0000-00-00", "2026-1-1", "９９９９-01-01", "x" * 300])

    def search(self):
        r = self.r
        case, _ = self.pick_case()
        ref = case["reference"] if case else "RS-AAAA-AAAA"
        term = r.choice([ref, ref.lower().replace("-", ""), " " + ref.lower().replace("-", " ") + " ", ref[:6],
                         f"fuzz{r.randint(1, 40)}@example.org", "SAME@example.org", "07700 900123", "+44 (0)1632 960 001",
                         "Fuzz Name", "fuzz", "Staff", "zoë", "a", "", " ", "%", "_", "\u202eevil", "x\u0000y", "é" * 300,
                         r.choice(NASTY)])
        who = r.choice(self.labels("lead") + self.labels("practitioner") * 2 + ["admin", "council", "bogus"])
        # surrogatepass: a lone surrogate from NASTY goes out as the bytes it stands for (invalid UTF-8, as an attacker's would).
        self.send(who, "GET", "/api/v1/search?q=" + quote(term.encode("utf-8", "surrogatepass"), safe="") + r.choice(["", "", "&q=second", "&limit=5"]),
                  note="search")

    def my_work(self):
        who = self.r.choice(self.labels("lead") + self.labels("practitioner") + ["admin", "council"])
        self.send(who, "GET", "/api/v1/my-work")

    def follow_up(self):
        case, cid = self.pick_case()
        body = {"due_on": self.day()}
        if self.r.random() < 0.6:
            body["note"] = self.bodies.text(valid=self.r.random() < 0.7)
        note, kw = self.body_variant(body)
        status, _, payload = self.send(self.actor_for(case), "POST", f"/api/v1/cases/{cid}/follow-ups", note="follow-up " + note, **kw)
        got = self.json_of(payload) if status == 201 else None
        if case is not None and got and "id" in got:
            case.setdefault("follow_ups", []).append(got["id"])

    def follow_up_done(self):
        case, cid = self.pick_case()
        known = (case or {}).get("follow_ups") or []
        fid = self.r.choice(known) if known and self.r.random() < 0.85 else str(uuid.uuid4())
        self.send(self.actor_for(case), "POST", f"/api/v1/cases/{cid}/follow-ups/{fid}/done", {})

    def reassign(self):
        """Rarely: all of one practitioner's open cases to another (or to a name that cannot take them)."""
        r = self.r
        if r.random() < 0.7:
            return
        pats = self.labels("practitioner")
        source = self.staff[r.choice(pats)]["email"] if r.random() < 0.85 else r.choice(["nobody@example.org", "%00", "x" * 300])
        body = {"to": self.bodies.email(self.emails()) if r.random() < 0.3 else self.staff[r.choice(pats + self.labels("lead"))]["email"]}
        who = self.labels("lead")[0] if r.random() < 0.8 else self.actor_for(None)
        note, kw = self.body_variant(body, 0.8)
        status, _, _ = self.send(who, "POST", f"/api/v1/staff/{quote(source, safe='')}/reassign-open-cases", note="reassign " + note, **kw)
        if status == 200:
            self.learn_cases(limit=200)

    def chronology(self):
        case, cid = self.pick_case()
        who = self.actor_for(case)
        s = self.staff.get(who)
        if s and s.get("cookie"):
            self.page_get(who, f"/staff/cases/{cid}/chronology", {"reconcile_session": s["cookie"]})
        else:
            self.send(who, "GET", f"/staff/cases/{cid}/chronology")

    def close_as_duplicate(self):
        """A later referral closed into another real case, by id or by reference however typed, sometimes itself."""
        r = self.r
        if len(self.cases) < 2 or r.random() < 0.6:  # it closes cases for good: not too often
            return
        a, b = r.sample(self.cases, 2)
        other = r.choice([b["id"], b["reference"], b["reference"].lower().replace("-", " "), a["id"], a["reference"],
                          str(uuid.uuid4()), "", "RS-\u202eAAAA-AAAA", b["id"].upper()])
        body = {"case": other}
        if r.random() < 0.4:
            body["note"] = self.bodies.text(valid=r.random() < 0.7)
        who = self.labels("lead")[0] if r.random() < 0.85 else self.actor_for(a)
        note, kw = self.body_variant(body, 0.8)
        self.send(who, "POST", f"/api/v1/cases/{a['id']}/close-as-duplicate", note="duplicate " + note, **kw)

    def meeting(self):
        r = self.r
        case, cid = self.pick_case()
        who = self.actor_for(case)
        known = (case or {}).get("meetings") or []
        if not known or r.random() < 0.4:
            body = {"party": r.choice(PARTIES + ["the_other_family", "", "SCHOOL_OR_COLLEGE"]) if r.random() < 0.9 else 7}
            if r.random() < 0.5:
                body["note"] = self.bodies.text(valid=r.random() < 0.7)
            note, kw = self.body_variant(body)
            status, _, payload = self.send(who, "POST", f"/api/v1/cases/{cid}/meetings", note="meeting " + note, **kw)
            got = self.json_of(payload) if status == 201 else None
            if case is not None and got and "id" in got:
                case.setdefault("meetings", []).append(got["id"])
            return
        mid = r.choice(known) if r.random() < 0.9 else str(uuid.uuid4())
        status = r.choice(MEETING_STATUSES + [None, "requested", "x"])
        body = {"status": status}
        if status == "held" or r.random() < 0.2:
            body["held_on"] = self.day(r.randint(-20, 2))
            if r.random() < 0.7:
                body["helped"] = r.choice([1, 2, 3, 4, 5, 0, 6, -1, None, "5", 10 ** 20])
            if r.random() < 0.5:
                body["family_words"] = self.bodies.text(valid=r.random() < 0.7)
        note, kw = self.body_variant(body)
        self.send(who, "PATCH", f"/api/v1/cases/{cid}/meetings/{mid}", note="meeting update " + note, **kw)

    def staff_voice(self):
        """The practitioner writes the family's words with them (consent given, or an edit the family approved)."""
        r = self.r
        case, cid = self.pick_case()
        body = {"text": r.choice(["Nobody listened until now.", "Being believed mattered most.", None, "", "x" * 2001,
                                  self.bodies.text(valid=False)]),
                "consent": r.choice([True, True, False, None, "yes"])}
        if r.random() < 0.3:
            body["family_approved_edit"] = r.choice([True, False, None])
        note, kw = self.body_variant(body)
        self.send(self.actor_for(case), "PUT", f"/api/v1/cases/{cid}/voice", note="voice " + note, **kw)

    def voice_review(self):
        """A lead lists an area's words and approves one, or proposes an edit for the family to accept."""
        r = self.r
        lead = self.labels("lead")[0]
        who = lead if r.random() < 0.85 else r.choice(self.labels("practitioner") + ["admin", "council", "bogus"])
        area = r.choice(AREAS + ["shropshire", "", "nowhere", "x" * 300])
        quarter = r.choice(["", "&quarter=2026-Q3", "&quarter=2026-Q9", "&quarter=x"])
        status, _, payload = self.send(who, "GET", f"/api/v1/voices?council_area={quote(area, safe='')}{quarter}")
        listed = (self.json_of(payload) or {}).get("voices", []) if status == 200 else []
        vid = r.choice(listed)["id"] if listed and r.random() < 0.85 else str(uuid.uuid4())
        if r.random() < 0.5:
            self.send(who, "POST", f"/api/v1/voices/{vid}/approve", {})
        else:
            note, kw = self.body_variant({"text": r.choice(["Being listened to mattered.", "", "y" * 2001])})
            self.send(who, "POST", f"/api/v1/voices/{vid}/propose-edit", note="propose edit " + note, **kw)

    def family_voice(self, who):
        """The family's side of their own words in the portal."""
        r = self.r
        x = r.randrange(4)
        if x == 0:
            note, kw = self.body_variant({"text": r.choice(["They listened to us.", "", "z" * 2001, self.bodies.text(valid=False)]),
                                          "consent": r.choice([True, True, False, None])})
            self.send(who, "PUT", "/api/v1/portal/voice", note="family voice " + note, **kw)
        elif x == 1:
            self.send(who, "GET", "/api/v1/portal/voice")
        elif x == 2:
            self.send(who, "POST", "/api/v1/portal/voice/accept-edit", {})
        elif r.random() < 0.3:
            self.send(who, "DELETE", "/api/v1/portal/voice")
