"""Pretrained word vectors: read every format, store natively, look words up (numpy only)."""

from nlptransfer.vectors.load import load_vectors
from nlptransfer.vectors.read import read_vectors
from nlptransfer.vectors.store import Vectors

__all__ = ["Vectors", "load_vectors", "read_vectors"]
