"""Receptive-field and parameter tables computed by walking a model's layers.

Each convolution or pooling layer opens a row; a BatchNorm that follows is folded into that row's
parameter count (2 x C, its weight and bias); activations and reshapes add nothing. Arithmetic per
row, with ``j`` the jump (input pixels between adjacent outputs):

    k_eff = d * (k - 1) + 1   (d: dilation; 1 for an ordinary convolution or a pooling layer)
    out = floor((in + 2p - k_eff) / s) + 1        rf_out = rf_in + (k_eff - 1) * j_in        j_out = j_in * s

Grouped (e.g. depthwise) convolutions change the parameter count only, which is read from the layer itself.
"""

from dataclasses import dataclass, asdict

from torch import nn

_SPATIAL = (nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d)


@dataclass(frozen=True)
class LayerRow:
    name: str          # e.g. "conv3x3 9->16 +BN", "maxpool 2x2"
    kernel: int
    padding: int
    stride: int
    in_size: int       # input height (= width) of this layer
    out_size: int
    jump_in: int
    jump_out: int
    rf_in: int
    rf_out: int
    params: int        # this layer's parameters, a following BatchNorm included
    dilation: int = 1


def _single(value) -> int:
    """Square kernels/strides/paddings only: (3, 3) -> 3."""
    if isinstance(value, tuple):
        if len(set(value)) != 1:
            raise ValueError(f"only square layers are supported, got {value}")
        return value[0]
    return value


def _describe(layer: nn.Module) -> str:
    k = _single(layer.kernel_size)
    if isinstance(layer, nn.Conv2d):
        kind = "depthwise " if layer.groups > 1 and layer.groups == layer.in_channels else (
            f"grouped({layer.groups}) " if layer.groups > 1 else "")
        dilation = _single(layer.dilation)
        return (f"{kind}conv{k}x{k}{f' dil {dilation}' if dilation > 1 else ''} "
                f"{layer.in_channels}->{layer.out_channels}")
    kind = "maxpool" if isinstance(layer, nn.MaxPool2d) else "avgpool (GAP)"
    return f"{kind} {k}x{k}"


def _own_params(layer: nn.Module) -> int:
    return sum(p.numel() for p in layer.parameters(recurse=False) if p.requires_grad)


def layer_table(model: nn.Module, input_size: int = 28) -> list[LayerRow]:
    """One row per convolution/pooling layer of ``model``, in forward order (leaf modules in registration order)."""
    rows: list[LayerRow] = []
    size, jump, rf = input_size, 1, 1
    for layer in model.modules():
        if isinstance(layer, nn.BatchNorm2d):
            if not rows:
                raise ValueError("BatchNorm2d before any convolution: nothing to fold it into")
            last = rows[-1]
            rows[-1] = LayerRow(**{**asdict(last), "name": last.name + " +BN",
                                   "params": last.params + _own_params(layer)})
            continue
        if not isinstance(layer, _SPATIAL):
            continue
        k, s, p = _single(layer.kernel_size), _single(layer.stride), _single(layer.padding)
        d = _single(layer.dilation) if isinstance(layer, nn.Conv2d) else 1
        k_eff = d * (k - 1) + 1
        out = (size + 2 * p - k_eff) // s + 1
        rows.append(LayerRow(_describe(layer), k, p, s, size, out, jump, jump * s, rf, rf + (k_eff - 1) * jump,
                             _own_params(layer), d))
        size, jump, rf = out, jump * s, rf + (k_eff - 1) * jump
    return rows


def table_markdown(rows: list[LayerRow]) -> str:
    """The table as GitHub markdown, with a closing total row."""
    lines = ["| # | layer | kernel | padding | stride | output size | jump | receptive field | params |",
             "|---:|---|---:|---:|---:|---|---:|---:|---:|"]
    for i, r in enumerate(rows, start=1):
        lines.append(f"| {i} | {r.name} | {r.kernel} | {r.padding} | {r.stride} | "
                     f"{r.in_size} -> {r.out_size} | {r.jump_out} | {r.rf_out} | {r.params:,} |")
    lines.append(f"| | **total** | | | | | | | **{sum(r.params for r in rows):,}** |")
    return "\n".join(lines)
