"""The city's pages: the counties below it, side by side, and their ranking."""

from functools import partial

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext
from django.views.decorators.http import require_POST, require_safe

from .. import documents, permissions
from ..exports import docx_response
from ..models import AssessmentWeights
from ..organised_work_forms import (
    ChaseAnswerForm,
    OrganizationChaseForm,
    OrganizationNoticeForm,
)
from ..selectors.organizations import (
    RANKING_CACHE_SECONDS,
    cached_organization_figures,
    cached_organization_indicators,
    items_side_by_side,
    organization_figures_cache_key,
    organization_ranking_cache_key,
    organizations_below,
    reports_by_year,
    supervision_list_cache_key,
    supervision_sent_or_received,
)
from ..services import organization_supervision as services
from ..services.common import ServiceError
from ..tables import PER_PAGE
from .dashboard import CSRF_SLOT, rendered_once, with_csrf_token


def _city_context(request, *, ranking=False):
    """The user's organization, those below it and the chosen year (?year=, else
    the latest with a report); 403 for anyone the city's pages are not for.
    ``ranking``: the ranked indicators (cached, ``ranking_key`` says where)
    instead of the list's figures (cached, ``figures_key``)."""
    organization = permissions.user_organization(request.user)
    if not permissions.can_view_organizations(request.user, organization):
        raise PermissionDenied
    organizations = organizations_below(organization)
    # Every report's revision with the years: both pages' cache keys read them.
    by_year = reports_by_year(organizations)
    years = list(by_year)
    raw = request.GET.get("year", "")
    year = int(raw) if raw.isdigit() and int(raw) in years else None
    if year is None and years:
        year = years[0]
    figures, ranked, weights, ranking_key, figures_key = [], [], None, None, None
    today = timezone.localdate()
    if year is not None and ranking:
        weights = AssessmentWeights.current(organization.pk if organization else None)
        ranking_key = organization_ranking_cache_key(
            by_year[year], today=today, weights=weights
        )
        # Read from the cache only when drawn: the page's table is cached whole.
        ranked = SimpleLazyObject(
            partial(
                cached_organization_indicators,
                key=ranking_key,
                organizations=organizations,
                year=year,
                today=today,
                weights=weights,
            )
        )
    elif year is not None:
        figures_key = organization_figures_cache_key(
            organizations, by_year[year], year=year, today=today
        )
        figures = SimpleLazyObject(
            partial(
                cached_organization_figures,
                key=figures_key,
                organizations=organizations,
                year=year,
                today=today,
            )
        )
    return {
        "organization": organization,
        "years": years,
        "year": year,
        "figures": figures,
        "ranked": ranked,
        "today": today,
        "weights": weights.as_dict() if weights else None,
        "ranking_key": ranking_key,
        "figures_key": figures_key,
    }


@require_safe
def organization_list(request):
    """Each organization below the user's with its report of the year: completion,
    overdue, red and yellow, recurring problems, the city's 催办 and 督办单 to it
    (and the forms to send them); a link to its dashboard."""
    context = _city_context(request)
    own = context["organization"]
    own_pk = own.pk if own else None
    # Whoever sees the page may chase the organizations below their own.
    can_supervise = permissions.can_read_all(request.user)
    # The table with its forms, rendered once per figures, language and what
    # decides the forms (a hundred rows of two forms took 130 ms to draw); the
    # reader's CSRF token is put into the forms afterwards.
    key = context["figures_key"]
    table_key = f"{key}:table:{translation.get_language()}:{can_supervise}:{own_pk}"
    table = rendered_once(
        table_key if key else None,
        "tracker/_organization_list_table.html",
        lambda: {
            "figures": context["figures"],
            "year": context["year"],
            "chase_form": OrganizationChaseForm(),
            "notice_form": OrganizationNoticeForm(),
            "own_pk": own_pk,
            "can_supervise": can_supervise,
            "csrf_token": CSRF_SLOT,
        },
    )
    context["organization_table"] = with_csrf_token(request, table)
    return render(request, "tracker/organization_list.html", context)


@require_safe
def organization_ranking(request):
    """The organizations with a report of the year, ranked by the department
    ranking's indicators and score (``selectors.assessment.organization_indicators``);
    ``?_export=docx`` is the city's 通报 of the same rows and columns, in the
    department 通报's official layout."""
    context = _city_context(request, ranking=True)
    key = context["ranking_key"]
    if request.GET.get("_export") == "docx" and context["year"] is not None:
        # Written once per ranking and issuing organization (its name heads it);
        # always in the deployment's language.
        issuer = context["organization"]
        circular_key = f"{key}:circular:{issuer.pk if issuer else ''}"
        content = cache.get(circular_key)
        if content is None:
            content = documents.city_circular_docx(
                organization=context["organization"],
                year=context["year"],
                ranked=context["ranked"],
                today=context["today"],
            )
            cache.set(circular_key, content, RANKING_CACHE_SECONDS)
        filename, fallback = documents.city_circular_filename(context["year"])
        return docx_response(content, filename, fallback=fallback)
    # The table, rendered once per ranking and language (a hundred rows took
    # 150 ms to draw): the same for every reader of the city's ranking.
    table_key = f"{key}:table:{translation.get_language()}"
    table = rendered_once(
        table_key if key else None,
        "tracker/_organization_ranking_table.html",
        lambda: {"ranked": context["ranked"], "year": context["year"]},
    )
    context["ranking_table"] = table
    return render(request, "tracker/organization_ranking.html", context)


@require_safe
def organization_reports(request):
    """The organizations' reports of one year side by side: which tasks each set,
    how far each is, and which are unfinished everywhere."""
    context = _city_context(request)
    organizations = [row.organization for row in context["figures"] if row.report_id]
    items = []
    if context["year"] is not None:
        items = items_side_by_side(organizations, year=context["year"])
    context.update(
        columns=organizations,
        items=items,
        unfinished_everywhere=[item for item in items if item.unfinished_everywhere],
    )
    return render(request, "tracker/organization_reports.html", context)


def _back_to_list(request):
    year = request.POST.get("year", "")
    url = reverse("tracker:organization_list")
    return redirect(f"{url}?year={year}" if year.isdigit() else url)


def _send(request, pk, form_class, send):
    organization = permissions.get_organization_or_404(request, pk)
    if not permissions.can_supervise_organization(request.user, organization):
        raise PermissionDenied
    form = form_class(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _back_to_list(request)
    raw_year = request.POST.get("year", "")
    year = int(raw_year) if raw_year.isdigit() else None
    try:
        sent = send(organization, {**form.cleaned_data, "year": year})
    except ServiceError as error:
        messages.error(request, str(error))
        return _back_to_list(request)
    if sent.code:
        messages.success(
            request,
            gettext("Supervision notice %(code)s sent to %(organization)s.")
            % {"code": sent.code, "organization": organization.name},
        )
    else:
        messages.success(
            request,
            gettext("%(organization)s was chased (催办).")
            % {"organization": organization.name},
        )
    return _back_to_list(request)


@require_POST
def organization_chase(request, pk):
    """催办 of a county as a whole, from its row on /organizations/."""
    return _send(
        request,
        pk,
        OrganizationChaseForm,
        lambda organization, data: services.organization_chase(
            organization=organization,
            user=request.user,
            note=data["note"],
            year=data["year"],
        ),
    )


@require_POST
def organization_notice(request, pk):
    """A numbered 督办单 to a county as a whole, from its row on /organizations/."""
    return _send(
        request,
        pk,
        OrganizationNoticeForm,
        lambda organization, data: services.organization_notice(
            organization=organization,
            user=request.user,
            level=data["level"],
            note=data["note"],
            year=data["year"],
        ),
    )


def _may_list_supervision(user):
    organization = permissions.user_organization(user)
    return organization, (
        permissions.can_view_organizations(user, organization)
        or (
            organization is not None
            and (permissions.is_supervisor(user) or permissions.is_leader(user))
        )
    )


@require_safe
def organization_supervision_list(request):
    """The city's 催办 and 督办单 to the counties and their answers: for a city,
    every one it may see below it; for a county's supervisors and leaders, the
    ones it received."""
    organization, allowed = _may_list_supervision(request.user)
    if not allowed:
        raise PermissionDenied
    chosen = request.GET.get("organization", "")
    chosen = chosen if chosen.isdigit() else ""
    number = request.GET.get("page", "")
    filter_query = f"organization={chosen}&" if chosen else ""
    # The table, rendered once per rows, names, page and language: the same for
    # everyone of the reader's organization (fifty rows took 40 ms to draw).
    key = supervision_list_cache_key(
        request.user,
        organization_id=organization.pk if organization else None,
        chosen=chosen,
        page=number if number.isdigit() else "",
        language=translation.get_language(),
    )

    def supervision_table():
        rows = supervision_sent_or_received(request.user)
        if chosen:
            rows = rows.filter(organization=int(chosen))
        # Newest first, a page at a time: a province sends to a hundred counties
        # a year.
        page = Paginator(rows, PER_PAGE).get_page(number)
        return {"page": page, "filter_query": filter_query}

    table = rendered_once(
        key, "tracker/_organization_supervision_table.html", supervision_table
    )
    return render(
        request,
        "tracker/organization_supervision_list.html",
        {"organization": organization, "supervision_table": table},
    )


def _supervision_or_403(request, pk):
    supervision = permissions.get_organization_supervision_or_404(request, pk)
    if not permissions.can_view_organization_supervision(request.user, supervision):
        raise PermissionDenied
    return supervision


@require_safe
def organization_supervision_detail(request, pk):
    """One 催办 or 督办单 to a county, its state and, for the county, the form
    to answer it."""
    supervision = _supervision_or_403(request, pk)
    can_answer = not supervision.is_answered and (
        permissions.can_answer_organization_supervision(request.user, supervision)
    )
    return render(
        request,
        "tracker/organization_supervision_detail.html",
        {
            "supervision": supervision,
            "can_answer": can_answer,
            "form": ChaseAnswerForm() if can_answer else None,
        },
    )


@require_POST
def organization_supervision_answer(request, pk):
    supervision = _supervision_or_403(request, pk)
    if not permissions.can_answer_organization_supervision(request.user, supervision):
        raise PermissionDenied
    form = ChaseAnswerForm(request.POST)
    if form.is_valid():
        try:
            services.organization_supervision_answer(
                supervision=supervision,
                user=request.user,
                answer=form.cleaned_data["answer"],
            )
        except ServiceError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, gettext("Answer sent."))
    else:
        messages.error(request, gettext("Write the answer first."))
    return redirect(supervision)
