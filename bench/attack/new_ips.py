"""~RATE malformed requests per second for SECONDS, each from a client address never seen before
(X-Forwarded-For through the trusted 127.0.0.1), paced in 10 ms ticks. Prints sent, answered
statuses and the share of /health/ready probes (one per second) that failed."""
import asyncio, collections, sys, time

HOST, PORT, RATE, SECONDS = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
statuses, ready = collections.Counter(), collections.Counter()

async def send(path, method, forwarded, body, into):
    try:
        reader, writer = await asyncio.open_connection(HOST, PORT)
        head = (f"{method} {path} HTTP/1.1\r\nHost: {HOST}\r\nX-Forwarded-For: {forwarded}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n")
        writer.write(head.encode() + body)
        await writer.drain()
        line = await asyncio.wait_for(reader.readline(), 30)
        into[line.split()[1].decode() if len(line.split()) > 1 else "none"] += 1
        writer.close()
    except Exception as error:  # a refused or timed-out connection is a result, not a crash
        into[type(error).__name__] += 1

async def main():
    tasks, start, n = [], time.monotonic(), 0
    while time.monotonic() - start < SECONDS:
        due = int((time.monotonic() - start) * RATE)
        while n < due:
            n += 1
            address = f"198.{18 + (n >> 16) % 2}.{(n >> 8) % 256}.{n % 256}"
            tasks.append(asyncio.create_task(send("/auth/login", "POST", address, b'{"username": ', statuses)))
        if n % RATE == 0:
            tasks.append(asyncio.create_task(send("/health/ready", "GET", "127.0.0.1", b"", ready)))
        await asyncio.sleep(0.01)
    await asyncio.gather(*tasks)
    probes = sum(ready.values())
    print(f"sent {n}; statuses {dict(statuses)}; /health/ready probes {dict(ready)}; "
          f"failed_ready={(probes - ready['200']) / max(1, probes):.2f}")

asyncio.run(main())
