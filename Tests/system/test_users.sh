#!/usr/bin/env bash
# Staff and council accounts from the command line: `user add` prints only the provisioning URI, refuses weak
# passwords, passwords as arguments, council accounts without an area and duplicates; `user disable` and
# `user reset-mfa`; every change lands in the audit chain that `check` verifies.
source "$(dirname "$0")/lib.sh"
cd "$work"
K="$work/keys"; D="$work/data"
export RECONCILE_SECURITY_PASSWORD_HASH_COST=minimum
"$bin" keys init --key-dir "$K" >/dev/null && "$bin" migrate --data-dir "$D" >/dev/null
uri_re='^otpauth://totp/Reconcile:.*secret=[A-Z2-7]+.*algorithm=SHA1&digits=6&period=30'
pw="a long enough password $RANDOM"
add() { "$bin" user add --data-dir "$D" --key-dir "$K" "$@"; }

out=$(printf '%s\n' "$pw" | add --email lead@example.org --role lead --password-stdin 2>"$work/err"); rc=$?
check "user add succeeds" test "$rc" -eq 0
check "user add prints exactly one line" test "$(printf '%s\n' "$out" | wc -l)" -eq 1
check "that line is the otpauth provisioning URI" grep -qE "$uri_re" <<<"$out"
check "the URI names the account" grep -q "^otpauth://totp/Reconcile:lead%40example.org?" <<<"$out"
check "user add writes nothing on stderr" test ! -s "$work/err"

out=$(printf '%s\n' "$pw" | add --email officer@council.gov.uk --role council --council-area shropshire --password-stdin 2>/dev/null)
check "a council account with an area is added" grep -qE "$uri_re" <<<"$out"
out=$(printf '%s' "$pw" | add --email nonewline@example.org --role practitioner --password-stdin 2>/dev/null)
check "a password without a trailing newline is read" grep -qE "$uri_re" <<<"$out"

refused() {  # refused WHAT EXPECTED-PATTERN STDIN ARGS...: non-zero, nothing on stdout, one line on stderr
  local what="$1" pattern="$2" input="$3"; shift 3
  local out err rc
  out=$(printf '%s\n' "$input" | add "$@" 2>"$work/err"); rc=$?; err=$(cat "$work/err")
  check "$what is refused non-zero" test "$rc" -ne 0
  check "$what prints nothing on stdout" test -z "$out"
  check "$what gives one line on stderr" test "$(wc -l <<<"$err")" -eq 1
  check "$what says why" grep -qi "$pattern" <<<"$err"
  check "$what does not echo the password" bash -c "! grep -qF -- '$input' '$work/err'"
}
refused "a password of 11 characters" "12 to 1024 characters" "elevenchars" --email short@example.org --role lead --password-stdin
refused "a password without --password-stdin" "password-stdin" "$pw" --email nostdin@example.org --role lead
refused "a council account without --council-area" "council area" "$pw" --email c2@council.gov.uk --role council --password-stdin
refused "an unknown council area" "council area" "$pw" --email c3@council.gov.uk --role council --council-area atlantis --password-stdin
refused "a council area on a practitioner" "council area" "$pw" --email p2@example.org --role practitioner --council-area shropshire --password-stdin
refused "a duplicate email" "already exists" "$pw" --email LEAD@example.org --role lead --password-stdin
refused "an unknown role" "role" "$pw" --email r@example.org --role superuser --password-stdin
refused "a malformed email" "email" "$pw" --email not-an-email --role lead --password-stdin
check "empty standard input is refused" bash -c "! '$bin' user add --data-dir '$D' --key-dir '$K' --email e@example.org --role lead --password-stdin </dev/null"
check "the password is not accepted as an option" bash -c "! '$bin' user add --data-dir '$D' --key-dir '$K' --email o@example.org --role lead --password '$pw'"

out=$("$bin" user reset-mfa --data-dir "$D" --key-dir "$K" --email lead@example.org 2>/dev/null); rc=$?
check "user reset-mfa succeeds for an existing account" test "$rc" -eq 0
check "user reset-mfa prints one new URI" bash -c "test \$(wc -l <<<'$out') -eq 1 && grep -qE '$uri_re' <<<'$out'"
check "user reset-mfa fails for an unknown email" bash -c "! '$bin' user reset-mfa --data-dir '$D' --key-dir '$K' --email nobody@example.org"
check "user disable succeeds for an existing account" "$bin" user disable --data-dir "$D" --key-dir "$K" --email lead@example.org
err=$("$bin" user disable --data-dir "$D" --key-dir "$K" --email nobody@example.org 2>&1 >/dev/null); rc=$?
check "user disable fails for an unknown email" test "$rc" -ne 0
check "with one line saying so" bash -c "test \$(wc -l <<<'$err') -eq 1 && grep -q 'no account' <<<'$err'"
check "user commands need a migrated database" bash -c "! printf '%s\n' '$pw' | '$bin' user add --data-dir '$work/none' --key-dir '$K' --email n@example.org --role lead --password-stdin"

hashes=$(python3 -c 'import sqlite3,sys; print("\n".join(r[0] for r in sqlite3.connect(sys.argv[1]).execute("SELECT password_hash FROM staff_account")))' "$D/reconcile.sqlite")
check "passwords are Argon2id at the cost RECONCILE_SECURITY_PASSWORD_HASH_COST names (minimum)" \
  bash -c "test \$(grep -c '^\\\$argon2id\\\$v=19\\\$m=8,t=1,' <<<'$hashes') -eq 3"
out=$("$bin" check --data-dir "$D" --key-dir "$K" 2>&1); rc=$?
check "check passes after the user commands" test "$rc" -eq 0
check "the audit chain holds the account changes (3 adds, reset, disable)" grep -qx "ok   audit chain: 5 rows verified" <<<"$out"
check "the database file holds no password" bash -c "! grep -qaF -- '$pw' '$D'/reconcile.sqlite*"
