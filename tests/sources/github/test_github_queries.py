import re

import pytest

from fakes.github_graphql import schema_errors
from sprintsync.sources.github import queries as github_queries
from sprintsync.sources.github.graphql import graphql_endpoint
from sprintsync.sources.github.queries import ALL_QUERIES, ITEMS_BY_OWNER_KIND


def module_documents():
    """Every string constant in github_queries that is a GraphQL operation."""
    return {
        name: value
        for name, value in vars(github_queries).items()
        if isinstance(value, str) and value.lstrip().startswith("query ")
    }


def test_every_query_the_code_can_send_is_listed():
    """ALL_QUERIES holds every operation in the module, so the schema test sees them all."""
    assert sorted(module_documents().values()) == sorted(ALL_QUERIES.values())
    assert set(ITEMS_BY_OWNER_KIND.values()) <= set(ALL_QUERIES.values())


@pytest.mark.parametrize("name", sorted(ALL_QUERIES))
def test_query_is_valid_against_githubs_schema(name):
    """Each query validates against GitHub's published GraphQL schema."""
    assert schema_errors(ALL_QUERIES[name]) == []


def test_a_misspelled_field_is_caught_by_the_schema():
    """The validation is real: a misspelled field fails with GitHub's schema."""
    broken = ALL_QUERIES["OrganizationProjectItems"].replace("mergedAt", "mergedAtt")
    errors = schema_errors(broken)
    assert [e.message for e in errors] == [
        (
            "Cannot query field 'mergedAtt' on type 'PullRequest'. "
            "Did you mean 'mergedAt', 'merged', 'mergedBy', or 'mergeable'?"
        )
    ]


def test_unaliased_state_on_issue_and_pull_request_is_a_validation_error():
    """Selecting `state` on both Issue and PullRequest conflicts (API-NOTES §0.8), hence aliases."""
    broken = ALL_QUERIES["OrganizationProjectItems"].replace("issueState: state", "state")
    broken = broken.replace("prState: state", "state")
    assert schema_errors(broken) != []


def test_items_connection_asks_for_at_most_100():
    """Every connection in the items query uses `first` within GitHub's 1..100 limit."""
    for query in ALL_QUERIES.values():
        firsts = [int(n) for n in re.findall(r"first: (\d+)", query)]
        assert firsts
        assert all(1 <= n <= 100 for n in firsts)


@pytest.mark.parametrize(
    ("api_url", "expected"),
    [
        ("https://api.github.com", "https://api.github.com/graphql"),
        ("https://api.github.com/", "https://api.github.com/graphql"),
        ("https://ghe.example.com/api/v3", "https://ghe.example.com/api/graphql"),
        ("https://ghe.example.com/api/v3/", "https://ghe.example.com/api/graphql"),
    ],
)
def test_graphql_endpoint_follows_the_ghes_rule(api_url, expected):
    """GitHub.com serves /graphql; GHES serves /api/graphql beside /api/v3."""
    assert graphql_endpoint(api_url) == expected
