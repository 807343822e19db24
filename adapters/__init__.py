"""One package per framework (torch, tensorflow, keras, jax, flax); each runs that framework's
real convolution, transposed convolution and pooling at rank 1, 2 and 3.

A package is its framework's adapter module (FRAMEWORK, REQUIRES, version(), devices(), APIS:
harness/adapter_api.py), with one module per operator family beside it: conv.py, transposed.py,
pool.py. Its APIS dispatch each case by an explicit table from family to the functions that
serve it. harness/data/variants.toml names the package each variant's worker imports. Adapters
import their framework lazily, from the harness only harness.adapter_api, and never verdicts,
stores or reports; the flax package shares JAX's set-up (adapters/jax/common.py) and the
jax package's reading of lax.conv_transpose's padding.
"""
