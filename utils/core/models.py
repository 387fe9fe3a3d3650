"""The models: one small conv-net family, built exactly as the original write-up describes, and phase 5's smaller ones.

Every model maps a batch of normalised digits ``(B, 1, 28, 28)`` to raw logits ``(B, 10)``.
There is no log-softmax inside: the loss is ``F.cross_entropy`` (log-softmax + NLL in one stable
call) and predictions use ``argmax`` / ``softmax`` on the logits.

Where ReLU goes: after every 3x3 convolution, and after its BatchNorm where there is one
(conv -> BN -> ReLU, the order of He et al. and of torchvision's ResNets, so BN sees the
unclipped pre-activation). There is no ReLU after the 1x1 classifier convolution, because its
output *is* the logits, and clipping logits at zero would forbid negative evidence for a class.
Convolutions followed by BatchNorm carry no bias: BN's own shift makes it redundant.
"""

from torch import nn

MODEL_NAMES = {  # what each numbered model is, in words (model keys, not phases: phases 3 and 4 share model 3)
    1: "model 1, the baseline (3x3 convs down to a 1x1 map, a 1x1 conv classifier, 7,896 parameters)",
    2: "model 2, the baseline + BatchNorm after every 3x3 conv, no conv biases (7,974 parameters)",
    3: "model 3, narrower start, wider end, a 1x1 conv to 10 maps and global average pooling (7,753 parameters)",
}
MODELS = tuple(MODEL_NAMES)  # the numbered models; phase 5's are spec strings

# (in_channels, out_channels) of each 3x3 convolution; "M" marks the 2x2 max-pool.
_PLAIN_CHANNELS = [(1, 10), (10, 10), (10, 10), "M", (10, 10), (10, 11), (11, 12), (12, 12), (12, 13)]
GAP_SPEC = "9-9-9-M-16-16-16"  # model 3 (phases 3 and 4), as a build_spec string


def _conv_blocks(channels, batch_norm: bool) -> list[nn.Module]:
    """3x3 valid convolutions (conv [-> BN] -> ReLU) with the 2x2 max-pool where ``channels`` has "M"."""
    layers: list[nn.Module] = []
    for spec in channels:
        if spec == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
            continue
        c_in, c_out = spec
        layers.append(nn.Conv2d(c_in, c_out, kernel_size=3, padding=0, bias=not batch_norm))
        if batch_norm:
            layers.append(nn.BatchNorm2d(c_out))
        layers.append(nn.ReLU())
    return layers


def build_model(model: int | str) -> nn.Sequential:
    """The model a recipe's ``model`` key names: 1, 2 or 3 (``MODEL_NAMES``), or a ``build_spec`` string's GAP net
    (phase 5's models).

    1. Baseline: eight 3x3 convs with bias, a max-pool after the third, a 1x1 conv 13->10 with bias.
    2. The same with BatchNorm after each 3x3 conv, and no conv biases (1x1 included).
    3. Narrower start (9 channels), wider end (16), BatchNorm, a 1x1 conv 16->10 and global average pooling
       (AvgPool2d(5) over the final 5x5 map) instead of shrinking the map to 1x1 by convolution (phases 3 and 4).
    """
    if isinstance(model, str):
        return build_spec(model)
    if model not in MODELS:
        raise ValueError(f"model must be one of {MODELS} or a spec string, got {model!r}")
    if model in (1, 2):
        batch_norm = model == 2
        layers = _conv_blocks(_PLAIN_CHANNELS, batch_norm)
        layers += [nn.Conv2d(13, 10, kernel_size=1, bias=not batch_norm), nn.Flatten()]
        return nn.Sequential(*layers)
    return build_spec(GAP_SPEC)


def build_spec(spec: str, input_size: int = 28) -> nn.Sequential:
    """A GAP net from a spec such as ``"8-8-M-s24-s24-s24-s24"``, tokens in forward order:

    - ``N``: a 3x3 valid convolution to N channels -> BatchNorm -> ReLU (phase 3's block);
    - ``M``: a 2x2 max-pool;
    - ``sN``: a depthwise-separable 3x3 block to N channels: a 3x3 convolution per channel (groups = channels in:
      9 weights a channel, no mixing) -> BN -> ReLU, then a 1x1 convolution that mixes channels to N -> BN -> ReLU.
      It sees what a 3x3 convolution sees for 9 C_in + C_in N weights instead of 9 C_in N.
    - ``wN``: the same with a 5x5 convolution per channel (25 weights a channel; the map shrinks by 4);
    - ``sNxK``: one separable block of N to N channels applied K times with the same convolution weights, each use
      with BatchNorms of its own (depth for 4N parameters a use; the channels before it must be N already);
    - ``fN``: a 3x3 convolution factorised: 3x1 to N channels -> BN -> ReLU, then 1x3 -> BN -> ReLU (3 C_in N + 3 N N
      weights instead of 9 C_in N);
    - ``tN``: a 1x1 convolution to N channels -> BN -> ReLU (a transition: mixes or narrows channels, sees no more);
    - ``dN``: a 3x3 convolution with dilation 2 to N channels -> BN -> ReLU: a 5x5 view for a 3x3's weights (the
      map shrinks by 4).

    Then phase 3's head: a 1x1 convolution to 10 maps and global average pooling over the final map.
    """
    layers: list[nn.Module] = []
    channels, size = 1, input_size
    for token in spec.split("-"):
        if token == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
            size //= 2
            continue
        kind = token[0] if token[0] in "stdwf" else ""
        width, _, uses = token[len(kind):].partition("x")
        width, uses = int(width), int(uses or 1)
        if uses > 1:
            if kind != "s" or channels != width:
                raise ValueError(f"spec {spec!r}: {token!r} repeats a separable block of {width} to {width} "
                                 f"channels, so it needs an s kind and {width} channels before it (has {channels})")
            layers.append(SharedSeparable(width, uses))
            size -= 2 * uses
            continue
        if kind in ("s", "w"):
            kernel = 3 if kind == "s" else 5
            layers += [nn.Conv2d(channels, channels, kernel_size=kernel, groups=channels, bias=False),
                       nn.BatchNorm2d(channels), nn.ReLU(),
                       nn.Conv2d(channels, width, kernel_size=1, bias=False), nn.BatchNorm2d(width), nn.ReLU()]
        elif kind == "f":
            layers += [nn.Conv2d(channels, width, kernel_size=(3, 1), bias=False), nn.BatchNorm2d(width), nn.ReLU(),
                       nn.Conv2d(width, width, kernel_size=(1, 3), bias=False), nn.BatchNorm2d(width), nn.ReLU()]
        else:
            kernel, dilation = {"": (3, 1), "t": (1, 1), "d": (3, 2)}[kind]
            layers += [nn.Conv2d(channels, width, kernel_size=kernel, dilation=dilation, bias=False),
                       nn.BatchNorm2d(width), nn.ReLU()]
        channels, size = width, size - {"": 2, "s": 2, "f": 2, "t": 0, "d": 4, "w": 4}[kind]
    if size < 1:
        raise ValueError(f"spec {spec!r} shrinks a {input_size}x{input_size} digit below 1x1")
    layers += [nn.Conv2d(channels, 10, kernel_size=1, bias=False), nn.AvgPool2d(kernel_size=size), nn.Flatten()]
    return nn.Sequential(*layers)


class SharedSeparable(nn.Module):
    """A separable 3x3 block of ``channels`` to ``channels`` applied ``uses`` times with the same two convolutions,
    each use normalised by BatchNorms of its own (the statistics differ from one depth to the next)."""

    def __init__(self, channels: int, uses: int):
        super().__init__()
        self.depthwise = nn.Conv2d(channels, channels, kernel_size=3, groups=channels, bias=False)
        self.pointwise = nn.Conv2d(channels, channels, kernel_size=1, bias=False)
        self.norms = nn.ModuleList(nn.ModuleList([nn.BatchNorm2d(channels), nn.BatchNorm2d(channels)])
                                   for _ in range(uses))

    def forward(self, x):
        for after_depthwise, after_pointwise in self.norms:
            x = nn.functional.relu(after_depthwise(self.depthwise(x)))
            x = nn.functional.relu(after_pointwise(self.pointwise(x)))
        return x


def count_parameters(model: nn.Module) -> int:
    """Trainable parameters, as torchsummary's "Trainable params" counts them."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
