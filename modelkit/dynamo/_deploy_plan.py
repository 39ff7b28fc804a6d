"""What deploy has to do: the design compared with the table DynamoDB describes.

Requests come from :func:`~modelkit.export.create_table_input` and
:func:`~modelkit.export.ttl_input`, so deploy creates exactly what the export prints.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

import msgspec

from modelkit.dynamo._deploy_report import Difference
from modelkit.export import create_table_input, ttl_input
from modelkit.schema import TableDesign

StepKind = Literal["create-table", "create-index", "enable-stream", "enable-ttl"]


class Step(msgspec.Struct, frozen=True):
    """One request that changes the table, and the line a person reads about it."""

    kind: StepKind
    text: str
    operation: str
    request: dict[str, Any]
    index: str = ""


class Plan(msgspec.Struct):
    """The changes to make, in order, and the differences to report."""

    steps: list[Step] = msgspec.field(default_factory=list)
    differences: list[Difference] = msgspec.field(default_factory=list)


def plan_create(design: TableDesign) -> Plan:
    """A new table: CreateTable (indexes, billing and stream included), then TTL."""
    request = create_table_input(design)
    parts = [f"key {keys_text(request['KeySchema'])}"]
    parts += [f"GSI {index_text(g)}" for g in request.get("GlobalSecondaryIndexes", ())]
    parts += [f"LSI {index_text(i)}" for i in request.get("LocalSecondaryIndexes", ())]
    parts.append(billing_text(request.get("BillingMode"), request.get("ProvisionedThroughput")))
    if design.stream is not None:
        parts.append(f"stream {design.stream}")
    text = f"create table {design.name}: {'; '.join(parts)}"
    plan = Plan([Step("create-table", text, "CreateTable", request)])
    plan.steps += _ttl_steps(design)
    return plan


def plan_update(
    design: TableDesign, table: Mapping[str, Any], ttl: Mapping[str, Any] | None
) -> Plan:
    """An existing table (``DescribeTable``'s ``Table``; ``ttl`` is DescribeTimeToLive's
    description, ``None`` when the endpoint cannot tell): the missing GSIs, stream and TTL to
    add, and the differences deploy leaves alone."""
    wanted = create_table_input(design)
    plan = Plan()
    _compare_keys(wanted, table, plan.differences)
    _compare_billing(wanted, table, plan.differences)
    _compare_lsis(wanted, table, plan.differences)
    _compare_gsis(design, wanted, table, plan)
    _compare_stream(design, table, plan)
    _compare_ttl(design, ttl, plan)
    return plan


def keys_text(schema: Iterable[Mapping[str, str]]) -> str:
    """``PK, SK`` (the partition key first)."""
    ordered = sorted(schema, key=lambda k: k["KeyType"] != "HASH")
    return ", ".join(k["AttributeName"] for k in ordered)


def index_text(index: Mapping[str, Any]) -> str:
    """``GSI1 (GSI1PK, GSI1SK; INCLUDE name, score)``."""
    return f"{index['IndexName']} ({keys_text(index['KeySchema'])}; {_projection_text(index)})"


def billing_text(mode: str | None, units: Mapping[str, Any] | None) -> str:
    if mode == "PAY_PER_REQUEST":
        return "on demand"
    units = units or {}
    return (
        f"provisioned {units.get('ReadCapacityUnits')} RCU / {units.get('WriteCapacityUnits')} WCU"
    )


def _projection_text(index: Mapping[str, Any]) -> str:
    projection = index.get("Projection", {})
    attributes = sorted(projection.get("NonKeyAttributes") or ())
    return " ".join([projection.get("ProjectionType", "ALL"), ", ".join(attributes)]).strip()


def _units(thing: Mapping[str, Any]) -> tuple[Any, Any]:
    units = thing.get("ProvisionedThroughput") or {}
    return units.get("ReadCapacityUnits"), units.get("WriteCapacityUnits")


def _billing_mode(table: Mapping[str, Any]) -> str:
    return str((table.get("BillingModeSummary") or {}).get("BillingMode", "PROVISIONED"))


def _compare_keys(
    wanted: Mapping[str, Any], table: Mapping[str, Any], out: list[Difference]
) -> None:
    want, have = keys_text(wanted["KeySchema"]), keys_text(table.get("KeySchema", ()))
    if want != have:
        out.append(Difference("key", want, have))
    types = {d["AttributeName"]: d["AttributeType"] for d in table.get("AttributeDefinitions", ())}
    for definition in wanted["AttributeDefinitions"]:
        name, kind = definition["AttributeName"], definition["AttributeType"]
        if types.get(name, kind) != kind:
            out.append(Difference(f"attribute {name}", f"type {kind}", f"type {types[name]}"))


def _compare_billing(
    wanted: Mapping[str, Any], table: Mapping[str, Any], out: list[Difference]
) -> None:
    want_mode, have_mode = wanted["BillingMode"], _billing_mode(table)
    want = billing_text(want_mode, wanted.get("ProvisionedThroughput"))
    have = billing_text(have_mode, table.get("ProvisionedThroughput"))
    if want_mode != have_mode or (want_mode == "PROVISIONED" and _units(wanted) != _units(table)):
        out.append(Difference("billing", want, have))


def _compare_lsis(
    wanted: Mapping[str, Any], table: Mapping[str, Any], out: list[Difference]
) -> None:
    want = {i["IndexName"]: i for i in wanted.get("LocalSecondaryIndexes", ())}
    have = {i["IndexName"]: i for i in table.get("LocalSecondaryIndexes") or ()}
    for name in sorted(want.keys() | have.keys()):
        if name not in have:
            made = "no such index (an LSI can only be created with its table)"
            out.append(Difference(f"LSI {name}", index_text(want[name]), made))
        elif name not in want:
            out.append(Difference(f"LSI {name}", "no such index", index_text(have[name])))
        elif index_text(want[name]) != index_text(have[name]):
            out.append(Difference(f"LSI {name}", index_text(want[name]), index_text(have[name])))


def _compare_gsis(
    design: TableDesign, wanted: Mapping[str, Any], table: Mapping[str, Any], plan: Plan
) -> None:
    want = {i["IndexName"]: i for i in wanted.get("GlobalSecondaryIndexes", ())}
    have = {i["IndexName"]: i for i in table.get("GlobalSecondaryIndexes") or ()}
    provisioned = wanted["BillingMode"] == "PROVISIONED" == _billing_mode(table)
    types = {d["AttributeName"]: d["AttributeType"] for d in table.get("AttributeDefinitions", ())}
    types.update((d["AttributeName"], d["AttributeType"]) for d in wanted["AttributeDefinitions"])
    keyed = _key_names(table, "LocalSecondaryIndexes", "GlobalSecondaryIndexes")
    for name in sorted(have.keys() - want.keys()):
        plan.differences.append(Difference(f"GSI {name}", "no such index", index_text(have[name])))
    for name, index in want.items():  # in design order
        found = have.get(name)
        if found is None and wanted["BillingMode"] != _billing_mode(table):
            unbilled = "no such index (not created: the table's billing differs from the design's)"
            plan.differences.append(Difference(f"GSI {name}", index_text(index), unbilled))
        elif found is None:
            keyed += [k["AttributeName"] for k in index["KeySchema"]]
            plan.steps.append(_create_index_step(design, index, keyed, types))
        elif found.get("IndexStatus") == "DELETING":
            deleting = "the index being deleted (deploy again once it is gone)"
            plan.differences.append(Difference(f"GSI {name}", index_text(index), deleting))
        elif index_text(index) != index_text(found):
            plan.differences.append(Difference(f"GSI {name}", index_text(index), index_text(found)))
        elif provisioned and _units(index) != _units(found):
            plan.differences.append(
                Difference(
                    f"GSI {name} capacity",
                    billing_text("PROVISIONED", index.get("ProvisionedThroughput")),
                    billing_text("PROVISIONED", found.get("ProvisionedThroughput")),
                )
            )


def _key_names(table: Mapping[str, Any], *kinds: str) -> list[str]:
    """The attributes in the key of the table and of its indexes of ``kinds``."""
    schemas = [table.get("KeySchema", ())]
    schemas += [i["KeySchema"] for kind in kinds for i in table.get(kind) or ()]
    return [k["AttributeName"] for schema in schemas for k in schema]


def _create_index_step(
    design: TableDesign, index: Mapping[str, Any], keyed: list[str], types: dict[str, str]
) -> Step:
    """UpdateTable creating one GSI. Its AttributeDefinitions cover every key attribute of the
    table as it will be, as CloudFormation sends them (moto forgets the ones left out)."""
    names = [n for n in dict.fromkeys(keyed) if n in types]
    request = {
        "TableName": design.name,
        "AttributeDefinitions": [{"AttributeName": n, "AttributeType": types[n]} for n in names],
        "GlobalSecondaryIndexUpdates": [{"Create": dict(index)}],
    }
    text = f"create GSI {index_text(index)}"
    return Step("create-index", text, "UpdateTable", request, index=index["IndexName"])


def _compare_stream(design: TableDesign, table: Mapping[str, Any], plan: Plan) -> None:
    spec = table.get("StreamSpecification") or {}
    view = spec.get("StreamViewType") if spec.get("StreamEnabled") else None
    if view is None and design.stream is not None:
        request = {
            "TableName": design.name,
            "StreamSpecification": {"StreamEnabled": True, "StreamViewType": design.stream},
        }
        text = f"enable stream {design.stream}"
        plan.steps.append(Step("enable-stream", text, "UpdateTable", request))
    elif view != design.stream:
        plan.differences.append(Difference("stream", design.stream or "no stream", str(view)))


def _compare_ttl(design: TableDesign, ttl: Mapping[str, Any] | None, plan: Plan) -> None:
    status = (ttl or {}).get("TimeToLiveStatus", "DISABLED")
    attribute = (ttl or {}).get("AttributeName")
    wanted = design.ttl_attribute
    if status == "DISABLED":
        plan.steps += _ttl_steps(design)
    elif status not in ("ENABLED", "ENABLING") or attribute != wanted:
        want = f"TTL on {wanted}" if wanted else "no TTL"
        plan.differences.append(Difference("TTL", want, f"TTL {status} on {attribute}"))


def _ttl_steps(design: TableDesign) -> list[Step]:
    request = ttl_input(design)
    if request is None:
        return []
    text = f"enable TTL on {design.ttl_attribute}"
    return [Step("enable-ttl", text, "UpdateTimeToLive", request)]
