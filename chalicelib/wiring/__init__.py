"""Composition roots: which adapter stands behind each domain port, chosen at the edge (routes, jobs, runners).

Domain modules never import from here; a route or job calls `wiring.<area>.deps()` and hands the result
to the rule it calls.
"""
