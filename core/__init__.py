"""The project's plumbing, below every app: rights primitives, the value grammar, versioning, caching,
HTTP downloads and Excel file checks. It imports no app of the project (see docs/architecture.md)."""
