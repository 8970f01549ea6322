"""Step 2 of `infra/package.py`: what each generated function may do (its least-privilege statements), the
outlet keys' usage-plan policy, the error and throttle alarms, and the template helpers they share."""

from __future__ import annotations

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


def statement(actions, resources, sid=None) -> dict:
    st = {"Effect": "Allow", "Action": actions, "Resource": resources}
    if sid:
        st["Sid"] = sid
    return st


def policy_for(kind: str, cfn_name: str, *, account_files: bool) -> list[dict]:
    """The least each kind of function needs. `api`: the HTTP handler; `job`: schedules and events."""
    # The table the functions use: FieldDeskTable, or the restored table the ActiveTableName parameter names.
    table = [{"Fn::Sub": [TABLE_ARN + suffix, {"Table": ACTIVE_TABLE}]} for suffix in ("", "/index/*")]
    statements = [
        statement(["xray:PutTraceSegments", "xray:PutTelemetryRecords"], ["*"], "Tracing"),
        statement(ITEM_ACTIONS, table, "Table"),
        statement(
            ["kms:GenerateDataKey", "kms:Decrypt", "kms:Encrypt"],
            [{"Fn::GetAtt": ["FieldKey", "Arn"]}],
            "FieldEncryption",
        ),
        statement(["sns:Publish"], [{"Ref": "EscalationTopic"}], "Escalations"),
    ]
    if kind != "api":
        statements.append(statement(["secretsmanager:GetSecretValue"], [{"Ref": "HashKeySecret"}], "Secrets"))
    if kind == "api":
        statements += [
            # DeleteItem on the idempotency table only: powertools deletes the in-progress record of a
            # request whose handler failed, so the client's retry runs instead of waiting it out.
            statement(
                ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"],
                [{"Fn::GetAtt": ["IdempotencyTable", "Arn"]}],
                "Idempotency",
            ),
            statement(["s3:GetObject", "s3:PutObject"], [sub("${PhotoBucket.Arn}/*")], "Photos"),
            # The outlet usage plan's id, read at run time (an environment variable naming the plan
            # would close the cycle APIHandler -> OutletUsagePlan -> RestAPI -> APIHandler).
            statement(
                ["ssm:GetParameter"],
                [sub("arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/${AWS::StackName}/*")],
                "StackParameters",
            ),
            # Secrets read at run time (powertools Parameters, cached), never in environment variables.
            statement(
                ["secretsmanager:GetSecretValue"], [{"Ref": "HashKeySecret"}, {"Ref": "PageTokenSecret"}], "Secrets"
            ),
        ]
    else:
        statements += [
            statement(["sqs:SendMessage"], [{"Fn::GetAtt": ["DeadLetterQueue", "Arn"]}], "DeadLetters"),
            statement(
                ["s3:GetObject", "s3:GetObjectVersion"], [sub("${AccountFilesBucket.Arn}/*")], "ReadAccountFiles"
            ),
            statement(["s3:ListBucket"], [{"Fn::GetAtt": ["AccountFilesBucket", "Arn"]}], "ListAccountFiles"),
        ]
    if account_files:
        statements.append(
            statement(["s3:GetObject", "s3:GetObjectVersion"], [sub("${AccountFilesBucket.Arn}/*")], "AccountFileEvent")
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
                        **statement(
                            ["apigateway:POST"], [sub(arn + "/apikeys"), sub(arn + "/tags/*")], "CreateStackKeys"
                        ),
                        "Condition": {"StringEquals": stack_tag},
                    },
                    {
                        **statement(["apigateway:GET", "apigateway:DELETE"], [sub(arn + "/apikeys/*")], "OwnStackKeys"),
                        "Condition": {"StringEquals": {"aws:ResourceTag/fielddesk:stack": {"Ref": "AWS::StackName"}}},
                    },
                    statement(
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


def alarm(description: str, metric: str, function_ref: str, threshold: int) -> dict:
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


def to_cfn_name(function_name: str) -> str:
    from chalice.utils import to_cfn_resource_name

    return to_cfn_resource_name(function_name)
