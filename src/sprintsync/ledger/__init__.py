"""The sprint ledger: the rules of SEMANTICS.md, applied to a sprint's histories (pure)."""

from sprintsync.ledger.build import build_ledger

__all__ = ["build_ledger"]
