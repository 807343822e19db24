"""The case model's oracles and judgement: output-size arithmetic, the documented conventions and
the registry as data, the float64 reference, padding inference, inputs, verdicts, assessment,
porting recipes and the Hypothesis strategies. No I/O beyond reading the data files; no
framework.
"""
