"""Every lockfile format, parsed from a realistic (mostly tool-generated) file: versions, direct vs
transitive, dependency paths, scopes and lines."""

from __future__ import annotations

import pytest

from garrison.scan.analyzers.deps import parsers
from garrison.scan.analyzers.deps.parsers.base import Package, ParseError

from .helpers import FIXTURES, parse_fixture


def pkgs(rel: str) -> dict[str, Package]:
    return {p.name: p for p in parse_fixture(rel).packages}


def test_parser_routing() -> None:
    assert parsers.parser_name("requirements.txt") == "requirements"
    assert parsers.parser_name("svc/requirements-dev.txt") == "requirements"
    assert parsers.parser_name("requirements/prod.txt") == "requirements"
    assert parsers.parser_name("pylock.prod.toml") == "pylock"
    assert parsers.parser_name("gradle/dependency-locks/compileClasspath.lockfile") == "gradle"
    assert parsers.parser_name("dist/app.cdx.json") == "sbom"
    assert parsers.parser_name("notes.txt") is None
    assert parsers.parser_name("package.json") is None


@pytest.mark.parametrize(
    "rel",
    [
        "npm1/package-lock.json",
        "npm2/package-lock.json",
        "npm3/package-lock.json",
        "yarn-classic/yarn.lock",
        "yarn-berry/yarn.lock",
        "pnpm6/pnpm-lock.yaml",
        "pnpm9/pnpm-lock.yaml",
    ],
)
def test_npm_family_agrees_on_the_same_project(rel: str) -> None:
    m = parse_fixture(rel)
    p = {x.name: x for x in m.packages}
    assert len(m.packages) == 55  # the same package.json resolved by npm (v1/v2/v3), yarn 1, yarn 4, pnpm 8, pnpm 9
    assert {n for n, x in p.items() if x.direct} == {"express", "lodash", "@babel/runtime", "minimist"}
    assert p["lodash"].version == "4.17.4"
    assert p["express"].version == "4.16.0"
    depd = next(x for x in m.packages if x.name == "depd" and x.version == "1.1.1")
    assert depd.dependency_path == ("express", "body-parser", "raw-body", "http-errors", "depd")
    assert depd.direct is False
    assert p["@babel/runtime"].dependency_path == ("@babel/runtime",)


def test_npm_scopes_and_locators() -> None:
    p = pkgs("npm3/package-lock.json")
    assert p["minimist"].scope == "dev"
    assert p["express"].scope == ""
    text = (FIXTURES / "npm3/package-lock.json").read_text()
    assert p["lodash"].locator in text


def test_requirements_pins_includes_constraints_and_via() -> None:
    m = parse_fixture("requirements/requirements.txt")
    p = {x.name: x for x in m.packages}
    assert p["flask"].version == "2.0.1" and p["flask"].direct is True and p["flask"].line == 14
    assert p["click"].version == "8.0.1" and p["click"].direct is False
    assert p["click"].dependency_path == ("flask", "click")
    assert p["markupsafe"].dependency_path == ("flask", "jinja2", "markupsafe")
    assert p["werkzeug"].version == "2.0.1"  # marker kept off the version
    assert p["gunicorn"].version == "" and p["gunicorn"].spec == "gunicorn>=20.0"
    assert p["pyyaml"].version == "5.3.1"  # pinned by -c constraints.txt
    assert p["requests"].manifest == "requirements/requirements-base.txt" and p["requests"].line == 2
    assert p["certifi"].version == "2020.12.5"
    assert "constraints" not in {x.manifest for x in m.packages}


def test_requirements_include_outside_tree_and_missing(tmp_path: object) -> None:
    from garrison.scan.analyzers.deps.parsers import requirements

    m = requirements.parse("-r ../../etc/passwd\n-r missing.txt\nflask==2.0.1\n", "requirements.txt", lambda _: None)
    assert [x.name for x in m.packages] == ["flask"]
    assert any("outside the scanned tree" in n for n in m.notes)
    assert any("not found" in n for n in m.notes)
    loop = {"a/requirements.txt": "-r requirements.txt\nflask==1.0\n"}
    m2 = requirements.parse(loop["a/requirements.txt"], "a/requirements.txt", loop.get)
    assert [x.version for x in m2.packages] == ["1.0"]
    with pytest.raises(ParseError, match="line 2: invalid requirement"):
        requirements.parse("# comment\nflask[=2\n", "requirements.txt", lambda _: None)


@pytest.mark.parametrize(
    "rel", ["poetry/poetry.lock", "pdm/pdm.lock", "uv/uv.lock", "uv/pylock.toml", "pipenv/Pipfile.lock"]
)
def test_python_lockfiles(rel: str) -> None:
    m = parse_fixture(rel)
    p = {x.name.lower(): x for x in m.packages}
    assert m.packages and all(x.ecosystem == "PyPI" and x.version for x in m.packages)
    direct = {n for n, x in p.items() if x.direct}
    expected = {
        "poetry/poetry.lock": {"django", "celery", "pillow", "pytest"},
        "pdm/pdm.lock": {"aiohttp", "jinja2", "pytest"},
        "uv/uv.lock": {"flask", "requests", "pyyaml", "pytest"},
        "uv/pylock.toml": {"flask", "requests", "pyyaml", "pytest"},
        "pipenv/Pipfile.lock": {"requests", "pyjwt", "pytest"},
    }[rel]
    assert direct == expected


def test_python_lockfile_details() -> None:
    poetry = pkgs("poetry/poetry.lock")
    assert poetry["django"].version == "3.2.4"
    assert poetry["sqlparse"].dependency_path == ("django", "sqlparse")
    assert poetry["amqp"].dependency_path == ("celery", "kombu", "amqp")
    pdm = pkgs("pdm/pdm.lock")
    assert pdm["iniconfig"].scope == "dev" and pdm["markupsafe"].dependency_path == ("jinja2", "markupsafe")
    uv = pkgs("uv/uv.lock")
    assert uv["flask"].version == "2.2.2" and uv["markupsafe"].dependency_path == ("flask", "jinja2", "markupsafe")
    assert uv["pytest"].scope == "dev"
    pipenv = pkgs("pipenv/Pipfile.lock")
    assert pipenv["requests"].version == "2.19.1" and pipenv["pytest"].scope == "dev"


def test_cargo_lock() -> None:
    m = parse_fixture("cargo/Cargo.lock")
    p = {(x.name, x.version): x for x in m.packages}
    assert ("edge-proxy", "0.4.0") not in p  # the workspace crate itself
    assert ("tokio-util", "0.6.7") not in p and any("git source" in n for n in m.notes)
    assert p[("smallvec", "1.6.0")].direct is True and p[("smallvec", "0.6.13")].direct is False
    assert p[("libc", "0.2.98")].dependency_path == ("time", "libc")


def test_go_mod() -> None:
    m = parse_fixture("gomod/go.mod")
    p = {x.name: x for x in m.packages}
    assert p["github.com/gin-gonic/gin"].version == "v1.9.1"  # replace applied
    assert p["golang.org/x/net"].direct is False and p["golang.org/x/net"].line == 10
    assert p["github.com/docker/docker"].version == "v20.10.7+incompatible"
    assert p["gopkg.in/yaml.v3"].direct is False
    assert "example.com/internal/auth" not in p and any("local path" in n for n in m.notes)
    assert p["stdlib"].version == "1.21.3"  # toolchain go1.21.3
    legacy = {x.name: x for x in parse_fixture("gomod-legacy/go.mod").packages}
    assert legacy["golang.org/x/net"].version == "v0.0.0-20190404232315-eb5bcb51f2a3"  # from go.sum (go 1.13)
    assert legacy["golang.org/x/net"].direct is False and legacy["golang.org/x/net"].manifest == "gomod-legacy/go.sum"
    assert "golang.org/x/sys" in legacy


def test_gemfile_lock() -> None:
    m = parse_fixture("gemfile/Gemfile.lock")
    p = {x.name: x for x in m.packages}
    assert p["nokogiri"].version == "1.11.1" and p["nokogiri"].direct is True
    assert p["rack"].dependency_path == ("actionpack", "rack")
    assert p["concurrent-ruby"].direct is False
    assert "acme-auth" not in p
    assert p["actionpack"].line == 11


def test_composer_lock() -> None:
    p = pkgs("composer/composer.lock")
    assert p["symfony/http-kernel"].version == "5.2.1"
    assert p["guzzlehttp/psr7"].dependency_path == ("guzzlehttp/guzzle", "guzzlehttp/psr7")
    assert p["phpunit/phpunit"].scope == "dev" and p["phpunit/phpunit"].direct is True


def test_gradle_and_maven() -> None:
    g = pkgs("gradle/gradle.lockfile")
    assert g["org.apache.logging.log4j:log4j-core"].version == "2.14.1"
    assert g["junit:junit"].scope == "test"
    m = parse_fixture("maven/pom.xml")
    p = {x.name: x for x in m.packages}
    assert p["org.apache.logging.log4j:log4j-core"].version == "2.14.1"  # ${log4j.version}
    assert p["com.google.guava:guava"].version == "29.0-jre"  # dependencyManagement
    assert p["com.acme:ledger-api"].version == "1.4.2"  # ${project.version}
    assert "junit:junit" not in p and any("not exact" in n for n in m.notes)
    assert any("spring-boot-starter-web: no version" in n for n in m.notes)


def test_nuget_lock() -> None:
    p = pkgs("nuget/packages.lock.json")
    assert p["Newtonsoft.Json"].version == "12.0.3" and p["Newtonsoft.Json"].direct is True
    assert p["Microsoft.Data.SqlClient"].direct is False
    assert "Acme.Ledger.Core" not in p


@pytest.mark.parametrize("rel", ["sbom/frontend.cdx.json", "sbom/frontend.spdx.json"])
def test_sbom_inputs(rel: str) -> None:
    m = parse_fixture(rel)
    p = {x.name: x for x in m.packages}
    assert len(m.packages) == 55 and p["lodash"].version == "4.17.4" and p["lodash"].ecosystem == "npm"
    assert p["express"].direct is True


def test_xml_entities_are_refused() -> None:
    from garrison.scan.analyzers.deps.parsers import maven

    bomb = '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><project>&b;</project>'
    with pytest.raises(ParseError, match="refused"):
        maven.parse(bomb, "pom.xml", lambda _: None)
    xxe = '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]><project>&x;</project>'
    with pytest.raises(ParseError, match="refused"):
        maven.parse(xxe, "pom.xml", lambda _: None)


@pytest.mark.parametrize(
    ("rel", "text", "message"),
    [
        ("package-lock.json", '{"lockfileVersion": 7}', "unsupported lockfileVersion 7"),
        ("package-lock.json", "[1, 2]", "expected an object"),
        ("poetry.lock", "[[package]]\nname = 1\n", "package[0].name: expected a string"),
        ("Cargo.lock", "[[package]\n", "invalid TOML"),
        ("go.mod", "require foo\n", "line 1: expected 'require MODULE VERSION'"),
        ("Gemfile.lock", "hello\n", "no GEM/DEPENDENCIES sections"),
        ("pnpm-lock.yaml", "lockfileVersion: 'x'\n", "unsupported lockfileVersion"),
        ("yarn.lock", "foo@1:\n  version\n", "line 2"),
        ("gradle.lockfile", "nonsense\n", "line 1: expected group:artifact:version"),
        ("pom.xml", "<notaproject/>", "expected <project>"),
        ("packages.lock.json", '{"version": 3}', "unsupported version 3"),
        ("bom.json", "{}", "neither a CycloneDX"),
        ("pylock.toml", 'lock-version = "2.0"\n', "unsupported lock-version"),
    ],
)
def test_malformed_files_give_one_line_errors(rel: str, text: str, message: str) -> None:
    name = parsers.parser_name(rel)
    assert name is not None
    with pytest.raises(ParseError) as err:
        parsers.load(name).parse(text, rel, lambda _: None)
    assert message in err.value.message and "\n" not in err.value.message
    assert err.value.message.startswith(rel)
