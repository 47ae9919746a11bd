import pytest

# Shared assertions of the accounts, circles, groups and auth suites: rewritten so a
# failing comparison shows both sides.
pytest.register_assert_rewrite("tests.accounts.support")
