"""A classifier plugin installed for real and trained through the command line, skipped where the
extra it needs is not installed (the core install, `make test-core`). The plugin's own source is
package data for the test to install, not a test module."""

from tests.conftest import skip_unless_installed

collect_ignore = ["tinyplugin"]

skip_unless_installed("torch")
