"""The national-scale benchmark: a synthetic dataset (`bench.generate`) and the measurements (`bench.measure`) that
`manage.py bench` (`make bench`) runs against a dedicated database."""
