"""Every GET URL of the permission matrix, for every role, with garbage in each of its known query parameters: a
wrong value is ignored or reported, never a 500 (issue 10). The rows, users and cases are the matrix's own.

A page's known parameters are read from its view: the fields of its filter set or form, `export` for exports,
`page` and `sort` for tables, and whatever the matrix case sends. Each role gets every parameter set to each
garbage value at once; the first role the page answers 200 also gets each parameter alone (the others as the case
sends them), so a crash that needs the other parameters valid is found too. Run it on PostgreSQL as well: a NUL
byte only fails there (a string literal cannot hold it)."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import resolve, reverse
from django.views.generic.edit import FormMixin

from tests.test_permission_matrix import CASES, ROLES, Case, Objects, matrix_rows, rolled_back  # noqa: F401
from tests.test_permission_matrix import objs as objs  # noqa: F401  (the fixture)

GARBAGE = ["abc", "a\x00b", "-1", str(10**20), "я" * 5000]


# Parameters that views read by hand (not through a form or filter set).
READ_BY_HAND = {
    "login": ["next"],
    "admin:login": ["next"],
    "providers:access-request": ["bin"],
    "opendata:releases": ["from", "to", "page"],
    "opendata:feed": ["since", "offset", "limit"],
}


def known_parameters(case: Case, objs: Objects) -> list[str]:
    url = reverse(case.name, kwargs=case.kwargs(objs) if case.kwargs else None)
    view = getattr(resolve(url).func, "view_class", None)
    names = set(case.data(objs) if case.data else {}) | set(READ_BY_HAND.get(case.name, []))
    if view is not None:
        filterset = getattr(view, "filterset_class", None)
        if filterset is not None:
            for name, field in filterset.base_filters.items():
                widget = field.field.widget
                suffixes = getattr(widget, "suffixes", None)
                names |= {f"{name}_{s}" if s else name for s in suffixes} if suffixes else {name}
        form_class = getattr(view, "form_class", None)
        if form_class is not None and not issubclass(view, FormMixin):  # a GET form of parameters, not a POST form
            names |= set(form_class.base_fields)
        if hasattr(view, "export_basename"):
            names.add("export")
        if hasattr(view, "table_class"):
            names |= {"page", "sort"}
    return sorted(names)


GET_CASES = [pytest.param(case, id=case.id) for case in CASES if case.method == "get"]


def get(objs: Objects, role: str, url: str, params: dict):
    client = Client(raise_request_exception=False)
    if objs[role] is not None:
        client.force_login(objs[role])
    with rolled_back():
        return client.get(url, params)


@pytest.mark.parametrize("case", GET_CASES)
def test_garbage_in_any_query_parameter_never_answers_500(objs, case):
    names = known_parameters(case, objs)
    url = reverse(case.name, kwargs=case.kwargs(objs) if case.kwargs else None)
    base = case.data(objs) if case.data else {}
    problems = []
    # A page that reads no parameter must ignore one it does not know; one role that may open it is enough.
    roles = ROLES if names else [next((role for role in ROLES if case.expect[role] == 200), "anonymous")]
    names = names or ["unknown"]
    for value in GARBAGE:
        for role in roles:
            response = get(objs, role, url, {**base, **dict.fromkeys(names, value)})
            if response.status_code >= 500:
                problems.append(f"{role}, every parameter = {value[:12]!r}: {response.status_code}")
    reader = next((role for role in ROLES if case.expect[role] == 200), None)
    if reader is not None:
        for name in names:
            for value in GARBAGE:
                response = get(objs, reader, url, {**base, name: value})
                if response.status_code >= 500:
                    problems.append(f"{reader}, {name} = {value[:12]!r}: {response.status_code}")
    assert not problems, f"GET {url} ({case.id}):\n  " + "\n  ".join(problems)


ADMIN_GARBAGE = ["abc", "a\x00b", "-1", str(10**20)]


@pytest.mark.parametrize("model_admin", [pytest.param(a, id=str(m._meta)) for m, a in admin.site._registry.items()])
def test_garbage_in_an_admin_changelist_filter_never_answers_500(objs, model_admin):
    """The admin's changelists, as an admin: each list filter's parameter, the search and the ordering."""
    opts = model_admin.model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    names = {"q", "o", "p"}
    for item in model_admin.list_filter:
        field = item if isinstance(item, str) else item[0] if isinstance(item, tuple) else None
        if field is not None:
            names |= {f"{field}__exact", f"{field}__id__exact", f"{field}__isnull"}
        else:  # a SimpleListFilter names its own parameter
            names.add(item.parameter_name)
    problems = []
    for name in sorted(names):
        for value in ADMIN_GARBAGE:
            response = get(objs, "admin", url, {name: value})
            if response.status_code >= 500:
                problems.append(f"{name} = {value!r}: {response.status_code}")
    assert not problems, f"GET {url}:\n  " + "\n  ".join(problems)
