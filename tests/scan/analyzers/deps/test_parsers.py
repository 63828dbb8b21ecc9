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


# -- CycloneDX XML and SPDX tag-value -----------------------------------------------------------------------


def facts(rel: str) -> set[tuple[object, ...]]:
    return {(p.ecosystem, p.name, p.version, p.direct, p.dependency_path) for p in parse_fixture(rel).packages}


def test_sbom_xml_and_tag_value_routing() -> None:
    for rel in ("bom.xml", "dist/bom.xml", "app.cdx.xml", "app.bom.xml", "app.SBOM.xml", "app.spdx", "x/app.spdx"):
        assert parsers.parser_name(rel) == "sbom", rel
    assert parsers.parser_name("pom.xml") == "maven"
    for rel in ("config.xml", "app.spdx.xml", "spdx", "app.spdx.txt", "bom.xml.bak"):
        assert parsers.parser_name(rel) is None, rel


@pytest.mark.parametrize(
    ("rel", "json_rel", "fmt"),
    [
        ("sbom/bom.xml", "sbom/ledger-api.cdx.json", "CycloneDX 1.5 XML"),  # one Bom, written twice by cyclonedx-lib
        ("sbom/example.spdx", "sbom/frontend.spdx.json", "SPDX-2.3 tag-value"),  # spdx-tools conversion, annotated
    ],
)
def test_sbom_xml_and_tag_value_agree_with_json(rel: str, json_rel: str, fmt: str) -> None:
    m = parse_fixture(rel)
    assert m.format == fmt
    assert len(m.packages) == len(parse_fixture(json_rel).packages)
    assert facts(rel) == facts(json_rel)


def test_cyclonedx_xml_graph_and_nested_components() -> None:
    m = parse_fixture("sbom/bom.xml")
    p = {(x.name, x.version): x for x in m.packages}
    assert len(m.packages) == 22 and all(x.ecosystem == "PyPI" for x in m.packages)
    assert ("ledger-api", "1.4.2") not in p and ("ledger-worker", "1.4.2") not in p  # no purl: not packages
    assert p[("flask", "0.12.2")].direct is True
    markupsafe = p[("markupsafe", "1.1.1")]
    assert markupsafe.direct is False and markupsafe.dependency_path == ("flask", "jinja2", "markupsafe")
    # nested under the ledger-worker application, and under pip (vendored copies)
    assert p[("amqp", "5.0.5")].dependency_path == ("celery", "kombu", "amqp")
    assert p[("urllib3", "1.25.7")].direct is False and p[("urllib3", "1.24.1")].dependency_path == (
        "requests",
        "urllib3",
    )
    assert ("idna", "2.8") in p
    text = (FIXTURES / "sbom/bom.xml").read_text()
    assert all(x.locator and x.locator in text for x in m.packages)
    assert text.index(p[("flask", "0.12.2")].locator) == text.index("<purl>pkg:pypi/flask@0.12.2</purl>") + 5


def test_cyclonedx_xml_deep_nesting() -> None:
    from garrison.scan.analyzers.deps.parsers import sbom

    def nest(depth: int) -> str:
        inner = ""
        for i in range(depth, 0, -1):
            inner = f"<component><purl>pkg:npm/n{i}@1.0.0</purl><components>{inner}</components></component>"
        return f'<bom xmlns="http://cyclonedx.org/schema/bom/1.4"><components>{inner}</components></bom>'

    names = {x.name for x in sbom.parse(nest(5), "bom.xml", lambda _: None).packages}
    assert names == {"n1", "n2", "n3", "n4", "n5"}
    with pytest.raises(ParseError, match="nested too deeply"):
        sbom.parse(nest(sbom.MAX_DEPTH + 5), "bom.xml", lambda _: None)


@pytest.mark.parametrize(
    ("old", "new", "fmt"),
    [
        ('xmlns="http://cyclonedx.org/schema/bom/1.5"', "", "CycloneDX XML"),
        ("schema/bom/1.5", "schema/bom/1.2", "CycloneDX 1.2 XML"),
        ("schema/bom/1.5", "schema/bom/1.6", "CycloneDX 1.6 XML"),
    ],
)
def test_cyclonedx_xml_any_1x_namespace_or_none(old: str, new: str, fmt: str) -> None:
    from garrison.scan.analyzers.deps.parsers import sbom

    text = (FIXTURES / "sbom/bom.xml").read_text()
    assert old in text
    m = sbom.parse(text.replace(old, new), "bom.xml", lambda _: None)
    assert m.format == fmt
    assert {(x.name, x.version, x.direct, x.dependency_path) for x in m.packages} == {
        (x.name, x.version, x.direct, x.dependency_path) for x in parse_fixture("sbom/bom.xml").packages
    }


def test_cyclonedx_xml_foreign_elements_are_not_components() -> None:
    from garrison.scan.analyzers.deps.parsers import sbom

    text = (
        '<bom xmlns="http://cyclonedx.org/schema/bom/1.6" xmlns:x="urn:example">'
        "<components><component><purl>pkg:pypi/flask@1.0</purl></component>"
        "<x:component><purl>pkg:pypi/django@3.2</purl></x:component></components></bom>"
    )
    assert [x.name for x in sbom.parse(text, "bom.xml", lambda _: None).packages] == ["flask"]
    with pytest.raises(ParseError, match=r"not CycloneDX 1\.x"):
        sbom.parse('<bom xmlns="http://cyclonedx.org/schema/bom/2.0"/>', "bom.xml", lambda _: None)
    with pytest.raises(ParseError, match="expected CycloneDX <bom>"):
        sbom.parse("<project/>", "x.cdx.xml", lambda _: None)


def test_cyclonedx_xml_entities_and_doctype_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from garrison.scan.analyzers.deps.parsers import sbom

    calls: list[str] = []
    monkeypatch.setattr(sbom, "purl_package", lambda purl: calls.append(purl))  # nothing may get that far
    ns = 'xmlns="http://cyclonedx.org/schema/bom/1.5"'
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    bombs = {
        "billion laughs": f'<?xml version="1.0"?><!DOCTYPE bom [<!ENTITY l0 "lol">{laughs}]>'
        f"<bom {ns}><components><component><purl>pkg:pypi/a@&l9;</purl></component></components></bom>",
        "external entity": '<?xml version="1.0"?><!DOCTYPE bom [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        f"<bom {ns}><components><component><purl>pkg:pypi/a@&x;</purl></component></components></bom>",
        "external DTD": f'<!DOCTYPE bom SYSTEM "http://attacker.invalid/x.dtd"><bom {ns}/>',
    }
    for what, text in bombs.items():
        with pytest.raises(ParseError, match="refused") as err:
            sbom.parse(text, "sbom/bom.xml", lambda _: None)
        assert err.value.message.startswith("sbom/bom.xml: "), what
        assert len(err.value.message) < 200, what
    assert calls == []


def test_spdx_tag_value_text_blocks_are_skipped() -> None:
    m = parse_fixture("sbom/example.spdx")
    p = {x.name: x for x in m.packages}
    assert "not-a-package" not in p and p["express"].version == "4.16.0"  # decoys inside <text>…</text>
    assert p["lodash"].version == "4.17.4" and p["lodash"].direct is True  # PACKAGE_MANAGER spelling
    assert p["minimist"].direct is True  # DEPENDENCY_OF
    assert p["body-parser"].direct is False
    lines = (FIXTURES / "sbom/example.spdx").read_text().split("\n")
    line = p["lodash"].line
    assert line is not None and lines[line - 1] == "ExternalRef: PACKAGE_MANAGER purl pkg:npm/lodash@4.17.4"
    assert all(x.line for x in m.packages)


def test_spdx_tag_value_file_ids_do_not_rename_packages() -> None:
    from garrison.scan.analyzers.deps.parsers import sbom

    text = (
        "SPDXVersion: SPDX-2.2\nSPDXID: SPDXRef-DOCUMENT\n\n"
        "PackageName: app\nSPDXID: SPDXRef-app\n\n"
        "PackageName: flask\nSPDXID: SPDXRef-flask\nPackageVersion: 2.0.1\n"
        "ExternalRef: PACKAGE-MANAGER purl pkg:pypi/flask@2.0.1\n"
        "FileName: ./flask/app.py\nSPDXID: SPDXRef-File-app\n\n"  # a file of the flask package
        "PackageName: click\nSPDXID: SPDXRef-click\nExternalRef: PACKAGE-MANAGER purl pkg:pypi/click@8.0.1\n\n"
        "Relationship: SPDXRef-DOCUMENT DESCRIBES SPDXRef-app\n"
        "Relationship: SPDXRef-app DEPENDS_ON SPDXRef-flask\n"
        "Relationship: SPDXRef-click DEPENDENCY_OF SPDXRef-flask\n"
    )
    p = {x.name: x for x in sbom.parse(text, "app.spdx", lambda _: None).packages}
    assert p["flask"].direct is True and p["flask"].line == 10
    assert p["click"].direct is False and p["click"].dependency_path == ("flask", "click")


@pytest.mark.parametrize(
    ("rel", "text", "message"),
    [
        ("bom.xml", '<bom xmlns="http://cyclonedx.org/schema/bom/1.5"><components>', "invalid XML"),
        ("app.cdx.xml", "<bom><components><component></bom>", "invalid XML: mismatched tag"),
        ("app.cdx.xml", "<bom>\x00</bom>", "invalid XML"),
        ("bom.xml", "", "invalid XML: no element found"),
        ("app.spdx", "SPDXVersion: SPDX-2.3\nPackageName: a\nPackageComment: <text>never\nclosed\n", "line 3: "),
        ("app.spdx", "SPDXVersion: SPDX-2.3\nPackageName: a\nthis is not a tag\n", "line 3: expected 'Tag: value'"),
        ("app.spdx", "PackageName: a\n", "no SPDXVersion"),
        ("app.spdx", "SPDXVersion: SPDX-3.0\n", "not an SPDX 2.x tag-value document"),
        ("app.spdx", "SPDXVersion: SPDX-2.3\nPackageName: a\nExternalRef: purl\n", "line 3: expected 'ExternalRef"),
        ("app.spdx", "SPDXVersion: SPDX-2.2\nRelationship: A DEPENDS_ON\n", "line 2: expected 'Relationship"),
    ],
)
def test_malformed_xml_and_tag_value(rel: str, text: str, message: str) -> None:
    name = parsers.parser_name(rel)
    assert name == "sbom"
    with pytest.raises(ParseError) as err:
        parsers.load(name).parse(text, rel, lambda _: None)
    assert message in err.value.message and "\n" not in err.value.message
    assert err.value.message.startswith(f"{rel}: ")


def test_unterminated_text_names_the_file_and_tag() -> None:
    text = (FIXTURES / "sbom/example.spdx").read_text()
    cut = text[: text.index("</text>")]  # the DocumentComment never closes
    with pytest.raises(ParseError, match=r"^sbom/example\.spdx: line 7: DocumentComment <text> is never closed"):
        parsers.load("sbom").parse(cut, "sbom/example.spdx", lambda _: None)


def test_requirements_record_normalised_markers() -> None:
    p = pkgs("markers/requirements.txt")
    assert p["flask"].marker == 'sys_platform == "win32"'
    assert p["django"].marker == 'python_version < "3.8"'  # "pkg==x;marker" without a space
    assert p["pyyaml"].marker == 'platform_machine == "arm64"'
    # a marker continued over two lines with "\"
    assert p["requests"].marker == 'python_version >= "3.8" and sys_platform != "win32"'
    assert p["requests"].version == "2.19.1" and p["requests"].line == 5
    assert p["cryptography"].marker == 'extra == "crypto"'
    assert p["urllib3"].marker == ""
    # an invalid marker keeps the package, pinned, with no marker (the file is not skipped)
    assert p["jinja2"].version == "2.10" and p["jinja2"].marker == ""
    assert pkgs("requirements/requirements.txt")["werkzeug"].marker == 'python_version >= "3.6"'


def test_requirements_invalid_requirement_with_a_marker_is_still_an_error() -> None:
    from garrison.scan.analyzers.deps.parsers import requirements

    with pytest.raises(ParseError, match="line 1: invalid requirement"):
        requirements.parse('flask[=2 ; sys_platform == "win32"\n', "requirements.txt", lambda _: None)


def test_python_lockfiles_record_markers() -> None:
    win = 'sys_platform == "win32"'
    # tool-generated fixtures: uv puts the marker on pytest's edges, its pylock export on the packages
    uv = pkgs("uv/uv.lock")
    assert uv["atomicwrites"].marker == win and uv["colorama"].marker == win
    assert uv["pytest"].marker == "" and uv["attrs"].marker == ""
    pylock = pkgs("uv/pylock.toml")
    assert pylock["atomicwrites"].marker == win and pylock["colorama"].marker == win and pylock["flask"].marker == ""
    pipenv = pkgs("pipenv/Pipfile.lock")
    assert (
        pipenv["certifi"].marker == 'python_version >= "3.7"' and pipenv["pytest"].marker == 'python_version >= "3.7"'
    )
    assert all(x.marker == "" for x in parse_fixture("poetry/poetry.lock").packages)  # Poetry 1.8: edges only

    p = pkgs("markers/pylock.toml")
    assert p["flask"].marker == 'sys_platform == "win32" or platform_system == "Windows"'
    assert p["urllib3"].marker == 'python_version < "3.8"' and p["certifi"].marker == ""
    p = pkgs("markers/Pipfile.lock")
    assert p["pywin32-ctypes"].marker == win
    assert p["urllib3"].marker == 'python_version >= "2.7" and python_version not in "3.0, 3.1"'
    assert p["idna"].marker == "" and p["idna"].version == "2.7"  # invalid marker: kept, nothing recorded
    assert p["certifi"].marker == ""
    p = pkgs("markers/poetry.lock")
    assert p["pywin32"].marker == win
    assert p["colorama"].marker == 'platform_system == "Windows" or sys_platform == "win32"'  # main or dev
    assert p["tomli"].marker == ""  # in "main" without a marker: always installed
    assert p["flask"].marker == ""


def test_uv_markers_follow_every_path_from_the_root() -> None:
    m = parse_fixture("markers/uv.lock")
    p = {(x.name, x.version): x.marker for x in m.packages}
    assert p[("flask", "0.12.2")] == ""
    assert p[("click", "8.0.1")] == ""  # reached unmarked through flask, although importlib-metadata's edge is too
    # marked on every edge that reaches it (flask -> and click ->), in a cycle with click
    assert p[("importlib-metadata", "4.0.1")] == 'python_version < "3.8"'
    assert p[("zipp", "3.4.1")] == 'python_version < "3.8"'  # the same marker twice on the path counts once
    # two paths with different markers: either one installs it
    assert p[("colorama", "0.4.4")] == 'platform_system == "Windows" or sys_platform == "win32"'
    assert p[("pywin32", "306")] == 'sys_platform == "win32"'  # an optional-dependencies edge
    # a version chosen only in one fork of the resolution carries the fork's marker
    assert p[("numpy", "1.24.4")].endswith('and python_full_version < "3.10"')
    assert p[("numpy", "2.2.0")].endswith('and python_full_version >= "3.10"')


def test_uv_marker_cap_falls_back_to_unconditional() -> None:
    from garrison.scan.analyzers.deps.parsers import uv

    edges = "\n".join(f'    {{ name = "m{i}", marker = "platform_release == \'{i}\'" }},' for i in range(20))
    lock = [
        '[[package]]\nname = "app"\nversion = "1"\nsource = { virtual = "." }\ndependencies = [\n' + edges + "\n]\n"
    ]
    for i in range(20):
        lock.append(f'[[package]]\nname = "m{i}"\nversion = "1"\nsource = {{ registry = "x" }}\n'
                    'dependencies = [{ name = "leaf" }]\n')  # fmt: skip
    lock.append('[[package]]\nname = "leaf"\nversion = "1"\nsource = { registry = "x" }\n')
    p = {x.name: x.marker for x in uv.parse("\n".join(lock), "uv.lock", lambda _: None).packages}
    assert p["m3"] == 'platform_release == "3"'
    assert p["leaf"] == ""  # 20 alternative paths: more than MAX_DISJUNCTS, kept unconditionally
