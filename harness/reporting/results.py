"""results.json and trend.json: the report's data, for machines.

The layout is a JSON Schema, reports/results.schema.json, described in
reports/results-schema.md; a test validates the published file against it.
"""

from __future__ import annotations

import json
import time
from typing import Any

from harness import __version__
from harness.reporting import findings, messages
from harness.reporting.facts import Cell, Survey

SCHEMA = "convharness-results/3"  # 3: cells are objects; registry and findings embedded


def utc(stamp: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(stamp)) if stamp else "-"


def _cell(case_id: str, cell: Cell) -> dict[str, Any]:
    return {
        "case": case_id,
        "adapter": cell.label,
        "status": cell.status,
        "verdict": cell.verdict,
        "known": cell.known,
        "rule": cell.rule,
        "shape": cell.shape,
        "error_type": cell.error_type or None,
        "message": messages.normalise(cell.message) if cell.message else None,
        "max_abs_err": None if cell.max_abs_err is None else float(f"{cell.max_abs_err:.3g}"),
        "pads_inferred": cell.inferred,
    }


def _registry(survey: Survey) -> list[dict[str, Any]]:
    return [
        {
            "id": e.id,
            "kind": e.kind,
            "summary": e.summary,
            "citation": e.citation,
            "adapters": list(e.adapters),
            "verdicts": list(e.verdicts),
            "repro": e.repro or None,
        }
        for e in survey.registry.entries
    ]


def _findings(survey: Survey) -> list[dict[str, Any]]:
    return [
        {
            "id": f.title,
            "where": f.where,
            "severity": f.severity.words,
            "cases": f.cases,
            "adapters": list(f.adapters),
            "repro": f.repro.strip("`"),
            "link": f.link,
        }
        for f in findings.findings(survey)
    ]


def results(survey: Survey, title: str) -> dict[str, Any]:
    """results.json: documented in reports/results-schema.md."""
    info = survey.info()
    devices = info["devices"]
    kind = "gpu" if any(d.startswith("gpu") for d in devices) else "cpu"
    counts = survey.verdict_counts()
    return {
        "schema": SCHEMA,
        "name": title,
        "suite": {"name": "convharness", "version": __version__, "commit": info["commit"]},
        "platform": info["platform"],
        "python": info["python"],
        "execution_target": {"kind": kind, "devices": devices},
        "versions": info["versions"],
        "variants": info["variants"],
        "skipped": info["skipped"],
        "plan": {
            "id": survey.meta.get("plan_id"),
            "profile": survey.meta.get("profile"),
            "seed": survey.meta.get("seed"),
            "shard": survey.meta.get("shard"),
            "planned": len(survey.order),
            "recorded": len(survey.recorded),
        },
        "summary": {
            "verdicts": {label: dict(sorted(c.items())) for label, c in counts.items()},
            "verdicts_by_op": {
                op: {
                    label: dict(sorted(c.items()))
                    for label, c in survey.verdict_counts(op).items()
                    if c
                }
                for op in survey.ops()
            },
            "unexpected": len(survey.unexpected()),
            "unexplained": len(survey.unexplained()),
            "adapter_groups": [list(group.members) for group in survey.groups],
        },
        "findings": _findings(survey),
        "registry": _registry(survey),
        "cases": {cid: survey.cases[cid].to_json() for cid in survey.recorded},
        "cells": [
            _cell(cid, c)
            for cid in survey.recorded
            for c in sorted(survey.cells[cid].values(), key=lambda c: c.label)
        ],
        "divergence_log": survey.divergence_log(),
        "recipes": [
            {
                "id": check["recipe"].id,
                "source": check["recipe"].source,
                "target": check["recipe"].target,
                "counts": dict(sorted(check["tally"].items())),
            }
            for check in survey.recipe_checks()
        ],
        "timing": {
            "note": "the only field that changes between identical results",
            "runs": [
                {"started": utc(r["started"]), "finished": utc(r["finished"])} for r in survey.runs
            ],
        },
    }


def dumps(data: dict[str, Any]) -> str:
    """The file's text: indented, but one line per case and per cell, so that two runs diff
    line by line and the file stays small."""
    compact = {key: data[key] for key in ("cases", "cells")}
    text = json.dumps({**data, "cases": "@cases@", "cells": "@cells@"}, indent=1, sort_keys=True)
    cases = ",\n".join(
        f"  {json.dumps(cid)}: {json.dumps(case, sort_keys=True)}"
        for cid, case in compact["cases"].items()
    )
    cells = ",\n".join(f"  {json.dumps(cell, sort_keys=True)}" for cell in compact["cells"])
    text = text.replace('"@cases@"', "{\n" + cases + "\n }" if cases else "{}")
    text = text.replace('"@cells@"', "[\n" + cells + "\n ]" if cells else "[]")
    return text + "\n"


def trend_entry(survey: Survey) -> dict[str, Any]:
    finished = max((run["finished"] or run["started"] for run in survey.runs), default=0.0)
    return {
        "date": utc(finished),
        "plan": survey.meta.get("plan_id"),
        "profile": survey.meta.get("profile"),
        "cases": len(survey.recorded),
        "unexpected": len(survey.unexpected()),
        "versions": survey.info()["versions"],
        "verdicts": {
            label: dict(sorted(c.items())) for label, c in survey.verdict_counts().items()
        },
    }
