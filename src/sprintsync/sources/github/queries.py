"""The GraphQL documents sprintsync sends to GitHub (every one is validated against the schema).

Shapes follow API-NOTES §C.1 and GitHub's schema (tests/specs/github-schema.graphql). `state`
is aliased per content type: selecting it on both Issue and PullRequest is a validation error
(IssueState! vs PullRequestState!, API-NOTES §0.8).
"""

from __future__ import annotations

RATE_LIMIT = "rateLimit { cost remaining resetAt limit used nodeCount }"

_FIELD_COMMON = "field { ... on ProjectV2FieldCommon { id name } }"

_FIELDS_BODY = """
projectV2(number: $number) {
  id title url
  fields(first: 100) {
    nodes {
      __typename
      ... on ProjectV2Field { id name dataType }
      ... on ProjectV2SingleSelectField { id name dataType options { id name } }
      ... on ProjectV2IterationField {
        id name dataType
        configuration {
          duration startDay
          iterations { id title startDate duration }
          completedIterations { id title startDate duration }
        }
      }
    }
  }
}"""

# One request finds the owner whatever its kind: the side that is not the owner answers
# null with a NOT_FOUND error at path ["organization"] or ["user"], which we expect.
PROJECT_FIELDS = f"""
query ProjectFields($login: String!, $number: Int!) {{
  organization(login: $login) {{ {_FIELDS_BODY} }}
  user(login: $login) {{ {_FIELDS_BODY} }}
  {RATE_LIMIT}
}}"""

ITEMS_PAGE_SIZE = 100
# With `source.blocked.field`: that single-select field's value too (its own variable).
_BLOCKED_VALUE = f"""
      blocked: fieldValueByName(name: $blockedField) {{
        __typename
        ... on ProjectV2ItemFieldSingleSelectValue {{ name optionId {_FIELD_COMMON} }}
      }}"""


def _items_body(*, blocked: bool) -> str:
    return f"""
projectV2(number: $number) {{
  items(first: {ITEMS_PAGE_SIZE}, after: $after) {{
    totalCount
    pageInfo {{ hasNextPage endCursor }}
    nodes {{
      id type isArchived createdAt updatedAt
      iteration: fieldValueByName(name: $iterationField) {{
        __typename
        ... on ProjectV2ItemFieldIterationValue {{
          iterationId title startDate duration updatedAt {_FIELD_COMMON}
        }}
      }}
      points: fieldValueByName(name: $pointsField) {{
        __typename
        ... on ProjectV2ItemFieldNumberValue {{ number updatedAt {_FIELD_COMMON} }}
      }}
      status: fieldValueByName(name: $statusField) {{
        __typename
        ... on ProjectV2ItemFieldSingleSelectValue {{ name optionId {_FIELD_COMMON} }}
      }}{_BLOCKED_VALUE if blocked else ""}
      content {{
        __typename
        ... on Issue {{
          id number title issueState: state stateReason closedAt createdAt url
          repository {{ nameWithOwner }}
          labels(first: 20) {{ nodes {{ name }} }}
          assignees(first: 10) {{ nodes {{ login }} }}
        }}
        ... on PullRequest {{
          id number title prState: state closedAt mergedAt createdAt url
          repository {{ nameWithOwner }}
          labels(first: 20) {{ nodes {{ name }} }}
          assignees(first: 10) {{ nodes {{ login }} }}
        }}
        ... on DraftIssue {{
          id title createdAt
          assignees(first: 10) {{ nodes {{ login }} }}
        }}
      }}
    }}
  }}
}}"""


def _items_query(owner_kind: str, *, blocked: bool) -> str:
    variables = (
        "$login: String!, $number: Int!, $after: String, "
        "$iterationField: String!, $pointsField: String!, $statusField: String!"
    )
    name = {"organization": "OrganizationProjectItems", "user": "UserProjectItems"}[owner_kind]
    if blocked:
        variables += ", $blockedField: String!"
        name += "WithBlocked"
    return f"""
query {name}({variables}) {{
  {owner_kind}(login: $login) {{ {_items_body(blocked=blocked)} }}
  {RATE_LIMIT}
}}"""


ORGANIZATION_ITEMS = _items_query("organization", blocked=False)
USER_ITEMS = _items_query("user", blocked=False)
ORGANIZATION_ITEMS_WITH_BLOCKED = _items_query("organization", blocked=True)
USER_ITEMS_WITH_BLOCKED = _items_query("user", blocked=True)

ITEMS_BY_OWNER_KIND = {"organization": ORGANIZATION_ITEMS, "user": USER_ITEMS}
ITEMS_WITH_BLOCKED_BY_OWNER_KIND = {
    "organization": ORGANIZATION_ITEMS_WITH_BLOCKED,
    "user": USER_ITEMS_WITH_BLOCKED,
}

ALL_QUERIES = {
    "ProjectFields": PROJECT_FIELDS,
    "OrganizationProjectItems": ORGANIZATION_ITEMS,
    "UserProjectItems": USER_ITEMS,
    "OrganizationProjectItemsWithBlocked": ORGANIZATION_ITEMS_WITH_BLOCKED,
    "UserProjectItemsWithBlocked": USER_ITEMS_WITH_BLOCKED,
}
