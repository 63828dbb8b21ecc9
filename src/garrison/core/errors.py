"""One error hierarchy for the whole project.

Only ``garrison.cli`` and ``garrison.server`` turn these into exit codes or HTTP statuses.
Every error message is a single line that names the file and, where there is one, the field.
"""

from __future__ import annotations


class GarrisonError(Exception):
    """Base class of every error Garrison raises on purpose."""

    exit_code = 3

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()) if "\n" in message else message)

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else self.__class__.__name__


class UsageError(GarrisonError):
    """The command line asked for something that does not exist or does not fit together."""

    exit_code = 2


class InputError(GarrisonError):
    """A file or value given by the user cannot be read or parsed."""

    exit_code = 2

    def __init__(self, message: str, *, path: str | None = None, field: str | None = None) -> None:
        prefix = ""
        if path:
            prefix = f"{path}: "
        if field:
            prefix += f"{field}: "
        super().__init__(prefix + message)
        self.path = path
        self.field = field


class ConfigError(InputError):
    """A configuration file (garrison.toml, waivers, baseline, rule files) is invalid."""


class AnalyzerFailure(GarrisonError):
    """An analyzer failed as a whole (a bug or a missing resource); other analyzers still ran."""

    exit_code = 3


class FileSkipped(InputError):
    """One file could not be analyzed (malformed, too large, hostile); recorded and the scan goes on."""
