"""The embedding layer and classifiers,
skipped where its extra is not installed (the core install, `make test-core`)."""

from tests.conftest import skip_unless_installed

skip_unless_installed("torch")
