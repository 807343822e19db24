"""One module per framework; each runs that framework's real Conv2d.

harness/data/variants.toml names the module each variant's worker imports. Adapters
import their framework lazily and never import each other, verdicts, stores or reports.
"""
