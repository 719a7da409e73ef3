"""The secrets scan skips its regexes when a cheap test proves they cannot match. The skips must
never hide a secret: checked here against the regexes themselves on generated texts."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from mlscaffold.score.judge.rules import secrets

FRAGMENTS = [
    "password", "PassWord", "PWD", "Api_Key", "apikey", "ACCESS-KEY", "auth_token", "Private-Key",
    "client_secret", "db_", "name", ": ", " = ", "=", '"', "'", "\n", "  ", "hunter2hunter2",
    "${VAR}", "pa\u017f\u017fword", "pr\u0131vate_key", "AKIA", "ABCDEFGHIJKLMNOP", "ghp_",
    "a" * 36, "://", "user:s3cretpass@host", "https", "xoxb-", "1234567890", "é", "K",
    "sk_live_", "hf_",
]  # fmt: skip

texts = st.lists(st.sampled_from(FRAGMENTS), max_size=12).map("".join)


@settings(max_examples=400, deadline=None)
@given(texts)
@example("pa\u017f\u017fword: hunter2hunter2")  # IGNORECASE equates long s with s
@example("pr\u0131vate_key: hunter2hunter2")  # and dotless i with i
def test_the_config_gate_never_skips_a_text_the_regex_matches(text: str) -> None:
    if secrets._CONFIG_SECRET.search(text):
        assert secrets._may_set_secrets(text)


@settings(max_examples=400, deadline=None)
@given(texts)
@example("key = AKIAABCDEFGHIJKLMNOP\n")
def test_the_token_gate_never_skips_a_text_the_regex_matches(text: str) -> None:
    assert bool(list(secrets._tokens(text))) == bool(secrets._ANY_TOKEN.search(text))


def test_the_config_gate_skips_plain_configs() -> None:
    assert not secrets._may_set_secrets("name: step1\nparams:\n  lr: 0.1\n")
    assert secrets._may_set_secrets("db:\n  Password: hunter2hunter2\n")
