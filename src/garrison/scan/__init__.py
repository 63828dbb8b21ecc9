"""find: walk a target, dispatch files to analyzers, collect findings."""
