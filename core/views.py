import logging

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponseRedirect
from django.utils import translation
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from django.views.i18n import set_language as django_set_language

from core import registry
from core.forms import LockoutAuthenticationForm, QuietPasswordResetForm
from core.models import Region, ServiceType

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
