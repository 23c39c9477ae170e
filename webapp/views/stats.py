"""A reader's stats (/u/<name>/stats) and their year in books: public unless they keep their
reading private. Every number comes from a SQL aggregate (services.stats)."""

from __future__ import annotations

from flask import Blueprint, abort, request

from webapp import charts
from webapp.htmx import render
from webapp.services import stats
from webapp.services.reads import today
from webapp.web import reading_owner

bp = Blueprint("stats", __name__)


def _year_arg() -> int:
    """``?year=``: this year when missing or out of range."""
    year = request.args.get("year", type=int)
    return year if year and 1900 <= year <= today().year + 1 else today().year


@bp.get("/u/<username>/stats")
def index(username: str):
    reader = reading_owner(username)
    year = _year_arg()
    data = stats.for_year(reader, year)
    years = sorted({today().year, year, *(y for y, _, _ in data.years)}, reverse=True)
    return render(
        "stats/index.html",
        reader=reader,
        year=year,
        years=years,
        stats=data,
        charts=charts.for_stats(data, year),
    )


@bp.get("/u/<username>/year/<int:year>")
def year(username: str, year: int):
    reader = reading_owner(username)
    if not 1900 <= year <= today().year + 1:
        abort(404)
    data = stats.for_year(reader, year)
    return render(
        "stats/year.html",
        reader=reader,
        year=year,
        stats=data,
        reads=stats.finished_reads(reader, year),
        charts=charts.for_stats(data, year),
    )
