"""Middleware of our own: the interface's language, and unparseable requests.

A request the server refuses to parse gets the friendly 400 page.

More than DATA_UPLOAD_MAX_NUMBER_FIELDS parameters, more than
DATA_UPLOAD_MAX_NUMBER_FILES files, a form body over DATA_UPLOAD_MAX_MEMORY_SIZE or a
broken multipart body raise while ``request.GET`` / ``request.POST`` is first read.
Django answers 400 for them, but with DEBUG=1 its debug page reads ``request.GET``
again and fails with a 500, and with DEBUG=0 its page is bare English. Reading both
here, before any view (and only when CSRF protection would read the body anyway, so
a view's own upload handlers keep working), answers the same 400 page, in the user's
language, in both modes.
"""

import logging

from django.conf import settings
from django.core.exceptions import BadRequest, RequestDataTooBig, TooManyFieldsSent
from django.http import QueryDict
from django.http.multipartparser import MultiPartParserError, TooManyFilesSent
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.views.defaults import bad_request

logger = logging.getLogger("django.security.unparseable_request")

UNPARSEABLE = (
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
    MultiPartParserError,
)


class UnparseableRequestMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # In process_view, not __call__: the answer then passes through every
        # middleware's response handling (security headers, CSP) like any page.
        try:
            request.GET  # noqa: B018 (parsed here, on purpose)
        except UNPARSEABLE as error:
            # The page and its templates may read the query string again.
            request.GET = QueryDict()
            return self._bad_request(request, error)
        if request.method == "POST" and not getattr(view_func, "csrf_exempt", False):
            try:
                request.POST  # noqa: B018
            except UNPARSEABLE as error:
                return self._bad_request(request, error)
        return None

    def process_exception(self, request, exception):
        # Views that read the body themselves (csrf_exempt) end up here, and so
        # do views refusing a request they cannot make sense of (BadRequest).
        if isinstance(exception, (*UNPARSEABLE, BadRequest)):
            return self._bad_request(request, exception)
        return None

    def _bad_request(self, request, error):
        logger.warning("Bad request (%s): %s", error, request.path)
        if hasattr(request, "_mark_post_parse_error"):
            request._mark_post_parse_error()
        return bad_request(request, error)


class ChosenLanguageMiddleware:
    """The interface speaks the language the user picked, else Chinese.

    Replaces Django's LocaleMiddleware, which would follow the browser's
    Accept-Language: a county office's English-language browser would then land
    in an English interface nobody there asked for. The only choice that counts
    is the language switch's, which set_language stores in the language cookie.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        translation.activate(chosen_language(request))
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        # The page differs by the cookie, not by what the browser sends.
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


def chosen_language(request):
    """The switch's choice when it names a language we offer, else LANGUAGE_CODE."""
    choice = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if choice:
        try:
            return translation.get_supported_language_variant(choice)
        except LookupError:
            pass
    return settings.LANGUAGE_CODE
