"""Every workload error names the file and the right line, in TOML, YAML and JSON."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modelkit.analyze._locate import locate
from modelkit.analyze._workload_file import parse_workload
from modelkit.errors import WorkloadError
from modelkit.schema import TableDesign, load_design

ROOT = Path(__file__).resolve().parents[2]
P = '[patterns."customer by id"]\nrate = 1\n'  # two lines, then the case's own
Q = '[patterns."orders to ship before a time"]\nrate = 1\n'  # a GSI pattern

# (case id, TOML text, line, words the message holds)
CASES = [
    ("pattern-typo", '# c\n\n[patterns."customer by idd"]\nrate = 1\n', 3,
     "no pattern 'customer by idd' (did you mean 'customer by id'?)"),
    ("pattern-bare", "[patterns.nope]\nrate = 1\n", 1, "it has 'customer by id', 'customer by"),
    ("pattern-second", P + "[patterns.nope]\nrate = 1\n", 3, "no pattern 'nope'"),
    ("entity", "[entities.Orders]\nitems = 1\n", 1, "no entity 'Orders' (did you mean 'Order'?)"),
    ("key-not-field", P + 'keys.emaill = "zipf(10)"\n', 3, "has no field 'emaill' (did you mean"),
    ("index-changes", P + 'index_changes = { GSI3 = "enters" }\n', 3,
     "no secondary index 'GSI3' (did you mean 'GSI2'?)"),
    ("indexed", "[entities.Order]\nitems = 1\nindexed.GSI9 = 0.5\n", 3,
     "no secondary index 'GSI9'"),
    ("indexed-no-key", "[entities.Customer]\nitems = 1\nindexed = { GSI2 = 0.5 }\n", 3,
     "entity Customer has no key in GSI2"),
    ("table-indexes", "[table]\n[table.indexes.GSI7]\nreads = 1\n", 2,
     "the table has no GSI 'GSI7'"),
    ("rate-negative", P.replace("rate = 1", "\nrate = -5"), 3, "the rate is negative (-5)"),
    ("rate-zero", P.replace("rate = 1", "rate = 0"), 2, "the rate is 0"),
    ("profile-length", P + "profile = [1, 0.5]\n", 3, "needs 24 hourly values"),
    ("profile-value", P + "profile = [\n" + "  1,\n" * 5 + "  1.5,\n" + "  1,\n" * 18 + "]\n",
     9, "hour 5: 1.5 is not between 0 and 1"),
    ("items", P + "items = 0\n", 3, "must be at least 1, got 0"),
    ("items-count", '[patterns."place order"]\nrate = 1\nitems = { Order = 1, OrderLine = -2 }\n',
     3, "items.OrderLine: cannot be negative"),
    ("items-entity", '[patterns."place order"]\nrate = 1\nitems = { Customer = 1 }\n', 3,
     "the pattern has no entity 'Customer'"),
    ("entity-items", "[entities.Order]\n\nitems = -1\n", 3, "must be 0 or more, got -1"),
    ("item-size-zero", "[entities.Order]\nitems = 1\nitem_size = 0\n", 3, "at most 400 KB"),
    ("item-size-big", "[entities.Order]\nitems = 1\nitem_size = 409_601\n", 3, "at most 400 KB"),
    ("indexed-fraction", "[entities.Order]\nitems = 1\nindexed = { GSI2 = 1.5 }\n", 3,
     "between 0 and 1; got 1.5"),
    ("dist-n", P + 'keys = { customer_id = "zipf(0)" }\n', 3, "must be at least 1, got 0"),
    ("dist-s", P + "[patterns.'customer by id'.keys]\n"
     "customer_id = { dist = 'zipf', n = 9, s = 0 }\n", 4, "s must be greater than 0"),
    ("dist-hot-fraction", P + 'keys.customer_id = "hotspot(100, 1, 0.5)"\n', 3, "hot_fraction"),
    ("dist-hot-share", P + 'keys.customer_id = "hotspot(100, 0.1, 0)"\n', 3, "hot_share"),
    ("dist-weights", P + 'keys.customer_id = "weighted(a=-1, b=1)"\n', 3,
     "weights must be 0 or more"),
    ("dist-weights-zero", P + 'keys.customer_id = { dist = "weighted", values = { a = 0 } }\n', 3,
     "all zero"),
    ("dist-file", P + 'keys.customer_id = "file(nope.txt)"\n', 3,
     "values file 'nope.txt' not found"),
    ("dist-syntax", P + 'keys.customer_id = "zipf(1e6"\n', 3, "accepted forms: uniform(N)"),
    ("strong-on-gsi", Q + 'consistency = "strong"\n', 3,
     "is 'strong', but the pattern reads GSI GSI2, and GSIs serve only eventually consistent"),
    ("transactional-on-gsi", Q + 'consistency = "transactional"\n', 3, "is 'transactional'"),
    ("key-type", P + "keys.customer_id = 5\n", 3, 'expected a distribution such as "zipf(1e6)"'),
    ("no-parameters", P + 'keys.customer_id = { dist = "unique", n = 3 }\n', 3,
     "unknown field 'n' (it takes none)"),
    ("sets-not-update", P + 'sets = ["name"]\n', 3,
     "is only for update patterns; this one is a get"),
    ("sets-field", '[patterns."update order status"]\nrate = 1\nsets = ["status", "stat"]\n', 3,
     "has no field 'stat'"),
    ("provisioned", '[table]\n\nbilling = "provisioned"\nwcu = 10\n', 3, "needs rcu and wcu"),
    ("previous-peak", "[table]\nprevious_peak = { reads = -1, writes = 0 }\n", 2,
     "previous_peak.reads: cannot be negative"),
    ("trace", '[trace]\n\npath = "nope.jsonl"\n', 3, "trace file 'nope.jsonl' not found"),
    ("type", P + '[patterns."order by id"]\nrate = "fast"\n', 4,
     "\"order by id\".rate: expected a number, got a string ('fast')"),
    ("unknown-field", P + "[patterns.\"order by id\"]\nrate = 1\n\nrat = 1\n", 6,
     "unknown field 'rat' (did you mean 'rate'?)"),
    ("missing-rate", P + '[patterns."order by id"]\nitems = 1\n', 3, "needs rate"),
    ("enum", P + 'consistency = "strongg"\n', 3,
     "'strongg' is not allowed (did you mean 'strong'?)"),
    ("dist-name", P + '[patterns."customer by id".keys.customer_id]\ndist = "zipff"\nn = 1\n', 4,
     "unknown distribution 'zipff' (did you mean 'zipf'?)"),
    ("dist-missing", P + "keys = { customer_id = { n = 3 } }\n", 3, "needs dist = one of uniform"),
    ("items-type", '[patterns."place order"]\nrate = 1\n'
     'items = { Order = 1, OrderLine = 1.5 }\n', 3,
     "items.OrderLine: expected a whole number, got a fraction (1.5)"),
    ("section", "[patternz]\n", 1, "unknown field 'patternz' (did you mean 'patterns'?)"),
    ("source", 'source = "x"\n', 1, "is set by modelkit"),
    ("toml-syntax", P + "items = \n", 3, "TOML syntax: Invalid value"),
    ("toml-duplicate", P + "rate = 2\n", 3, "TOML syntax: Cannot overwrite a value"),
]  # fmt: skip


@pytest.fixture(scope="module")
def shop() -> TableDesign:
    return load_design(str(ROOT / "schemas/ecommerce.py"))


def _error(text: str, fmt: str, design: TableDesign, tmp: Path | None = None) -> WorkloadError:
    source = str((tmp or Path("/nonexistent")) / f"w.{fmt}")
    with pytest.raises(WorkloadError) as caught:
        parse_workload(text, fmt=fmt, design=design, source=source)
    assert caught.value.path == source
    return caught.value


@pytest.mark.parametrize(
    ("text", "line", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_toml_error_line(text: str, line: int, words: str, shop: TableDesign) -> None:
    error = _error(text, "toml", shop)
    assert error.line == line, error
    assert words in error.message, error
    assert str(error).startswith(f"{error.path}:{line}: ")


def test_provisioned_capacity_may_come_from_the_schema() -> None:
    design = load_design(str(ROOT / "schemas/sessions.py"))
    text = (
        '[table]\nbilling = "provisioned"\n[patterns."failed logins of a user since"]\nrate = 1\n'
    )
    parse_workload(text + 'consistency = "strong"\n', fmt="toml", design=design)  # an LSI: fine


YAML = """\
patterns:
  customer by id:
    rate: 1
  order by id:
    rate: 1
    keys:
      order_id: zipf(1e6)
{case}
"""
JSON = """\
{{
  "patterns": {{
    "customer by id": {{"rate": 1}},
    "order by id": {{
      "rate": 1,
      "keys": {{"order_id": "zipf(1e6)"}}{case}
    }}
  }}
}}
"""


@pytest.mark.parametrize(
    ("yaml_case", "json_case", "words"),
    [
        ("  nope:\n    rate: 1", '}, "nope": {"rate": 1', "no pattern 'nope'"),
        ("    items: 0", ', "items": 0', "must be at least 1"),
        ("    rate2: 1", ', "rate2": 1', "unknown field 'rate2'"),
        ("    items: x", ', "items": "x"', "expected a whole number or"),
        ("    sets: [status]", ', "sets": ["status"]', "is only for update patterns"),
    ],
)
def test_yaml_and_json_error_lines(
    yaml_case: str, json_case: str, words: str, shop: TableDesign
) -> None:
    error = _error(YAML.format(case=yaml_case), "yaml", shop)
    assert (error.line, words in error.message) == (8, True), error
    error = _error(JSON.format(case="\n      " + json_case), "json", shop)
    assert (error.line, words in error.message) == (7, True), error


def test_yaml_and_json_syntax_lines(shop: TableDesign) -> None:
    error = _error("patterns:\n  a: 1\n b: [\n", "yaml", shop)
    assert error.line == 3 and error.message.startswith("YAML syntax:")
    error = _error('{\n  "patterns": {\n    "a": ,\n  }\n}', "json", shop)
    assert error.line == 3 and error.message.startswith("JSON syntax:")


def test_a_distribution_in_the_second_pattern(shop: TableDesign) -> None:
    text = textwrap.dedent("""\
        patterns:
          customer by id: {rate: 1, keys: {customer_id: zipf(10)}}
          order by id:
            rate: 1
            keys:
              order_id: {dist: zipf, n: many}
        """)
    error = _error(text, "yaml", shop)
    assert error.line == 6
    assert 'patterns."order by id".keys.order_id.n: expected a number' in error.message


def test_locate_toml_shapes() -> None:
    text = textwrap.dedent("""\
        title = "a # not a comment"    # 1
        [patterns.plain]               # 2
        rate = 1                       # 3
        [patterns."with space"]        # 4
        keys.customer_id = "zipf(1)"   # 5
        profile = [                    # 6
          0.5, # a comment             # 7
          1,                           # 8
        ]
        x = { a = { b = 1 } }          # 10
        s = '''
        multi
        '''
        [[arr]]                        # 14
        [[arr]]                        # 15
        y = 1                          # 16
        """)
    assert locate(text, "toml", ["patterns", "plain"]) == 2
    assert locate(text, "toml", ["patterns", "plain", "rate"]) == 3
    assert locate(text, "toml", ["patterns", "with space", "keys", "customer_id"]) == 5
    assert locate(text, "toml", ["patterns", "with space", "keys"]) == 5
    assert locate(text, "toml", ["patterns", "with space", "profile", 1]) == 8
    assert locate(text, "toml", ["patterns", "with space", "x", "a", "b"]) == 10
    assert locate(text, "toml", ["arr", 1, "y"]) == 16
    assert locate(text, "toml", ["patterns", "plain", "missing"]) == 2
    assert locate(text, "toml", ["nothing"]) is None


def test_locate_json_keys_in_order() -> None:
    text = '{"a": {"b": 1},\n "c": {"a": {"b": [1,\n 2]}},\n "q\\"k": 3}'
    assert locate(text, "json", ["c", "a", "b"]) == 2
    assert locate(text, "json", ["c", "a", "b", 1]) == 3
    assert locate(text, "json", ['q"k']) == 4


_NAMES = st.sampled_from(
    ["patterns", "entities", "table", "cache", "trace", "customer by id", "place order",
     "Order", "rate", "keys", "items", "profile", "customer_id", "dist", "n", "s", "values",
     "indexed", "GSI2", "billing", "previous_peak", "reads", "sets", "path", "x"]
)  # fmt: skip
_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 10**7), st.floats(allow_nan=False, width=32),
    st.sampled_from(["zipf(1e6)", "uniform(0)", "eventual", "strong", "zipf", "provisioned"]),
)  # fmt: skip
_DATA = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_NAMES, inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.dictionaries(_NAMES, _DATA, max_size=4), fmt=st.sampled_from(["json", "yaml"]))
def test_any_document_loads_or_raises_a_workload_error(
    data: dict[str, object], fmt: str, shop: TableDesign
) -> None:
    text = json.dumps(data, indent=1) if fmt == "json" else yaml.safe_dump(data)
    try:
        parse_workload(text, fmt=fmt, design=shop, source=f"/nonexistent/w.{fmt}")
    except WorkloadError as exc:
        assert exc.path == f"/nonexistent/w.{fmt}"
        assert exc.line is None or 1 <= exc.line <= text.count("\n") + 1
