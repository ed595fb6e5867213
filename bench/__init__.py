"""Benchmarks: `python -m bench` (or `make bench`) from the project root.

Builds its own databases (never the developer's db.sqlite3): the real plan with its demo values
(1x) and a plan ten times its size (10x), measures the main pages in-process (queries, median and
95th percentile of the server time), then runs a load test against gunicorn on loopback.
"""
