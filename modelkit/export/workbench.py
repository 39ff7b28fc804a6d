"""A NoSQL Workbench data model (format 3.0): the table, its GSIs, and one facet per entity
with example items."""

from __future__ import annotations

import datetime as dt
from typing import Any

from modelkit.export._shapes import billing_mode, projection, throughput
from modelkit.schema import EntityDesign, IndexDesign, Provisioned, TableDesign
from modelkit.schema._examples import example_item, to_attribute_value

FORMAT_VERSION = "3.0"


def workbench_model(
    design: TableDesign, *, samples: int = 3, when: dt.datetime | None = None
) -> dict[str, Any]:
    """The data model as JSON-ready data, with ``samples`` example items per entity.

    ``when`` sets the created/modified dates (default: now). Workbench models have no
    local secondary indexes; a design's LSIs are written under ``LocalSecondaryIndexes``
    in the GSI layout (omitted when there are none) so that they survive a round trip.
    """
    stamp = (when or dt.datetime.now(dt.UTC)).strftime("%b %d, %Y, %I:%M %p")
    table_keys = {design.pk, design.sk}
    types: dict[str, str] = {a: "S" for a in design.key_attributes() if a not in table_keys}
    facets = [_facet(design, entity, samples, types) for entity in design.entities]
    table: dict[str, Any] = {
        "TableName": design.name,
        "KeyAttributes": _key_attributes(design.pk, design.sk),
        "NonKeyAttributes": [{"AttributeName": a, "AttributeType": t} for a, t in types.items()],
        "TableFacets": facets,
        "GlobalSecondaryIndexes": [_index(i, i.pk) for i in design.gsis],
    }
    if design.lsis:
        table["LocalSecondaryIndexes"] = [_index(i, design.pk) for i in design.lsis]
    table["DataAccess"] = {"MySql": {}}
    table["BillingMode"] = billing_mode(design)
    if isinstance(design.billing, Provisioned):
        table["ProvisionedCapacitySettings"] = {"ProvisionedThroughput": throughput(design.billing)}
    return {
        "ModelName": design.name,
        "ModelMetadata": {
            "Author": "modelkit",
            "DateCreated": stamp,
            "DateLastModified": stamp,
            "Description": design.doc,
            "AWSService": "Amazon DynamoDB",
            "Version": FORMAT_VERSION,
        },
        "DataModel": [table],
    }


def _facet(
    design: TableDesign, entity: EntityDesign, samples: int, types: dict[str, str]
) -> dict[str, Any]:
    """The entity's facet with example items; records each attribute's type in ``types``."""
    items = [
        {a: to_attribute_value(v) for a, v in example_item(design, entity.name, s).items()}
        for s in range(samples)
    ]
    names: list[str] = []
    for item in items:
        for attribute, value in item.items():
            if attribute in (design.pk, design.sk):
                continue
            types.setdefault(attribute, next(iter(value)))
            if attribute not in names:
                names.append(attribute)
    primary = entity.key()
    alias = {"PartitionKeyAlias": primary.pk.text if primary else design.pk}
    if design.sk is not None:
        alias["SortKeyAlias"] = primary.sk.text if primary and primary.sk else design.sk
    return {
        "FacetName": entity.name,
        "KeyAttributeAlias": alias,
        "TableData": items,
        "NonKeyAttributes": names,
        "DataAccess": {"MySql": {}},
    }


def _key_attributes(pk: str, sk: str | None) -> dict[str, Any]:
    keys = {"PartitionKey": {"AttributeName": pk, "AttributeType": "S"}}
    if sk is not None:
        keys["SortKey"] = {"AttributeName": sk, "AttributeType": "S"}
    return keys


def _index(index: IndexDesign, pk: str) -> dict[str, Any]:
    return {
        "IndexName": index.name,
        "KeyAttributes": _key_attributes(pk, index.sk),
        "Projection": projection(index),
    }
