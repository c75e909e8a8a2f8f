"""Powertools logger, tracer and metrics: one of each per process, shared by every route."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger()
tracer = Tracer()
metrics = Metrics()
