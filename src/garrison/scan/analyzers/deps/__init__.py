"""The ``deps`` analyzer: lockfiles and manifests -> packages -> advisories in the local OSV index."""
