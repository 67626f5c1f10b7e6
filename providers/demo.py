"""Demo NGOs: spread unevenly over the regions (some regions have none), with valid BINs and staff registers."""

import datetime as dt

from django.contrib.auth import get_user_model

from core.demo import DEMO_PASSWORD
from core.models import Region, Role, ServiceType
from core.validators import make_bin
from providers.models import Membership, Provider, ServiceArea, StaffMember

# (Russian name, Kazakh name, home region code, legal form, regions it also works in)
NGOS = [
    ("ОФ «Шанырак»", "«Шаңырақ» ҚҚ", "75", "public-fund", ["19"]),
    ("ОО «Дети Алматы»", "«Алматы балалары» ҚБ", "75", "public-association", []),
    ("ОФ «Аялы алақан»", "«Аялы алақан» ҚҚ", "75", "public-fund", ["19"]),
    (
        "ЧУ «Центр семейной терапии «Отбасы»",
        "«Отбасы» отбасылық терапия орталығы» ЖМ",
        "75",
        "private-institution",
        [],
    ),
    ("ОО «Равные возможности»", "«Тең мүмкіндіктер» ҚБ", "75", "public-association", ["31"]),
    ("ОФ «Бота»", "«Бота» ҚҚ", "75", "public-fund", ["61", "31"]),
    ("ОО «Ассоциация приёмных семей»", "«Қабылдаушы отбасылар қауымдастығы» ҚБ", "75", "association", ["71"]),
    ("ОФ «Ак ниет»", "«Ақ ниет» ҚҚ", "71", "public-fund", ["11"]),
    ("ОО «Мейірім Астана»", "«Мейірім Астана» ҚБ", "71", "public-association", []),
    ("ЧУ «Центр раннего развития «Балапан»", "«Балапан» ерте даму орталығы» ЖМ", "71", "private-institution", []),
    ("ОФ «Жан жылуы»", "«Жан жылуы» ҚҚ", "71", "public-fund", ["11"]),
    ("ОО «Семья без насилия»", "«Зорлық-зомбылықсыз отбасы» ҚБ", "71", "public-association", ["35"]),
    ("ОО «Карагандинский кризисный центр»", "«Қарағанды дағдарыс орталығы» ҚБ", "35", "public-association", []),
    ("ОФ «Шахтёрские дети»", "«Кеншілер балалары» ҚҚ", "35", "public-fund", []),
    ("ОО «Надежда Сарыарки»", "«Сарыарқа үміті» ҚБ", "35", "public-association", []),
    ("ОФ «Түркістан жастары»", "«Түркістан жастары» ҚҚ", "61", "public-fund", []),
    ("ОО «Асар»", "«Асар» ҚБ", "61", "public-association", []),
    (
        "ОО «Шымкентский центр поддержки семьи»",
        "«Шымкент отбасын қолдау орталығы» ҚБ",
        "79",
        "public-association",
        ["61"],
    ),
    ("ОФ «Павлодар — детям»", "«Павлодар — балаларға» ҚҚ", "55", "public-fund", []),
    ("ОО «Ертіс»", "«Ертіс» ҚБ", "55", "public-association", []),
    ("ОФ «Семей мейірімі»", "«Семей мейірімі» ҚҚ", "10", "public-fund", []),
    ("ОО «Алтай балалары»", "«Алтай балалары» ҚБ", "63", "public-association", []),
    ("ОФ «Үміт»", "«Үміт» ҚҚ", "63", "public-fund", ["10"]),
    ("ОО «Ақтөбе отбасы»", "«Ақтөбе отбасы» ҚБ", "15", "public-association", []),
    ("ОФ «Қамқор Ақтөбе»", "«Қамқор Ақтөбе» ҚҚ", "15", "public-fund", []),
    ("ОО «Тараз — дети без границ»", "«Тараз — шекарасыз балалар» ҚБ", "31", "public-association", []),
    ("ОФ «Атырау жастары»", "«Атырау жастары» ҚҚ", "23", "public-fund", []),
    ("ОО «Уральский центр реабилитации»", "«Орал оңалту орталығы» ҚБ", "27", "public-association", []),
    ("ОФ «Көкшетау — семья»", "«Көкшетау — отбасы» ҚҚ", "11", "public-fund", []),
    (
        "ОО «Костанайская ассоциация родителей детей с инвалидностью»",
        "«Қостанай мүгедектігі бар балалардың ата-аналары қауымдастығы» ҚБ",
        "39",
        "association",
        [],
    ),
    ("ОФ «Талдыкорган — надежда»", "«Талдықорған — үміт» ҚҚ", "19", "public-fund", []),
    ("ОО «Жастар үні»", "«Жастар үні» ҚБ", "75", "public-association", ["71"]),
    ("ОФ «Новое поколение»", "«Жаңа буын» ҚҚ", "35", "public-fund", []),
    ("ОО «Созвездие»", "«Шоқжұлдыз» ҚБ", "55", "public-association", []),
]

# NGOs whose status is not active: the status is a field shown beside the name, never part of the name.
UNVERIFIED = {"ОФ «Новое поколение»"}
SUSPENDED = {"ОО «Созвездие»"}

# Service types by how often NGOs offer them (case management and psychosocial help are common; crisis stays rare).
SERVICE_WEIGHTS = {
    "case-management": 8,
    "psychosocial-support": 8,
    "family-support": 6,
    "foster-family-support": 4,
    "day-care-rehabilitation": 4,
    "early-intervention": 3,
    "home-based-care": 3,
    "suicide-bullying-prevention": 3,
    "medico-social-registry": 2,
    "children-support-centre": 1,
    "crisis-temporary-stay": 1,
}

FIRST_NAMES = [
    "Айгуль",
    "Динара",
    "Асель",
    "Марат",
    "Ержан",
    "Светлана",
    "Ольга",
    "Бекзат",
    "Жанар",
    "Наталья",
    "Айдана",
    "Руслан",
    "Галия",
    "Сауле",
    "Ирина",
    "Нурлан",
    "Камила",
    "Елена",
    "Алибек",
    "Меруерт",
]
LAST_NAMES = [
    "Ахметова",
    "Серикова",
    "Иванова",
    "Касымов",
    "Жумабеков",
    "Ли",
    "Ковальчук",
    "Омарова",
    "Нуржанова",
    "Смагулова",
    "Тен",
    "Байжанов",
    "Абенова",
    "Ким",
    "Есенова",
    "Мухамеджанов",
    "Садыкова",
    "Попова",
]
QUALIFICATIONS = {
    StaffMember.Position.SOCIAL_WORKER: "Высшее, социальная работа; курсы кейс-менеджмента",
    StaffMember.Position.PSYCHOLOGIST: "Высшее, психология; детская и семейная психотерапия",
    StaffMember.Position.CASE_MANAGER: "Высшее, социальная работа; сертификат кейс-менеджера",
    StaffMember.Position.TEACHER: "Высшее, дефектология",
    StaffMember.Position.SPEECH_THERAPIST: "Высшее, логопедия",
    StaffMember.Position.LAWYER: "Высшее, юриспруденция",
    StaffMember.Position.MEDICAL: "Среднее специальное, сестринское дело",
    StaffMember.Position.REHABILITATION: "Высшее, ЛФК и реабилитация",
    StaffMember.Position.MANAGER: "Высшее, менеджмент",
}


def demo_bin(registered: dt.date, serial: int) -> str:
    """Return a valid BIN for an NGO: registration year and month, type 4 (resident legal entity), serial, check."""
    while True:
        candidate = make_bin(f"{registered:%y%m}40{serial:05d}")
        if candidate:
            return candidate
        serial += 1


def load(*, rng, context, stdout) -> None:
    regions = {r.code: r for r in Region.objects.filter(level=Region.Level.FIRST)}
    services = list(ServiceType.objects.all())
    weights = [SERVICE_WEIGHTS.get(s.code, 1) for s in services]
    today = dt.date(2026, 11, 24)
    User = get_user_model()
    providers = []
    for index, (name_ru, name_kk, home, form, also) in enumerate(NGOS):
        registered = dt.date(rng.randint(2003, 2021), rng.randint(1, 12), rng.randint(1, 28))
        listed = index % 9 != 4
        provider = Provider.objects.create(
            name_ru=name_ru,
            name_kk=name_kk,
            bin=demo_bin(registered, 1000 + index * 37),
            legal_form=form,
            registration_date=registered,
            home_region=regions[home],
            address=f"{regions[home].centre_ru}, ул. Абая, {10 + index}",
            phone=f"+7 70{rng.randint(0, 8)} {rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
            email=f"info{index + 1}@ngo{index + 1}.kz",
            ngo_db_listed=listed,
            ngo_db_last_submission=(
                today - dt.timedelta(days=rng.choice([40, 120, 200, 300, 400, 520])) if listed else None
            ),
            status=Provider.Status.ACTIVE,
        )
        if name_ru in UNVERIFIED:
            provider.status = Provider.Status.UNVERIFIED
        elif name_ru in SUSPENDED:
            provider.status = Provider.Status.SUSPENDED
            provider.status_reason = "Недостоверные сведения в отчёте за 2024 год"
        provider.save()
        providers.append(provider)

        for code in [home, *also]:
            for service in sorted(
                set(rng.choices(services, weights=weights, k=rng.randint(1, 3))), key=lambda s: s.pk
            ):
                ServiceArea.objects.get_or_create(
                    provider=provider,
                    region=regions[code],
                    service_type=service,
                    defaults={"capacity": rng.choice([20, 30, 40, 50, 60, 80, 100, 150])},
                )
        positions = list(QUALIFICATIONS)
        for n in range(rng.randint(3, 9)):
            position = positions[0] if n == 0 else rng.choice(positions)
            certificate_age = rng.choice([30, 90, 150, 200, 300, 330, 350, 380, 420, 700, None])
            StaffMember.objects.create(
                provider=provider,
                full_name=f"{rng.choice(LAST_NAMES)} {rng.choice(FIRST_NAMES)}",
                position=position,
                qualification=QUALIFICATIONS[position],
                certification_expiry=today + dt.timedelta(days=rng.choice([-30, 20, 45, 200, 400, 800])),
                no_record_certificate_date=(
                    today - dt.timedelta(days=certificate_age) if certificate_age is not None else None
                ),
                is_active=rng.random() > 0.08,
            )

    def ngo_user(username, first, last, provider):
        user = User(
            username=username, role=Role.NGO, first_name=first, last_name=last, email=f"{username}@ngo.example.kz"
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        Membership.objects.create(user=user, provider=provider)
        return user

    context["ngo"] = ngo_user("ngo", "Жанна", "Бекова", providers[0])
    context["ngo_users"] = [context["ngo"]] + [
        ngo_user(f"ngo{i + 1}", "Сотрудник", f"НКО {i + 1}", provider) for i, provider in enumerate(providers[1:])
    ]
    context["providers"] = providers
    stdout.write(f"providers: {len(providers)} NGOs, {StaffMember.objects.count()} staff members")
