"""Credential stuffing from a botnet for bench/edge-attacks.sh: CONNECTIONS keep-alive connections
send failed logins for SECONDS, each login from a new IPv4 address (OCTET.64+connection.x.y, so that
no address comes near its own login limit) for an unknown account (USER<connection>-<n>). Each
connection waits for its answer before the next, as stuffing tools do per connection. The latency of
every answer is kept with its status, so the refusals (503) and the served logins (401) are reported
apart: a served login's bcrypt runs at low priority on a saturated CPU and may take seconds, which is
the login capacity at work, not a slow refusal. Prints a summary and a last line `json {...}`."""
import http.client, json, sys, threading, time

HOST, PORT, CONNECTIONS, SECONDS, OCTET, USER = (
    sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]), sys.argv[6])
answers, lock = [], threading.Lock()  # (status, milliseconds, has Retry-After)
start = time.perf_counter()

def connection(index):
    conn, n = http.client.HTTPConnection(HOST, PORT, timeout=30), 0
    while time.perf_counter() - start < SECONDS:
        n += 1
        headers = {"Content-Type": "application/json", "X-Forwarded-For": f"{OCTET}.{64 + index}.{n // 256 % 256}.{n % 256}"}
        body = json.dumps({"username": f"{USER}{index}-{n % 1000}", "password": f"guess-{n}"})
        sent = time.perf_counter()
        try:
            conn.request("POST", "/auth/login", body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            answer = (str(response.status), (time.perf_counter() - sent) * 1000, response.getheader("Retry-After") is not None)
        except Exception as error:  # a refused or timed-out connection is a result, not a crash
            answer = (type(error).__name__, (time.perf_counter() - sent) * 1000, False)
            conn.close()
            conn = http.client.HTTPConnection(HOST, PORT, timeout=30)
        with lock:
            answers.append(answer)

threads = [threading.Thread(target=connection, args=(i,)) for i in range(CONNECTIONS)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
elapsed = time.perf_counter() - start

def pct(values, q):
    return sorted(values)[min(len(values) - 1, int(q * len(values)))] if values else 0.0

statuses = {}
for status, _, _ in answers:
    statuses[status] = statuses.get(status, 0) + 1
refused = [ms for status, ms, _ in answers if status == "503"]
served = [ms for status, ms, _ in answers if status in ("200", "401")]
summary = {
    "logins": len(answers), "rate": len(answers) / elapsed, "statuses": statuses,
    "refused": len(refused), "refused_p50": pct(refused, .5), "refused_p99": pct(refused, .99), "refused_max": max(refused, default=0.0),
    "refused_without_retry_after": sum(1 for status, _, retry in answers if status == "503" and not retry),
    "served": len(served), "served_p50": pct(served, .5), "served_max": max(served, default=0.0),
}
print(f"{summary['logins']} logins in {elapsed:.1f} s ({summary['rate']:.0f}/s), statuses {statuses}")
print(f"refused (503): {len(refused)}, p50 {summary['refused_p50']:.0f} ms, p99 {summary['refused_p99']:.0f} ms, "
      f"max {summary['refused_max']:.0f} ms, {summary['refused_without_retry_after']} without Retry-After")
print(f"served (password checked): {len(served)}, p50 {summary['served_p50']:.0f} ms, max {summary['served_max']:.0f} ms")
print("json " + json.dumps(summary))
