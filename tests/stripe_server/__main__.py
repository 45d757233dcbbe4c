"""The local Stripe-compatible server as a process of its own, for a demo or a benchmark that
runs the marketplace's processes against it (``STRIPE_API_BASE=http://127.0.0.1:PORT``)::

    python -m tests.stripe_server --port 12111 --api-key sk_test_local

It keeps everything in memory and stops on SIGTERM or Ctrl-C. Besides what the tests use, it
lists transfers (``GET /v1/transfers``, optionally ``?destination=acct_…``) and
PaymentIntents (``GET /v1/payment_intents``) as Stripe does, so a checker can read back what
was paid. Connected accounts are opened through the API (``POST /v1/accounts``); ``--account``
registers ready ones (payouts enabled) at start.
"""

import argparse
import signal
import sys
import threading

from tests.stripe_server.server import StripeServer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.stripe_server")
    parser.add_argument("--port", type=int, default=12111)
    parser.add_argument("--api-key", default="sk_test_local")
    parser.add_argument(
        "--account",
        action="append",
        default=[],
        metavar="ACCT_ID",
        help="a connected account Stripe pays out to, ready at start (repeatable)",
    )
    parser.add_argument(
        "--latency",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="answer every request this long after doing its work (as Stripe's own latency)",
    )
    args = parser.parse_args(argv)
    server = StripeServer(api_key=args.api_key, port=args.port)
    server.latency = args.latency
    server.start()
    for account_id in args.account:
        server.accounts[account_id] = {
            "id": account_id,
            "object": "account",
            "charges_enabled": True,
            "payouts_enabled": True,
            "details_submitted": True,
        }
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    print(f"Stripe-compatible server on {server.url}", flush=True)
    try:
        stopped.wait()
    except KeyboardInterrupt:
        pass
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
