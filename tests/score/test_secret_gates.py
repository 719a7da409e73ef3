"""The secrets scan skips its config regex when a cheap test proves it cannot match. The skip
must never hide a secret: checked here against the regex itself on generated texts."""

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
    data = text.encode()
    if secrets._CONFIG_SECRET.search(data):
        assert secrets._may_set_secrets(data)


def test_the_config_gate_skips_plain_configs() -> None:
    assert not secrets._may_set_secrets(b"name: step1\nparams:\n  lr: 0.1\n")
    assert secrets._may_set_secrets(b"db:\n  Password: hunter2hunter2\n")
