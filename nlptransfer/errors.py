"""The public home of nlptransfer's exception hierarchy (defined in :mod:`nlptransfer._util.errors`).

Example:
    >>> from nlptransfer.errors import NLPTransferError, VectorsFormatError
    >>> issubclass(VectorsFormatError, NLPTransferError)
    True
"""

from nlptransfer._util.errors import *  # noqa: F403
from nlptransfer._util.errors import __all__ as __all__
