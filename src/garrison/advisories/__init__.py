"""The offline advisory database: OSV ingest, the SQLite index, per-ecosystem version comparators and
exact OSV range matching. Nothing here touches the network except :func:`garrison.advisories.ingest.update`,
through a :class:`garrison.advisories.transport.Transport`.
"""
