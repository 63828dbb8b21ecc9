"""Parsers: bytes of one format → :class:`~garrison.scan.analyzers.iac.model.Resource` values. Pure, no I/O."""
