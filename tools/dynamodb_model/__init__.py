"""A DynamoDB that conflicts like DynamoDB: a proxy in front of DynamoDB Local.

DynamoDB Local runs transactions one at a time and never reports a conflict. This proxy holds
the items of every operation in flight for a modeled latency and applies the conflict rules of
DynamoDB's developer guide ("Transaction conflict handling"), answering with DynamoDB's own error
shapes, so local runs, tests and the benchmark see contention as AWS would show it.

    with start_model(upstream="http://127.0.0.1:8000") as model:
        client = dynamodb_client(model.endpoint)

`python -m dynamodb_model --upstream URL --port N` runs it on its own.
"""

from __future__ import annotations

from dynamodb_model.latency import Latencies
from dynamodb_model.proxy import ModelProxy, start_model

__all__ = ["Latencies", "ModelProxy", "start_model"]
