"""The case model's oracles and judgement, for every operator family: output-size arithmetic,
the convolution's float64 reference and padding inference (the core the other families build
on), the feature vocabulary, the documented conventions and the registry as data, inputs,
verdicts, assessment, the focus and wide regimes and what every family's strategies share;
above the families' records, the porting recipes. No I/O beyond reading the data files; no
framework. A family's own rooms are in harness/families/<family>/.
"""
