"""The national-scale benchmark: a synthetic dataset (`bench.generate`) and the measurements (`bench.measure`) that
`python -m bench` (`make bench`) runs against a dedicated database. Development tooling: no app imports it."""
