"""A webhook receiver for the message tests: checks each POST's HMAC-SHA256 signature (X-Hub-Signature-256) with
the secret it is given, answers 204 (good) or 401 (bad or missing), and writes what came as n.json in FOLDER.

    python3 receiver.py PORT FOLDER SECRET

Prints "ready" once it listens. Python's standard library only: a receiver we did not write in Rust.
"""

import hashlib
import hmac
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port, folder, secret = int(sys.argv[1]), sys.argv[2], sys.argv[3].encode()
os.makedirs(folder, exist_ok=True)
lock = threading.Lock()


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        expected = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
        signed = hmac.compare_digest(expected, self.headers.get("X-Hub-Signature-256", ""))
        record = {
            "signature_ok": signed,
            "message_id": self.headers.get("X-Hub-Message-Id"),
            "event": self.headers.get("X-Hub-Event"),
            "content_type": self.headers.get("Content-Type"),
            "body": body.decode("utf-8"),
        }
        with lock:
            count = len([name for name in os.listdir(folder) if name.endswith(".json")])
            with open(os.path.join(folder, f"{count}.json.partial"), "w") as file:
                json.dump(record, file)
            os.rename(os.path.join(folder, f"{count}.json.partial"), os.path.join(folder, f"{count}.json"))
        self.send_response(204 if signed else 401)
        self.end_headers()

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", port), Receiver)
print("ready", flush=True)
server.serve_forever()
