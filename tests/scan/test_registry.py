import pytest

from garrison.core.config import AnalyzersConfig
from garrison.core.errors import ConfigError, UsageError
from garrison.scan import registry


def test_builtin_analyzer_is_registered_through_entry_points():
    assert "files" in registry.available()
    cls = registry.analyzer_class("files")
    assert cls.id == "files"


def test_selection_rules():
    installed = registry.available()
    assert registry.selected_ids(AnalyzersConfig()) == installed
    assert registry.selected_ids(AnalyzersConfig(enabled=("files",))) == ["files"]
    assert registry.selected_ids(AnalyzersConfig(), skip=["files"]) == [a for a in installed if a != "files"]
    assert registry.selected_ids(AnalyzersConfig(disabled=("files",)), only=["files"]) == []


def test_unknown_analyzer_names_are_usage_errors():
    with pytest.raises(UsageError, match="unknown analyzer 'nope'"):
        registry.selected_ids(AnalyzersConfig(), only=["nope"])
    with pytest.raises(UsageError, match="unknown analyzer 'nope'"):
        registry.analyzer_class("nope")


def test_options_for_missing_analyzer_are_config_errors():
    with pytest.raises(ConfigError, match=r"garrison.toml: analyzers.nope: no such analyzer"):
        registry.build(["files"], {"nope": {}}, source="garrison.toml")
