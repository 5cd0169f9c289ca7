#!/usr/bin/env python3
"""A real SMTP relay for the mail tests (aiosmtpd): STARTTLS with a given certificate (required when given),
AUTH PLAIN/LOGIN with one user (required when given). Every message it takes is appended to --mailbox as one
JSON line (envelope and the raw message) and fsynced, so a test can count exactly what was delivered.
Listens on 127.0.0.1 only. Stops on SIGTERM."""
import argparse, json, os, signal, socket, ssl, sys, threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


class Mailbox:
    def __init__(self, path):
        self.path, self.lock = path, threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        line = json.dumps({"from": envelope.mail_from, "to": envelope.rcpt_tos, "tls": session.ssl is not None,
                           "data": envelope.original_content.decode("utf-8", "replace")})
        with self.lock, open(self.path, "a") as f:
            f.write(line + "\n")
            f.flush()
            os.fsync(f.fileno())
        return "250 OK"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True, help="0: a free port, written to --port-file once listening")
    p.add_argument("--port-file")
    p.add_argument("--mailbox", required=True)
    p.add_argument("--cert"), p.add_argument("--key")
    p.add_argument("--user"), p.add_argument("--password")
    a = p.parse_args()
    kwargs = {}
    if a.cert:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(a.cert, a.key)
        kwargs.update(tls_context=ctx, require_starttls=True)
    if a.user:
        def authenticator(server, session, envelope, mechanism, data):
            ok = data.login == a.user.encode() and data.password == a.password.encode()
            return AuthResult(success=ok, handled=False)
        kwargs.update(authenticator=authenticator, auth_required=True, auth_require_tls=bool(a.cert))
    port = a.port
    if port == 0:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
    controller = Controller(Mailbox(a.mailbox), hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    if a.port_file:
        with open(a.port_file + ".tmp", "w") as f:
            f.write(str(port))
        os.rename(a.port_file + ".tmp", a.port_file)
    print("ready", port, flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    # A timed wait: a signal handler runs only between waits, and an untimed Event.wait() never returns to it.
    while not stop.wait(0.2):
        pass
    controller.stop()


if __name__ == "__main__":
    sys.exit(main())
