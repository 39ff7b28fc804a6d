"""A CloudFormation template for the table: ``AWS::DynamoDB::Table``, or
``AWS::DynamoDB::GlobalTable`` when the design lists replica Regions."""

from __future__ import annotations

import re
from typing import Any

from modelkit.errors import SchemaError
from modelkit.export._shapes import (
    attribute_definitions,
    billing_mode,
    index_capacity,
    index_shape,
    key_schema,
    throughput,
)
from modelkit.schema import Provisioned, TableDesign

#: Target utilisation of the write auto scaling that provisioned global tables require.
TARGET_UTILISATION = 70.0


def cloudformation_template(design: TableDesign) -> dict[str, Any]:
    """The template as JSON-ready data.

    The table is retained on stack deletion and replacement, since it holds real data;
    point-in-time recovery is on. The table name is a parameter defaulting to the design's.
    """
    logical = logical_id(design)
    resource = _global_table(design) if design.replicas else _table(design)
    resource["DeletionPolicy"] = "Retain"
    resource["UpdateReplacePolicy"] = "Retain"
    outputs: dict[str, Any] = {
        "TableName": _output({"Ref": logical}, "Name of the table"),
        "TableArn": _output({"Fn::GetAtt": [logical, "Arn"]}, "ARN of the table"),
    }
    if design.stream is not None or design.replicas:
        outputs["StreamArn"] = _output(
            {"Fn::GetAtt": [logical, "StreamArn"]}, "ARN of the table's stream"
        )
    summary = design.doc.strip().splitlines()[0] if design.doc.strip() else ""
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"DynamoDB table {design.name} (modelkit). {summary}".strip(),
        "Parameters": {
            "TableName": {
                "Type": "String",
                "Default": design.name,
                "Description": "Name of the DynamoDB table",
                "AllowedPattern": "[a-zA-Z0-9_.-]+",
                "MinLength": 3,
                "MaxLength": 255,
            }
        },
        "Resources": {logical: resource},
        "Outputs": outputs,
    }


def logical_id(design: TableDesign) -> str:
    """The table's logical resource id: ``shop_orders`` → ``ShopOrdersTable``."""
    words = re.split(r"[^A-Za-z0-9]+", design.name)
    return "".join(w[:1].upper() + w[1:] for w in words if w) + "Table"


def _output(value: Any, description: str) -> dict[str, Any]:
    return {"Description": description, "Value": value}


def _common(design: TableDesign) -> dict[str, Any]:
    props: dict[str, Any] = {
        "TableName": {"Ref": "TableName"},
        "AttributeDefinitions": attribute_definitions(design),
        "KeySchema": key_schema(design.pk, design.sk),
        "BillingMode": billing_mode(design),
    }
    if design.lsis:
        props["LocalSecondaryIndexes"] = [index_shape(i) for i in design.lsis]
    if design.ttl_attribute is not None:
        props["TimeToLiveSpecification"] = {
            "AttributeName": design.ttl_attribute,
            "Enabled": True,
        }
    return props


def _table(design: TableDesign) -> dict[str, Any]:
    props = _common(design)
    if isinstance(design.billing, Provisioned):
        props["ProvisionedThroughput"] = throughput(design.billing)
    gsis = []
    for index in design.gsis:
        gsi = index_shape(index)
        capacity = index_capacity(design, index)
        if capacity is not None:
            gsi["ProvisionedThroughput"] = throughput(capacity)
        gsis.append(gsi)
    if gsis:
        props["GlobalSecondaryIndexes"] = gsis
    if design.stream is not None:
        props["StreamSpecification"] = {"StreamViewType": design.stream}
    props["PointInTimeRecoverySpecification"] = {"PointInTimeRecoveryEnabled": True}
    return {"Type": "AWS::DynamoDB::Table", "Properties": props}


def _global_table(design: TableDesign) -> dict[str, Any]:
    if design.stream not in (None, "NEW_AND_OLD_IMAGES"):
        raise SchemaError(
            f"a table with replicas needs the stream view NEW_AND_OLD_IMAGES, not {design.stream}",
            where=f"table {design.name}",
            hint="set stream='NEW_AND_OLD_IMAGES' or leave stream unset",
        )
    props = _common(design)
    if isinstance(design.billing, Provisioned):
        props["WriteProvisionedThroughputSettings"] = _write_scaling(design.billing)
    gsis = []
    replica_gsis = []
    for index in design.gsis:
        gsi: dict[str, Any] = index_shape(index)
        capacity = index_capacity(design, index)
        if capacity is not None:
            gsi["WriteProvisionedThroughputSettings"] = _write_scaling(capacity)
            replica_gsis.append(
                {
                    "IndexName": index.name,
                    "ReadProvisionedThroughputSettings": {"ReadCapacityUnits": capacity.rcu},
                }
            )
        gsis.append(gsi)
    if gsis:
        props["GlobalSecondaryIndexes"] = gsis
    props["StreamSpecification"] = {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    replicas = []
    for region in ({"Ref": "AWS::Region"}, *design.replicas):
        replica: dict[str, Any] = {
            "Region": region,
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        }
        if isinstance(design.billing, Provisioned):
            replica["ReadProvisionedThroughputSettings"] = {"ReadCapacityUnits": design.billing.rcu}
        if replica_gsis:
            replica["GlobalSecondaryIndexes"] = replica_gsis
        replicas.append(replica)
    props["Replicas"] = replicas
    return {"Type": "AWS::DynamoDB::GlobalTable", "Properties": props}


def _write_scaling(capacity: Provisioned) -> dict[str, Any]:
    """Provisioned global tables scale writes automatically; this one holds ``wcu`` fixed."""
    return {
        "WriteCapacityAutoScalingSettings": {
            "MinCapacity": capacity.wcu,
            "MaxCapacity": capacity.wcu,
            "TargetTrackingScalingPolicyConfiguration": {"TargetValue": TARGET_UTILISATION},
        }
    }
