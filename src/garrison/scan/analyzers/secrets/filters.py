"""Hard negatives: what looks like a secret to a regex but is not one.

Pure functions over the secret, its line and its path. Provider rules (a token with a fixed prefix and
length) only get the unambiguous checks — placeholders, templating, documentation examples, embedded
images/fonts. Generic rules (``password = …``) get the lot: references to variables, lockfile hashes, git
SHAs and UUIDs, vendored libraries, minified bundles, and values too plain to be a credential.
"""

from __future__ import annotations

import hashlib
import re

from garrison.scan.analyzers.secrets.entropy import char_classes, shannon

# Substrings that mark a value as a stand-in (case-insensitive), for every rule.
_PLACEHOLDER_WORDS = (
    "example",
    "xxxx",
    "****",
    "....",
    "changeme",
    "change_me",
    "change-me",
    "changeit",
    "replace_me",
    "replaceme",
    "replace-me",
    "your_",
    "your-",
    "yourapikey",
    "yourtoken",
    "yoursecret",
    "placeholder",
    "redacted",
    "dummy",
    "insert_",
    "insert-",
    "todo",
    "fixme",
    "notarealkey",
    "not_a_real",
    "not-a-real",
)
# Further stand-in words, for generic rules only (a provider token may legitimately contain them).
_GENERIC_STOPWORDS = ("test", "sample", "fake", "mock", "demo", "foobar", "lorem", "secret_here", "password_here")
_TEMPLATE = re.compile(
    r"""^\s*(?:
        \$\{[^}]*\}? | \$\([^)]*\)? | \{\{.*\}\}? | \{%.*%\}? | <%.*%>? | %\([^)]*\)s | %[A-Za-z_]+% |
        <[^<>\s]{1,64}> | \[[^\[\]\s]{1,64}\] | \$[A-Za-z_][A-Za-z0-9_]* | @[A-Za-z_][A-Za-z0-9_]*@ |
        \#\{[^}]*\}? | __[A-Z0-9_]+__ | \#\#[A-Z0-9_]+\#\#
    )""",
    re.VERBOSE,
)
_SAME_CHAR = re.compile(r"^(.)\1+$")
_ANGLE = re.compile(r"<[A-Za-z_][\w .-]{0,40}>")
_INTERPOLATION = re.compile(r"\$[A-Za-z_{(]|%[A-Za-z_]+%|\{[A-Za-z_][\w.]*\}")
# Names that hold something *about* a secret (its name, id, path, header, length…), not the secret.
_META_KEY = re.compile(
    r"(?:name|names|id|ids|path|file|filename|arn|ref|url|uri|version|type|length|size|len|timeout|ttl|header|"
    r"field|prefix|suffix|format|env|var|count|enabled|mode|policy|store|provider|manager|backend|dir|location|"
    r"label|hint|regex|pattern|question|message|title|description|placeholder|validator|rotation|expiry|expires|"
    r"min|max|param|column|table|key_id|changed|updated|created|date|time|at|age|strength|reset|required|policy|"
    r"algorithm|algo|method|scheme|kind|class|status|state|error|errors|label_text|text|help)$",
    re.IGNORECASE,
)
# Names that contain a credential word without being about a credential value.
_NON_CREDENTIAL_KEY = re.compile(
    r"pass(?:ed|es|ing|age|enger|thr(?:ough|u)|ive)|secretar|tokeni[sz]|keyboard|keystroke|compass|bypass",
    re.IGNORECASE,
)
_SNAKE_WORDS = re.compile(r"^[a-z]+(?:_[a-z]+)+$")
_SEQUENCES = ("0123456789", "123456789", "abcdefghij", "abcdefghijklmnop", "qwertyuiop", "1234567890")
# References rather than values: env lookups, calls, attribute chains, interpolation.
_REFERENCE = re.compile(
    r"""^(?:
        (?:os\.)?(?:environ|getenv|env)\b | process\.env | ENV\[ | System\.getenv | settings\. | config\. |
        self\. | this\. | params\. | args\. | options\. | opts\. | cfg\. | secrets\. | vars\. |
        (?:var|local|module|data|each|count|path|props|state|env|inputs|matrix|steps|needs)\. |
        [A-Za-z_][\w.]*\( | \w+\.\w+\.\w+$
    )""",
    re.VERBOSE | re.IGNORECASE,
)
_HASH_PREFIX = re.compile(rb"(?:sha(?:1|224|256|384|512)[-:=]|md5[-:=]|h1:|integrity\W{0,4}$|sha\d*sum)", re.I)
_HASHY_CONTEXT = re.compile(
    rb"(?:commit|revision|\brev\b|\bsha\b|sha1|digest|checksum|hash|etag|integrity|nonce|fingerprint|uuid|guid)", re.I
)
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_HEX = re.compile(r"^[0-9a-fA-F]+$")
_EMBEDDED_BLOB = re.compile(
    rb"data:(?:image|font|audio|video|application/(?:font|x-font|octet-stream))[\w/+.-]*;base64,", re.I
)
_VENDORED = re.compile(
    r"(?:^|/)(?:node_modules|bower_components|site-packages|dist-packages|vendor|third_party|third-party|"
    r"\.venv|venv|\.tox|Pods|\.yarn/cache|\.pnpm-store)/"
)
_TESTISH_DIR = re.compile(r"(?:^|/)(?:tests?|testdata|test_data|fixtures?|__tests__|spec|specs|examples?|docs?)/", re.I)
_LOCKFILES = re.compile(
    r"(?:^|/)(?:package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|deno\.lock|bun\.lock|"
    r"poetry\.lock|Pipfile\.lock|uv\.lock|pdm\.lock|Cargo\.lock|Gemfile\.lock|composer\.lock|go\.sum|"
    r"gradle\.lockfile|packages\.lock\.json|mix\.lock|pubspec\.lock|Package\.resolved|flake\.lock)$"
)
_MINIFIED_NAME = re.compile(r"\.(?:min|bundle|chunk)\.(?:js|css|mjs)$|\.(?:js|css)\.map$")
#: a line this long is a minified bundle or a data blob: generic rules skip it
MINIFIED_LINE = 2000
_PLAIN_WORDS = frozenset(
    [
        "password",
        "passwd",
        "pwd",
        "pass",
        "secret",
        "token",
        "apikey",
        "api_key",
        "key",
        "value",
        "string",
        "none",
        "null",
        "nil",
        "true",
        "false",
        "empty",
        "required",
        "optional",
        "default",
        "admin",
        "root",
        "user",
        "username",
        "guest",
        "test",
        "testing",
        "example",
        "sample",
        "changeme",
        "letmein",
        "qwerty",
        "welcome",
        "hunter2",
        "secret123",
        "password123",
        "123456",
        "12345678",
        "undefined",
        "redacted",
        "masked",
        "hidden",
        "private",
        "public",
        "string_value",
        "your_password",
        "mypassword",
        "mysecret",
        "pa55word",
        "p@ssw0rd",
    ]
)

# Published example credentials (provider docs, RFCs, jwt.io, library test vectors), by SHA-256 so this file
# does not itself look like it leaks them.
KNOWN_EXAMPLES = frozenset(
    {
        # jwt.io's default HS256 token (signed with "your-256-bit-secret")
        "726bfedbc95a0269faf469084015cf2f36c29e363212921a933a288f3c4a4d7d",
        # Stripe's published documentation test keys
        "2cafc0970149a84f3b9e62eaf169f36f59907a3b3e31f7b82e68c69cd27f7326",
        "f2d6ca16515033e5dce14eba840b979d27b5cbae24bb3e5bf484339667f86397",
    }
)


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


def is_placeholder(secret: str) -> bool:
    """A stand-in value: the words of documentation, templating syntax, one repeated character, a sequence."""
    low = secret.lower()
    if any(w in low for w in _PLACEHOLDER_WORDS):
        return True
    if _TEMPLATE.match(secret) or "${" in secret or "{{" in secret or _ANGLE.search(secret):
        return True
    core = secret.strip("'\"`")
    if len(core) >= 2 and _SAME_CHAR.match(core):
        return True
    if len(core) >= 8 and len(set(core.replace("-", ""))) <= 3:
        return True  # 00000000-0000-…, 1111…, abababab
    return any(s in low for s in _SEQUENCES) and shannon(low.replace("0123456789", "")) < 3.0


def is_known_example(secret: str) -> bool:
    return sha256_hex(secret) in KNOWN_EXAMPLES


def in_embedded_blob(line: bytes, start_in_line: int) -> bool:
    """The match sits inside a ``data:…;base64,`` URI (inline image or font)."""
    m = _EMBEDDED_BLOB.search(line, 0, max(start_in_line, 0))
    return m is not None


def is_vendored(path: str) -> bool:
    return _VENDORED.search(path) is not None


def is_vendored_test(path: str) -> bool:
    """A test vector or fixture inside a third-party library tree."""
    return is_vendored(path) and _TESTISH_DIR.search(path) is not None


def is_lockfile(path: str) -> bool:
    return _LOCKFILES.search(path) is not None


def is_minified_name(path: str) -> bool:
    return _MINIFIED_NAME.search(path) is not None


def is_minified_line(line: bytes) -> bool:
    """Hand-written code has no 2,000-character lines; bundles, source maps and data blobs do."""
    return len(line) >= MINIFIED_LINE


_CODE_SUFFIXES = (
    ".py", ".pyi", ".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".go", ".java", ".kt", ".kts", ".scala", ".rb",
    ".php", ".cs", ".c", ".h", ".cc", ".cpp", ".hpp", ".rs", ".swift", ".m", ".dart", ".lua", ".pl", ".groovy",
    ".vue", ".svelte", ".ex", ".exs", ".clj", ".fs", ".r", ".jl",
)  # fmt: skip
_IDENTIFIER = re.compile(r"^[A-Za-z_$][\w$]*(?:(?:\.|->|::)[A-Za-z_$][\w$]*)*$")


def is_code_file(path: str) -> bool:
    return path.lower().endswith(_CODE_SUFFIXES)


def generic_rejects(
    secret: str,
    *,
    key: str,
    line: bytes,
    start_in_line: int,
    min_entropy: float,
    password: bool = False,
    end_in_line: int | None = None,
    bare: bool = False,
    code: bool = False,
) -> str | None:
    """Why a generic match is not a credential (None if it may be one). ``password`` relaxes the
    letters-and-digits requirement (passphrases may be words); tokens, keys and secrets need a digit.
    ``bare``: the value was not quoted; in source code (``code``) that is an identifier or an expression."""
    low = secret.lower()
    if len(secret) < 6:
        return "too short"
    if bare:
        if code:
            return "unquoted value in code (an identifier or expression)"
        if "[" in secret or "(" in secret:
            return "expression"
        if _IDENTIFIER.match(secret) and ("_" in secret or "." in secret or not any(c.isdigit() for c in secret)):
            return "identifier"
    elif end_in_line is not None:
        after = line[end_in_line + 1 : end_in_line + 8].lstrip()[:1]
        if after in (b"+", b"%"):
            return "part of a concatenation or format expression"
    if key and _META_KEY.search(key.rstrip("\"'`")):
        return "names something about a secret"
    if key and _NON_CREDENTIAL_KEY.search(key):
        return "not a credential name"
    if _SNAKE_WORDS.match(secret):
        return "identifier-like words"
    if _INTERPOLATION.search(secret):
        return "interpolation"
    if any(w in low for w in _GENERIC_STOPWORDS):
        return "stopword"
    if low in _PLAIN_WORDS or low.strip("_-.") in _PLAIN_WORDS:
        return "common word"
    if key and low == key.lower():
        return "same as its name"
    if _REFERENCE.match(secret):
        return "reference to another value"
    if secret.startswith(("/", "./", "../", "~/", "file:", "http://", "https://", "C:\\", "\\\\")):
        return "path or URL"
    if secret.count(" ") >= 2:
        return "prose"
    before = line[max(0, start_in_line - 24) : max(start_in_line, 0)]
    if _HASH_PREFIX.search(before):
        return "hash"
    if _UUID.match(secret):
        return "uuid"
    if _HEX.match(secret) and len(secret) in (32, 40, 64) and _HASHY_CONTEXT.search(line[: max(start_in_line, 0)]):
        return "hash"
    if secret.isalpha() and (len(secret) < 16 or secret.islower() or secret.isupper()):
        return "plain word"
    if not password and not any(c.isdigit() for c in secret):
        return "no digit (identifiers and prose, not generated keys)"
    if secret.isdigit() and len(secret) < 12:
        return "number"
    if char_classes(secret) < 2 and len(secret) < 20:
        return "too plain"
    if min_entropy and shannon(secret) <= min_entropy:
        return "low entropy"
    return None
