"""The deployable artefact: `chalice package --stage prod` + infra, imported from the zip alone.

Builds the package once for the module (chalice caches the manylinux wheels in
.chalice/deployments, so a rebuild takes seconds), then checks the zip imports in
a clean interpreter, the merged template holds the platform resources, and
cfn-lint accepts it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

from infra import package_deploy, package_policies

ROOT = Path(__file__).resolve().parents[2]


def _clean_import(code: str, path: Path, env: dict) -> subprocess.CompletedProcess:
    # -I: no user site, no PYTHONPATH; -S: no site-packages. Only the stdlib and the zip's contents.
    return subprocess.run(
        [sys.executable, "-I", "-S", "-c", code], cwd=path, env=env, capture_output=True, text=True, timeout=120
    )


def test_zip_imports_the_app_and_every_handler_with_nothing_else_on_the_path(built, tmp_path):
    out, template, _ = built
    with zipfile.ZipFile(out / "deployment.zip") as zf:
        names = zf.namelist()
        ours = [n for n in names if n.startswith("chalicelib/") and n.endswith(".pyc")]
        # flags word of a pyc header (PEP 552): 0b01 = hash-based, source not checked (a zip's timestamps mean nothing)
        flags = {int.from_bytes(zf.read(n)[4:8], "little") for n in ours}
        zf.extractall(tmp_path)
    assert len(names) == len(set(names)), "a name twice in the zip (stale __pycache__ beside the compiled one)"
    assert ours and flags == {0b01}, f"our modules ship compiled with unchecked hashes, got flags {flags}"
    assert "app.py" in names and "chalicelib/api/routing.py" in names
    assert not any(n.startswith(("tests/", "infra/", "schedules/", "bench/")) for n in names)
    assert any(
        n.startswith("pydantic_core/") and n.endswith("x86_64-linux-gnu.so") for n in names
    ), "pydantic_core must be a Linux x86_64 (manylinux) wheel for the Lambda runtime"
    handlers = sorted({fn["Properties"]["Handler"] for fn in package_policies.functions(template).values()})
    assert "app.app" in handlers
    code = textwrap.dedent(f"""
        import importlib, json, sys
        sys.path.insert(0, {str(tmp_path)!r})  # what Lambda's /var/task is
        assert not any("site-packages" in p for p in sys.path), sys.path
        for handler in {handlers!r}:
            module, _, attr = handler.rpartition(".")
            assert callable(getattr(importlib.import_module(module), attr)), handler
        import app, chalicelib, pydantic
        assert app.__file__.startswith({str(tmp_path)!r}), app.__file__
        assert pydantic.__file__.startswith({str(tmp_path)!r}), pydantic.__file__
        event = {{"resource": "/v1/health", "path": "/v1/health", "httpMethod": "GET",
                  "headers": {{"Host": "x"}}, "multiValueHeaders": {{}}, "queryStringParameters": None,
                  "multiValueQueryStringParameters": None, "pathParameters": None, "stageVariables": None,
                  "requestContext": {{"resourcePath": "/v1/health", "httpMethod": "GET", "path": "/v1/v1/health",
                                      "requestId": "req-123456789", "stage": "v1", "identity": {{}}}},
                  "body": None, "isBase64Encoded": False}}
        class Ctx:
            function_name = "fielddesk"; memory_limit_in_mb = 512; aws_request_id = "r"
            invoked_function_arn = "arn:aws:lambda:cn-north-1:123456789012:function:fielddesk"
            def get_remaining_time_in_millis(self): return 30000
        response = app.app(event, Ctx())
        print(json.dumps(response))
    """)
    env = {
        "AWS_DEFAULT_REGION": "cn-north-1",
        "FIELDDESK_STAGE": "prod",
        "FIELDDESK_JWT_MODE": "jwks",
        "FIELDDESK_JWKS_URL": "https://idp.example.cn/jwks.json",
        "FIELDDESK_JWT_ISSUER": "https://idp.example.cn",
        "FIELDDESK_HASH_KEY_SECRET": "hash",
        "FIELDDESK_PAGE_TOKEN_KEY_SECRET": "page",
        "FIELDDESK_KMS_KEY_ID": "arn:aws:kms:cn-north-1:123456789012:key/test",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
        "PATH": "/usr/bin:/bin",
    }
    result = _clean_import(code, tmp_path, env)
    assert result.returncode == 0, result.stderr[-3000:]
    response = json.loads(result.stdout.strip().splitlines()[-1])
    assert response["statusCode"] == 200 and json.loads(response["body"])["stage"] == "prod"


def test_template_merges_the_platform_resources(built):
    _, template, summary = built
    res = template["Resources"]
    table = res["FieldDeskTable"]["Properties"]
    assert table["BillingMode"] == "PAY_PER_REQUEST" and table["DeletionProtectionEnabled"] is True
    assert table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert table["SSESpecification"]["KMSMasterKeyId"] == {"Ref": "FieldKey"}
    assert len(table["GlobalSecondaryIndexes"]) == 6
    assert res["IdempotencyTable"]["Properties"]["TimeToLiveSpecification"]["Enabled"] is True
    assert res["FieldKey"]["Properties"]["EnableKeyRotation"] is True
    bucket = res["AccountFilesBucket"]["Properties"]
    assert bucket["NotificationConfiguration"]["EventBridgeConfiguration"]["EventBridgeEnabled"] is True
    assert bucket["PublicAccessBlockConfiguration"]["BlockPublicPolicy"] is True
    for name in (
        "EscalationTopic",
        "AlarmTopic",
        "DeadLetterQueue",
        "OutletUsagePlan",
        "Api5xxAlarm",
        "ApiThrottleAlarm",
        "DeadLetterAlarm",
        "TableThrottleAlarm",
    ):
        assert name in res, name
    assert "StaffUserPool" in res and template["Parameters"]["ExistingUserPoolId"]["Default"] == ""
    api = res["RestAPI"]["Properties"]
    assert api["MinimumCompressionSize"] == 1024
    assert api["MethodSettings"][0]["ThrottlingRateLimit"] == {"Ref": "ApiRateLimit"}
    responses = api["DefinitionBody"]["x-amazon-apigateway-gateway-responses"]
    for kind in (
        "THROTTLED",
        "QUOTA_EXCEEDED",
        "MISSING_AUTHENTICATION_TOKEN",
        "REQUEST_TOO_LARGE",
        "DEFAULT_4XX",
        "DEFAULT_5XX",
    ):
        body = responses[kind]["responseTemplates"]["application/json"]
        assert body.startswith('{"error": {"code": "') and '"details": []' in body, kind
    assert "/v1/health" in api["DefinitionBody"]["paths"], "the merge must keep chalice's routes"
    env = template["Globals"]["Function"]["Environment"]["Variables"]
    for var in (
        "FIELDDESK_TABLE_NAME",
        "FIELDDESK_IDEMPOTENCY_TABLE_NAME",
        "FIELDDESK_KMS_KEY_ID",
        "FIELDDESK_JWKS_URL",
        "FIELDDESK_JWT_ISSUER",
        "FIELDDESK_JWT_AUDIENCE",
        "FIELDDESK_ESCALATION_TOPIC_ARN",
        "FIELDDESK_PHOTO_BUCKET",
    ):
        assert var in env, var
    assert summary["functions"]["APIHandler"] == "api"


def test_every_function_has_its_own_least_privilege_role(built):
    _, template, _ = built
    res = template["Resources"]
    assert "DefaultRole" not in res, "chalice's shared role must not be generated (manage_iam_role false)"
    for name, fn in package_policies.functions(template).items():
        assert fn["Properties"]["Role"] == {"Fn::GetAtt": [f"{name}Role", "Arn"]}
        document = json.dumps(res[f"{name}Role"]["Properties"]["Policies"])
        assert "dynamodb:Scan" not in document and '"*"' not in document.replace(
            '"Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "Resource": ["*"]', ""
        )
        assert f"{name}ErrorsAlarm" in res and f"{name}ThrottlesAlarm" in res


def test_jobs_get_dead_letters_and_the_account_file_handler_the_bucket_event(built):
    _, template, _ = built
    res = template["Resources"]
    kinds = {name: ("api" if name == "APIHandler" else "job") for name in package_policies.functions(template)}
    assert set(kinds) == {
        "APIHandler",
        "DailyCallbackSelection",
        "CallbackSelectionShard",
        "ImportAccountFile",
        "ResumeAccountImports",
        "ReleaseLapsedProspects",
        "PenaltyOverdueSweep",
        "SlaSweep",
    }
    for name, kind in kinds.items():
        props = res[name]["Properties"]
        if kind == "job":
            assert props["DeadLetterQueue"]["TargetArn"] == {"Fn::GetAtt": ["DeadLetterQueue", "Arn"]}
        else:
            assert "DeadLetterQueue" not in props
    event = res["ImportAccountFile"]["Properties"]["Events"]["AccountFileCreated"]
    assert event["Type"] == "EventBridgeRule"
    assert event["Properties"]["Pattern"]["detail"]["bucket"]["name"] == [{"Ref": "AccountFilesBucket"}]
    api_policy = json.dumps(res["APIHandlerRole"]["Properties"]["Policies"])
    job_policy = json.dumps(res["DailyCallbackSelectionRole"]["Properties"]["Policies"])
    assert "IdempotencyTable" in api_policy and "IdempotencyTable" not in job_policy
    assert "PhotoBucket" in api_policy and "PhotoBucket" not in job_policy
    assert "sqs:SendMessage" in job_policy and "sqs:SendMessage" not in api_policy
    assert "BatchWriteItem" not in api_policy + job_policy  # tasks are never batch-written


def test_the_selection_fans_out_through_its_own_queue_with_a_dead_letter_queue_and_least_privilege(built):
    """Issue 18 §3: the schedule sends one message per (date, shard) to the stack's queue; only the
    scheduler may send to it and only the shard handler may also receive from it; three failed deliveries
    move a message to its own dead-letter queue (alarmed); the visibility timeout outlasts the handler."""
    _, template, _ = built
    res = template["Resources"]
    queue = res["SelectionShardQueue"]["Properties"]
    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": ["SelectionShardDeadLetterQueue", "Arn"]},
        "maxReceiveCount": 3,
    }
    handler = res["CallbackSelectionShard"]["Properties"]
    assert queue["VisibilityTimeout"] > handler["Timeout"] == 900
    (event,) = handler["Events"].values()
    assert event["Type"] == "SQS" and event["Properties"]["Queue"] == {"Fn::GetAtt": ["SelectionShardQueue", "Arn"]}
    assert event["Properties"]["BatchSize"] == 1 and event["Properties"]["ScalingConfig"]["MaximumConcurrency"] >= 2
    dlq_alarm = res["SelectionShardDeadLetterAlarm"]["Properties"]["Dimensions"][0]["Value"]
    assert dlq_alarm == {"Fn::GetAtt": ["SelectionShardDeadLetterQueue", "QueueName"]}
    for name, fn in package_policies.functions(template).items():
        statements = res[f"{name}Role"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
        on_queue = [st for st in statements if "SelectionShardQueue" in json.dumps(st["Resource"])]
        env = fn["Properties"].get("Environment", {}).get("Variables", {})
        if name == "DailyCallbackSelection":
            assert [st["Action"] for st in on_queue] == [["sqs:SendMessage"]]
        elif name == "CallbackSelectionShard":
            assert [sorted(st["Action"]) for st in on_queue] == [
                ["sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage", "sqs:SendMessage"]
            ]
        else:
            assert on_queue == [] and "FIELDDESK_SELECTION_QUEUE_URL" not in env, name
            continue
        assert env["FIELDDESK_SELECTION_QUEUE_URL"] == {"Ref": "SelectionShardQueue"}


def test_no_role_may_delete_an_item_of_the_main_table(built):
    _, template, _ = built
    res = template["Resources"]
    for name in package_policies.functions(template):
        for policy in res[f"{name}Role"]["Properties"]["Policies"]:
            for statement in policy["PolicyDocument"]["Statement"]:
                if "dynamodb:DeleteItem" in statement["Action"]:
                    # Only powertools' idempotency records (the in-progress record of a failed request).
                    assert statement["Resource"] == [{"Fn::GetAtt": ["IdempotencyTable", "Arn"]}], (name, statement)


def test_raw_account_files_move_to_colder_storage_and_are_kept_at_least_20_years(built):
    _, template, _ = built
    rules = template["Resources"]["AccountFilesBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
    retention = template["Parameters"]["AccountFileRetentionDays"]
    assert retention["MinValue"] >= 7305 and retention["Default"] >= 7305  # 20 years with leap days
    for rule in rules:
        for field in ("ExpirationInDays", "ExpirationDate"):
            assert rule.get(field) in (None, {"Ref": "AccountFileRetentionDays"}), rule
        assert rule.get("NoncurrentVersionExpiration", {}).get("NoncurrentDays") in (
            None,
            {"Ref": "AccountFileRetentionDays"},
        ), rule
    colder = {t["StorageClass"] for r in rules for t in r.get("Transitions", [])}
    assert {"GLACIER", "DEEP_ARCHIVE"} <= colder
    assert {t["StorageClass"] for r in rules for t in r.get("NoncurrentVersionTransitions", [])} >= {"DEEP_ARCHIVE"}


def test_cfn_lint_passes_on_the_packaged_template(built, tmp_path):
    out, _, _ = built
    assert package_deploy.cfn_lint(out / "sam.json") == 0, "cfn-lint found problems in sam.json (see output above)"


def test_transformed_template_has_no_cycles_and_no_lint_errors_in_both_partitions(transformed):
    """CloudFormation runs the SAM transform; cycles through Serverless resources only show after it."""
    report, result = transformed
    for region in ("us-east-1", "cn-north-1"):
        assert report["regions"][region]["cycles"] == [], (region, report["regions"][region]["cycles"])
        assert report["regions"][region]["errors"] == [], (region, report["regions"][region]["errors"])
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    cfn = json.loads(Path(report["regions"]["cn-north-1"]["template"]).read_text())
    assert not any(r["Type"].startswith("AWS::Cognito::") for r in cfn["Resources"].values())
    assert cfn["Resources"]["RestAPI"]["Properties"]["EndpointConfiguration"]["Types"] == ["REGIONAL"]


def test_no_secret_values_in_environment_and_every_arn_is_partition_neutral(built):
    out, template, _ = built
    env = json.dumps(template["Globals"]["Function"]["Environment"]["Variables"])
    assert "resolve:secretsmanager" not in env and "FIELDDESK_HASH_KEY_SECRET" in env
    text = (out / "sam.json").read_text() + (out / "sam-china.json").read_text()
    assert "arn:aws:" not in text and "amazonaws.com.cn" not in text


def test_per_function_settings_name_functions_that_exist(built):
    _, template, _ = built
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    named = set(config["stages"]["prod"].get("lambda_functions", {}))
    handlers = {package_policies.to_cfn_name(n) for n in named}
    assert handlers <= set(package_policies.functions(template)), handlers - set(package_policies.functions(template))
    # The import and its resume job stop before the deadline, so they need the whole 15 minutes.
    assert package_policies.functions(template)["ImportAccountFile"]["Properties"]["Timeout"] == 900
    assert package_policies.functions(template)["ResumeAccountImports"]["Properties"]["Timeout"] == 900


def test_zip_ships_boto3_and_botocore_together_or_not_at_all(built):
    out, _, _ = built
    with zipfile.ZipFile(out / "deployment.zip") as zf:
        versions = {
            n.split("-")[0]: n.split("-")[1].removesuffix(".dist-info/METADATA")
            for n in zf.namelist()
            if n.endswith(".dist-info/METADATA") and n.startswith(("boto3-", "botocore-"))
        }
    assert versions in ({}, {"boto3": versions.get("botocore"), "botocore": versions.get("boto3")}), versions
    assert not versions or versions["boto3"] == versions["botocore"], versions


def test_the_page_signs_in_at_the_stacks_cognito_domain_and_china_has_none(built):
    out, template, _ = built
    env = template["Globals"]["Function"]["Environment"]["Variables"]
    condition, domain, otherwise = env["FIELDDESK_COGNITO_DOMAIN"]["Fn::If"]
    assert condition == "HasCognitoDomain" and otherwise == ""
    assert domain == {"Fn::Sub": "https://${CognitoDomainPrefix}.auth.${AWS::Region}.amazoncognito.com"}
    assert env["FIELDDESK_JWT_TOKEN_USE"] == {"Ref": "TokenUse"}  # the page sends the token it names
    china = json.loads((out / "sam-china.json").read_text())["Globals"]["Function"]["Environment"]["Variables"]
    assert china["FIELDDESK_COGNITO_DOMAIN"] == ""


def test_tables_have_point_in_time_recovery_and_an_optional_backup_plan_keeps_20_years(built):
    out, template, _ = built
    res, params = template["Resources"], template["Parameters"]
    for table in ("FieldDeskTable", "IdempotencyTable"):
        assert res[table]["Properties"]["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert params["AwsBackup"]["AllowedValues"] == ["enabled", "disabled"]
    assert params["AwsBackup"]["Default"] == "enabled"
    for name in ("BackupVault", "BackupRole", "BackupPlan", "BackupSelection"):
        assert res[name]["Condition"] == "UseBackupPlan", name
    assert res["BackupVault"]["DeletionPolicy"] == "Retain"
    rules = {r["RuleName"]: r for r in res["BackupPlan"]["Properties"]["BackupPlan"]["BackupPlanRule"]}
    assert rules["Daily"]["Lifecycle"]["DeleteAfterDays"] == {"Ref": "BackupDailyRetentionDays"}
    assert rules["Monthly"]["Lifecycle"]["DeleteAfterDays"] == {"Ref": "BackupMonthlyRetentionDays"}
    # The Securities Law keeps client and transaction records at least 20 years: no shorter monthly points.
    assert params["BackupMonthlyRetentionDays"]["MinValue"] >= 20 * 365
    assert params["BackupMonthlyRetentionDays"]["Default"] >= 20 * 365 + 5
    selection = res["BackupSelection"]["Properties"]["BackupSelection"]
    assert selection["Resources"] == [
        {"Fn::Sub": [package_policies.TABLE_ARN, {"Table": package_policies.ACTIVE_TABLE}]}
    ]
    assert selection["IamRoleArn"] == {"Fn::GetAtt": ["BackupRole", "Arn"]}
    china = json.loads((out / "sam-china.json").read_text())["Resources"]
    assert {"BackupVault", "BackupPlan", "BackupSelection"} <= set(china), "AWS Backup exists in the China regions"


def test_the_stage_switches_to_a_restored_table_by_one_parameter(built):
    """After a restore (docs/operations.md): ActiveTableName names the table every function uses."""
    _, template, _ = built
    res = template["Resources"]
    assert template["Parameters"]["ActiveTableName"]["Default"] == ""
    env = template["Globals"]["Function"]["Environment"]["Variables"]
    assert env["FIELDDESK_TABLE_NAME"] == package_policies.ACTIVE_TABLE
    assert template["Outputs"]["TableName"]["Value"] == package_policies.ACTIVE_TABLE
    assert res["TableThrottleAlarm"]["Properties"]["Dimensions"][0]["Value"] == package_policies.ACTIVE_TABLE
    for name in package_policies.functions(template):
        statements = res[f"{name}Role"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
        table = next(st for st in statements if st.get("Sid") == "Table")
        assert table["Resource"] == [
            {"Fn::Sub": [package_policies.TABLE_ARN + s, {"Table": package_policies.ACTIVE_TABLE}]}
            for s in ("", "/index/*")
        ], name
