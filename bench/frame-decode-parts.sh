#!/usr/bin/env bash
# Where a cold frame image's ffmpeg time goes, without the system: the same ffmpeg command as
# FfmpegFrameGrabber, on the plaintext benchmark video (bench/frame-latency.sh makes it), cut into
# parts by running less of it: the process start alone (`ffmpeg -version`), opening the MP4 and
# seeking by its index (stream copy of one packet, no decoding), the key frame decoded and
# JPEG-encoded, and the last frame of a GOP (49 frames decoded after the key frame).
#
# Prints the median CPU time (user + system, which a loaded machine distorts less) and the median
# wall time of each part over BENCH_RUNS runs (15), interleaved so that a change of load hits all
# parts alike. Takes ~1 min on an idle machine.
set -euo pipefail

cd "$(dirname "$(readlink -f "$0")")/.."
video="bench/out/camera-${BENCH_VIDEO_SECONDS:-300}s-720p.mp4"
runs=${BENCH_RUNS:-15}
[ -s "$video" ] || { echo "bench: $video is missing: run bench/frame-latency.sh once (it makes the video)" >&2; exit 1; }

python3 - "$video" "$runs" <<'PY'
import resource, statistics, subprocess, sys, time

video, runs = sys.argv[1], int(sys.argv[2])
start = ["ffmpeg", "-nostdin", "-v", "error"]
jpeg = ["-map", "0:v:0", "-an", "-sn", "-dn", "-frames:v", "1", "-f", "image2pipe", "-c:v", "mjpeg", "-q:v", "4", "pipe:1"]
parts = {
    "process start (ffmpeg -version)": ["ffmpeg", "-version"],
    "open, read the index, seek (no decode)": start + ["-ss", "100.000", "-i", video, "-map", "0:v:0", "-c", "copy", "-frames:v", "1", "-f", "null", "-"],
    "key frame: decode 1, JPEG": start + ["-ss", "100.000", "-i", video] + jpeg,
    "end of GOP: decode 50, JPEG": start + ["-ss", "101.960", "-i", video] + jpeg,
}
cpu, wall = {p: [] for p in parts}, {p: [] for p in parts}
for _ in range(runs):
    for part, argv in parts.items():
        before, clock = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, check=True)
        wall[part].append((time.perf_counter() - clock) * 1000)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu[part].append((after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000)

print(f"{'ffmpeg, 1280x720 H.264, median of ' + str(runs):44}{'CPU ms':>8}{'wall ms':>9}")
for part in parts:
    print(f"{part:44}{statistics.median(cpu[part]):8.0f}{statistics.median(wall[part]):9.0f}")
print("load average at end:", " ".join(open("/proc/loadavg").read().split()[:3]))
PY
