"""One module per framework; each runs that framework's real Conv2d.

ADAPTER_MODULES is the list the harness starts workers for. Adapters import
their framework lazily and never import each other, verdicts, stores or reports.
"""

ADAPTER_MODULES = {
    "torch": "adapters.torch_conv",
    "tensorflow": "adapters.tf_conv",
    "keras": "adapters.keras_conv",
    "jax": "adapters.jax_conv",
    "flax": "adapters.flax_conv",
}
