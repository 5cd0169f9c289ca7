#!/usr/bin/env python3
"""An SMTP relay that misbehaves, for the mail client's tests: it accepts one connection at a time and then
  inject: offers STARTTLS and, in the same packet as its yes, a plain-text reply meant to be read as if over TLS;
  silent: says nothing at all;
  endless: sends continuation lines ("220-...") without end;
  longline: sends one line of bytes that never ends.
It writes its port to --port-file once listening and runs until killed."""
import argparse, socket, threading

def serve(conn, mode):
    try:
        conn.settimeout(30)
        if mode == "silent":
            conn.recv(1)
        elif mode == "endless":
            while True:
                conn.sendall(b"220-still greeting you\r\n" * 200)
        elif mode == "longline":
            conn.sendall(b"220 ")
            while True:
                conn.sendall(b"x" * 4096)
        elif mode == "inject":
            conn.sendall(b"220 relay ready\r\n")
            f = conn.makefile("rb")
            while True:
                line = f.readline()
                if not line:
                    return
                verb = line.strip().upper()
                if verb.startswith(b"EHLO"):
                    conn.sendall(b"250-relay\r\n250 STARTTLS\r\n")
                elif verb == b"STARTTLS":
                    conn.sendall(b"220 go ahead\r\n250 AUTH PLAIN injected before the handshake\r\n")
                else:
                    conn.sendall(b"500 no\r\n")
    except OSError:
        pass
    finally:
        conn.close()

def main():
    p = argparse.ArgumentParser()
    p.add_argument("--mode", required=True, choices=["inject", "silent", "endless", "longline"])
    p.add_argument("--port-file", required=True)
    a = p.parse_args()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    with open(a.port_file, "w") as f:
        f.write(str(listener.getsockname()[1]))
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve, args=(conn, a.mode), daemon=True).start()

main()
