"""DynamoDB access: the only code that knows table names, key shapes and expressions."""
