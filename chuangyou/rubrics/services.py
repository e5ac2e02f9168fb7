"""Writes to rubrics. Every function is one transaction with its audit event; content changes are
refused unless the version is a draft (the models refuse them too)."""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from chuangyou.audit.services import record
from chuangyou.orgs.models import Domain
from chuangyou.rubrics.models import Category, DomainBinding, Item, Rubric, Status, Veto
from chuangyou.rubrics.queries import stored_spec
from chuangyou.rubrics.spec import ItemSpec, RubricSpec
from chuangyou.rules.method_text import parse_method


class RubricError(ValueError):
    """A refused change; `errors` lists every reason in Chinese."""

    def __init__(self, errors: list[str] | str):
        self.errors = [errors] if isinstance(errors, str) else list(errors)
        super().__init__("；".join(self.errors))


def _summary(rubric: Rubric) -> dict:
    return {"code": rubric.code, "version": rubric.version, "name": rubric.name, "status": rubric.status}


def _locked_draft(rubric: Rubric) -> Rubric:
    current = Rubric.objects.select_for_update().get(pk=rubric.pk)
    if current.status != Status.DRAFT:
        raise RubricError(
            f"“{current.name}”第{current.version}版{current.get_status_display()}，不能修改；请先“修订为新版本”"
        )
    return current


def _item_fields(item: ItemSpec, bonus: bool) -> dict:
    parsed = parse_method(item.method, max_points=item.points, bonus=bonus)
    return {
        "name": item.name,
        "max_points": item.points,
        "criteria": list(item.criteria),
        "method": item.method,
        "evidence_hint": item.evidence_hint,
        "kind": parsed.kind,
        "rules": [
            {"text": r.text, "points": str(r.points), "per_occurrence": r.per_occurrence}
            for r in parsed.rules
        ],
        "zero_out": list(parsed.zero_out),
        "discretionary_deduction": parsed.discretionary_deduction,
        "unparsed": list(parsed.unparsed),
    }


def _write_content(rubric: Rubric, spec: RubricSpec) -> None:
    for c_order, category in enumerate(spec.categories):
        row = Category.objects.create(
            rubric=rubric, order=c_order, name=category.name, points=category.points, bonus=category.bonus
        )
        Item.objects.bulk_create(
            Item(category=row, order=i_order, **_item_fields(item, category.bonus))
            for i_order, item in enumerate(category.items)
        )
    Veto.objects.bulk_create(
        Veto(rubric=rubric, order=n, text=v.text, max_grade=v.max_grade) for n, v in enumerate(spec.vetoes)
    )


def _check_domains(domains) -> None:
    unknown = [d for d in domains if d not in Domain.values]
    if unknown:
        raise RubricError(f"未知的适用领域：{'、'.join(unknown)}")


@transaction.atomic
def rubric_create(
    *, actor, spec: RubricSpec, based_on: Rubric | None = None, publish: bool = False
) -> Rubric:
    """A new version of `spec.code` (version 1 for a new code), as a draft unless `publish`."""
    _check_domains(spec.domains)
    last = Rubric.objects.select_for_update().filter(code=spec.code).aggregate(v=Max("version"))["v"] or 0
    rubric = Rubric.objects.create(
        code=spec.code,
        version=last + 1,
        name=spec.name,
        description=spec.description,
        source=spec.source,
        domains=list(spec.domains),
        total=spec.total,
        scheme=spec.scheme,
        based_on=based_on,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _write_content(rubric, spec)
    record(
        actor=actor, verb="rubric.create", target=rubric, after={**_summary(rubric), "items": _count(spec)}
    )
    return rubric_publish(actor=actor, rubric=rubric) if publish else rubric


def _count(spec: RubricSpec) -> int:
    return sum(len(c.items) for c in spec.categories)


@transaction.atomic
def rubric_new_draft(*, actor, rubric: Rubric) -> Rubric:
    """Editing a published (or retired) version starts from a copy: the next version, as a draft."""
    return rubric_create(actor=actor, spec=stored_spec(rubric.pk), based_on=rubric)


@transaction.atomic
def rubric_replace_content(*, actor, rubric: Rubric, spec: RubricSpec) -> Rubric:
    """Replace a draft's whole content and attributes (the editor's and the importer's write)."""
    current = _locked_draft(rubric)
    _check_domains(spec.domains)
    before = stored_spec(current.pk)
    for category in current.categories.all():
        category.items.all().delete()
    current.categories.all().delete()
    current.vetoes.all().delete()
    for field in ("name", "description", "source", "scheme"):
        setattr(current, field, getattr(spec, field))
    current.domains, current.total = list(spec.domains), spec.total
    current.save()
    _write_content(current, spec)
    record(actor=actor, verb="rubric.update", target=current, before=_plain(before), after=_plain(spec))
    return current


def _plain(spec: RubricSpec) -> dict:
    data = asdict(spec)
    data.pop("extra", None)
    return _json_safe(data)


def _json_safe(value):
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    return value


@transaction.atomic
def rubric_publish(*, actor, rubric: Rubric) -> Rubric:
    current = _locked_draft(rubric)
    if errors := stored_spec(current.pk).errors():
        raise RubricError(errors)
    return _change_status(current, Status.PUBLISHED, actor=actor, verb="rubric.publish")


@transaction.atomic
def rubric_retire(*, actor, rubric: Rubric) -> Rubric:
    current = Rubric.objects.select_for_update().get(pk=rubric.pk)
    if current.status != Status.PUBLISHED:
        raise RubricError(f"只能停用已发布的版本（当前为{current.get_status_display()}）")
    bound = list(DomainBinding.objects.filter(rubric=current).values_list("domain", flat=True))
    if bound:
        labels = "、".join(Domain(d).label for d in bound)
        raise RubricError(f"该版本仍是“{labels}”领域的适用标准，请先改为其他版本")
    return _change_status(current, Status.RETIRED, actor=actor, verb="rubric.retire")


def _change_status(current: Rubric, status: str, *, actor, verb: str) -> Rubric:
    before = current.status
    current.status = status
    fields = ["status"]
    if status == Status.PUBLISHED:
        current.published_at = timezone.now()
        fields.append("published_at")
    current.save(update_fields=fields)
    record(actor=actor, verb=verb, target=current, before={"status": before}, after={"status": status})
    return current


@transaction.atomic
def rubric_discard(*, actor, rubric: Rubric) -> None:
    """Throw a draft away (it was never used: only published versions are bound or used)."""
    current = _locked_draft(rubric)
    summary = _summary(current)
    record(actor=actor, verb="rubric.discard", target=current, before=summary)
    for category in current.categories.all():
        category.items.all().delete()
    current.categories.all().delete()
    current.vetoes.all().delete()
    current.delete()


@transaction.atomic
def domain_bind(*, actor, domain: str, rubric: Rubric) -> DomainBinding:
    if domain not in Domain.values:
        raise RubricError(f"未知的领域“{domain}”")
    current = Rubric.objects.select_for_update().get(pk=rubric.pk)
    if current.status != Status.PUBLISHED:
        raise RubricError("只能绑定已发布的版本")
    binding = DomainBinding.objects.select_for_update().filter(domain=domain).first()
    before = {"rubric": str(binding.rubric)} if binding else None
    if binding and binding.rubric_id == current.pk:
        return binding
    if binding:
        binding.rubric = current
        binding.save()
    else:
        binding = DomainBinding.objects.create(domain=domain, rubric=current)
    record(
        actor=actor,
        verb="rubric.bind",
        target=current,
        before=before,
        after={"domain": domain, "rubric": str(current)},
        note=f"{Domain(domain).label}领域适用",
    )
    return binding


# --- The draft editor: one row at a time ------------------------------------------------------------

ITEM_AUDIT_FIELDS = ("name", "max_points", "criteria", "method", "evidence_hint")


def _item_snapshot(item: Item) -> dict:
    return _json_safe({f: getattr(item, f) for f in ITEM_AUDIT_FIELDS} | {"category": item.category.name})


@transaction.atomic
def item_save(*, actor, category: Category, item: Item | None, data: ItemSpec) -> Item:
    """Create (item=None) or change one item of a draft; its 考评方式 is parsed again."""
    rubric = _locked_draft(category.rubric)
    clash = Item.objects.filter(category__rubric=rubric, name=data.name).exclude(pk=getattr(item, "pk", None))
    if clash.exists():
        raise RubricError(f"项目“{data.name}”已存在（项目名称在整个评定标准中须唯一）")
    before = _item_snapshot(item) if item else None
    fields = _item_fields(data, category.bonus)
    if item is None:
        order = (category.items.aggregate(m=Max("order"))["m"] or 0) + 1
        item = Item.objects.create(category=category, order=order, **fields)
    else:
        for name, value in fields.items():
            setattr(item, name, value)
        item.save()
    record(
        actor=actor,
        verb="rubric.item_save",
        target=rubric,
        before=before,
        after=_item_snapshot(item),
        note=f"项目“{item.name}”",
    )
    return item


@transaction.atomic
def item_delete(*, actor, item: Item) -> None:
    rubric = _locked_draft(item.category.rubric)
    record(
        actor=actor,
        verb="rubric.item_delete",
        target=rubric,
        before=_item_snapshot(item),
        note=f"项目“{item.name}”",
    )
    item.delete()


@transaction.atomic
def category_save(
    *, actor, rubric: Rubric, category: Category | None, name: str, points: Decimal, bonus: bool = False
) -> Category:
    current = _locked_draft(rubric)
    clash = current.categories.filter(name=name).exclude(pk=getattr(category, "pk", None))
    if clash.exists():
        raise RubricError(f"类型“{name}”已存在")
    before = (
        {"name": category.name, "points": str(category.points), "bonus": category.bonus} if category else None
    )
    if category is None:
        order = (current.categories.aggregate(m=Max("order"))["m"] or 0) + 1
        category = Category.objects.create(rubric=current, order=order, name=name, points=points, bonus=bonus)
    else:
        category.name, category.points, category.bonus = name, points, bonus
        category.save()
    record(
        actor=actor,
        verb="rubric.category_save",
        target=current,
        before=before,
        after={"name": name, "points": str(points), "bonus": bonus},
        note=f"类型“{name}”",
    )
    return category


@transaction.atomic
def category_delete(*, actor, category: Category) -> None:
    rubric = _locked_draft(category.rubric)
    record(
        actor=actor,
        verb="rubric.category_delete",
        target=rubric,
        before={"name": category.name, "points": str(category.points), "items": category.items.count()},
        note=f"类型“{category.name}”",
    )
    category.items.all().delete()
    category.delete()


@transaction.atomic
def rubric_update_attributes(
    *,
    actor,
    rubric: Rubric,
    name: str,
    description: str,
    domains: list[str],
    total: Decimal,
    scheme: str = "",
) -> Rubric:
    current = _locked_draft(rubric)
    _check_domains(domains)
    values = {"name": name, "description": description, "domains": domains, "total": total, "scheme": scheme}
    before = _json_safe({f: getattr(current, f) for f in values})
    for field, value in values.items():
        setattr(current, field, value)
    current.save()
    record(actor=actor, verb="rubric.update", target=current, before=before, after=_json_safe(values))
    return current
