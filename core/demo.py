"""Demo data of core: state bodies and the staff accounts of every role but NGOs (providers.demo adds those)."""

from django.contrib.auth import get_user_model

from core.models import Agency, Region, Role
from core.validators import make_bin

DEMO_PASSWORD = "demo-pass-2026"

# (role, username, what they can see) — printed by `make run`.
DEMO_LOGINS = [
    ("officer", "officer", "Almaty city akimat, Department of employment and social programmes"),
    ("officer", "officer2", "Karaganda Region akimat, Department of employment and social programmes"),
    ("expert", "expert", "independent expert: commissions and result evaluations"),
    ("ngo", "ngo", "member of the NGO «Шанырак» (Almaty)"),
    ("committee", "committee", "Mazhilis committee staff: national dashboards and exports"),
    ("admin", "admin", "system administrator (also /admin/)"),
]

# Region code → (Russian genitive for the department's name, Kazakh).
REGIONAL_AGENCIES = [
    ("75", "города Алматы", "Алматы қаласының"),
    ("35", "Карагандинской области", "Қарағанды облысының"),
    ("71", "города Астаны", "Астана қаласының"),
    ("61", "Туркестанской области", "Түркістан облысының"),
    ("55", "Павлодарской области", "Павлодар облысының"),
    ("10", "области Абай", "Абай облысының"),
    ("63", "Восточно-Казахстанской области", "Шығыс Қазақстан облысының"),
    ("15", "Актюбинской области", "Ақтөбе облысының"),
    ("31", "Жамбылской области", "Жамбыл облысының"),
]


def already_loaded() -> bool:
    return get_user_model().objects.filter(username="officer").exists()


def agency_bin(serial: int) -> str:
    """Return a valid BIN of a state body registered in 1999 (type digit 4)."""
    while True:
        candidate = make_bin(f"9901400{serial:04d}")
        if candidate:
            return candidate
        serial += 1000


def load(*, rng, context, stdout) -> None:
    agencies = {}
    for index, (code, genitive_ru, genitive_kk) in enumerate(REGIONAL_AGENCIES, start=1):
        region = Region.objects.get(code=code)
        agencies[code] = Agency.objects.create(
            name_ru=f"Управление координации занятости и социальных программ {genitive_ru}",
            name_kk=f"{genitive_kk} жұмыспен қамтуды үйлестіру және әлеуметтік бағдарламалар басқармасы",
            short_name_ru="УКЗСП",
            short_name_kk="ЖҚҮӘББ",
            bin=agency_bin(index),
            level=Agency.Level.REGIONAL,
            region=region,
        )
    agencies["ministry"] = Agency.objects.create(
        name_ru="Министерство труда и социальной защиты населения Республики Казахстан",
        name_kk="Қазақстан Республикасы Еңбек және халықты әлеуметтік қорғау министрлігі",
        short_name_ru="МТСЗН РК",
        short_name_kk="ҚР ЕХӘҚМ",
        bin=agency_bin(99),
        level=Agency.Level.NATIONAL,
    )
    context["agencies"] = agencies

    User = get_user_model()

    def user(username, role, first, last, agency=None, **extra):
        account = User(
            username=username,
            role=role,
            first_name=first,
            last_name=last,
            email=f"{username}@gsz.example.kz",
            agency=agency,
            **extra,
        )
        account.set_password(DEMO_PASSWORD)
        account.save()
        return account

    context["officer"] = user("officer", Role.OFFICER, "Айгерим", "Нурланова", agencies["75"])
    context["officer2"] = user("officer2", Role.OFFICER, "Сергей", "Ким", agencies["35"])
    context["officers"] = [context["officer"], context["officer2"]]
    for code, first, last in [
        ("71", "Данияр", "Сейткали"),
        ("61", "Гульнара", "Абдиева"),
        ("55", "Ольга", "Петренко"),
        ("10", "Ерлан", "Мукашев"),
        ("63", "Марина", "Соколова"),
        ("15", "Асель", "Жумабаева"),
        ("31", "Бауыржан", "Тулегенов"),
    ]:
        context["officers"].append(user(f"officer-{code}", Role.OFFICER, first, last, agencies[code]))
    context["officers"].append(user("officer-min", Role.OFFICER, "Алия", "Омарова", agencies["ministry"]))
    context["experts"] = [
        user("expert", Role.EXPERT, "Жанна", "Ахметова"),
        user("expert2", Role.EXPERT, "Тимур", "Исабеков"),
        user("expert3", Role.EXPERT, "Наталья", "Волкова"),
        user("expert4", Role.EXPERT, "Арман", "Калиев"),
    ]
    context["committee"] = user("committee", Role.COMMITTEE, "Мадина", "Серикбаева")
    context["admin"] = user("admin", Role.ADMIN, "Администратор", "Системы", is_staff=True, is_superuser=True)
    stdout.write(f"core: {len(agencies)} agencies, {User.objects.count()} staff accounts")


def backdated(*, actor, action: str, target, when, note: str = "", changes=None):
    """Write an audit event dated in the past, so demo timelines read as they happened."""
    from core import audit
    from core.models import AuditEvent

    event = audit.record(actor=actor, action=action, target=target, note=note, changes=changes)
    AuditEvent.objects.filter(pk=event.pk).update(created_at=when)
    return event
