"""Domain layer of the Event Management API: models, rules and the DynamoDB store."""

__version__ = "1.0.0"
