"""The MNIST < 8k-parameter series: the notebooks' one package.

    utils/
      goal.py, phases.py, recipes.py   the target, the table of phases, every recipe: plain data, defined once
      records.py, paths.py             what runs leave in results/ (one schema, one load, one write); where files are
      core/         data, fast path, models, training, one run from a recipe: readable on its own
      experiments/  seed studies, trials and searches, and the decision rules that judge them
      report/       tables, figures, the notebooks' analysis prose, the README's and docs/' generated sections
      checks/       notebook parameters, regression of a re-executed notebook against its record
      commands/     one entry point per make target (run, regress, trials, search, spread, study, bench)

Imports point one way, from the commands down to the core. Importing the package does no work: no data is read, no
seed set, no device touched, no file looked for. Below: the names the notebooks call, and the few that a reader
calls from Python (``load_trained``, ``predict``, the data's loaders and errors, ``PHASES``, ``tweak``).
"""

from .checks.validate import ParameterError, validate_parameters
from .core.data import AugmentSpec, MNISTDataError, ensure_mnist, load_split, resolve_data_dir, torchvision_loader
from .core.fast import resident_loader
from .core.machine import describe, platform_record
from .core.models import build_model, count_parameters
from .core.runs import make_loaders, run_config, train
from .core.runtime import pick_device, seed_everything
from .core.loop import evaluate, fit
from .experiments.loaders import load_study, load_trials
from .goal import verdict
from .paths import ProjectNotFound, project_root
from .phases import PHASES, RECIPES
from .recipes import tweak
from .records import load_result, recipe_of, result_record, save_run
from .report.analysis import analysis_markdown
from .report.diagnostics import augmentation_rows, batchnorm_activations, misclassified, model_memory, versions
from .report.plots import (plot_augmentation_rows, plot_batchnorm, plot_digits, plot_history, plot_lr,
                           plot_frontier, plot_seed_curves, plot_series, plot_test_accuracy, plot_trials)
from .report.readme import series_points
from .report.receptive_field import layer_table, table_markdown
from .report.recipes import recipe_markdown
from .report.tables import comparison_markdown, last5_markdown
from .report.verdicts import finalists_table, frontier_table, study_table, test_set_table, verdict_block
from .trained import load_trained, predict

__all__ = [
    "AugmentSpec", "MNISTDataError", "PHASES", "ParameterError", "ProjectNotFound", "RECIPES", "analysis_markdown",
    "augmentation_rows", "batchnorm_activations", "build_model", "comparison_markdown", "count_parameters", "describe",
    "ensure_mnist", "evaluate", "finalists_table", "fit", "frontier_table", "last5_markdown", "layer_table",
    "load_result", "load_split", "load_study", "load_trained", "load_trials", "make_loaders", "misclassified",
    "model_memory", "pick_device", "platform_record", "plot_augmentation_rows", "plot_batchnorm", "plot_digits",
    "plot_frontier", "plot_history", "plot_lr", "plot_seed_curves", "plot_series", "plot_test_accuracy", "plot_trials",
    "predict", "project_root", "recipe_markdown", "recipe_of", "resident_loader", "resolve_data_dir", "result_record",
    "run_config", "save_run", "seed_everything", "series_points", "study_table", "table_markdown", "test_set_table",
    "torchvision_loader", "train", "tweak", "validate_parameters", "verdict", "verdict_block", "versions",
]
