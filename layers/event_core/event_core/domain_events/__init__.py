"""Domain events: what happened to registrations and events, published to EventBridge.

The DynamoDB streams of the registrations and events tables are the source of truth: every
committed change is a stream record, and `changes.py` derives the domain events from the old and
new images of each record (pure functions). `processor.py` handles one stream record at a time
for the stream processor function, `bus.py` publishes with PutEvents, and `models.py` defines
the events (the JSON Schemas under schemas/ are generated from it).
"""
