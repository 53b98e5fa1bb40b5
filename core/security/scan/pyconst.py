"""What a Python script computes from its own literals, worked out without running it.

Obfuscated payloads are data plus a procedure: a base85 blob XORed with a key, a list of bytes under an affine
map, a command split into parts and interleaved back, a URL glued from pieces. The code that undoes them uses
a small, pure part of Python (literals, arithmetic, slicing, comprehensions and loops, `chr`, `bytes`,
`''.join`, base64/hex/zlib decoders). This module interprets exactly that part, on values the script itself
holds, and reports the strings it builds: the scan then reads those as it reads any line.

Nothing here runs the script: names outside the pure part (files, network, `os`, attributes of unknown
objects) are unknown, and an expression that needs one is skipped. Every evaluation is bounded in steps and in
the size of what it builds, and no input makes it raise.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Iterator
from dataclasses import dataclass, field

from skillwarden.core.security.scan.flow import dotted
from skillwarden.core.security.scan.purepy import (
    BINARY,
    BUILTINS,
    COMPARE,
    DECODING,
    ITERABLES,
    MAX_INT_BITS,
    MAX_SIZE,
    METHODS,
    MODULE_FUNCTIONS,
    MODULES,
    WIDE_FORMAT,
    Unknown,
    check_argument,
    pow_bounded,
    size_of,
)

MAX_STEPS = 200_000  # per script: ample for a decoding loop, cheap for the scan
MAX_DEPTH = 40  # nested calls and expressions
MIN_REVEALED = 6  # shorter strings say nothing a line rule could match


class _Module:
    def __init__(self, name: str) -> None:
        self.name = name


@dataclass
class _Function:
    node: ast.FunctionDef | ast.Lambda
    closure: dict


class _Return(Exception):
    def __init__(self, value: object) -> None:
        self.value = value


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


@dataclass(frozen=True)
class Revealed:
    """A string the script builds at `line`; `decoded` when a decoding step (base64, XOR, chr, ...) built it."""

    line: int
    text: str
    decoded: bool
    sink: str = ""  # "exec", "print" or "" when the string is only assigned


EXEC_SINKS = frozenset({"exec", "eval", "system", "popen", "run", "call", "check_call", "check_output", "Popen",
                        "getoutput", "getstatusoutput", "spawn", "execv", "execve", "execvp"})  # fmt: skip
PRINT_SINKS = frozenset({"print", "write"})


@dataclass
class Interpreter:
    steps: int = 0
    depth: int = 0
    decodings: int = 0
    revealed: dict[tuple[int, str, str], Revealed] = field(default_factory=dict)
    literals: set[str] = field(default_factory=set)
    decoded: set[str] = field(default_factory=set)  # texts a decoding step built, wherever they are used later
    assigned: dict[int, frozenset[str]] = field(default_factory=dict)  # statement id -> the names it sets

    def assigned_names(self, statement: ast.stmt) -> frozenset[str]:
        if id(statement) not in self.assigned:
            self.assigned[id(statement)] = _assigned_names(statement)
        return self.assigned[id(statement)]

    def tick(self, count: int = 1) -> None:
        self.steps += count
        if self.steps > MAX_STEPS:
            raise Unknown

    # --- expressions
    def eval(self, node: ast.AST, env: dict) -> object:
        self.tick()
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise Unknown
            value = self._eval(node, env)
        finally:
            self.depth -= 1
        if size_of(value) > MAX_SIZE:
            raise Unknown
        return value

    def _eval(self, node: ast.AST, env: dict) -> object:  # noqa: C901 - one branch per node type
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            if node.id in env:
                return env[node.id]
            if node.id in BUILTINS:
                return BUILTINS[node.id]
            raise Unknown
        if isinstance(node, ast.BinOp):
            return self._binary(node, env)
        if isinstance(node, ast.UnaryOp):
            operand = self.eval(node.operand, env)
            ops = {ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Invert: operator.invert, ast.Not: operator.not_}
            return ops[type(node.op)](operand)
        if isinstance(node, ast.BoolOp):
            result: object = None
            for value_node in node.values:
                result = self.eval(value_node, env)
                if isinstance(node.op, ast.And) != bool(result):
                    return result
            return result
        if isinstance(node, ast.Compare):
            left = self.eval(node.left, env)
            for op, right_node in zip(node.ops, node.comparators, strict=True):
                right = self.eval(right_node, env)
                if not COMPARE[type(op)](left, right):
                    return False
                left = right
            return True
        if isinstance(node, ast.IfExp):
            return self.eval(node.body if self.eval(node.test, env) else node.orelse, env)
        if isinstance(node, ast.JoinedStr):
            parts = []
            for part in node.values:
                value = self.eval(part.value if isinstance(part, ast.FormattedValue) else part, env)
                parts.append(value if isinstance(value, str) else str(value))
            return "".join(parts)
        if isinstance(node, ast.List | ast.Tuple | ast.Set):
            items = [self.eval(element, env) for element in node.elts if not isinstance(element, ast.Starred)]
            if len(items) != len(node.elts):
                raise Unknown
            return {ast.List: list, ast.Tuple: tuple, ast.Set: set}[type(node)](items)
        if isinstance(node, ast.Dict):
            if any(key is None for key in node.keys):
                raise Unknown
            return {self.eval(k, env): self.eval(v, env) for k, v in zip(node.keys, node.values, strict=True)}
        if isinstance(node, ast.Subscript):
            container = self.eval(node.value, env)
            index = self.eval(node.slice, env)
            if isinstance(index, slice) and index.step is not None and index.step < 0:
                self.decodings += 1  # `payload[::-1]`
            if not isinstance(container, str | bytes | bytearray | list | tuple | dict | range):
                raise Unknown
            return container[index]
        if isinstance(node, ast.Slice):
            parts = (node.lower, node.upper, node.step)
            return slice(*(self.eval(part, env) if part is not None else None for part in parts))
        if isinstance(node, ast.Call):
            return self._call(node, env)
        if isinstance(node, ast.ListComp | ast.GeneratorExp | ast.SetComp):
            items = list(self._comprehension(node.generators, node.elt, env))
            return set(items) if isinstance(node, ast.SetComp) else items
        if isinstance(node, ast.DictComp):
            pairs = self._comprehension(node.generators, ast.Tuple([node.key, node.value], ast.Load()), env)
            return dict(pairs)
        if isinstance(node, ast.Lambda):
            return _Function(node, env)
        if isinstance(node, ast.Attribute) and isinstance(env.get(dotted_root(node)), _Module):
            raise Unknown  # module constants (string.ascii_letters) are rare in payloads
        raise Unknown

    def _binary(self, node: ast.BinOp, env: dict) -> object:
        left, right = self.eval(node.left, env), self.eval(node.right, env)
        op = type(node.op)
        if op is ast.Pow:
            return pow_bounded(left, right)
        if op is ast.Mult and (size_of(left) * (right if isinstance(right, int) else 1) > MAX_SIZE
                               or size_of(right) * (left if isinstance(left, int) else 1) > MAX_SIZE):  # fmt: skip
            raise Unknown
        if op in (ast.LShift,) and isinstance(right, int) and right > 4096:
            raise Unknown
        if op is ast.BitXor:
            self.decodings += 1
        if op is ast.Mod and isinstance(left, str):
            if WIDE_FORMAT.search(left):
                raise Unknown
            return left % right  # printf-style formatting of a literal
        if isinstance(left, int) and isinstance(right, int) and left.bit_length() + right.bit_length() > MAX_INT_BITS:
            raise Unknown
        if op not in BINARY:
            raise Unknown
        return BINARY[op](left, right)

    def _comprehension(self, generators: list[ast.comprehension], element: ast.AST, env: dict) -> Iterator:
        if not generators:
            yield self.eval(element, env)
            return
        first, rest = generators[0], generators[1:]
        scope = dict(env)
        for item in self._iterate(self.eval(first.iter, scope)):
            self._bind(first.target, item, scope)
            if all(self.eval(condition, scope) for condition in first.ifs):
                yield from self._comprehension(rest, element, scope)

    def _iterate(self, iterable: object) -> Iterator:
        if not isinstance(iterable, ITERABLES) and not hasattr(iterable, "__next__"):
            raise Unknown
        for count, item in enumerate(iterable):
            if count % 64 == 0:
                self.tick(64)
                if count > MAX_SIZE:
                    raise Unknown
            yield item

    def _call(self, node: ast.Call, env: dict) -> object:
        if any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
            raise Unknown
        name = dotted(node.func)
        root = name.split(".", 1)[0]
        function: object
        if isinstance(node.func, ast.Attribute) and isinstance(env.get(root), _Module):
            qualified = env[root].name + name[len(root) :]
            if qualified not in MODULE_FUNCTIONS:
                raise Unknown
            function = MODULE_FUNCTIONS[qualified]
        elif isinstance(node.func, ast.Attribute):
            if node.func.attr not in METHODS:
                raise Unknown
            owner = (
                self.eval(node.func.value, env)
                if not (isinstance(node.func.value, ast.Name) and node.func.value.id in ("str", "bytes"))
                else {"str": str, "bytes": bytes}[node.func.value.id]
            )
            if not isinstance(owner, str | bytes | bytearray | list | dict) and owner not in (str, bytes):
                raise Unknown
            function = getattr(owner, node.func.attr)
        else:
            function = self.eval(node.func, env)
        arguments = [self.eval(a, env) for a in node.args]
        keywords = {k.arg: self.eval(k.value, env) for k in node.keywords}
        for value in (*arguments, *keywords.values()):
            check_argument(value, function)
        last = name.rsplit(".", 1)[-1]
        if last in DECODING:
            self.decodings += 1
        if isinstance(function, _Function):
            return self._apply(function, arguments, keywords)
        if function in (map, filter) and arguments and isinstance(arguments[0], _Function):
            user = arguments[0]
            arguments[0] = lambda *values: self._apply(user, list(values), {})
        if not callable(function) or isinstance(function, type) and function not in BUILTINS.values():
            raise Unknown
        result = function(*arguments, **keywords)
        if isinstance(result, map | filter | zip | enumerate) or type(result) is type(reversed([])):
            result = list(self._iterate(result))
        return result

    def _apply(self, function: _Function, arguments: list, keywords: dict) -> object:
        node = function.node
        scope = dict(function.closure)
        parameters = [a.arg for a in (*node.args.posonlyargs, *node.args.args)]
        defaults = node.args.defaults
        for index, parameter in enumerate(parameters):
            if index < len(arguments):
                scope[parameter] = arguments[index]
            elif parameter in keywords:
                scope[parameter] = keywords[parameter]
            elif index >= len(parameters) - len(defaults):
                scope[parameter] = self.eval(defaults[index - (len(parameters) - len(defaults))], function.closure)
            else:
                raise Unknown
        if isinstance(node, ast.Lambda):
            return self.eval(node.body, scope)
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise Unknown
            self.run(node.body, scope)
        except _Return as returned:
            return returned.value
        finally:
            self.depth -= 1
        return None

    def _bind(self, target: ast.AST, value: object, env: dict) -> None:
        if isinstance(target, ast.Name):
            env[target.id] = value
        elif isinstance(target, ast.Tuple | ast.List):
            values = list(self._iterate(value))
            if len(values) != len(target.elts):
                raise Unknown
            for element, item in zip(target.elts, values, strict=True):
                self._bind(element, item, env)
        elif isinstance(target, ast.Subscript):
            container = self.eval(target.value, env)
            if not isinstance(container, list | dict | bytearray):
                raise Unknown
            container[self.eval(target.slice, env)] = value
        else:
            raise Unknown

    # --- statements
    def run(self, statements: list[ast.stmt], env: dict) -> None:
        for statement in statements:
            self.tick()
            try:
                self.statement(statement, env)
            except (_Return, _Break, _Continue):
                raise
            except Exception as error:  # noqa: BLE001 - a type or value error in the script is just unknown
                if self.steps > MAX_STEPS or isinstance(error, RecursionError | MemoryError):
                    raise Unknown from error
                for name in self.assigned_names(statement):
                    env.pop(name, None)  # whatever the statement would have set is unknown from here on

    def statement(self, node: ast.stmt, env: dict) -> None:  # noqa: C901 - one branch per statement type
        if isinstance(node, ast.Assign):
            value = self.evaluate_and_reveal(node.value, env, node.lineno)
            for target in node.targets:
                self._bind(target, value, env)
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            self._bind(node.target, self.evaluate_and_reveal(node.value, env, node.lineno), env)
        elif isinstance(node, ast.AugAssign):
            current = self.eval(ast.Name(node.target.id, ast.Load()) if isinstance(node.target, ast.Name)
                                else node.target, env)  # fmt: skip
            value = self._binary(ast.BinOp(ast.Constant(current), node.op, node.value), env)
            self._bind(node.target, value, env)
        elif isinstance(node, ast.Expr):
            self.evaluate_and_reveal(node.value, env, node.lineno)
        elif isinstance(node, ast.For):
            for item in self._iterate(self.eval(node.iter, env)):
                self._bind(node.target, item, env)
                if not self._loop_body(node.body, env):
                    break
            else:
                self.run(node.orelse, env)
        elif isinstance(node, ast.While):
            while self.eval(node.test, env):
                self.tick()
                if not self._loop_body(node.body, env):
                    break
        elif isinstance(node, ast.If):
            self.run(node.body if self.eval(node.test, env) else node.orelse, env)
        elif isinstance(node, ast.Return):
            raise _Return(self.eval(node.value, env) if node.value is not None else None)
        elif isinstance(node, ast.Break):
            raise _Break
        elif isinstance(node, ast.Continue):
            raise _Continue
        elif isinstance(node, ast.FunctionDef):
            env[node.name] = _Function(node, env)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            self._import(node, env)
        elif isinstance(node, ast.Try):
            self.run(node.body, env)
            self.run(node.orelse + node.finalbody, env)
        elif not isinstance(node, ast.Pass):
            raise Unknown

    def _loop_body(self, body: list[ast.stmt], env: dict) -> bool:
        """Run one iteration; False when it breaks out of the loop."""
        try:
            self.run(body, env)
        except _Break:
            return False
        except _Continue:
            pass
        return True

    def _import(self, node: ast.Import | ast.ImportFrom, env: dict) -> None:
        for alias in node.names:
            bound = alias.asname or alias.name.split(".")[0]
            if isinstance(node, ast.Import) and alias.name in MODULES:
                env[bound] = _Module(alias.name)
            elif isinstance(node, ast.ImportFrom) and f"{node.module}.{alias.name}" in MODULE_FUNCTIONS:
                env[bound] = MODULE_FUNCTIONS[f"{node.module}.{alias.name}"]

    def evaluate_and_reveal(self, node: ast.expr, env: dict, line: int) -> object:
        """Evaluate `node`; a string it builds from something other than a single literal is revealed. The
        arguments of a call are revealed on their own (`requests.post(b64decode(...))`), and a call of exec,
        of a command runner or of print is not evaluated, only its argument."""
        if isinstance(node, ast.Call):
            sink = _sink(node)
            for index, argument_node in enumerate([*node.args, *(k.value for k in node.keywords)]):
                before = self.decodings
                try:
                    argument = self.eval(argument_node, env)
                except Unknown:
                    if self.steps > MAX_STEPS:
                        raise
                    continue
                except Exception:  # noqa: BLE001 - see run()
                    continue
                self._reveal(argument_node, argument, line, self.decodings > before, sink if index == 0 else "")
            if sink:
                return None
        before = self.decodings
        value = self.eval(node, env)
        self._reveal(node, value, line, self.decodings > before, "")
        return value

    def _reveal(self, node: ast.AST, value: object, line: int, decoded: bool, sink: str) -> None:
        if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
            value = " ".join(value)  # subprocess.run(["curl", url]) is the command `curl url`
        if isinstance(value, bytes | bytearray):
            try:
                value = bytes(value).decode("utf-8")
            except UnicodeDecodeError:
                return
        if not isinstance(value, str) or len(value) < MIN_REVEALED or _is_literal(node):
            return
        decoded = decoded or value in self.decoded
        if decoded:
            self.decoded.add(value)
        elif value in self.literals:
            return
        key = (line, value, sink)
        if key not in self.revealed:
            self.revealed[key] = Revealed(line, value[:MAX_REVEALED_TEXT], decoded, sink)


MAX_REVEALED_TEXT = 20_000


def _is_literal(node: ast.AST) -> bool:
    """A literal, or a list or tuple of literals: text the line rules already read in the source."""
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return all(isinstance(element, ast.Constant) for element in node.elts)
    return isinstance(node, ast.Constant)


def _sink(node: ast.Call) -> str:
    last = dotted(node.func).rsplit(".", 1)[-1]
    if last in EXEC_SINKS and (last in ("exec", "eval") or isinstance(node.func, ast.Attribute)):
        return "exec"
    if last in PRINT_SINKS:
        return "print"
    return ""


def dotted_root(node: ast.AST) -> str:
    return dotted(node).split(".", 1)[0]


def _assigned_names(statement: ast.stmt) -> frozenset[str]:
    if isinstance(statement, ast.Assign | ast.AugAssign | ast.AnnAssign):
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        return frozenset(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
    if isinstance(statement, ast.Expr | ast.Return | ast.Pass | ast.Import | ast.ImportFrom):
        return frozenset()
    return frozenset(
        {
            target.id
            for node in ast.walk(statement)
            if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign | ast.For)
            for target in ast.walk(node.targets[0] if isinstance(node, ast.Assign) else node.target)
            if isinstance(target, ast.Name)
        }
    )


# Calls that only a decoding procedure needs (`.decode()` of a response is everywhere, so not that one).
DECODING_MARKERS = (DECODING - {"decode"}) | {"pow", "fromCharCode"}


def builds_strings(module: ast.Module) -> bool:
    """Whether `module` has something the interpreter could reveal: a decoding call, XOR, a reversing slice,
    a string rebuilt a piece at a time, or literals glued together (`"ht" + "tp"`, `"".join([...])`, also
    through names bound to literals). Most code has none, and is skipped."""
    literal_names: set[str] = set()
    glued: list[ast.BinOp] = []
    for node in ast.walk(module):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name in DECODING_MARKERS or (isinstance(func, ast.Attribute) and name == "join"
                                            and isinstance(func.value, ast.Constant)):  # fmt: skip
                return True
        elif isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.BitXor):
                return True
            if isinstance(node.op, ast.Add):
                glued.append(node)
        elif isinstance(node, ast.Slice) and isinstance(node.step, ast.UnaryOp):
            return True
        elif isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Add) and isinstance(node.value, ast.Subscript):
            return True  # `out += parts[i][j]`: a string rebuilt a character at a time
        elif isinstance(node, ast.Assign) and _literal_string(node.value):
            literal_names.update(target.id for target in node.targets if isinstance(target, ast.Name))
    return any(_glued_literals(node, literal_names) for node in glued)


def _literal_string(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _glued_literals(node: ast.AST, names: set[str]) -> bool:
    """`"a" + "b"`, `A + "b"` with A bound to a literal: every piece is a literal."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _glued_literals(node.left, names) and _glued_literals(node.right, names)
    return _literal_string(node) or (isinstance(node, ast.Name) and node.id in names)


def revealed_strings(module: ast.Module) -> list[Revealed]:
    """The strings `module` builds from its own literals: module-level code runs in order, then each function
    body once with its parameters unknown. Never raises."""
    try:
        if not builds_strings(module):
            return []
    except RecursionError:
        return []
    interpreter = Interpreter()
    interpreter.literals = {
        node.value for node in ast.walk(module) if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    env: dict = {"__name__": "__main__"}
    bodies = [module.body] + [node.body for node in ast.walk(module) if isinstance(node, FUNCTIONS)]
    for index, body in enumerate(bodies):
        try:
            interpreter.run(body, env if index == 0 else dict(env))
        except Exception:  # noqa: BLE001 - the interpreter never stops a scan, whatever the script holds
            if interpreter.steps > MAX_STEPS:
                break
    return list(interpreter.revealed.values())


FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
