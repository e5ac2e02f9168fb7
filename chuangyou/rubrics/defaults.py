"""The shipped defaults (data/*.toml): loaded once, published, and bound to their domains.

Idempotent: a code that already exists in the database is left alone, so a county's own versions
and edits are never overwritten by a later install.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any

from django.db import transaction
from django.utils import timezone

from chuangyou.audit.services import record
from chuangyou.rubrics import services
from chuangyou.rubrics.models import (
    Checklist,
    ChecklistCriterion,
    DomainBinding,
    Rubric,
    Situation,
    SituationList,
    Status,
)
from chuangyou.rubrics.spec import spec_from_dict


@dataclass(frozen=True)
class Loaded:
    code: str
    name: str
    kind: str
    created: bool


def data_files() -> list[dict[str, Any]]:
    folder = resources.files("chuangyou.rubrics") / "data"
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".toml")), key=lambda f: f.name)
    return [tomllib.loads(f.read_text(encoding="utf-8")) for f in files]


@transaction.atomic
def load_defaults(*, actor=None) -> list[Loaded]:
    loaders = {"star_checklist": _load_checklist, "situation_list": _load_situations}
    return [loaders.get(data.get("kind", ""), _load_rubric)(data, actor) for data in data_files()]


def _load_rubric(data: dict[str, Any], actor) -> Loaded:
    spec = spec_from_dict(data)
    if Rubric.objects.filter(code=spec.code).exists():
        return Loaded(spec.code, spec.name, "rubric", False)
    rubric = services.rubric_create(actor=actor, spec=spec, publish=True)
    for domain in data.get("bind_domains", spec.domains):
        if not DomainBinding.objects.filter(domain=domain).exists():
            services.domain_bind(actor=actor, domain=domain, rubric=rubric)
    return Loaded(spec.code, spec.name, "rubric", True)


def _versioned_fields(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "code": data["code"],
        "name": data["name"],
        "description": data.get("description", ""),
        "source": data.get("source", ""),
        "domains": list(data.get("domains", ())),
        "status": Status.PUBLISHED,
        "published_at": timezone.now(),
    }


def _load_checklist(data: dict[str, Any], actor) -> Loaded:
    if Checklist.objects.filter(code=data["code"]).exists():
        return Loaded(data["code"], data["name"], "checklist", False)
    checklist = Checklist.objects.create(stars=list(data["stars"]), **_versioned_fields(data))
    # Rows of a published version are written once, before anyone can see it.
    rows = [
        ChecklistCriterion(
            checklist=checklist,
            order=n,
            section=section["name"],
            text=c["text"],
            required=list(c["required"]),
            metric=c.get("metric", ""),
            unit=c.get("unit", ""),
            thresholds=list(c.get("thresholds", ())),
            comparison=c.get("comparison", ">="),
        )
        for n, (section, c) in enumerate((s, c) for s in data["sections"] for c in s["criteria"])
    ]
    ChecklistCriterion.objects.bulk_create(rows)
    record(
        actor=actor,
        verb="checklist.create",
        target=checklist,
        after={"code": checklist.code, "version": checklist.version, "criteria": len(rows)},
    )
    return Loaded(checklist.code, checklist.name, "checklist", True)


def _load_situations(data: dict[str, Any], actor) -> Loaded:
    if SituationList.objects.filter(code=data["code"]).exists():
        return Loaded(data["code"], data["name"], "situations", False)
    situation_list = SituationList.objects.create(**_versioned_fields(data))
    Situation.objects.bulk_create(
        Situation(situation_list=situation_list, order=n, text=s["text"])
        for n, s in enumerate(data["situations"])
    )
    record(
        actor=actor,
        verb="situations.create",
        target=situation_list,
        after={
            "code": situation_list.code,
            "version": situation_list.version,
            "situations": len(data["situations"]),
        },
    )
    return Loaded(situation_list.code, situation_list.name, "situations", True)
