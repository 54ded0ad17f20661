"""A real SMTP server for the end-to-end tests (aiosmtpd): every message it accepts is written whole to
<folder>/<n>.eml, in the order received, and as read by Python's own e-mail parser to <n>.txt (its headers
decoded, then its decoded text) with each attached or inline part beside it as <n>-<i>.<type> (png, ics).

Usage: receiver.py PORT FOLDER [--tls] [--login USER:PASSWORD] [--delay SECONDS]
  --tls      offers STARTTLS (and requires it) with a certificate for localhost from a test authority (trustme),
             whose PEM it writes to FOLDER/ca.pem for the kiosk to trust
  --login    requires this login (over TLS)
  --delay    waits this long after writing a message before saying it was accepted
It says "ready" once it listens."""

import argparse
import asyncio
import email
import email.policy
import pathlib
import ssl
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


class Keep:
    def __init__(self, folder, delay):
        self.folder = pathlib.Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.delay = delay

    async def handle_DATA(self, server, session, envelope):
        count = len(list(self.folder.glob("*.eml")))
        (self.folder / f"{count}.eml").write_bytes(envelope.original_content)
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        headers = "".join(f"{name}: {value}\n" for name, value in message.items())
        text = message.get_body(preferencelist=("plain",))
        for index, part in enumerate(message.iter_attachments()):
            extension = {"image/png": "png", "text/calendar": "ics"}.get(part.get_content_type(), "bin")
            (self.folder / f"{count}-{index}.{extension}").write_bytes(part.get_payload(decode=True))
        partial = self.folder / f"{count}.part"
        partial.write_text(headers + "\n" + text.get_content(), encoding="utf-8")
        partial.rename(self.folder / f"{count}.txt")
        await asyncio.sleep(self.delay)
        return "250 Message accepted for delivery"


def main():
    arguments = argparse.ArgumentParser()
    arguments.add_argument("port", type=int)
    arguments.add_argument("folder")
    arguments.add_argument("--tls", action="store_true")
    arguments.add_argument("--login")
    arguments.add_argument("--delay", type=float, default=0)
    given = arguments.parse_args()
    options = {}
    if given.tls:
        import trustme

        authority = trustme.CA()
        pathlib.Path(given.folder).mkdir(parents=True, exist_ok=True)
        authority.cert_pem.write_to_path(str(pathlib.Path(given.folder) / "ca.pem"))
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        authority.issue_cert("localhost", "127.0.0.1").configure_cert(context)
        options.update(tls_context=context, require_starttls=True)
    if given.login:
        user, password = given.login.split(":", 1)

        def check(server, session, envelope, mechanism, auth_data):
            text = lambda value: value.decode() if isinstance(value, bytes) else value
            right = text(auth_data.login) == user and text(auth_data.password) == password
            # Not handled here: aiosmtpd answers 235 or 535 itself.
            return AuthResult(success=right, handled=False)

        options.update(authenticator=check, auth_required=True)
    controller = Controller(Keep(given.folder, given.delay), hostname="127.0.0.1", port=given.port, **options)
    controller.start()
    print("ready", flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
