"""Demo data: the department's organisation tree, the ministries it consults, one user a role
(and a head above each consulted organisation's reviewer).

Idempotent: running it again updates the same rows (by code / username) and creates nothing
twice. Every demo user's password is ``demo``.
"""

from django.db import transaction

from organisations.models import Organisation, User
from organisations.roles import Role
from organisations.services import user_set_roles

Kind = Organisation.Kind

# code, parent code, kind, Khmer name, English name
ORGANISATIONS = [
    ("moi", None, Kind.MINISTRY, "ក្រសួងមហាផ្ទៃ", "Ministry of Interior"),
    (
        "gda",
        "moi",
        Kind.GENERAL_DEPARTMENT,
        "អគ្គនាយកដ្ឋានរដ្ឋបាល",
        "General Department of Administration",
    ),
    (
        "dfr",
        "gda",
        Kind.DEPARTMENT,
        "នាយកដ្ឋានមុខងារ និងធនធាន",
        "Department of Functions and Resources",
    ),
    ("dfr-admin", "dfr", Kind.OFFICE, "ការិយាល័យរដ្ឋបាល", "Administration Office"),
    ("dfr-fr", "dfr", Kind.OFFICE, "ការិយាល័យមុខងារ និងធនធាន", "Functions and Resources Office"),
    (
        "dfr-ows",
        "dfr",
        Kind.OFFICE,
        "ការិយាល័យកិច្ចការច្រកចេញចូលតែមួយ",
        "One Window Service Affairs Office",
    ),
    (
        "dfr-mie",
        "dfr",
        Kind.OFFICE,
        "ការិយាល័យតាមដាន ត្រួតពិនិត្យ និងវាយតម្លៃ",
        "Monitoring, Inspection and Evaluation Office",
    ),
    ("ncdd-s", None, Kind.INSTITUTION, "លេខាធិការដ្ឋាន គ.ជ.អ.ប", "NCDD Secretariat (NCDD-S)"),
    ("mef", None, Kind.MINISTRY, "ក្រសួងសេដ្ឋកិច្ច និងហិរញ្ញវត្ថុ", "Ministry of Economy and Finance"),
    ("moh", None, Kind.MINISTRY, "ក្រសួងសុខាភិបាល", "Ministry of Health"),
    ("moeys", None, Kind.MINISTRY, "ក្រសួងអប់រំ យុវជន និងកីឡា", "Ministry of Education, Youth and Sport"),
    (
        "maff",
        None,
        Kind.MINISTRY,
        "ក្រសួងកសិកម្ម រុក្ខាប្រមាញ់ និងនេសាទ",
        "Ministry of Agriculture, Forestry and Fisheries",
    ),
    ("moe", None, Kind.MINISTRY, "ក្រសួងបរិស្ថាន", "Ministry of Environment"),
    (
        "mosvy",
        None,
        Kind.MINISTRY,
        "ក្រសួងសង្គមកិច្ច អតីតយុទ្ធជន និងយុវនីតិសម្បទា",
        "Ministry of Social Affairs, Veterans and Youth Rehabilitation",
    ),
    ("mcs", None, Kind.MINISTRY, "ក្រសួងមុខងារសាធារណៈ", "Ministry of Civil Service"),
]

# username, first name, last name, organisation, roles, supervisor, position
USERS = [
    ("dg", "សុខ", "វណ្ណា", "gda", [Role.DIRECTOR_GENERAL], None, "Director-General"),
    # Acts for the director-general when the DG names them on the Away page (the organisation
    # chart lets a direct report of the same general department stand in); no role of their own.
    ("deputy-dg", "ហ៊ុន", "សុវណ្ណ", "gda", [], "dg", "Deputy Director-General"),
    ("director", "ចាន់", "សុផល", "dfr", [Role.DIRECTOR], "dg", "Department Director"),
    ("chief", "ហេង", "សុធា", "dfr-fr", [Role.OFFICE_CHIEF], "director", "Chief of Office"),
    ("drafter", "លី", "ស្រីនាង", "dfr-fr", [Role.DRAFTER], "chief", "Official"),
    ("legal", "គឹម", "រតនា", "dfr", [Role.LEGAL_REVIEWER], "director", "Legal officer"),
    ("registry", "ពៅ", "ចន្ធូ", "dfr-admin", [Role.REGISTRY], "director", "Registry officer"),
    ("admin", "អ្នក", "គ្រប់គ្រង", "dfr-admin", [Role.ADMINISTRATOR], "director", "Administrator"),
    # Each consulted organisation's head supervises its focal point, and receives the
    # escalation when a consultation sits unanswered; no role of their own in the process.
    ("head-mef", "ឈឹម", "វិចិត្រ", "mef", [], None, "Director of department"),
    ("head-moh", "ង៉ែត", "សុភា", "moh", [], None, "Director of department"),
    ("head-ncdd", "ទេព", "បញ្ញា", "ncdd-s", [], None, "Deputy Secretary-General"),
    ("reviewer-mef", "ម៉ៅ", "បុប្ផា", "mef", [Role.MINISTRY_REVIEWER], "head-mef", "Focal point"),
    ("reviewer-moh", "ស៊ុន", "ដារ៉ា", "moh", [Role.MINISTRY_REVIEWER], "head-moh", "Focal point"),
    (
        "reviewer-ncdd",
        "យឹម",
        "សុខា",
        "ncdd-s",
        [Role.MINISTRY_REVIEWER],
        "head-ncdd",
        "Focal point",
    ),
]

DEMO_PASSWORD = "demo"  # noqa: S105 - published demo logins, printed by `make run`


@transaction.atomic
def organisations_seed() -> dict[str, Organisation]:
    by_code: dict[str, Organisation] = {}
    for code, parent, kind, km, en in ORGANISATIONS:
        by_code[code], _ = Organisation.objects.update_or_create(
            code=code,
            defaults={"parent": by_code.get(parent), "kind": kind, "name_km": km, "name_en": en},
        )
    return by_code


@transaction.atomic
def users_seed(*, organisations: dict[str, Organisation]) -> list[User]:
    users: dict[str, User] = {}
    for username, first, last, org, roles, supervisor, position in USERS:
        user, created = User.objects.get_or_create(username=username)
        user.first_name, user.last_name, user.position = first, last, position
        user.organisation = organisations[org]
        user.supervisor = users.get(supervisor)
        user.email = f"{username}@lekhit.example"
        user.is_staff = username == "admin"
        # The administrator runs the Django admin through the administrator role's
        # permissions, not as a superuser: a superuser passes every check, and could then
        # sign for the director-general or answer for a ministry.
        user.is_superuser = False
        if created or not user.has_usable_password():
            user.set_password(DEMO_PASSWORD)
        user.save()
        user_set_roles(user=user, roles=roles)
        users[username] = user
    return list(users.values())
