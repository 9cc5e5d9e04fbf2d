#!/usr/bin/env python3
"""Crash anywhere (issue 11): SIGKILL deletiond at seeded random points during erasure, backup, restore,
prune, the retention sweep and outbox acks. After each kill: the database passes integrity_check and
foreign_key_check; a restart leaves no plaintext file behind (backup snapshots, unfinished backups or
restores); no erased subject has a row again (in the store, or in a restored copy made after its erasure);
and every request resumes or is in a state that says why (a failed one carries its reason).

    Tests/Soak/crash_anywhere.py [--rounds 24] [--seed 1] [--deletiond .build/release/deletiond]

Needs only Python's standard library; prints one line per round and a JSON summary; exits 1 on a failure.
"""
import argparse
import json
import os
import random
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

OPERATIONS = ["erasure", "backup", "restore", "prune", "sweep", "ack"]
SUBJECT_TABLES = ["contacts", "leads", "messages", "campaigns", "lead_scores", "instagram_messages", "calendar_events"]


class RPCError(Exception):
    def __init__(self, error):
        super().__init__(f"{error.get('code')}: {error.get('message')}")
        self.error = error


def call(port, method, params=None, timeout=120):
    """One JSON-RPC call on its own connection (LSP framing, the dev token)."""
    body = json.dumps({"jsonrpc": "2.0", "method": method, "params": params or {}, "id": 1}).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(b"Content-Length: %d\r\nAuthorization: Bearer dev\r\n\r\n" % len(body) + body)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed before an answer")
            data += chunk
        head, rest = data.split(b"\r\n\r\n", 1)
        length = int(re.search(rb"Content-Length: (\d+)", head, re.I).group(1))
        while len(rest) < length:
            chunk = sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed mid-answer")
            rest += chunk
    answer = json.loads(rest[:length])
    if "error" in answer:
        raise RPCError(answer["error"])
    return answer["result"]


class Daemon:
    def __init__(self, deletiond, db):
        self.process = subprocess.Popen(
            [deletiond, "serve", "--dev", "--port", "0", "--db", db, "--grace-period-days", "0",
             "--erasure-batch-size", "25", "--worker-interval", "1", "--log-level", "error"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.process.stdout.readline()
        match = re.search(r"listening on [^:]+:(\d+)", line)
        if not match:
            raise RuntimeError(f"deletiond did not start: {line!r}")
        self.port = int(match.group(1))

    def kill9(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait()


def in_background(port, method, params=None):
    """Starts a call in a thread (the kill cuts it off); returns the thread."""
    def run():
        try:
            call(port, method, params)
        except Exception:  # the kill closes the connection: expected
            pass
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def start_erasure(port, account):
    """An account request, verified with the code from the outbox; the worker starts it within a second."""
    request = call(port, "deletion.create", {"accountId": account, "scope": "account", "channel": "support"})["requestId"]
    messages = call(port, "outbox.claim", {"kinds": ["identity_code"], "limit": 100})["messages"]
    code = next(m["payload"]["code"] for m in reversed(messages) if m.get("requestId") == request)
    call(port, "outbox.ack", {"ids": [m["id"] for m in messages]})
    call(port, "deletion.verifyIdentity", {"requestId": request, "code": code})
    call(port, "deletion.execute", {"requestId": request})
    return request


def check(db, erased_before, restores):
    """Every check of a round; returns the problems found."""
    problems = []
    connection = sqlite3.connect(db)
    try:
        integrity = connection.execute("PRAGMA integrity_check").fetchall()
        if integrity != [("ok",)]:
            problems.append(f"integrity_check: {integrity[:3]}")
        foreign = connection.execute("PRAGMA foreign_key_check").fetchall()
        if foreign:
            problems.append(f"foreign_key_check: {foreign[:3]}")
        for account in erased_before:
            for table in SUBJECT_TABLES:
                count = connection.execute(f"SELECT count(*) FROM {table} WHERE account_id = ?", (account,)).fetchone()[0]
                if count:
                    problems.append(f"{account} has {count} rows in {table} again")
        for state, reason in connection.execute("SELECT state, reason FROM deletion_requests"):
            if state == "failed" and not reason:
                problems.append("a failed request without its reason")
    finally:
        connection.close()
    for target, erased in restores:
        restored = sqlite3.connect(target)
        try:
            for account in erased:
                for table in SUBJECT_TABLES:
                    if restored.execute(f"SELECT count(*) FROM {table} WHERE account_id = ?", (account,)).fetchone()[0]:
                        problems.append(f"restored {os.path.basename(target)}: {account} in {table}")
        finally:
            restored.close()
    return problems


def leftovers(folder):
    found = []
    backups = os.path.join(folder, "backups")
    restores = os.path.join(folder, "restores")
    if os.path.isdir(backups):
        found += [n for n in os.listdir(backups) if n.startswith(".") and n != ".lock"]
    if os.path.isdir(restores):
        found += [n for n in os.listdir(restores) if ".restoring-" in n]
    return found


def wait_settled(port, timeout=180):
    """Waits until no request is erasing (each resumed and finished); returns the states."""
    deadline = time.time() + timeout
    while True:
        page = call(port, "deletion.list", {"pageSize": 100})["requests"]
        states = [r["state"] for r in page]
        if "erasing" not in states or time.time() > deadline:
            return page
        time.sleep(0.5)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=24)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--deletiond", default=".build/release/deletiond")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    folder = tempfile.mkdtemp(prefix="crash-anywhere-")
    db = os.path.join(folder, "alt.sqlite")
    subprocess.run([args.deletiond, "seed", "--db", db, "--profile", "bench", "--accounts", "40", "--large-scale", "0.05"],
                   check=True, stdout=subprocess.DEVNULL)
    accounts = [f"acc_{n:06d}" for n in range(1, 40)] + ["acc_large"]
    rng.shuffle(accounts)
    erased = []          # accounts whose erasure reached `erased`
    restores = []        # (restored file, accounts erased before that restore began)
    failures = []
    kills = 0
    daemon = Daemon(args.deletiond, db)
    for round_number in range(1, args.rounds + 1):
        operation = OPERATIONS[(round_number - 1) % len(OPERATIONS)] if round_number <= len(OPERATIONS) else rng.choice(OPERATIONS)
        delay = rng.uniform(0.0, 1.5)
        port = daemon.port
        note = ""
        if operation == "erasure":
            account = accounts.pop()
            request = start_erasure(port, account)
            note = f"{account} {request}"
            time.sleep(delay)
        elif operation == "backup":
            in_background(port, "backups.create")
            time.sleep(delay * 0.5)
        elif operation == "restore":
            call(port, "backups.create")
            target = os.path.join(folder, "restores", f"r{round_number}.sqlite")
            before = list(erased)
            in_background(port, "backups.restore", {"backupId": "latest", "target": os.path.basename(target)})
            time.sleep(delay * 0.5)
            note = os.path.basename(target)
        elif operation == "prune":
            call(port, "backups.create")
            call(port, "admin.advanceClock", {"seconds": 61 * 86400})
            in_background(port, "backups.prune")
            time.sleep(delay * 0.2)
        elif operation == "sweep":
            in_background(port, "retention.sweep")
            time.sleep(delay * 0.2)
        elif operation == "ack":
            messages = call(port, "outbox.claim", {"limit": 100})["messages"]
            in_background(port, "outbox.ack", {"ids": [m["id"] for m in messages]} if messages else {"ids": ["out_none"]})
            time.sleep(delay * 0.05)
        daemon.kill9()
        kills += 1
        if operation == "restore" and os.path.exists(target):
            restores.append((target, before))
        daemon = Daemon(args.deletiond, db)
        problems = []
        left = leftovers(folder)
        if left:
            problems.append(f"left after restart: {left}")
        page = wait_settled(daemon.port)
        stuck = [r["requestId"] for r in page if r["state"] == "erasing"]
        if stuck:
            problems.append(f"still erasing after restart: {stuck}")
        connection = sqlite3.connect(db)
        erased = [row[0] for row in connection.execute(
            "SELECT account_id FROM deletion_requests WHERE scope = 'account' AND state IN ('erased', 'completed')")]
        connection.close()
        problems += check(db, erased, restores)
        status = "ok" if not problems else "FAIL: " + "; ".join(problems)
        print(f"round {round_number:2d}: {operation:8s} killed after {delay:.2f}s {note} → {status}", flush=True)
        if problems:
            failures.append((round_number, operation, problems))
    daemon.kill9()
    print(json.dumps({"rounds": args.rounds, "kills": kills, "seed": args.seed, "accountsErased": len(erased),
                      "restoresChecked": len(restores), "failures": len(failures)}))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
