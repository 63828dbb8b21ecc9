"""The command line: the only place that parses argv, prints, and maps errors to exit codes."""
