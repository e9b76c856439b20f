"""The systems a user would try instead of a neural classifier, run in the same harness."""
