"""Figures for the notebooks. Each helper returns a closed Figure: the notebook displays it (as a cell's value)
and ``utils.save_run`` writes it to ``image/`` only once the whole run has succeeded."""

import matplotlib.pyplot as plt
from matplotlib.ticker import NullFormatter
import torch

from ..experiments.frontier import PEERS
from ..goal import GOAL_HELD, GOAL_SEEDS, HOLD_EPOCHS, TARGET_ACC as TARGET, judged
from ..records import entry_params, summarize


def _done(fig):
    fig.tight_layout()
    plt.close(fig)  # not shown twice: the returned figure is the cell's one display
    return fig


def plot_digits(images: torch.Tensor, labels, title: str, columns: int = 10, predictions=None):
    """A grid of digits ``images`` ``(n, 28, 28)`` or ``(n, 1, 28, 28)``; captions show label (and prediction)."""
    images = images.detach().cpu().reshape(len(images), 28, 28)
    rows = (len(images) + columns - 1) // columns
    fig, axes = plt.subplots(rows, columns, figsize=(columns * 1.1, rows * 1.6), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i >= len(images):
            continue
        ax.imshow(images[i], cmap="gray")
        caption = f"{int(labels[i])}" if predictions is None else f"true {int(labels[i])}\npred {int(predictions[i])}"
        ax.set_title(caption, fontsize=8, color="black" if predictions is None else "crimson")
    fig.suptitle(title)
    return _done(fig)


def plot_augmentation_rows(rows: dict[str, torch.Tensor], title: str):
    """One row of digits per entry of ``rows`` (name -> ``(n, 28, 28)`` images), e.g. original / torchvision / fast."""
    columns = max(len(images) for images in rows.values())
    fig, axes = plt.subplots(len(rows), columns, figsize=(columns * 1.0, len(rows) * 1.15), squeeze=False)
    for r, (name, images) in enumerate(rows.items()):
        images = images.detach().cpu().reshape(len(images), 28, 28)
        for c, ax in enumerate(axes[r]):
            ax.set_xticks([]), ax.set_yticks([])
            if c < len(images):
                ax.imshow(images[c], cmap="gray")
        axes[r][0].set_ylabel(name, rotation=0, ha="right", va="center", fontsize=9)
    fig.suptitle(title)
    return _done(fig)


def plot_history(history, title: str):
    """Train/test accuracy and loss per epoch, the 99.4% target drawn on the accuracy panel."""
    epochs = range(1, history.epochs + 1)
    fig, (acc, loss) = plt.subplots(1, 2, figsize=(11, 4))
    acc.plot(epochs, history.train_acc, "o-", label="train")
    acc.plot(epochs, history.test_acc, "o-", label="test")
    acc.axhline(TARGET, color="gray", linestyle="--", label=f"target {TARGET}%")
    # The whole range, chance-level epochs included: a clipped axis would hide a slow start.
    acc.set(xlabel="epoch", ylabel="accuracy (%)", title="accuracy",
            ylim=(min(history.test_acc + history.train_acc) - 0.5, 100))
    loss.plot(epochs, history.train_loss, "o-", label="train")
    loss.plot(epochs, history.test_loss, "o-", label="test")
    loss.set(xlabel="epoch", ylabel="cross-entropy", title="loss", yscale="log")
    for ax in (acc, loss):
        ax.grid(alpha=0.3), ax.legend()
    fig.suptitle(title)
    return _done(fig)


def plot_test_accuracy(history, title: str):
    """Test accuracy per epoch, zoomed on the target band."""
    epochs = range(1, history.epochs + 1)
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(epochs, history.test_acc, "o-", color="tab:orange", label="test accuracy")
    ax.axhline(TARGET, color="gray", linestyle="--", label=f"target {TARGET}%")
    low = min(history.test_acc)
    ax.set(xlabel="epoch", ylabel="accuracy (%)", title=title, ylim=(max(low - 0.2, 95.0), 100))
    ax.grid(alpha=0.3), ax.legend()
    return _done(fig)


def plot_lr(history, title: str):
    """The learning rate of every optimiser step, with epoch boundaries on the x axis."""
    steps_per_epoch = len(history.lr_per_step) / max(history.epochs, 1)
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot([i / steps_per_epoch for i in range(len(history.lr_per_step))], history.lr_per_step)
    ax.set(xlabel="epoch", ylabel="learning rate", title=title)
    ax.grid(alpha=0.3)
    return _done(fig)


def plot_batchnorm(before: torch.Tensor, after: torch.Tensor):
    """What a BatchNorm layer does to its input ``before`` ``(B, C, H, W)``, giving ``after``: per-channel mean +- std
    on the left (each channel brought to a common scale), all values pooled on the right."""
    fig, (channels, pooled) = plt.subplots(1, 2, figsize=(11, 4))
    index = torch.arange(before.shape[1])
    for offset, acts, name in ((-0.15, before, "before BatchNorm (conv output)"), (0.15, after, "after BatchNorm")):
        per_channel = acts.detach().cpu().transpose(0, 1).flatten(1)
        channels.errorbar(index + offset, per_channel.mean(1), yerr=per_channel.std(1), fmt="o", capsize=3, label=name)
        pooled.hist(acts.detach().cpu().flatten(), bins=100, histtype="step", density=True, label=name)
    channels.axhline(0, color="gray", linewidth=0.8)
    channels.set(xlabel="channel", ylabel="activation, mean +- std", title="per channel", xticks=index.tolist())
    pooled.set(xlabel="activation", ylabel="density (log)", yscale="log", title="all channels pooled")
    for ax in (channels, pooled):
        ax.grid(alpha=0.3), ax.legend(fontsize=8)
    return _done(fig)


def plot_seed_curves(study: dict, title: str):
    """Each seed's test-accuracy curve, one panel per recipe of ``study`` (a study record: ``make study``'s), with
    the last ``HOLD_EPOCHS`` epochs, the window the target is judged on, shaded."""
    entries = study["recipes"]
    fig, axes = plt.subplots(1, len(entries), figsize=(6 * len(entries), 4), sharey=True, squeeze=False)
    for ax, entry in zip(axes[0], entries):
        name, runs = entry["name"], entry["runs"]
        window = judged(range(1, len(runs[0]["acc"]) + 1))
        ax.axvspan(window[0] - 0.5, window[-1] + 0.5, color="gold", alpha=0.2,
                   label=f"last {HOLD_EPOCHS} epochs (judged)")
        for run in runs:
            ax.plot(range(1, len(run["acc"]) + 1), run["acc"], "o-", markersize=3, label=f"seed {run['seed']}")
        ax.axhline(TARGET, color="gray", linestyle="--", label=f"target {TARGET}%")
        ax.set(title=name, xlabel="epoch", ylim=(98.8, 99.8))
        ax.grid(alpha=0.3), ax.legend(fontsize=7, ncol=2, loc="lower right")
    axes[0][0].set_ylabel("test accuracy (%)")
    fig.suptitle(title)
    return _done(fig)


def plot_series(points: list[tuple[str, int, float]], title: str, frontier: dict | None = None):
    """Parameters against the last-5 minimum test accuracy, one point per recorded run: ``(label, params, min_last)``
    per run, one colour per label (a phase), with the 99.40% line; and phase 5's ``frontier`` (``make search``'s
    record, moved onto the test split) as a line, where one is given."""
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    if frontier is not None:
        _frontier_curve(ax, frontier)
    labels = list(dict.fromkeys(label for label, _, _ in points))
    markers = "osD^vP*X"  # phases 3 and 4 share 7,753 parameters: a marker each keeps their points apart
    for label, marker in zip(labels, markers * len(labels)):
        xs = [params for name, params, _ in points if name == label]
        ys = [low for name, _, low in points if name == label]
        ax.scatter(xs, ys, s=40, alpha=0.7, marker=marker, label=f"{label} ({len(xs)} run{'s' if len(xs) > 1 else ''})")
    ax.axhline(TARGET, color="crimson", linestyle="--", linewidth=1, label=f"{TARGET:.2f}%")
    ax.set_xlabel("trainable parameters")
    ax.set_ylabel(f"minimum test accuracy over the last {HOLD_EPOCHS} epochs (%)")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower left")
    return _done(fig)


def plot_trials(record: dict, title: str):
    """Each candidate's per-seed last-5 validation minimum as dots, its mean with a +- 1 standard-error bar: which
    differences are larger than the seeds' own spread, at a glance. A search's reference (phase 4) is the last row."""
    candidates = [c for c in record["candidates"] if c["runs"]]
    candidates += [record["reference"]] if "reference" in record else []
    fig, ax = plt.subplots(figsize=(7.5, 0.45 * len(candidates) + 1.9))
    for y, c in enumerate(candidates):
        lows = [run["min_last"] for run in c["runs"]]
        s = summarize(c["runs"])
        ax.scatter(lows, [y] * len(lows), s=18, color="tab:blue", alpha=0.5, zorder=2)
        ax.errorbar(s["mean_min_last"], y, xerr=s["se_min_last"], fmt="D", color="black", capsize=4, zorder=3)
    ax.errorbar([], [], xerr=[], fmt="D", color="black", capsize=4, label="mean +- 1 standard error")
    ax.scatter([], [], s=18, color="tab:blue", alpha=0.5, label="one seed")
    ax.set_yticks(range(len(candidates)), [c["name"] + (f", {c['params']:,} params" if "params" in c else "")
                                            + (" (picked)" if c["name"] == record.get("picked") else "")
                                            for c in candidates])
    ax.invert_yaxis()
    ax.set_xlabel(f"minimum validation accuracy over the last {HOLD_EPOCHS} epochs (%)")
    ax.set_title(title)
    ax.grid(alpha=0.3, axis="x")
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=2, frameon=False)  # off the dots
    return _done(fig)


def _frontier_curve(ax, record: dict) -> list[int]:
    """The frontier's sizes on ``ax``, smallest first (a size without runs left out): each one's mean last-5 minimum on
    validation digits +- 1 standard error, moved onto the test split by the record's calibration when it has one.
    Returns their parameter counts."""
    offset = record.get("calibration", {}).get("offset", 0.0)
    sizes = sorted((c for c in record["candidates"] if c["runs"]), key=lambda c: c["params"])
    means = [summarize(c["runs"]) for c in sizes]
    ax.errorbar([c["params"] for c in sizes], [s["mean_min_last"] - offset for s in means],
                yerr=[s["se_min_last"] for s in means], fmt="o-", color="tab:blue", capsize=4,
                label=f"frontier: validation mean +- 1 SE over {max(s['seeds'] for s in means)} seeds"
                      + (f", moved by the offset {-offset:+.3f}" if "calibration" in record else ""))
    return [c["params"] for c in sizes]


def plot_frontier(record: dict, study: dict | None, title: str, peers=PEERS):
    """Phase 5's frontier (``make search``'s record): parameters (log scale) against each size's mean last-5 minimum
    with +- 1 standard error, moved onto the test split by the record's calibration when it has one; each recipe of
    the test-set ``study`` (phase 5's seed study, or None) on top, mean +- 1 standard error; ``peers``
    (``(params, last-5 minimum or None for "held")``) as single runs; the 99.40% line and the rule's level."""
    fig, ax = plt.subplots(figsize=(7.5, 5.2))
    sizes = _frontier_curve(ax, record)
    for entry in (study or {}).get("recipes", []):
        params, summary = entry_params(entry), summarize(entry["runs"])
        ax.errorbar(params, summary["mean_min_last"], yerr=summary["se_min_last"], fmt="D", color="black", capsize=4,
                    zorder=3)
        ax.annotate(f"{params:,}: held on {summary['held']} of {summary['seeds']}", (params, summary["mean_min_last"]),
                    textcoords="offset points", xytext=(0, 9), ha="center", fontsize=8)
    ax.errorbar([], [], yerr=[], fmt="D", color="black", capsize=4, label="test-set study: mean +- 1 SE")
    for params, low in peers:
        ax.scatter(params, TARGET if low is None else low, marker="^" if low is None else "x", color="tab:gray",
                   zorder=2)
    ax.scatter([], [], marker="x", color="tab:gray", label="others' single runs (^: 'held', value not given)")
    ax.axhline(TARGET, color="crimson", linestyle="--", linewidth=1, label=f"{TARGET:.2f}%")
    if "level_test" in record.get("calibration", {}):
        ax.axhline(record["calibration"]["level_test"], color="crimson", linestyle=":", linewidth=1,
                   label=f"{record['calibration']['level_test']:.2f}%: the mean that holds on {GOAL_HELD} of "
                         f"{GOAL_SEEDS} seeds at phase 4's seed spread (the rule's level)")
    ax.set_xscale("log")
    ax.set_xticks(sizes, [f"{params:,}" for params in sizes], fontsize=8)  # each size named, not powers of ten
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("trainable parameters (log scale)")
    ax.set_ylabel(f"minimum test accuracy over the last {HOLD_EPOCHS} epochs (%)")
    ax.set_title(title)
    ax.grid(alpha=0.3, which="major")
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=1, frameon=False)  # off the points
    return _done(fig)
