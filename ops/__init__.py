"""Running the site as a fleet: health endpoints, metrics access, request ids, JSON logs, and the
answer given while the database is unreachable (docs/operators/deployment.md)."""
