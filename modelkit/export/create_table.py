"""CreateTable input: the JSON ``aws dynamodb create-table --cli-input-json`` takes."""

from __future__ import annotations

from typing import Any

from modelkit.export._shapes import (
    attribute_definitions,
    billing_mode,
    index_capacity,
    index_shape,
    key_schema,
    throughput,
)
from modelkit.schema import Provisioned, TableDesign


def create_table_input(design: TableDesign) -> dict[str, Any]:
    """The CreateTable request for ``design``'s table, its indexes, billing and stream.

    TTL is set by a separate call (:func:`ttl_input`). Replicas of a global table are added
    after creation (``update-table --replica-updates``) or deployed with the CloudFormation
    export, which declares them.
    """
    request: dict[str, Any] = {
        "TableName": design.name,
        "AttributeDefinitions": attribute_definitions(design),
        "KeySchema": key_schema(design.pk, design.sk),
    }
    gsis = []
    for index in design.gsis:
        gsi: dict[str, Any] = index_shape(index)
        capacity = index_capacity(design, index)
        if capacity is not None:
            gsi["ProvisionedThroughput"] = throughput(capacity)
        gsis.append(gsi)
    lsis = [index_shape(index) for index in design.lsis]
    if gsis:
        request["GlobalSecondaryIndexes"] = gsis
    if lsis:
        request["LocalSecondaryIndexes"] = lsis
    request["BillingMode"] = billing_mode(design)
    if isinstance(design.billing, Provisioned):
        request["ProvisionedThroughput"] = throughput(design.billing)
    if design.stream is not None:
        request["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": design.stream}
    return request


def ttl_input(design: TableDesign) -> dict[str, Any] | None:
    """The UpdateTimeToLive request (``aws dynamodb update-time-to-live``), if the table has TTL."""
    if design.ttl_attribute is None:
        return None
    return {
        "TableName": design.name,
        "TimeToLiveSpecification": {"Enabled": True, "AttributeName": design.ttl_attribute},
    }
