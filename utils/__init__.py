"""Shared code of the MNIST < 8k-parameter series: data, recipes, models, training, tables, plots, results.

Importing it does no work: no data is read, no seed set, no device touched, no file looked for.
"""

from .analysis import analysis_markdown
from .data import (MNIST_MEAN, MNIST_STD, AugmentSpec, MNISTDataError, build_transforms, ensure_mnist, load_part,
                   load_split, resolve_data_dir, torchvision_loader)
from .diagnostics import augmentation_rows, batchnorm_activations, misclassified, model_summary, versions
from .fast import augment_batch, resident_loader
from .machine import describe, platform_record
from .models import build_model, build_spec, count_parameters
from .paths import ProjectNotFound, project_root
from .plots import (plot_augmentation_rows, plot_batchnorm, plot_digits, plot_history, plot_lr, plot_seed_curves,
                    plot_series, plot_test_accuracy)
from .receptive_field import layer_table, table_markdown
from .recipes import (RECIPES, SEED_WRITE_UP_PHASE4, STEP_6, changes_markdown, recipe_changes, recipe_markdown,
                      with_schedule)
from .results import (comparison_markdown, history_markdown, load_result, recipe_of, result_record, save_run,
                      verdict)
from .runs import make_loaders, make_optimizer, run_config, run_like, train_recipe
from .runtime import pick_device, seed_everything
from .report import series_points
from .study import goal_verdict, run_seed_study, study_markdown
from .train import History, evaluate, fit
from .trained import load_trained, predict
from .trials import levers_markdown, load_trials, trials_markdown
from .validate import ParameterError, validate_parameters

__all__ = [
    "AugmentSpec", "History", "MNISTDataError", "MNIST_MEAN", "MNIST_STD", "ParameterError", "ProjectNotFound",
    "RECIPES", "SEED_WRITE_UP_PHASE4", "STEP_6", "analysis_markdown", "augment_batch", "augmentation_rows",
    "batchnorm_activations", "build_model", "build_spec", "build_transforms", "changes_markdown", "comparison_markdown",
    "count_parameters", "describe", "ensure_mnist", "evaluate", "fit", "goal_verdict", "history_markdown", "layer_table",
    "load_part", "load_result", "load_split", "load_trained", "load_trials", "make_loaders", "make_optimizer",
    "misclassified", "model_summary", "pick_device", "platform_record", "plot_augmentation_rows", "plot_batchnorm",
    "plot_digits", "plot_history", "plot_lr", "plot_seed_curves", "plot_series", "plot_test_accuracy", "predict", "project_root",
    "recipe_changes", "recipe_markdown", "recipe_of", "resident_loader", "resolve_data_dir", "result_record",
    "levers_markdown", "run_config", "run_like", "run_seed_study", "save_run", "seed_everything", "series_points", "study_markdown", "table_markdown",
    "torchvision_loader", "train_recipe", "trials_markdown", "validate_parameters", "verdict", "versions",
    "with_schedule",
]
