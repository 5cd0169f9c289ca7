#!/usr/bin/env bash
# Notifications through a real SMTP relay (aiosmtpd, Tests/system/smtp_relay.py: STARTTLS with a self-signed
# certificate, AUTH). Referrals arrive while the relay is down; /readyz and check report the failing relay; the
# server is killed with kill -9 while mail is queued; restarted with the relay up, every alert arrives exactly
# once, and none carries anything planted in the referrals. `reconcile mail test` sends one message.
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"
cd "$work"
K="$work/keys"; D="$work/data"
"$bin" keys init --key-dir "$K" >/dev/null && "$bin" migrate --data-dir "$D" >/dev/null
printf 'a long lead password\n' | "$bin" user add --data-dir "$D" --key-dir "$K" --email lead@partner.example --role lead --password-stdin >/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
  -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
printf 'relay password 1\n' >"$work/relay-password"; chmod 600 "$work/relay-password"
smtp=$(free_port); port=$(free_port)
export RECONCILE_MAIL_HOST=localhost RECONCILE_MAIL_PORT=$smtp RECONCILE_MAIL_FROM=notifications@partner.example \
  RECONCILE_MAIL_USERNAME=relay-user RECONCILE_MAIL_PASSWORD_FILE="$work/relay-password" RECONCILE_MAIL_TLS_CA_FILE="$work/cert.pem" \
  RECONCILE_MAIL_RETRY_MAX_SECONDS=1 RECONCILE_MAIL_ALERT_AFTER_SECONDS=2 RECONCILE_SERVER_PUBLIC_URL=https://reconcile.partner.example \
  RECONCILE_LIMITS_INTAKE_PER_MINUTE=0
relay() { python3 "$here/smtp_relay.py" --port "$smtp" --mailbox "$work/mailbox.jsonl" --cert "$work/cert.pem" --key "$work/key.pem" \
  --user relay-user --password 'relay password 1' >"$work/relay.log" 2>&1 & relay_pid=$!; }
serve() { "$bin" serve --data-dir "$D" --key-dir "$K" --port "$port" >>"$work/serve.log" 2>&1 & serve_pid=$!; wait_ready "$port"; }
delivered() { [[ -f "$work/mailbox.jsonl" ]] && wc -l <"$work/mailbox.jsonl" || echo 0; }

check "the server starts with the relay down" serve
n=8; canaries=()
for i in $(seq 1 $n); do
  c="MAILCANARY$RANDOM$i"; canaries+=("$c")
  curl -fs -o /dev/null -H 'Content-Type: application/json' "http://127.0.0.1:$port/api/v1/referrals" --data "$(referral_json "$c")"
done
sleep 5  # past mail.alert_after_seconds (2 s) counted from the first failed try, about a second after each referral
check "/readyz warns of the failing relay past mail.alert_after_seconds" bash -c "curl -fs http://127.0.0.1:$port/readyz | grep -q 'warning: mail relay failing'"
"$bin" check --data-dir "$D" --key-dir "$K" >"$work/check1.txt" 2>&1
check "check reports the relay as an ALERT with $n waiting" grep -q "warn mail: ALERT .* $n messages waiting" "$work/check1.txt"
kill -9 "$serve_pid"; wait "$serve_pid" 2>/dev/null
check "nothing was delivered while the relay was down" test "$(delivered)" -eq 0

relay
for _ in $(seq 1 50); do grep -q ready "$work/relay.log" 2>/dev/null && break; sleep 0.1; done
check "the server starts again after kill -9" serve
for _ in $(seq 1 100); do [[ $(delivered) -ge $n ]] && break; sleep 0.2; done
sleep 3
check "every alert queued before the kill arrived exactly once ($(delivered) of $n)" test "$(delivered)" -eq "$n"
ids=$(python3 -c "
import json,sys,re
ids=[re.search(r'Message-ID: <([^>]+)>', json.loads(l)['data']).group(1) for l in open(sys.argv[1])]
print(len(set(ids)))" "$work/mailbox.jsonl")
check "each with its own Message-ID ($ids distinct)" test "$ids" -eq "$n"
check "all to the lead, over STARTTLS, with the neutral subject" python3 -c "
import json,sys
for l in open(sys.argv[1]):
    m=json.loads(l)
    assert m['to']==['lead@partner.example'] and m['tls'] and 'Subject: A new referral is waiting in Reconcile' in m['data'], m['to']
" "$work/mailbox.jsonl"
leak=0
for c in "${canaries[@]}"; do
  python3 -c "
import json,sys,base64
for l in open(sys.argv[1]):
    d=json.loads(l)['data']; head,_,body=d.partition('\r\n\r\n')
    text=head+base64.b64decode(body.replace('\r\n','')).decode()
    assert sys.argv[2].lower() not in text.lower()
" "$work/mailbox.jsonl" "$c" || leak=1
  grep -qi "$c" "$work/serve.log" && leak=1
done
check "no planted value in any message or log line" test "$leak" -eq 0
"$bin" check --data-dir "$D" --key-dir "$K" >"$work/check2.txt" 2>&1
check "check passes and reports the relay healthy" grep -q "ok   mail: relay localhost:$smtp, 0 waiting" "$work/check2.txt"
check "readyz carries no warning once delivered" bash -c "! curl -fs http://127.0.0.1:$port/readyz | grep -q warning"
check "reconcile mail test sends one message" "$bin" mail test --to ops@partner.example
check "and it arrived" test "$(delivered)" -eq $((n + 1))
kill "$serve_pid" "$relay_pid" 2>/dev/null; wait 2>/dev/null
