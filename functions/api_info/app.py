"""GET / - the API's name and version."""

from __future__ import annotations

from event_core import __version__
from event_core.edge.api_docs import errors, ok
from event_core.edge.http import lambda_entry, make_resolver

app = make_resolver()


@app.get(
    "/",
    operation_id="getApiInfo",
    summary="API name and version",
    tags=["Meta"],
    responses=ok("The API's name and version") | errors(),
)
def api_info() -> dict[str, str]:
    return {"message": "Event Management API", "version": __version__}


lambda_handler = lambda_entry(app)
