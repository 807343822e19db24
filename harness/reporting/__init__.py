"""The report: loaded from a store through Store, one function per section, rendered to Markdown,
self-contained HTML and JSON; and standalone reproduction scripts.
"""
