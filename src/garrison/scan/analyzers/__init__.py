"""Built-in analyzers. Each is registered in pyproject.toml under ``garrison.analyzers``."""
