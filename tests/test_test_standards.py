"""The suite's own standards: a refusal a test expects is named by its message.

`pytest.raises(PermissionDenied)` alone passes whatever the reason of the refusal; with `match=` the
test fails when the code refuses for another reason than the one it checks.
"""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _is_pytest_raises(call: ast.Call) -> bool:
    func = call.func
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "raises"
        and getattr(func.value, "id", "") == "pytest"
    )


def test_every_pytest_raises_names_its_message():
    bare = []
    seen = 0
    for path in sorted(TESTS.rglob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _is_pytest_raises(node):
                seen += 1
                if not any(keyword.arg == "match" for keyword in node.keywords):
                    bare.append(f"{path.relative_to(TESTS).as_posix()}:{node.lineno}")
    assert seen > 50  # the scan sees the suite's raises
    assert bare == []
