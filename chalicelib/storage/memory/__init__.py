"""In-memory implementations of the domain's repository protocols: the fakes rule tests run on.

Each one passes the same contract suite as its DynamoDB adapter (tests/contract/), so a rule test on a
fake means what it would mean on the table.
"""
