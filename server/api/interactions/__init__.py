"""The give/take log's API: entries (`log`) and what they leave open (`commitments`), on one
blueprint."""

from . import commitments, log
from .common import blp

__all__ = ["blp", "commitments", "log"]
