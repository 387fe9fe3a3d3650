import re

import pytest
import torch
from torch import nn

from utils import build_model, count_parameters, model_summary

EXPECTED_PARAMS = {1: 7896, 2: 7974, 3: 7753, 4: 7753}


@pytest.mark.parametrize("phase,params", EXPECTED_PARAMS.items())
def test_parameter_counts_are_the_seeds(phase, params):
    assert count_parameters(build_model(phase)) == params


@pytest.mark.parametrize("phase", [1, 2, 3, 4])
def test_torchsummary_agrees_with_the_count(phase):
    text = model_summary(build_model(phase))
    trainable = int(re.search(r"Trainable params: ([\d,]+)", text).group(1).replace(",", ""))
    assert trainable == EXPECTED_PARAMS[phase]


@pytest.mark.parametrize("phase", [1, 2, 3, 4])
def test_maps_a_batch_to_ten_logits(phase):
    logits = build_model(phase)(torch.randn(3, 1, 28, 28))
    assert logits.shape == (3, 10)
    assert (logits < 0).any(), "logits must not be clipped at zero by a final ReLU"


@pytest.mark.parametrize("phase", [1, 2, 3, 4])
def test_relu_follows_every_3x3_conv_and_not_the_classifier(phase):
    layers = list(build_model(phase))
    convs = [i for i, layer in enumerate(layers) if isinstance(layer, nn.Conv2d)]
    for i in convs[:-1]:
        following = layers[i + 1:i + 3]
        assert any(isinstance(layer, nn.ReLU) for layer in following)
    assert layers[convs[-1]].kernel_size == (1, 1)
    assert not any(isinstance(layer, nn.ReLU) for layer in layers[convs[-1]:])


@pytest.mark.parametrize("phase,batch_norms,biased", [(1, 0, 9), (2, 8, 0), (3, 6, 0), (4, 6, 0)])
def test_batchnorm_and_biases(phase, batch_norms, biased):
    modules = list(build_model(phase).modules())
    assert sum(isinstance(m, nn.BatchNorm2d) for m in modules) == batch_norms
    assert sum(isinstance(m, nn.Conv2d) and m.bias is not None for m in modules) == biased


def test_gap_models_end_in_average_pooling():
    layers = list(build_model(3))
    assert isinstance(layers[-2], nn.AvgPool2d) and layers[-2].kernel_size == 5


def test_unknown_phase_is_an_error():
    with pytest.raises(ValueError, match="phase must be one of"):
        build_model(5)
