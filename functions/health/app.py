"""GET /health - liveness probe; touches no database."""

from __future__ import annotations

from event_core.http import lambda_entry, make_resolver

app = make_resolver()


@app.get("/health", summary="Liveness probe", tags=["Meta"])
def health() -> dict[str, str]:
    return {"status": "healthy"}


lambda_handler = lambda_entry(app)
