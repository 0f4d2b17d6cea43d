#!/usr/bin/env python3
"""tests/e2e/http_load.py: hostile and heavy HTTP clients for the web e2e tests (loopback only).

  slowloris HOST PORT COUNT SECONDS [SOURCE_IP]
      COUNT connections that each send one byte of a request header a second, for SECONDS;
      prints how many connected and how many were still open at the end.
  concurrent HOST PORT COUNT PATH [SOURCES]
      COUNT connections at once, each one GET, from 127.0.0.1 ... 127.0.0.SOURCES in turn
      (default 1); prints "ok=N refused=N hung=N other=N statuses=..." (refused: 503 or the
      connection closed/reset without an answer; hung: no answer in 30 s).
  timing HOST PORT COUNT AUTHORIZATION [PATH]
      COUNT sequential GETs with that Authorization header value; prints the median and p99 in ms.
  flood HOST PORT CLIENTS SECONDS AUTHORIZATION
      CLIENTS clients sending GETs with that Authorization continuously for SECONDS; prints requests.
"""
import asyncio
import socket
import statistics
import sys
import threading
import time


def slowloris(host, port, count, seconds, source=None):
    header = b"GET /metrics HTTP/1.1\r\nHost: slow\r\nX-Padding: " + b"a" * 4096
    sockets = []
    for _ in range(count):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if source:
            s.bind((source, 0))
        try:
            s.connect((host, port))
            sockets.append(s)
        except OSError:
            s.close()
    connected = len(sockets)
    sys.stdout.write(f"connected={connected}\n")
    sys.stdout.flush()
    end = time.monotonic() + seconds
    position = 0
    while time.monotonic() < end:
        alive = []
        for s in sockets:
            try:
                s.send(header[position:position + 1])
                alive.append(s)
            except OSError:
                s.close()
        sockets = alive
        position = (position + 1) % len(header)
        time.sleep(1)
    sys.stdout.write(f"open_at_end={len(sockets)}\n")
    for s in sockets:
        s.close()


async def one_get(host, port, path, results, source):
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(host, port, local_addr=(source, 0)), 30)
    except (OSError, asyncio.TimeoutError) as error:
        results.append("refused" if isinstance(error, OSError) else "hung")
        return
    try:
        writer.write(f"GET {path} HTTP/1.1\r\nHost: load\r\nConnection: close\r\n\r\n".encode())
        await writer.drain()
        data = await asyncio.wait_for(reader.read(), 30)
        if data.startswith(b"HTTP/1.1 "):
            results.append(data[9:12].decode())
        else:
            results.append("refused")  # closed without an answer
    except (ConnectionError, OSError):
        results.append("refused")
    except asyncio.TimeoutError:
        results.append("hung")
    finally:
        writer.close()


async def concurrent(host, port, count, path, sources):
    results = []
    await asyncio.gather(*(one_get(host, port, path, results, f"127.0.0.{1 + i % sources}")
                           for i in range(count)))
    statuses = {}
    for result in results:
        statuses[result] = statuses.get(result, 0) + 1
    ok = statuses.get("200", 0)
    refused = statuses.get("503", 0) + statuses.get("refused", 0)
    hung = statuses.get("hung", 0)
    other = count - ok - refused - hung
    print(f"ok={ok} refused={refused} hung={hung} other={other} statuses={statuses}")


def request(host, port, authorization, path="/metrics"):
    with socket.create_connection((host, port), timeout=30) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: t\r\nAuthorization: {authorization}\r\n"
                  "Connection: close\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
        return data[9:12].decode()


def timing(host, port, count, authorization, path="/metrics"):
    latencies = []
    statuses = {}
    for _ in range(count):
        start = time.perf_counter()
        status = request(host, port, authorization, path)
        latencies.append((time.perf_counter() - start) * 1000)
        statuses[status] = statuses.get(status, 0) + 1
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    print(f"median_ms={statistics.median(latencies):.2f} p99_ms={p99:.2f} statuses={statuses}")


def flood(host, port, clients, seconds, authorization):
    end = time.monotonic() + seconds
    counts = [0] * clients

    def run(index):
        while time.monotonic() < end:
            try:
                request(host, port, authorization)
                counts[index] += 1
            except OSError:
                pass

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(f"requests={sum(counts)}")


def main():
    mode, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if mode == "slowloris":
        slowloris(host, port, int(sys.argv[4]), float(sys.argv[5]), sys.argv[6] if len(sys.argv) > 6 else None)
    elif mode == "concurrent":
        sources = int(sys.argv[6]) if len(sys.argv) > 6 else 1
        asyncio.run(concurrent(host, port, int(sys.argv[4]), sys.argv[5], sources))
    elif mode == "timing":
        timing(host, port, int(sys.argv[4]), sys.argv[5], *(sys.argv[6:7]))
    elif mode == "flood":
        flood(host, port, int(sys.argv[4]), float(sys.argv[5]), sys.argv[6])
    else:
        sys.exit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
