"""The functional core: rubric scoring, grading under quotas, ballots and working days.

Plain Python only. Nothing here may import Django (tests/rules/test_rules_pure.py enforces it),
so every decision the web app takes can be reproduced from a spreadsheet with `chuangyou grade`.
"""
