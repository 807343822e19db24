"""The catalog of adapters, below the model: the variants of data/variants.toml and the
adapter modules of installed plugins, with the data they carry."""
