"""The HTTP edge: what every route function shares between API Gateway and the use cases.

The resolver and its error mapping (`http`), the answers given outside it (`proxy_responses`),
request guards (`request_guards`, `media_types`, `head_requests`), `Idempotency-Key`
(`idempotency`), how answers are told (`placement`, `update_answers`) and their OpenAPI
descriptions (`api_docs`). The use cases never import it.
"""
