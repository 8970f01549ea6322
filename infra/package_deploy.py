"""`make lint-cfn` and `make deploy` for `infra/package.py`: cfn-lint in its own tool venv, then the transformed
template's checks (infra/cfn_check.py); the upload and the change set."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from infra.package_policies import functions

if TYPE_CHECKING:
    from mypy_boto3_cloudformation.type_defs import ParameterTypeDef

ROOT = Path(__file__).resolve().parent.parent


# A tool venv inside the (ignored) app venv; FIELDDESK_CFN_VENV elsewhere (a worktree whose .venv is a
# link to another checkout's keeps its own, e.g. .local/cfn-lint).
CFN_VENV = Path(os.environ.get("FIELDDESK_CFN_VENV") or ROOT / ".venv" / "cfn-lint")
CFN_REQUIREMENTS = ROOT / "infra" / "requirements-cfn.txt"


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
