#!/usr/bin/env python3
"""(b) of Benchmarks/run: SQLite's raw durable commit rate on this disk, the ceiling for one-commit-per-request.

Usage: sqlite_commit_rate.py DIRECTORY SECONDS
Python's sqlite3 (the system libsqlite3, as the server's GRDB build uses), one connection, one thread:
PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; then BEGIN IMMEDIATE / one INSERT of a 256-byte row /
COMMIT, as fast as it goes, for SECONDS. Each COMMIT fsyncs the WAL, exactly like an intake commit.
Prints one line: SQLITE commits=N seconds=S rate=R version=V journal_mode=wal synchronous=2
"""
import os, sqlite3, sys, time

directory, seconds = sys.argv[1], float(sys.argv[2])
path = os.path.join(directory, "raw-commit-rate.sqlite")
for suffix in ("", "-wal", "-shm"):
    if os.path.exists(path + suffix):
        os.remove(path + suffix)
con = sqlite3.connect(path, isolation_level=None)
mode = con.execute("PRAGMA journal_mode=WAL").fetchone()[0]
con.execute("PRAGMA synchronous=FULL")
sync = con.execute("PRAGMA synchronous").fetchone()[0]
con.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, payload BLOB NOT NULL)")
payload = os.urandom(256)
commits = 0
start = time.perf_counter()
deadline = start + seconds
while time.perf_counter() < deadline:
    con.execute("BEGIN IMMEDIATE")
    con.execute("INSERT INTO t (payload) VALUES (?)", (payload,))
    con.execute("COMMIT")
    commits += 1
elapsed = time.perf_counter() - start
con.close()
for suffix in ("", "-wal", "-shm"):
    if os.path.exists(path + suffix):
        os.remove(path + suffix)
print(f"SQLITE commits={commits} seconds={elapsed:.3f} rate={commits / elapsed:.1f} "
      f"version={sqlite3.sqlite_version} journal_mode={mode} synchronous={sync}")
