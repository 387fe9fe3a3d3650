"""``make nbval``: re-execute copies of the committed notebooks with nbval, in a temporary folder.

The copies keep the repository's layout (``notebooks/`` beside ``results/`` and ``image/``), so the notebooks' default
``../results`` and ``../image`` land in the temporary folder: the committed files are never touched. Only cells
marked ``# NBVAL_CHECK_OUTPUT`` are compared (``--nbval-lax``): model summaries, receptive-field tables, verdicts.
"""

import shutil
import sys
import tempfile
from pathlib import Path

import pytest

from .series import NOTEBOOK_DIR

CELL_TIMEOUT_S = 3600  # the seed study's cells train several full runs each


def main(argv=None) -> int:
    names = argv if argv is not None else sys.argv[1:]
    sources = [NOTEBOOK_DIR / name for name in names] if names else sorted(NOTEBOOK_DIR.glob("0*.ipynb"))
    with tempfile.TemporaryDirectory(prefix="nbval-") as tmp:
        copies = Path(tmp) / "notebooks"
        copies.mkdir()
        for source in sources:
            shutil.copy(source, copies / source.name)
        return pytest.main(["--nbval-lax", "--nbval-current-env", f"--nbval-cell-timeout={CELL_TIMEOUT_S}",
                            "-p", "no:cacheprovider", f"--rootdir={tmp}", "-q", str(copies)])


if __name__ == "__main__":
    sys.exit(main())
