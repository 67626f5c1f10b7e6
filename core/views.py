import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_POST
from django.views.generic import ListView, TemplateView
from django.views.i18n import set_language as django_set_language

from core import registry, search
from core.exceptions import InvalidTransition
from core.forms import LockoutAuthenticationForm, QuietPasswordResetForm
from core.models import Notification, Region, ServiceType

logger = logging.getLogger(__name__)


def set_language_cookie(response, language: str) -> None:
    """Set the language cookie with the attributes Django's own language switch uses (Secure in production)."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


class AfterResponseRedirect(HttpResponseRedirect):
    """A redirect that does some work once it is sent: the server calls close() after writing the response, so
    the person waiting (or timing the answer) does not wait for the work."""

    def __init__(self, url: str, *, after):
        super().__init__(url)
        self._after = after

    def close(self) -> None:
        try:
            self._after()
        except Exception:  # the response is gone: log, never raise into the server
            logger.exception("Work after the response failed")
        finally:
            super().close()


@method_decorator(login_not_required, name="dispatch")
class HomeView(TemplateView):
    template_name = "core/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["region_count"] = Region.objects.filter(level=Region.Level.FIRST).count()
        context["service_count"] = ServiceType.objects.count()
        return context


@method_decorator(login_not_required, name="dispatch")
class SearchView(TemplateView):
    """The navigation bar's search: calls, contracts, NGOs and agencies in the reader's scope, grouped by kind."""

    template_name = "core/search.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        term = self.request.GET.get("q", "").strip()[:100]
        context.update(
            term=term,
            too_short=bool(term) and len(search.normalise(term)) < search.MIN_LENGTH,
            groups=search.search(self.request.user, term),
            limit=search.LIMIT,
        )
        return context


class DashboardView(TemplateView):
    template_name = "core/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["panels"] = registry.render(registry.DASHBOARD, self.request)
        return context


class LoginView(auth_views.LoginView):
    form_class = LockoutAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        set_language_cookie(response, form.get_user().preferred_language)
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset request, answering the same way and as fast whether or not an account has the address: the
    view only checks the address's form before it answers; looking the account up, making the link and sending
    the mail happen after the response is sent (once the task framework is in, this becomes an enqueued task)."""

    form_class = QuietPasswordResetForm

    def form_valid(self, form):
        options = {
            "use_https": self.request.is_secure(),
            "token_generator": self.token_generator,
            "from_email": self.from_email,
            "email_template_name": self.email_template_name,
            "subject_template_name": self.subject_template_name,
            "request": self.request,
            "html_email_template_name": self.html_email_template_name,
            "extra_email_context": self.extra_email_context,
        }
        language = translation.get_language()

        def send() -> None:
            with translation.override(language):
                form.save(**options)

        return AfterResponseRedirect(self.get_success_url(), after=send)


@login_not_required
@require_POST
def set_language(request):
    """Switch the interface language; a logged-in user's choice is remembered on their account."""
    response = django_set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        request.user.preferred_language = language
        request.user.save(update_fields=["preferred_language"])
    return response


class PermittedObjectMixin:
    """Fetch the view's row through `visible_to` (hidden: 404) and check the permission predicate (refused: 403).
    Subclasses set `model` (or override `get_queryset`) and define `allowed(user, obj)`."""

    model = None
    pk_url_kwarg = "pk"

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user)

    def allowed(self, user, obj) -> bool:
        raise NotImplementedError

    def get_permitted_object(self):
        obj = get_object_or_404(self.get_queryset(), pk=self.kwargs[self.pk_url_kwarg])
        if not self.allowed(self.request.user, obj):
            raise PermissionDenied
        return obj


class ActionView(PermittedObjectMixin, View):
    """One POST action on one row, the same way everywhere: fetch it through `visible_to` (hidden: 404), check the
    permission predicate (refused: 403), call the model method or service, add a message, redirect. A refusal by the
    rules (`InvalidTransition`) becomes error messages and changes nothing.

    Subclasses define `allowed(user, obj)` and `act(obj)`, which returns the success message."""

    http_method_names = ["post"]

    def act(self, obj) -> str:
        raise NotImplementedError

    def get_success_url(self, obj) -> str:
        return obj.get_absolute_url()

    def get_failure_url(self, obj) -> str:
        return self.get_success_url(obj)

    def post(self, request, *args, **kwargs):
        obj = self.get_permitted_object()
        try:
            message = self.act(obj)
        except InvalidTransition as error:
            for text in error.messages:
                messages.error(request, text)
            return redirect(self.get_failure_url(obj))
        if message:
            messages.success(request, message)
        return redirect(self.get_success_url(obj))


def action_views(**views: type[ActionView]):
    """Return one view for a URL with an `<action>` part that hands each action to its ActionView (unknown: 404)."""
    handlers = {name: view.as_view() for name, view in views.items()}

    def view(request, *args, action: str, **kwargs):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if action not in handlers:
            raise Http404
        return handlers[action](request, *args, **kwargs)

    return view


class InboxView(ListView):
    """The user's own inbox: every notification mailed to them, newest first, the unread ones marked."""

    template_name = "core/inbox.html"
    paginate_by = 30
    context_object_name = "notifications"

    def get_queryset(self):
        return Notification.objects.visible_to(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["unread_count"] = self.get_queryset().unread().count()
        return context


def safe_link(notification: Notification) -> str:
    """Return the message's link if it is a path of this site, else the inbox."""
    link = notification.link
    if link and link.startswith("/") and url_has_allowed_host_and_scheme(link, allowed_hosts=None):
        return link
    return reverse("core:inbox")


class NotificationOpenView(ActionView):
    """Mark one of the user's own messages read and go to its object (someone else's message: 404)."""

    model = Notification

    def allowed(self, user, obj) -> bool:
        return True  # the scope is the rule: `visible_to` holds only the user's own messages

    def act(self, obj) -> str:
        obj.mark_read(now=timezone.now())
        return ""

    def get_success_url(self, obj) -> str:
        return safe_link(obj)


class NotificationReadView(NotificationOpenView):
    """Mark one of the user's own messages read and stay in the inbox."""

    def get_success_url(self, obj) -> str:
        return reverse("core:inbox")


@require_POST
def inbox_read_all(request):
    """Mark every unread message of the user's own inbox read."""
    count = Notification.objects.visible_to(request.user).unread().update(read_at=timezone.now())
    if count:
        messages.success(request, _("All messages are marked read."))
    return redirect("core:inbox")
