#!/usr/bin/env bash
# Quarterly reports from the command line: synthetic cases from `demo seed`, `report build` in JSON, CSV and HTML,
# `report release` (signed, stored, refused the second time), and `report verify` against the key from
# `keys public` — and independently with PyNaCl — failing on a single changed byte.
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"
cd "$work"
K="$work/keys"; D="$work/data"
export RECONCILE_SECURITY_PASSWORD_HASH_COST=minimum
pyverify="$here/../ReconcileReportsTests/Support/verify_signature.py"
"$bin" keys init --key-dir "$K" >/dev/null && "$bin" migrate --data-dir "$D" >/dev/null
area=shropshire; q=2025-Q1

out=$("$bin" demo seed --data-dir "$D" --key-dir "$K" --cases 60 --quarter "$q" --seed 7 --council-area "$area" 2>"$work/err"); rc=$?
check "demo seed succeeds" test "$rc" -eq 0
check "demo seed prints one line saying what it did" test "$out" = "seeded 60 cases in $area for $q"
check "demo seed writes nothing on stderr" test ! -s "$work/err"
check "demo seed refuses a bad quarter" bash -c "! '$bin' demo seed --data-dir '$D' --key-dir '$K' --cases 1 --quarter 2025-Q5"

build() { "$bin" report build --data-dir "$D" --key-dir "$K" --council-area "$area" --quarter "$q" "$@"; }
build --format json >"$work/built.json" 2>"$work/err"; rc=$?
check "report build (json) succeeds" test "$rc" -eq 0
check "report build writes nothing on stderr" test ! -s "$work/err"
check "the json is one canonical line with the contract's keys" python3 - "$work/built.json" <<'PY'
import json, sys
raw = open(sys.argv[1], "rb").read()
doc = json.loads(raw)
assert b"\n" not in raw and raw == json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
assert set(doc) == {"quarter", "council_area", "kind", "generated_at", "policy", "figures", "tables", "themes", "voices"}
assert doc["quarter"] == "2025-Q1" and doc["council_area"] == "shropshire" and doc["kind"] == "quarter"
assert len(doc["tables"]) == 31 and all("total" in t for t in doc["tables"].values())
PY
check "no published count is 1 to 4" python3 - "$work/built.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
cells = [v for t in doc["tables"].values() for v in t.values()]
cells += [v for k, v in doc["figures"].items() if k not in ("median_days_to_acknowledge", "acknowledged_within_target_percent")]
assert not [v for v in cells if not isinstance(v, str) and 1 <= v <= 4], cells
assert "c" in cells
PY
build --format csv >"$work/built.csv"; rc=$?
check "report build (csv) succeeds" test "$rc" -eq 0
check "the csv has a header and the referrals figure" bash -c "head -1 '$work/built.csv' | grep -q '^table,table_title,category,category_label,value' && grep -q '^figures,Headline figures,referrals_received,' '$work/built.csv'"
check "the csv is tidy: one value per row, a number or [c], then a notes section" python3 -c "
import csv,json,sys; rows=list(csv.reader(open(sys.argv[1], newline=''))); blank=rows.index([])
doc = json.load(open(sys.argv[2])); data, notes = rows[1:blank], rows[blank+1:]
assert all(len(r)==5 for r in data) and len(data) == len(doc['figures']) + sum(len(t) for t in doc['tables'].values()), len(data)
assert all(r[4] == '' or r[4] == '[c]' or float(r[4]) >= 0 for r in data)
assert notes[0] == ['note', 'text'] and all(len(r) == 2 for r in notes)" "$work/built.csv" "$work/built.json"
build --format html >"$work/built.html"; rc=$?
check "report build (html) succeeds" test "$rc" -eq 0
check "the html is a page with svg charts and no script or style" bash -c "grep -q '<!DOCTYPE html>' '$work/built.html' && grep -q '<svg' '$work/built.html' && ! grep -qiE '<script|<style|style=' '$work/built.html'"
check "report build refuses an unknown format" bash -c "! '$bin' report build --data-dir '$D' --key-dir '$K' --council-area $area --quarter $q --format pdf"
check "report build refuses an unknown area" bash -c "! '$bin' report build --data-dir '$D' --key-dir '$K' --council-area atlantis --quarter $q"
check "nothing personal is in the built report" bash -c "! grep -qiE 'example\.invalid|Demo (Parent|Adult|Person|Relative|Young)|07700' '$work/built.json' '$work/built.csv' '$work/built.html'"

out=$("$bin" report release --data-dir "$D" --key-dir "$K" --council-area "$area" --quarter "$q" \
  --report-out "$work/report.json" --signature-out "$work/report.sig" 2>"$work/err"); rc=$?
check "report release succeeds" test "$rc" -eq 0
check "report release prints one line naming the release" bash -c "[[ \$(wc -l <<<'$out') -eq 1 && '$out' =~ ^released\ $q\ for\ $area:\ [0-9a-f-]{36}\$ ]]"
check "report release writes nothing on stderr" test ! -s "$work/err"
check "the released document is the built one but for generated_at" python3 - "$work/built.json" "$work/report.json" <<'PY'
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
a.pop("generated_at"); b.pop("generated_at")
assert a == b
PY

pub=$("$bin" keys public --key-dir "$K")
out=$("$bin" report verify --report "$work/report.json" --signature "$work/report.sig" --public-key "$pub" 2>&1); rc=$?
check "report verify accepts the released report" test "$rc" -eq 0
check "report verify says so" test "$out" = "ok: signature valid"
check "PyNaCl verifies it independently" python3 "$pyverify" "$work/report.json" "$work/report.sig" "$pub"

python3 - "$work/report.json" "$work/tampered.json" <<'PY'
import sys
data = bytearray(open(sys.argv[1], "rb").read())
i = data.index(b'"referrals_received":') + len(b'"referrals_received":')
data[i] = ord("9") if data[i] != ord("9") else ord("8")   # one byte: a different count
open(sys.argv[2], "wb").write(bytes(data))
PY
out=$("$bin" report verify --report "$work/tampered.json" --signature "$work/report.sig" --public-key "$pub" 2>&1); rc=$?
check "report verify fails on one changed byte" test "$rc" -eq 1
check "and says the signature does not match" grep -q "signature does not match" <<<"$out"
check "PyNaCl rejects the changed byte too" bash -c "! python3 '$pyverify' '$work/tampered.json' '$work/report.sig' '$pub' >/dev/null"
other=$(python3 -c 'import nacl.signing, base64; print(base64.b64encode(bytes(nacl.signing.SigningKey.generate().verify_key)).decode())')
check "report verify fails with another key" bash -c "! '$bin' report verify --report '$work/report.json' --signature '$work/report.sig' --public-key '$other' >/dev/null 2>&1"
check "report verify fails on a garbled signature" bash -c "echo 'not base64!' >'$work/bad.sig'; ! '$bin' report verify --report '$work/report.json' --signature '$work/bad.sig' --public-key '$pub' >/dev/null 2>&1"

err=$("$bin" report release --data-dir "$D" --key-dir "$K" --council-area "$area" --quarter "$q" 2>&1 >/dev/null); rc=$?
check "releasing the same quarter again is refused non-zero" test "$rc" -ne 0
check "with one line naming the problem" bash -c "[[ \$(wc -l <<<'$err') -eq 1 ]] && grep -q 'already been released' <<<'$err'"
err=$("$bin" report release --data-dir "$D" --key-dir "$K" --council-area "$area" --quarter 2999-Q1 2>&1 >/dev/null); rc=$?
check "releasing a quarter not yet over is refused" bash -c "[[ $rc -ne 0 ]] && grep -q 'has not ended' <<<'$err'"

stored=$(python3 -c 'import sqlite3,sys; r=sqlite3.connect(sys.argv[1]).execute("SELECT document FROM report_release").fetchall(); sys.stdout.buffer.write(r[0][0]) if len(r)==1 else sys.exit(1)' "$D/reconcile.sqlite" | sha256sum)
check "the ledger holds exactly the released bytes" test "$stored" = "$(sha256sum <"$work/report.json")"
check "the ledger refuses changes" python3 - "$D/reconcile.sqlite" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
for sql in ("UPDATE report_release SET document = x'00'", "DELETE FROM release_cell", "DELETE FROM report_release"):
    try:
        c.execute(sql); c.commit()
    except sqlite3.DatabaseError:
        continue
    sys.exit(1)
PY
out=$("$bin" check --data-dir "$D" --key-dir "$K" 2>&1); rc=$?
check "the audit chain still verifies after seeding and releasing" test "$rc" -eq 0

# The linked-table audit: every suppressed count of the year with the range a reader can narrow it to.
out=$("$bin" report audit --data-dir "$D" --key-dir "$K" --council-area "$area" --quarter "$q" 2>"$work/err"); rc=$?
check "report audit of the released quarter succeeds (nothing too narrow)" test "$rc" -eq 0
check "report audit ends with a summary line" bash -c "tail -1 <<<'$out' | grep -qE '^[0-9]+ suppressed counts in 1 releases; 0 narrower than 2 possible values$'"
check "report audit lists ranges, never one value" bash -c "! grep -q 'one value only' <<<'$out' && ! grep -q 'TOO NARROW' <<<'$out'"
out=$("$bin" report audit --data-dir "$D" --key-dir "$K" --council-area "$area" --quarter "$q" --kind year_to_date 2>&1); rc=$?
check "report audit --kind year_to_date audits the unreleased year to date too" bash -c "[[ $rc -eq 0 ]] && grep -q ' in 2 releases; 0 narrower' <<<'$out'"
err=$("$bin" report audit --data-dir "$D" --key-dir "$K" --council-area "$area" --quarter "$q" --kind weekly 2>&1 >/dev/null); rc=$?
check "report audit refuses an unknown kind" bash -c "[[ $rc -ne 0 ]] && grep -q -- '--kind must be' <<<'$err'"
out=$("$bin" report release --data-dir "$D" --key-dir "$K" --council-area "$area" --quarter "$q" --kind year_to_date 2>&1); rc=$?
check "the year to date is released, not refused" bash -c "[[ $rc -eq 0 ]] && grep -q '^released $q for $area' <<<'$out'"
out=$("$bin" report release --data-dir "$D" --key-dir "$K" --council-area "$area" --quarter "$q" --kind correction 2>&1); rc=$?
check "a correction of the quarter is released" bash -c "[[ $rc -eq 0 ]] && grep -q '^released $q for $area' <<<'$out'"
