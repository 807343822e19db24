"""A broken build on purpose: found on the path, but importing it raises (and not ImportError)."""

raise RuntimeError("broken on purpose")
