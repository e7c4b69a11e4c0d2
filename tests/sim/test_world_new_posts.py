"""Variants with new posts at places (add_bases) and units taken from a base
(remove_units): what the siting page's "try in a drill" builds."""

from __future__ import annotations

import pytest

from command.errors import DataError
from command.sim._tables import load_sim_tables
from command.sim.world import build_world


@pytest.fixture(scope="module")
def tables(ezhou_settings):
    return load_sim_tables(ezhou_settings.resources_dir)


def test_a_new_post_gets_its_units_and_a_base_loses_one_capability(
        ezhou_network, ezhou_dataset, ezhou_settings, tables):
    base = next(t.base_id for t in ezhou_dataset.teams if t.capability == "engine")
    today = build_world(ezhou_network, ezhou_dataset, ezhou_settings, tables)
    w = build_world(ezhou_network, ezhou_dataset, ezhou_settings, tables,
                    add_bases=[("NEW1", 30.349, 114.864)],
                    add_units=[("NEW1", "engine", 2)], remove_units=[(base, "engine")])
    assert w.post_ids == today.post_ids + ("NEW1",) and w.post_kind[-1] == "proposed"
    new = [u for u, p in zip(w.unit_ids, w.unit_post) if p == len(w.post_ids) - 1]
    assert new == ["NEW1-engine-ADD1", "NEW1-engine-ADD2"]
    at_base = today.post_ids.index(base)

    def caps(world):
        return sorted(c for c, p in zip(world.unit_capability, world.unit_post) if p == at_base)

    assert "engine" not in caps(w)
    assert caps(w) == [c for c in caps(today) if c != "engine"]
    assert w.travel().from_post.shape[0] == len(w.post_ids)
    assert w.changes["add_bases"] == [["NEW1", 30.349, 114.864]]


def test_bad_new_posts_are_named(ezhou_network, ezhou_dataset, ezhou_settings, tables):
    known = ezhou_dataset.bases[0].base_id
    with pytest.raises(DataError) as err:
        build_world(ezhou_network, ezhou_dataset, ezhou_settings, tables,
                    add_bases=[(known, 30.4, 114.9), ("N2", 95.0, 114.9)],
                    remove_units=[("nope", "engine"), (known, "dragon")])
    text = str(err.value)
    for part in ("add_bases[0].base_id", "add_bases[1].lat", "remove_units[0].base_id",
                 "remove_units[1].capability"):
        assert part in text
    with pytest.raises(DataError, match="off the road network"):
        build_world(ezhou_network, ezhou_dataset, ezhou_settings, tables,
                    add_bases=[("N3", 30.9, 115.15)], add_units=[("N3", "engine", 1)])
