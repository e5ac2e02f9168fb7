"""The rules core stays plain Python: no Django anywhere in chuangyou/rules/."""

import ast
import re
import subprocess
import sys
from pathlib import Path

import chuangyou.rules

RULES_DIR = Path(chuangyou.rules.__file__).parent
DJANGO_IMPORT = re.compile(r"^\s*(import\s+django\b|from\s+django\b)", re.MULTILINE)


def rule_sources():
    files = sorted(RULES_DIR.rglob("*.py"))
    assert len(files) >= 5  # __init__, rubric, grading, ballots, workdays
    return files


def test_no_rules_source_file_imports_django():
    offenders = []
    for path in rule_sources():
        text = path.read_text(encoding="utf-8")
        if DJANGO_IMPORT.search(text):
            offenders.append(str(path))
        for node in ast.walk(ast.parse(text)):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(name == "django" or name.startswith("django.") for name in names):
                offenders.append(f"{path}:{node.lineno}")
    assert offenders == []


def test_importing_the_rules_and_pure_commands_does_not_load_django():
    code = (
        "import sys\n"
        "import chuangyou.rules.rubric, chuangyou.rules.grading\n"
        "import chuangyou.rules.ballots, chuangyou.rules.workdays\n"
        "import chuangyou.commands.grade, chuangyou.commands.workdays\n"
        "print('django' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)  # noqa: S603
    assert out.stdout.strip() == "False"
