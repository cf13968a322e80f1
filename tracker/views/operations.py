"""For the operators: the health check."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.views.decorators.cache import never_cache


@login_not_required
@never_cache
def health(request):
    """Liveness for the reverse proxy and the load test's reference: no DB query."""
    return HttpResponse("ok", content_type="text/plain")
