"""An HTTP session that answers Yahoo Finance requests from recorded responses.

yfinance takes a `session` parameter (`yf.Ticker(symbol, session=...)`) and accepts a
`requests.Session`. `RecordedSession` is one whose transport adapter answers from files in
the recording format of node-yahoo-finance2 (`{request: {url, ...}, response: {status,
headers, bodyJson}}`, see data/PROVENANCE.md) instead of the network, so the
yfinance code path runs unchanged and offline (tests, demos: `feed yahoo --recorded DIR`).

How a request is matched to a recording (the host is ignored: query1 and query2 serve the
same API):
- `/v8/finance/chart/SYM` with `period1`/`period2`: the recording of SYM with the same
  `period1`, `period2` and `interval`; nothing else (the date range is the request).
- `/v8/finance/chart/SYM` with `range` (yfinance's time-zone probe, which reads only
  `meta.exchangeTimezoneName`): any recorded chart of SYM.
- `/v7/finance/quote?symbols=SYM`: the recorded quote of SYM.
- `/v10/finance/quoteSummary/SYM?modules=...`: the recording of SYM whose modules are all
  among the requested ones (yfinance asks for several modules at once; the answer then has
  only the recorded ones, which yfinance accepts).
- Requests whose answer yfinance needs but we never read are answered without a
  recording, and listed in `filled`: `https://fc.yahoo.com` (the cookie) answers 200 with
  an empty body; the consent pages (guce/consent.yahoo.com) an empty page;
  `/v1/test/getcrumb` the crumb seen in the recorded URLs (or a made-up one: Yahoo checks
  it, the recordings do not); `/ws/fundamentals-timeseries/...` (yfinance's `info` asks it
  for `trailingPegRatio`) an empty series.
Anything else answers 404 with a text naming the request, and is listed in `unmatched`.
`fail_next(status, count)` makes the next `count` requests answer `status` (e.g. 429).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.response import HTTPResponse

from shared.errors import RecordError


@dataclass(frozen=True, slots=True)
class Recording:
    """One recorded exchange: what was asked and the body that came back."""

    source: str
    path: str
    params: Mapping[str, str]
    status: int
    content_type: str
    body: bytes


def _query(url: str) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlsplit(url).query, keep_blank_values=True).items()}


def load_recording(path: Path) -> Recording:
    """Read one recorded exchange; a file that is not one gives `RecordError` with the place."""
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise RecordError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RecordError(
            f"{path}: malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    try:
        url = doc["request"]["url"]
        response = doc["response"]
        status = int(response["status"])
        body = response["bodyJson"]
    except (KeyError, TypeError, ValueError) as exc:
        raise RecordError(
            f"{path}: not a recorded exchange (needs request.url, response.status and "
            f"response.bodyJson): missing {exc}"
        ) from None
    headers = {str(k).lower(): str(v) for k, v in (response.get("headers") or {}).items()}
    return Recording(
        source=str(path),
        path=urlsplit(url).path,
        params=_query(url),
        status=status,
        content_type=headers.get("content-type", "application/json;charset=utf-8"),
        body=json.dumps(body).encode("utf-8"),
    )


def load_recordings(paths: Iterable[Path]) -> list[Recording]:
    """Every recording in the given files and directories (`*.json` in a directory)."""
    out: list[Recording] = []
    for path in paths:
        files = sorted(path.glob("*.json")) if path.is_dir() else [path]
        out.extend(load_recording(f) for f in files)
    return out


def _symbol_of(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1].upper()


class RecordedAdapter(HTTPAdapter):
    """Transport adapter: the answer to each request comes from the recordings."""

    def __init__(self, recordings: Iterable[Recording]) -> None:
        super().__init__()
        self.recordings = list(recordings)
        self.unmatched: list[str] = []
        self.requested: list[str] = []
        self.filled: list[str] = []
        self._failures: list[int] = []
        crumbs = [r.params["crumb"] for r in self.recordings if r.params.get("crumb")]
        self.crumb = crumbs[0] if crumbs else "recorded-session"

    def fail_next(self, status: int, count: int = 1) -> None:
        self._failures.extend([status] * count)

    def _find(self, path: str, params: Mapping[str, str]) -> Recording | None:
        if path.startswith("/v8/finance/chart/"):
            symbol = _symbol_of(path)
            charts = [r for r in self.recordings
                      if r.path.startswith("/v8/finance/chart/") and _symbol_of(r.path) == symbol]
            if "range" in params and "period1" not in params:
                return charts[0] if charts else None
            wanted = (params.get("period1"), params.get("period2"), params.get("interval"))
            return next((r for r in charts if (r.params.get("period1"), r.params.get("period2"),
                                              r.params.get("interval")) == wanted), None)
        if path.rstrip("/") == "/v7/finance/quote":
            symbol = params.get("symbols", "").upper()
            return next((r for r in self.recordings if r.path.rstrip("/") == "/v7/finance/quote"
                         and r.params.get("symbols", "").upper() == symbol), None)
        if path.startswith("/v10/finance/quoteSummary/"):
            symbol = _symbol_of(path)
            asked = set(params.get("modules", "").split(","))
            return next((r for r in self.recordings
                         if r.path.startswith("/v10/finance/quoteSummary/")
                         and _symbol_of(r.path) == symbol
                         and set(r.params.get("modules", "").split(",")) <= asked), None)
        return None

    def _filler(self, host: str, path: str) -> tuple[int, str, bytes] | None:
        if host == "fc.yahoo.com":
            return 200, "text/html", b""
        if host in ("guce.yahoo.com", "consent.yahoo.com"):
            # yfinance's other cookie strategy (a consent form); an empty page makes it
            # give up and go back to the first
            return 200, "text/html", b"<html></html>"
        if path == "/v1/test/getcrumb":
            return 200, "text/plain", self.crumb.encode()
        if path.startswith("/ws/fundamentals-timeseries/"):
            return 200, "application/json", b'{"timeseries": {"result": [], "error": null}}'
        return None

    def _answer(self, request: requests.PreparedRequest) -> tuple[int, str, bytes]:
        url = request.url or ""
        parts = urlsplit(url)
        if self._failures:
            status = self._failures.pop(0)
            return status, "text/plain", f"recorded failure {status}".encode()
        filler = self._filler(parts.hostname or "", parts.path)
        if filler is not None:
            self.filled.append(f"{request.method} {url}")
            return filler
        found = self._find(parts.path, _query(url))
        if found is None:
            self.unmatched.append(f"{request.method} {url}")
            return 404, "text/plain", f"no recorded response for {request.method} {url}".encode()
        return found.status, found.content_type, found.body

    def send(self, request: requests.PreparedRequest, stream: bool = False,
             timeout: Any = None, verify: Any = True, cert: Any = None,
             proxies: Any = None) -> requests.Response:
        self.requested.append(f"{request.method} {request.url}")
        status, content_type, body = self._answer(request)
        raw = HTTPResponse(
            body=io.BytesIO(body), headers={"Content-Type": content_type}, status=status,
            reason="OK" if status < 400 else "Recorded", preload_content=False,
            decode_content=False,
        )
        return self.build_response(request, raw)


class RecordedSession(requests.Session):
    """A `requests.Session` answering from recordings; give it to `yf.Ticker(session=...)`."""

    def __init__(self, recordings: Iterable[Recording]) -> None:
        super().__init__()
        self.adapter = RecordedAdapter(recordings)
        self.mount("https://", self.adapter)
        self.mount("http://", self.adapter)

    @classmethod
    def from_paths(cls, *paths: str | Path) -> RecordedSession:
        return cls(load_recordings(Path(p) for p in paths))

    @property
    def unmatched(self) -> list[str]:
        return self.adapter.unmatched

    def fail_next(self, status: int, count: int = 1) -> None:
        self.adapter.fail_next(status, count)
