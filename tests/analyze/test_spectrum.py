"""Spectra: loads per key value without materialising the values (REFERENCE.md, "Skew
models"), joint spectra of two fields and the comonotone sum of weighted spectra."""

from __future__ import annotations

import math
from itertools import accumulate, pairwise
from pathlib import Path

import pytest

from modelkit.analyze._distributions import (
    Constant,
    Distribution,
    Hotspot,
    Latest,
    Sample,
    Sequential,
    Uniform,
    Unique,
    Weighted,
    Zipf,
)
from modelkit.analyze._spectrum import (
    Bin,
    LoadBin,
    Spectrum,
    merge_by_rank,
    product,
    spectrum,
)
from modelkit.analyze._zipf import harmonic, zipf_share
from modelkit.errors import LoadError


def mass(spec: Spectrum) -> float:
    return math.fsum(b.count * b.p for b in spec.bins)


def is_sorted(spec: Spectrum) -> bool:
    return all(x.p >= y.p * (1 - 1e-12) for x, y in pairwise(spec.bins))


def ranges(spec: Spectrum) -> list[tuple[int, int, Bin]]:
    """Each bin's first and last rank (1-based)."""
    ends = [round(e) for e in accumulate(b.count for b in spec.bins)]
    return [(end - round(b.count) + 1, end, b) for end, b in zip(ends, spec.bins, strict=True)]


ALL = [
    Uniform(1e9),
    Uniform(7),
    Zipf(1e9),
    Zipf(1e6, 0.5),
    Zipf(1234, 2.0),
    Hotspot(1e9),
    Hotspot(10, 0.5, 0.1),
    Latest(1e8),
    Sequential(365),
    Constant("X"),
    Weighted({"PLACED": 5, "PAID": 3, "SHIPPED": 2}),
    Unique(),
]


@pytest.mark.parametrize("dist", ALL, ids=repr)
def test_mass_is_exact_and_bins_sorted(dist: Distribution) -> None:
    spec = spectrum(dist)
    assert mass(spec) == pytest.approx(1.0, abs=1e-9)
    assert is_sorted(spec)


def test_reference_zipf_top_key_share() -> None:
    # REFERENCE.md: Zipf(0.99) over 10^6 keys puts 6.5% of all requests on the top key.
    spec = spectrum(Zipf(1e6))
    assert round(spec.top, 3) == 0.065
    assert spec.top == pytest.approx(zipf_share(1, 10**6, 0.99), rel=1e-12)
    assert spec.bins[0] == Bin(1, spec.top, ("#1",))


def test_zipf_over_a_billion_values_is_a_few_thousand_bins() -> None:
    spec = spectrum(Zipf(1e9))
    assert len(spec.bins) < 3000
    assert spec.values == 10**9
    assert [b.label for b in spec.bins[:1000]] == [(f"#{r}",) for r in range(1, 1001)]
    assert all(b.count == 1 for b in spec.bins[:1000])
    assert all(b.label is None for b in spec.bins[1000:])
    for first, last, _ in ranges(spec)[1000:]:
        assert (last / first) ** 0.99 <= 1.02
    assert spec.bins[4].p == pytest.approx(5**-0.99 / harmonic(10**9, 0.99), rel=1e-12)
    assert not spec.time_ordered


def test_zipf_tail_bins_carry_the_exact_share_of_their_ranks() -> None:
    n, s = 100_000, 0.8
    spec = spectrum(Zipf(n, s), head=100, ratio=1.05)
    total = math.fsum(k**-s for k in range(1, n + 1))
    assert len(spec.bins) < 400
    for first, last, b in ranges(spec):
        exact = math.fsum(k**-s for k in range(first, last + 1)) / total
        assert b.count * b.p == pytest.approx(exact, rel=1e-9)
        assert (last / first) ** s <= 1.05


def test_zipf_without_head_and_float_n() -> None:
    spec = spectrum(Zipf(1000.7, 1.0), head=0)
    assert spec.values == 1000
    assert all(b.label is None for b in spec.bins)
    assert spec.top == pytest.approx(1 / harmonic(1000, 1.0), rel=1e-12)


def test_uniform_is_head_plus_one_tail_bin() -> None:
    spec = spectrum(Uniform(1e9))
    assert len(spec.bins) == 1001
    assert spec.bins[999] == Bin(1, 1e-9, ("#1000",))
    assert spec.bins[1000] == Bin(10**9 - 1000, 1e-9)
    assert spectrum(Uniform(3)).bins == (
        Bin(1, 1 / 3, ("#1",)),
        Bin(1, 1 / 3, ("#2",)),
        Bin(1, 1 / 3, ("#3",)),
    )
    assert spectrum(Uniform(10), head=0).bins == (Bin(10, 0.1),)


def test_hotspot_twenty_percent_of_keys_take_eighty_percent() -> None:
    assert spectrum(Hotspot(1000), head=0).bins == (
        Bin(200, 0.8 / 200),
        Bin(800, pytest.approx(0.2 / 800)),
    )
    spec = spectrum(Hotspot(1e9))
    assert len(spec.bins) == 1002
    assert spec.bins[0] == Bin(1, 0.8 / 2e8, ("#1",))
    assert spec.bins[1000] == Bin(2e8 - 1000, 0.8 / 2e8)
    assert spec.bins[1001] == Bin(8e8, pytest.approx(0.2 / 8e8))
    hot = sum(b.count * b.p for b in spec.bins if b.p == pytest.approx(0.8 / 2e8))
    assert hot == pytest.approx(0.8)


def test_hotspot_colder_than_the_rest_ranks_the_rest_first() -> None:
    # Half the keys take a tenth: the other half is the hot one.
    spec = spectrum(Hotspot(10, 0.5, 0.1), head=2)
    assert spec.bins == (Bin(1, 0.18, ("#1",)), Bin(1, 0.18, ("#2",)), Bin(3, 0.18), Bin(5, 0.02))


def test_hotspot_of_every_key_is_uniform() -> None:
    assert spectrum(Hotspot(4, 1.0, 0.5), head=0).bins == (Bin(4, 0.25),)


def test_weighted_labels_by_name_heaviest_first() -> None:
    spec = spectrum(Weighted({"SHIPPED": 2, "PLACED": 5, "PAID": 3}))
    assert spec.bins == (
        Bin(1, 0.5, ("PLACED",)),
        Bin(1, 0.3, ("PAID",)),
        Bin(1, 0.2, ("SHIPPED",)),
    )


def test_weighted_tail_groups_values_within_ratio() -> None:
    values = {f"v{i}": 100.0 - i * 0.5 for i in range(100)} | {"zero": 0.0}
    spec = spectrum(Weighted(values), head=10, ratio=1.1)
    assert [b.label for b in spec.bins[:10]] == [(f"v{i}",) for i in range(10)]
    assert spec.values == 101
    assert mass(spec) == pytest.approx(1.0, abs=1e-12)
    assert spec.bins[-1] == Bin(1, 0.0)
    weights = sorted(values.values(), reverse=True)
    for first, last, _ in ranges(spec)[10:-1]:
        assert weights[first - 1] <= weights[last - 1] * 1.1


def test_one_value_distributions() -> None:
    assert spectrum(Constant("ACTIVE")) == Spectrum((Bin(1, 1.0, ("ACTIVE",)),))
    assert spectrum(Constant()).bins == (Bin(1, 1.0, ("*",)),)
    assert spectrum(Sequential(365)) == Spectrum((Bin(1, 1.0, ("now",)),), time_ordered=True)
    unique = spectrum(Unique())
    assert unique.bins == (Bin(1e15, 1e-15),)
    assert unique.top == 1e-15


def test_latest_is_zipf_over_recency_and_time_ordered() -> None:
    latest, zipf = spectrum(Latest(1e6, 0.9)), spectrum(Zipf(1e6, 0.9))
    assert latest.time_ordered
    assert latest.bins == zipf.bins


def test_sample_file(tmp_path: Path) -> None:
    (tmp_path / "tenants.txt").write_text(
        "# tenants seen in a day of logs\nacme,5\n\nglobex\ninitech, 2.5\nacme,1\n  globex  \n"
    )
    spec = spectrum(Sample("tenants.txt"), base=tmp_path)
    assert spec.bins == (
        Bin(1, 6 / 10.5, ("acme",)),
        Bin(1, 2.5 / 10.5, ("initech",)),
        Bin(1, 2 / 10.5, ("globex",)),
    )
    assert spectrum(Sample(str(tmp_path / "tenants.txt"))) == spec


@pytest.mark.parametrize(
    "text, message",
    [
        ("a\nb,x\n", ":2: weight 'x' is not a number"),
        ("a\n#c\nb,-1\n", ":3: weight must be >= 0, got -1"),
        ("a\n,3\n", ":2: empty value"),
        ("# nothing\n\n", ": no value with a positive weight"),
        ("a,0\n", ": no value with a positive weight"),
    ],
)
def test_sample_file_errors_name_the_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "keys.csv"
    path.write_text(text)
    with pytest.raises(LoadError) as info:
        spectrum(Sample("keys.csv"), base=tmp_path)
    assert str(info.value) == f"{path}{message}"


def test_missing_sample_file_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match=r"nope\.txt: sample file not found"):
        spectrum(Sample("nope.txt"), base=tmp_path)


@pytest.mark.parametrize(
    "dist, message",
    [
        (Zipf(1e6, -1), "zipf: s must be > 0, got -1"),
        (Latest(1e6, 0), "latest: s must be > 0, got 0"),
        (Zipf(0), "zipf: n must be >= 1, got 0"),
        (Uniform(0), "uniform: n must be >= 1, got 0"),
        (Uniform(math.inf), "uniform: n must be >= 1, got inf"),
        (Uniform(math.nan), "uniform: n must be >= 1, got nan"),
        (Sequential(0), "sequential: n must be >= 1, got 0"),
        (Hotspot(100, 1.5), "hotspot: hot_fraction must be between 0 and 1 (above 0), got 1.5"),
        (Hotspot(100, 0.0), "hotspot: hot_fraction must be between 0 and 1 (above 0), got 0"),
        (Hotspot(100, 0.2, -0.1), "hotspot: hot_share must be between 0 and 1, got -0.1"),
        (Weighted({"a": -1, "b": 2}), "weighted: weights must be >= 0 with a positive sum"),
        (Weighted({"a": 0}), "weighted: weights must be >= 0 with a positive sum"),
        (Weighted({}), "weighted: weights must be >= 0 with a positive sum"),
        (Weighted({"a": math.inf}), "weighted: weights must be >= 0 with a positive sum"),
    ],
)
def test_invalid_parameters(dist: Distribution, message: str) -> None:
    with pytest.raises(ValueError) as info:
        spectrum(dist)
    assert str(info.value) == message


def test_invalid_resolution() -> None:
    with pytest.raises(ValueError, match=r"spectrum: ratio must be > 1, got 1$"):
        spectrum(Uniform(10), ratio=1.0)
    with pytest.raises(ValueError, match=r"spectrum: head must be >= 0, got -1$"):
        spectrum(Uniform(10), head=-1)


# -- product ---------------------------------------------------------------------------------


def test_product_of_two_uniforms() -> None:
    joint = product(spectrum(Uniform(10)), spectrum(Uniform(100)), head=50)
    assert len(joint.bins) == 51
    assert [b.label for b in joint.bins[:50]] == [("#1", f"#{j}") for j in range(1, 51)]
    assert all(b.count == 1 and b.p == pytest.approx(1e-3) for b in joint.bins[:50])
    assert joint.bins[50] == Bin(950, pytest.approx(1e-3))
    assert mass(joint) == pytest.approx(1.0, abs=1e-12)
    full = product(spectrum(Uniform(10)), spectrum(Uniform(100)))
    assert len({b.label for b in full.bins}) == 1000
    assert all(b.count == 1 for b in full.bins)


def test_product_of_huge_uniforms_keeps_the_head_and_one_tail_bin() -> None:
    joint = product(spectrum(Uniform(1e9)), spectrum(Uniform(1e9)))
    assert len(joint.bins) == 1001
    assert joint.values == pytest.approx(1e18)
    assert joint.bins[-1].p == pytest.approx(1e-18)
    assert mass(joint) == pytest.approx(1.0, abs=1e-9)


def test_product_with_a_constant_relabels_the_other_field() -> None:
    zipf = spectrum(Zipf(1e6))
    joint = product(spectrum(Constant("T1")), zipf)
    assert joint.top == pytest.approx(zipf.top)
    assert [b.label for b in joint.bins[:3]] == [("T1", "#1"), ("T1", "#2"), ("T1", "#3")]
    assert joint.values == 10**6


def test_product_head_is_the_hottest_pairs_and_tail_follows_the_true_masses() -> None:
    # Every value of the 100 hottest pairs is in the inputs' labelled heads.
    a, b = spectrum(Zipf(300, 1.1), head=100), spectrum(Zipf(200, 0.7), head=100)
    joint = product(a, b, head=100, ratio=1.05)
    pa = [x.p for x in a.bins for _ in range(round(x.count))]
    pb = [x.p for x in b.bins for _ in range(round(x.count))]
    pairs = sorted((x * y for x in pa for y in pb), reverse=True)
    assert [x.p for x in joint.bins[:100]] == pytest.approx(pairs[:100], rel=1e-9)
    assert all(x.label is not None and len(x.label) == 2 for x in joint.bins[:100])
    assert joint.values == 60_000
    assert mass(joint) == pytest.approx(1.0, abs=1e-12)
    assert is_sorted(joint)
    # Mass on values above a threshold agrees with the true pairs up to the bins' spread.
    spread = 1.05**3
    for t in [pairs[150], pairs[1000], pairs[10_000], pairs[40_000]]:
        true = math.fsum(p for p in pairs if p >= t)
        assert sum(x.count * x.p for x in joint.bins if x.p >= t * spread) <= true + 1e-12
        assert sum(x.count * x.p for x in joint.bins if x.p >= t / spread) >= true - 1e-12


def test_product_of_two_big_zipfs_stays_small() -> None:
    joint = product(spectrum(Zipf(1e4)), spectrum(Latest(1e6)))
    assert joint.time_ordered
    assert len(joint.bins) < 3000
    assert joint.values == 10**10
    assert joint.top == pytest.approx(zipf_share(1, 10**4, 0.99) * zipf_share(1, 10**6, 0.99))
    assert sum(1 for x in joint.bins if x.label is not None) == 1000
    assert mass(joint) == pytest.approx(1.0, abs=1e-9)


def test_product_counts_values_never_requested() -> None:
    hot = spectrum(Weighted({"on": 1.0, "off": 0.0}))
    joint = product(hot, spectrum(Uniform(4)), head=2)
    assert joint.bins == (
        Bin(1, 0.25, ("on", "#1")),
        Bin(1, 0.25, ("on", "#2")),
        Bin(2, 0.25),
        Bin(4, 0.0),
    )
    labelled = product(hot, spectrum(Uniform(4)), head=10)
    assert [x.label for x in labelled.bins] == [("on", f"#{r}") for r in range(1, 5)] + [None]
    assert labelled.bins[-1] == Bin(4, 0.0)


# -- merge_by_rank ---------------------------------------------------------------------------


def test_merge_by_rank_hand_computed() -> None:
    a = Spectrum((Bin(1, 0.5, ("#1",)), Bin(2, 0.25)))
    b = Spectrum((Bin(1, 0.4, ("x",)), Bin(4, 0.15)))
    merged = merge_by_rank([(a, (10.0, 0.0)), (b, (0.0, 5.0))])
    assert merged == (
        LoadBin(1, (5.0, 2.0), ("#1",)),
        LoadBin(2, (2.5, 0.75), None),
        LoadBin(2, (0.0, 0.75), None),
    )


def test_merge_by_rank_keeps_every_unit_of_load() -> None:
    zipf, uniform = spectrum(Zipf(1e9)), spectrum(Uniform(1e6))
    merged = merge_by_rank([(zipf, (100.0, 0.0, 1.0)), (uniform, (0.0, 50.0, 1.0))])
    assert len(merged) <= len(zipf.bins) + len(uniform.bins)
    assert sum(b.count for b in merged) == 10**9
    totals = [math.fsum(b.count * b.load[d] for b in merged) for d in range(3)]
    assert totals == pytest.approx([100.0, 50.0, 2.0], rel=1e-9)
    assert merged[0] == LoadBin(1, pytest.approx((100 * zipf.top, 50e-6, zipf.top + 1e-6)), ("#1",))
    assert merged[-1].load[1] == 0.0


def test_merge_by_rank_labels_come_from_the_first_part() -> None:
    first = Spectrum((Bin(3, 1 / 3),))
    second = spectrum(Weighted({"a": 1, "b": 1, "c": 1}))
    merged = merge_by_rank([(first, (1.0,)), (second, (1.0,))])
    # Breaks at the second part's single values; no label from the first part's group.
    assert merged == tuple(LoadBin(1, (pytest.approx(2 / 3),), None) for _ in range(3))
    merged = merge_by_rank([(second, (1.0,)), (first, (1.0,))])
    assert [b.label for b in merged] == [("a",), ("b",), ("c",)]


def test_merge_by_rank_edge_cases() -> None:
    assert merge_by_rank([]) == ()
    with pytest.raises(ValueError, match="same length"):
        merge_by_rank([(spectrum(Uniform(2)), (1.0,)), (spectrum(Uniform(2)), (1.0, 2.0))])
