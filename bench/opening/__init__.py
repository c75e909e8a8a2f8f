"""The opening minute: thousands of people registering for one event at once, in virtual time.

Running today's code at that scale is out of reach on a small machine (millions of attempts), so
this package follows the register and unregister paths at the level of DynamoDB operations in a
discrete-event simulation, with the conflict rules and latencies of `dynamodb_model` and the
retry constants of `event_core.store.retry`. `calibration` checks it against the real code on a
small scenario. A design (how registrations reach DynamoDB) plugs in through `Design`.
"""
