"""Every secret shape of issue 15's table is redacted at ingest: as written, JSON-escaped (a tool printing JSON)
and split by an ANSI colour code (a terminal program's output), with negative controls left alone.

The samples are real-looking (the shapes gitleaks and trufflehog match), and the keys among them are
assembled at run time from a prefix and a seeded random body, so the repository holds no string a
secret scanner would take for a live key.
"""

import json
import random
import re
import string

import pytest

from skillwarden.core.ingest.session import redact_session
from skillwarden.core.model import Session, Step
from skillwarden.core.security.redact import find_secrets, redact

ALNUM = string.ascii_letters + string.digits


def body(length: int, alphabet: str = ALNUM, seed: int = 0) -> str:
    generator = random.Random(f"shapes-{seed}-{length}")
    return "".join(generator.choice(alphabet) for _ in range(length))


# (shape, the text as a trace holds it with `{}` where the secret goes, the secret)
SHAPES = [
    ("env assignment, short value", "DB_PASSWORD={}", "Hunter2Secret!"),
    ("yaml password with a symbol", "password: {}", "Tr0ub4dor&3"),
    ("libpq variable before a command", "PGPASSWORD={} psql -h db -U app", "s3cr3tPG"),
    ("export of a token under 16 characters", "export API_TOKEN={}", "abc123xyz"),
    ("json key", '{{"password": "{}", "user": "app"}}', "Tr0ub4dor&3"),
    ("password flag", "psql --password={} -h db", "PgFlag-77"),
    ("mysql -p attached", "mysql -u root -p{} shop", "S3cretPw"),
    ("curl -u user:password", "curl -u admin:{} https://api.example.com/v1/me", "Adm1nPass"),
    ("docker login -p", "docker login -u bob -p {} registry.example.com", "D0ckerPw"),
    ("sshpass -p", "sshpass -p '{}' ssh deploy@build-host", "Ssh-Pass9"),
    ("redis-cli -a", "redis-cli -h cache -a {} ping", "R3disPass"),
    ("netrc on several lines", "machine api.example.com\n  login bob\n  password {}\n", "N3trcPass"),
    ("netrc on one line", "machine git.example.com login ci password {}", "CiN3trc!x"),
    ("netrc as a Read tool shows it",
     "     1\u2192machine h.example\n     2\u2192  login bob\n     3\u2192  password {}", "ReadN3trc7"),
    ("url credentials", "git clone https://deploy:{}@git.example.com/org/repo.git", "UrlPass-42"),
    ("password in prose", "The staging password is {}, rotate it on Friday.", "Corr3ctHorse"),
    ("quoted password in prose", "db password was: '{}'", "staplebattery"),
    ("aws secret key in prose", "aws credentials for ci: id AKIA" + body(16, string.ascii_uppercase + string.digits, 1)
     + ", secret access key {} (rotate soon)", body(40, ALNUM + "+/", 2)),
    ("stripe key in a read .env", "     3\u2192STRIPE_SECRET_KEY={}\n     4\u2192DEBUG=0",
     "sk_" + "live_" + body(99, ALNUM, 3)),
    ("stripe test key", "STRIPE_KEY={}", "sk_" + "test_" + body(24, ALNUM, 4)),
    ("sendgrid key", "SENDGRID={}", "SG." + body(22, ALNUM + "_-", 5) + "." + body(43, ALNUM + "_-", 6)),
    ("slack webhook url", "curl -X POST -d @msg.json https://hooks.slack.com/services/{}",
     "T0" + body(8, string.ascii_uppercase + string.digits, 7) + "/B0" + body(8, string.ascii_uppercase, 8) + "/"
     + body(24, ALNUM, 9)),
    ("npm token in .npmrc", "//registry.npmjs.org/:_authToken={}", "npm_" + body(36, ALNUM, 10)),
    ("hugging face token", "huggingface-cli login --token {}", "hf_" + body(34, string.ascii_letters, 11)),
    ("gitlab token", "git push https://oauth2@gitlab.example.com --push-option={}", "glpat-" + body(20, ALNUM, 12)),
    ("gitlab deploy token", "GL={}", "gldt-" + body(24, ALNUM, 13)),
    ("azure storage connection string",
     "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={};EndpointSuffix=core.windows.net",
     body(86, ALNUM + "+/", 14) + "=="),
    ("azure service bus connection string",
     "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey={}",
     body(43, ALNUM + "+/", 15) + "="),
]  # fmt: skip
NOT_SECRETS = [
    "password: changeme",
    "password = new_password",
    "PASSWORD_MIN_LENGTH=12",
    "MAX_TOKENS=4096000",
    "TOKENIZERS_PARALLELISM=false",
    "docker run -u 1000:1000 app",
    "git push -u origin main",
    "mysql -u root -p shop",
    "ssh -p 2222 deploy@host && mkdir -p build/out",
    "The password is required.",
    "the token is expired, log in again",
    "sorted(items, key=lambda entry: entry.name)",
    "docker login --password-stdin ghcr.io",
    "password_hash = hash_password(raw)",
    "if password == confirm_password:",
    "def login(username, password):",
    "password: str = Field(...)",
    "TOKEN_URL=https://auth.example.com/token",
    "API_KEY_FILE=/etc/app/key",
    "export API_KEY=${API_KEY}",
    "redis-cli -a $REDIS_PASSWORD ping",
    "sshpass -f ~/.pw ssh host",
    "machine learning is fun; see the password reset flow",
    "AWS deploy of commit 3f2a9b1c4d5e6f708192a3b4c5d6e7f8a9b0c1d2",
    "primary_key=True",
    "token_type: bearer",
    "credentials: true",
]
PLACEHOLDER = re.compile(r"\[REDACTED:[a-z_]+:[0-9a-f]{8}\]")


def ids(rows):
    return [row[0] for row in rows]


@pytest.mark.parametrize(("shape", "template", "secret"), SHAPES, ids=ids(SHAPES))
def test_each_shape_is_redacted(shape, template, secret):
    redacted = redact(template.format(secret))
    assert secret not in redacted
    assert PLACEHOLDER.search(redacted)
    assert redact(redacted) == redacted


@pytest.mark.parametrize(("shape", "template", "secret"), SHAPES, ids=ids(SHAPES))
def test_each_shape_is_redacted_in_json_escaped_text(shape, template, secret):
    """A tool that prints JSON (`jq -c`, a log line) leaves the text escaped inside the tool result."""
    escaped = json.dumps({"stdout": template.format(secret)})
    assert json.dumps(secret)[1:-1] not in redact(escaped)


def ingested(text: str) -> str:
    """What ingest stores of a session holding `text` as a command, a tool result, the task and the answer."""
    step = Step(tool="Bash", args={"command": text}, result=text)
    session = Session(id="s", format="claude_code", path="p", steps=[step], task=text, final_message=text)
    redact_session(session, 0, set())
    return json.dumps([step.args, step.result, session.task, session.final_message], ensure_ascii=False)


@pytest.mark.parametrize(("shape", "template", "secret"), SHAPES, ids=ids(SHAPES))
def test_each_shape_is_redacted_at_ingest_across_an_ansi_split(shape, template, secret):
    half = len(secret) // 2
    split = template.format(f"\x1b[1;31m{secret[:half]}\x1b[0m{secret[half:]}")
    stored = ingested(split)
    assert secret[:half] not in stored and secret[half:] not in stored
    assert "\x1b" not in stored


@pytest.mark.parametrize("text", NOT_SECRETS)
def test_negative_controls_stay(text):
    assert find_secrets(text) == []
    assert redact(text) == text
