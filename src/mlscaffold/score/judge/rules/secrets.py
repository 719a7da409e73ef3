"""Committed secrets. Values are redacted everywhere: only a prefix and a length are reported."""

from __future__ import annotations

from typing import Any

from mlscaffold.score.judge.rules import rule
from mlscaffold.score.model import Evidence, Verdict
from mlscaffold.score.read import linear, scan
from mlscaffold.score.read.index import RepoIndex
from mlscaffold.score.read.linear import lazy
from mlscaffold.score.read.walk import FileEntry

# (label, pattern): the whole match is the secret, except in a URL where it is the password.
PATTERNS: list[tuple[str, str]] = [
    ("AWS access key id", r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    # the header and the start of a key's body (a line break, written out as \n inside JSON,
    # then base64): a document or a scanner's own pattern naming the header holds no key
    (
        "private key",
        r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----"
        # (the lines of a string literal or a notebook cell between: quotes, commas, a plus)
        r"(?:\\r|\\n|[\r\n \t\"',+]|Proc-Type:[^\n]*|DEK-Info:[^\n]*){1,40}[A-Za-z0-9+/]{40}",
    ),
    ("GitHub token", r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{60,})\b"),
    ("Slack token", r"\bxox[abprs]-[0-9A-Za-z-]{10,}\b"),
    ("Google API key", r"\bAIza[0-9A-Za-z_-]{35}\b"),
    ("Stripe live key", r"\bsk_live_[0-9A-Za-z]{24,}\b"),
    ("OpenAI key", r"\bsk-(?:proj-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}\b"),
    ("Hugging Face token", r"\bhf_[A-Za-z]{34,}\b"),
    # a signed JSON Web Token (header and claims both JSON objects, base64url): an access
    # token a service accepts until it expires
    ("JSON Web Token", r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{16,}"),
    ("password in URL", r"\b[a-z][a-z0-9+.-]{1,20}://[^\s:/@'\"]{1,64}:[^\s:/@'\"]{3,128}@[\w.-]+"),
]
# One regex for all of them (named alternatives g0, g1, ...), so each file is searched once.
_ANY_TOKEN = lazy("|".join(f"(?P<g{i}>{p})" for i, (_, p) in enumerate(PATTERNS)))
_CONFIG_SECRET = lazy(
    # An optional "//registry.npmjs.org/:" scope before the key, as .npmrc writes it.
    r"""^[ \t]*(?://[^\s:]*:)?["']?[\w.-]*(password|passwd|pwd|secret[_-]?key|secret|"""
    r"""api[_-]?key|apikey|access[_-]?key|"""
    r"""auth[_-]?token|private[_-]?key|client[_-]?secret)["']?[ \t]*[:=][ \t]*"""
    r"""["']?([^\s"'#,}]{6,})""",
    linear.I | linear.M,
)
_SERVICE_DEFAULTS = "minioadmin|admin|root|postgres|mysql|airflow|mlflow|guest|user"
_PLACEHOLDER = lazy(
    r"^(\\?\$\{?|<|\[|\{\{|%\(|os\.environ|env\(|getenv|changeme|change_me|update|replace|"
    # local defaults of the usual services (MinIO, Postgres, Airflow...)
    rf"({_SERVICE_DEFAULTS})$|"
    r"example|placeholder|redacted|your|(enter|insert|paste|put)[_-]|xxx|(abc|123|xyz)+$|\*\*\*|"
    r"null|none|true|false|"
    r"secret$|password$|passwd$|pass$|pwd$|dummy|test|fake|sample)",
    linear.I,
)
_SERVICE_DEFAULT = lazy(rf"^({_SERVICE_DEFAULTS})$", linear.I)
# DB_PASSWORD, MY_API_KEY: the name of the value to put there, in capitals (case matters).
_NAMED_PLACEHOLDER = lazy(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$")


def _placeholder(value: str) -> bool:
    return bool(_PLACEHOLDER.match(value) or _NAMED_PLACEHOLDER.match(value))


def _framework_key(data: bytes, m: Any) -> bool:
    """A web framework's signing key assigned where the framework reads it: Django's
    module-level ``SECRET_KEY = "..."`` (no indentation), Flask's ``app.secret_key = "..."``
    or ``app.config["SECRET_KEY"] = "..."``; not a keyword argument or a local."""
    name = m.group(1)
    before = data[data.rfind(b"\n", 0, m.start()) + 1 : m.start()]
    if name == b"SECRET_KEY":
        return before == b"" or before.rstrip().endswith((b'config["', b"config['"))
    return name == b"app.secret_key" and before.strip() == b""


def _placeholder_word(value: str) -> bool:
    """A placeholder, not counting the services' local defaults (a real, if weak, password)."""
    return _placeholder(value) and not _SERVICE_DEFAULT.match(value)


_SCAN_SUFFIXES = frozenset(
    [
        ".py",
        ".ipynb",
        ".yaml",
        ".yml",
        ".json",
        ".toml",
        ".cfg",
        ".ini",
        ".env",
        ".sh",
        ".txt",
        ".conf",
        ".properties",
        ".tf",
        ".tfvars",
        ".js",
        ".ts",
        ".r",
        ".sql",
        ".md",
        ".xml",
        ".dockerfile",
        ".pem",
        ".key",
    ]
)
_CONFIG_SUFFIXES = frozenset(
    [".yaml", ".yml", ".json", ".toml", ".cfg", ".ini", ".env", ".conf", ".properties", ".tfvars"]
)
# Tools' own configuration files, which have no suffix: DVC remotes (`auth = basic` with a
# `password`), PyPI uploads, s3cmd, npm tokens, the AWS credentials file.
_CONFIG_NAMES = frozenset([".pypirc", ".s3cfg", ".npmrc"])
_CONFIG_PATHS = (".dvc/config", ".dvc/config.local", ".aws/credentials")


_CONFIG_LEAVES = frozenset([*_CONFIG_NAMES, "config", "config.local", "credentials"])


def _tool_config(path: str, name: str) -> bool:
    """Asked of every listed file: the name test first, the folder test only for those names."""
    if name not in _CONFIG_LEAVES:
        return False
    return name in _CONFIG_NAMES or any(path == p or path.endswith("/" + p) for p in _CONFIG_PATHS)


_ENV_SECRET = lazy(
    r"^[ \t]*(?:export[ \t]+)?([A-Za-z0-9_]*(?:KEY|TOKEN|SECRET|PASSWORD|PASSWD|PWD|CREDENTIALS?)"
    r"[A-Za-z0-9_]*)[ \t]*=[ \t]*[\"']?([^\s\"'#]{6,})",
    linear.I | linear.M,
)
# A credential written into source code: a quoted literal assigned to (or passed through one
# call for) a name that says it is one: a Flask app's secret key set to a literal, a demo
# user's hashed password computed from a literal, a keyword argument password=<literal>.
_CODE_SECRET = lazy(
    # the name: a variable, an attribute, a keyword argument, a dict key or config["KEY"]
    r"""\b([\w.]*(?:password|passwd|secret[_-]?key|client[_-]?secret|api[_-]?key|apikey|"""
    r"""access[_-]?key|auth[_-]?token|private[_-]?key))["']?\]?[ \t]*"""
    # a type annotation (SECRET_KEY: str = ...), then = or a dict's colon
    r"""(?::[ \t]*[\w.\[\], |]{1,40}[ \t]*=|=|:)[ \t]*"""
    # through a hash or an encoding of the literal, not a lookup (getenv("DB_PASSWORD"))
    r"""(?:[\w.]{0,30}(?:sha\d+|md5|hash\w*|encode|b64encode|hashpw)\([ \t]*)?"""
    r"""[rbf]?["']([^\s"']{4,})["']""",
    linear.I,
)
# A value filled in from elsewhere: a format field ({password}, %(pw)s, %s), a shell variable
# ($DB_PASSWORD, ${KEY}) or a slot (<your-key>). A generated key may hold % and $ (Django's
# 'django-insecure-...%#d...'), so only these shapes are excused, not the characters.
_TEMPLATED = lazy(r"\{[^}]*\}|^\$|\$\{|%\(|%[sdr]|^<[^>]*>$")
# A token assigned by name (line_notify_token = '5p5s...'): many ML modules name tokenizer
# tokens (pad_token = "[PAD]", eos_token = "</s>"), so only a long value mixing upper case,
# lower case and digits, as generated tokens do, is taken for a credential.
_CODE_TOKEN = lazy(
    r"""\b([\w.]*token)["']?\]?[ \t]*(?::[ \t]*[\w.\[\], |]{1,40}[ \t]*=|=|:)[ \t]*"""
    r"""[rbf]?["']([A-Za-z0-9_.+/=-]{20,200})["']""",
    linear.I,
)


_WORD_RUN = lazy(r"[a-z]{8}")


def _generated(value: str) -> bool:
    """Whether a value looks generated: at least two each of upper case, lower case, digits,
    and no word (a run of 8 lower-case letters: 'sentence-transformers/all-MiniLM-L6-v2')."""
    if _WORD_RUN.search(value):
        return False
    upper = sum(c.isupper() for c in value)
    lower = sum(c.islower() for c in value)
    digits = sum(c.isdigit() for c in value)
    return upper >= 2 and lower >= 2 and digits >= 2


# A credential's fallback written into application source: os.getenv("DB_PASSWORD", "postgres").
# The variable must be named for the secret itself (SECRET_NAME, SECRET_VERSION only point at
# one), and the fallback counts even when it is a service's local default: whoever deploys
# without setting the variable runs with a password everyone can read.
_ENV_FALLBACK_SECRET = lazy(
    r"""(?:getenv|environ\.get|environ\.setdefault)\([ \t]*["']([A-Za-z0-9_]*"""
    r"""(?:PASSWORD|PASSWD|PWD|SECRET|SECRET_KEY|API_KEY|APIKEY|ACCESS_KEY|PRIVATE_KEY|"""
    r"""AUTH_TOKEN|CLIENT_SECRET))["'][ \t]*,[ \t]*[rbf]?["']([^\s"'{}$%<>]{4,})["']""",
    linear.I,
)
# Where credentials are written, committed without them (yet): a .env naming a credential
# (DB_PASSWORD= with no value or a placeholder), a Kubernetes Secret manifest with data slots.
# Values put there are committed with the next change, so the file itself should be ignored.
SLOT = "slot: "
_ENV_SLOT = lazy(
    r"^[ \t]*(?:export[ \t]+)?([A-Za-z0-9_]*(?:KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?))"
    r"[ \t]*=[ \t]*[\"']?([^\s\"'#]*)",
    linear.M | linear.I,
)
# A front end's settings, shipped to every browser (NEXT_PUBLIC_SUPABASE_ANON_KEY): public.
_PUBLIC_SETTINGS = ("NEXT_PUBLIC_", "VITE_", "REACT_APP_", "PUBLIC_", "EXPO_PUBLIC_")
_FILE_PATH = lazy(r"^(/|~|\.{1,2}/)|\.(pem|json|key|txt|p12|pfx|crt|ya?ml)$", linear.I)
# A value in code that is a path: relative, home or a drive, or a folder then a key file's
# name (a base64 secret may begin with a slash).
_PATH_VALUE = lazy(
    r"^(\.{1,2}/|~/|[a-z]:\\)|/[\w.-]+\.(pem|json|key|txt|p12|pfx|crt|ya?ml|kdbx)$", linear.I
)
# Words saying what goes in a slot, as code writes them ("add-your-key-here", "your_api_key"),
# or a value blanked out ("sk-xxxxxxxxxxxx", "********").
_CODE_SLOT = lazy(
    r"your[_-]|placeholder|^(add|enter|insert|paste|put)[_-]|x{6}|X{6}|\*{6}", linear.I
)
_TEMPLATE_NOTE = lazy(r"#[^\n]*\b(copy|rename|template|example)\b", linear.I)
_EXAMPLE_FILE = lazy(
    r"(^|/)(examples?|samples?|templates?)/|(^|[/._-])(example|sample|template)s?([._-][^/]*)?$",
    linear.I,
)
_K8S_SECRET = lazy(r"^kind:[ \t]*Secret[ \t]*$", linear.M)
_K8S_DATA = lazy(r"^(string)?[Dd]ata:", linear.M)
# A compose service's name (db, mlflow-db:5432/x: no dots), a Kubernetes service's in-cluster
# name (postgres.feast.svc) or Docker's host alias: not a host on a network others reach.
_SERVICE_HOST = lazy(r"^([\w-]+|[\w.-]+\.svc(\.cluster\.local)?|host\.docker\.internal)$")
_LOCAL_HOST = lazy(r"(localhost|127\.0\.0\.1|0\.0\.0\.0)\b")
# A config value that names or computes a secret rather than holding one: a call
# (Secret.from_token(...)), a variable (api_key = api_key), a Kubernetes secret's name
# (gcs-credentials).
_REFERENCE = lazy(
    r"\(|^[a-z][a-z0-9]*(_[a-z0-9]+)*_?(key|token|secret|password)$|[-_]credentials?$"
)
# A value named for what goes there (my_rackspace_api_key, db_password): a placeholder in code
# and in a URL (postgresql://user:db_password@host); a config value is judged as written.
# Keys made to be public, shipped to every browser: PostHog's project key, Stripe's and
# Mapbox's publishable keys.
_PUBLISHABLE = lazy(r"phc_|pk_(live|test)_|pk\.ey")
_NAMED_FOR_IT = lazy(r"[_-](api[_-]?key|password|secret|token)$", linear.I)
# A value named for a placeholder but carrying digits ("test123") is a real, weak credential.
_NUMBERED_PLACEHOLDER = lazy(r"^(test|sample|demo|dummy|fake)[_-]?\d+$", linear.I)
# Source that is not the application: tests and documentation may spell example credentials.
_NOT_APP_SOURCE = lazy(
    r"(^|/)(tests?|docs?|examples?|bench(?:es|marks?)?)([-_][\w-]*)?/|(^|/)(test_[^/]*|[^/]*_test|conftest)\.py$"
)
_TEST_SOURCE = lazy(r"(^|/)tests?/|(^|/)(test_[^/]*|[^/]*_test|conftest)\.py$")
_DOTENV = lazy(r"(^|/)\.env(\.[\w-]+)?$")
_DOTENV_OK = lazy(r"\.(example|sample|template|dist|defaults?)$")
MAX_SCAN_BYTES = 512 * 1024
# Dependency lock files name packages and versions; a key such as "registry-auth-token" in
# them is a package's name. (Tokens with a known shape, or a password in a registry URL, are
# still looked for in them.)
_LOCK_FILES = frozenset(
    "package-lock.json npm-shrinkwrap.json yarn.lock pnpm-lock.yaml poetry.lock Pipfile.lock "
    "uv.lock composer.lock Cargo.lock conda-lock.yml".split()
)


# Every match of _CONFIG_SECRET contains one of these, in some case.
_CONFIG_KEYWORDS = (b"pass", b"pwd", b"secret", b"api", b"access", b"auth", b"private")


def _may_set_secrets(data: bytes) -> bool:
    """False only when _CONFIG_SECRET cannot match: an ASCII text in which no keyword occurs in
    any case. Non-ASCII text always goes to the regex, whose case folding also equates some
    non-ASCII letters with ASCII ones (U+017F with s)."""
    if not data.isascii():
        return True
    lowered = data.lower()
    return any(keyword in lowered for keyword in _CONFIG_KEYWORDS)


# Every match of _CODE_SECRET names one of these: one automaton pass over a module rules most
# out ("pass" alone is a statement, not a password).
_CREDENTIAL_WORD = lazy(
    r"passw|pwd|secret|api[_-]?key|apikey|access[_-]?key|private[_-]?key|auth[_-]?token", linear.I
)


def redact(value: str) -> str:
    """The first characters of a secret (at most four, never more than half), and its length."""
    return f"{value[: min(4, len(value) // 2)]}…({len(value)} chars)"


def _wants(entry: FileEntry) -> bool:
    """Files the secrets scan reads (asked of every listed file: cheap tests first)."""
    path = entry.path
    if (path.startswith(".env") or "/.env" in path) and _DOTENV.search(path):
        return not _DOTENV_OK.search(path)
    return entry.size <= MAX_SCAN_BYTES and (
        entry.suffix in _SCAN_SUFFIXES
        or (path.endswith(_SPECIAL) and entry.name in _SPECIAL)
        or _tool_config(path, entry.name)
        # a file with no suffix at all (a token file, a script without .sh), if small
        or (not entry.suffix and entry.size <= _BARE_NAME_BYTES and "." not in entry.name)
    )


# Words saying what goes in a slot (xoxb-your-bot-token-here).
_SLOT_WORDS = lazy(r"your[_-]|[_-]here\b|placeholder", linear.I)
# A token file is small; a suffixless file of more is a dataset's (MNIST's idx files) or a
# script, which the other scans read when they need to.
_BARE_NAME_BYTES = 4 * 1024
# Files read whatever their suffix: build files, and SSH private keys under their usual names.
_SPECIAL = ("Dockerfile", "Makefile", "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519")
# A token typed by hand for a test or a doc (AKIA1234567890ABCDEF, ghp_xxxxxxxx...): a run of
# counting digits or letters, or one character repeated; generated keys have neither.
_MADE_UP = lazy(
    r"0123456|1234567|2345678|3456789|abcdefg|ABCDEFG|"
    r"x{8}|X{8}|0{8}|1{8}|a{8}|A{8}|\*{8}"
)
# Terraform keeps every resource attribute in its state, passwords and tokens among them, in
# plain text: a committed state with resources (an empty one is a few hundred bytes) publishes
# them, whatever its size (judged by name and size; nothing is read).
_TF_STATE = (".tfstate", ".tfstate.backup")
_TF_STATE_EMPTY = 512
_TF_STATE_NOTE = (
    "Terraform state committed (it keeps resource attributes, credentials among them, in plain "
    "text)"
)


def _secrets_in(path: str, data: bytes) -> list[tuple[int, str]]:
    """(line, note) of each secret in one file's bytes (run in the index's single pass over file
    contents; plain tuples, so the facts can be cached)."""
    found: list[tuple[int, str]] = []
    if ".env" in path and _DOTENV.search(path):
        # A committed .env is only a leak when it holds a secret-looking value; one that names
        # credentials without values yet is where they will be written, and committed.
        for m in _ENV_SECRET.finditer(data):
            value = m.group(2).decode("utf-8", "replace")
            if not _placeholder(value):
                line = _line(data, m)
                name = m.group(1).decode("utf-8", "replace")
                return [(line, f"committed .env sets {name} {redact(value)}")]
        # "Copy this file and fill in...": a template, whatever its name
        slots = () if _TEMPLATE_NOTE.search(data) else _ENV_SLOT.finditer(data)
        for slot in slots:
            name = slot.group(1).decode("utf-8", "replace")
            value = slot.group(2).decode("utf-8", "replace")
            if name.upper().startswith(_PUBLIC_SETTINGS) or (value and not _placeholder(value)):
                continue
            line = _line(data, slot)
            return [(line, f"{SLOT}the committed .env is where {name} goes")]
        return found
    tokens = linear.compiled(_ANY_TOKEN)
    # Most files hold no token: one search says so, without the iteration's match objects.
    for m in tokens.finditer(data) if tokens.first_span(data) is not None else ():
        label = PATTERNS[int((m.lastgroup or "g0")[1:])][0]
        value = m.group(0).decode("utf-8", "replace")
        if label == "password in URL":
            host = value.rsplit("@", 1)[1]
            user, _, value = value.split("://", 1)[1].rsplit("@", 1)[0].partition(":")
            if (
                _placeholder_word(value)
                # a demo default (feast:feast, postgres:postgres) of a local or compose
                # service; on a remote host it opens that host to everyone reading
                or ((value == user or _SERVICE_DEFAULT.match(value)) and _SERVICE_HOST.match(host))
                or _NAMED_FOR_IT.search(value)
                or _LOCAL_HOST.match(host)  # a local default (postgres:postgres@localhost)
                or _TEST_SOURCE.search(path)  # a test's fixture URL
            ):
                continue
        if (
            "EXAMPLE" in value
            or (label in ("private key", "JSON Web Token") and _TEST_SOURCE.search(path))
            or (label == "JSON Web Token" and (path.endswith(".md") or _public_jwt(value)))
            # (a key's body may hold runs: an OpenSSH key's header bytes encode as AAAAAAAA)
            or (label not in ("password in URL", "private key") and _MADE_UP.search(value))
            # a token's prefix before words saying what goes there (xoxb-your-bot-token-here)
            or (label not in ("password in URL", "private key") and _SLOT_WORDS.search(value))
        ):
            continue  # AWS's documented example key; a test's fixture; a public JWT
        found.append((_line(data, m), f"{label} {redact(value)}"))
        break
    if path.endswith((".py", ".ipynb")) and not found:
        credential = linear.compiled(_CREDENTIAL_WORD).first_span(data) is not None
        token = b"oken" in data or b"OKEN" in data
        # (the cheap tests first: most modules name no credential, and the path's test is
        # asked of the few that do)
        if not (credential or token) or _NOT_APP_SOURCE.search(path):
            return found
        if path.endswith(".ipynb"):
            return _notebook_secrets(data, credential, token)
        hit = _code_secrets(data, credential, token)
        return [hit] if hit is not None else found
    name = path.rsplit("/", 1)[-1]
    if name in _LOCK_FILES:
        return found  # package names ("registry-auth-token": "^3.0.1"), not settings
    if (
        name[name.rfind(".") :].lower() in _CONFIG_SUFFIXES
        or name.startswith(".env")
        or _tool_config(path, name)
    ) and _may_set_secrets(data):
        line, counted = 1, 0  # lines counted on from the last hit, not from the start
        for m in _CONFIG_SECRET.finditer(data):
            value = m.group(2).decode("utf-8", "replace")
            if _placeholder(value) or _REFERENCE.search(value) or _made_up(value):
                continue  # (a sample.env's PREFECT_API_KEY=ABCDEFGH is made up too)
            line += data.count(b"\n", counted, m.start())
            counted = m.start()
            key = m.group(1).decode("utf-8", "replace").lower()
            found.append((line, f"{key} {redact(value)}"))
            if len(found) == _MAX_HITS_A_FILE:
                break
    if (
        not found
        and path.endswith((".yaml", ".yml"))
        and not _EXAMPLE_FILE.search(path)
        and b"{{" not in data  # a Helm template: the values come from elsewhere
        and (manifest := _K8S_SECRET.search(data))
        and _K8S_DATA.search(data)
    ):
        line = _line(data, manifest)
        found.append((line, f"{SLOT}a Kubernetes Secret manifest is committed"))
    return found


def _code_secrets(data: bytes, credential: bool, token: bool) -> tuple[int, str] | None:
    for search in (
        _code_secret if credential else None,
        _code_token if token else None,
        _env_fallback if credential else None,
    ):
        hit = search(data) if search is not None else None
        if hit is not None:
            return hit
    return None


_MAX_CELLS = 20_000


def _notebook_secrets(data: bytes, credential: bool, token: bool) -> list[tuple[int, str]]:
    """A credential in a notebook's code cells (nbformat 4's ``source``, 3's ``input``), read
    as a module's code: markdown cells that quote an example and outputs that print a data row
    are not code. A file that is no such notebook is searched whole."""
    from mlscaffold.score.read.readers.structured import load_json

    doc, _ = load_json(data)
    cells = doc.get("cells") if isinstance(doc, dict) else None
    if isinstance(doc, dict) and cells is None and isinstance(doc.get("worksheets"), list):
        cells = [  # nbformat 3: cells in worksheets, code under "input"
            cell
            for sheet in doc["worksheets"][:_MAX_CELLS]
            if isinstance(sheet, dict) and isinstance(sheet.get("cells"), list)
            for cell in sheet["cells"][:_MAX_CELLS]
        ]
    if not isinstance(cells, list) or len(cells) > _MAX_CELLS:
        # Not a notebook this reader knows (a merge conflict, truncated JSON, a dict of cells,
        # too many cells): its text is searched as code, quotes unescaped, as a last resort.
        hit = _code_secrets(data.replace(b'\\"', b'"'), credential, token)
        return [hit] if hit is not None else []
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", cell.get("input"))
        code = (
            "".join(x for x in source if isinstance(x, str)) if isinstance(source, list) else source
        )
        if not isinstance(code, str) or not code:
            continue
        hit = _code_secrets(code.encode("utf-8", "replace"), credential, token)
        if hit is not None:
            return [(1, hit[1])]  # (a notebook's evidence carries no line: see Evidence)
    return []


def _code_secret(data: bytes) -> tuple[int, str] | None:
    """A credential written into source code (_CODE_SECRET), not a placeholder."""
    for m in _CODE_SECRET.finditer(data):
        value = m.group(2).decode("utf-8", "replace")
        # Django and Flask sign sessions with whatever SECRET_KEY holds: a literal there,
        # "PLEASE_CHANGE_ME" included, is the key every deployment runs with, so no
        # placeholder excuse applies to it.
        # (a template's slot, {{ cookiecutter.secret_key }} or ${SECRET_KEY}, is no key even
        # there; a generated key's %s or $ is)
        if (
            "{{" in value
            or "${" in value
            or (
                not _framework_key(data, m)
                and (
                    _TEMPLATED.search(value)
                    or _PATH_VALUE.search(value)  # where a credential is kept, not the credential
                    or _CODE_SLOT.search(value)
                    or (
                        (_placeholder_word(value) and not _NUMBERED_PLACEHOLDER.match(value))
                        or _NAMED_FOR_IT.search(value)
                        or _PUBLISHABLE.match(value)
                        # short values only when they are a service's default (admin, root)
                        or (len(value) < 6 and not _SERVICE_DEFAULT.match(value))
                    )
                )
            )
        ):
            continue
        key = m.group(1).decode("utf-8", "replace").rsplit(".", 1)[-1].lower()
        return _line(data, m), f"{key} hard-coded in source {redact(value)}"
    return None


def _code_token(data: bytes) -> tuple[int, str] | None:
    """A token assigned by name whose value looks generated (_CODE_TOKEN)."""
    pattern = linear.compiled(_CODE_TOKEN)
    if pattern.first_span(data) is None:  # most modules naming a token assign none
        return None
    for m in pattern.finditer(data):
        value = m.group(2).decode("utf-8", "replace")
        if (
            not _generated(value)
            or _placeholder_word(value)
            or _NAMED_FOR_IT.search(value)
            or _MADE_UP.search(value)
        ):
            continue
        key = m.group(1).decode("utf-8", "replace").rsplit(".", 1)[-1].lower()
        return _line(data, m), f"{key} hard-coded in source {redact(value)}"
    return None


def _env_fallback(data: bytes) -> tuple[int, str] | None:
    """A credential's environment lookup falling back to a literal (_ENV_FALLBACK_SECRET)."""
    for m in _ENV_FALLBACK_SECRET.finditer(data):
        value = m.group(2).decode("utf-8", "replace")
        if (
            _placeholder_word(value)
            or _NAMED_FOR_IT.search(value)
            or _FILE_PATH.search(value)  # where a key file is, not the key
            or m.group(1).upper() in ("PWD", "OLDPWD")  # the shell's folders
            # a comment quoting the idiom makes nothing fall back to it
            or data[data.rfind(b"\n", 0, m.start()) + 1 : m.start()].lstrip()[:1] == b"#"
        ):
            continue
        key = m.group(1).decode("utf-8", "replace")
        return _line(data, m), f"{key} falls back to a literal {redact(value)}"
    return None


# Claims of tokens made to be public: Supabase's anon key (shipped to every browser), and the
# example token of jwt.io and of countless tutorials.
_PUBLIC_CLAIMS = ('"role":"anon"', '"sub":"1234567890"')


def _public_jwt(token: str) -> bool:
    """Whether a JWT's claims (its second part, base64url JSON) mark it as public."""
    import base64

    part = token.split(".")[1][:4096]
    try:
        claims = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)).decode("utf-8", "replace")
    except ValueError:
        return False
    return any(c in claims.replace(" ", "") for c in _PUBLIC_CLAIMS)


def _made_up(value: str) -> bool:
    """A value of eight characters or more that is all a run of the alphabet or the digits, or
    one character repeated (ABCDEFGH, 12345678, xxxxxxxx): not Acme1234567!, a password
    holding such a run, nor 123456, the commonest real one."""
    v = value.lower()
    return len(v) >= 8 and (v in _RUNS[0] or v in _RUNS[1] or len(set(v)) == 1)


_RUNS = ("abcdefghijklmnopqrstuvwxyz", "01234567890")
_MAX_HITS_A_FILE = 20  # a file of 20,000 passwords says no more than one of 20


def _line(data: bytes, m: Any) -> int:
    """The 1-based line a match starts on."""
    return data.count(b"\n", 0, m.start()) + 1


scan.TEXT_SCANNERS.append(scan.TextScanner("secrets", _wants, _secrets_in))


@rule("no_committed_secrets")
def no_committed_secrets(index: RepoIndex, params: dict[str, Any]) -> Verdict:
    findings: list[Evidence] = [
        Evidence(f.path, None, _TF_STATE_NOTE)
        for f in index.with_suffixes(".tfstate", ".backup")
        if f.path.endswith(_TF_STATE) and f.size >= _TF_STATE_EMPTY
    ][:5]
    slots: list[Evidence] = []
    for path, found in index.scanned("secrets").items():
        for line, note in found:
            if note.startswith(SLOT):
                if len(slots) < 20:
                    slots.append(Evidence(path, line, note[len(SLOT) :]))
            else:
                findings.append(Evidence(path, line, note))
        if len(findings) >= 50:
            break
    if findings:
        first = findings[0]
        where = f"{first.path}:{first.line}" if first.line else first.path
        return Verdict.failed(
            f"{len(findings)} possible secret(s), first at {where} ({first.note})", findings[:20]
        )
    if slots:
        return Verdict.partial(
            f"no secret committed, but {slots[0].note} ({slots[0].path}): values written there "
            "are committed next; ignore it in git and commit an example instead",
            slots,
        )
    return Verdict.passed("no secrets found in committed text files")
