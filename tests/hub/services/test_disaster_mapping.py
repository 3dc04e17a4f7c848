"""``flat_figures`` builds each indicator's flat name once (``disaster_mapping._NAMES``): the same items, in the same
order, as the plain walk that built every name per figure, with the name cache warm, cold, or full."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from hub.services import disaster_mapping as m


def reference(indicators: dict) -> dict:
    out: dict = {}

    def walk(prefix: str, node: dict) -> None:
        for key, value in node.items():
            path = f"{prefix}.{key}" if prefix else key
            if isinstance(value, dict):
                walk(path, value)
            else:
                out[m.RENAME.get(path, path)] = Decimal(value) if isinstance(value, str) else int(value)

    walk("", indicators or {})
    return out


KEYS = st.sampled_from(["people", "affected", "deaths", "housing", "collapsed", "rooms", "losses", "total", "x.y"])
LEAF = st.one_of(st.integers(0, 10**12), st.decimals(0, 10**6, places=2).map(str))
TREES = st.recursive(
    st.dictionaries(KEYS, LEAF, max_size=4), lambda kids: st.dictionaries(KEYS, kids, max_size=4), max_leaves=30
)


@settings(max_examples=200, deadline=None)
@given(tree=TREES)
def test_flat_figures_equals_the_plain_walk(tree) -> None:  # noqa: ANN001
    expected = list(reference(tree).items())
    assert list(m.flat_figures(tree).items()) == expected  # cold or warm
    assert list(m.flat_figures(tree).items()) == expected  # warm


def test_a_full_name_cache_still_names_every_figure(monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(m, "_NAMES", {})
    monkeypatch.setattr(m, "_NAMES_MAX", 1)
    tree = {"people": {"affected": 5, "injured_severe": 1}, "losses": {"total": "1.50", "other": "2"}, "z": 3}
    expected = [
        ("affected_population", 5),
        ("seriously_injured", 1),
        ("direct_economic_loss_wan_yuan", Decimal("1.50")),
        ("losses.other", Decimal("2")),
        ("z", 3),
    ]
    assert list(m.flat_figures(tree).items()) == list(reference(tree).items()) == expected
    assert list(m.flat_figures(tree).items()) == expected
    assert m._NAMES == {"": {"people": ("people", "people")}}  # one parent of one key kept


def test_ints_stay_the_same_objects_and_bools_become_ints() -> None:
    big = 10**15 + 7
    out = m.flat_figures({"a": big, "b": True, "c": {"d": "0.10"}})
    assert out["a"] is big and out["b"] == 1 and type(out["b"]) is int and out["c.d"] == Decimal("0.10")
