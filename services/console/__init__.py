"""The console: read-only HTML pages of what a worker holds, on its web server.

`register(app, state)` adds the pages (services/console/web.py) to the Faust app; the pages
themselves are pure renderings of the engine's query views (pages.py). docs/console.md says
how to run it and what each page shows; `warrantwatch report` and `certificate` render the
same documents from an output file.
"""

from __future__ import annotations

from services.console.web import register

__all__ = ["register"]
