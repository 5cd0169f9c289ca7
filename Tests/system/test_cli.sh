#!/usr/bin/env bash
# The command line as an operator uses it: keys, migrate, check, serve, and honest failures.
source "$(dirname "$0")/lib.sh"
cd "$work"
K="$work/keys"; D="$work/data"

help=$("$bin" --help)
for c in serve migrate keys user token report retention backup restore check demo; do
  check "--help lists $c" grep -qE "^  $c " <<<"$help"
done
check "keys init succeeds" "$bin" keys init --key-dir "$K"
check "key directory is 0700" test "$(stat -c %a "$K")" = 700
check "key files are 0600" test "$(stat -c %a "$K"/*.key | sort -u)" = 600
check "keys init refuses to overwrite" bash -c "! '$bin' keys init --key-dir '$K'"
check "keys public prints a 32-byte base64 key" bash -c "'$bin' keys public --key-dir '$K' | base64 -d | wc -c | grep -qx 32"
check "migrate succeeds" "$bin" migrate --data-dir "$D"
check "check passes on a fresh install" "$bin" check --data-dir "$D" --key-dir "$K"
check "check fails without a database" bash -c "! '$bin' check --data-dir '$work/none' --key-dir '$K'"
out=$("$bin" check --data-dir "$D" --key-dir "$K" 2>&1)
check "check verifies the (empty) audit chain on a fresh install" grep -qx "ok   audit chain: 0 rows verified" <<<"$out"
check "check warns that the levels of need are not yet confirmed" grep -q "^warn levels of need: herefordshire" <<<"$out"
check "check prints what policies/recording.json requires" grep -qx "ok   recording policy: required listening_session advice_given; close reason" <<<"$out"
# A typo in recording.json stops check (and serve) with a line naming it, instead of silently requiring nothing.
cp -r "${RECONCILE_POLICIES_DIR:-$root/policies}" "$work/typo-policies"
printf '{"required": {"listening_session": ["advise_given"]}}' > "$work/typo-policies/recording.json"
typo=$("$bin" check --data-dir "$D" --key-dir "$K" --policies-dir "$work/typo-policies" 2>&1 || true)
check "a typo in recording.json fails check naming the field" grep -q "advise_given" <<<"$typo"
check "check exits non-zero on a bad recording.json" bash -c "! '$bin' check --data-dir '$D' --key-dir '$K' --policies-dir '$work/typo-policies' >/dev/null 2>&1"

# The audit chain. No command writes audit rows yet, so rows are written here by an independent
# implementation of the documented encoding (Python's hashlib, holding the index key as the server does),
# then tampered with as someone holding only the database file would: drop the triggers, edit with SQL.
cat >"$work/audit.py" <<'PY'
import hashlib, sqlite3, struct, sys
db, cmd = sqlite3.connect(sys.argv[1], isolation_level=None), sys.argv[2]
def lp(b): return struct.pack(">I", len(b)) + b
def opt(s): return b"\0" if s is None else b"\1" + lp(s.encode())
if cmd == "append":  # append N genuine rows: key = crypto_kdf(id 1, "auditlog", index key)
    index_key, n = open(sys.argv[3], "rb").read(), int(sys.argv[4])
    key = hashlib.blake2b(b"", digest_size=32, key=index_key, salt=struct.pack("<Q", 1), person=b"auditlog").digest()
    head = db.execute("SELECT last_seq, last_hash FROM audit_head").fetchone() or (0, bytes(32))
    seq, prev = head
    db.execute("BEGIN")
    for i in range(n):
        seq += 1
        at, actor, action, case_id, detail = f"2026-05-01 12:00:{seq:02d}.250", f"staff-{i % 3}", "case.read", f"case-{i}", None
        m = (lp(b"reconcile/audit-log/v1") + struct.pack(">Q", seq) + lp(at.encode()) + lp(actor.encode())
             + lp(action.encode()) + opt(case_id) + opt(detail) + lp(prev))
        h = hashlib.blake2b(m, digest_size=32, key=key).digest()
        db.execute("INSERT INTO audit_log (seq, at, actor, action, case_id, detail, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?)",
                   (seq, at, actor, action, case_id, detail, prev, h))
        prev = h
    mac = hashlib.blake2b(lp(b"reconcile/audit-head/v1") + struct.pack(">Q", seq) + lp(prev), digest_size=32, key=key).digest()
    if head[0] == 0: db.execute("INSERT INTO audit_head (id, last_seq, last_hash, mac) VALUES (1, ?, ?, ?)", (seq, prev, mac))
    else: db.execute("UPDATE audit_head SET last_seq = ?, last_hash = ?, mac = ?", (seq, prev, mac))
    db.execute("COMMIT")
elif cmd == "sql":
    db.executescript(sys.argv[3])
elif cmd == "tamper":  # as someone with only the file: drop the triggers, then edit
    for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name LIKE 'audit%'").fetchall():
        db.execute(f"DROP TRIGGER {name}")
    db.executescript(sys.argv[3])
PY
audit() { python3 "$work/audit.py" "$@"; }
audit_check() { "$bin" check --data-dir "$1" --key-dir "$K" 2>&1 >/dev/null; }   # stderr only: the failure line
A="$work/audit-a"; "$bin" migrate --data-dir "$A" >/dev/null
check "independently hashed audit rows are appended" audit "$A/reconcile.sqlite" append "$K/index.key" 6
out=$("$bin" check --data-dir "$A" --key-dir "$K" 2>&1)
check "check verifies an audit chain of 6 rows" grep -qx "ok   audit chain: 6 rows verified" <<<"$out"
check "SQLite refuses to UPDATE an audit row" bash -c "! python3 '$work/audit.py' '$A/reconcile.sqlite' sql \"UPDATE audit_log SET action = 'x' WHERE seq = 2\" 2>/dev/null"
check "SQLite refuses to DELETE an audit row" bash -c "! python3 '$work/audit.py' '$A/reconcile.sqlite' sql 'DELETE FROM audit_log WHERE seq = 6' 2>/dev/null"
check "check still passes after the refused edits" "$bin" check --data-dir "$A" --key-dir "$K"
audit "$A/reconcile.sqlite" tamper "UPDATE audit_log SET action = 'case.acknowledge' WHERE seq = 3"
err=$(audit_check "$A"); rc=$?
check "check fails after an audit row is altered" test "$rc" -ne 0
check "the failure names the altered row" grep -qx "Error: audit chain broken at row 3: hash does not match its contents" <<<"$err"
check "the failure is one line" test "$(wc -l <<<"$err")" -eq 1

B="$work/audit-b"; "$bin" migrate --data-dir "$B" >/dev/null; audit "$B/reconcile.sqlite" append "$K/index.key" 4
audit "$B/reconcile.sqlite" sql "INSERT INTO audit_log (seq, at, actor, action, prev_hash, hash)
  SELECT 5, at, 'staff-0', 'case.read', hash, randomblob(32) FROM audit_log WHERE seq = 4"
err=$(audit_check "$B"); rc=$?
check "check fails on a forged audit row, naming it" bash -c "test $rc -ne 0 && grep -q 'audit chain broken at row 5' <<<'$err'"

C="$work/audit-c"; "$bin" migrate --data-dir "$C" >/dev/null; audit "$C/reconcile.sqlite" append "$K/index.key" 5
audit "$C/reconcile.sqlite" tamper "DELETE FROM audit_log WHERE seq = 3"
err=$(audit_check "$C"); rc=$?
check "check fails on a removed middle row, naming the next" bash -c "test $rc -ne 0 && grep -q 'audit chain broken at row 4' <<<'$err'"
audit "$C/reconcile.sqlite" tamper "DELETE FROM audit_log WHERE seq > 3"
err=$(audit_check "$C"); rc=$?
check "check fails when the newest rows are removed" bash -c "test $rc -ne 0 && grep -q 'audit chain broken at row 3' <<<'$err'"

# A loose key file stops serve before it listens, with a message naming the file and the fix.
chmod 644 "$K/master-v1.key"
port=$(free_port)
out=$("$bin" serve --data-dir "$D" --key-dir "$K" --port "$port" 2>&1); rc=$?
check "serve refuses a group/world-readable key file" test "$rc" -ne 0
check "the refusal names the file and mode 0600" grep -q "master-v1.key.*0600" <<<"$out"
check "the refusal is one line" test "$(wc -l <<<"$out")" -eq 1
check "check also refuses the loose key" bash -c "! '$bin' check --data-dir '$D' --key-dir '$K'"
chmod 600 "$K/master-v1.key"
chmod 755 "$K"
check "serve refuses a loose key directory" bash -c "! '$bin' serve --data-dir '$D' --key-dir '$K' --port $port"
chmod 700 "$K"

# Safe by default: beyond loopback only with TLS in front (an https public_url) or an explicit flag.
out=$("$bin" serve --data-dir "$D" --key-dir "$K" --host 0.0.0.0 --port "$port" 2>&1); rc=$?
check "serve refuses a non-loopback --host over plain HTTP" test "$rc" -ne 0
check "the refusal says why and how to proceed" grep -q "plain HTTP.*server.public_url.*--allow-plain-http" <<<"$out"
check "the plain-HTTP refusal is one line" test "$(wc -l <<<"$out")" -eq 1
check "nothing listens after the refusal" bash -c "! curl -fs http://127.0.0.1:$port/healthz"
for how in "--allow-plain-http" "RECONCILE_SERVER_PUBLIC_URL=https://referrals.example.org"; do
  if [[ $how == --* ]]; then "$bin" serve --data-dir "$D" --key-dir "$K" --host 0.0.0.0 --port "$port" "$how" >"$work/serve.log" 2>&1 &
  else env "$how" "$bin" serve --data-dir "$D" --key-dir "$K" --host 0.0.0.0 --port "$port" >"$work/serve.log" 2>&1 & fi
  pid=$!
  check "serve listens on 0.0.0.0 with ${how%%=*}" wait_ready "$port"
  kill -TERM "$pid"; wait "$pid"
done
hsts=$(RECONCILE_SERVER_PUBLIC_URL=https://referrals.example.org "$bin" serve --data-dir "$D" --key-dir "$K" --host 127.0.0.1 --port "$port" >"$work/serve.log" 2>&1 & pid=$!
  wait_ready "$port"; curl -s -D - -o /dev/null "http://127.0.0.1:$port/refer"; kill -TERM "$pid"; wait "$pid")
check "an https public_url sends HSTS" grep -qi "^strict-transport-security: max-age=" <<<"$hsts"
check "an https public_url gives __Host- Secure cookies" grep -qi "^set-cookie: __Host-reconcile_csrf=.*HttpOnly; SameSite=Strict; Secure" <<<"$hsts"

# Serve for real and ask it about its health; SIGTERM stops it cleanly.
"$bin" serve --data-dir "$D" --key-dir "$K" --host 127.0.0.1 --port "$port" >"$work/serve.log" 2>&1 &
pid=$!
check "serve becomes ready" wait_ready "$port"
check "/healthz answers 200" curl -fs "http://127.0.0.1:$port/healthz"
check "/readyz answers 200" curl -fs "http://127.0.0.1:$port/readyz"
kill -TERM "$pid"; wait "$pid"; rc=$?
check "SIGTERM stops serve with exit 0" test "$rc" -eq 0

check "unknown option is refused" bash -c "! '$bin' migrate --data-dir '$D' --bogus"
