"""``deploy``: make the table on an endpoint what the design says, adding what is missing and
never deleting anything."""

from __future__ import annotations

import time
from typing import Any

from modelkit.dynamo._connection import DynamoClient
from modelkit.dynamo._deploy_plan import Step, plan_create, plan_update
from modelkit.dynamo._deploy_report import Change, DeployReport, Difference
from modelkit.dynamo._wait import busy_parts, describe_table, wait_active
from modelkit.errors import DynamoError
from modelkit.schema import TableDesign

#: Error codes with which an endpoint refuses one change (an emulator that lacks a feature):
#: deploy reports them and goes on. Any other error stops it.
REFUSALS = frozenset({"UnknownOperationException", "ValidationException"})

#: Seconds deploy waits, in all, for the table and its indexes to become ACTIVE. A GSI on a
#: large table can take much longer to backfill: deploy again later to continue.
DEPLOY_TIMEOUT = 600.0


def deploy(
    design: TableDesign,
    client: DynamoClient,
    *,
    dry_run: bool = False,
    wait: bool = True,
    timeout: float = DEPLOY_TIMEOUT,
) -> DeployReport:
    """Create ``design``'s table, or add to the existing table what it lacks.

    A new table gets CreateTable (keys, GSIs, LSIs, billing, stream), then TTL. An existing
    table gets each missing GSI (one UpdateTable per index, as DynamoDB requires, waiting for
    each to be ACTIVE), its stream and its TTL. Key schema, LSIs, a GSI with other keys or
    projection, billing, another stream or TTL are reported as differences and left alone:
    deploy never deletes a table, an index or data.

    ``dry_run`` only reads (DescribeTable, DescribeTimeToLive) and reports the plan. Deploy
    waits between changes, since DynamoDB refuses to update a table that is not ACTIVE;
    ``wait=False`` skips only the wait after the last change. Waiting longer than ``timeout``
    seconds in all raises :class:`~modelkit.errors.DynamoError` (code ``DeployTimeout``).
    """
    deadline = time.monotonic() + timeout
    report = DeployReport(table=design.name, endpoint=client.endpoint, dry_run=dry_run)
    table = describe_table(client, design.name)
    if table is None:
        plan = plan_create(design)
    else:
        if busy_parts(table) and not dry_run:
            table = wait_active(client, design.name, deadline=deadline, timeout=timeout)
        elif busy_parts(table):
            parts = ", ".join(busy_parts(table))
            report.warnings.append(f"the table is not ACTIVE yet ({parts}): the plan may change")
        plan = plan_update(design, table, _describe_ttl(client, design.name))
    report.differences += plan.differences
    busy = False
    for step in plan.steps:
        if dry_run:
            report.changes.append(Change(step.text, done=False))
            continue
        if busy:
            wait_active(client, design.name, deadline=deadline, timeout=timeout)
        busy = _apply(client, design, step, report)
    if busy and wait:
        wait_active(client, design.name, deadline=deadline, timeout=timeout)
    return report


def _apply(client: DynamoClient, design: TableDesign, step: Step, report: DeployReport) -> bool:
    """Make one change and check that the endpoint made it; whether the table is now busy."""
    try:
        response = client.call(step.operation, step.request)
    except DynamoError as exc:
        if exc.code not in REFUSALS or step.kind == "create-table":
            raise
        if step.kind == "create-index":
            _index_missing(step, report, f"the endpoint refused to create it: {exc}")
        else:
            report.warnings.append(_refused(step, exc))
        return False
    described: dict[str, Any] = response.get("TableDescription", {})
    if step.kind == "create-index":
        indexes = {i["IndexName"] for i in described.get("GlobalSecondaryIndexes") or ()}
        if step.index not in indexes:
            _index_missing(step, report, "the endpoint accepted UpdateTable but did not create it")
            return False
    streams = step.kind in ("create-table", "enable-stream") and design.stream is not None
    if streams and not (described.get("StreamSpecification") or {}).get("StreamEnabled"):
        report.warnings.append(
            f"stream {design.stream} not enabled: the endpoint accepted it but reports no stream "
            "(emulators such as dynalite keep none)"
        )
        if step.kind == "enable-stream":
            return True
    report.changes.append(Change(step.text, done=True))
    return step.kind != "enable-ttl"


def _index_missing(step: Step, report: DeployReport, why: str) -> None:
    shape = step.text.removeprefix("create GSI ")
    report.differences.append(Difference(f"GSI {step.index}", shape, f"no such index: {why}"))


def _refused(step: Step, exc: DynamoError) -> str:
    what = step.text.removeprefix("enable ")
    verb = "set" if step.kind == "enable-ttl" else "enabled"
    if exc.code == "UnknownOperationException":
        return (
            f"{what} not {verb}: the endpoint does not implement {step.operation} "
            f"({exc.code}){'; items do not expire there' if step.kind == 'enable-ttl' else ''}"
        )
    return f"{what} not {verb}: the endpoint refused it ({exc})"


def _describe_ttl(client: DynamoClient, name: str) -> dict[str, Any] | None:
    """DescribeTimeToLive's description; ``None`` when the endpoint does not implement it."""
    try:
        response = client.call("DescribeTimeToLive", {"TableName": name})
    except DynamoError as exc:
        if exc.code == "UnknownOperationException":
            return None
        raise
    description: dict[str, Any] = response.get("TimeToLiveDescription", {})
    return description
