"""Properties of the gateway's route table: every model is routed once per name it serves, with its weight."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from inferstack.planning.gateway import route_table, rule_name
from inferstack.planning.served_names import served_names
from inferstack.spec.models import EnvironmentSpec, ModelSpec, RouteSpec

SOURCE = "hf://Qwen/Qwen2.5-7B-Instruct@a09a35458c702b33eeacc393d103063234e8bc28"
keys = st.from_regex(r"[a-z][a-z0-9]{0,6}", fullmatch=True)
names = st.sampled_from(["chat", "code", "Qwen/Qwen2.5-7B", "llama-8b"])
routes = st.one_of(st.none(), st.builds(RouteSpec, name=st.one_of(st.none(), names), weight=st.integers(0, 1000)))


def spec_of(models: dict[str, RouteSpec | None]) -> EnvironmentSpec:
    return EnvironmentSpec(
        name="t",
        cloud="kubernetes",
        models={key: ModelSpec(source=SOURCE, engine="vllm-cpu", route=route) for key, route in models.items()},
    )


@given(st.dictionaries(keys, routes, min_size=1, max_size=6))
def test_each_model_is_routed_once_per_served_name_with_its_weight(models: dict[str, RouteSpec | None]) -> None:
    spec = spec_of(models)
    table = route_table(spec)
    routed = sorted((target.key, name) for name, targets in table.items() for target in targets)
    assert routed == sorted((key, name) for key, model in spec.models.items() for name in served_names(key, model))
    for targets in table.values():
        assert [t.key for t in targets] == sorted(t.key for t in targets)  # stable order: by model key
        for target in targets:
            route = spec.models[target.key].route
            assert target.weight == (route.weight if route is not None else 100)
    assert route_table(spec_of(dict(reversed(list(models.items()))))) == table  # independent of the file's order


@given(st.text(min_size=1, max_size=128))
def test_a_rule_name_is_a_dns_label(name: str) -> None:
    label = rule_name(name)
    assert 1 <= len(label) <= 63 and label == label.lower()
    assert (
        all((ch.isascii() and ch.isalnum()) or ch == "-" for ch in label)
        and not label.startswith("-")
        and not label.endswith("-")
    )
