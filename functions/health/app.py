"""GET /health - liveness probe; touches no database."""

from __future__ import annotations

from event_core.edge.api_docs import errors, ok
from event_core.edge.http import lambda_entry, make_resolver

app = make_resolver()


@app.get(
    "/health",
    operation_id="getHealth",
    summary="Liveness probe",
    tags=["Meta"],
    responses=ok("The service is up") | errors(),
)
def health() -> dict[str, str]:
    return {"status": "healthy"}


lambda_handler = lambda_entry(app)
