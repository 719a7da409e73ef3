"""Committed secrets. Values are redacted everywhere: only a prefix and a length are reported."""

from __future__ import annotations

import re
from typing import Any

from mlscaffold.score.judge.rules import rule
from mlscaffold.score.model import Evidence, Verdict
from mlscaffold.score.read import scan
from mlscaffold.score.read.index import RepoIndex
from mlscaffold.score.read.lazyre import lazy
from mlscaffold.score.read.walk import FileEntry

# (label, pattern): the whole match is the secret, except in a URL where it is the password.
PATTERNS: list[tuple[str, str]] = [
    ("AWS access key id", r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    ("private key", r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP |ENCRYPTED )?PRIVATE KEY-----"),
    ("GitHub token", r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{60,})\b"),
    ("Slack token", r"\bxox[abprs]-[0-9A-Za-z-]{10,}\b"),
    ("Google API key", r"\bAIza[0-9A-Za-z_-]{35}\b"),
    ("Stripe live key", r"\bsk_live_[0-9A-Za-z]{24,}\b"),
    ("OpenAI key", r"\bsk-(?:proj-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}\b"),
    ("Hugging Face token", r"\bhf_[A-Za-z]{34,}\b"),
    ("password in URL", r"\b[a-z][a-z0-9+.-]{1,20}://[^\s:/@'\"]{1,64}:[^\s:/@'\"]{3,128}@[\w.-]+"),
]
# One regex for all of them (named alternatives g0, g1, ...), so each file is searched once.
_ANY_TOKEN = lazy("|".join(f"(?P<g{i}>{p})" for i, (_, p) in enumerate(PATTERNS)))
_LITERALS = (
    "AKIA",
    "ASIA",
    "PRIVATE KEY",
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "xox",
    "AIza",
    "sk_live_",
    "T3BlbkFJ",
    "hf_",
    "://",
)
_CONFIG_SECRET = lazy(
    r"""^[ \t]*["']?[\w.-]*(password|passwd|pwd|secret|api[_-]?key|apikey|access[_-]?key|"""
    r"""auth[_-]?token|private[_-]?key|client[_-]?secret)["']?[ \t]*[:=][ \t]*"""
    r"""["']?([^\s"'#,}]{6,})""",
    re.I | re.M,
)
_PLACEHOLDER = lazy(
    r"^(\$\{?|<|\{\{|%\(|os\.environ|env\(|getenv|changeme|change_me|"
    r"example|placeholder|redacted|your[_-]|xxx|\*\*\*|null|none|true|false|"
    r"secret$|password$|dummy|test|fake|sample)",
    re.I,
)
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
_ENV_SECRET = lazy(
    r"^[ \t]*(?:export[ \t]+)?([A-Za-z0-9_]*(?:KEY|TOKEN|SECRET|PASSWORD|PASSWD|PWD|CREDENTIALS?)"
    r"[A-Za-z0-9_]*)[ \t]*=[ \t]*[\"']?([^\s\"'#]{6,})",
    re.I | re.M,
)
_DOTENV = lazy(r"(^|/)\.env(\.[\w-]+)?$")
_DOTENV_OK = lazy(r"\.(example|sample|template|dist|defaults?)$")
MAX_SCAN_BYTES = 512 * 1024


# Every match of _CONFIG_SECRET contains one of these, in some case.
_CONFIG_KEYWORDS = ("pass", "pwd", "secret", "api", "access", "auth", "private")


def _tokens(text: str):
    # Cheap literal tests first: most files contain none of the patterns' fixed parts.
    # (Substring tests beat one search for an alternation of them: 4 against 6 µs a file.)
    for literal in _LITERALS:
        if literal in text:
            return _ANY_TOKEN.finditer(text)
    return ()


def _may_set_secrets(text: str) -> bool:
    """False only when _CONFIG_SECRET cannot match: an ASCII text (the flag is stored, the test
    is free) in which no keyword occurs in any case. Non-ASCII text always goes to the regex,
    whose IGNORECASE also equates some non-ASCII letters with ASCII ones (U+017F with s)."""
    if not text.isascii():
        return True
    lowered = text.lower()
    return any(keyword in lowered for keyword in _CONFIG_KEYWORDS)


def redact(value: str) -> str:
    return f"{value[:4]}…({len(value)} chars)"


def _wants(entry: FileEntry) -> bool:
    """Files the secrets scan reads (asked of every listed file: cheap tests first)."""
    path = entry.path
    if (path.startswith(".env") or "/.env" in path) and _DOTENV.search(path):
        return not _DOTENV_OK.search(path)
    return entry.size <= MAX_SCAN_BYTES and (
        entry.suffix in _SCAN_SUFFIXES or (path.endswith(_SPECIAL) and entry.name in _SPECIAL)
    )


_SPECIAL = ("Dockerfile", "Makefile")


def _secrets_in(path: str, text: str) -> list[Evidence]:
    """Secrets in one file's text (run in the index's single pass over file contents)."""
    found: list[Evidence] = []
    if _DOTENV.search(path):
        # A committed .env is only a leak when it holds a secret-looking value.
        for m in _ENV_SECRET.finditer(text):
            if not _PLACEHOLDER.match(m.group(2)):
                line = text.count("\n", 0, m.start()) + 1
                note = f"committed .env sets {m.group(1)} {redact(m.group(2))}"
                return [Evidence(path, line, note)]
        return found
    for m in _tokens(text):
        label = PATTERNS[int((m.lastgroup or "g0")[1:])][0]
        value = m.group(0)
        if label == "password in URL":
            value = value.split("://", 1)[1].rsplit("@", 1)[0].split(":", 1)[1]
        if "EXAMPLE" in value or (label == "password in URL" and _PLACEHOLDER.match(value)):
            continue
        line = text.count("\n", 0, m.start()) + 1
        found.append(Evidence(path, line, f"{label} {redact(value)}"))
        break
    name = path.rsplit("/", 1)[-1]
    if (
        name[name.rfind(".") :].lower() in _CONFIG_SUFFIXES or name.startswith(".env")
    ) and _may_set_secrets(text):  # the regex costs about 25 µs a config file
        for m in _CONFIG_SECRET.finditer(text):
            value = m.group(2)
            if _PLACEHOLDER.match(value):
                continue
            line = text.count("\n", 0, m.start()) + 1
            found.append(Evidence(path, line, f"{m.group(1).lower()} {redact(value)}"))
    return found


scan.TEXT_SCANNERS.append(scan.TextScanner("secrets", _wants, _secrets_in))


@rule("no_committed_secrets")
def no_committed_secrets(index: RepoIndex, params: dict[str, Any]) -> Verdict:
    findings: list[Evidence] = []
    for found in index.scanned("secrets").values():
        findings.extend(found)
        if len(findings) >= 50:
            break
    if findings:
        first = findings[0]
        where = f"{first.path}:{first.line}" if first.line else first.path
        return Verdict.failed(
            f"{len(findings)} possible secret(s), first at {where} ({first.note})", findings[:20]
        )
    return Verdict.passed("no secrets found in committed text files")
