"""GET / - the API's name and version."""

from __future__ import annotations

from event_core import __version__
from event_core.http import lambda_entry, make_resolver

app = make_resolver()


@app.get("/", summary="API name and version", tags=["Meta"])
def api_info() -> dict[str, str]:
    return {"message": "Event Management API", "version": __version__}


lambda_handler = lambda_entry(app)
