"""`warrantwatch health [--url URL]`: exit 0 if the worker is ready, 1 if not.

For the container's health check (the image has no curl) and for an operator: it asks the
worker's `GET /ready` (services/streams/health.py; docs/operations.md, Health) and prints the
answer. The default address is this machine's worker: 127.0.0.1 (or the bind address
`WARRANTWATCH_WEB_BIND` when it names one interface) on `WARRANTWATCH_WEB_PORT` (6066).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.request

from services.kafka.settings import ENVIRONMENT

TIMEOUT_SECONDS = 5.0


def default_url(env: dict[str, str] | None = None, path: str = "/ready") -> str:
    e = os.environ if env is None else env
    bind = e.get(ENVIRONMENT["web_bind"]) or "127.0.0.1"
    host = "127.0.0.1" if bind in ("0.0.0.0", "::", "") else bind
    port = e.get(ENVIRONMENT["web_port"]) or "6066"
    return f"http://{host}:{port}{path}"


def check(url: str, timeout: float = TIMEOUT_SECONDS) -> tuple[int, str]:
    """(exit code, what to print): 0 when the worker answers 200."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never a proxy
    try:
        with opener.open(url, timeout=timeout) as response:
            return (0 if response.status == 200 else 1), response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        body = error.read().decode(errors="replace")
        try:
            reasons = json.loads(body).get("reasons") or []
        except (ValueError, AttributeError):
            reasons = []
        shown = "; ".join(str(r) for r in reasons) or body
        return 1, f"not ready ({error.code}): {shown}"
    except (OSError, ValueError) as error:
        return 1, f"no answer from {url}: {error}"


def run(args: argparse.Namespace) -> int:
    url = args.url or default_url(path="/live" if args.live else "/ready")
    code, text = check(url, args.timeout)
    print(text, file=sys.stdout if code == 0 else sys.stderr)
    return code


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("health", help="exit 0 if the worker is ready (GET /ready), else 1")
    p.add_argument("--url", help="the worker's /ready (default: http://127.0.0.1:"
                                 "$WARRANTWATCH_WEB_PORT/ready)")
    p.add_argument("--live", action="store_true",
                   help="ask /live instead: the process answers (liveness)")
    p.add_argument("--timeout", type=float, default=TIMEOUT_SECONDS,
                   help=f"seconds to wait for the answer (default {TIMEOUT_SECONDS:g})")
    p.set_defaults(func=run)
