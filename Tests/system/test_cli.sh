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

# Serve for real and ask it about its health; SIGTERM stops it cleanly.
"$bin" serve --data-dir "$D" --key-dir "$K" --host 127.0.0.1 --port "$port" >"$work/serve.log" 2>&1 &
pid=$!
check "serve becomes ready" wait_ready "$port"
check "/healthz answers 200" curl -fs "http://127.0.0.1:$port/healthz"
check "/readyz answers 200" curl -fs "http://127.0.0.1:$port/readyz"
kill -TERM "$pid"; wait "$pid"; rc=$?
check "SIGTERM stops serve with exit 0" test "$rc" -eq 0

# Features of later issues say so and fail; they never pretend success.
for cmd in "user add --email a@example.org --role lead --password-stdin" "report build --council-area shropshire --quarter 2026-Q1" \
           "backup --to $work/b.sqlite" "retention run" "demo seed --cases 1"; do
  out=$("$bin" $cmd --data-dir "$D" --key-dir "$K" 2>&1 </dev/null); rc=$?
  check "'$cmd' exits non-zero while not built" test "$rc" -ne 0
done
check "unknown option is refused" bash -c "! '$bin' migrate --data-dir '$D' --bogus"
