"""nlptransfer: pretrained Word2Vec, GloVe and fastText vectors for PyTorch text classifiers.

Example:
    >>> import nlptransfer
    >>> glove = nlptransfer.load_vectors("glove-6b-50d")
    >>> glove.dim
    50
"""

from nlptransfer.errors import (
    NLPTransferError,
    UnknownWordError,
    VectorsFormatError,
    VectorsNotFoundError,
)
from nlptransfer.vectors import Vectors, load_vectors

__version__ = "0.1.0"

__all__ = [
    "NLPTransferError",
    "UnknownWordError",
    "Vectors",
    "VectorsFormatError",
    "VectorsNotFoundError",
    "__version__",
    "load_vectors",
]
