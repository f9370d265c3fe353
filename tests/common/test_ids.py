"""Ids and page numbers beyond what a database integer holds: a 404 or an empty page, in every
module, never the database's overflow error."""

import pytest

from webapp.common.ids import as_id


@pytest.mark.parametrize(("raw", "expected"), [("12", 12), (" 7 ", 7), ("0", None), ("-3", None), ("1e3", None),
                                               ("2147483647", 2147483647), ("2147483648", None), ("", None),
                                               (None, None), ("%", None)])
def test_as_id_accepts_only_row_ids(raw, expected):
    assert as_id(raw) == expected


def test_huge_ids_in_any_url_are_not_found(client, login):
    login()
    for url in ("/registry/orgs/99999999999", "/quiz/99999999999", "/training/sessions/99999999999",
                "/plans/99999999999"):
        assert client.get(url).status_code == 404, url


def test_a_huge_page_number_is_an_empty_page(client, login, factory):
    login()
    factory.tree()
    for url in ("/registry/orgs?page=99999999999999999999", "/quiz/?page=99999999999999999999", "/training/?page=-5"):
        assert client.get(url).status_code == 200, url
