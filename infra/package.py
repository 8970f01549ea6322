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

Step 0 lives in package_stage.py, step 2's statements and alarms in package_policies.py, step 3 and the
China variant in package_wiring.py, cfn-lint and the deployment in package_deploy.py.
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
from typing import Any

from infra.package_deploy import cfn_lint, deploy
from infra.package_policies import alarm, functions, outlet_keys_policy, policy_for, statement, sub, to_cfn_name
from infra.package_stage import MERGE_TEMPLATE, check_stage
from infra.package_wiring import wire_selection_queue, without_cognito

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "build" / "package"
PLACEHOLDER_ROLE = "replaced-by-infra-package"
ACCOUNT_FILE_HANDLER = os.environ.get("FIELDDESK_ACCOUNT_FILE_HANDLER", "import_account_file")
DEFAULT_CORS_ORIGIN = "https://fielddesk.example.cn"


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
                        statement(
                            ["logs:CreateLogStream", "logs:PutLogEvents"], [sub("${%sLogGroup.Arn}" % name)], "OwnLogs"
                        )
                    ],
                },
            },
        }
        if kind == "api":
            resources[f"{name}OutletKeysPolicy"] = outlet_keys_policy(role)
        what = "API handler" if kind == "api" else "job"
        resources[f"{name}ErrorsAlarm"] = alarm(f"{name} ({what}) failed", "Errors", name, 5 if kind == "api" else 1)
        resources[f"{name}ThrottlesAlarm"] = alarm(f"{name} was throttled by Lambda", "Throttles", name, 1)
        timeout_ms = int(props.get("Timeout", 3)) * 1000
        near = alarm(f"{name} ran close to its {timeout_ms // 1000} s timeout", "Duration", name, int(timeout_ms * 0.8))
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


# --- build, and the command line ------------------------------------------------------------
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
