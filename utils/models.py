"""The four phases' models: one small conv-net family, built exactly as the seed describes.

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

PHASES = (1, 2, 3, 4)

# (in_channels, out_channels) of each 3x3 convolution; "M" marks the 2x2 max-pool.
_PLAIN_CHANNELS = [(1, 10), (10, 10), (10, 10), "M", (10, 10), (10, 11), (11, 12), (12, 12), (12, 13)]
_GAP_CHANNELS = [(1, 9), (9, 9), (9, 9), "M", (9, 16), (16, 16), (16, 16)]


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


def build_model(phase: int) -> nn.Sequential:
    """The seed's model for ``phase`` (1-4): 7,896 / 7,974 / 7,753 / 7,753 trainable parameters.

    1. Baseline: eight 3x3 convs with bias, a max-pool after the third, a 1x1 conv 13->10 with bias.
    2. The same with BatchNorm after each 3x3 conv, and no conv biases (1x1 included).
    3-4. Narrower start (9 channels), wider end (16), BatchNorm, a 1x1 conv 16->10 and global average
       pooling (AvgPool2d(5) over the final 5x5 map) instead of shrinking the map to 1x1 by convolution.
    """
    if phase not in PHASES:
        raise ValueError(f"phase must be one of {PHASES}, got {phase!r}")
    if phase in (1, 2):
        batch_norm = phase == 2
        layers = _conv_blocks(_PLAIN_CHANNELS, batch_norm)
        layers += [nn.Conv2d(13, 10, kernel_size=1, bias=not batch_norm), nn.Flatten()]
    else:
        layers = _conv_blocks(_GAP_CHANNELS, batch_norm=True)
        layers += [nn.Conv2d(16, 10, kernel_size=1, bias=False), nn.AvgPool2d(kernel_size=5), nn.Flatten()]
    return nn.Sequential(*layers)


def count_parameters(model: nn.Module) -> int:
    """Trainable parameters, as torchsummary's "Trainable params" counts them."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
