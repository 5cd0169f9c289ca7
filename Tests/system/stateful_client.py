"""The server under test and the one way the stateful fuzzer talks to it: every request goes through
`Client.send`, which records it (for the replay printed on failure), and checks after each that the process
is alive and nothing answered 5xx. Requests go only to 127.0.0.1.
"""
import collections
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import threading
import time

FATAL = re.compile(r"Fatal error|Precondition failed|Assertion failed|fatalError|Illegal instruction|Segmentation fault|"
                   r"Trace/breakpoint trap|Aborted|💣|Crash|Thread \d+ crashed")


class Failure(Exception):
    """A crash, a 5xx, a hang or readyz not ready. `signature` tells one finding from another."""

    def __init__(self, kind, signature, detail):
        super().__init__(f"{kind}: {signature}")
        self.kind, self.signature, self.detail = kind, signature, detail


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    def __init__(self, binary, data_dir, key_dir, log_path):
        self.binary, self.data_dir, self.key_dir, self.log_path = binary, data_dir, key_dir, log_path
        self.proc, self.port, self.log_offset, self.starts = None, None, 0, 0

    def start(self):
        self.port = free_port()
        self.log_offset = os.path.getsize(self.log_path) if os.path.exists(self.log_path) else 0
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([self.binary, "serve", "--data-dir", self.data_dir, "--key-dir", self.key_dir,
                                      "--host", "127.0.0.1", "--port", str(self.port)], stdout=log, stderr=log,
                                     env={"SWIFT_BACKTRACE": "enable=yes,interactive=no,color=no,threads=crashed,registers=none,images=none,limit=40",
                                          **os.environ})
        log.close()
        self.starts += 1
        for _ in range(300):
            if self.proc.poll() is not None:
                raise RuntimeError("serve exited at start:\n" + self.log_tail())
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                c.request("GET", "/readyz")
                if c.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError("serve did not become ready")

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        """SIGTERM and wait, as an operator stops it; the exit code says whether it stopped cleanly."""
        if not self.alive():
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return "killed after 60 s"

    def wait_dead(self, seconds=60):
        """After a crash: let the runtime finish writing its backtrace before the log is read."""
        try:
            self.proc.wait(seconds)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def log_since_start(self):
        with open(self.log_path, "rb") as f:
            f.seek(self.log_offset)
            return f.read().decode("utf-8", "replace")

    def log_tail(self, lines=15):
        return "\n".join(self.log_since_start().splitlines()[-lines:])

    def fatal(self):
        """The fatal error line and the first frames of ours from the backtrace, if the runtime printed them."""
        text = self.log_since_start()
        lines = text.splitlines()
        first = next((i for i, l in enumerate(lines) if FATAL.search(l)), None)
        if first is None:
            return None, "\n".join(lines[-10:])
        frames = [l.strip() for l in lines[first + 1:] if re.search(r"\b(Reconcile\w*|reconcile)\b.*\.swift", l)]
        return lines[first].strip(), "\n".join([lines[first]] + frames[:6])


def signature_of_fatal(line):
    """The fatal line without what varies from one occurrence to the next (row values, addresses)."""
    line = re.sub(r"row: \[.*", "row: [...]", line)
    line = re.sub(r"0x[0-9a-f]+", "0x…", line)
    line = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "{uuid}", line)
    return line[:400]


def template(path):
    path = path.split("?")[0]
    path = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "{id}", path)
    path = re.sub(r"RS-[A-Z0-9]{4}-[A-Z0-9]{4}", "{ref}", path)
    path = re.sub(r"/\d{4}-Q\d", "/{quarter}", path)
    return path


def shape(value, depth=0):
    """A short picture of a body for the failure report: keys and types, short strings as they are."""
    if depth > 3:
        return "…"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k[:20]}: {shape(v, depth + 1)}" for k, v in list(value.items())[:12]) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(shape(v, depth + 1) for v in value[:4]) + (", …" if len(value) > 4 else "") + "]"
    if isinstance(value, str):
        return repr(value) if len(value) <= 24 else f"str({len(value)}, {value[:8]!r}…)"
    return repr(value)


class Client:
    def __init__(self, server, journal_path=None, readyz_every=25, history=20):
        self.server = server
        self.lock = threading.Lock()
        self.local = threading.local()
        self.history = collections.deque(maxlen=history)
        self.count, self.statuses, self.busy = 0, collections.Counter(), 0
        self.readyz_every = readyz_every
        self.timeout = 60
        self.journal = open(journal_path, "a") if journal_path else None
        self.soft = collections.Counter()  # contract notes that are not failures (non-JSON API errors)
        self.soft_example = {}

    def _conn(self):
        conn = getattr(self.local, "conn", None)
        if conn is None or getattr(self.local, "port", None) != self.server.port:
            conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=self.timeout)
            self.local.conn, self.local.port = conn, self.server.port
        return conn

    def _drop(self):
        conn = getattr(self.local, "conn", None)
        if conn:
            conn.close()
        self.local.conn = None

    def send(self, who, method, path, body=None, raw=None, content_type="application/json", headers=None, note=""):
        """One request. `body` is sent as JSON; `raw` (str or bytes) as it is. Returns (status, headers, bytes)."""
        hdrs = dict(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode()
        elif raw is not None:
            data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
        if data is not None and content_type:
            hdrs.setdefault("Content-Type", content_type)
        entry = {"who": who, "method": method, "path": path, "note": note,
                 "shape": shape(body) if body is not None else (f"raw({len(data)}) {data[:60]!r}" if data is not None else "-"),
                 "body": (data[:3000].decode("utf-8", "replace") if data is not None else None),
                 "content_type": hdrs.get("Content-Type"), "extra_headers": {k: v for k, v in hdrs.items()
                                                                           if k not in ("Authorization", "Cookie", "Content-Type")}}
        wire = {k: v.encode("utf-8", "surrogatepass") if isinstance(v, str) else v for k, v in hdrs.items()}
        status, rheaders, payload = self._exchange(method, path, data, wire, entry)
        entry["status"] = status
        with self.lock:
            self.count += 1
            self.statuses[status] += 1
            n = self.count
            entry["n"] = n
            self.history.append(entry)
            if self.journal:
                self.journal.write(json.dumps(entry) + "\n")
        if status:
            self._check(entry, status, rheaders, payload)
        if n % self.readyz_every == 0:
            self.readyz()
        return status, rheaders, payload

    def _exchange(self, method, path, data, hdrs, entry):
        for attempt in range(2):
            conn = self._conn()
            try:
                conn.request(method, path, body=data, headers=hdrs)
                resp = conn.getresponse()
                payload = resp.read()
                if resp.getheader("Connection", "").lower() == "close":
                    self._drop()
                return resp.status, resp.getheaders(), payload
            except socket.timeout:
                self._drop()
                if not self.server.alive():
                    self._record_failed(entry, "timeout")
                    self._crashed(entry)
                if self.server.fatal()[0]:
                    self._record_failed(entry, "timeout")
                    self._crashed(entry)  # the runtime is still writing its backtrace
                if not self._answers_readyz():
                    self._record_failed(entry, "timeout")
                    raise Failure("hang", f"no answer in {self.timeout} s to {method} {template(path)}, and /readyz does not answer",
                                  self.server.log_tail())
                # Slow, not stuck: the server still answers others. Noted (a person waited this long), not a failure.
                with self.lock:
                    self.soft[f"slow: no answer in {self.timeout} s to {method} {template(path)} while /readyz answered"] += 1
                return 0, [], b""
            except (ConnectionError, http.client.HTTPException, OSError):
                self._drop()
                if not self.server.alive():
                    self._record_failed(entry, "connection lost")
                    self._crashed(entry)
                if attempt == 1:
                    self._record_failed(entry, "connection lost")
                    if self.server.fatal()[0]:
                        self._crashed(entry)
                    raise Failure("connection", f"connection refused or reset, process alive: {method} {template(path)}",
                                  self.server.log_tail())
                time.sleep(0.05)

    def _record_failed(self, entry, status):
        entry["status"] = status
        with self.lock:
            self.history.append(entry)
            if self.journal:
                self.journal.write(json.dumps(entry) + "\n")

    def _crashed(self, entry):
        self.server.wait_dead()
        line, detail = self.server.fatal()
        sig = signature_of_fatal(line) if line else f"process exited ({self.server.proc.returncode}) during {entry['method']} {template(entry['path'])}"
        raise Failure("crash", sig, detail)

    def _check(self, entry, status, headers, payload):
        if status >= 500:
            h = {k.lower(): v for k, v in headers}
            if status == 503 and "retry-after" in h and b'"busy"' in payload:
                with self.lock:
                    self.busy += 1
                return
            raise Failure("5xx", f"{status} {entry['method']} {template(entry['path'])}",
                          payload[:500].decode("utf-8", "replace") + "\n--- server log ---\n" + self.server.log_tail())
        if not self.server.alive():
            self._crashed(entry)
        # A header holding a control character (NUL) is not HTTP: SwiftNIO's parser answers an empty 400 and closes the
        # connection before the request reaches the service, so that answer cannot carry the service's JSON error.
        parser_refusal = status == 400 and payload == b"" and any(k.lower() == "connection" and v.lower() == "close" for k, v in headers)
        if parser_refusal:
            key = f"400 {entry['method']} {template(entry['path'])}: refused by the HTTP parser before the service (empty body, closed)"
            with self.lock:
                self.soft[key] += 1
                self.soft_example.setdefault(key, entry["note"])
        if entry["path"].startswith("/api/") and 400 <= status < 500 and status != 413 and entry["method"] != "HEAD" and not parser_refusal:
            try:
                error = json.loads(payload)["error"]
                assert isinstance(error["code"], str) and isinstance(error["message"], str)
            except Exception:
                with self.lock:
                    key = f"{status} {entry['method']} {template(entry['path'])}: error body not {{\"error\":{{code,message}}}}"
                    self.soft[key] += 1
                    self.soft_example.setdefault(key, f"{entry['note']}: {payload[:120]!r}")

    def _answers_readyz(self):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
            conn.request("GET", "/readyz")
            ok = conn.getresponse().status == 200
            conn.close()
            return ok
        except OSError:
            return False

    def readyz(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        try:
            conn.request("GET", "/readyz")
            resp = conn.getresponse()
            body = resp.read()
        except OSError:
            if not self.server.alive() or self.server.fatal()[0]:
                self._crashed({"method": "GET", "path": "/readyz"})
            raise Failure("readyz", "readyz did not answer", self.server.log_tail())
        finally:
            conn.close()
        if resp.status != 200 or not body.startswith(b"ready"):
            raise Failure("readyz", f"readyz answered {resp.status}", body[:200].decode("utf-8", "replace"))

    def last_requests(self):
        out = []
        for e in self.history:
            body = e["body"]
            if body is not None and len(body) > 240:
                body = body[:240] + f"… ({len(body)} chars shown of the body)"
            extra = f" headers={e['extra_headers']}" if e["extra_headers"] else ""
            out.append(f"  #{e.get('n', '?')} [{e['who']}] {e['method']} {e['path']} -> {e['status']}"
                       f"{'  (' + e['note'] + ')' if e['note'] else ''}{extra}\n      shape: {e['shape']}"
                       + (f"\n      body: {body!r}" if body is not None else ""))
        return "\n".join(out)
