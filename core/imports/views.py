"""The pages of imports: upload (with the template), the list of imports, one import's progress and report, the
report workbook, and the commit."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import DetailView, FormView, ListView, View

from core.exceptions import InvalidTransition
from core.imports import registry, services, workbooks
from core.imports.forms import UploadForm
from core.models import Import
from core.views import ActionView, PermittedObjectMixin

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImporterRequiredMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not services.may_import(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def xlsx_response(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class ImportListView(ImporterRequiredMixin, ListView):
    template_name = "core/imports/list.html"
    context_object_name = "imports"
    paginate_by = 50

    def get_queryset(self):
        return Import.objects.visible_to(self.request.user).select_related("owner", "agency")


class ImportUploadView(ImporterRequiredMixin, FormView):
    template_name = "core/imports/upload.html"
    form_class = UploadForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(kinds=registry.kinds(), **kwargs)

    def form_valid(self, form):
        batch = services.start_import(
            user=self.request.user, upload=form.cleaned_data["file"], csv_kind=form.cleaned_data["csv_kind"]
        )
        return redirect(batch)


class ImportTemplateView(ImporterRequiredMixin, View):
    def get(self, request):
        return xlsx_response(workbooks.template(), _("import-template") + ".xlsx")


class ImportDetailView(ImporterRequiredMixin, DetailView):
    template_name = "core/imports/detail.html"
    context_object_name = "batch"

    def get_queryset(self):
        return Import.objects.visible_to(self.request.user).select_related("owner", "agency", "job")

    def get_template_names(self):
        if self.request.htmx:
            return ["core/imports/progress.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        batch = self.object
        kinds = {kind.code: kind for kind in registry.kinds()}
        rows = [(kind.label, batch.counts[code]) for code, kind in kinds.items() if code in batch.counts]
        running = batch.status in (Import.Status.CHECKING, Import.Status.COMMITTING)
        return super().get_context_data(
            counts=rows,
            running=running,
            can_commit=batch.status == Import.Status.READY and services.may_commit(self.request.user, batch),
            shown_problems=batch.problems[:500],
            earlier=services.earlier_data_years(batch) if self.request.user.is_admin else [],
            **kwargs,
        )


class ImportReportView(ImporterRequiredMixin, PermittedObjectMixin, View):
    model = Import

    def allowed(self, user, obj) -> bool:
        return True

    def get(self, request, pk):
        batch = self.get_permitted_object()
        return xlsx_response(workbooks.report(batch), f"report-{batch.pk}.xlsx")


class ImportCommitView(ImporterRequiredMixin, ActionView):
    model = Import

    def allowed(self, user, obj) -> bool:
        return services.may_commit(user, obj)

    def act(self, obj) -> str:
        batch = services.commit(user=self.request.user, batch=obj)
        if batch.status == Import.Status.COMMITTED:
            return _("The import is committed.")
        if batch.status == Import.Status.COMMITTING:
            return _("The import is being committed.")
        messages.error(self.request, _("The import was not committed: see the problems below."))
        return ""


class ImportDataFromView(ImporterRequiredMixin, ActionView):
    """An administrator moves a region's data_from_year to the first year a committed import brought."""

    model = Import

    def allowed(self, user, obj) -> bool:
        return user.is_admin

    def act(self, obj) -> str:
        try:
            region_id = int(self.request.POST.get("region", ""))
        except ValueError as error:
            raise InvalidTransition(_("Choose a region.")) from error
        year = services.move_data_from_year(user=self.request.user, batch=obj, region_id=region_id)
        return _("The region's data now starts in %(year)d.") % {"year": year}
