#!/usr/bin/env bash
# The council's release as its analysts check and open it, from outside: a released report downloaded by a council
# API token, verified with exactly the OpenSSL command the council page gives (the PEM key from the open route, the
# signature base64-decoded), failing on one changed byte; the ODS spreadsheet read by odfpy, every cell compared
# with the signed JSON; the tidy CSV; a spreadsheet whose every count is hidden still opens; bad formats refused.
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"
cd "$work"
K="$work/keys"; D="$work/data"
export RECONCILE_SECURITY_PASSWORD_HASH_COST=minimum
readods="$here/../ReconcileReportsTests/Support/read_ods.py"
"$bin" keys init --key-dir "$K" >/dev/null && "$bin" migrate --data-dir "$D" >/dev/null
"$bin" demo seed --data-dir "$D" --key-dir "$K" --cases 60 --quarter 2025-Q1 --seed 7 --council-area herefordshire >/dev/null
"$bin" demo seed --data-dir "$D" --key-dir "$K" --cases 1 --quarter 2025-Q1 --seed 8 --council-area worcestershire >/dev/null
"$bin" report release --data-dir "$D" --key-dir "$K" --council-area herefordshire --quarter 2025-Q1 >/dev/null
printf 'an officer password\n' | "$bin" user add --data-dir "$D" --key-dir "$K" --email officer@herefordshire.example \
  --role council --council-area herefordshire --password-stdin >/dev/null
token=$("$bin" token add --data-dir "$D" --key-dir "$K" --email officer@herefordshire.example | cut -d' ' -f2)
port=$(free_port)
"$bin" serve --data-dir "$D" --key-dir "$K" --port "$port" >"$work/serve.log" 2>&1 &
wait_ready "$port"
api="http://127.0.0.1:$port/api/v1"
get() { curl -fsS -H "Authorization: Bearer $token" "$@"; }

get "$api/council/reports/2025-Q1" -o report.json
get "$api/council/reports/2025-Q1/signature" -o report.sig.b64
base64 -d report.sig.b64 > report.sig   # as the council page says
curl -fsS "$api/council/public-key?format=pem" -o key.pem
check "the public key downloads as PEM" grep -q '^-----BEGIN PUBLIC KEY-----$' key.pem
check "openssl verifies the report with the PEM key and the decoded signature" bash -c \
  "openssl pkeyutl -verify -pubin -inkey key.pem -rawin -in report.json -sigfile report.sig | grep -q 'Signature Verified Successfully'"
python3 -c "import sys; b=bytearray(open('report.json','rb').read()); b[len(b)//2] ^= 1; open('altered.json','wb').write(b)"
check "openssl refuses the report with one bit changed" bash -c \
  "! openssl pkeyutl -verify -pubin -inkey key.pem -rawin -in altered.json -sigfile report.sig"

get "$api/council/reports/2025-Q1?format=ods" -o report.ods
get "$api/council/reports/2025-Q1?format=csv" -o report.csv
check "odfpy opens the spreadsheet and every cell holds what the signed JSON says" python3 - "$readods" report.ods report.json report.csv <<'PY'
import csv, json, subprocess, sys
read = json.loads(subprocess.run([sys.executable, sys.argv[1], sys.argv[2]], check=True, capture_output=True).stdout)
doc = json.load(open(sys.argv[3], encoding="utf-8"))
rows = list(csv.reader(open(sys.argv[4], newline="", encoding="utf-8")))
data = rows[1:rows.index([])]
label = {(r[0], r[2]): r[3] for r in data}           # the tidy CSV names each code
order = []                                            # (table, code) in sheet order, from the CSV
for r in data:
    if r[0] not in [t for t, _ in order]: order.append((r[0], []))
    order[[t for t, _ in order].index(r[0])][1].append(r[2])
assert read["mimetype"] == "application/vnd.oasis.opendocument.spreadsheet" and read["mimetype_first_and_stored"]
sheets = {s["name"]: s for s in read["sheets"]}
assert [s["name"] for s in read["sheets"]][:3] == ["Cover", "Contents", "Notes"]
def holds(cell, value):
    if isinstance(value, str): return cell["type"] == "string" and cell["text"] == "[" + value + "]"
    if value is None: return cell["text"] == "[x]"
    return cell["type"] == "float" and float(cell["value"]) == float(value)
checked = 0
for n, (table, codes) in enumerate(order, start=1):
    sheet = sheets[f"Table_{n}"]
    assert sheet["header_rows"] == 1 and sheet["rows"][0][0]["text"].startswith(f"Table {n}: ")
    values = doc["figures"] if table == "figures" else doc["tables"][table]
    for row, code in zip(sheet["rows"][3:], codes):
        assert row[0]["text"] == label[(table, code)], (table, code, row[0]["text"])
        assert holds(row[1], values[code]), (table, code, row[1], values[code])
        checked += 1
    assert len(sheet["rows"]) - 3 == len(codes) == len(values)
assert checked == len(doc["figures"]) + sum(len(t) for t in doc["tables"].values()), checked
levels = [r[0]["text"] for s in read["sheets"] for r in s["rows"] if r and r[0]["text"].startswith("Level 4")]
assert levels == ["Level 4: Statutory social care"], levels
print(checked)
PY
check "the tidy csv gives [c] for hidden counts, never a number in their place" python3 - report.csv report.json <<'PY'
import csv, json, sys
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8"))); doc = json.load(open(sys.argv[2]))
data = rows[1:rows.index([])]
for t, _, code, _, value in data:
    v = (doc["figures"] if t == "figures" else doc["tables"][t])[code]
    assert value == ("[c]" if isinstance(v, str) else "" if v is None else str(v) if isinstance(v, int) else value), (t, code, value, v)
assert any(r[4] == "[c]" for r in data)
PY

"$bin" report build --data-dir "$D" --key-dir "$K" --council-area worcestershire --quarter 2025-Q1 --format ods > hidden.ods
check "a spreadsheet whose counts are hidden still opens in odfpy" bash -c "python3 '$readods' hidden.ods | grep -q '\"Table_2\"'"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$api/council/reports/2025-Q1?format=xlsx")
check "an unknown format is 400 with the list" test "$code" = 400
check "the 400 names the formats" bash -c "curl -s -H 'Authorization: Bearer $token' '$api/council/reports/2025-Q1?format=xlsx' | grep -q 'json, csv, html, ods'"
