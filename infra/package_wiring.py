"""Step 3 of `infra/package.py` and the China variant: the selection's shard queue wired to its two functions
(issue 18 §3), and the template without Cognito for the China regions (any OIDC issuer signs staff in)."""

from __future__ import annotations

from infra.package_policies import statement, to_cfn_name

COGNITO_TYPES = ("AWS::Cognito::",)
SELECTION_SCHEDULER = "daily_callback_selection"  # queues one message per (date, shard)
SELECTION_SHARD_HANDLER = "callback_selection_shard"  # @bp.on_sqs_message: runs one shard
SELECTION_QUEUE = "SelectionShardQueue"  # infra/resources.json, with its dead-letter queue and redrive policy


def wire_selection_queue(template: dict) -> dict:
    """Point the shard handler's SQS event at the stack's queue (chalice builds an ARN from a name, which
    would collide between stacks), tell both functions its URL, and give each only what it does with it:
    the scheduler sends; the shard handler receives, deletes and sends its own continuation."""
    resources = template["Resources"]
    scheduler, handler = to_cfn_name(SELECTION_SCHEDULER), to_cfn_name(SELECTION_SHARD_HANDLER)
    if scheduler not in resources or handler not in resources:
        raise SystemExit(f"the selection fan-out needs both {SELECTION_SCHEDULER} and {SELECTION_SHARD_HANDLER}")
    queue_arn = {"Fn::GetAtt": [SELECTION_QUEUE, "Arn"]}
    events = resources[handler]["Properties"].get("Events", {})
    sqs = [e for e in events.values() if e.get("Type") == "SQS"]
    if len(sqs) != 1:
        raise SystemExit(f"{handler} must have exactly one SQS event, found {len(sqs)}")
    sqs[0]["Properties"]["Queue"] = queue_arn
    grants = {
        scheduler: ["sqs:SendMessage"],
        handler: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:SendMessage"],
    }
    for name, actions in grants.items():
        props = resources[name]["Properties"]
        props.setdefault("Environment", {}).setdefault("Variables", {})["FIELDDESK_SELECTION_QUEUE_URL"] = {
            "Ref": SELECTION_QUEUE
        }
        policy = resources[f"{name}Role"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
        policy.append(statement(actions, [queue_arn], "SelectionShardQueue"))
    return {"queue": SELECTION_QUEUE, "scheduler": scheduler, "handler": handler}


def without_cognito(template: dict) -> dict:
    """The China-partition template: no Cognito (it does not exist there); the OIDC parameters are required.

    Every `Fn::If` on UseOidc keeps its OIDC branch, one on a Cognito condition its other branch;
    Cognito resources, outputs and conditions go.
    """

    def strip(node):
        if isinstance(node, dict):
            if set(node) == {"Fn::If"} and node["Fn::If"][0] == "UseOidc":
                return strip(node["Fn::If"][1])
            if set(node) == {"Fn::If"} and node["Fn::If"][0] in ("CreateUserPool", "HasCognitoDomain", "UsesCognito"):
                return strip(node["Fn::If"][2])
            return {k: strip(v) for k, v in node.items()}
        if isinstance(node, list):
            return [strip(v) for v in node]
        return node

    out = strip(template)
    for name in [n for n, r in out["Resources"].items() if r.get("Type", "").startswith(COGNITO_TYPES)]:
        del out["Resources"][name]
    for name in [n for n, o in out.get("Outputs", {}).items() if o.get("Condition") == "UsesCognito"]:
        del out["Outputs"][name]
    for name in ("CreateUserPool", "HasCognitoDomain", "UsesCognito", "UseOidc"):
        out["Conditions"].pop(name, None)
    for name in ("ExistingUserPoolId", "ExistingUserPoolClientId", "CognitoDomainPrefix"):
        out["Parameters"].pop(name, None)
    for name in ("OidcIssuer", "OidcJwksUrl", "OidcAudience"):
        out["Parameters"][name].pop("Default", None)
        out["Parameters"][name]["MinLength"] = 1
    return out
