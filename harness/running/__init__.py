"""The running machinery: worker processes, the runner that feeds them, the SQLite store, and
the survey that ties them together."""
