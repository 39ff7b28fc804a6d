"""Static rules on a design: what cannot work (errors) and what will hurt (warnings)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from modelkit.check._findings import Finding, Severity
from modelkit.check._key_rules import (
    monotonic_sort_keys,
    optional_primary_fields,
    partition_key_smells,
    primary_key_collisions,
    segments_overlap,
)
from modelkit.check._pattern_rules import pattern_rules
from modelkit.check._table_rules import (
    attribute_clashes,
    index_limits,
    item_sizes,
    ttl_fields,
    type_values,
)
from modelkit.errors import SchemaError
from modelkit.schema import DesignKeys, SchemaErrors, Table, TableDesign, keys_for

Rule = Callable[[TableDesign, DesignKeys], Iterable[Finding]]

RULES: tuple[Rule, ...] = (
    index_limits,
    attribute_clashes,
    type_values,
    ttl_fields,
    optional_primary_fields,
    primary_key_collisions,
    pattern_rules,
    partition_key_smells,
    monotonic_sort_keys,
    item_sizes,
)


def check(design: TableDesign) -> list[Finding]:
    """Every finding for ``design``, errors first."""
    keys = keys_for(design)
    findings = [f for rule in RULES for f in rule(design, keys)]
    return sorted(findings, key=lambda f: f.severity != "error")


def check_table(target: Table | TableDesign) -> tuple[TableDesign | None, list[Finding]]:
    """Compile if needed, then check; compile problems come back as error findings."""
    if isinstance(target, TableDesign):
        return target, check(target)
    try:
        design = target.compile()
    except SchemaErrors as exc:
        return None, [_from_schema_error(p) for p in exc.problems]
    return design, check(design)


def _from_schema_error(problem: SchemaError) -> Finding:
    where, _, subject = problem.where.partition(": ")
    return Finding(
        severity="error",
        code="schema",
        message=f"{subject}: {problem.message}" if subject else problem.message,
        hint=problem.hint,
        where=where,
    )


def errors(findings: Iterable[Finding]) -> Iterator[Finding]:
    return (f for f in findings if f.severity == "error")


__all__ = ["RULES", "Finding", "Severity", "check", "check_table", "errors", "segments_overlap"]
