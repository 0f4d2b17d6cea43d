#!/usr/bin/env python3
"""A scripted remote_write receiver on loopback for tests/e2e/remote_write.sh: answers POSTs with
--status (after --ok-after requests it answers 204 instead), optionally with Retry-After, and
appends one JSON line per request to --log: time, status, the protocol's headers, body digest."""
import argparse
import hashlib
import http.server
import json
import time

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--status", type=int, required=True)
parser.add_argument("--ok-after", type=int, default=-1, help="answer 204 from this request on (-1: never)")
parser.add_argument("--retry-after", default="")
parser.add_argument("--log", required=True)
args = parser.parse_args()
requests = 0


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real receiver

    def do_POST(self):
        global requests
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        status = 204 if 0 <= args.ok_after <= requests else args.status
        requests += 1
        entry = {"time": time.time(), "status": status, "bytes": len(body),
                 "sha": hashlib.sha256(body).hexdigest()[:16]}
        for name in ("Content-Encoding", "Content-Type", "X-Prometheus-Remote-Write-Version", "X-Scope-OrgID",
                     "Authorization", "User-Agent"):
            entry[name] = self.headers.get(name, "")
        with open(args.log, "a") as log:
            log.write(json.dumps(entry) + "\n")
        reason = b"" if status == 204 else b"scripted answer\n"
        self.send_response(status)
        if args.retry_after and status != 204:
            self.send_header("Retry-After", args.retry_after)
        self.send_header("Content-Length", str(len(reason)))
        self.end_headers()
        self.wfile.write(reason)

    def log_message(self, *unused):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()
