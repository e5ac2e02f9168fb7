"""The `chuangyou` console script.

Pure tools that need no database (`grade`, `workdays`) run without Django; every other
word is a Django management command (`chuangyou migrate`, `chuangyou demo`, `chuangyou orgs`).
"""

import os
import sys
from importlib import import_module

PURE_COMMANDS = {
    "grade": "chuangyou.commands.grade",
    "workdays": "chuangyou.commands.workdays",
}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    if len(argv) > 1 and argv[1] in PURE_COMMANDS:
        module = import_module(PURE_COMMANDS[argv[1]])
        return int(module.main(argv[2:]) or 0)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chuangyou.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
