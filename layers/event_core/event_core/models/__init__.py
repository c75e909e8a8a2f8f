"""Pydantic models: request bodies, responses and the stored shapes they map to."""
