#!/usr/bin/env python3
"""The example receiver (examples/webhook-receiver/receiver.py) with faults for the
relay's end-to-end tests: answer 500 for the first seconds, hang past the relay's
timeout for the first seconds, always fail, or close every keep-alive connection after
its answer without a `Connection: close`. Every request is logged."""

import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "examples", "webhook-receiver"))
import receiver  # noqa: E402

STARTED = time.time()
MODE = os.environ.get("FAULT", "")          # "500", "hang", "always500" or "closeafter"
FAULT_SECONDS = float(os.environ.get("FAULT_SECONDS", "5"))


class FaultyHandler(receiver.Handler):
    def do_POST(self):
        if MODE == "closeafter":
            # Answer, then close the keep-alive connection without saying so.
            super().do_POST()
            self.close_connection = True
            return
        faulty = MODE == "always500" or (MODE in ("500", "hang") and time.time() - STARTED < FAULT_SECONDS)
        if not faulty:
            return super().do_POST()
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.record({"id": self.headers.get("webhook-id", ""), "fault": MODE})
        if MODE == "hang":
            time.sleep(FAULT_SECONDS + 2)
            self.close_connection = True
            return
        self.answer(500, b"failing on purpose")


if __name__ == "__main__":
    receiver.serve(FaultyHandler)
