"""Votes through the web app on PostgreSQL: N participants log in over real HTTP, join a
session by its code and vote at the same moment; some vote a second time. Nothing may be
lost and nothing counted twice: the counts printed must show one ballot per participant,
the second ballots replacing the first, and the closed result equal to the tally of the
ballots sent.

The app runs as ``python -m command serve`` on a free port against a fresh schema of the
PostgreSQL database ``test`` (dropped at the end). Each participant is its own HTTP
client (``requests``: its own cookies, CSRF token and connection) and votes through the
same Dash callback the phone page's button calls. The baseline is the same number of
ballots sent one after another in the same process; the ratio is concurrent over
sequential throughput.

    .venv/bin/python bench/decision_votes.py [--voters 50] [--revoters 10] [--json]

The last line with ``--json`` is JSON: ``ballots_sent``, ``ballots_stored``,
``distinct_voters``, ``revised``, ``audit_votes``, ``lost``, ``double``, ``result_ok``,
``sequential_s``, ``concurrent_s``, ``ratio``.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from command import store  # noqa: E402
from command.app import access, decision  # noqa: E402
from command.resources import load_dataset  # noqa: E402
from command.settings import from_env  # noqa: E402
from command.store import decision as ds  # noqa: E402

PG = os.environ.get("CC_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PASSWORD = "bench-votes-pw-5"
OPTIONS = ["o1", "o2", "o3"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Voter:
    """One participant's browser: a logged-in HTTP session that calls Dash callbacks."""

    def __init__(self, url: str, name: str, deps: list[dict] | None = None):
        self.url, self.name, self.http = url, name, requests.Session()
        r = self.http.post(url + "login", data={"name": name, "password": PASSWORD,
                                                "next": "/vote"}, allow_redirects=False)
        if r.status_code != 302:
            raise RuntimeError(f"log-in of {name} refused: {r.status_code}")
        self.csrf = self.http.cookies.get("_csrf_token")
        self.deps = deps or self.http.get(url + "_dash-dependencies").json()

    def _callback(self, output: str, values: dict) -> dict:
        cb = next(d for d in self.deps if d["output"] == output)

        def item(spec):
            # a pattern-matching id comes as the JSON text of a mapping: {"k":["ALL"],...}
            if spec["id"].startswith("{"):
                pattern = json.loads(spec["id"])
                return values.get((pattern["type"], spec["property"]), [])
            return {"id": spec["id"], "property": spec["property"],
                    "value": values.get(spec["id"] + "." + spec["property"])}

        parts = [p.rsplit(".", 1) for p in output.strip(".").split("...")]
        outs = [{"id": i, "property": prop} for i, prop in parts]
        body = {"output": output, "outputs": outs if output.startswith("..") else outs[0],
                "inputs": [item(i) for i in cb["inputs"]],
                "state": [item(s) for s in cb["state"]], "changedPropIds": []}
        first = cb["inputs"][0]
        body["changedPropIds"] = [f"{first['id']}.{first['property']}"]
        r = self.http.post(self.url + "_dash-update-component", json=body,
                           headers={"X-CSRFToken": self.csrf})
        if r.status_code != 200:
            raise RuntimeError(f"{self.name}: {output} -> {r.status_code} {r.text[:200]}")
        return r.json()

    def join(self, code: str) -> None:
        self._callback("..vote-session.data...vote-joined.children..",
                       {"vote-join.n_clicks": 1, "vote-code.value": code,
                        "vote-lang.data": "en"})

    def vote(self, session_id: int, choice: str) -> str:
        """Cast a ballot; raises unless the page answered that it was recorded."""
        out = self._callback("vote-message.children", {
            "vote-submit.n_clicks": 1, "vote-session.data": session_id,
            "vote-lang.data": "en",
            ("vote-choice", "value"): [{"id": {"type": "vote-choice", "k": 0},
                                        "property": "value", "value": choice}]})
        text = json.dumps(out, ensure_ascii=False)
        if "Recorded (round" not in text:
            raise RuntimeError(f"{self.name}: not recorded: {text[:300]}")
        return text


def _choice(k: int, second: bool = False) -> str:
    return OPTIONS[(k + (1 if second else 0)) % len(OPTIONS)]


def _session(engine, names: list[str]) -> tuple[int, str]:
    rec = decision.create_session(engine, question="bench", method="majority",
                                  options=["A", "B", "C"], chair="bench-chair")
    decision.open_session(engine, rec.session_id, "bench-chair")
    return rec.session_id, rec.code


def _counts(engine, session_id: int, voters: int, revoters: int, sent: int) -> dict:
    with store.session_scope(engine, read_only=True) as s:
        votes = ds.list_votes(s, session_id)
        audit = [e for e in store.list_audit(s, limit=100_000)
                 if e.action == "decision.vote" and e.subject == f"decision:{session_id}"]
    rec = decision.close_session(engine, session_id, "bench-chair")
    expected = Counter(_choice(k, k < revoters) for k in range(voters))
    per_voter = Counter(v.user_name for v in votes)
    return {"ballots_sent": sent, "ballots_stored": len(votes),
            "distinct_voters": len(per_voter), "revised": sum(v.revisions for v in votes),
            "audit_votes": len(audit), "lost": voters - len(per_voter),
            "double": sum(n - 1 for n in per_voter.values()),
            "result_ok": rec.result["scores"] == {o: float(expected[o]) for o in OPTIONS},
            "scores": rec.result["scores"]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--voters", type=int, default=50)
    ap.add_argument("--revoters", type=int, default=10,
                    help="participants who vote a second time (a different choice)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    import psycopg

    schema = f"cc_bench_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    dsn = PG.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    url_db = f"{PG}?options={quote(f'-csearch_path={schema}')}"
    settings = from_env().replace(database_url=url_db)
    proc = None
    try:
        dataset = load_dataset(settings.resources_dir)
        store.init_db(settings, dataset, actor="bench")
        engine = store.engine_for(settings)
        names = [f"bench-v{k:02d}" for k in range(args.voters)]
        access.add_user(engine, name="bench-chair", role="commander", password=PASSWORD,
                        actor="bench")
        for n in names:
            access.add_user(engine, name=n, role="expert", password=PASSWORD, actor="bench")
        port = _free_port()
        env = {**os.environ, "DATABASE_URL": url_db, "CC_PORT": str(port),
               "PYTHONPATH": str(ROOT)}
        proc = subprocess.Popen([sys.executable, "-m", "command", "serve"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 120
        while True:
            try:
                requests.get(url + "login", timeout=2)
                break
            except requests.RequestException:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the app did not start") from None
                time.sleep(0.5)
        t0 = time.perf_counter()
        first = Voter(url, names[0])
        voters = [first] + [Voter(url, n, first.deps) for n in names[1:]]
        login_s = time.perf_counter() - t0

        # baseline: the same ballots one after another (no replacement)
        seq_id, seq_code = _session(engine, names)
        for v in voters:
            v.join(seq_code)
        t0 = time.perf_counter()
        for k, v in enumerate(voters):
            v.vote(seq_id, _choice(k))
        sequential_s = time.perf_counter() - t0
        seq = _counts(engine, seq_id, args.voters, 0, args.voters)

        # all at once; the first `revoters` vote again with another choice
        con_id, con_code = _session(engine, names)
        for v in voters:
            v.join(con_code)
        start, errors = threading.Barrier(len(voters)), []

        def run(k: int, v: Voter):
            try:
                start.wait()
                v.vote(con_id, _choice(k))
                if k < args.revoters:
                    v.vote(con_id, _choice(k, True))
            except Exception as exc:  # reported below: a lost request is a finding
                errors.append(f"{v.name}: {exc}")

        threads = [threading.Thread(target=run, args=(k, v)) for k, v in enumerate(voters)]
        t0 = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        concurrent_s = time.perf_counter() - t0
        sent = args.voters + args.revoters
        con = _counts(engine, con_id, args.voters, args.revoters, sent)
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')

    ratio = (sent / concurrent_s) / (args.voters / sequential_s)
    print(f"{args.voters} participants logged in over HTTP in {login_s:.1f} s "
          f"(PostgreSQL, schema {schema}, dropped)")
    print(f"{'run':<12}{'sent':>6}{'stored':>8}{'voters':>8}{'revised':>9}{'audit':>7}"
          f"{'lost':>6}{'double':>8}{'result':>8}{'seconds':>9}{'ballots/s':>11}")
    for label, c, secs in (("sequential", seq, sequential_s), ("concurrent", con, concurrent_s)):
        print(f"{label:<12}{c['ballots_sent']:>6}{c['ballots_stored']:>8}"
              f"{c['distinct_voters']:>8}{c['revised']:>9}{c['audit_votes']:>7}{c['lost']:>6}"
              f"{c['double']:>8}{'ok' if c['result_ok'] else 'WRONG':>8}{secs:>9.2f}"
              f"{c['ballots_sent'] / secs:>11.1f}")
    print(f"concurrent / sequential throughput: {ratio:.2f}; request errors: {len(errors)}")
    for e in errors[:5]:
        print("  " + e)
    if args.json:
        print(json.dumps({**{k: v for k, v in con.items() if k != "scores"},
                          "errors": len(errors), "sequential_s": round(sequential_s, 3),
                          "concurrent_s": round(concurrent_s, 3), "ratio": round(ratio, 3)}))
    ok = (not errors and con["lost"] == 0 and con["double"] == 0 and con["result_ok"]
          and con["revised"] == args.revoters and con["audit_votes"] == sent)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
