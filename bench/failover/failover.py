"""Failover under load (issue 14 §5), driven by bench/failover.sh against a running
scripts/cluster.sh cluster. Python 3 standard library only.

Load, for the whole run: on each API instance READERS threads reading (GET /auth/me and the
metadata of an uploaded video, in turn, ~20 req/s per thread), an upload every 2 s (alternating
APIs; every video's bytes unique), a login every second from an IP never seen before
(X-Forwarded-For through the trusted 127.0.0.1).

Faults, in turn, each watched until 15 s pass without a failed request (at most WATCH_MAX s):
SIGKILL of one silo; SIGTERM of another; PostgreSQL stopped for DB_DOWN seconds. Then the two
silos are started again (scale back to 3) and watched the same way.

Printed: per phase the answers that were not 2xx, by kind and status (a refused connection or
a timeout is a status of its own); any 5xx other than 503, and any 503 without Retry-After;
seconds until every request succeeds again (from the kill, or from the database's return);
then the checks: every upload answered 201 downloads byte-exact, every token revoked and every
IP blocked before the faults is still refused. A JSON summary goes to OUT/summary.json.
"""
import hashlib, http.client, json, os, random, signal, subprocess, sys, threading, time, urllib.parse

CFG = json.loads(sys.argv[1])
APIS = CFG["apis"]                     # ["http://127.0.0.1:18271", ...]
OUT = CFG["out"]
CLUSTER = CFG["cluster_script"]
RUN = CFG["run_dir"]                   # pid files of scripts/cluster.sh
VIDEO = open(CFG["video"], "rb").read()
READERS = int(CFG.get("readers", 2))
WARMUP = float(CFG.get("warmup", 20))
DB_DOWN = float(CFG.get("db_down", 20))
WATCH_MAX = float(CFG.get("watch_max", 120))
QUIET = float(CFG.get("quiet", 15))
DASHBOARDS = CFG.get("dashboards", [])  # every silo's dashboard base (silo1..3), for activation counts
SILO_PORTS = CFG.get("silo_ports", [])  # the silo port of silo1..3, to name the silo a grain is on

lock = threading.Lock()
records = []                           # (t_start, t_end, kind, api, status, retry_after)
uploads = []                           # (video_id, sha256) of every upload answered 201
unknown_uploads = []                   # uploads without an answer (timeout, reset): not acknowledged
stop = threading.Event()
T0 = time.monotonic()


def now():
    return time.monotonic() - T0


def request(api, method, path, headers=None, body=None, timeout=30):
    """One request; returns (status, headers dict, body bytes). status 0: no answer."""
    url = urllib.parse.urlsplit(APIS[api])
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data
    except (OSError, http.client.HTTPException) as error:
        return 0, {"error": type(error).__name__}, b""
    finally:
        conn.close()


def timed(kind, api, method, path, headers=None, body=None):
    start = now()
    status, head, data = request(api, method, path, headers, body)
    with lock:
        records.append((start, now(), kind, api, status, "retry-after" in head))
    return status, head, data


def json_headers(token=None, ip="10.9.0.1"):
    headers = {"Content-Type": "application/json", "X-Forwarded-For": ip}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return headers


def login(api, username, password, ip):
    body = json.dumps({"username": username, "password": password})
    return request(api, "POST", "/auth/login", json_headers(ip=ip), body)


def must(send, what, expect=(200, 201, 204)):
    """SEND() until it is not a 503 (shed load: the answer says when to retry), at most 30 times."""
    for _ in range(30):
        status, head, data = send()
        if status != 503:
            break
        time.sleep(float(head.get("retry-after", "1")))
    if status not in expect:
        sys.exit(f"bench: setup error: {what} answered {status}: {data[:300]!r}")
    return json.loads(data) if data else {}


def multipart(video, name, project):
    boundary = "----failover" + os.urandom(8).hex()
    parts = [f"--{boundary}\r\nContent-Disposition: form-data; name=\"project_id\"\r\n\r\n{project}\r\n".encode(),
             f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
             f"Content-Type: video/mp4\r\n\r\n".encode(), video, f"\r\n--{boundary}--\r\n".encode()]
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


# ---------------------------------------------------------------- load
def reader(api, token, ip):
    turn = 0
    while not stop.is_set():
        turn += 1
        with lock:
            known = uploads[-20:]
        if turn % 2 and known:
            video_id = random.choice(known)[0]
            timed("read", api, "GET", f"/surveillance/videos/{video_id}", json_headers(token, ip))
        else:
            timed("read", api, "GET", "/auth/me", json_headers(token, ip))
        stop.wait(0.05)


def uploader(token, project):
    n = 0
    while not stop.is_set():
        n += 1
        began = time.monotonic()
        # Unique bytes per upload: an MP4 tolerates trailing bytes after its boxes.
        video = VIDEO + os.urandom(32)
        body, content_type = multipart(video, f"failover-{n}.mp4", project)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": content_type, "X-Forwarded-For": "10.2.0.1"}
        status, _, data = timed("upload", n % len(APIS), "POST", "/surveillance/upload", headers, body)
        if status == 201:
            with lock:
                uploads.append((json.loads(data)["video_id"], hashlib.sha256(video).hexdigest()))
        elif status == 0:
            unknown_uploads.append(n)
        stop.wait(max(0.0, 2.0 - (time.monotonic() - began)))


def searcher(token, project):
    """A search every 2 s: the project's index lives in one FrameIndexGrain, reloaded where it reactivates."""
    n = 0
    while not stop.is_set():
        n += 1
        began = time.monotonic()
        timed("search", n % len(APIS), "POST", "/surveillance/search", json_headers(token, "10.3.0.1"),
              json.dumps({"query": "a red car at the gate", "project_id": project, "threshold": 0.0, "limit": 5}))
        stop.wait(max(0.0, 2.0 - (time.monotonic() - began)))


def login_storm(username, password):
    n = 0
    while not stop.is_set():
        n += 1
        ip = f"10.{100 + (n >> 16) % 100}.{(n >> 8) % 256}.{n % 256}"
        start = now()
        status, head, _ = login(n % len(APIS), username, password, ip)
        with lock:
            records.append((start, now(), "login", n % len(APIS), status, "retry-after" in head))
        stop.wait(1.0)


# ---------------------------------------------------------------- faults
def pid_of(node):
    with open(os.path.join(RUN, f"{node}.pid")) as f:
        return int(f.read().split()[0])


def failures_since(t):
    with lock:
        return [r for r in records if r[1] >= t and not 200 <= r[4] < 300]


def watch(t_fault):
    """Until QUIET s without a failure (and at least QUIET s after t_fault), at most WATCH_MAX s."""
    while True:
        time.sleep(0.5)
        fails = failures_since(t_fault)
        last = max((r[1] for r in fails), default=t_fault)
        if now() - last >= QUIET and now() - t_fault >= QUIET:
            return
        if now() - t_fault >= WATCH_MAX:
            return


def cluster(*args):
    subprocess.run([CLUSTER, *args], check=True, stdout=subprocess.DEVNULL, stderr=open(os.path.join(OUT, "cluster-ops.log"), "a"))


def dashboard(path):
    """GET PATH from the first silo dashboard that answers (any silo may be down)."""
    for base in DASHBOARDS:
        url = urllib.parse.urlsplit(base)
        try:
            conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
            conn.request("GET", path)
            response = conn.getresponse()
            if response.status == 200:
                return json.loads(response.read())
        except (OSError, http.client.HTTPException, ValueError):
            continue
    return None


def dashboard_counters():
    """Activations per silo (by silo port; ours by grain type) and the reminder count, from a dashboard."""
    data = dashboard("/dashboard/DashboardCounters")
    if data is None:
        return {"error": "no dashboard answered"}
    silos = {}
    for stat in data.get("simpleGrainStats", []):
        silo = silos.setdefault(stat["siloAddress"].split("@")[0].split(":")[-1], {"all": 0})
        silo["all"] += stat["activationCount"]
        if stat["grainType"].startswith("Surveillance."):
            name = stat["grainType"].rsplit(".", 1)[-1]
            silo[name] = silo.get(name, 0) + stat["activationCount"]
    reminders = dashboard("/dashboard/Reminders")
    return {"silos": dict(sorted(silos.items())), "reminders": reminders.get("count") if reminders else None}


def silo_hosting(grain_type, among):
    """The node name (silo1..) among AMONG whose silo holds an activation of GRAIN_TYPE, else AMONG[-1]."""
    counters = dashboard_counters().get("silos", {})
    for node in among:
        port = str(SILO_PORTS[int(node[4:]) - 1])
        if counters.get(port, {}).get(grain_type):
            return node
    return among[-1]


phases = []


def phase(name, fault, reference_after=None):
    """Runs FAULT (returns the time the system should be whole again), watches, records the phase."""
    t_fault = now()
    print(f"  {t_fault:7.1f}s {name}", flush=True)
    t_ref = fault() or t_fault
    watch(t_ref)
    t_end = now()
    phases.append({"name": name, "t_fault": t_fault, "t_ref": t_ref, "t_end": t_end, "activations": dashboard_counters()})


def main():
    user_password = "Failover-" + os.urandom(12).hex()
    admin = must(lambda: login(0, "admin", CFG["admin_password"], "10.9.0.1"), "admin login")["access_token"]
    project = "failover"
    must(lambda: request(0, "POST", "/surveillance/projects", json_headers(admin),
                 json.dumps({"project_id": project, "name": "failover bench"})), "create project", (201, 409))
    for name in ("failover-login", "failover-revoked"):
        must(lambda: request(0, "POST", "/admin/users", json_headers(admin),
                     json.dumps({"username": name, "password": user_password, "email": f"{name}@example.com", "roles": ["viewer"]})),
             f"create user {name}", (201, 409))

    # A project search index to move around: one video, probed, with results of 20 frames.
    body, content_type = multipart(VIDEO, "indexed.mp4", project)
    indexed = must(lambda: request(0, "POST", "/surveillance/upload", {"Authorization": f"Bearer {admin}",
                                   "Content-Type": content_type, "X-Forwarded-For": "10.9.0.1"}, body), "upload", (201,))["video_id"]
    for _ in range(120):
        status, _, data = request(0, "GET", f"/surveillance/jobs/{indexed}", json_headers(admin))
        if status == 200 and json.loads(data).get("status") == "awaiting_results":
            break
        time.sleep(1)
    frames = [{"timestamp": i * 0.1, "caption": random.choice(["a red car at the gate", "a person with a bag", "an empty street"]),
               "detected_objects": [{"class": "car", "confidence": 0.9, "bbox": [1, 2, 30, 40]}]} for i in range(20)]
    must(lambda: request(0, "POST", f"/surveillance/videos/{indexed}/results", json_headers(admin),
                         json.dumps({"model_version": "failover-bench", "frames": frames})), "post results")
    for _ in range(60):   # indexing is asynchronous
        status, _, data = request(0, "POST", "/surveillance/search", json_headers(admin),
                                  json.dumps({"query": "a red car", "project_id": project, "threshold": 0.0}))
        if status == 200 and json.loads(data).get("total_results", 0) > 0:
            break
        time.sleep(1)

    # Made before the faults; must still hold after them, on every API instance.
    revoked = []
    for i in range(4):
        token = must(lambda: login(i % len(APIS), "failover-revoked", user_password, f"10.8.0.{i + 1}"), "login to revoke")["access_token"]
        must(lambda: request((i + 1) % len(APIS), "POST", "/auth/logout", json_headers(token, f"10.8.0.{i + 1}")), "logout")
        revoked.append(token)
    blocked = [f"10.66.0.{i + 1}" for i in range(4)]
    for i, ip in enumerate(blocked):
        must(lambda: request(i % len(APIS), "POST", "/admin/security/blocked-ips", json_headers(admin),
                     json.dumps({"ip": ip, "reason": "failover bench", "duration_seconds": 86400})), f"block {ip}", (200, 201))

    threads = [threading.Thread(target=reader, args=(api, admin, f"10.1.{api}.{k + 1}"), daemon=True)
               for api in range(len(APIS)) for k in range(READERS)]
    threads += [threading.Thread(target=uploader, args=(admin, project), daemon=True),
                threading.Thread(target=login_storm, args=("failover-login", user_password), daemon=True),
                threading.Thread(target=searcher, args=(admin, project), daemon=True)]
    for t in threads:
        t.start()

    print(f"  {now():7.1f}s load started: {READERS} readers per API, an upload every 2 s, a login every 1 s, a search every 2 s", flush=True)
    time.sleep(WARMUP)
    phases.append({"name": "steady (no fault)", "t_fault": 0.0, "t_ref": 0.0, "t_end": now(), "activations": dashboard_counters()})

    # The victims hold the project's search index, so that its reload is measured too; never silo1
    # (the survivor), which keeps the cluster's first gateway.
    killed = silo_hosting("FrameIndexGrain", ["silo2", "silo3"])
    phase(f"SIGKILL {killed}", lambda: os.kill(pid_of(killed), signal.SIGKILL))
    stopped = "silo2" if killed == "silo3" else "silo3"
    phase(f"SIGTERM {stopped}", lambda: os.kill(pid_of(stopped), signal.SIGTERM))

    def database_outage():
        cluster("stop", "postgres")
        time.sleep(DB_DOWN)
        cluster("start", "postgres")
        return now()
    phase(f"PostgreSQL stopped for {DB_DOWN:.0f} s", database_outage)

    def scale_up():
        os.environ["CLUSTER_BUILD"] = "0"
        cluster("start", "silo2", "silo3")
        return None
    phase("silo2 and silo3 started again", scale_up)
    time.sleep(5)
    phases[-1]["activations"] = dashboard_counters()

    stop.set()
    for t in threads:
        t.join(timeout=60)

    # ------------------------------------------------------------ checks
    checks = {}
    bad_downloads = []
    for video_id, sha in uploads:
        status, _, data = request(len(bad_downloads) % len(APIS), "GET", f"/surveillance/videos/{video_id}/content",
                                  {"Authorization": f"Bearer {admin}", "X-Forwarded-For": "10.9.0.1"}, timeout=60)
        if status != 200 or hashlib.sha256(data).hexdigest() != sha:
            bad_downloads.append((video_id, status))
    checks["uploads answered 201 that download byte-exact"] = (len(uploads) - len(bad_downloads), len(uploads))
    still_revoked = sum(1 for token in revoked for api in range(len(APIS))
                        if request(api, "GET", "/auth/me", json_headers(token, "10.8.1.1"))[0] == 401)
    checks["revoked tokens still refused (401), per API"] = (still_revoked, len(revoked) * len(APIS))
    still_blocked = 0
    for ip in blocked:
        for api in range(len(APIS)):
            status, _, data = request(api, "GET", "/auth/me", json_headers(admin, ip))
            if status == 403 and b"IP_BLOCKED" in data:
                still_blocked += 1
    checks["blocked IPs still refused (403 IP_BLOCKED), per API"] = (still_blocked, len(blocked) * len(APIS))

    # ------------------------------------------------------------ report
    summary = {"phases": [], "checks": {k: list(v) for k, v in checks.items()}, "bad_downloads": bad_downloads,
               "unanswered_uploads": len(unknown_uploads)}
    print()
    for i, p in enumerate(phases):
        end = phases[i + 1]["t_fault"] if i + 1 < len(phases) else now()
        with lock:
            window = [r for r in records if p["t_fault"] <= r[1] < end]
        fails = [r for r in window if not 200 <= r[4] < 300]
        by = {}
        for r in fails:
            key = f"{r[2]} {r[4] if r[4] else 'no answer'}"
            by[key] = by.get(key, 0) + 1
        bad_5xx = sum(1 for r in fails if r[4] >= 500 and r[4] != 503)
        no_retry_after = sum(1 for r in fails if r[4] == 503 and not r[5])
        last_fail = max((r[1] for r in fails), default=None)
        recovery = 0.0 if last_fail is None else max(0.0, last_fail - p["t_ref"])
        summary["phases"].append({"name": p["name"], "requests": len(window), "failures": len(fails), "by_status": by,
                                  "5xx_other_than_503": bad_5xx, "503_without_retry_after": no_retry_after,
                                  "recovery_seconds": round(recovery, 1), "watched_seconds": round(end - p["t_fault"], 1),
                                  "activations_at_end": p["activations"]})
        ref = "the database's return" if "PostgreSQL" in p["name"] else "the fault"
        print(f"{p['name']}: {len(window)} requests in {end - p['t_fault']:.0f} s, {len(fails)} not 2xx")
        for key in sorted(by):
            print(f"    {key}: {by[key]}")
        if bad_5xx or no_retry_after:
            print(f"    !! {bad_5xx} answers 5xx other than 503, {no_retry_after} 503 without Retry-After")
        if p["t_fault"] > 0:
            print(f"    every request succeeds again {recovery:.1f} s after {ref}")
        searches = [r for r in window if r[2] == "search" and 200 <= r[4] < 300]
        if searches:
            print(f"    searches: {len(searches)} answered 200, slowest {max(r[1] - r[0] for r in searches) * 1000:.0f} ms, "
                  f"median {sorted(r[1] - r[0] for r in searches)[len(searches) // 2] * 1000:.0f} ms")
        print(f"    activations per silo port and reminders at its end: {json.dumps(p['activations'])}")
    print()
    for name, (good, total) in checks.items():
        print(f"{name}: {good}/{total}")
    print(f"uploads without an answer (not acknowledged, not checked): {len(unknown_uploads)}")
    print()
    verdicts = []
    for p in summary["phases"][1:]:
        target = 10 if "PostgreSQL" in p["name"] else 0 if "started again" in p["name"] else 30
        ok = p["recovery_seconds"] < target if target else p["failures"] == 0
        verdicts.append((p["name"], f"recovery {p['recovery_seconds']:.1f} s" if target else f"{p['failures']} failed",
                         f"< {target} s" if target else "0 failed", ok))
    bad = sum(p["5xx_other_than_503"] + p["503_without_retry_after"] for p in summary["phases"])
    verdicts.append(("all phases", f"{bad} 5xx other than 503 or without Retry-After", "0", bad == 0))
    for name, (good, total) in checks.items():
        verdicts.append((name, f"{good}/{total}", "all", good == total and total > 0))
    for name, value, target, ok in verdicts:
        print(f"{'PASS' if ok else 'FAIL'}  {name}: {value} (target {target})")
    summary["verdicts"] = [list(v) for v in verdicts]
    with open(os.path.join(OUT, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2)
    with open(os.path.join(OUT, "requests.tsv"), "w") as f:
        for r in records:
            f.write("\t".join(str(x) for x in r) + "\n")


if __name__ == "__main__":
    main()
