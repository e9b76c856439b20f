"""The bottom layer: errors, atomic files and digests, progress, lazy attributes, the Registry,
optional extras. It imports nothing else of nlptransfer."""
