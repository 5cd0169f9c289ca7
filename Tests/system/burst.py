"""Sends N requests at once from N threads (not one after another) and prints one line per answer:
'<status> <seconds> <retry-after or ->'. A request with no answer within the timeout prints 'timeout'.
   burst.py URL N BODY_TEMPLATE [TIMEOUT]   ({n} in the template is replaced by the request's number)"""
import http.client, sys, threading, time, urllib.parse

url, count, template = sys.argv[1], int(sys.argv[2]), sys.argv[3]
timeout = float(sys.argv[4]) if len(sys.argv) > 4 else 10.0
parts = urllib.parse.urlsplit(url)
start = threading.Barrier(count)
lines, lock = [], threading.Lock()

def one(n):
    body = template.replace("{n}", str(n)).encode()
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    start.wait()
    t0 = time.monotonic()
    try:
        conn.request("POST", parts.path, body=body, headers={"Content-Type": "application/json"})
        r = conn.getresponse(); r.read()
        line = f"{r.status} {time.monotonic() - t0:.3f} {r.getheader('Retry-After') or '-'}"
    except Exception:
        line = "timeout"
    with lock:
        lines.append(line)

threads = [threading.Thread(target=one, args=(n,)) for n in range(count)]
for t in threads: t.start()
for t in threads: t.join()
print("\n".join(lines))
