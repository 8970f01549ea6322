"""`make package` / `make lint-cfn` / `make deploy`: the deployable CloudFormation stack.

    python -m infra.package --stage prod                # build/package/{sam.json,deployment.zip}
    python -m infra.package --stage prod --lint         # + cfn-lint (tool venv .venv/cfn-lint)
    python -m infra.package --stage prod --deploy       # + upload and deploy (needs AWS credentials)

0. The stage's settings are validated as its functions will see them (check_stage): a stage
   that would refuse to start in Lambda (chalicelib/config.py fails closed) is not packaged.
1. `chalice package --stage STAGE --merge-template infra/resources.json` builds the
   Lambda zip (manylinux wheels for the Lambda runtime) and merges the platform
   resources (tables, KMS key, buckets, topics, Cognito, usage plan, gateway
   responses, compression, alarms) into chalice's SAM template.
2. Every Lambda function chalice generated (the API handler plus one per schedule,
   event or pure function, whoever added it) then gets, generically:
   its own least-privilege IAM role, a log group with retention, error and
   throttle alarms, and for asynchronous functions the dead-letter queue. The
   account-file handler (FIELDDESK_ACCOUNT_FILE_HANDLER, default
   `import_account_file`) is subscribed to the account-files bucket's
   Object Created events through EventBridge.
3. The selection's fan-out (`wire_selection_queue`): the shard handler's SQS event is pointed at the
   stack's SelectionShardQueue, and only the scheduler (send) and the shard handler (receive, delete,
   send its continuation) get the queue, by its URL in their environment and one statement each.
"""

from __future__ import annotations

import argparse
import json
import os
import py_compile
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from mypy_boto3_cloudformation.type_defs import ParameterTypeDef

ROOT = Path(__file__).resolve().parent.parent
MERGE_TEMPLATE = ROOT / "infra" / "resources.json"
OUT = ROOT / "build" / "package"
# A tool venv inside the (ignored) app venv; FIELDDESK_CFN_VENV elsewhere (a worktree whose .venv is a
# link to another checkout's keeps its own, e.g. .local/cfn-lint).
CFN_VENV = Path(os.environ.get("FIELDDESK_CFN_VENV") or ROOT / ".venv" / "cfn-lint")
CFN_REQUIREMENTS = ROOT / "infra" / "requirements-cfn.txt"
PLACEHOLDER_ROLE = "replaced-by-infra-package"
ACCOUNT_FILE_HANDLER = os.environ.get("FIELDDESK_ACCOUNT_FILE_HANDLER", "import_account_file")
DEFAULT_CORS_ORIGIN = "https://fielddesk.example.cn"

# Never dynamodb:Scan (no request or job reads a whole table) and never dynamodb:DeleteItem on the main
# table: nothing is hard-deleted (account and trade records are kept 20 years, Securities Law; DOMAIN 5).
ITEM_ACTIONS = [
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:Query",
    "dynamodb:BatchGetItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DescribeTable",
]


ACTIVE_TABLE = {"Fn::If": ["UsesRestoredTable", {"Ref": "ActiveTableName"}, {"Ref": "FieldDeskTable"}]}
TABLE_ARN = "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${Table}"


def sub(text: str) -> dict:
    return {"Fn::Sub": text}


def to_cfn_name(function_name: str) -> str:
    from chalice.utils import to_cfn_resource_name

    return to_cfn_resource_name(function_name)


# --- step 0: a stage that would not start is not packaged ------------------------------------
CHALICE_CONFIG = ROOT / ".chalice" / "config.json"
# A CloudFormation value only the deployment resolves (an ARN, a stack name, a condition): set, and
# https so a JWKS URL given this way passes; its real value is the stack's business.
STACK_VALUE = "https://resolved-by-cloudformation.invalid/"


def _stack_value(value, parameters: dict) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and set(value) == {"Ref"} and value["Ref"] in parameters:
        name = value["Ref"]  # a parameter: what `make deploy` passes (CFN_PARAM_*), else its default
        return str(os.environ.get(f"CFN_PARAM_{name}", parameters[name].get("Default", "")))
    return STACK_VALUE


def lambda_environment(stage: str) -> dict[str, str]:
    """The environment the stage's functions get: the stack's Globals, overridden by .chalice/config.json
    (top level, then the stage), plus what Lambda itself sets. Nothing from the packaging shell."""
    config = json.loads(CHALICE_CONFIG.read_text())
    if stage not in config.get("stages", {}):
        raise SystemExit(f"no stage {stage!r} in .chalice/config.json")
    resources = json.loads(MERGE_TEMPLATE.read_text())
    parameters = resources.get("Parameters", {})
    env = {
        name: _stack_value(value, parameters)
        for name, value in resources["Globals"]["Function"]["Environment"]["Variables"].items()
    }
    env.update(config.get("environment_variables", {}))
    env.update(config["stages"][stage].get("environment_variables", {}))
    env.update(
        AWS_LAMBDA_FUNCTION_NAME=f"fielddesk-{stage}-APIHandler",
        AWS_DEFAULT_REGION=os.environ.get("AWS_DEFAULT_REGION", "cn-north-1"),
    )
    return env


def check_stage(stage: str):
    """The stage's Settings as Lambda would build them; SystemExit naming the setting that would fail."""
    from unittest import mock

    from pydantic import ValidationError

    sys.path.insert(0, str(ROOT))
    from chalicelib.config import DEV_STAGES, Settings

    if stage in DEV_STAGES:
        raise SystemExit(
            f"the {stage} stage runs on a developer's machine only (make run, tests); "
            "deploy a stage of its own, e.g. staging or prod"
        )
    env = lambda_environment(stage)
    with mock.patch.dict(os.environ, env, clear=True):
        try:
            return Settings()
        except ValidationError as err:
            reasons = "; ".join(e["msg"].removeprefix("Value error, ") for e in err.errors())
            raise SystemExit(f"stage {stage} would refuse to start in Lambda: {reasons}") from None


# --- step 1: chalice package --------------------------------------------------------------
def chalice_package(stage: str, out: Path) -> None:
    env = {**os.environ}
    env.setdefault("AWS_DEFAULT_REGION", "cn-north-1")
    if not env.get("FIELDDESK_CORS_ORIGINS"):
        # routing.cors_config() is read when chalice imports app.py: it becomes the OPTIONS answer.
        print(f"FIELDDESK_CORS_ORIGINS not set; packaging with {DEFAULT_CORS_ORIGIN}", file=sys.stderr)
        env["FIELDDESK_CORS_ORIGINS"] = DEFAULT_CORS_ORIGIN
    if out.exists():
        shutil.rmtree(out)
    chalice = Path(sys.executable).with_name("chalice")
    subprocess.run(
        [str(chalice), "package", "--stage", stage, "--merge-template", str(MERGE_TEMPLATE), str(out)],
        cwd=ROOT,
        env=env,
        check=True,
    )


def compile_package(zip_path: Path) -> int:
    """Add compiled `__pycache__/*.pyc` for our own code (app.py, chalicelib/) to the deployment zip.

    Lambda's /var/task is read-only, so without them every cold start compiles each module it imports
    (the wheels chalice vendors come compiled; our sources did not). Compiled by this interpreter, whose
    version chalice also gave the functions' runtime, with unchecked-hash invalidation: a zip's timestamps
    mean nothing and the package never changes in place. Returns the number of files added."""
    import compileall
    import tempfile
    import zipfile

    def is_ours(name: str) -> bool:
        return name == "app.py" or name.startswith("chalicelib/")

    with tempfile.TemporaryDirectory() as tmp:
        with zipfile.ZipFile(zip_path) as zf:
            ours = [n for n in zf.namelist() if n.endswith(".py") and is_ours(n)]
            zf.extractall(tmp, members=ours)
            # chalice copies chalicelib/ as it is on disk, stale timestamp-checked __pycache__ included
            # (after a test run); those would sit beside ours under the same names. Rewrite without them.
            stale = {n for n in zf.namelist() if is_ours(n) and "__pycache__/" in n}
            if stale:
                kept = Path(tmp) / "kept.zip"
                with zipfile.ZipFile(kept, "w", compression=zipfile.ZIP_DEFLATED) as out:
                    for info in zf.infolist():
                        if info.filename not in stale:
                            out.writestr(info, zf.read(info))
        if stale:
            shutil.move(kept, zip_path)
        compileall.compile_dir(tmp, quiet=1, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH, workers=1)
        compiled = sorted(p for p in Path(tmp).rglob("*.pyc"))
        with zipfile.ZipFile(zip_path, "a", compression=zipfile.ZIP_DEFLATED) as out:
            for pyc in compiled:
                out.write(pyc, pyc.relative_to(tmp).as_posix())
    return len(compiled)


# --- step 2: per-function roles, alarms, dead letters ---------------------------------------
def _statement(actions, resources, sid=None) -> dict:
    st = {"Effect": "Allow", "Action": actions, "Resource": resources}
    if sid:
        st["Sid"] = sid
    return st


def policy_for(kind: str, cfn_name: str, *, account_files: bool) -> list[dict]:
    """The least each kind of function needs. `api`: the HTTP handler; `job`: schedules and events."""
    # The table the functions use: FieldDeskTable, or the restored table the ActiveTableName parameter names.
    table = [{"Fn::Sub": [TABLE_ARN + suffix, {"Table": ACTIVE_TABLE}]} for suffix in ("", "/index/*")]
    statements = [
        _statement(["xray:PutTraceSegments", "xray:PutTelemetryRecords"], ["*"], "Tracing"),
        _statement(ITEM_ACTIONS, table, "Table"),
        _statement(
            ["kms:GenerateDataKey", "kms:Decrypt", "kms:Encrypt"],
            [{"Fn::GetAtt": ["FieldKey", "Arn"]}],
            "FieldEncryption",
        ),
        _statement(["sns:Publish"], [{"Ref": "EscalationTopic"}], "Escalations"),
    ]
    if kind != "api":
        statements.append(_statement(["secretsmanager:GetSecretValue"], [{"Ref": "HashKeySecret"}], "Secrets"))
    if kind == "api":
        statements += [
            # DeleteItem on the idempotency table only: powertools deletes the in-progress record of a
            # request whose handler failed, so the client's retry runs instead of waiting it out.
            _statement(
                ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"],
                [{"Fn::GetAtt": ["IdempotencyTable", "Arn"]}],
                "Idempotency",
            ),
            _statement(["s3:GetObject", "s3:PutObject"], [sub("${PhotoBucket.Arn}/*")], "Photos"),
            # The outlet usage plan's id, read at run time (an environment variable naming the plan
            # would close the cycle APIHandler -> OutletUsagePlan -> RestAPI -> APIHandler).
            _statement(
                ["ssm:GetParameter"],
                [sub("arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/${AWS::StackName}/*")],
                "StackParameters",
            ),
            # Secrets read at run time (powertools Parameters, cached), never in environment variables.
            _statement(
                ["secretsmanager:GetSecretValue"], [{"Ref": "HashKeySecret"}, {"Ref": "PageTokenSecret"}], "Secrets"
            ),
        ]
    else:
        statements += [
            _statement(["sqs:SendMessage"], [{"Fn::GetAtt": ["DeadLetterQueue", "Arn"]}], "DeadLetters"),
            _statement(
                ["s3:GetObject", "s3:GetObjectVersion"], [sub("${AccountFilesBucket.Arn}/*")], "ReadAccountFiles"
            ),
            _statement(["s3:ListBucket"], [{"Fn::GetAtt": ["AccountFilesBucket", "Arn"]}], "ListAccountFiles"),
        ]
    if account_files:
        statements.append(
            _statement(
                ["s3:GetObject", "s3:GetObjectVersion"], [sub("${AccountFilesBucket.Arn}/*")], "AccountFileEvent"
            )
        )
    return statements


def outlet_keys_policy(role: str) -> dict:
    """Issuing or revoking a partner outlet's key registers it with the outlet usage plan.

    A separate policy (not inside the role): the plan depends on the API, which depends on the
    handler, which depends on its role. API keys are scoped to this stack by their
    `fielddesk:stack` tag (set on creation, required for reading and deleting).
    """
    arn = "arn:${AWS::Partition}:apigateway:${AWS::Region}::"
    stack_tag = {"aws:RequestTag/fielddesk:stack": {"Ref": "AWS::StackName"}}
    return {
        "Type": "AWS::IAM::Policy",
        "Properties": {
            "PolicyName": "OutletUsagePlanKeys",
            "Roles": [{"Ref": role}],
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        **_statement(
                            ["apigateway:POST"], [sub(arn + "/apikeys"), sub(arn + "/tags/*")], "CreateStackKeys"
                        ),
                        "Condition": {"StringEquals": stack_tag},
                    },
                    {
                        **_statement(
                            ["apigateway:GET", "apigateway:DELETE"], [sub(arn + "/apikeys/*")], "OwnStackKeys"
                        ),
                        "Condition": {"StringEquals": {"aws:ResourceTag/fielddesk:stack": {"Ref": "AWS::StackName"}}},
                    },
                    _statement(
                        ["apigateway:POST", "apigateway:DELETE", "apigateway:GET"],
                        [
                            sub(arn + "/usageplans/${OutletUsagePlan}/keys"),
                            sub(arn + "/usageplans/${OutletUsagePlan}/keys/*"),
                        ],
                        "OutletUsagePlanKeys",
                    ),
                ],
            },
        },
    }


def _alarm(description: str, metric: str, function_ref: str, threshold: int) -> dict:
    return {
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {
            "AlarmDescription": description,
            "Namespace": "AWS/Lambda",
            "MetricName": metric,
            "Dimensions": [{"Name": "FunctionName", "Value": {"Ref": function_ref}}],
            "Statistic": "Sum",
            "Period": 300,
            "EvaluationPeriods": 1,
            "Threshold": threshold,
            "ComparisonOperator": "GreaterThanOrEqualToThreshold",
            "TreatMissingData": "notBreaching",
            "AlarmActions": [{"Ref": "AlarmTopic"}],
            "OKActions": [{"Ref": "AlarmTopic"}],
        },
    }


def functions(template: dict) -> dict[str, dict]:
    return {name: res for name, res in template["Resources"].items() if res.get("Type") == "AWS::Serverless::Function"}


def finish(
    template: dict,
    *,
    account_file_handler: str = ACCOUNT_FILE_HANDLER,
    require_gateway_keys: bool = False,
    outlet_routes=(),
) -> dict:
    """Add what every function needs; returns a summary of what was done."""
    resources = template["Resources"]
    handler_cfn = to_cfn_name(account_file_handler)
    summary: dict[str, Any] = {"functions": {}, "account_file_handler": None}
    for name, fn in functions(template).items():
        props = fn["Properties"]
        kind = "api" if name == "APIHandler" else "job"
        account_files = name == handler_cfn
        role = f"{name}Role"
        resources[role] = {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "Description": f"FieldDesk {name}: least privilege for a {kind} function",
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "lambda.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                },
                "Policies": [
                    {
                        "PolicyName": f"{name}Policy",
                        "PolicyDocument": {
                            "Version": "2012-10-17",
                            "Statement": policy_for(kind, name, account_files=account_files),
                        },
                    }
                ],
            },
        }
        props["Role"] = {"Fn::GetAtt": [role, "Arn"]}
        resources.setdefault(
            f"{name}LogGroup",
            {
                "Type": "AWS::Logs::LogGroup",
                "Properties": {
                    "LogGroupName": sub("/aws/lambda/${%s}" % name),
                    "RetentionInDays": {"Ref": "LogRetentionDays"},
                },
            },
        )
        # A separate policy: inside the role, log group -> function -> role -> log group is a cycle.
        resources[f"{name}LogsPolicy"] = {
            "Type": "AWS::IAM::Policy",
            "Properties": {
                "PolicyName": f"{name}OwnLogs",
                "Roles": [{"Ref": role}],
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        _statement(
                            ["logs:CreateLogStream", "logs:PutLogEvents"], [sub("${%sLogGroup.Arn}" % name)], "OwnLogs"
                        )
                    ],
                },
            },
        }
        if kind == "api":
            resources[f"{name}OutletKeysPolicy"] = outlet_keys_policy(role)
        what = "API handler" if kind == "api" else "job"
        resources[f"{name}ErrorsAlarm"] = _alarm(f"{name} ({what}) failed", "Errors", name, 5 if kind == "api" else 1)
        resources[f"{name}ThrottlesAlarm"] = _alarm(f"{name} was throttled by Lambda", "Throttles", name, 1)
        timeout_ms = int(props.get("Timeout", 3)) * 1000
        near = _alarm(
            f"{name} ran close to its {timeout_ms // 1000} s timeout", "Duration", name, int(timeout_ms * 0.8)
        )
        near["Properties"]["Statistic"] = "Maximum"
        resources[f"{name}DurationAlarm"] = near
        if kind == "job":
            props["DeadLetterQueue"] = {"Type": "SQS", "TargetArn": {"Fn::GetAtt": ["DeadLetterQueue", "Arn"]}}
        if account_files:
            props.setdefault("Events", {})["AccountFileCreated"] = {
                "Type": "EventBridgeRule",
                "Properties": {
                    "Pattern": {
                        "source": ["aws.s3"],
                        "detail-type": ["Object Created"],
                        "detail": {"bucket": {"name": [{"Ref": "AccountFilesBucket"}]}},
                    }
                },
            }
            summary["account_file_handler"] = name
        summary["functions"][name] = kind
    summary["selection_queue"] = wire_selection_queue(template)
    if require_gateway_keys:
        _require_gateway_keys(template, outlet_routes)
    leftover = [n for n, f in functions(template).items() if PLACEHOLDER_ROLE in json.dumps(f["Properties"]["Role"])]
    if leftover:
        raise SystemExit(f"functions still on the placeholder role: {leftover}")
    return summary


COGNITO_TYPES = ("AWS::Cognito::",)


# --- the selection's fan-out (issue 18 §3) ----------------------------------------------------------
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
        policy.append(_statement(actions, [queue_arn], "SelectionShardQueue"))
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


def _require_gateway_keys(template: dict, outlet_routes) -> None:
    """Outlet-only routes also need an API Gateway key, so the usage plan meters each outlet."""
    body = template["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]
    body.setdefault("securityDefinitions", {})["api_key"] = {"type": "apiKey", "name": "x-api-key", "in": "header"}
    for path, method in outlet_routes:
        op = body["paths"].get(path, {}).get(method.lower())
        if op is not None:
            op["security"] = [{"api_key": []}]


def outlet_only_routes() -> list[tuple[str, str]]:
    os.environ.setdefault("AWS_DEFAULT_REGION", "cn-north-1")
    sys.path.insert(0, str(ROOT))
    import app  # noqa: F401
    from chalicelib.api.route_spec import ROUTES

    return [(r.path, r.method) for r in ROUTES if set(r.roles) == {"outlet"}]


# --- lint and deploy ---------------------------------------------------------------------------
def cfn_tool_python() -> Path:
    """The cfn-lint tool venv (cfn-lint + aws-sam-translator), created on first use."""
    python = CFN_VENV / "bin" / "python"
    if not (CFN_VENV / "bin" / "cfn-lint").exists():
        subprocess.run([sys.executable, "-m", "venv", str(CFN_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "-r", str(CFN_REQUIREMENTS)], check=True)
    return python


def cfn_lint(template: Path) -> int:
    """cfn-lint needs aws-sam-translator, which pins an older pydantic than the app: its own venv.

    Lints the SAM template, then (infra/cfn_check.py) transforms it as CloudFormation will and
    fails on any dependency cycle or lint error in us-east-1 and cn-north-1.
    """
    tool = cfn_tool_python().with_name("cfn-lint")
    result = subprocess.run([str(tool), "--format", "parseable", str(template)], cwd=ROOT)
    check = subprocess.run(
        [
            str(cfn_tool_python()),
            str(ROOT / "infra" / "cfn_check.py"),
            str(template),
            "--regions",
            "us-east-1",
            "cn-north-1",
        ],
        cwd=ROOT,
    )
    return result.returncode or check.returncode


def deploy(stage: str, out: Path) -> None:  # pragma: no cover - needs an AWS account
    """Upload the zip, point CodeUri at it, and deploy the stack through a change set."""
    import boto3

    bucket = os.environ.get("FIELDDESK_DEPLOY_BUCKET")
    if not bucket:
        raise SystemExit("set FIELDDESK_DEPLOY_BUCKET to an S3 bucket for deployment artefacts")
    stack = os.environ.get("FIELDDESK_STACK_NAME", f"fielddesk-{stage}")
    china = (os.environ.get("AWS_DEFAULT_REGION") or boto3.session.Session().region_name or "").startswith("cn-")
    template = json.loads((out / ("sam-china.json" if china else "sam.json")).read_text())
    key = f"{stack}/deployment-{int(__import__('time').time())}.zip"
    boto3.client("s3").upload_file(str(out / "deployment.zip"), bucket, key)
    for fn in functions(template).values():
        fn["Properties"]["CodeUri"] = {"Bucket": bucket, "Key": key}
    body_key = f"{stack}/template-{key.rsplit('-', 1)[1].split('.')[0]}.json"
    boto3.client("s3").put_object(Bucket=bucket, Key=body_key, Body=json.dumps(template).encode())
    cfn = boto3.client("cloudformation")
    region = cfn.meta.region_name
    suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    url = f"https://{bucket}.s3.{region}.{suffix}/{body_key}"
    try:
        exists = cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"] != "REVIEW_IN_PROGRESS"
    except cfn.exceptions.ClientError:
        exists = False
    params: list[ParameterTypeDef] = [
        {"ParameterKey": k[len("CFN_PARAM_") :], "ParameterValue": v}
        for k, v in os.environ.items()
        if k.startswith("CFN_PARAM_")
    ]
    name = f"deploy-{key.rsplit('-', 1)[1].split('.')[0]}"
    cfn.create_change_set(
        StackName=stack,
        ChangeSetName=name,
        TemplateURL=url,
        Parameters=params,
        ChangeSetType="UPDATE" if exists else "CREATE",
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
    )
    cfn.get_waiter("change_set_create_complete").wait(StackName=stack, ChangeSetName=name)
    cfn.execute_change_set(StackName=stack, ChangeSetName=name)
    waiter: Literal["stack_update_complete", "stack_create_complete"] = (
        "stack_update_complete" if exists else "stack_create_complete"
    )
    cfn.get_waiter(waiter).wait(StackName=stack, WaiterConfig={"Delay": 15, "MaxAttempts": 240})
    print(f"deployed {stack}")


def build(stage: str, out: Path = OUT, require_gateway_keys: bool = False) -> dict:
    """sam.json (global partition: Cognito optional) and sam-china.json (any OIDC issuer, no Cognito)."""
    check_stage(stage)
    chalice_package(stage, out)
    compile_package(out / "deployment.zip")
    path = out / "sam.json"
    template = json.loads(path.read_text())
    routes = outlet_only_routes() if require_gateway_keys else ()
    summary = finish(template, require_gateway_keys=require_gateway_keys, outlet_routes=routes)
    path.write_text(json.dumps(template, indent=2, ensure_ascii=False) + "\n")
    (out / "sam-china.json").write_text(json.dumps(without_cognito(template), indent=2, ensure_ascii=False) + "\n")
    return summary


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Package (and lint, deploy) the FieldDesk stack")
    parser.add_argument("--stage", default="prod")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--lint", action="store_true", help="run cfn-lint on the packaged template")
    parser.add_argument("--deploy", action="store_true", help="deploy the packaged template (AWS credentials)")
    parser.add_argument("--reuse", action="store_true", help="lint/deploy an existing build without repackaging")
    parser.add_argument(
        "--require-gateway-keys",
        action="store_true",
        help="outlet-only routes also require an API Gateway key (per-outlet usage plan)",
    )
    args = parser.parse_args(argv)
    check_stage(args.stage)  # also before a --reuse deploy: the build may predate a config change
    if not (args.reuse and (args.out / "sam.json").exists()):
        summary = build(args.stage, args.out, args.require_gateway_keys)
        print(json.dumps(summary, indent=2))
        if summary["account_file_handler"] is None:
            print(
                f"note: no function named {ACCOUNT_FILE_HANDLER!r}; the account-files bucket's events go "
                "nowhere (set FIELDDESK_ACCOUNT_FILE_HANDLER)",
                file=sys.stderr,
            )
    if args.lint:
        return cfn_lint(args.out / "sam.json")
    if args.deploy:
        deploy(args.stage, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
