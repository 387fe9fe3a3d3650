"""Shared code of the MNIST < 8k-parameter series: data, models, training, tables, plots, results.

Importing it does no work: no data is read, no seed set, no device touched.
"""

from .data import (MNIST_MEAN, MNIST_STD, AugmentSpec, MNISTDataError, build_transforms, ensure_mnist, load_split,
                   resolve_data_dir, torchvision_loader)
from .fast import augment_batch, resident_loader
from .diagnostics import augmentation_rows, batchnorm_activations, misclassified, model_summary, versions
from .models import build_model, count_parameters
from .plots import (plot_augmentation_rows, plot_batchnorm, plot_digits, plot_history, plot_lr, plot_seed_curves,
                    plot_test_accuracy)
from .receptive_field import layer_table, table_markdown
from .recipe import make_loaders, make_optimizer, train_recipe
from .results import (comparison_markdown, history_markdown, load_result, result_record, save_run, verdict)
from .runtime import pick_device, seed_everything
from .study import run_seed_study, study_markdown
from .train import History, evaluate, fit
from .trained import load_trained, predict
from .validate import ParameterError, validate_parameters

__all__ = [
    "AugmentSpec", "History", "MNISTDataError", "MNIST_MEAN", "MNIST_STD", "ParameterError", "augment_batch",
    "augmentation_rows", "batchnorm_activations", "build_model", "build_transforms", "comparison_markdown",
    "count_parameters", "ensure_mnist", "evaluate", "fit", "history_markdown", "layer_table", "load_result",
    "load_split", "load_trained", "make_loaders", "make_optimizer", "misclassified", "model_summary",
    "pick_device", "plot_augmentation_rows", "plot_batchnorm", "plot_digits", "plot_history", "plot_lr",
    "plot_seed_curves", "plot_test_accuracy", "predict", "resident_loader", "resolve_data_dir", "result_record",
    "run_seed_study", "save_run", "seed_everything", "study_markdown", "table_markdown", "torchvision_loader",
    "train_recipe", "validate_parameters", "verdict", "versions",
]
