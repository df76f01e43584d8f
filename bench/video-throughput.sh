#!/usr/bin/env bash
# Video throughput: upload a 400 MiB video through POST /surveillance/upload (streamed, encrypted,
# fsynced) and download it through GET /surveillance/videos/{id}/content (decrypted while
# streaming), next to dd writing (conv=fdatasync) and reading the same amount on the same disk in
# the same run; the API's resident memory is sampled every 100 ms during the uploads.
# Targets: upload and download at least 0.8 x dd's write and read; RSS growth below 64 MiB.
#
# After a warm-up that brings the API to its steady state, BENCH_ROUNDS rounds each time dd's
# write, an upload, dd's read and a download back to back, so that every ratio compares figures
# taken seconds apart (this virtual disk's speed drifts by 2x within minutes). The verdict is on
# the median of the rounds' ratios; every round is printed.
#
# Starts its own system with ./run.sh in a throw-away directory (bench/out/video, git-ignored) on
# ports that do not collide with a developer's ./run.sh, and stops it at the end. The page cache
# is dropped before each read (dd's and the download) when the kernel lets us; otherwise the
# report says that reads came from memory. Exit status: 0 when the measurement ran (whether or not
# the targets were met: see the verdict), non-zero on a setup error (including a download whose
# SHA-256 differs from the upload's).
#
# Settings (environment):
#   BENCH_VIDEO_MIB     size of the video and of dd's file, in MiB (400)
#   BENCH_WARMUP_SMALL  8 MiB upload/download round trips before measuring (40)
#   BENCH_WARMUP_UPLOADS full-size upload/download round trips after those (4)
#   BENCH_ROUNDS        measured rounds (5)
#   BENCH_API_PORT      the API's port (18090); the silo uses BENCH_API_PORT+1 for its dashboard
#   BENCH_PG_PORT       the throw-away PostgreSQL's port (55471)
#   BENCH_START_TIMEOUT seconds allowed for build and start-up of the system (900)
set -euo pipefail
# No job control: a background job then stays in our process group, so setsid below starts
# run.sh in its own session without forking, and $! is run.sh itself.
set +m

cd "$(dirname "$(readlink -f "$0")")/.."
root=$PWD
out="$root/bench/out/video"
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"

mib=${BENCH_VIDEO_MIB:-400}
warmup_small=${BENCH_WARMUP_SMALL:-40}
warmup_uploads=${BENCH_WARMUP_UPLOADS:-4}
rounds=${BENCH_ROUNDS:-5}
bytes=$((mib * 1024 * 1024))
api_port=${BENCH_API_PORT:-18090}
dashboard_port=$((api_port + 1))
pg_port=${BENCH_PG_PORT:-55471}
start_timeout=${BENCH_START_TIMEOUT:-900}
max_upload=$(((mib + 50) * 1024 * 1024))   # Uploads:MaxBytes: room above the video

api="http://127.0.0.1:$api_port"
video="$out/big.mp4"
warm_video="$out/warm.mp4"

system_pid=""
sampler_pid=""

cleanup() {
    trap - EXIT INT TERM
    if [ -n "$sampler_pid" ]; then kill "$sampler_pid" 2>/dev/null || true; fi
    # run.sh stops the API, the silo and its PostgreSQL on SIGTERM (15 s each at most).
    if [ -n "$system_pid" ]; then stop_pid "system (run.sh)" "$system_pid" 120; fi
    # The big files are only scaffolding; the logs and the summary stay.
    rm -f "$video" "$warm_video" "$out/seed.mp4" "$out/dd.bin"
    rm -rf "$out/data/videos"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Whether PID descends from ANCESTOR.
descends_from() {
    local pid=$1 ancestor=$2
    while [ -n "$pid" ] && [ "$pid" -gt 1 ]; do
        [ "$pid" = "$ancestor" ] && return 0
        pid=$(ps -o ppid= -p "$pid" 2>/dev/null | tr -d ' ') || return 1
    done
    return 1
}

# The API process our run.sh started (not one of another ./run.sh on this machine).
api_pid() {
    local pid
    for pid in $(pgrep -f 'Surveillance\.Api\.dll' || true); do
        if descends_from "$pid" "$system_pid"; then
            printf '%s\n' "$pid"
            return 0
        fi
    done
    return 1
}

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
# CPU time (user + system) the process has used so far, in clock ticks: on a busy machine the
# seconds a transfer takes depend on what else runs, the CPU it costs much less.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hwm_kib() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }

# Empties the page cache so that the next read comes from the disk; says whether it could.
cache_dropped=yes
drop_caches() {
    sync
    if ! { echo 3 >/proc/sys/vm/drop_caches; } 2>/dev/null; then
        cache_dropped=no
    fi
}

# Seconds dd reports in its last line ("419430400 bytes (...) copied, 1.23 s, 340 MB/s").
dd_seconds() { LC_ALL=C awk -F', ' '/ copied, / {sub(/ s$/, "", $3); print $3}' "$1"; }

upload() {
    local file=$1 body=$2 result
    result=$(curl -sS -o "$body" -w '%{time_total} %{http_code}' -H 'Expect:' \
        -H "Authorization: Bearer $token" -F project_id=bench -F "file=@$file;type=video/mp4" \
        "$api/surveillance/upload") || die "the upload of $file failed (curl)"
    [ "${result#* }" = 201 ] || { cat "$body" >&2; echo >&2; die "the upload of $file answered ${result#* }, not 201"; }
    printf '%s\n' "${result% *}"
}

# Upload, download and delete one video (warm-up).
round_trip() {
    local id
    upload "$1" "$out/warm-upload.json" >/dev/null
    id=$(json_field video_id <"$out/warm-upload.json")
    curl -fsS -o /dev/null -H "Authorization: Bearer $token" "$api/surveillance/videos/$id/content" \
        || die "a warm-up download failed"
    curl -fsS -o /dev/null -X DELETE -H "Authorization: Bearer $token" "$api/surveillance/videos/$id" \
        || die "a warm-up video could not be deleted"
}

require_tools curl python3 ffmpeg dd sha256sum dotnet pgrep
require_nothing_running "$api/health/live" "http://127.0.0.1:$dashboard_port/health/live"
fresh_out_dir
free_mib=$(df -Pm "$out" | awk 'NR == 2 {print $4}')
((free_mib > 3 * mib + 512)) || die "$out needs about $((3 * mib + 512)) MiB free; $free_mib MiB are"
password=$(random_password)

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
cat <<EOF
Video throughput: $mib MiB up and down through the API, beside dd on the same disk
$(describe_machine)
  disk:     $(df -PT "$out" | awk 'NR == 2 {print $1 " (" $2 ") mounted on " $7}')
  software: $(uname -sr), .NET SDK $(dotnet --version)
  load average at start: $load_start
EOF

log "making a $mib MiB video: a real MP4 (ffmpeg) followed by random bytes"
ffmpeg -v error -f lavfi -i testsrc=duration=2:size=320x240:rate=25 -c:v mpeg4 -movflags +faststart -y "$out/seed.mp4" \
    || die "ffmpeg could not make the seed video"
seed_bytes=$(stat -c %s "$out/seed.mp4")
{ cat "$out/seed.mp4"; head -c $((bytes - seed_bytes)) /dev/urandom; } >"$video"
{ cat "$out/seed.mp4"; head -c $((8 * 1024 * 1024)) /dev/urandom; } >"$warm_video"
[ "$(stat -c %s "$video")" = "$bytes" ] || die "$video does not have $bytes bytes"
video_sha=$(sha256sum "$video" | cut -d' ' -f1)

start_system "$pg_port" "$dashboard_port" "${BENCH_SILO_PORT:-21112}" "${BENCH_GATEWAY_PORT:-31001}" "$password" Uploads__MaxBytes="$max_upload"
pid=$(api_pid) || die "found no Surveillance.Api.dll process under run.sh (pid $system_pid)"

log "logging in"
token=$(curl -fsS -X POST "$api/auth/login" -H 'Content-Type: application/json' \
    -d "{\"username\":\"admin\",\"password\":\"$password\"}" | json_field access_token) \
    || die "could not log in as admin at $api/auth/login"

# Warm-up, to bring the API to the steady state of a server that has been up for a while:
# BENCH_WARMUP_SMALL (40) round trips of an 8 MiB video (upload, download, delete), so that the
# code run once per request reaches its optimised version (.NET recompiles a method after ~30
# calls), then BENCH_WARMUP_UPLOADS (4) full-size round trips for the loops run per chunk.
# Measured on two cores: with fewer, the JIT is still recompiling during the measured rounds.
log "warm-up: $warmup_small round trips of 8 MiB, then $warmup_uploads of $mib MiB"
for _ in $(seq 1 "$warmup_small"); do
    round_trip "$warm_video"
done
for _ in $(seq 1 "$warmup_uploads"); do
    round_trip "$video"
done

# One line per round in rounds.txt: dd write s (the video's bytes), upload s, dd read s,
# download s, API CPU ticks of the upload and of the download, dd write s (zeros).
: >"$out/rounds.txt"
: >"$out/rss-during-upload.txt"
rss_before=$(rss_kib "$pid")
hwm_before=$(hwm_kib "$pid")
for round in $(seq 1 "$rounds"); do
    log "round $round of $rounds: dd write (zeros, then the video's bytes), upload, dd read, download ($mib MiB each)"
    LC_ALL=C dd if=/dev/zero of="$out/dd.bin" bs=1M count="$mib" conv=fdatasync 2>"$out/dd-write.txt" \
        || { cat "$out/dd-write.txt" >&2; die "dd could not write $out/dd.bin"; }
    dd_zeros_s=$(dd_seconds "$out/dd-write.txt")
    rm -f "$out/dd.bin"
    # The same incompressible bytes the upload writes (its ciphertext is as random as the video):
    # this disk writes zeros much faster (bench/README.md), which no video can match. The video
    # comes from the page cache, as it does for curl.
    cat "$video" >/dev/null
    LC_ALL=C dd if="$video" of="$out/dd.bin" bs=1M count="$mib" conv=fdatasync 2>"$out/dd-write.txt" \
        || { cat "$out/dd-write.txt" >&2; die "dd could not write $out/dd.bin"; }
    dd_write_s=$(dd_seconds "$out/dd-write.txt")

    # The client's file comes from memory, so that the upload measures the API's writes, not
    # curl's reads of the same disk.
    cat "$video" >/dev/null
    cpu_before=$(cpu_ticks "$pid")
    (
        while awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null; do
            sleep 0.1
        done
    ) >>"$out/rss-during-upload.txt" &
    sampler_pid=$!
    upload_s=$(upload "$video" "$out/upload.json")
    kill "$sampler_pid" 2>/dev/null || true
    wait "$sampler_pid" 2>/dev/null || true
    sampler_pid=""
    cpu_upload=$(($(cpu_ticks "$pid") - cpu_before))
    rss_kib "$pid" >>"$out/rss-during-upload.txt"
    video_id=$(json_field video_id <"$out/upload.json")
    [ "$(json_field sha256 <"$out/upload.json")" = "$video_sha" ] || die "the receipt's sha256 is not the file's"
    [ "$(json_field size_bytes <"$out/upload.json")" = "$bytes" ] || die "the receipt's size_bytes is not $bytes"

    drop_caches
    LC_ALL=C dd if="$out/dd.bin" of=/dev/null bs=1M 2>"$out/dd-read.txt" \
        || { cat "$out/dd-read.txt" >&2; die "dd could not read $out/dd.bin"; }
    dd_read_s=$(dd_seconds "$out/dd-read.txt")
    rm -f "$out/dd.bin"

    drop_caches
    cpu_before=$(cpu_ticks "$pid")
    result=$(curl -sS -o /dev/null -w '%{time_total} %{http_code} %{size_download}' \
        -H "Authorization: Bearer $token" "$api/surveillance/videos/$video_id/content") \
        || die "the download failed (curl)"
    cpu_download=$(($(cpu_ticks "$pid") - cpu_before))
    read -r download_s download_status download_bytes <<<"$result"
    [ "$download_status" = 200 ] || die "the download answered $download_status, not 200"
    [ "$download_bytes" = "$bytes" ] || die "the download has $download_bytes bytes, not $bytes"
    printf '%s %s %s %s %s %s %s\n' "$dd_write_s" "$upload_s" "$dd_read_s" "$download_s" "$cpu_upload" "$cpu_download" "$dd_zeros_s" \
        >>"$out/rounds.txt"

    if [ "$round" -lt "$rounds" ]; then
        curl -fsS -o /dev/null -X DELETE -H "Authorization: Bearer $token" "$api/surveillance/videos/$video_id" \
            || die "a measured video could not be deleted"
    fi
done
hwm_after=$(hwm_kib "$pid")

log "checking the SHA-256 of one more download of the last video (not timed)"
downloaded_sha=$(curl -fsS -H "Authorization: Bearer $token" "$api/surveillance/videos/$video_id/content" | sha256sum | cut -d' ' -f1)
[ "$downloaded_sha" = "$video_sha" ] || die "the downloaded bytes differ from the uploaded ones (sha256 $downloaded_sha, expected $video_sha)"
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

python3 - "$mib" "$out/rounds.txt" "$out/rss-during-upload.txt" "$rss_before" "$hwm_before" "$hwm_after" \
    "$cache_dropped" "$(getconf CLK_TCK)" <<'PY' | tee "$out/summary.txt"
import statistics
import sys

mib = int(sys.argv[1])
rounds = [[float(x) for x in line.split()] for line in open(sys.argv[2]) if line.strip()]
samples = [int(line) for line in open(sys.argv[3]) if line.strip()]
rss_before, hwm_before, hwm_after = (int(x) for x in sys.argv[4:7])
cache_dropped = sys.argv[7] == "yes"
ticks = int(sys.argv[8])

def rate(seconds):
    return mib / seconds

def verdict(ok):
    return "PASS" if ok else "FAIL"

print()
print(f"{'round':>5}{'dd zeros':>10}{'dd write':>10}{'upload':>9}{'ratio':>7}{'dd read':>10}{'download':>10}{'ratio':>7}{'API CPU up/down s':>19}")
up_ratios, down_ratios = [], []
for i, (dd_w, up, dd_r, down, cpu_up, cpu_down, dd_z) in enumerate(rounds, 1):
    up_ratios.append(rate(up) / rate(dd_w))
    down_ratios.append(rate(down) / rate(dd_r))
    print(f"{i:>5}{rate(dd_z):>10.1f}{rate(dd_w):>10.1f}{rate(up):>9.1f}{up_ratios[-1]:>7.2f}{rate(dd_r):>10.1f}{rate(down):>10.1f}"
          f"{down_ratios[-1]:>7.2f}{cpu_up / ticks:>11.2f} / {cpu_down / ticks:.2f}")
print("(MiB/s, conv=fdatasync; 'dd zeros' writes /dev/zero, 'dd write' the video's own bytes, which the")
print(" ratio uses; reads after dropping the page cache)")
print()
median = statistics.median
up_ratio, down_ratio = median(up_ratios), median(down_ratios)
print(f"{'median of ' + str(len(rounds)) + ' rounds':34}{'MiB/s':>9}{'ratio':>8}{'target':>9}")
print(f"{'dd write, zeros (not compared)':34}{median(rate(r[6]) for r in rounds):>9.1f}")
print(f"{'dd write, the video (conv=fdatasync)':34}{median(rate(r[0]) for r in rounds):>9.1f}")
print(f"{'upload (encrypt + fsync)':34}{median(rate(r[1]) for r in rounds):>9.1f}{up_ratio:>8.2f}{'>= 0.80':>9}  {verdict(up_ratio >= 0.8)}")
print(f"{'dd read':34}{median(rate(r[2]) for r in rounds):>9.1f}")
print(f"{'download (decrypt)':34}{median(rate(r[3]) for r in rounds):>9.1f}{down_ratio:>8.2f}{'>= 0.80':>9}  {verdict(down_ratio >= 0.8)}")
print(f"{'  upload against dd zeros':34}{'':>9}{median(r[6] / r[1] for r in rounds):>8.2f}  (for reference only)")
print("(each ratio column is the median of the rounds' ratios, not the ratio of the medians)")
print()
growth = max(samples) - rss_before
print(f"API RSS during the {len(rounds)} uploads ({len(samples)} samples every 100 ms): before {rss_before / 1024:.1f} MiB, "
      f"max {max(samples) / 1024:.1f} MiB, after {samples[-1] / 1024:.1f} MiB")
print(f"RSS growth (max - before): {growth / 1024:.1f} MiB   target < 64 MiB  {verdict(growth < 64 * 1024)}")
if hwm_after > hwm_before:
    print(f"  (kernel peak VmHWM rose to {hwm_after / 1024:.1f} MiB during the rounds: growth to the exact peak {(hwm_after - rss_before) / 1024:.1f} MiB)")
else:
    print(f"  (kernel peak VmHWM unchanged at {hwm_after / 1024:.1f} MiB: set before the rounds)")
if not cache_dropped:
    print("note: the page cache could not be dropped; dd's reads and the downloads came from memory, not the disk")
PY
printf 'SHA-256 of the download equals the upload'"'"'s: %s\n' "$video_sha" | tee -a "$out/summary.txt"
printf 'load average at start: %s; at end: %s (%s CPUs; above that, other processes competed with the run)\n' \
    "$load_start" "$load_end" "$(nproc)" | tee -a "$out/summary.txt"
