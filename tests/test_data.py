"""The data files: every rule and registry entry is well-formed and cited."""

from __future__ import annotations

import copy
import tomllib
from importlib import resources

import pytest

from harness.model import conventions, registry

pytestmark = pytest.mark.fast  # the inner-loop subset: python -m pytest -m fast


def _toml(name):
    return tomllib.loads(resources.files("harness").joinpath(f"data/{name}").read_text())


def test_conventions_load_and_every_rule_is_cited():
    loaded = conventions.load()
    assert set(loaded) >= {"torch", "tensorflow", "keras", "jax", "flax"}  # plugins add more
    for convention in loaded.values():
        rules = convention.families["conv"]  # every framework documents convolution
        assert rules.same is None or rules.same.citation  # MLX has no padding word
        assert all(rule.citation for rule in rules.refusals)


def test_registry_loads_and_every_entry_is_cited():
    entries = registry.load().entries
    assert entries
    for entry in entries:
        assert entry.citation and entry.summary
        if entry.kind == "upstream_bug":
            assert "github.com" in entry.citation or entry.repro


def _last_bug(data):
    return [e for e in data["divergence"] if e["kind"] == "upstream_bug"][-1]


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d["divergence"][0].pop("citation"), "citation"),
        (lambda d: d["divergence"][0].update(rules=["torch/no-such-rule"]), "unknown"),
        (lambda d: d["divergence"][0].update(kind="hunch"), "kind"),
        (lambda d: d["divergence"].append(dict(d["divergence"][0])), "duplicate"),
        (lambda d: _last_bug(d).update(verdicts=["PASS"]), "not unexpected"),
        (lambda d: _last_bug(d).update(when={"colour": "red"}), "unknown feature"),
    ],
)
def test_registry_refuses_entries_that_would_quiet_a_failure_without_a_citation(change, message):
    data = copy.deepcopy(_toml("registry.toml"))
    change(data)
    with pytest.raises(ValueError, match=message):
        registry.parse(data)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d["frameworks"]["torch"]["conv"]["refusals"][0].pop("citation"), "citation"),
        (lambda d: d["frameworks"]["jax"]["conv"].update(output="round"), "output"),
        (lambda d: d["frameworks"]["jax"]["conv"]["same"].update(split="middle"), "same"),
        (
            lambda d: d["frameworks"]["torch"]["conv"]["refusals"][0].update(
                when={"strided": "yes"}
            ),
            "takes bool",
        ),
        (lambda d: d["frameworks"]["torch"].update(unpool={}), "unknown operator family"),
        (lambda d: d["frameworks"]["torch"]["pool"]["divisor"].update(rule="half"), "divisor"),
        (lambda d: d["frameworks"]["torch"]["pool"]["ceil"].pop("citation"), "citation"),
        (
            lambda d: d["frameworks"]["torch"]["conv"]["refusals"][0].update(when={"op": 2}),
            "takes str",
        ),
    ],
)
def test_conventions_refuse_malformed_rules(change, message):
    data = copy.deepcopy(_toml("conventions.toml"))
    change(data)
    with pytest.raises(ValueError, match=message):
        conventions.parse(data)


def test_a_convention_may_explain_a_difference_in_kind_only_with_adapters_and_aspects():
    data = copy.deepcopy(_toml("registry.toml"))
    data["divergence"].append(
        {
            "id": "x",
            "kind": "convention",
            "summary": "s",
            "citation": "c",
            "adapters": ["tf.nn"],
            "aspects": ["values"],
        }
    )
    assert registry.parse(data).for_difference("values", ("tf.nn", "jax.lax"), {}) == "x"
    data["divergence"][-1]["aspects"] = ["accept"]
    with pytest.raises(ValueError, match="aspects are shape, pads, divisor and values"):
        registry.parse(data)
    del data["divergence"][-1]["adapters"]
    with pytest.raises(ValueError, match="adapters and aspects"):
        registry.parse(data)


def test_a_refusal_kept_to_some_variants_names_variants_that_exist():
    from harness.catalog import variants

    known = {variant.name for variant in variants.load()}
    kept = [
        (refusal.id, name)
        for framework in conventions.load().values()
        for rules in framework.families.values()
        for refusal in rules.refusals
        for name in refusal.variants
    ]
    assert kept, "no refusal is kept to a variant: the layout variants' refusals are missing"
    assert all(name in known for _, name in kept), [k for k in kept if k[1] not in known]
