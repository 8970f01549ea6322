"""The transformed template (what CloudFormation runs after the SAM transform) can be created.

Two checks per partition (us-east-1: sam.json; cn-north-1: sam-china.json, without Cognito):

1. Statically, on the plain template: every Ref, GetAtt, Sub variable, DependsOn and Condition
   names something that exists, and the resources sort topologically (no cycle), which is the
   order CloudFormation creates them in.
2. On moto's CloudFormation (`create_stack`): moto cannot create every type the stack uses. The
   types it has no model for (MOTO_UNSUPPORTED) and the API Gateway deployment and stage (moto's
   RestApi ignores the OpenAPI `Body`, so a deployment fails with "The REST API doesn't contain any
   methods") are removed, and references to them replaced by a marked placeholder; the stack of
   everything else must reach CREATE_COMPLETE, and the resources are then read back from the
   services (tables with point-in-time recovery, functions with their own roles, ...).

What moto does not create is NOT verified here (nor point-in-time recovery, which moto's table
ignores when created by CloudFormation: the template is checked instead): secrets, alarms, Cognito, bucket and topic
policies, SNS subscriptions, the usage plan, the API Gateway account, deployment and stage.
"""

from __future__ import annotations

import graphlib
import json
import re
from pathlib import Path

import boto3
import pytest

from tests.packaging.conftest import REGIONS

PSEUDO = {
    "AWS::Region",
    "AWS::AccountId",
    "AWS::Partition",
    "AWS::URLSuffix",
    "AWS::StackName",
    "AWS::StackId",
    "AWS::NoValue",
    "AWS::NotificationARNs",
}
# Types in the stack that moto 5.x's CloudFormation has no model for (it skips them with a warning).
MOTO_UNSUPPORTED = {
    "AWS::SecretsManager::Secret",
    "AWS::CloudWatch::Alarm",
    "AWS::S3::BucketPolicy",
    "AWS::SNS::TopicPolicy",
    "AWS::SNS::Subscription",
    "AWS::ApiGateway::UsagePlan",
    "AWS::ApiGateway::Account",
    "AWS::ApiGateway::Stage",
    "AWS::Cognito::UserPool",
    "AWS::Cognito::UserPoolClient",
    "AWS::Cognito::UserPoolDomain",
    "AWS::Backup::BackupVault",
    "AWS::Backup::BackupPlan",
    "AWS::Backup::BackupSelection",
}
# Types moto has a model for that cannot be created from this template (RestApi's Body is ignored).
MOTO_CANNOT_CREATE = {"AWS::ApiGateway::Deployment"}
CHINA_PARAMETERS = {
    "OidcIssuer": "https://idp.example.cn/realms/staff",
    "OidcJwksUrl": "https://idp.example.cn/realms/staff/certs",
    "OidcAudience": "fielddesk",
}


def _sub_names(value) -> set[str]:
    text = value if isinstance(value, str) else value[0]
    local = set(value[1]) if isinstance(value, list) and len(value) > 1 else set()
    return {m.split(".")[0] for m in re.findall(r"\$\{([^}!][^}]*)\}", text)} - local


def references(node, found: list | None = None) -> list[tuple[str, str]]:
    """(kind, name) of every Ref, GetAtt, Sub variable and Condition inside node."""
    found = [] if found is None else found
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                found.append(("Ref", value))
            elif key == "Fn::GetAtt":
                found.append(("GetAtt", value[0] if isinstance(value, list) else value.split(".")[0]))
            elif key == "Fn::Sub":
                found.extend(("Sub", n) for n in _sub_names(value))
                if isinstance(value, list) and len(value) > 1:
                    references(value[1], found)
            elif key == "Fn::If":
                found.append(("Condition", value[0]))
                references(value[1:], found)
            elif key == "Condition" and isinstance(value, str):
                found.append(("Condition", value))
            else:
                references(value, found)
    elif isinstance(node, list):
        for value in node:
            references(value, found)
    return found


def problems(template: dict) -> list[str]:
    """Dangling references, then a cycle if any (graphlib's CycleError names it)."""
    resources, parameters = template["Resources"], set(template.get("Parameters", {}))
    conditions = set(template.get("Conditions", {}))
    found, graph = [], {}
    sections = (
        [(f"Resources.{n}", n, r) for n, r in resources.items()]
        + [(f"Outputs.{n}", None, o) for n, o in template.get("Outputs", {}).items()]
        + [(f"Conditions.{n}", None, c) for n, c in template.get("Conditions", {}).items()]
    )
    for where, name, node in sections:
        body = {k: v for k, v in node.items() if k != "DependsOn"} if isinstance(node, dict) else node
        deps = set()
        for kind, target in references(body):
            ok = {
                "Ref": target in resources or target in parameters or target in PSEUDO,
                "Sub": target in resources or target in parameters or target in PSEUDO,
                "GetAtt": target in resources,
                "Condition": target in conditions,
            }[kind]
            if not ok:
                found.append(f"{where}: {kind} {target} names nothing")
            if kind in ("Ref", "Sub", "GetAtt") and target in resources:
                deps.add(target)
        depends = node.get("DependsOn", []) if isinstance(node, dict) else []
        for target in [depends] if isinstance(depends, str) else depends:
            if target not in resources:
                found.append(f"{where}: DependsOn {target} names nothing")
            deps.add(target)
        if name:
            graph[name] = deps & set(resources)
    try:
        tuple(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as err:
        found.append(f"cycle: {' -> '.join(err.args[1])}")
    return found


def test_the_checker_finds_dangling_references_and_cycles():
    template = {
        "Parameters": {"P": {}},
        "Conditions": {"C": {"Fn::Equals": [{"Ref": "P"}, ""]}},
        "Resources": {
            "A": {"Type": "T", "Properties": {"X": {"Fn::GetAtt": ["B", "Arn"]}}},
            "B": {"Type": "T", "Properties": {"X": {"Fn::Sub": "${A}-${AWS::Region}"}}},
            "D": {
                "Type": "T",
                "DependsOn": "Gone",
                "Condition": "Nope",
                "Properties": {"X": {"Ref": "Missing"}, "Y": {"Fn::If": ["C", {"Ref": "P"}, ""]}},
            },
        },
    }
    found = problems(template)
    assert "Resources.D: Ref Missing names nothing" in found
    assert "Resources.D: DependsOn Gone names nothing" in found
    assert "Resources.D: Condition Nope names nothing" in found
    assert any(f.startswith("cycle: ") and "A" in f and "B" in f for f in found), found
    del template["Resources"]["D"]
    template["Resources"]["B"]["Properties"]["X"] = "plain"
    assert problems(template) == []


def _plain(transformed, region: str) -> dict:
    report, _ = transformed
    return json.loads(Path(report["regions"][region]["template"]).read_text())


@pytest.mark.parametrize("region", REGIONS)
def test_every_reference_resolves_and_the_resources_sort_without_a_cycle(transformed, region):
    template = _plain(transformed, region)
    assert template.get("Transform") is None, "the SAM transform has run"
    assert problems(template) == [], region


def moto_subset(template: dict) -> tuple[dict, dict[str, str]]:
    """The template without what moto cannot create; references to those become marked placeholders."""
    removed = {
        n: r["Type"] for n, r in template["Resources"].items() if r["Type"] in MOTO_UNSUPPORTED | MOTO_CANNOT_CREATE
    }

    def placeholder(name, attr="Ref"):
        return f"arn:aws:moto-not-created:::{name}/{attr}"

    def swap(node):
        if isinstance(node, dict):
            if set(node) == {"Ref"} and node["Ref"] in removed:
                return placeholder(node["Ref"])
            if set(node) == {"Fn::GetAtt"}:
                name, attr = (
                    node["Fn::GetAtt"] if isinstance(node["Fn::GetAtt"], list) else node["Fn::GetAtt"].split(".", 1)
                )
                if name in removed:
                    return placeholder(name, attr)
            if set(node) == {"Fn::Sub"}:
                value = node["Fn::Sub"]
                text = value if isinstance(value, str) else value[0]
                for name in removed:
                    text = re.sub(r"\$\{%s(\.[^}]*)?\}" % re.escape(name), placeholder(name), text)
                return {"Fn::Sub": text if isinstance(value, str) else [text, swap(value[1])]}
            return {k: swap(v) for k, v in node.items()}
        if isinstance(node, list):
            return [swap(v) for v in node]
        return node

    out = json.loads(json.dumps(template))
    for name in removed:
        del out["Resources"][name]
    out = swap(out)
    for res in out["Resources"].values():
        depends = res.get("DependsOn")
        if depends is not None:
            kept = [d for d in ([depends] if isinstance(depends, str) else depends) if d not in removed]
            if kept:
                res["DependsOn"] = kept
            else:
                del res["DependsOn"]
    return out, removed


@pytest.mark.parametrize("region", REGIONS)
def test_moto_creates_the_stack_of_every_type_it_supports(transformed, built, region):
    template = _plain(transformed, region)
    out, _, _ = built
    subset, removed = moto_subset(template)
    from moto.cloudformation.parsing import get_model_map

    supported = set(get_model_map())
    types = {r["Type"] for r in template["Resources"].values()}
    # If moto learns a type, or the stack gains one, this list (and the module docstring) must change.
    assert types - supported == types & MOTO_UNSUPPORTED, (types - supported) ^ (types & MOTO_UNSUPPORTED)
    assert set(removed.values()) <= MOTO_UNSUPPORTED | MOTO_CANNOT_CREATE
    assert {r["Type"] for r in subset["Resources"].values()} <= supported

    artefacts = "fielddesk-deploy-artefacts"  # infra/cfn_check.py's placeholder CodeUri
    s3 = boto3.client("s3", region_name=region)
    s3.create_bucket(
        Bucket=artefacts, CreateBucketConfiguration={"LocationConstraint": region}
    ) if region != "us-east-1" else s3.create_bucket(Bucket=artefacts)
    s3.put_object(Bucket=artefacts, Key="deployment.zip", Body=(out / "deployment.zip").read_bytes())
    cfn = boto3.client("cloudformation", region_name=region)
    params = CHINA_PARAMETERS if region.startswith("cn-") else {}
    cfn.create_stack(
        StackName="fielddesk-prod",
        TemplateBody=json.dumps(subset),
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in params.items()],
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
    )
    stack = cfn.describe_stacks(StackName="fielddesk-prod")["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")

    summaries = cfn.list_stack_resources(StackName="fielddesk-prod")["StackResourceSummaries"]
    created = {r["LogicalResourceId"]: r for r in summaries if r["LogicalResourceId"]}
    # moto sometimes lists a resource created under a (true) Condition without its logical id: such a
    # resource is counted, and looked up in its service below.
    conditional = {n for n, r in subset["Resources"].items() if "Condition" in r}
    assert conditional == {"BackupRole"}, conditional  # the AWS Backup plan's role (AwsBackup=enabled)
    assert set(created) <= set(subset["Resources"]), set(created) - set(subset["Resources"])
    assert set(subset["Resources"]) - set(created) <= conditional, set(subset["Resources"]) - set(created)
    assert len(summaries) == len(subset["Resources"])
    iam = boto3.client("iam", region_name=region)
    assert any("BackupRole" in r["RoleName"] for r in iam.list_roles()["Roles"])
    physical = {n: r["PhysicalResourceId"] for n, r in created.items()}

    ddb = boto3.client("dynamodb", region_name=region)
    for table in ("FieldDeskTable", "IdempotencyTable"):
        described = ddb.describe_table(TableName=physical[table])["Table"]
        assert described["DeletionProtectionEnabled"] is True, table
        # moto's CloudFormation ignores PointInTimeRecoverySpecification (and reads SSESpecification's
        # API shape, not CloudFormation's): those are checked on the template.
        spec = subset["Resources"][table]["Properties"]["PointInTimeRecoverySpecification"]
        assert spec["PointInTimeRecoveryEnabled"] is True, table
    assert len(ddb.describe_table(TableName=physical["FieldDeskTable"])["Table"]["GlobalSecondaryIndexes"]) == 6

    lam = boto3.client("lambda", region_name=region)
    functions = [n for n, r in subset["Resources"].items() if r["Type"] == "AWS::Lambda::Function"]
    from app import app

    # The API handler, one function per schedule and the account-file function (a pure Lambda).
    assert len(functions) == 1 + len(app.event_sources) + len(app.pure_lambda_functions)
    partition = "aws-cn" if region.startswith("cn-") else "aws"
    for name in functions:
        config = lam.get_function_configuration(FunctionName=physical[name])
        assert config["Role"].endswith("/" + physical[f"{name}Role"]) or physical[f"{name}Role"] in config["Role"]
        env = config["Environment"]["Variables"]
        assert env["FIELDDESK_TABLE_NAME"] == physical["FieldDeskTable"]
        assert env["FIELDDESK_KMS_KEY_ID"].startswith(f"arn:{partition}:kms:{region}:")
        if region.startswith("cn-"):
            assert env["FIELDDESK_JWT_ISSUER"] == CHINA_PARAMETERS["OidcIssuer"]
    assert lam.get_function_configuration(FunctionName=physical["ImportAccountFile"])["Timeout"] == 900

    logs = boto3.client("logs", region_name=region)
    groups = {g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]}
    assert {f"/aws/lambda/{physical[n]}" for n in functions} <= groups
    ssm = boto3.client("ssm", region_name=region)
    assert ssm.get_parameter(Name="/fielddesk-prod/outlet-usage-plan-id")["Parameter"]["Value"]
    events = boto3.client("events", region_name=region)
    assert len(events.list_rules()["Rules"]) >= 5  # four schedules and the account-file event


def test_moto_stack_switched_to_a_restored_table_uses_it(transformed):
    """ActiveTableName (the restore runbook's switch) reaches every function's environment and role."""
    region = "us-east-1"
    subset, _ = moto_subset(_plain(transformed, region))
    for res in subset["Resources"].values():
        if res["Type"] == "AWS::Lambda::Function":  # no code needed for this check
            res["Properties"]["Code"] = {"ZipFile": "def handler(event, context):\n    return None\n"}
    cfn = boto3.client("cloudformation", region_name=region)
    cfn.create_stack(
        StackName="fielddesk-restored",
        TemplateBody=json.dumps(subset),
        Parameters=[{"ParameterKey": "ActiveTableName", "ParameterValue": "fielddesk-restored-20261201"}],
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
    )
    assert cfn.describe_stacks(StackName="fielddesk-restored")["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
    physical = {
        r["LogicalResourceId"]: r["PhysicalResourceId"]
        for r in cfn.list_stack_resources(StackName="fielddesk-restored")["StackResourceSummaries"]
    }
    lam, iam = boto3.client("lambda", region_name=region), boto3.client("iam", region_name=region)
    functions = [n for n, r in subset["Resources"].items() if r["Type"] == "AWS::Lambda::Function"]
    for name in functions:
        env = lam.get_function_configuration(FunctionName=physical[name])["Environment"]["Variables"]
        assert env["FIELDDESK_TABLE_NAME"] == "fielddesk-restored-20261201", name
        role = physical[f"{name}Role"].rsplit("/", 1)[-1]
        policies = iam.list_role_policies(RoleName=role)["PolicyNames"]
        document = json.dumps([iam.get_role_policy(RoleName=role, PolicyName=p)["PolicyDocument"] for p in policies])
        assert ":table/fielddesk-restored-20261201" in document and physical["FieldDeskTable"] not in document, name
