"""Data flow through the Python of a skill folder, on its syntax trees.

A light taint pass: values read from credential files, key stores or the whole environment, and values
decoded or downloaded, are followed through assignments, containers, calls and returns, across functions
and files (functions are matched by name, which is what a skill's few modules need), to network sends
and to code execution. Flow-insensitive and without aliasing: it finds the flows a reviewer would trace
by hand, fast, and never raises on any input.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from skillwarden.core.security.scan.flow import (
    DECODED,
    ENV,
    LOADED,
    PATH,
    REMOTE,
    SECRET,
    SECRET_ENV,
    SECRET_NAME,
    Built,
    FlowResult,
    dotted,
    exec_hit,
    kind_of,
    kinds,
    label,
    leak_hit,
)
from skillwarden.core.security.scan.model import HIGH, LOW, MED, Hit
from skillwarden.core.security.scan.patterns import SECRET_STORE, SENSITIVE_PATH
from skillwarden.core.security.scan.pyconst import revealed_strings

DECODERS = frozenset({
    "b64decode", "b32decode", "b16decode", "a85decode", "b85decode", "urlsafe_b64decode", "standard_b64decode",
    "decodebytes", "fromhex", "unhexlify", "a2b_base64", "a2b_hex", "decompress", "loads",
})  # fmt: skip
DOWNLOADERS = frozenset({"urlopen", "urlretrieve"})
HTTP_MODULES = frozenset({"requests", "httpx", "session", "client", "http", "aiohttp", "s"})
SEND_METHODS = frozenset({"post", "put", "patch", "request", "send", "sendall", "sendto", "sendmail", "send_message",
                          "storbinary", "storlines", "upload", "urlopen", "Request"})  # fmt: skip
DNS_CALLS = frozenset({"gethostbyname", "gethostbyname_ex", "getaddrinfo", "resolve", "query"})
EXEC_CALLS = frozenset({
    "exec", "eval", "system", "popen", "spawn", "run", "call", "check_call", "check_output", "Popen",
    "execv", "execve", "execvp", "getoutput", "getstatusoutput",
})  # fmt: skip
EXEC_MODULES = frozenset({"os", "subprocess", "pty", "commands"})
NOT_PAYLOAD = frozenset({"headers", "auth", "timeout", "verify", "cert", "proxies", "allow_redirects", "stream"})
ENV_WHOLE_METHODS = frozenset({"items", "values", "copy", "keys"})
NETWORK_TOOL = re.compile(r"\b(?:curl|wget|nc|ncat|dig|nslookup|host|scp|rsync|ftp)\s")
DNS_TOOL = re.compile(r"\b(?:dig|nslookup|host)\s")
ROUNDS = 3  # summaries settle in a few rounds for a skill's call depth; more would only cost time
# Calls whose result carries environment variables on: encodings, formatting, containers. Any other call (an
# SDK building a session from a token, a subprocess run with env=os.environ.copy()) returns something new;
# following the environment through it would make every later use of its result look like a leak.
PASSES_SECRETS = frozenset({
    "str", "repr", "bytes", "format", "join", "encode", "decode", "b64encode", "urlsafe_b64encode", "b32encode",
    "b16encode", "a85encode", "b85encode", "hexlify", "dumps", "quote", "quote_plus", "urlencode", "compress",
    "dict", "list", "tuple", "set", "upper", "lower", "strip", "replace", "get", "copy", "items", "values",
    "update", "zip", "map", "sorted", "hex", "f", "fromkeys",
})  # fmt: skip
# Calls that serialize or store what they are given: credentials gathered into one of them are being collected.
COLLECTORS = frozenset({"dumps", "dump", "b64encode", "urlsafe_b64encode", "b85encode", "write", "write_text",
                        "write_bytes", "writelines", "pickle", "safe_dump"})  # fmt: skip
ABSOLUTE_PATH = re.compile(r"^(?:/|~|[A-Za-z]:\\|%\w+%|\$\{?\w+)")


def _is_environ(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "environ" and dotted(node.value) == "os"


@dataclass
class Summary:
    returns: set[str] = field(default_factory=set)
    param_sinks: dict[str, str] = field(default_factory=dict)  # parameter -> "send" | "exec"


@dataclass
class FunctionDef:
    file: str
    node: ast.FunctionDef | ast.AsyncFunctionDef

    @property
    def params(self) -> list[str]:
        arguments = self.node.args
        return [a.arg for a in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)]


class _Body:
    """One pass over a function or module body with a taint environment."""

    def __init__(self, pass_: PythonFlow, file: str, env: dict[str, set[str]], report: bool) -> None:
        self.flow, self.file, self.env, self.report = pass_, file, env, report
        self.returns: set[str] = set()
        self.param_sinks: dict[str, str] = {}

    # --- expressions
    def labels(self, node: ast.AST | None) -> set[str]:
        if node is None:
            return set()
        if isinstance(node, ast.Constant):
            text = node.value if isinstance(node.value, str) else ""
            if path := SENSITIVE_PATH.search(text) or SECRET_STORE.search(text):
                found = label(PATH, self.file, node.lineno)
                if path.group(0).startswith(".env"):
                    self.flow.dotenv.add(found)  # the skill's own settings file: not a credential store
                return {found}
            return set()
        if isinstance(node, ast.Name):
            return set(self.env.get(node.id, ()))
        if _is_environ(node):
            return {label(ENV, self.file, node.lineno)}
        if isinstance(node, ast.Attribute):
            return set(self.env.get(dotted(node), ())) | self.labels(node.value)
        if isinstance(node, ast.Subscript):
            if _is_environ(node.value):
                return self._env_variable(node.slice, node.lineno)
            return self.labels(node.value)
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Lambda | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            return set()
        found: set[str] = set()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr | ast.comprehension | ast.keyword):
                found |= self.labels(child.value if isinstance(child, ast.keyword) else child)
        return found

    def _env_variable(self, key: ast.AST, line: int) -> set[str]:
        if isinstance(key, ast.Constant) and isinstance(key.value, str) and SECRET_NAME.search(key.value):
            return {label(SECRET_ENV, self.file, line)}
        return set()

    def call(self, node: ast.Call) -> set[str]:
        name = dotted(node.func)
        last = name.rsplit(".", 1)[-1]
        owner = node.func.value if isinstance(node.func, ast.Attribute) else None
        positional = [self.labels(a) for a in node.args]
        keywords = [(k.arg, self.labels(k.value)) for k in node.keywords]
        owner_labels = self.labels(owner) if owner is not None else set()
        # Headers and credentials given to a request are how an API is called, not data it carries on.
        inputs = set().union(*positional, *(labels for arg, labels in keywords if arg not in NOT_PAYLOAD))
        inputs |= owner_labels
        self.check_sinks(node, name, last, owner, positional, keywords)
        result = self.call_result(node, name, last, owner, inputs)
        found, given = kinds(result), kinds(inputs)
        if ENV in found and ENV not in given:
            self.flow.result.sources.append((self.file, node.lineno, "reads the whole environment"))
        read = {v for v in result if kind_of(v) == SECRET}
        if SECRET in found and SECRET not in given and not read <= self.flow.dotenv:
            self.flow.result.sources.append((self.file, node.lineno, "reads credentials"))
        return result

    def call_result(self, node: ast.Call, name: str, last: str, owner: ast.AST | None, inputs: set[str]) -> set[str]:
        line = node.lineno
        if owner is not None and _is_environ(owner):
            if last in ENV_WHOLE_METHODS:
                return {label(ENV, self.file, line)}
            if last == "get" and node.args:
                return self._env_variable(node.args[0], line)
        if name in ("os.getenv", "getenv") and node.args:
            return self._env_variable(node.args[0], line)
        if name in ("dict", "str", "repr", "json.dumps") and any(_is_environ(a) for a in node.args):
            return {label(ENV, self.file, line)}
        result = set(inputs)
        summary = self.user_function(last, owner)
        if last not in PASSES_SECRETS and summary is None:
            result = {v for v in result if kind_of(v) not in (SECRET_ENV, ENV)}
        if last == "open" and node.args and _external_path(node.args[0]):
            result.add(label(LOADED, self.file, line))
        if last == "get_password" or any(
            isinstance(a, ast.Constant) and isinstance(a.value, str) and SECRET_STORE.search(a.value) for a in node.args
        ):
            result.add(label(SECRET, self.file, line))
        if PATH in kinds(result):  # a credential path handed to anything is read from here on
            paths = {v for v in result if v.startswith(PATH)}
            read = label(SECRET, self.file, line)
            if paths <= self.flow.dotenv:
                self.flow.dotenv.add(read)
            result = (result - paths) | {read}
        if last in DECODERS and (last != "loads" or name.startswith(("marshal", "pickle"))):
            result.add(label(DECODED, self.file, line))
        if last in DOWNLOADERS or (last == "get" and name.split(".", 1)[0] in HTTP_MODULES):
            result.add(label(REMOTE, self.file, line))
        if summary is not None:
            result |= summary.returns
        return result

    def user_function(self, name: str, owner: ast.AST | None) -> Summary | None:
        """The summary of the skill's own function `name`, when the call can be to it. A script's calls are
        matched by name (its few modules call their own classes); in documentation, where examples call SDKs,
        only a bare name, a method of self or cls, or a function of one of the skill's modules:
        `client.sessions.create()` there is the SDK's, even when another example defines a `create`."""
        if self.file in self.flow.docs and not (
            owner is None or (isinstance(owner, ast.Name) and owner.id in ("self", "cls", *self.flow.module_names))
        ):
            return None
        return self.flow.summaries.get(name)

    # --- sinks
    def check_sinks(self, node, name, last, owner, positional, keywords) -> None:
        module = name.split(".", 1)[0]
        is_send = last in SEND_METHODS and (
            module in HTTP_MODULES
            or last in ("sendall", "sendto", "sendmail", "send_message", "urlopen", "Request")
            or owner is not None
        )
        is_dns = last in DNS_CALLS and module in ("socket", "dns", "resolver")
        is_code = last in ("exec", "eval") and owner is None
        is_exec = is_code or (last in EXEC_CALLS and module in EXEC_MODULES)
        if is_send or is_dns:
            if is_send and module in HTTP_MODULES | {"urllib", "socket"}:
                self.flow.result.sends.append((self.file, node.lineno, f"{name}()"))
            payload = set().union(*positional, *(labels for arg, labels in keywords if arg not in NOT_PAYLOAD))
            self._sink(node, payload, "send", is_dns=is_dns)
            destination = positional[0] if positional else dict(keywords).get("url", set())
            if self.report and DECODED in kinds(destination):
                self.flow.result.hits.append((self.file, node.lineno, Hit(
                    "exfiltration", HIGH, "decoded_destination",
                    "sends to an address it decodes at run time, so a reviewer cannot see where")))  # fmt: skip
        if last in COLLECTORS and self.report and (what := _collected(set().union(*positional))):
            self.flow.result.hits.append((self.file, node.lineno, Hit(
                "exfiltration", HIGH, "credential_collection",
                f"gathers {what} into one value it serializes or stores, ready to leave the machine")))  # fmt: skip
        if is_exec and positional:
            dynamic = is_code and not isinstance(node.args[0], ast.Constant)
            self._sink(node, positional[0], "exec", dynamic=dynamic)
            command = " ".join(c.value for c in ast.walk(node.args[0]) if isinstance(c, ast.Constant)
                               and isinstance(c.value, str))  # fmt: skip
            if not is_code and NETWORK_TOOL.search(command):  # os.system(f"curl -d {key} ...") sends
                self._sink(node, positional[0], "send", is_dns=DNS_TOOL.search(command) is not None)
        summary = self.user_function(last, owner)
        if summary is not None and summary.param_sinks:
            params = self.flow.params.get(last, [])
            offset = 1 if params[:1] in (["self"], ["cls"]) and owner is not None else 0
            for index, labels in enumerate(positional):
                if index + offset < len(params) and (kind := summary.param_sinks.get(params[index + offset])):
                    self._sink(node, labels, kind, via=last)
            for arg, labels in keywords:
                if arg and (kind := summary.param_sinks.get(arg)):
                    self._sink(node, labels, kind, via=last)

    def _sink(self, node, labels: set[str], kind: str, *, is_dns=False, dynamic=False, via: str = "") -> None:
        for value in labels:
            if value.startswith("param:"):
                self.param_sinks.setdefault(value[6:], kind)
        if not self.report:
            return
        hit = leak_hit(labels) if kind == "send" else exec_hit(labels)
        if hit is None and kind == "exec" and dynamic and not via:
            # An example in documentation shows a call; a script runs it.
            severity = LOW if self.file in self.flow.docs else MED
            hit = Hit("code_execution", severity, "dynamic_code_execution",
                      "executes a string built at run time; what runs depends on its input")  # fmt: skip
        if hit is not None and is_dns:
            hit = Hit("exfiltration", HIGH if hit.severity != "critical" else hit.severity, "dns_exfiltration",
                      hit.message.replace("over the network", "in a DNS lookup"))  # fmt: skip
        if hit is not None and via:
            hit = Hit(hit.category, hit.severity, hit.rule, f"{hit.message}, through {via}()")
        if hit is not None:
            self.flow.result.hits.append((self.file, node.lineno, hit))

    # --- statements
    def run(self, statements: list[ast.stmt]) -> None:
        for statement in statements:
            self.statement(statement)

    def assign(self, target: ast.AST, labels: set[str]) -> None:
        if isinstance(target, ast.Name):
            self.env.setdefault(target.id, set()).update(labels)
        elif isinstance(target, ast.Attribute):
            self.env.setdefault(dotted(target), set()).update(labels)
        elif isinstance(target, ast.Subscript):
            self.assign(target.value, labels)
        elif isinstance(target, ast.Tuple | ast.List | ast.Starred):
            for element in target.elts if not isinstance(target, ast.Starred) else [target.value]:
                self.assign(element, labels)

    def statement(self, node: ast.stmt) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            if isinstance(node, ast.ClassDef):
                self.run(node.body)
            return  # functions are analysed on their own, with their parameters as labels
        if isinstance(node, ast.Assign):
            labels = self.labels(node.value)
            for target in node.targets:
                self.assign(target, labels)
        elif isinstance(node, ast.AnnAssign | ast.AugAssign):
            self.assign(node.target, self.labels(node.value))
        elif isinstance(node, ast.For | ast.AsyncFor):
            self.assign(node.target, self.labels(node.iter))
            self.run(node.body + node.orelse)
        elif isinstance(node, ast.With | ast.AsyncWith):
            for item in node.items:
                labels = self.labels(item.context_expr)
                if item.optional_vars is not None:
                    self.assign(item.optional_vars, labels)
            self.run(node.body)
        elif isinstance(node, ast.Return):
            self.returns |= self.labels(node.value)
        elif isinstance(node, ast.If | ast.While):
            self.labels(node.test)
            self.run(node.body + node.orelse)
        elif isinstance(node, ast.Try):
            self.run(node.body + [s for h in node.handlers for s in h.body] + node.orelse + node.finalbody)
        elif isinstance(node, ast.Expr):
            self.labels(node.value)
        else:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.expr):
                    self.labels(child)


class PythonFlow:
    """The pass over all Python of one folder."""

    def __init__(self, docs: set[str]) -> None:
        self.summaries: dict[str, Summary] = {}
        # Module-level names of all scripts in one namespace (`from a import key` is the `key` of a.py); the
        # examples of one document share a namespace of their own, apart from other documents'.
        self.namespaces: dict[str, dict[str, set[str]]] = {}
        self.params: dict[str, list[str]] = {}
        self.docs = docs  # files whose Python is examples in documentation
        self.dotenv: set[str] = set()  # labels of `.env` paths and of what was read from them
        self.module_names: set[str] = set()  # `helpers` for helpers.py: `helpers.load()` is the skill's own
        self.result = FlowResult()

    def namespace(self, file: str) -> dict[str, set[str]]:
        return self.namespaces.setdefault(file if file in self.docs else "", {})

    def run(self, modules: list[tuple[str, ast.Module]]) -> FlowResult:
        self.module_names = {PurePosixPath(file).stem for file, _ in modules if file not in self.docs}
        functions = [FunctionDef(file, node) for file, module in modules for node in _functions(module)]
        for function in functions:
            self.params.setdefault(function.node.name, function.params)
        for _ in range(ROUNDS):
            for file, module in modules:
                _Body(self, file, self.namespace(file), report=False).run(module.body)
            for function in functions:
                body = self._function_body(function, report=False)
                summary = self.summaries.setdefault(function.node.name, Summary())
                summary.returns |= {v for v in body.returns if not v.startswith("param:")}
                summary.param_sinks.update(body.param_sinks)
        self.result = FlowResult()  # the rounds above only built summaries; report from a clean slate
        for function in functions:
            self._function_body(function, report=True)
        for file, module in modules:
            _Body(self, file, self.namespace(file), report=True).run(module.body)
        return self.result

    def _function_body(self, function: FunctionDef, *, report: bool) -> _Body:
        env = {name: set(labels) for name, labels in self.namespace(function.file).items()}
        env.update({name: {f"param:{name}"} for name in function.params})
        body = _Body(self, function.file, env, report)
        body.run(function.node.body)
        return body


def _external_path(node: ast.AST) -> bool:
    """A literal path outside the skill folder (`/tmp/.cache`, `~/x`, `C:\\...`, `%APPDATA%\\...`)."""
    value = node.value if isinstance(node, ast.Constant) else None
    return isinstance(value, str) and ABSOLUTE_PATH.match(value) is not None


def _collected(labels: set[str]) -> str:
    """What credentials `labels` gather, when they are more than one API call needs: two or more secret
    variables, a credential file, or the whole environment; "" otherwise."""
    found = kinds(labels)
    if found & {SECRET, ENV}:
        return "credentials" if SECRET in found else "the whole environment"
    secret_variables = {v for v in labels if kind_of(v) == SECRET_ENV}
    return f"{len(secret_variables)} secret environment variables" if len(secret_variables) >= 2 else ""


def _functions(module: ast.Module) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(module):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def parse_python(source: str) -> ast.Module | None:
    """The syntax tree, or None for text that is not Python (or too deeply nested to parse)."""
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def python_flow(units: list[tuple[str, int, str]]) -> FlowResult:
    """(file, first line, source) of every Python unit in a folder -> the flows among them, and the strings
    each unit builds from its own literals. A unit that starts past line 1 is a fence in a document."""
    modules = []
    docs = set()
    for file, first_line, source in units:
        module = parse_python(source)
        if module is not None:
            if first_line > 1:
                ast.increment_lineno(module, first_line - 1)
                docs.add(file)
            modules.append((file, module))
    try:
        result = PythonFlow(docs).run(modules)
    except RecursionError:  # a pathologically nested expression: no flow findings rather than a crash
        result = FlowResult()
    for file, module in modules:
        for found in revealed_strings(module):
            how = "decodes at run time" if found.decoded else "builds at run time"
            result.built.append(Built(file, found.line, found.text, how, found.decoded, found.sink))
    return result
