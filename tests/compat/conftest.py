"""torchtext compatibility (``nlptransfer.compat``), skipped where its extra is not installed
(the core install, `make test-core`). The tutorial programs in ``torchtext/tutorials`` are run
by ``test_tutorials.py``, not collected: they import ``torchtext`` until the test ports them."""

from tests.conftest import skip_unless_installed

skip_unless_installed("torch")

collect_ignore_glob = ["torchtext/tutorials/*.py"]
