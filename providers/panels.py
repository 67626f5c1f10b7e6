"""Dashboard panels of the NGO registry."""

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from core import dashboard, registry, search
from core.models import Region, Role
from core.util import today
from providers import permissions
from providers.models import Provider, ServiceArea, StaffMember


def my_organisations(user) -> dict | None:
    """The NGO member's organisations: status, staff who may work with children, certificates lapsing soon."""
    on = today()
    providers = list(Provider.objects.of_user(user).select_related("home_region"))
    if not providers:
        return None
    staff = StaffMember.objects.visible_to(user).filter(provider__in=providers).current()
    child_ok = set(staff.may_work_with_children(on).values_list("pk", flat=True))
    rows = []
    for provider in providers:
        members = [m for m in staff if m.provider_id == provider.pk]
        rows.append(
            {
                "provider": provider,
                "unverified": provider.status == Provider.Status.UNVERIFIED,
                "staff": len(members),
                "child_ok": sum(1 for m in members if m.pk in child_ok),
                "lapsing": [(m, what, until) for m in members for what, until in m.lapsing(on)],
            }
        )
    return {"rows": rows}


def awaiting_verification(user) -> dict | None:
    """Unverified organisations the user may verify (home region of the officer's agency; all for admins)."""
    if user.is_officer and not (user.agency and user.agency.region_id):
        return None
    providers = (
        Provider.objects.verifiable_by(user).filter(status=Provider.Status.UNVERIFIED).select_related("home_region")
    )
    return {"providers": providers.order_by("created_at")[:10], "count": providers.count()}


def registry_by_region(user) -> dict:
    """Active organisations by home region and by service area, with the regions where none works."""
    active = Provider.objects.visible_to(user).filter(status=Provider.Status.ACTIVE)
    regions = (
        Region.objects.visible_to(user)
        .filter(level=Region.Level.FIRST)
        .annotate(
            home=Count("providers", filter=Q(providers__in=active), distinct=True),
        )
    )
    working = dict(
        ServiceArea.objects.visible_to(user)
        .filter(provider__in=active)
        .values("region")
        .annotate(n=Count("provider", distinct=True))
        .values_list("region", "n")
    )
    rows = [(region, region.home, working.get(region.pk, 0)) for region in regions]
    return {"rows": rows, "without": [region for region, _home, n in rows if n == 0]}


def find_providers(user, term: str, limit: int) -> list[search.Hit]:
    """Return the NGOs the user may open whose name or BIN holds the term."""
    found = search.matching(Provider.objects.visible_to(user), term).select_related("home_region")[:limit]
    return [
        search.Hit(
            title=provider.name, url=provider.get_absolute_url(), detail=f"{provider.bin} · {provider.home_region}"
        )
        for provider in found
    ]


def register_all() -> None:
    search.register(search.Searcher(key="providers", order=30, label=_("NGOs"), find=find_providers))
    dashboard.register(
        dashboard.Panel(
            key="providers-mine",
            title=_("Your organisation"),
            roles=frozenset({Role.NGO}),
            template="providers/panels/mine.html",
            context=my_organisations,
            order=10,
        )
    )
    dashboard.register(
        dashboard.Panel(
            key="providers-verification",
            title=_("Organisations awaiting verification"),
            roles=frozenset({Role.OFFICER, Role.ADMIN}),
            template="providers/panels/verification.html",
            context=awaiting_verification,
            order=50,
        )
    )
    dashboard.register(
        dashboard.Panel(
            key="providers-registry",
            title=_("NGOs by region"),
            roles=frozenset({Role.COMMITTEE, Role.ADMIN, Role.OFFICER}),
            template="providers/panels/registry.html",
            context=registry_by_region,
            order=60,
        )
    )
    registry.register(
        registry.NAV,
        registry.Link(
            key="my-organisation",
            order=50,
            predicate=lambda user: user.is_authenticated and user.is_ngo,
            label=_("My organisation"),
            url_name="providers:mine",
            current=frozenset({"providers:provider-detail", "providers:mine"}),
        ),
    )
    registry.register(
        registry.NAV,
        registry.Link(
            key="registry",
            order=55,
            predicate=permissions.can_view_registry,
            label=_("NGO registry"),
            url_name="providers:provider-list",
            current=frozenset({"providers:provider-list"}),
        ),
    )
    registry.register(
        registry.NAV,
        registry.Link(
            key="register",
            order=90,
            predicate=registry.signed_out,
            label=_("Register an NGO"),
            url_name="providers:register",
            current=frozenset({"providers:register"}),
        ),
    )
