"""Intent clients 意向客户 (DOMAIN 2; seeds 004, 000): one module per part of the rules.

- `registration`: first to register owns the prospect, later claims are collisions (撞单);
- `ownership`: the owner's reads, follow-ups and reveals, the supervisor's view;
- `pool`: the branch pool (公海): daily lapse, claims from the pool, reassignment;
- `referrals`: partner outlets' referrals;
- `rules`: the pure rules and views; `ports`: the repository protocol and named outcomes.

Every rule takes a `ports.ProspectDeps` first; `chalicelib.wiring.prospects.deps()` builds it at the edge.
"""
