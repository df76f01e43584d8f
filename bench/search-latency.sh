#!/usr/bin/env bash
# Search latency: POST /surveillance/search over 100,000 frames in one project, timed end to end
# on the client, one request at a time. Target: p95 < 100 ms.
#
# Sets up a realistic index first: one real video (ffmpeg), a `processor` member posting 100,000
# frames in calls of 10,000 with CCTV-like captions (a few thousand distinct sentences from a
# colour x object x action x place vocabulary) and detected objects, then waits until the
# project's index grain has embedded all of them. The searches are natural-language queries not
# seen before (each query's embedding is part of the cost), some with an object or a time filter;
# a second pass repeats the same queries, whose embeddings the silo then has cached, to show how
# much of the latency the query's embedding is.
#
# Starts its own system with ./run.sh in a throw-away directory (bench/out/search, git-ignored) on
# ports that do not collide with a developer's ./run.sh or the other benchmarks, with every rate
# limit and threat threshold out of reach, and stops it at the end. Exit status: 0 when the
# measurement ran (whether or not the target was met: see the verdict), non-zero on a setup error
# or any non-2xx answer.
#
# Settings (environment):
#   BENCH_FRAMES        frames to post (100000), in calls of BENCH_BATCH (10000, the API's maximum)
#   BENCH_CAPTIONS      distinct captions among them (4000)
#   BENCH_WARMUP_QUERIES / BENCH_QUERIES   searches before / in the measurement (20 / 200)
#   BENCH_VIDEO_SECONDS length of the ffmpeg video (1000); frame timestamps spread over it
#   BENCH_API_PORT      the API's port (18120); the silo uses BENCH_API_PORT+1 for its dashboard
#   BENCH_PG_PORT       the throw-away PostgreSQL's port (55472)
#   BENCH_SILO_PORT / BENCH_GATEWAY_PORT   the silo's ports (21113 / 31002)
#   BENCH_START_TIMEOUT seconds allowed for build and start-up of the system (900)
#   BENCH_INDEX_TIMEOUT seconds allowed for embedding every frame (1800)
set -euo pipefail
# No job control: a background job then stays in our process group, so setsid below starts
# run.sh in its own session without forking, and $! is run.sh itself.
set +m

cd "$(dirname "$(readlink -f "$0")")/.."
root=$PWD
out="$root/bench/out/search"
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"

frames=${BENCH_FRAMES:-100000}
batch=${BENCH_BATCH:-10000}
captions=${BENCH_CAPTIONS:-4000}
warmup_queries=${BENCH_WARMUP_QUERIES:-20}
queries=${BENCH_QUERIES:-200}
video_seconds=${BENCH_VIDEO_SECONDS:-1000}
api_port=${BENCH_API_PORT:-18120}
dashboard_port=$((api_port + 1))
pg_port=${BENCH_PG_PORT:-55472}
start_timeout=${BENCH_START_TIMEOUT:-900}
index_timeout=${BENCH_INDEX_TIMEOUT:-1800}
project=bench

api="http://127.0.0.1:$api_port"
video="$out/cctv.mp4"

system_pid=""

cleanup() {
    trap - EXIT INT TERM
    # run.sh stops the API, the silo and its PostgreSQL on SIGTERM (15 s each at most).
    if [ -n "$system_pid" ]; then stop_pid "system (run.sh)" "$system_pid" 120; fi
    rm -rf "$out/data/videos"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

require_tools curl python3 ffmpeg dotnet
require_nothing_running "$api/health/live" "http://127.0.0.1:$dashboard_port/health/live"
fresh_out_dir
password=$(random_password)
processor_password=$(random_password)

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
cat <<EOF
Search latency: POST /surveillance/search over $frames frames in one project, $queries sequential searches after $warmup_queries warm-up
$(describe_machine)
  commit:   $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$root" diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')
  software: $(uname -sr), .NET SDK $(dotnet --version), $(python3 --version)
  load average at start: $load_start
EOF

log "making a ${video_seconds}-second video with ffmpeg (1 frame/s: small, but a real, probeable video)"
ffmpeg -v error -f lavfi -i "testsrc=size=320x240:rate=1" -t "$video_seconds" -c:v mpeg4 -movflags +faststart -y "$video" \
    || die "ffmpeg could not make the video"

start_system "$pg_port" "$dashboard_port" "${BENCH_SILO_PORT:-21113}" "${BENCH_GATEWAY_PORT:-31002}" "$password"

log "logging in as admin; creating the project '$project' and its processor member"
admin_token=$(login admin "$password") || die "could not log in as admin at $api/auth/login"
call "$admin_token" POST /surveillance/projects \
    "{\"project_id\":\"$project\",\"name\":\"Search benchmark\"}" >/dev/null
call "$admin_token" POST /admin/users \
    "{\"username\":\"processor\",\"password\":\"$processor_password\",\"email\":\"processor@bench.invalid\",\"roles\":[\"processor\"]}" >/dev/null
call "$admin_token" PUT "/surveillance/projects/$project/members/processor" >/dev/null
processor_token=$(login processor "$processor_password") || die "could not log in as processor"

log "uploading the video"
upload_status=$(curl -sS -o "$out/upload.json" -w '%{http_code}' -H 'Expect:' \
    -H "Authorization: Bearer $admin_token" -F "project_id=$project" -F "file=@$video;type=video/mp4" \
    "$api/surveillance/upload") || die "the upload failed (curl)"
[ "$upload_status" = 201 ] || { cat "$out/upload.json" >&2; echo >&2; die "the upload answered $upload_status, not 201"; }
video_id=$(json_field video_id <"$out/upload.json")

log "waiting for the probe (job $video_id) to reach awaiting_results"
deadline=$((SECONDS + 300))
while :; do
    status=$(call "$admin_token" GET "/surveillance/jobs/$video_id" | json_field status)
    [ "$status" = awaiting_results ] && break
    [ "$status" = failed ] && die "the probe failed: $(cat "$out/last-response.json")"
    ((SECONDS < deadline)) || die "the job is still '$status' after 300 s"
    sleep 1
done
duration=$(call "$admin_token" GET "/surveillance/videos/$video_id" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["media"]["duration_seconds"])')
log "probed duration: $duration s"

# The rest — posting, waiting for the index, searching, the figures — in one Python program:
# http.client with keep-alive, one request at a time, timed with perf_counter around each.
if ! python3 - "$api" "$admin_token" "$processor_token" "$video_id" "$duration" "$out" \
    "$frames" "$batch" "$captions" "$warmup_queries" "$queries" "$index_timeout" <<'PY' | tee "$out/summary.txt"
import http.client, json, math, random, statistics, sys, time, urllib.parse

(api, admin_token, processor_token, video_id, duration, out,
 n_frames, batch, n_captions, n_warmup, n_queries, index_timeout) = sys.argv[1:]
duration, n_frames, batch, n_captions = float(duration), int(n_frames), int(batch), int(n_captions)
n_warmup, n_queries, index_timeout = int(n_warmup), int(n_queries), float(index_timeout)
url = urllib.parse.urlsplit(api)
rng = random.Random(20261128)

class Failure(Exception):
    pass

class Client:
    """One keep-alive connection; every answer must be 2xx."""
    def __init__(self, token):
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.connection = http.client.HTTPConnection(url.hostname, url.port, timeout=600)

    def post(self, path, body):
        data = json.dumps(body).encode()
        started = time.perf_counter()
        self.connection.request("POST", path, body=data, headers=self.headers)
        response = self.connection.getresponse()
        payload = response.read()
        elapsed = time.perf_counter() - started
        if not 200 <= response.status < 300:
            raise Failure(f"POST {path} answered {response.status}: {payload[:500].decode(errors='replace')}")
        return json.loads(payload), elapsed

# --- The frames: CCTV-like captions from a vocabulary, a few thousand distinct ones. ---------
COLOURS = ["red", "blue", "white", "black", "silver", "grey", "green", "yellow", "dark blue", "orange"]
VEHICLES = [("a {c} car", "car"), ("a {c} van", "van"), ("a {c} pickup truck", "truck"),
            ("a {c} bus", "bus"), ("a {c} motorcycle", "motorcycle"), ("a {c} bicycle", "bicycle")]
PEOPLE = [("a man in a {c} jacket", "person"), ("a woman in a {c} coat", "person"),
          ("a courier in a {c} vest", "person")]
VEHICLE_ACTIONS = ["parked", "driving slowly", "stopping", "turning left", "reversing", "waiting with its lights on"]
PERSON_ACTIONS = ["walking", "running", "standing still", "loitering", "carrying a large bag", "talking on a phone"]
PLACES = ["near the north gate", "in the car park", "at the loading dock", "by the main entrance",
          "on the access road", "next to the perimeter fence", "at the petrol pump", "under the street light",
          "outside the warehouse", "at the barrier", "in the bus lane", "on the pavement"]
WHEN = ["", " at night", " in the rain"]

vocabulary = []
for subjects, actions in ((VEHICLES, VEHICLE_ACTIONS), (PEOPLE, PERSON_ACTIONS)):
    for phrase, cls in subjects:
        for colour in COLOURS:
            for action in actions:
                for place in PLACES:
                    for when in WHEN:
                        vocabulary.append((f"{phrase.format(c=colour)} {action} {place}{when}", cls))
if n_captions > len(vocabulary):
    raise SystemExit(f"bench: setup error: at most {len(vocabulary)} distinct captions")
captions = rng.sample(vocabulary, n_captions)

def frame(i):
    caption, cls = captions[rng.randrange(n_captions)]
    objects = [{"class": cls, "confidence": round(rng.uniform(0.5, 0.99), 3),
                "bbox": [rng.randint(0, 200), rng.randint(0, 150), rng.randint(20, 120), rng.randint(20, 90)]}]
    if cls != "person" and rng.random() < 0.3:
        objects.append({"class": "person", "confidence": round(rng.uniform(0.5, 0.99), 3), "bbox": [1, 2, 3, 4]})
    # Evenly spread over the probed duration, never past it.
    return {"timestamp": round(i * duration / n_frames, 4), "caption": caption, "detected_objects": objects}

processor = Client(processor_token)
admin = Client(admin_token)

def count_indexed():
    body, _ = admin.post("/surveillance/search", {"query": "anything", "threshold": 0, "limit": 1})
    return body["total_results"]

try:
    print(f"\nposting {n_frames} frames ({len({c for c, _ in captions})} distinct captions) in calls of {batch}")
    started = time.perf_counter()
    posted = 0
    for first in range(0, n_frames, batch):
        count = min(batch, n_frames - first)
        body, elapsed = processor.post(f"/surveillance/videos/{video_id}/results",
                                       {"model_version": "bench", "frames": [frame(first + i) for i in range(count)]})
        if body["frames_stored"] != count:
            raise Failure(f"a call stored {body['frames_stored']} frames, not {count}")
        posted += count
        print(f"  call {first // batch + 1:>3}: {count} frames in {elapsed:6.2f} s (frame_count {body['frame_count']})", flush=True)
    post_seconds = time.perf_counter() - started

    indexed, deadline = 0, time.perf_counter() + index_timeout
    while True:
        indexed = count_indexed()
        if indexed >= n_frames:
            break
        if time.perf_counter() > deadline:
            raise Failure(f"only {indexed} of {n_frames} frames indexed after {index_timeout:.0f} s")
        time.sleep(2)
    index_seconds = time.perf_counter() - started - post_seconds
    if indexed != n_frames:
        raise Failure(f"{indexed} frames indexed, not {n_frames}")
    print(f"posting: {post_seconds:.1f} s ({n_frames / post_seconds:.0f} frames/s); "
          f"indexing done {index_seconds:.1f} s after the last call (threshold-0 search counts {indexed})")

    # --- The queries: natural language, distinct, none seen by the server before. -------------
    Q_SUBJECTS = [("car", "car"), ("van", "van"), ("truck", "truck"), ("bus", "bus"), ("motorbike", "motorcycle"),
                  ("bike", "bicycle"), ("person", "person"), ("man", "person"), ("woman", "person"),
                  ("courier", "person")]
    Q_DOING = {"car": ["parked", "driving", "stopped", "reversing"], "person": ["walking", "running", "loitering",
               "standing", "with a bag", "on the phone"]}
    Q_PLACES = ["near the gate", "in the parking lot", "at the dock", "at the entrance", "on the road", "by the fence",
                "at the fuel pump", "under a lamp", "outside the building", "at the barrier", "on the sidewalk",
                "in the bus lane"]
    Q_WHEN = ["", " at night", " in the rain", " after dark"]
    pool = set()
    while len(pool) < n_warmup + n_queries:
        (subject, cls), colour = rng.choice(Q_SUBJECTS), rng.choice(COLOURS + [""])
        doing = rng.choice(Q_DOING["person" if cls == "person" else "car"])
        noun = f"{colour} {subject}".strip() if cls != "person" else f"{subject} in {colour or 'dark'} clothes"
        pool.add((f"{noun} {doing} {rng.choice(Q_PLACES)}{rng.choice(Q_WHEN)}", cls))
    pool = sorted(pool)
    rng.shuffle(pool)

    def search_body(i, text, cls):
        body = {"query": text, "threshold": 0.7, "limit": 10}
        if i % 4 == 1:
            body["detected_objects"] = [cls]
        if i % 5 == 2:
            start = round(rng.uniform(0, duration * 0.8), 1)
            body["start_time"], body["end_time"] = start, round(start + duration * 0.1, 1)
        return body

    bodies = [search_body(i, text, cls) for i, (text, cls) in enumerate(pool)]
    warm, measured = bodies[:n_warmup], bodies[n_warmup:]

    def run(requests, label):
        rows = []
        for body in requests:
            answer, elapsed = admin.post("/surveillance/search", body)
            rows.append((elapsed * 1000, answer["query_time"] * 1000, answer["total_results"], len(answer["results"]),
                         body))
        with open(f"{out}/searches-{label}.jsonl", "w") as f:
            for client_ms, server_ms, total, hits, body in rows:
                f.write(json.dumps({"client_ms": round(client_ms, 3), "query_time_ms": round(server_ms, 3),
                                    "total_results": total, "hits": hits, "request": body}) + "\n")
        return rows

    def pct(values, q):
        ordered = sorted(values)
        return ordered[max(0, math.ceil(q * len(ordered)) - 1)]   # nearest rank

    run(warm, "warmup")
    first = run(measured, "measured")
    again = run(measured, "repeated")

    print(f"\n{len(first)} searches, one at a time, after {len(warm)} warm-up searches "
          f"({sum(1 for b in measured if 'detected_objects' in b)} with an object filter, "
          f"{sum(1 for b in measured if 'start_time' in b)} with a time window; threshold 0.7, limit 10)")
    print(f"{'':44}{'p50':>8}{'p95':>8}{'p99':>8}{'max':>8}{'mean':>8}   ms")
    for label, rows in (("client, end to end (new queries)", first),
                        ("  server query_time", first),
                        ("client, same queries again (cached vectors)", again),
                        ("  server query_time", again)):
        values = [r[0] for r in rows] if label.startswith("client") else [r[1] for r in rows]
        print(f"{label:44}{pct(values, .5):>8.1f}{pct(values, .95):>8.1f}{pct(values, .99):>8.1f}"
              f"{max(values):>8.1f}{statistics.fmean(values):>8.1f}")
    totals = [r[2] for r in first]
    print(f"matches per search (total_results): median {statistics.median(totals):.0f}, max {max(totals)}; "
          f"searches with no hit: {sum(1 for r in first if r[3] == 0)}")
    p95 = pct([r[0] for r in first], .95)
    print(f"\ntarget: p95 < 100 ms (client, new queries): p95 = {p95:.1f} ms  {'PASS' if p95 < 100 else 'FAIL'}")
except Failure as failure:
    print(f"bench: setup error: {failure}", file=sys.stderr)
    sys.exit(2)
PY
then
    die "the measurement did not complete (see above; logs in $out)"
fi
load_end=$(cut -d' ' -f1-3 /proc/loadavg)
printf 'load average at start: %s; at end: %s (%s CPUs; above that, other processes competed with the run)\n' \
    "$load_start" "$load_end" "$(nproc)" | tee -a "$out/summary.txt"
printf 'per-search figures: %s/searches-*.jsonl; system log: %s/system.log\n' "$out" "$out"
