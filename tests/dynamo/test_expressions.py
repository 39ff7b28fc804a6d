"""The expression DSL without I/O: typed paths, the exact strings and placeholder maps each
operator and action renders to, precedence, placeholder reuse and the errors."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from modelkit.dynamo.expressions import (
    Builder,
    Condition,
    Path,
    all_of,
    any_of,
    check_key_condition,
    fields,
    if_not_exists,
    key_condition,
    list_append,
    render,
)
from modelkit.errors import ValidationError
from modelkit.keys import KeyCondition
from modelkit.schema import EntityDesign, FieldDesign
from modelkit.schema._examples import to_attribute_value


class Address(msgspec.Struct):
    city: str
    zip_code: str = msgspec.field(name="zip")
    lines: list[str] = []


class Order(msgspec.Struct, rename="camel", kw_only=True):
    order_id: str
    status: str
    total: int
    address: Address | None = None
    tags: list[str] = []
    meta: dict[str, int] = {}
    labels: set[str] = set()
    pair: tuple[int, str] = (0, "")
    history: list[Address] = []
    extra: Any = None


f = fields(Order)


def cond(c: Condition) -> tuple[str, dict[str, str], dict[str, Any]]:
    parts = render(to_attribute_value, condition=c)
    return (
        parts["ConditionExpression"],
        parts.get("ExpressionAttributeNames", {}),
        parts.get("ExpressionAttributeValues", {}),
    )


def text(c: Condition) -> str:
    return cond(c)[0]


def update(*actions: Any) -> tuple[str, dict[str, str], dict[str, Any]]:
    parts = render(to_attribute_value, update=actions)
    return (
        parts["UpdateExpression"],
        parts["ExpressionAttributeNames"],
        parts.get("ExpressionAttributeValues", {}),
    )


# -- typed paths -------------------------------------------------------------------------------


def test_fields_use_stored_names_and_walk_nested_types() -> None:
    assert f.order_id.segments == ("orderId",)
    assert f.address.zip_code.segments == ("address", "zip")
    assert f.address.lines[2].segments == ("address", "lines", 2)
    assert f.meta["k"].segments == ("meta", "k")
    assert f.tags[0].segments == ("tags", 0)
    assert f.history[1].city.segments == ("history", 1, "city")
    assert f.pair[1].segments == ("pair", 1)
    assert f.extra["anything"][3].segments == ("extra", "anything", 3)
    assert f["order_id"].segments == ("orderId",)
    assert f.address["city"].segments == ("address", "city")
    assert [p.segments[0] for p in f][:3] == ["orderId", "status", "total"]
    assert "order_id" in dir(f)
    assert "order_id" in f
    assert "orderId" not in f


class Shirt(msgspec.Struct):
    size: str


class Line(msgspec.Struct):
    shirt: Shirt


def test_a_nested_field_named_like_a_method_is_reached_by_index() -> None:
    assert fields(Line).shirt["size"].segments == ("shirt", "size")
    assert text(fields(Line).shirt["size"] == "L") == "#n0.#n1 = :v0"


def test_unknown_field_names_the_known_ones() -> None:
    with pytest.raises(AttributeError, match="Order has no field 'stauts'; its fields: order_id"):
        _ = f.stauts
    with pytest.raises(AttributeError, match="address has no field 'town'; its fields: city, zip"):
        _ = f.address.town
    with pytest.raises(KeyError, match="no field 'nope'"):
        _ = f["nope"]
    with pytest.raises(KeyError, match="address has no field 'town'"):
        _ = f.address["town"]


def test_paths_refuse_steps_their_type_cannot_take() -> None:
    with pytest.raises(TypeError, match="labels is a set"):
        _ = f.labels[0]
    with pytest.raises(TypeError, match=r"tags \(list\) cannot be indexed by 'x'"):
        _ = f.tags["x"]
    with pytest.raises(AttributeError, match=r"write meta\['k'\] for a map key"):
        _ = f.meta.k
    with pytest.raises(IndexError, match="pair holds 2 items"):
        _ = f.pair[2]
    with pytest.raises(IndexError, match="count from 0"):
        _ = f.tags[-1]
    with pytest.raises(ValueError, match="cannot be empty"):
        Path("")
    with pytest.raises(AttributeError, match=r"write PK\['x'\]"):
        _ = Path("PK").x


def test_fields_of_an_entity_design() -> None:
    entity = EntityDesign(
        name="Thing",
        type_value="THING",
        fields=(FieldDesign("thing_id", "str", attribute="id"), FieldDesign("n", "int")),
        keys=(),
    )
    g = fields(entity)
    assert g.thing_id.segments == ("id",)
    assert g.n.segments == ("n",)
    with_struct = EntityDesign("Order", "ORDER", (), (), struct=Order)
    assert fields(with_struct).address.zip_code.segments == ("address", "zip")
    with pytest.raises(AttributeError, match="Thing has no field 'x'; its fields: thing_id, n"):
        _ = g.x


def test_raw_paths_take_names_literally() -> None:
    builder = Builder(to_attribute_value)
    assert builder.path(Path("a.b", "c[0]", 1).segments) == "#n0.#n1[1]"
    assert builder.names == {"#n0": "a.b", "#n1": "c[0]"}
    assert repr(Path("meta")["k"][0]) == "<Path meta.k[0]>"


# -- conditions --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (f.status == "NEW", "#n0 = :v0"),
        (f.status != "NEW", "#n0 <> :v0"),
        (f.total < 5, "#n0 < :v0"),
        (f.total <= 5, "#n0 <= :v0"),
        (f.total > 5, "#n0 > :v0"),
        (f.total >= 5, "#n0 >= :v0"),
        (5 < f.total, "#n0 > :v0"),  # noqa: SIM300 - reflected operators work too
        (f.total.between(1, 9), "#n0 BETWEEN :v0 AND :v1"),
        (f.status.is_in(["A", "B", "C"]), "#n0 IN (:v0, :v1, :v2)"),
        (f.status.begins_with("NE"), "begins_with(#n0, :v0)"),
        (f.tags.contains("red"), "contains(#n0, :v0)"),
        (f.status.exists(), "attribute_exists(#n0)"),
        (f.status.not_exists(), "attribute_not_exists(#n0)"),
        (f.tags.size() > 2, "size(#n0) > :v0"),
        (f.tags.size().between(1, 3), "size(#n0) BETWEEN :v0 AND :v1"),
        (f.tags.size().is_in([1, 2]), "size(#n0) IN (:v0, :v1)"),
    ],
)
def test_each_operator_renders_exactly(condition: Condition, expected: str) -> None:
    assert text(condition) == expected


def test_values_and_names_maps() -> None:
    expression, names, values = cond(
        (f.address.city == "Oslo") & (f.meta["k"] >= 2) & (f.history[0].city != f.address.city)
    )
    assert expression == "#n0.#n1 = :v0 AND #n2.#n3 >= :v1 AND #n4[0].#n1 <> #n0.#n1"
    assert names == {"#n0": "address", "#n1": "city", "#n2": "meta", "#n3": "k", "#n4": "history"}
    assert values == {":v0": {"S": "Oslo"}, ":v1": {"N": "2"}}


def test_is_type_sends_the_type_name_as_a_string() -> None:
    assert cond(f.tags.is_type("L")) == (
        "attribute_type(#n0, :v0)",
        {"#n0": "tags"},
        {":v0": {"S": "L"}},
    )
    with pytest.raises(ValueError, match="one of S, SS, N"):
        f.tags.is_type("LIST")  # type: ignore[arg-type]


def test_functions_without_values_send_no_value_map() -> None:
    parts = render(to_attribute_value, condition=f.status.exists() & f.total.not_exists())
    assert "ExpressionAttributeValues" not in parts
    assert parts["ExpressionAttributeNames"] == {"#n0": "status", "#n1": "total"}


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ((f.status == 1) & (f.total == 2) & (f.tags == 3), "#n0 = :v0 AND #n1 = :v1 AND #n2 = :v2"),
        ((f.status == 1) | (f.total == 2) | (f.tags == 3), "#n0 = :v0 OR #n1 = :v1 OR #n2 = :v2"),
        (
            (f.status == 1) & (f.total == 2) | (f.tags == 3),
            "(#n0 = :v0 AND #n1 = :v1) OR #n2 = :v2",
        ),
        (
            (f.status == 1) & ((f.total == 2) | (f.tags == 3)),
            "#n0 = :v0 AND (#n1 = :v1 OR #n2 = :v2)",
        ),
        (
            (f.status == 1) | (f.total == 2) & (f.tags == 3),
            "#n0 = :v0 OR (#n1 = :v1 AND #n2 = :v2)",
        ),
        (~(f.status == 1), "NOT #n0 = :v0"),
        (~(f.status == 1) & (f.total == 2), "NOT #n0 = :v0 AND #n1 = :v1"),
        (~((f.status == 1) & (f.total == 2)), "NOT (#n0 = :v0 AND #n1 = :v1)"),
        (~((f.status == 1) | (f.total == 2)), "NOT (#n0 = :v0 OR #n1 = :v1)"),
        (~~(f.status == 1), "#n0 = :v0"),
        (
            ((f.status == 1) | (f.total == 2)) & ((f.tags == 3) | ~f.meta.exists()),
            "(#n0 = :v0 OR #n1 = :v1) AND (#n2 = :v2 OR NOT attribute_exists(#n3))",
        ),
        (all_of(f.status == 1, f.total == 2), "#n0 = :v0 AND #n1 = :v1"),
        (any_of(f.status == 1), "#n0 = :v0"),
    ],
)
def test_precedence_and_parentheses(condition: Condition, expected: str) -> None:
    assert text(condition) == expected


def test_the_same_path_gets_one_placeholder() -> None:
    expression, names, _ = cond((f.total > 1) & (f.total < 9) | (f.meta["total"] == f.total))
    assert expression == "(#n0 > :v0 AND #n0 < :v1) OR #n1.#n0 = #n0"
    assert names == {"#n0": "total", "#n1": "meta"}


def test_one_builder_shares_placeholders_across_a_request() -> None:
    parts = render(
        to_attribute_value,
        key_condition=key_condition("PK", "ORDER#1", "SK", KeyCondition("begins_with", ("LINE#",))),
        filter=(f.status == "NEW") & Path("SK").exists(),
        projection=[f.status, Path("PK"), f.address.city],
    )
    assert parts == {
        "KeyConditionExpression": "#n0 = :v0 AND begins_with(#n1, :v1)",
        "FilterExpression": "#n2 = :v2 AND attribute_exists(#n1)",
        "ProjectionExpression": "#n2, #n0, #n3.#n4",
        "ExpressionAttributeNames": {
            "#n0": "PK",
            "#n1": "SK",
            "#n2": "status",
            "#n3": "address",
            "#n4": "city",
        },
        "ExpressionAttributeValues": {
            ":v0": {"S": "ORDER#1"},
            ":v1": {"S": "LINE#"},
            ":v2": {"S": "NEW"},
        },
    }


def test_builder_renders_piece_by_piece() -> None:
    b = Builder(to_attribute_value)
    assert b.condition(f.status == "A") == "#n0 = :v0"
    assert b.projection([f.status, f.total]) == "#n0, #n1"
    assert b.update([f.total.add(1)]) == "ADD #n1 :v1"
    assert b.attributes() == {
        "ExpressionAttributeNames": {"#n0": "status", "#n1": "total"},
        "ExpressionAttributeValues": {":v0": {"S": "A"}, ":v1": {"N": "1"}},
    }
    assert Builder(to_attribute_value).attributes() == {}


def test_repr_shows_the_condition_in_plain_words() -> None:
    c = (f.status == "NEW") & ~f.address.city.exists() | (f.tags.size() > 2)
    assert repr(c) == (
        "<Condition (status = 'NEW' AND NOT attribute_exists(address.city)) OR size(tags) > 2>"
    )
    assert repr(f.total.set(f.total + 1)) == "<SET total = total + 1>"


# -- condition errors --------------------------------------------------------------------------


def test_a_condition_has_no_truth_value() -> None:
    c = f.status == "NEW"
    with pytest.raises(TypeError, match=r"no truth value: combine conditions with & \(and\)"):
        bool(c)
    with pytest.raises(TypeError, match="no truth value"):
        _ = c and (f.total > 1)
    with pytest.raises(TypeError, match="no truth value"):
        _ = not c
    with pytest.raises(TypeError, match="chained comparisons"):
        _ = 1 < f.total < 5
    with pytest.raises(TypeError, match="no truth value"):
        _ = f.status in [f.total]


def test_missing_parentheses_get_a_hint() -> None:
    with pytest.raises(TypeError, match=r"parentheses .*\(f.a == 1\) & \(f.b == 2\)"):
        _ = f.status == "A" & f.total == 1
    with pytest.raises(TypeError, match="parentheses"):
        _ = (f.status == "A") & f.total
    with pytest.raises(TypeError, match="~ negates a condition"):
        _ = ~f.status
    with pytest.raises(TypeError, match="contains"):
        _ = "x" in f.tags
    with pytest.raises(TypeError, match="not iterable"):
        list(f.tags)


def test_paths_are_not_hashable() -> None:
    with pytest.raises(TypeError, match="unhashable"):
        {f.status}  # noqa: B018


def test_operator_arguments_are_checked() -> None:
    with pytest.raises(ValidationError, match="BETWEEN 9 AND 1: DynamoDB needs the lower bound"):
        f.total.between(9, 1)
    with pytest.raises(ValidationError, match="bounds of one type \\(N and S here\\)"):
        f.total.between(1, "9")
    with pytest.raises(ValidationError, match="= compares total with itself"):
        _ = f.total == f.total
    with pytest.raises(ValidationError, match=r"begins_with compares address\.city with itself"):
        f.address.city.begins_with(f.address.city)
    with pytest.raises(ValidationError, match="IN takes 1 to 100 values, not 0"):
        f.status.is_in([])
    with pytest.raises(ValidationError, match="not 101"):
        f.total.is_in(range(101))
    with pytest.raises(TypeError, match="is_in takes a list of values, not str"):
        f.status.is_in("ABC")
    with pytest.raises(TypeError, match="begins_with takes a string or bytes, not int"):
        f.status.begins_with(1)
    with pytest.raises(TypeError, match="only be the value of set"):
        _ = f.total == f.total + 1
    with pytest.raises(TypeError, match="expected a Condition"):
        Builder(to_attribute_value).condition(f.status)  # type: ignore[arg-type]
    assert text(f.status.between("a", "b")) == "#n0 BETWEEN :v0 AND :v1"
    assert text(f.total.between(f.total, 3)) == "#n0 BETWEEN #n0 AND :v0"


# -- updates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "expected", "values"),
    [
        (f.status.set("NEW"), "SET #n0 = :v0", [{"S": "NEW"}]),
        (f.status.set(None), "SET #n0 = :v0", [{"NULL": True}]),
        (f.total.set(f.total + 5), "SET #n0 = #n0 + :v0", [{"N": "5"}]),
        (f.total.set(f.total - 1), "SET #n0 = #n0 - :v0", [{"N": "1"}]),
        (f.total.set(10 - f.total), "SET #n0 = :v0 - #n0", [{"N": "10"}]),
        (f.total.set(2 + f.total), "SET #n0 = :v0 + #n0", [{"N": "2"}]),
        (f.status.set_if_not_exists("NEW"), "SET #n0 = if_not_exists(#n0, :v0)", [{"S": "NEW"}]),
        (
            f.total.set(if_not_exists(f.total, 0) + 1),
            "SET #n0 = if_not_exists(#n0, :v0) + :v1",
            [{"N": "0"}, {"N": "1"}],
        ),
        (f.tags.append(["a"]), "SET #n0 = list_append(#n0, :v0)", [{"L": [{"S": "a"}]}]),
        (f.tags.prepend(("a",)), "SET #n0 = list_append(:v0, #n0)", [{"L": [{"S": "a"}]}]),
        (
            f.tags.set(list_append(if_not_exists(f.tags, []), ["a"])),
            "SET #n0 = list_append(if_not_exists(#n0, :v0), :v1)",
            [{"L": []}, {"L": [{"S": "a"}]}],
        ),
        (f.tags[1].remove(), "REMOVE #n0[1]", []),
        (f.total.add(3), "ADD #n0 :v0", [{"N": "3"}]),
        (f.labels.add({"b", "a"}), "ADD #n0 :v0", [{"SS": ["a", "b"]}]),
        (f.labels.delete(frozenset({"a"})), "DELETE #n0 :v0", [{"SS": ["a"]}]),
    ],
)
def test_each_action_renders_exactly(action: Any, expected: str, values: list[Any]) -> None:
    expression, _, rendered = update(action)
    assert expression == expected
    assert list(rendered.values()) == values


def test_actions_group_by_clause_in_dynamodb_order() -> None:
    expression, names, values = update(
        f.labels.delete({"x"}),
        f.meta["n"].add(1),
        f.extra.remove(),
        f.status.set("A"),
        f.total.set(f.total + 1),
        f.tags[0].remove(),
    )
    assert expression == (
        "SET #n0 = :v0, #n1 = #n1 + :v1 REMOVE #n2, #n3[0] ADD #n4.#n5 :v2 DELETE #n6 :v3"
    )
    assert names == {
        "#n0": "status",
        "#n1": "total",
        "#n2": "extra",
        "#n3": "tags",
        "#n4": "meta",
        "#n5": "n",
        "#n6": "labels",
    }
    assert values == {
        ":v0": {"S": "A"},
        ":v1": {"N": "1"},
        ":v2": {"N": "1"},
        ":v3": {"SS": ["x"]},
    }


def test_a_single_action_or_path_needs_no_list() -> None:
    parts = render(to_attribute_value, update=f.extra.remove(), projection=f.status)
    assert parts == {
        "UpdateExpression": "REMOVE #n0",
        "ProjectionExpression": "#n1",
        "ExpressionAttributeNames": {"#n0": "extra", "#n1": "status"},
    }


def test_set_may_copy_one_attribute_to_another() -> None:
    assert update(f.status.set(f.address.city), f.tags.set(f.history[0].lines))[0] == (
        "SET #n0 = #n1.#n2, #n3 = #n4[0].#n5"
    )


@pytest.mark.parametrize(
    "actions",
    [
        (f.status.set("A"), f.status.remove()),
        (f.total.set(1), f.total.add(1)),
        (f.address.set(None), f.address.city.set("x")),
        (f.address.city.remove(), f.address.remove()),
        (f.tags.append(["x"]), f.tags[0].remove()),
        (f.meta["k"].add(1), f.meta.remove()),
    ],
)
def test_overlapping_actions_are_refused(actions: tuple[Any, ...]) -> None:
    with pytest.raises(ValidationError, match=r"update actions overlap: .* merge them"):
        update(*actions)


def test_sibling_paths_do_not_overlap() -> None:
    expression, _, _ = update(
        f.tags[0].remove(), f.tags[1].remove(), f.address.city.set("x"), f.address.zip_code.remove()
    )
    assert expression == "SET #n0.#n1 = :v0 REMOVE #n2[0], #n2[1], #n0.#n3"


def test_update_arguments_are_checked() -> None:
    with pytest.raises(TypeError, match="add\\(\\) takes a number or a set, not str"):
        f.status.add("x")
    with pytest.raises(TypeError, match="not bool"):
        f.total.add(True)
    with pytest.raises(TypeError, match="delete\\(\\) takes a set, not list"):
        f.tags.delete(["x"])
    with pytest.raises(ValidationError, match="empty set"):
        f.labels.delete(set())
    with pytest.raises(ValidationError, match="empty set"):
        f.labels.add(set())
    with pytest.raises(TypeError, match="one \\+ or - in a SET value"):
        f.total.set(f.total + 1 + 2)
    with pytest.raises(TypeError, match="size\\(\\) is only for conditions"):
        f.total.set(f.tags.size())
    with pytest.raises(TypeError, match="append takes a list of values, not str"):
        f.tags.append("abc")
    with pytest.raises(TypeError, match="not a value"):
        f.status.set(f.status == "x")
    with pytest.raises(ValidationError, match="at least one action"):
        Builder(to_attribute_value).update([])
    with pytest.raises(TypeError, match="expected update actions"):
        Builder(to_attribute_value).update([f.status == "x"])  # type: ignore[list-item]


# -- key conditions and projections ------------------------------------------------------------


@pytest.mark.parametrize(
    ("sort", "expected", "values"),
    [
        (None, "#n0 = :v0", ["P"]),
        (KeyCondition("eq", ("a",)), "#n0 = :v0 AND #n1 = :v1", ["P", "a"]),
        (KeyCondition("begins_with", ("a",)), "#n0 = :v0 AND begins_with(#n1, :v1)", ["P", "a"]),
        (
            KeyCondition("between", ("a", "b")),
            "#n0 = :v0 AND #n1 BETWEEN :v1 AND :v2",
            ["P", "a", "b"],
        ),
        (KeyCondition("lt", ("a",)), "#n0 = :v0 AND #n1 < :v1", ["P", "a"]),
        (KeyCondition("le", ("a",)), "#n0 = :v0 AND #n1 <= :v1", ["P", "a"]),
        (KeyCondition("gt", ("a",)), "#n0 = :v0 AND #n1 > :v1", ["P", "a"]),
        (KeyCondition("ge", ("a",)), "#n0 = :v0 AND #n1 >= :v1", ["P", "a"]),
    ],
)
def test_key_conditions_from_sort_conditions(
    sort: KeyCondition | None, expected: str, values: list[str]
) -> None:
    parts = render(to_attribute_value, key_condition=key_condition("GSI1PK", "P", "GSI1SK", sort))
    assert parts["KeyConditionExpression"] == expected
    assert [v["S"] for v in parts["ExpressionAttributeValues"].values()] == values
    assert list(parts["ExpressionAttributeNames"].values()) == ["GSI1PK", "GSI1SK"][: len(values)]


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        (Path("SK") > "a", "is `pk == value`"),
        ((Path("PK") == "a") & (Path("SK") > "a") & (Path("X") > "b"), "is `pk == value`"),
        ((Path("PK") == "a") | (Path("SK") == "b"), "is `pk == value`"),
        ((Path("PK") == "a") & (Path("SK") != "b"), "cannot be part of a key condition"),
        ((Path("PK") == "a") & Path("SK").contains("b"), "cannot be part of a key condition"),
        ((Path("PK") == "a") & (Path("SK") == Path("PK")), "cannot be part of a key condition"),
        (Path("PK")["x"] == "a", "cannot be part of a key condition"),
        ((Path("PK") == "a") & (Path("PK") > "b"), "tests PK twice"),
    ],
)
def test_bad_key_conditions_are_refused(condition: Condition, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        check_key_condition(condition)


def test_a_sort_condition_needs_the_sort_key_name() -> None:
    with pytest.raises(ValueError, match=r"sk=\.\.\."):
        key_condition("PK", "P", None, KeyCondition("eq", ("a",)))


def test_projection() -> None:
    parts = render(to_attribute_value, projection=[f.status, f.tags[0], f.address.zip_code])
    assert parts == {
        "ProjectionExpression": "#n0, #n1[0], #n2.#n3",
        "ExpressionAttributeNames": {
            "#n0": "status",
            "#n1": "tags",
            "#n2": "address",
            "#n3": "zip",
        },
    }
    with pytest.raises(ValidationError, match="at least one path"):
        Builder(to_attribute_value).projection([])
