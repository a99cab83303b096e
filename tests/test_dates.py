"""A date is shown only as exactly as the notes give it."""

import datetime

from django.template import Context, Template

from betterway.content import ContentError, parse_date


def render(value, precision):
    return Template("{% load site %}{% fuzzy_date value precision %}").render(
        Context({"value": value, "precision": precision})
    )


def test_an_exact_day_is_shown_in_full():
    assert render(datetime.date(2019, 6, 5), "day") == '<time datetime="2019-06-05">5 June 2019</time>'


def test_a_month_is_shown_without_a_day():
    assert render(datetime.date(2018, 2, 1), "month") == '<time datetime="2018-02">February 2018</time>'


def test_a_year_is_shown_alone():
    assert render(datetime.date(2020, 1, 1), "year") == '<time datetime="2020">2020</time>'


def test_no_date_says_so():
    assert "Date not recorded" in render(None, "day")


def test_content_dates_carry_their_precision():
    assert parse_date("2019-06-05") == (datetime.date(2019, 6, 5), "day")
    assert parse_date("2018-02") == (datetime.date(2018, 2, 1), "month")
    assert parse_date(2020) == (datetime.date(2020, 1, 1), "year")
    assert parse_date(None) == (None, "day")


def test_a_malformed_content_date_is_refused():
    try:
        parse_date("8 Match 2018")
    except ContentError as error:
        assert "8 Match 2018" in str(error)
    else:
        raise AssertionError("no error")
