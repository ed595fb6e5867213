"""Background jobs: long work (PDF renders, imports, exports) run by the task queue."""
