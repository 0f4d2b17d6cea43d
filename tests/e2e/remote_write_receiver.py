#!/usr/bin/env python3
"""A scripted remote_write receiver on loopback for tests/e2e/remote_write.sh: answers POSTs with
--status (after --ok-after requests it answers 204 instead), optionally with Retry-After, over
https with a required client certificate (--tls), and appends one JSON line per request to
--log: time, status, the protocol's headers, the client certificate's CN, body digest."""
import argparse
import hashlib
import http.server
import json
import ssl
import time

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--status", type=int, required=True)
parser.add_argument("--ok-after", type=int, default=-1, help="answer 204 from this request on (-1: never)")
parser.add_argument("--retry-after", default="")
parser.add_argument("--log", required=True)
parser.add_argument("--tls", nargs=3, metavar=("CERT", "KEY", "CLIENT_CA"),
                    help="serve https and require a client certificate signed by CLIENT_CA")
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
        if args.tls:
            entry["client"] = dict(x[0] for x in self.connection.getpeercert()["subject"])["commonName"]
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


server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
if args.tls:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.tls[0], args.tls[1])
    context.load_verify_locations(args.tls[2])
    context.verify_mode = ssl.CERT_REQUIRED
    server.socket = context.wrap_socket(server.socket, server_side=True)
server.serve_forever()
