"""scripts/loadtest.py's arguments and the pages each run reads (no server, no
database: only the parsing and the page lists)."""

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "loadtest.py"


@pytest.fixture(scope="module")
def loadtest():
    spec = importlib.util.spec_from_file_location("loadtest", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def endpoints(args):
    return [page[0] for page in args.pages]


def test_default_run_is_one_county_of_ten_thousand_reading_every_page(loadtest):
    args = loadtest.parse_args([])
    assert args.organizations == 0
    assert args.obligations == 10000
    assert args.pages == loadtest.PAGES
    roles = {endpoint: role for endpoint, _path, role, _s, _p in args.pages}
    assert roles["GET /organizations/"] == "supervisor"
    assert "GET /organizations/supervision/" not in roles


def test_city_run_counts_obligations_per_county(loadtest):
    args = loadtest.parse_args(["--organizations", "100", "--servers", "2"])
    assert (args.organizations, args.obligations, args.servers) == (100, 1000, 2)
    args = loadtest.parse_args(["--organizations", "10", "--obligations", "50"])
    assert args.obligations == 50


def test_city_run_reads_the_county_pages_as_the_county_and_the_city_pages_as_the_city(
    loadtest,
):
    args = loadtest.parse_args(["--organizations", "100"])
    roles = {endpoint: role for endpoint, _path, role, _s, _p in args.pages}
    city_pages = {
        "GET /organizations/",
        "GET /organizations/ranking/",
        "GET /organizations/supervision/",
    }
    assert {e for e, role in roles.items() if role == "city"} == city_pages
    county = set(roles) - city_pages
    # Every daily page of the county run is read in the city run too.
    assert county == {page[0] for page in loadtest.PAGES} - city_pages
    assert {roles[e] for e in county} == {"staff", "supervisor"}
    # Each endpoint once, each with the same targets as in the county run.
    assert len(endpoints(args)) == len(roles)
    shares = {page[0]: page[3] for page in args.pages}
    assert shares["GET /"] == shares["GET /obligations/"] == 0.50
    assert shares["GET /organizations/supervision/"] == 0.25


def test_the_servers_share_the_database_cache_unless_told_otherwise(loadtest):
    assert loadtest.parse_args([]).cache_url == "db://tracker_cache"
    assert loadtest.parse_args(["--servers", "2"]).cache_url == "db://tracker_cache"
    assert (
        loadtest.parse_args(["--servers", "2", "--cache-url", "locmem://"]).cache_url
        == "locmem://"
    )
    redis = "redis://127.0.0.1:6379/1"
    assert loadtest.parse_args(["--cache-url", redis]).cache_url == redis


def test_pages_picks_among_the_run_s_pages(loadtest):
    args = loadtest.parse_args(
        ["--organizations", "5", "--pages", "GET /organizations/supervision/"]
    )
    assert endpoints(args) == ["GET /organizations/supervision/"]
    args = loadtest.parse_args(["--pages", "GET /", "GET /my/ (staff)"])
    assert endpoints(args) == ["GET /", "GET /my/ (staff)"]


@pytest.mark.parametrize(
    "argv",
    [
        # A city page outside the city run.
        ["--pages", "GET /organizations/supervision/"],
        ["--organizations", "-1"],
        ["--organizations", "201"],
        ["--organizations", "100", "--obligations", "5000"],
        ["--obligations", "0"],
        ["--organizations", "100", "--seconds", "30"],
        ["--servers", "5"],
        ["--admin-url", "postgres://postgres@db.example.org/postgres"],
        ["--database", "tracker; drop"],
    ],
)
def test_bad_arguments_stop_the_run_before_anything_starts(loadtest, argv, capsys):
    with pytest.raises(SystemExit) as stopped:
        loadtest.parse_args(argv)
    assert stopped.value.code == 2
    assert "error:" in capsys.readouterr().err
