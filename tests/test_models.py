import re

import pytest
import torch
from torch import nn

from utils import PHASES, build_model, count_parameters
from utils.report.diagnostics import model_summary
from utils.core.models import build_spec

# Phase 5's candidates, counted by hand: a 3x3 conv C_in -> N has 9 C_in N weights, a separable block 9 C_in + C_in N,
# every BatchNorm 2 C, the head 10 C.
SPEC_PARAMS = {"6-8-8-M-10-12-14": 4630, "6-6-8-M-10-12-12": 4134, "8-8-M-s24-s24-s24-s24": 3912,
               "8-8-8-M-s24-s24-s24": 3616, "8-8-M-10-10-12": 3564, "8-8-8-M-s16-s16-s16": 2608,
               "8-8-M-s16-s16-s16-s16": 2480}
MODELS = {row.number: row.recipe["model"] for row in PHASES}  # phase -> the model key its recipe names


@pytest.mark.parametrize("row,params", list(zip(PHASES, [7896, 7974, 7753, 7753, 6664])),  # the write-up's, then 5's
                         ids=[f"phase{row.number}" for row in PHASES])
def test_the_phase_tables_parameter_count_is_the_models_and_torchsummarys(row, params):
    model = build_model(row.recipe["model"])
    trainable = re.search(r"Trainable params: ([\d,]+)", model_summary(model)).group(1)
    assert count_parameters(model) == int(trainable.replace(",", "")) == row.params == params


@pytest.mark.parametrize("phase", MODELS)
def test_ten_unclipped_logits_and_a_relu_after_every_3x3_conv_but_the_classifier(phase):
    logits = build_model(MODELS[phase])(torch.randn(3, 1, 28, 28))
    assert logits.shape == (3, 10) and (logits < 0).any(), "logits must not be clipped at zero by a final ReLU"
    layers = list(build_model(MODELS[phase]))
    convs = [i for i, layer in enumerate(layers) if isinstance(layer, nn.Conv2d)]
    for i in convs[:-1]:
        following = layers[i + 1:i + 3]
        assert any(isinstance(layer, nn.ReLU) for layer in following)
    assert layers[convs[-1]].kernel_size == (1, 1)
    assert not any(isinstance(layer, nn.ReLU) for layer in layers[convs[-1]:])


def test_unknown_model_is_an_error():
    with pytest.raises(ValueError, match="model must be one of"):
        build_model(4)


def test_spec_counts_are_exact():
    assert {spec: count_parameters(build_spec(spec)) for spec in SPEC_PARAMS} == SPEC_PARAMS


def test_phase3s_spec_builds_phase3s_model():
    assert str(build_spec("9-9-9-M-16-16-16")) == str(build_model(3))  # the spec is phase 3's layout, written out


def test_a_spec_that_shrinks_the_digit_away_is_an_error():
    with pytest.raises(ValueError, match="below 1x1"):
        build_spec("8-M-8-M-8-8-8")


def test_a_repeated_separable_block_shares_its_convolutions_and_not_its_batchnorms():
    shared = next(layer for layer in build_spec("8-d8-M-s36-s36x3") if layer.__class__.__name__ == "SharedSeparable")
    assert len(shared.norms) == 3
    # the two convolutions once (9 x 36 + 36 x 36), two BatchNorms of 36 per use (weight and bias each)
    assert count_parameters(shared) == 9 * 36 + 36 * 36 + 3 * 2 * 2 * 36
    assert count_parameters(build_spec("8-d8-M-s36-s36x3")) == 3540
    model = build_spec("8-d8-M-s36-s36x3")
    assert tuple(model(torch.zeros(2, 1, 28, 28)).shape) == (2, 10) and model[-2].kernel_size == 3  # 11 -> 9 -> 3
    with pytest.raises(ValueError, match="needs an s kind and 36 channels before it"):
        build_spec("8-d8-M-s30-s36x3")


def test_five_by_five_and_factorised_blocks():
    wide = list(build_spec("8-w12"))
    assert wide[3].kernel_size == (5, 5) and wide[3].groups == 8 and wide[-2].kernel_size == 22
    factorised = list(build_spec("8-f12"))
    assert (factorised[3].kernel_size, factorised[6].kernel_size) == ((3, 1), (1, 3))
    assert count_parameters(build_spec("8-f12")) == 72 + 16 + 3 * 8 * 12 + 3 * 12 * 12 + 2 * 2 * 12 + 12 * 10
