"""Views: thin functions that fetch through tracker.permissions and write through
tracker.services. Each section below belongs to one area of the product."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, HttpResponseNotFound
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView


def _todo(request, *args, **kwargs):
    return HttpResponseNotFound("Not built yet")


# --- Progress pages: dashboard, obligation list, departments -----------------

dashboard = _todo
department_list = _todo
department_detail = _todo


class ObligationListView(TemplateView):
    template_name = "base.html"


# --- Reports ------------------------------------------------------------------

report_detail = _todo


# --- Staff workflow -------------------------------------------------------------

my_work = _todo
obligation_detail = _todo
obligation_status = _todo
evidence_upload = _todo
obligation_supervision = _todo
obligation_assign = _todo
obligation_comment = _todo
evidence_withdraw = _todo
evidence_download = _todo


# --- Operations -----------------------------------------------------------------


@login_not_required
@never_cache
def health(request):
    """Liveness for the reverse proxy and the load test's reference: no DB query."""
    return HttpResponse("ok", content_type="text/plain")
