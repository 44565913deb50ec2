"""Keeping the organization's lists tidy: issues, survey questions and tags (organizers)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from organizing.roles import user_is_organizer_or_above
from supporters.forms import TagForm
from supporters.models import Tag
from supporters.services import tag_create, tag_delete, tag_merge, tag_rename

from .models import Issue, SurveyQuestion
from .services import issue_create, issue_name_taken, issue_update, survey_question_save


class IssueForm(forms.ModelForm):
    class Meta:
        model = Issue
        fields = ["name", "description", "is_active"]
        labels = {"is_active": _("Offer on the conversation form")}

    def clean_name(self):
        # The service's rule and words, so the page, the API and OSDI say it alike.
        name = self.cleaned_data["name"].strip()
        if taken := issue_name_taken(name, issue=self.instance if self.instance.pk else None):
            raise forms.ValidationError(taken)
        return name


class QuestionForm(forms.ModelForm):
    new_choices = forms.CharField(
        label=_("Add answers (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For multiple-choice questions. Existing answers stay."),
    )

    class Meta:
        model = SurveyQuestion
        fields = ["prompt", "kind", "is_active", "position"]
        labels = {"is_active": _("Ask it on the conversation form")}

    def clean(self):
        data = super().clean()
        lines = [line.strip() for line in data.get("new_choices", "").splitlines() if line.strip()]
        values = [slugify(line)[:60] for line in lines]
        if any(not value for value in values):
            self.add_error("new_choices", "Each answer needs letters or numbers.")
        existing = set()
        if self.instance.pk:
            existing = set(self.instance.choices.values_list("value", flat=True))
        if len(set(values)) != len(values) or existing & set(values):
            self.add_error("new_choices", "Each answer must be different from the others.")
        data["choice_lines"] = list(zip(values, lines, strict=True))
        return data


def _save(kind: str, form, actor):
    """The service that writes what ``form`` validated (the form itself never saves).

    What the service refuses (a name already taken) comes back as the form's errors and
    None, in the service's words: the page, the API and OSDI say it the same way."""
    try:
        return _write(kind, form, actor)
    except ValidationError as error:
        form.add_error(None, error)
        return None


def _write(kind: str, form, actor):
    data = form.cleaned_data
    if kind == "question":
        return survey_question_save(
            actor=actor, question=form.save(commit=False), new_choices=data["choice_lines"]
        )
    if kind == "issue":
        if form.instance.pk:
            return issue_update(
                actor=actor,
                issue=form.instance,
                name=data["name"],
                description=data["description"],
                is_active=data["is_active"],
            )
        return issue_create(
            actor=actor,
            name=data["name"],
            description=data["description"],
            is_active=data["is_active"],
        )
    if form.instance.pk:
        return tag_rename(
            actor=actor, tag=form.instance, name=data["name"], description=data["description"]
        )
    return tag_create(actor=actor, name=data["name"], description=data["description"])


def _require_organizer(request: HttpRequest) -> None:
    if not user_is_organizer_or_above(request.user):
        raise PermissionDenied(_("The lists are kept by organizers."))


@login_required
def lists_view(request: HttpRequest) -> HttpResponse:
    """Issues, survey questions and tags, each with how much it is used, and forms to add."""
    _require_organizer(request)
    issue_form = IssueForm(prefix="issue")
    question_form = QuestionForm(prefix="question")
    tag_form = TagForm(prefix="tag")
    status = 200
    if request.method == "POST":
        kind = request.POST.get("add")
        form = {"issue": IssueForm, "question": QuestionForm, "tag": TagForm}.get(kind)
        if form is None:
            return HttpResponse("Say what to add: issue, question or tag.", status=400)
        bound = form(request.POST, prefix=kind)
        saved = _save(kind, bound, request.user) if bound.is_valid() else None
        if saved is not None:
            messages.success(request, _("Added “%(name)s”.") % {"name": saved})
            return redirect("conversations:lists")
        issue_form, question_form, tag_form = (
            bound if kind == "issue" else issue_form,
            bound if kind == "question" else question_form,
            bound if kind == "tag" else tag_form,
        )
        status = 400
    return render(
        request,
        "conversations/lists.html",
        {
            "issues": Issue.objects.annotate(uses=Count("conversations")).order_by("name"),
            "questions": SurveyQuestion.objects.annotate(uses=Count("responses"))
            .prefetch_related("choices")
            .order_by("position", "id"),
            "tags": Tag.objects.annotate(uses=Count("taggings")).order_by("name"),
            "issue_form": issue_form,
            "question_form": question_form,
            "tag_form": tag_form,
        },
        status=status,
    )


@login_required
def issue_edit_view(request: HttpRequest, issue_pk: int) -> HttpResponse:
    _require_organizer(request)
    issue = get_object_or_404(Issue, pk=issue_pk)
    form = IssueForm(request.POST or None, instance=issue)
    if request.method == "POST" and form.is_valid() and _save("issue", form, request.user):
        messages.success(request, _("Saved “%(name)s”.") % {"name": issue})
        return redirect("conversations:lists")
    return render(
        request,
        "conversations/list_item_form.html",
        {"form": form, "title": _("Issue: %(name)s") % {"name": issue}},
        status=400 if form.errors else 200,
    )


@login_required
def question_edit_view(request: HttpRequest, question_pk: int) -> HttpResponse:
    _require_organizer(request)
    question = get_object_or_404(SurveyQuestion, pk=question_pk)
    form = QuestionForm(request.POST or None, instance=question)
    if request.method == "POST" and form.is_valid() and _save("question", form, request.user):
        messages.success(request, _("Question saved."))
        return redirect("conversations:lists")
    return render(
        request,
        "conversations/list_item_form.html",
        {"form": form, "title": "Survey question", "choices": question.choices.all()},
        status=400 if form.errors else 200,
    )


class TagMergeForm(forms.Form):
    target = forms.ModelChoiceField(queryset=Tag.objects.none(), label=_("Merge into"))

    def __init__(self, *args, source: Tag, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = Tag.objects.exclude(pk=source.pk).order_by("name")


@login_required
def tag_edit_view(request: HttpRequest, tag_pk: int) -> HttpResponse:
    """Rename a tag, merge it into another, or delete it when no one has it."""
    _require_organizer(request)
    tag = get_object_or_404(Tag, pk=tag_pk)
    action = request.POST.get("action", "save") if request.method == "POST" else None
    form = TagForm(request.POST if action == "save" else None, instance=tag)
    merge_form = TagMergeForm(request.POST if action == "merge" else None, source=tag)
    if action == "save" and form.is_valid() and _save("tag", form, request.user):
        messages.success(request, _("Saved “%(name)s”.") % {"name": tag})
        return redirect("conversations:lists")
    if action == "merge" and merge_form.is_valid():
        target = merge_form.cleaned_data["target"]
        moved = tag_merge(actor=request.user, source=tag, target=target)
        messages.success(
            request,
            ngettext(
                "Merged into “%(name)s”; %(count)d person retagged.",
                "Merged into “%(name)s”; %(count)d people retagged.",
                moved,
            )
            % {"name": target, "count": moved},
        )
        return redirect("conversations:lists")
    delete_error = ""
    if action == "delete":
        if tag.taggings.exists():
            delete_error = "People still have this tag; merge it into another instead."
        else:
            try:
                tag_delete(actor=request.user, tag=tag)
            except ValidationError as error:
                delete_error = " ".join(error.messages)
            else:
                messages.success(request, _("Tag deleted."))
                return redirect("conversations:lists")
    return render(
        request,
        "conversations/list_item_form.html",
        {
            "form": form,
            "merge_form": merge_form,
            "title": _("Tag: %(name)s") % {"name": tag},
            "tag": tag,
            "delete_error": delete_error,
        },
        status=400 if (form.errors or merge_form.errors or delete_error) else 200,
    )
