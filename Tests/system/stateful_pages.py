"""The HTML side for the stateful fuzzer: read every <form> on a page (its action, its CSRF token, its fields and
their choices) and fill one in with chosen, nearly valid or hostile values, as a person or a script might.
"""
import html.parser
import re

from stateful_bodies import NASTY


class Form:
    def __init__(self, action, method):
        self.action, self.method = action, method
        self.fields = []  # (name, kind, value or options)


class FormReader(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self._form, self._select = [], None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = Form(a.get("action") or "", (a.get("method") or "get").upper())
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            self._form.fields.append((a["name"], (a.get("type") or "text").lower(), a.get("value") or ""))
        elif tag == "textarea" and a.get("name"):
            self._form.fields.append((a["name"], "textarea", ""))
        elif tag == "select" and a.get("name"):
            self._select = (a["name"], [])
            self._form.fields.append((a["name"], "select", self._select[1]))
        elif tag == "option" and self._select is not None:
            self._select[1].append(a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def forms_of(page):
    reader = FormReader()
    reader.feed(page)
    return [f for f in reader.forms if f.method == "POST"]


def fill(form, rng, hostile, known=None):
    """Form pairs for one submission: the hidden CSRF token kept (or spoiled when hostile), one choice per radio
    group, some boxes ticked, text from the nasty list at times."""
    pairs, radios = [], {}
    for name, kind, value in form.fields:
        if kind == "hidden":
            if name == "csrf_token" and hostile and rng.random() < 0.1:
                value = rng.choice(["", "x", value[:-1]])
            pairs.append((name, value))
        elif kind == "radio":
            radios.setdefault(name, []).append(value)
        elif kind == "checkbox":
            if rng.random() < 0.5:
                pairs.append((name, value or "on"))
        elif kind == "select":
            pairs.append((name, rng.choice(value) if value and not (hostile and rng.random() < 0.3) else rng.choice(NASTY)))
        elif kind in ("submit", "button"):
            if value and rng.random() < 0.5:
                pairs.append((name, value))
        else:
            if known and known.get(name) and rng.random() < 0.8:
                pairs.append((name, rng.choice(known[name])))
            else:
                pairs.append((name, sample_text(name, kind, rng, hostile)))
    for name, values in radios.items():
        if rng.random() < 0.9:
            pairs.append((name, rng.choice(values) if not (hostile and rng.random() < 0.3) else rng.choice(NASTY)))
    if hostile and pairs:
        choice = rng.randrange(4)
        if choice == 0:
            pairs.pop(rng.randrange(len(pairs)))
        elif choice == 1:
            pairs.append(rng.choice(pairs))  # a field twice
        elif choice == 2:
            pairs.append((rng.choice(["x", "", "%zz", "a" * 300]), rng.choice(NASTY)))
    return pairs


def sample_text(name, kind, rng, hostile):
    if hostile and rng.random() < 0.5:
        return rng.choice(NASTY)
    if kind == "date" or "date" in name or name.endswith("_on"):
        return rng.choice(["2025-06-01", "2026-01-05", "2031-01-01", "2025-02-30", ""])
    if kind == "number" or name in ("duration_minutes", "offers_made", "level_of_need"):
        return str(rng.choice([1, 30, 600, 601, 0, -5, 10**20]))
    if kind == "email" or name in ("email", "practitioner"):
        return rng.choice(["pat1@example.org", "pat2@example.org", "lead@example.org", "nobody@example.org"])
    if name == "phone":
        return "07700 900123"
    if name == "month":
        return rng.choice(["2026-01", "2025-13", "0000-00", ""])
    if name == "quarter":
        return rng.choice(["2025-Q1", "2025-Q2", "2031-Q1", "2025-Q9"])
    return rng.choice(["Talked it through", "Dyma tekst", "\u202eevil", "x" * 300])


def csrf_cookie(set_cookie_headers):
    for header in set_cookie_headers:
        m = re.match(r"\s*(?:__Host-)?reconcile_csrf=([^;]*)", header)
        if m:
            return m.group(1)
    return None
