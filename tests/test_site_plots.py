"""Plots: one panel per metric, every shared metric compared, numbers as text (item 7)."""

from __future__ import annotations

import re
import subprocess
import sys

from tests import test_site_example
from tests.test_site_example import ExampleSite

example_site = test_site_example.example_site

_PLOT = re.compile(r'<img alt="(?P<alt>[^"]*)" class="governance-plot" src="(?P<src>[^"]+)"')


def _plots(site: ExampleSite, url: str) -> list[tuple[str, str]]:
    return [(m.group("alt"), m.group("src")) for m in _PLOT.finditer(site.html(url))]


def test_metric_history_has_one_panel_per_metric(example_site: ExampleSite) -> None:
    experiment = next(
        e for e in example_site.run.registry.experiments.values() if len(e.metric_history) >= 2
    )
    plots = _plots(example_site, f"governance/experiments/{experiment.id}")
    assert len(plots) == len(experiment.metric_history)
    for name, points in experiment.metric_history.items():
        alt = next(a for a, _ in plots if a.startswith(f"{name} history"))
        # The text alternative carries the numbers: every step's value.
        for step, value in points:
            assert f"{step:g} {float(value):.4g}" in alt
    srcs = {src for _, src in plots}
    assert len(srcs) == len(plots)  # separate drawings, not one shared axis


def test_comparison_plots_every_metric_the_experiments_share(example_site: ExampleSite) -> None:
    registry = example_site.run.registry
    for model_id in registry.models:
        experiments = [e for e in registry.experiments.values() if e.model == model_id]
        names = [n for e in experiments for n in e.metrics]
        shared = {n for n in names if names.count(n) >= 2}
        if not experiments:
            continue
        plots = _plots(example_site, f"governance/experiments/compare/{model_id}")
        assert {alt.split(" across ", 1)[0] for alt, _ in plots} == shared, model_id
        for alt, _ in plots:
            metric = alt.split(" across ", 1)[0]
            for experiment in experiments:
                if metric in experiment.metrics:
                    value = float(experiment.metrics[metric])
                    assert f"{experiment.id} {value:.4g}" in alt


def test_every_plot_in_the_wiki_has_its_numbers_in_its_text(example_site: ExampleSite) -> None:
    pages = sorted((example_site.out / "governance").rglob("index.html"))
    seen = 0
    for page in pages:
        for match in _PLOT.finditer(page.read_text(encoding="utf-8")):
            seen += 1
            assert re.search(r"\d\.\d", match.group("alt")), (page, match.group("alt"))
    assert seen > 5


def test_adapters_do_not_import_matplotlib_until_a_plot_is_drawn() -> None:
    code = (
        "import sys\n"
        "import mkdocs_governance.plugin, mkdocs_governance.cli, mkdocs_governance.site\n"
        "import mkdocs_governance.site.plots, mkdocs_governance.core\n"
        "print('matplotlib' in sys.modules, 'pandas' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.split() == ["False", "False"]
