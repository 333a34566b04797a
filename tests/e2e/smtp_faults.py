"""A real SMTP server for the reminders' fault tests: aiosmtpd storing what it accepts in a
maildir, answering `451` to a share of messages at random (a failure that may pass) and `550` to
the recipients it is told to refuse (a failure that will not).

  python3 smtp_faults.py --port P --maildir DIR [--fail-rate 0.3] [--refuse ADDRESS ...] [--seed N]
                         [--delay-ms MS]

`--delay-ms` makes each message take that long to be accepted (a slow server, so that a test can
stop or kill the platform while it is sending).
"""

import asyncio

import argparse
import random
import time

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox


class Faulty(Mailbox):
    def __init__(self, maildir, fail_rate, refuse, seed, delay_ms=0):
        super().__init__(maildir)
        self.delay = delay_ms / 1000.0
        self.fail_rate = fail_rate
        self.refuse = {a.lower() for a in refuse}
        self.rng = random.Random(seed)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.rng.random() < self.fail_rate:
            return "451 4.3.0 temporarily unable to accept the message; try again later"
        return await super().handle_DATA(server, session, envelope)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--maildir", required=True)
    p.add_argument("--fail-rate", type=float, default=0.0)
    p.add_argument("--refuse", nargs="*", default=[])
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--delay-ms", type=int, default=0)
    a = p.parse_args()
    handler = Faulty(a.maildir, a.fail_rate, a.refuse, a.seed, a.delay_ms)
    controller = Controller(handler, hostname="127.0.0.1", port=a.port)
    controller.start()
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
