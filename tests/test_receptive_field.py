import pytest
import torch
from torch import nn

from utils import RECIPES, build_model, count_parameters, layer_table, table_markdown
from utils.core.models import build_spec

# The seed's tables, row by row: (kernel, padding, stride, output size, receptive field, params).
PHASE1 = [(3, 0, 1, 26, 3, 100), (3, 0, 1, 24, 5, 910), (3, 0, 1, 22, 7, 910), (2, 0, 2, 11, 8, 0),
          (3, 0, 1, 9, 12, 910), (3, 0, 1, 7, 16, 1001), (3, 0, 1, 5, 20, 1200), (3, 0, 1, 3, 24, 1308),
          (3, 0, 1, 1, 28, 1417), (1, 0, 1, 1, 28, 140)]
PHASE2 = [(3, 0, 1, 26, 3, 110), (3, 0, 1, 24, 5, 920), (3, 0, 1, 22, 7, 920), (2, 0, 2, 11, 8, 0),
          (3, 0, 1, 9, 12, 920), (3, 0, 1, 7, 16, 1012), (3, 0, 1, 5, 20, 1212), (3, 0, 1, 3, 24, 1320),
          (3, 0, 1, 1, 28, 1430), (1, 0, 1, 1, 28, 130)]
PHASE3 = [(3, 0, 1, 26, 3, 99), (3, 0, 1, 24, 5, 747), (3, 0, 1, 22, 7, 747), (2, 0, 2, 11, 8, 0),
          (3, 0, 1, 9, 12, 1328), (3, 0, 1, 7, 16, 2336), (3, 0, 1, 5, 20, 2336), (1, 0, 1, 5, 20, 160),
          (5, 0, 5, 1, 28, 0)]


@pytest.mark.parametrize("phase,expected", [(1, PHASE1), (2, PHASE2), (3, PHASE3), (4, PHASE3)])
def test_table_equals_the_seeds_row_by_row(phase, expected):
    rows = layer_table(build_model(RECIPES[phase]["model"]))
    assert [(r.kernel, r.padding, r.stride, r.out_size, r.rf_out, r.params) for r in rows] == expected


@pytest.mark.parametrize("phase", RECIPES)
def test_rows_add_up_to_the_parameter_count(phase):
    model = build_model(RECIPES[phase]["model"])
    assert sum(r.params for r in layer_table(model)) == count_parameters(model)


@pytest.mark.parametrize("phase", RECIPES)
def test_output_sizes_match_a_real_forward_pass(phase):
    model = build_model(RECIPES[phase]["model"]).eval()  # eval: BatchNorm accepts a single 1x1 sample
    sizes = []
    hooks = [m.register_forward_hook(lambda _m, _i, out: sizes.append(out.shape[-1]))
             for m in model.modules() if isinstance(m, (nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d))]
    model(torch.zeros(1, 1, 28, 28))
    for hook in hooks:
        hook.remove()
    assert [r.out_size for r in layer_table(model)] == sizes


def test_padding_and_stride_enter_the_arithmetic():
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.Conv2d(4, 4, 3, stride=2), nn.MaxPool2d(2))
    rows = layer_table(model)
    assert [(r.out_size, r.rf_out, r.jump_out) for r in rows] == [(28, 3, 1), (13, 5, 2), (6, 7, 4)]


def test_markdown_names_every_layer_and_the_total():
    text = table_markdown(layer_table(build_model(3)))
    assert "| 1 | conv3x3 1->9 +BN | 3 | 0 | 1 | 28 -> 26 | 1 | 3 | 99 |" in text
    assert "| 9 | avgpool (GAP) 5x5 | 5 | 0 | 5 | 5 -> 1 | 10 | 28 | 0 |" in text
    assert text.endswith("**7,753** |")


def test_dilation_widens_the_receptive_field_and_groups_cut_the_parameters():
    model = nn.Sequential(nn.Conv2d(1, 8, 3), nn.Conv2d(8, 8, 3, dilation=2), nn.Conv2d(8, 8, 3, groups=8, padding=1),
                          nn.Conv2d(8, 16, 1))
    rows = layer_table(model)
    assert [r.name for r in rows] == ["conv3x3 1->8", "conv3x3 dil 2 8->8", "depthwise conv3x3 8->8", "conv1x1 8->16"]
    assert [(r.in_size, r.out_size) for r in rows] == [(28, 26), (26, 22), (22, 22), (22, 22)]
    assert [r.rf_out for r in rows] == [3, 7, 9, 9]  # a dilated 3x3 spans 5 pixels
    assert [r.params for r in rows] == [80, 584, 80, 144]  # depthwise: 8 x 3 x 3 weights + 8 biases
    assert model(torch.zeros(1, 1, 28, 28)).shape[-1] == rows[-1].out_size


def test_separable_blocks_rows():
    rows = layer_table(build_spec("8-8-M-s24-s24"))
    assert [r.name for r in rows] == ["conv3x3 1->8 +BN", "conv3x3 8->8 +BN", "maxpool 2x2",
                                      "depthwise conv3x3 8->8 +BN", "conv1x1 8->24 +BN",
                                      "depthwise conv3x3 24->24 +BN", "conv1x1 24->24 +BN", "conv1x1 24->10",
                                      "avgpool (GAP) 8x8"]
    assert [(r.out_size, r.rf_out) for r in rows] == [(26, 3), (24, 5), (12, 6), (10, 10), (10, 10), (8, 14), (8, 14),
                                                      (8, 14), (1, 28)]
    assert [r.params for r in rows] == [88, 592, 0, 88, 240, 264, 624, 240, 0]
