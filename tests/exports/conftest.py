"""A small generated region (the benchmark's generator at a tiny size) for the workbook tests."""

from __future__ import annotations

import pytest

from bench.generator import RegionGenerator, RegionSize

SMALL = RegionSize(hospitals=6, leagues=2, banners=3, lectures=60)


@pytest.fixture
def region(db: None) -> RegionGenerator:
    generator = RegionGenerator(seed=7, size=SMALL)
    generator.run()
    return generator
