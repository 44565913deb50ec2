"""The API's shared plumbing: authentication, scopes, pagination, errors, idempotency, routes."""
