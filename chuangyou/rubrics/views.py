from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chuangyou.orgs.models import Domain
from chuangyou.rubrics import queries, services
from chuangyou.rubrics.diff import diff_specs
from chuangyou.rubrics.forms import AttributesForm, BindForm, CategoryForm, ItemForm
from chuangyou.rubrics.models import Category, Checklist, DomainBinding, Item, Rubric, SituationList
from chuangyou.rules.method_text import parse_method


def _rubric_for_editor(request, pk) -> Rubric:
    rubric = queries.get_rubric_for_user(request.user, pk)
    if not queries.can_edit_rubrics(request.user):
        raise PermissionDenied("只有县委组织部管理员可以修改评定标准")
    return rubric


@require_GET
def rubric_list(request):
    rubrics = queries.rubrics_visible_to(request.user).select_related("based_on")
    bindings = {b.domain: b for b in DomainBinding.objects.select_related("rubric")}
    published = list(Rubric.objects.published().order_by("code", "version"))
    return render(
        request,
        "rubrics/list.html",
        {
            "rubrics": rubrics,
            "domains": [(d, bindings.get(d.value)) for d in Domain],
            "published": published,
            "checklists": Checklist.objects.all(),
            "situation_lists": SituationList.objects.all(),
            "can_edit": queries.can_edit_rubrics(request.user),
        },
    )


@require_GET
def rubric_detail(request, pk):
    rubric = queries.get_rubric_for_user(request.user, pk)
    rubric = queries.with_content(Rubric.objects.filter(pk=rubric.pk)).get()
    spec = queries.spec_of(rubric)
    return render(
        request,
        "rubrics/detail.html",
        {
            "rubric": rubric,
            "rows": queries.table_rows(rubric),
            "errors": spec.errors() if rubric.is_draft else [],
            "can_edit": queries.can_edit_rubrics(request.user),
            "previous": rubric.based_on
            or Rubric.objects.filter(code=rubric.code, version__lt=rubric.version).first(),
        },
    )


@require_http_methods(["GET", "POST"])
def rubric_edit(request, pk):
    rubric = _rubric_for_editor(request, pk)
    if not rubric.is_draft:
        messages.warning(request, "已发布的版本不能修改，请先“修订为新版本”。")
        return redirect("rubrics:detail", pk=rubric.pk)
    fields = ("name", "total", "scheme", "domains", "description")
    form = AttributesForm(request.POST or None, initial={f: getattr(rubric, f) for f in fields})
    if request.method == "POST" and form.is_valid():
        try:
            services.rubric_update_attributes(actor=request.user, rubric=rubric, **form.cleaned_data)
        except services.RubricError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "已保存")
            return redirect("rubrics:edit", pk=rubric.pk)
    rubric = queries.with_content(Rubric.objects.filter(pk=rubric.pk)).get()
    return render(
        request,
        "rubrics/edit.html",
        {
            "rubric": rubric,
            "form": form,
            "category_form": CategoryForm(),
            "errors": queries.spec_of(rubric).errors(),
        },
    )


@require_http_methods(["GET", "POST"])
def item_edit(request, pk, item_pk=None, category_pk=None):
    """The inline item form (htmx): GET shows it, POST saves and answers the refreshed row."""
    rubric = _rubric_for_editor(request, pk)
    item = get_object_or_404(Item, pk=item_pk, category__rubric=rubric) if item_pk else None
    category = item.category if item else get_object_or_404(Category, pk=category_pk, rubric=rubric)
    form = ItemForm(request.POST or None, initial=ItemForm.initial_for(item) if item else None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.item_save(actor=request.user, category=category, item=item, data=form.spec())
        except services.RubricError as exc:
            form.add_error(None, str(exc))
        else:
            if request.htmx:
                # The row, and the publish check at the top of the editor (out of band).
                errors = queries.stored_spec(rubric.pk).errors()
                context = {"item": item, "rubric": rubric, "editable": True, "oob": True, "errors": errors}
                return render(request, "rubrics/_item_row.html", context)
            return redirect("rubrics:edit", pk=rubric.pk)
    context = {"form": form, "item": item, "category": category, "rubric": rubric}
    return render(request, "rubrics/_item_form.html", context)


@require_GET
def item_row(request, pk, item_pk):
    rubric = _rubric_for_editor(request, pk)
    item = get_object_or_404(Item, pk=item_pk, category__rubric=rubric)
    return render(
        request, "rubrics/_item_row.html", {"item": item, "rubric": rubric, "editable": rubric.is_draft}
    )


@require_POST
def item_delete(request, pk, item_pk):
    rubric = _rubric_for_editor(request, pk)
    item = get_object_or_404(Item, pk=item_pk, category__rubric=rubric)
    _run(request, services.item_delete, f"已删除项目“{item.name}”", item=item)
    return redirect("rubrics:edit", pk=rubric.pk)


@require_POST
def category_save(request, pk, category_pk=None):
    rubric = _rubric_for_editor(request, pk)
    category = get_object_or_404(Category, pk=category_pk, rubric=rubric) if category_pk else None
    form = CategoryForm(request.POST)
    if not form.is_valid():
        messages.error(request, "类型名称和分值必须填写，分值为不小于0的数字")
    else:
        _run(
            request,
            services.category_save,
            "已保存类型",
            rubric=rubric,
            category=category,
            **form.cleaned_data,
        )
    return redirect("rubrics:edit", pk=rubric.pk)


@require_POST
def category_delete(request, pk, category_pk):
    rubric = _rubric_for_editor(request, pk)
    category = get_object_or_404(Category, pk=category_pk, rubric=rubric)
    _run(request, services.category_delete, f"已删除类型“{category.name}”", category=category)
    return redirect("rubrics:edit", pk=rubric.pk)


@require_POST
def method_preview(request, pk):
    """How the 考评方式 text will be scored, while the user types it (htmx)."""
    _rubric_for_editor(request, pk)
    form = ItemForm(request.POST)
    form.is_valid()
    points = form.cleaned_data.get("points") or 0
    parsed = parse_method(request.POST.get("method", ""), max_points=points)
    return render(request, "rubrics/_parsed.html", {"parsed": parsed})


@require_GET
def rubric_diff(request, pk):
    rubric = queries.get_rubric_for_user(request.user, pk)
    other_pk = request.GET.get("against") or (rubric.based_on_id or "")
    if not other_pk:
        raise Http404("没有可对比的版本")
    other = queries.get_rubric_for_user(request.user, other_pk)
    changes = diff_specs(queries.stored_spec(other.pk), queries.stored_spec(rubric.pk))
    versions = Rubric.objects.filter(code=rubric.code).exclude(pk=rubric.pk)
    return render(
        request,
        "rubrics/diff.html",
        {
            "rubric": rubric,
            "other": other,
            "changes": changes,
            "versions": queries.rubrics_visible_to(request.user, versions),
        },
    )


@require_POST
def rubric_publish(request, pk):
    rubric = _rubric_for_editor(request, pk)
    try:
        services.rubric_publish(actor=request.user, rubric=rubric)
    except services.RubricError:
        # The page it returns to lists every reason; one message says why nothing happened.
        messages.error(request, "未能发布：分值或内容还有问题，请按下方提示修改")
    else:
        messages.success(request, f"已发布“{rubric.name}”第{rubric.version}版")
    return redirect("rubrics:detail", pk=rubric.pk)


@require_POST
def rubric_retire(request, pk):
    rubric = _rubric_for_editor(request, pk)
    _run(request, services.rubric_retire, f"已停用“{rubric.name}”第{rubric.version}版", rubric=rubric)
    return redirect("rubrics:detail", pk=rubric.pk)


@require_POST
def rubric_new_draft(request, pk):
    rubric = _rubric_for_editor(request, pk)
    done, draft = _run(
        request, services.rubric_new_draft, "已生成新版本草稿，可在此基础上修改", rubric=rubric
    )
    return redirect("rubrics:edit", pk=draft.pk) if done else redirect("rubrics:detail", pk=rubric.pk)


@require_POST
def rubric_discard(request, pk):
    rubric = _rubric_for_editor(request, pk)
    done, _ = _run(
        request, services.rubric_discard, f"已删除草稿“{rubric.name}”第{rubric.version}版", rubric=rubric
    )
    if done:
        return redirect("rubrics:list")
    return redirect("rubrics:detail", pk=rubric.pk)


@require_POST
def domain_bind(request):
    if not queries.can_edit_rubrics(request.user):
        raise PermissionDenied("只有县委组织部管理员可以设置适用标准")
    form = BindForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择领域和已发布的评定标准版本")
        return redirect("rubrics:list")
    rubric = queries.get_rubric_for_user(request.user, form.cleaned_data["rubric"])
    domain = form.cleaned_data["domain"]
    _run(
        request,
        services.domain_bind,
        f"{Domain(domain).label}领域已改用“{rubric}”",
        domain=domain,
        rubric=rubric,
    )
    return redirect("rubrics:list")


@require_GET
def checklist_detail(request, pk):
    checklist = get_object_or_404(Checklist.objects.prefetch_related("criteria"), pk=pk)
    sections: dict[str, list] = {}
    for criterion in checklist.criteria.all():
        sections.setdefault(criterion.section, []).append(criterion)
    return render(request, "rubrics/checklist.html", {"checklist": checklist, "sections": sections})


@require_GET
def situation_list_detail(request, pk):
    situation_list = get_object_or_404(SituationList.objects.prefetch_related("situations"), pk=pk)
    return render(request, "rubrics/situations.html", {"situation_list": situation_list})


def _run(request, service, success: str, **kwargs) -> tuple[bool, object]:
    """Call a service; show its refusal as messages instead of raising. Returns (done, result)."""
    try:
        result = service(actor=request.user, **kwargs)
    except services.RubricError as exc:
        for error in exc.errors:
            messages.error(request, error)
        return False, None
    messages.success(request, success)
    return True, result
