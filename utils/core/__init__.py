"""The ML core, readable on its own: MNIST (verified), the fast path, the models, the training loop, one run from a
recipe. It imports nothing of the package outside ``core`` but ``utils.paths``."""
