"""bench/audit/run.py's own arithmetic and parsing: the CPU slowdown it picks from the host's benchmark
index, and the addresses it checks a page loads."""

import pytest

from bench.audit.run import Resources, cpu_slowdown


@pytest.mark.parametrize(
    ("benchmark_index", "slowdown"),
    [(100, 1), (150, 1), (800, 2), (1300, 3), (1533, 4), (2500, 4)],
)
def test_the_cpu_slowdown_follows_lighthouses_calibration_bands_and_never_exceeds_the_presets_4x(
    benchmark_index, slowdown
):
    assert cpu_slowdown(benchmark_index) == slowdown


def test_a_slower_host_gets_a_smaller_slowdown():
    assert cpu_slowdown(560) < cpu_slowdown(1000) < cpu_slowdown(1400) < 4


def test_the_addresses_a_page_loads_are_its_scripts_stylesheets_preloads_icons_and_every_picture_candidate():
    parser = Resources()
    parser.feed(
        '<link rel="stylesheet" href="/static/site.css"><link rel="canonical" href="/page/">'
        '<link rel="preload" href="/static/face.woff2" as="font" type="font/woff2" crossorigin>'
        '<link rel="icon" href="/static/icon.svg"><script src="/static/app.js" defer></script>'
        '<picture><source srcset="/media/a-480w.webp 480w, /media/a-800w.webp 800w" type="image/webp">'
        '<img src="/media/a.jpg" srcset="/media/a-480w.jpg 480w" alt=""></picture><a href="/elsewhere/">x</a>'
    )
    assert parser.found == {
        "/static/site.css",
        "/static/face.woff2",
        "/static/icon.svg",
        "/static/app.js",
        "/media/a-480w.webp",
        "/media/a-800w.webp",
        "/media/a.jpg",
        "/media/a-480w.jpg",
    }
