"""Shared by the export tests: the designs they cover and what DescribeTable must show."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import modelkit
from modelkit.schema import IndexDesign, Provisioned, TableDesign

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
#: Every example schema plus the test designs that cover what the examples do not.
DESIGN_FILES = sorted(ROOT.glob("schemas/*.py")) + sorted(HERE.glob("design_*.py"))
DESIGN_IDS = [str(p.relative_to(ROOT)) for p in DESIGN_FILES]


def load(path: Path) -> TableDesign:
    return modelkit.load_design(str(path))


def key_schema(pk: str, sk: str | None) -> list[dict[str, str]]:
    keys = [{"AttributeName": pk, "KeyType": "HASH"}]
    if sk is not None:
        keys.append({"AttributeName": sk, "KeyType": "RANGE"})
    return keys


def projection(index: IndexDesign) -> dict[str, Any]:
    shown: dict[str, Any] = {"ProjectionType": index.projection.kind}
    if index.projection.attributes:
        shown["NonKeyAttributes"] = sorted(index.projection.attributes)
    return shown


def described_projection(found: dict[str, Any]) -> dict[str, Any]:
    shown = dict(found)
    if "NonKeyAttributes" in shown:
        shown["NonKeyAttributes"] = sorted(shown["NonKeyAttributes"])
    return shown


def assert_table_matches(table: dict[str, Any], design: TableDesign, *, streams: bool) -> None:
    """A DescribeTable ``Table`` agrees with the design: keys, attribute definitions, indexes
    (names, keys, projections, capacity), billing and (when ``streams``) the stream."""
    assert table["TableName"] == design.name
    assert table["KeySchema"] == key_schema(design.pk, design.sk)
    definitions = {d["AttributeName"]: d["AttributeType"] for d in table["AttributeDefinitions"]}
    assert definitions == dict.fromkeys(design.key_attributes(), "S")
    provisioned = isinstance(design.billing, Provisioned)

    gsis = {g["IndexName"]: g for g in table.get("GlobalSecondaryIndexes", [])}
    assert sorted(gsis) == sorted(i.name for i in design.gsis)
    for index in design.gsis:
        found = gsis[index.name]
        assert found["KeySchema"] == key_schema(index.pk, index.sk), index.name
        assert described_projection(found["Projection"]) == projection(index), index.name
        if isinstance(design.billing, Provisioned):
            capacity = index.capacity or design.billing
            units = found["ProvisionedThroughput"]
            assert (units["ReadCapacityUnits"], units["WriteCapacityUnits"]) == (
                capacity.rcu,
                capacity.wcu,
            ), index.name

    lsis = {i["IndexName"]: i for i in table.get("LocalSecondaryIndexes", [])}
    assert sorted(lsis) == sorted(i.name for i in design.lsis)
    for index in design.lsis:
        found = lsis[index.name]
        assert found["KeySchema"] == key_schema(design.pk, index.sk), index.name
        assert described_projection(found["Projection"]) == projection(index), index.name

    if provisioned:
        assert isinstance(design.billing, Provisioned)
        units = table["ProvisionedThroughput"]
        assert (units["ReadCapacityUnits"], units["WriteCapacityUnits"]) == (
            design.billing.rcu,
            design.billing.wcu,
        )
        mode = table.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED")
        assert mode == "PROVISIONED"
    else:
        assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"

    if streams:
        if design.stream is None:
            assert not table.get("StreamSpecification", {}).get("StreamEnabled", False)
        else:
            assert table["StreamSpecification"] == {
                "StreamEnabled": True,
                "StreamViewType": design.stream,
            }
            assert table["LatestStreamArn"].startswith("arn:aws:dynamodb:")
