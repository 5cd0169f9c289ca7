"""Request bodies for the stateful fuzzer: valid ones for every operation, and the nearly valid and hostile
variants made from them (a field left out, null, the wrong type, a number at or past its bound, an empty or
5,000-character string, bidi and control characters, an unknown key, a key twice, JSON that is not JSON).

Everything draws from the one `random.Random` the driver seeds, so a seed replays the same bodies.
"""
import datetime
import json

AREAS = ["herefordshire", "shropshire", "telford_and_wrekin", "worcestershire"]
ROLES = ["parent_or_carer", "young_person", "adult_affected_as_child", "other_family_member", "prefer_not_to_say"]
SETTINGS = ["primary", "secondary", "college", "special_school", "alternative_provision", "outside_education", "online",
            "prefer_not_to_say"]
HARMS = ["sexual_harassment", "online_or_image_based", "sexual_assault", "rape_or_assault_by_penetration",
         "other_harmful_sexual_behaviour", "prefer_not_to_say"]
WHENS = ["under_1_year", "1_to_3_years", "over_3_years", "prefer_not_to_say"]
TOLD = ["school", "police", "council_or_social_care", "health", "none", "prefer_not_to_say"]
WISHES = ["to_be_listened_to", "counselling", "independent_legal_advice", "education_support", "emotional_support",
          "social_support", "reconciliation_meeting", "information_only"]
INVOLVEMENTS = ["harmed", "saw_or_knew", "was_accused_or_harmed_others", "more_than_one", "prefer_not_to_say"]
NEEDS = ["counselling", "independent_legal_advice", "education_support", "emotional_support", "social_support",
         "specialist_sexual_violence_support", "online_safety", "mental_health", "family_support", "information"]
ROUTES = ["social_care", "police", "lado", "early_help"]
SG_OUTCOMES = ["pending", "accepted", "no_further_action", "re_referred"]
SP_OUTCOMES = ["accepted", "declined", "no_response", "pending"]
CLOSE_REASONS = ["completed", "withdrawn", "no_contact", "declined", "transferred"]
THEMES = ["contact_with_other_child_continued", "schools_response", "information_shared_between_settings",
          "moving_school_or_county", "waiting", "being_believed"]
OFFER_CHANNELS = ["letter_from_the_council", "through_schools", "public_campaign", "other"]
STAGES = ["received", "acknowledged", "listening", "assessed", "signposted", "closed"]

# Strings that have broken parsers, encoders, trimming, CSV escaping and HTML elsewhere.
NASTY = [
    "", " ", "\t\n ", "\u00a0", "\u200b", "\u202eevil\u202c", "\u2066isolate\u2069", "\u061c", "a\u0000b", "\u0000",
    "\u001b[31mred", "\r\nX-Injected: 1", "\x7f", "\u0085", "\u2028\u2029", "\ufeff", "\uffff", "\U0001F600" * 3,
    "e\u0301" * 4, "=cmd|' /C calc'!A0", "+1", "-1", "@SUM(1)", "<script>alert(1)</script>", "{{x}}", "{{{x}}}",
    "%s%n%x", "../../etc/passwd", "' OR 1=1 --", "null", "true", "0", "-0", "1e999", "NaN", "\\", '"', "\ud800",
    "\udfff", "RS-0000-0000", "rs-", "x" * 5000, "\u202e" * 5000, "é" * 3000, "\U0001F469\u200d\U0001F469" * 500,
]
NUMBERS = [0, -1, 1, 2, 5, 6, 600, 601, 10000000, 10000001, 2**31, -2**31 - 1, 2**53 + 1, 2**63 - 1, 2**63, 2**64,
           -2**63, -2**64, 10**30, 1.5, -0.0, 1e308, -1e308, 4.9e-324]


def london_today():
    # Europe/London is UTC or UTC+1; a day either side is enough for the fuzzer's "today" and "future".
    return datetime.datetime.now(datetime.timezone.utc).date()


class Bodies:
    def __init__(self, rng):
        self.r = rng

    # ---- small values -------------------------------------------------------------------------------------
    def some(self, items, lo=1, hi=3):
        return self.r.sample(items, self.r.randint(lo, min(hi, len(items))))

    def date(self, valid=True):
        today = london_today()
        if valid:
            return (today - datetime.timedelta(days=self.r.randint(1, 400))).isoformat()
        return self.r.choice([(today + datetime.timedelta(days=self.r.randint(2, 4000))).isoformat(), "1999-12-31",
                              "2000-01-01", "2026-02-30", "2025-13-01", "0000-00-00", "9999-12-31", "2025-1-1",
                              "2025-01-01T00:00:00Z", "", "yesterday", today.isoformat()])

    def quarter(self):
        y = london_today().year
        return self.r.choice(["2025-Q1", "2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2",
                              f"{y}-Q3", f"{y}-Q4", "2000-Q1", "2999-Q4", "2025-Q0", "2025-Q5", "2025-q1",
                              "9999-Q1", "0000-Q1", "2025-Q1x", "%32025-Q1", "-2025-Q1"])

    def text(self, valid=True):
        if valid and self.r.random() < 0.7:
            return self.r.choice(["Talked through what school can do", "Agreed to call back on Friday",
                                  "Mum wants the school to act", "zażółć gęślą jaźń", "Дякую"])
        return self.r.choice(NASTY)

    def email(self, roster):
        return self.r.choice(roster + ["nobody@example.org", "LEAD@EXAMPLE.ORG", " pat1@example.org ", "", "x" * 300])

    # ---- valid bodies -------------------------------------------------------------------------------------
    def referral(self, staff=False, canary="Fuzz"):
        r = self.r
        pref = r.choice(["email", "phone", "post", "portal"])
        contact = {"preference": pref}
        if pref == "email" or r.random() < 0.5:
            contact["email"] = r.choice([f"{canary.lower()}{r.randint(1, 40)}@example.org", "same@example.org"])
        if pref == "phone" or r.random() < 0.4:
            contact["phone"] = r.choice(["07700 900123", "+44 (0)1632 960 001", f"0770090{r.randint(1000, 9999)}"])
        if pref == "post" or r.random() < 0.2:
            contact["address"] = "1 High Street, Shrewsbury"
        if r.random() < 0.6:
            contact["name"] = canary + " Name"
        if r.random() < 0.3:
            contact["safe_to_leave_message"] = r.random() < 0.5
            contact["safe_times"] = "Weekdays after six"
        body = {"contact": contact, "council_area": r.choice(AREAS + ["shropshire"] * 3),
                "referrer_role": r.choice(ROLES), "setting": r.choice(SETTINGS), "harm": self.some(HARMS),
                "when": r.choice(WHENS), "told_before": self.some(TOLD), "wishes": self.some(WISHES),
                "consent": {"contact": True, "statistics": r.random() < 0.8}}
        optional = {
            "involvement": lambda: r.choice(INVOLVEMENTS + ["harmed", "was_accused_or_harmed_others"] * 2),
            "age_band": lambda: r.choice(["under_13", "13_to_15", "16_to_17", "18_or_over", "prefer_not_to_say"]),
            "parent_knows": lambda: r.choice(["yes", "no", "prefer_not_to_say"]),
            "heard_from": lambda: r.choice(["letter_from_the_council", "school_or_college", "other"]),
            "language": lambda: r.choice(["en", "en-easy", "pl", None]),
            "pattern": lambda: self.some(["more_than_once", "by_a_group", "online", "on_the_way_to_or_from_school",
                                          "more_than_one_school"], 0, 3),
            "monitoring": lambda: {"child_sex": r.choice(["girl", "boy", "another_way", None]),
                                   "send": r.choice(["yes", "no", "not_sure", None])},
            "access_needs": lambda: {"language": "Polish", "interpreter": True, "bsl": False, "easy_read": None,
                                     "large_print": r.random() < 0.5, "supporter": "Aunt", "other": "Quiet room"},
            "notify_by_email": lambda: "email" in contact and r.random() < 0.5,
            "story": lambda: f"told by {canary}",
        }
        for key, make in optional.items():
            if r.random() < 0.5:
                body[key] = make()
        if staff:
            body["channel"] = r.choice(["phone", "post", "in_person", "professional_on_behalf"])
        return body

    def case_action(self, action, case, services, roster):
        """A valid body for one case action; `case` is the driver's record of the case."""
        r = self.r
        if action == "assign":
            return {"practitioner": self.email(roster) if r.random() < 0.2 else r.choice(roster[:3])}
        if action == "acknowledge":
            return {"method": r.choice(["email", "phone", "post", "portal"]), "note": self.text()}
        if action == "listening-sessions":
            return {"date": self.date(), "duration_minutes": r.randint(1, 600), "modality": r.choice(["phone", "video", "in_person"]),
                    "advice_given": self.text(), "actions_agreed": self.text(), "note": self.text()}
        if action == "assessment":
            body = {"level_of_need": r.randint(1, 4), "needs": self.some(NEEDS)}
            for k in ("note", "advice_given", "actions_agreed", "reason"):
                if r.random() < 0.5:
                    body[k] = self.text()
            return body
        if action == "signposts":
            service, needs = r.choice(services) if services else ("rape_crisis", ["counselling"])
            body = {"service": service, "need": r.choice(needs) if r.random() < 0.9 else r.choice(NEEDS)}
            for k in ("note", "advice_given", "actions_agreed", "reason"):
                if r.random() < 0.4:
                    body[k] = self.text()
            if r.random() < 0.5:
                body["kind"] = r.choice(["information_given", "referral_made_with_consent", None])
            return body
        if action == "signpost-outcome":
            return {"outcome": r.choice(SP_OUTCOMES)}
        if action == "safeguarding":
            informed = r.random() < 0.5
            body = {"routes": self.some(ROUTES, 1, 4), "parents_informed": informed}
            if not informed:
                body["parents_not_informed_reason"] = r.choice(["greater_risk_to_child", "other"])
            if r.random() < 0.5:
                body["date"] = r.choice([None, self.date()])
            if r.random() < 0.4:
                body["area_referred_to"] = r.choice(AREAS + ["other", None])
            if r.random() < 0.5:
                body["outcome"] = r.choice(SG_OUTCOMES + [None])
            if case.get("safeguarding") and r.random() < 0.4:
                body["re_referral_of"] = r.choice(case["safeguarding"])
            if r.random() < 0.4:
                body["note"] = self.text()
            return body
        if action == "safeguarding-outcome":
            return {"outcome": r.choice(SG_OUTCOMES)}
        if action == "messages":
            return {"body": self.text()}
        if action == "close":
            body = {"reason": r.choice(CLOSE_REASONS)}
            if r.random() < 0.5:
                body["summary"] = self.text()
            if r.random() < 0.3:
                body["note"] = self.text()
            return body
        if action == "safeguarding-hold":
            return {"on": r.random() < 0.5}
        if action == "reopen":
            return {"reason": self.text()}
        if action == "themes":
            return {"themes": self.some(THEMES, 0, 4)}
        if action == "evidential-hold":
            hold = r.random() < 0.5
            return {"hold": hold, "reason": self.text()} if hold or r.random() < 0.3 else {"hold": hold}
        if action == "appointments":
            # Mostly ahead (some past, some beyond a year), a whole minute with its offset; some for another person.
            start = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=r.randint(-180, 60 * 24 * 400))
            body = {"starts_at": start.replace(second=0, microsecond=0).isoformat(), "duration_minutes": r.choice([5, 30, 60, 90, 480, r.randint(0, 600)]),
                    "modality": r.choice(["phone", "video", "in_person"])}
            if r.random() < 0.3:
                body["practitioner"] = self.email(roster) if r.random() < 0.3 else r.choice(roster[:3])
            if r.random() < 0.4:
                body["note"] = self.text()
            return body
        if action == "appointment-update":
            kind = r.choice(["moved", "moved", "cancelled", "held"])
            if kind == "moved":
                start = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=r.randint(-60, 60 * 24 * 30))
                body = {"starts_at": start.replace(second=0, microsecond=0).isoformat()}
                if r.random() < 0.5:
                    body["status"] = "moved"
                if r.random() < 0.3:
                    body["duration_minutes"] = r.randint(1, 500)
                return body
            if kind == "held":
                return {"status": "held", "advice_given": self.text(), "note": self.text()}
            return {"status": "cancelled"}
        raise KeyError(action)

    # ---- nearly valid and hostile ---------------------------------------------------------------------------
    def wrong_value(self):
        r = self.r
        return r.choice([None, True, False, r.choice(NUMBERS), r.choice(NASTY), [], [None], {}, {"a": 1},
                         [r.choice(NASTY)], "x" * 5000, ["x"] * 500, [[[[[]]]]]])

    def _paths(self, value, prefix=()):
        yield prefix
        if isinstance(value, dict):
            for k, v in value.items():
                yield from self._paths(v, prefix + (k,))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                yield from self._paths(v, prefix + (i,))

    def mutate(self, body):
        """A nearly valid copy of `body`: one change at one place. Returns (description, new body)."""
        r = self.r
        body = json.loads(json.dumps(body))
        paths = [p for p in self._paths(body) if p]
        if not paths:
            return "unknown key", {"unexpected": r.choice(NASTY)}
        path = r.choice(paths)
        parent = body
        for step in path[:-1]:
            parent = parent[step]
        last = path[-1]
        kind = r.choice(["drop", "null", "wrong", "wrong", "number", "string", "string", "unknown", "enum"])
        where = ".".join(map(str, path))
        if kind == "drop":
            parent.pop(last) if isinstance(parent, dict) else parent.pop(last)
        elif kind == "null":
            parent[last] = None
        elif kind == "wrong":
            parent[last] = self.wrong_value()
        elif kind == "number":
            parent[last] = r.choice(NUMBERS)
        elif kind == "string":
            parent[last] = r.choice(NASTY)
        elif kind == "enum":
            value = parent[last]
            parent[last] = (value.upper() if isinstance(value, str) else str(value)) + r.choice(["", " ", "_x", "\u0000"])
        else:
            target = parent if isinstance(parent, dict) else body
            target[r.choice(["unexpected", "__proto__", "", "id", "stage", "assigned_to", "x" * 300])] = self.wrong_value()
        return f"{kind} {where}", body

    def hostile_raw(self, body):
        """Bytes that are not a well-formed request body, and the Content-Type to send them with."""
        r = self.r
        text = json.dumps(body, ensure_ascii=r.random() < 0.5)
        choice = r.randrange(14)
        if choice == 0 and isinstance(body, dict) and body:
            key = r.choice(list(body))
            dup = json.dumps({key: self.wrong_value()})[1:-1]
            return "duplicate key " + key, text[:-1] + ", " + dup + "}", "application/json"
        if choice == 1:
            return "truncated", text[: r.randint(0, max(0, len(text) - 1))], "application/json"
        if choice == 2:
            return "top-level " + r.choice(["array", "null", "number", "string"]), r.choice(["[]", "null", "1", '"x"', "[{}]"]), "application/json"
        if choice == 3:
            depth = r.choice([100, 1000, 10000, 30000])
            return f"nested {depth}", "[" * depth + "]" * depth, "application/json"
        if choice == 4:
            depth = r.choice([100, 1000, 10000])
            return f"nested objects {depth}", '{"a":' * depth + "1" + "}" * depth, "application/json"
        if choice == 5:
            return "empty", "", "application/json"
        if choice == 6:
            return "form content type", text, r.choice(["application/x-www-form-urlencoded", "text/plain", "",
                                                         "application/json; charset=latin1", "application/json; charset=utf-8",
                                                         "APPLICATION/JSON", "application/json;;;", "multipart/form-data; boundary=x"])
        if choice == 7:
            return "invalid utf-8", text.encode("utf-8", "surrogatepass")[:-1] + b"\xff\xfe\xc0\x80}", "application/json"
        if choice == 8:
            return "lone surrogate", text[:-1] + (', "x": "\\ud800"}' if text.startswith("{") and len(text) > 2 else '"\\udc00"'), "application/json"
        if choice == 9:
            return "over the size limit", '{"x":"' + "a" * 70000 + '"}', "application/json"
        if choice == 10:
            return "bom", "\ufeff" + text, "application/json"
        if choice == 11:
            return "huge number literal", text[:-1] + (', "n": 1' + "0" * 400 + "}" if len(text) > 2 else "1e99999"), "application/json"
        if choice == 12:
            return "nul bytes", text.replace(":", ":\u0000", 1), "application/json"
        return "trailing garbage", text + r.choice(["}", " x", "\u0000", "{}", "\n\n"]), "application/json"
