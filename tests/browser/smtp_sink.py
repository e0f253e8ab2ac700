#!/usr/bin/python3
"""A real SMTP listener for the browser tests (Debian's python3-aiosmtpd).

usage: /usr/bin/python3 smtp_sink.py DIR

Listens on a free loopback port, prints "smtp listening on port N" on
standard output, and writes every message it accepts into DIR as
NNNNNN.json: {"from", "to": [...], "subject", "text"} with the subject and
the text/plain body decoded (RFC 2047, base64, quoted-printable). Each file
is written under a temporary name and renamed, so a reader never sees half
of it. Exits on SIGTERM/SIGINT or when standard input closes (the test
runner went away).
"""
import asyncio
import email
import json
import os
import signal
import sys
import threading
from email import policy

from aiosmtpd.smtp import SMTP


class Sink:
    def __init__(self, directory):
        self.directory = directory
        self.n = 0

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=policy.default)
        body = msg.get_body(("plain",))
        self.n += 1
        record = {
            "from": envelope.mail_from,
            "to": list(envelope.rcpt_tos),
            "subject": str(msg["Subject"] or ""),
            "text": body.get_content() if body is not None else "",
        }
        name = os.path.join(self.directory, "%06d.json" % self.n)
        with open(name + ".tmp", "w", encoding="utf-8") as f:
            json.dump(record, f, ensure_ascii=False)
        os.rename(name + ".tmp", name)
        return "250 OK"


async def main(directory):
    loop = asyncio.get_running_loop()
    sink = Sink(directory)
    server = await loop.create_server(
        lambda: SMTP(sink, hostname="127.0.0.1", enable_SMTPUTF8=True), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    print("smtp listening on port %d" % port, flush=True)
    done = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, done.set)

    def watch_stdin():
        sys.stdin.read()
        loop.call_soon_threadsafe(done.set)

    threading.Thread(target=watch_stdin, daemon=True).start()
    await done.wait()
    server.close()
    await server.wait_closed()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: smtp_sink.py DIR")
    asyncio.run(main(sys.argv[1]))
