"""cloudformation export: every design's template passes cfn-lint, and says what the design
says (resource type, keys, indexes, billing, stream, TTL, replicas)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import msgspec
import pytest
from export_checks import DESIGN_FILES, DESIGN_IDS, key_schema, load

from modelkit.errors import SchemaError
from modelkit.export import cloudformation_template, export
from modelkit.export.cloudformation import logical_id
from modelkit.schema import TableDesign

CFN_LINT = Path(sys.executable).parent / "cfn-lint"


def _global_shop() -> TableDesign:
    """The example shop as an on-demand global table in two more Regions."""
    shop = load(next(p for p in DESIGN_FILES if p.name == "ecommerce.py"))
    return msgspec.structs.replace(shop, replicas=("eu-west-1", "ap-northeast-1"))


def _broken() -> dict[str, Any]:
    """A template cfn-lint must reject: proves the linter really checks ours."""
    template = cloudformation_template(_global_shop())
    resource = next(iter(template["Resources"].values()))
    del resource["Properties"]["Replicas"]
    resource["Properties"]["BillingMode"] = "SOMETIMES"
    return template


@pytest.fixture(scope="module")
def lint(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, Any]]]:
    """cfn-lint findings per template name, from one cfn-lint run over all templates."""
    if not CFN_LINT.exists():
        pytest.fail(f"cfn-lint is not installed at {CFN_LINT}; run `make test`", pytrace=False)
    folder = tmp_path_factory.mktemp("cloudformation")
    templates = {p.stem: export(load(p), "cloudformation") for p in DESIGN_FILES}
    templates["global_shop"] = export(_global_shop(), "cloudformation")
    templates["broken"] = json.dumps(_broken())
    for name, text in templates.items():
        (folder / f"{name}.json").write_text(text)
    files = sorted(str(p) for p in folder.glob("*.json"))
    done = subprocess.run(
        [str(CFN_LINT), "--format", "json", *files], capture_output=True, text=True, timeout=120
    )
    findings: dict[str, list[dict[str, Any]]] = {name: [] for name in templates}
    for match in json.loads(done.stdout or "[]"):
        findings[Path(match["Filename"]).stem].append(match)
    return findings


def _errors(findings: list[dict[str, Any]]) -> list[str]:
    return [
        f"{m['Rule']['Id']}: {m['Message']}"
        for m in findings
        if m["Level"] == "Error" or m["Rule"]["Id"].startswith("E")
    ]


@pytest.mark.parametrize("path", DESIGN_FILES, ids=DESIGN_IDS)
def test_cfn_lint_passes(path: Path, lint: dict[str, list[dict[str, Any]]]) -> None:
    assert _errors(lint[path.stem]) == []
    assert lint[path.stem] == [], "no warnings either"


def test_cfn_lint_passes_the_global_table(lint: dict[str, list[dict[str, Any]]]) -> None:
    assert lint["global_shop"] == []


def test_cfn_lint_rejects_a_broken_template(lint: dict[str, list[dict[str, Any]]]) -> None:
    errors = " ".join(_errors(lint["broken"]))
    assert "Replicas" in errors
    assert "SOMETIMES" in errors


@pytest.mark.parametrize("path", DESIGN_FILES, ids=DESIGN_IDS)
def test_template_describes_the_design(path: Path) -> None:
    design = load(path)
    template = json.loads(export(design, "cloudformation"))
    assert template["AWSTemplateFormatVersion"] == "2010-09-09"
    assert template["Parameters"]["TableName"]["Default"] == design.name
    (logical, resource), *others = template["Resources"].items()
    assert others == []
    assert logical == logical_id(design)
    assert resource["DeletionPolicy"] == resource["UpdateReplacePolicy"] == "Retain"
    props = resource["Properties"]
    assert props["TableName"] == {"Ref": "TableName"}
    assert props["KeySchema"] == key_schema(design.pk, design.sk)
    assert [a["AttributeName"] for a in props["AttributeDefinitions"]] == list(
        design.key_attributes()
    )
    gsis = {g["IndexName"]: g["KeySchema"] for g in props.get("GlobalSecondaryIndexes", [])}
    assert gsis == {i.name: key_schema(i.pk, i.sk) for i in design.gsis}
    lsis = {i["IndexName"]: i["KeySchema"] for i in props.get("LocalSecondaryIndexes", [])}
    assert lsis == {i.name: key_schema(design.pk, i.sk) for i in design.lsis}
    if design.ttl_attribute:
        assert props["TimeToLiveSpecification"] == {
            "AttributeName": design.ttl_attribute,
            "Enabled": True,
        }
    else:
        assert "TimeToLiveSpecification" not in props
    outputs = template["Outputs"]
    assert outputs["TableArn"]["Value"] == {"Fn::GetAtt": [logical, "Arn"]}
    assert ("StreamArn" in outputs) == (design.stream is not None or bool(design.replicas))
    if design.replicas:
        assert resource["Type"] == "AWS::DynamoDB::GlobalTable"
        regions = [r["Region"] for r in props["Replicas"]]
        assert regions == [{"Ref": "AWS::Region"}, *design.replicas]
        assert props["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    else:
        assert resource["Type"] == "AWS::DynamoDB::Table"
        assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
        if design.stream:
            assert props["StreamSpecification"] == {"StreamViewType": design.stream}


def test_provisioned_global_table_capacity() -> None:
    design = load(next(p for p in DESIGN_FILES if p.name == "design_global.py"))
    props = cloudformation_template(design)["Resources"]["AccountsTable"]["Properties"]
    assert props["BillingMode"] == "PROVISIONED"
    scaling = props["WriteProvisionedThroughputSettings"]["WriteCapacityAutoScalingSettings"]
    assert (scaling["MinCapacity"], scaling["MaxCapacity"]) == (5, 5)
    for replica in props["Replicas"]:
        assert replica["ReadProvisionedThroughputSettings"] == {"ReadCapacityUnits": 10}
        assert replica["GlobalSecondaryIndexes"] == [
            {"IndexName": "GSI1", "ReadProvisionedThroughputSettings": {"ReadCapacityUnits": 10}}
        ]
        assert replica["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}


def test_on_demand_global_table_has_no_capacity() -> None:
    props = next(iter(cloudformation_template(_global_shop())["Resources"].values()))["Properties"]
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert "WriteProvisionedThroughputSettings" not in props
    assert all(set(r) == {"Region", "PointInTimeRecoverySpecification"} for r in props["Replicas"])


def test_provisioned_table_capacity() -> None:
    design = load(next(p for p in DESIGN_FILES if p.name == "design_inventory.py"))
    props = cloudformation_template(design)["Resources"]["InventoryV2Table"]["Properties"]
    assert props["ProvisionedThroughput"] == {"ReadCapacityUnits": 5, "WriteCapacityUnits": 4}
    units = {g["IndexName"]: g["ProvisionedThroughput"] for g in props["GlobalSecondaryIndexes"]}
    assert units["by-sku"] == {"ReadCapacityUnits": 2, "WriteCapacityUnits": 3}
    assert units["by_warehouse"] == {"ReadCapacityUnits": 5, "WriteCapacityUnits": 4}


def test_replicas_need_new_and_old_images() -> None:
    design = msgspec.structs.replace(_global_shop(), stream="KEYS_ONLY")
    with pytest.raises(SchemaError, match="NEW_AND_OLD_IMAGES"):
        cloudformation_template(design)
