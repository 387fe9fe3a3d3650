import re

import pytest
import torch
from torch import nn

from utils import PHASES, build_model, count_parameters, model_summary
from utils.core.models import build_spec

# Phase 5's candidates, counted by hand: a 3x3 conv C_in -> N has 9 C_in N weights, a separable block 9 C_in + C_in N,
# every BatchNorm 2 C, the head 10 C.
SPEC_PARAMS = {"6-8-8-M-10-12-14": 4630, "6-6-8-M-10-12-12": 4134, "8-8-M-s24-s24-s24-s24": 3912,
               "8-8-8-M-s24-s24-s24": 3616, "8-8-M-10-10-12": 3564, "8-8-8-M-s16-s16-s16": 2608,
               "8-8-M-s16-s16-s16-s16": 2480}
MODELS = {row.number: row.recipe["model"] for row in PHASES}  # phase -> the model key its recipe names


def test_the_phase_tables_parameter_counts_are_the_models():
    assert [row.params for row in PHASES] == [7896, 7974, 7753, 7753, 6664]  # the original write-up's, then phase 5's
    assert {row.number: count_parameters(build_model(row.recipe["model"])) for row in PHASES} == \
        {row.number: row.params for row in PHASES}


@pytest.mark.parametrize("row", PHASES, ids=lambda row: f"phase{row.number}")
def test_torchsummary_agrees_with_the_count(row):
    text = model_summary(build_model(row.recipe["model"]))
    trainable = int(re.search(r"Trainable params: ([\d,]+)", text).group(1).replace(",", ""))
    assert trainable == row.params


@pytest.mark.parametrize("phase", MODELS)
def test_maps_a_batch_to_ten_logits(phase):
    logits = build_model(MODELS[phase])(torch.randn(3, 1, 28, 28))
    assert logits.shape == (3, 10)
    assert (logits < 0).any(), "logits must not be clipped at zero by a final ReLU"


@pytest.mark.parametrize("phase", MODELS)
def test_relu_follows_every_3x3_conv_and_not_the_classifier(phase):
    layers = list(build_model(MODELS[phase]))
    convs = [i for i, layer in enumerate(layers) if isinstance(layer, nn.Conv2d)]
    for i in convs[:-1]:
        following = layers[i + 1:i + 3]
        assert any(isinstance(layer, nn.ReLU) for layer in following)
    assert layers[convs[-1]].kernel_size == (1, 1)
    assert not any(isinstance(layer, nn.ReLU) for layer in layers[convs[-1]:])


@pytest.mark.parametrize("phase,batch_norms,biased", [(1, 0, 9), (2, 8, 0), (3, 6, 0), (4, 6, 0)])
def test_batchnorm_and_biases(phase, batch_norms, biased):
    modules = list(build_model(MODELS[phase]).modules())
    assert sum(isinstance(m, nn.BatchNorm2d) for m in modules) == batch_norms
    assert sum(isinstance(m, nn.Conv2d) and m.bias is not None for m in modules) == biased


def test_gap_models_end_in_average_pooling():
    layers = list(build_model(3))
    assert isinstance(layers[-2], nn.AvgPool2d) and layers[-2].kernel_size == 5


def test_unknown_model_is_an_error():
    with pytest.raises(ValueError, match="model must be one of"):
        build_model(4)


def test_spec_counts_are_exact():
    assert {spec: count_parameters(build_spec(spec)) for spec in SPEC_PARAMS} == SPEC_PARAMS


def test_phase3s_spec_builds_phase3s_model():
    assert str(build_spec("9-9-9-M-16-16-16")) == str(build_model(3))  # the spec is phase 3's layout, written out


def test_separable_block_is_depthwise_then_pointwise():
    layers = list(build_spec("8-s12"))
    depthwise, pointwise = layers[3], layers[6]
    assert (depthwise.groups, depthwise.in_channels, depthwise.out_channels, depthwise.kernel_size) == (8, 8, 8, (3, 3))
    assert (pointwise.groups, pointwise.in_channels, pointwise.out_channels,
            pointwise.kernel_size) == (1, 8, 12, (1, 1))
    assert isinstance(layers[-2], nn.AvgPool2d) and layers[-2].kernel_size == 24


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
