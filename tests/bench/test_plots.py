"""The report's figures: real PNG files, named after what they show."""

from __future__ import annotations

from nlptransfer.bench.plots import plot_summaries, slug
from nlptransfer.bench.summary import summarize

PNG = b"\x89PNG\r\n\x1a\n"


def test_bars_and_a_learning_curve_where_the_training_fraction_varies(tmp_path, record):
    records = []
    for fraction, base in ((0.1, 0.6), (0.5, 0.7), (1.0, 0.8)):
        for seed in range(3):
            for mode, bonus in (("frozen", 0.02), ("finetune", 0.0)):
                r = record("sst2", mode, seed, base + bonus + seed / 100)
                r["train_fraction"] = fraction
                r["train_examples"] = int(1000 * fraction)
                r["run_id"] += f"-{fraction}"
                records.append(r)
    summaries, _ = summarize(records)
    written = plot_summaries(summaries, tmp_path / "plots")
    assert [p.name for p in written] == ["bars-glove.txt-cnn.png", "curve-sst2-glove.txt-cnn.png"]
    for path in written:
        assert path.read_bytes()[:8] == PNG and path.stat().st_size > 1000


def test_one_fraction_draws_no_learning_curve(tmp_path, records):
    summaries, _ = summarize(records)
    assert [p.name for p in plot_summaries(summaries, tmp_path)] == ["bars-glove.txt-cnn.png"]


def test_slug_keeps_file_names_flat():
    assert slug("../shared/glove 6B") == ".._shared_glove_6B"
