"""Shared safety analysis: where a name is read (on the concrete tree) and what the rest of the project relies on."""

from __future__ import annotations

import libcst as cst
import pytest
from codemod_cases import facts

from lazyaudit.codemods._init_names import literal_all
from lazyaudit.codemods._uses import ModuleUses
from lazyaudit.codemods.safety import registers

# snippet reading `x` (bound by the first line) -> where the read happens
WHERE = {
    "import x\ndef f():\n    return x\n": "function",
    "import x\ny = x\n": "module",
    "import x\nclass C:\n    y = x\n": "class_body",
    "import x\nclass C(x.Base):\n    pass\n": "base_class",
    "import x\n@x.deco\ndef f():\n    pass\n": "decorator",
    "import x\ndef f(a=x):\n    pass\n": "default",
    "import x\nf = lambda: x\n": "lambda",
    "import x\ndef f(a: x):\n    pass\n": "runtime_annotation",
    "from __future__ import annotations\nimport x\ndef f(a: x):\n    pass\n": "annotation",
    "import x\ndef f(a: 'x'):\n    pass\n": "annotation",
    "import x\ndef f():\n    y: x = 1\n": "annotation",
    "import x\ndef f():\n    @x.deco\n    def g():\n        pass\n": "function",
    "import x\ndef f():\n    return [x for _ in range(3)]\n": "function",
    "import x\nys = [x for _ in range(3)]\n": "module",
    "from __future__ import annotations\nimport x\nfrom pydantic import BaseModel\nclass M(BaseModel):\n    a: x\n":
        "runtime_annotation",
    "from __future__ import annotations\nimport x\n@app.get('/')\ndef f(a: x):\n    pass\n": "runtime_annotation",
    "from __future__ import annotations\nimport x\n@functools.cache\ndef f(a: x):\n    pass\n": "annotation",
}


@pytest.mark.parametrize("source", sorted(WHERE))
def test_where_a_name_is_read(source: str) -> None:
    module = cst.parse_module(source)
    uses = ModuleUses(module)
    node = next(s.body[0] for s in module.body if isinstance(s, cst.SimpleStatementLine)
                and isinstance(s.body[0], cst.Import))
    assert [u.where for u in uses.uses(node, "x")] == [WHERE[source]]


def test_functions_called_and_handed_over_at_import() -> None:
    uses = ModuleUses(cst.parse_module("def a(): ...\ndef b(): ...\ndef c(): ...\nX = a()\nY = Depends(b)\n"
                                       "@c\ndef d(): ...\n"))
    assert uses.called_at_import == {"a", "Depends", "c"}
    assert uses.escaped == {"b"}


@pytest.mark.parametrize(("source", "names", "dynamic"), [
    ("__all__ = ['a', 'b']\n", ("a", "b"), False),
    ("__all__ = ('a',)\n__all__ += ['b']\n__all__.append('c')\n", ("a", "b", "c"), False),
    ("__all__ = other.__all__ + ['b']\n", None, True),
    ("x = 1\n", None, False),
])
def test_literal_all(source: str, names: tuple[str, ...] | None, dynamic: bool) -> None:
    assert literal_all(cst.parse_module(source)) == (names, dynamic)


@pytest.mark.parametrize(("callee", "expected"), [
    ("register", True), ("registry.register_step", True), ("signals.post_save.connect", True),
    ("logging.basicConfig", True), ("sys.path.insert", True), ("os.environ.setdefault", True),
    ("os.environ.get", False), ("boto3.client", False), ("Tracer", False), ("aws_xray_sdk.core.patch_all", False),
])
def test_registering_calls(callee: str, expected: bool) -> None:
    assert registers(callee) is expected


def test_project_facts() -> None:
    project = facts({
        "app.__init__": "",
        "app.handler": "import boto3\nimport app.util\n",
        "app.util": "from app import handler\nregister('x', print)\n",
        "app.api": "from app.handler import boto3\n",
        "tests.test_handler": "from unittest import mock\nimport app.handler as h\n"
                              "def test():\n    h.client.get()\n    mock.patch('app.handler.boto3.client')\n"
                              "    mock.patch.object(h, 'sessions')\n",
    })
    assert project.exported("app.handler", "boto3").startswith("other modules import it from app.handler")
    assert project.exported("app.handler", "json") == ""
    assert project.exported("app.handler", "client") == "other code reads it as app.handler.client"
    assert project.patched_name("app.handler", "boto3") == "a test patches 'app.handler.boto3.client'"
    assert "sessions" in project.patched_name("app.handler", "sessions")
    assert project.side_effect("app.util").startswith("app.util registers at import")
    assert project.side_effect("readline") == "importing readline changes the process"
    assert project.side_effect("json") == ""
    assert project.cycle("app.handler", "app.util") == ["app.handler", "app.util", "app.handler"]
    assert project.cycle("app.api", "app.handler") == []
