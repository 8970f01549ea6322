"""The packaged SAM template as CloudFormation sees it: transform, dependency cycles, cfn-lint per region.

cfn-lint validates SAM templates against SAM schemas and skips dependency cycles that touch
`AWS::Serverless::*` resources, so CloudFormation can reject a change set cfn-lint accepted.
This runs aws-sam-translator (the transform CloudFormation runs), then looks for cycles in the
plain template and lints it for each region. Runs in the cfn-lint tool venv (.venv/cfn-lint):

    .venv/cfn-lint/bin/python infra/cfn_check.py build/package/sam.json --regions us-east-1 cn-north-1

Prints a JSON report; exit 1 on any cycle or lint error.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

PLACEHOLDER_CODE = "s3://fielddesk-deploy-artefacts/deployment.zip"


class _NoManagedPolicies:
    def load(self):  # the stack uses no AWS managed policies by name
        return {}


def transform(sam: dict, region: str) -> dict:
    import os

    from samtranslator.translator.transform import transform as sam_transform

    os.environ["AWS_DEFAULT_REGION"] = region  # the translator derives the partition from it
    sam = json.loads(json.dumps(sam))
    for res in sam["Resources"].values():
        if res.get("Type") == "AWS::Serverless::Function":
            res["Properties"]["CodeUri"] = PLACEHOLDER_CODE  # make deploy uploads the zip to S3 the same way
    return sam_transform(sam, {"AWS::Region": region}, _NoManagedPolicies())


def _refs(node, found: set) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                found.add(value.split(".")[0])
            elif key == "Fn::GetAtt":
                found.add(value[0] if isinstance(value, list) else value.split(".")[0])
            elif key == "Fn::Sub":
                text = value if isinstance(value, str) else value[0]
                found.update(m.split(".")[0] for m in re.findall(r"\$\{([^}!][^}]*)\}", text))
                _refs(value if isinstance(value, list) else [], found)
            else:
                _refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, found)


def dependencies(template: dict) -> dict[str, set[str]]:
    resources = template["Resources"]
    graph = {}
    for name, res in resources.items():
        found: set = set()
        _refs({k: v for k, v in res.items() if k != "DependsOn"}, found)
        depends = res.get("DependsOn", [])
        found.update([depends] if isinstance(depends, str) else depends)
        graph[name] = {n for n in found if n in resources}
    return graph


def cycles(template: dict) -> list[list[str]]:
    """Every elementary dependency cycle (networkx ships with cfn-lint)."""
    import networkx

    graph: networkx.DiGraph[str] = networkx.DiGraph()
    for name, deps in dependencies(template).items():
        graph.add_node(name)
        graph.add_edges_from((name, d) for d in deps)
    return sorted(sorted(c) for c in networkx.simple_cycles(graph))


def lint(path: Path, region: str) -> list[str]:
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    result = subprocess.run(
        [str(cfn_lint), "--format", "parseable", "--regions", region, "--", str(path)], capture_output=True, text=True
    )
    return [line for line in result.stdout.splitlines() if line.strip()]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("template", type=Path)
    parser.add_argument("--regions", nargs="+", default=["us-east-1", "cn-north-1"])
    parser.add_argument("--out", type=Path, default=None, help="directory for the transformed templates")
    args = parser.parse_args(argv)
    sam = json.loads(args.template.read_text())
    china_path = args.template.with_name(args.template.stem + "-china.json")
    china = json.loads(china_path.read_text()) if china_path.exists() else sam
    out = args.out or args.template.parent
    report: dict[str, Any] = {"sam_cycles": cycles(sam), "regions": {}}
    for region in args.regions:
        # China regions get the template without Cognito (infra/package_wiring.py without_cognito).
        cfn = transform(china if region.startswith("cn-") else sam, region)
        path = out / f"cfn-{region}.json"
        path.write_text(json.dumps(cfn, indent=1))
        findings = lint(path, region)
        report["regions"][region] = {
            "template": str(path),
            "cycles": cycles(cfn),
            "errors": [f for f in findings if re.search(r":E\d{4}:", f)],
            "warnings": [f for f in findings if not re.search(r":E\d{4}:", f)],
        }
    print(json.dumps(report, indent=2))
    bad = any(r["cycles"] or r["errors"] for r in report["regions"].values())
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
