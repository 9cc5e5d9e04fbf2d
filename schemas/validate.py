#!/usr/bin/env python3
"""Validates schemas/alt-erasure.openrpc.json with real validators.

- the document: the OpenRPC meta-schema (`schemas/openrpc-meta-schema.json`, from the open-rpc/meta-schema
  project, Apache-2.0, with its `openrpc` version field a pattern and its JSON Schema references pointing to
  draft-07 so it validates offline) through `jsonschema`;
- every param and result schema: `jsonschema`'s Draft 7 meta-schema check;
- every example: its params and result against those schemas;
- the project's own rules: summary, description, paramStructure, result, examples and x-idempotent on
  every method; a title on every schema that names a generated type; error codes from PROTOCOL.md.

Needs only `jsonschema` (Python's, present on a fresh machine of this kind; nothing to pip-install). Exits 1 naming the method and the JSON pointer.

`validate.py --instances FILE [DOCUMENT]` validates values a live server returned (the contract tests
write them): each result against its method's result schema, each error's data against ErrorData.
"""
import copy
import json
import os
import sys

import jsonschema

META_SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "openrpc-meta-schema.json")

ALLOWED_CODES = {-32700, -32600, -32601, -32602, -32603} | {-32000 - s for s in (1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 14, 15, 16)}


def deref(node, document):
    """Replaces {"$ref": "#/components/errors|contentDescriptors|examples/..."} by its target."""
    if isinstance(node, list):
        return [deref(item, document) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/components/") and not ref.startswith("#/components/schemas/"):
        target = document
        for part in ref[2:].split("/"):
            target = target[part]
        return deref(copy.deepcopy(target), document)
    return {key: deref(value, document) for key, value in node.items()}


def schema_validator(schema, document):
    root = dict(schema)
    root.setdefault("components", document.get("components", {}))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(root, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


def untitled(schema, pointer, top):
    """Pointers of schemas that name a generated type but have no title."""
    if not isinstance(schema, dict) or "$ref" in schema:
        return []
    problems = []
    names_type = top or "properties" in schema or "enum" in schema
    if names_type and "title" not in schema:
        problems.append(pointer)
    for name, child in (schema.get("properties") or {}).items():
        problems += untitled(child, f"{pointer}/properties/{name}", False)
    if isinstance(schema.get("items"), dict):
        problems += untitled(schema["items"], f"{pointer}/items", False)
    return problems


def main(path):
    with open(path, encoding="utf-8") as file:
        document = json.load(file)
    problems = []
    with open(META_SCHEMA, encoding="utf-8") as file:
        meta_schema = json.load(file)
    for issue in jsonschema.Draft7Validator(meta_schema).iter_errors(document):
        problems.append(f"{path}{issue.json_path[1:]}: not valid OpenRPC: {issue.message}")

    for name, schema in (document.get("components", {}).get("schemas") or {}).items():
        pointer = f"/components/schemas/{name}"
        problems += [f"{pointer}: schema without a title" for pointer in untitled(schema, pointer, True)]
        try:
            schema_validator(schema, document)
        except jsonschema.SchemaError as error:
            problems.append(f"{pointer}: invalid JSON Schema: {error.message}")
    for name, error in (document.get("components", {}).get("errors") or {}).items():
        if error.get("code") not in ALLOWED_CODES:
            problems.append(f"/components/errors/{name}: code {error.get('code')} is not in PROTOCOL.md's table")

    resolved = deref(document, document)
    for index, method in enumerate(resolved.get("methods", [])):
        name = method.get("name", f"#{index}")
        base = f"/methods/{index}"
        for field in ("summary", "description", "paramStructure", "result", "examples"):
            if not method.get(field):
                problems.append(f"{name} ({base}/{field}): missing {field}")
        if not isinstance(method.get("x-idempotent"), bool):
            problems.append(f"{name} ({base}/x-idempotent): must be true or false")
        params = {}
        for position, param in enumerate(method.get("params", [])):
            pointer = f"{base}/params/{position}/schema"
            problems += [f"{name} ({p}): schema without a title" for p in untitled(param.get("schema", {}), pointer, True)]
            try:
                params[param["name"]] = (param, schema_validator(param.get("schema", {}), document))
            except jsonschema.SchemaError as error:
                problems.append(f"{name} ({pointer}): invalid JSON Schema: {error.message}")
        result_validator = None
        if method.get("result"):
            pointer = f"{base}/result/schema"
            problems += [f"{name} ({p}): schema without a title" for p in untitled(method["result"].get("schema", {}), pointer, True)]
            try:
                result_validator = schema_validator(method["result"].get("schema", {}), document)
            except jsonschema.SchemaError as error:
                problems.append(f"{name} ({pointer}): invalid JSON Schema: {error.message}")
        for number, error in enumerate(method.get("errors", [])):
            if error.get("code") not in ALLOWED_CODES:
                problems.append(f"{name} ({base}/errors/{number}): code {error.get('code')} is not in PROTOCOL.md's table")
        for number, example in enumerate(method.get("examples", [])):
            pointer = f"{base}/examples/{number}"
            given = {item["name"]: item.get("value") for item in example.get("params", [])}
            for param_name, value in given.items():
                if param_name not in params:
                    problems.append(f"{name} ({pointer}): example names unknown param {param_name}")
                    continue
                for issue in params[param_name][1].iter_errors(value):
                    problems.append(f"{name} ({pointer}/params/{param_name}): {issue.message}")
            for param_name, (param, _) in params.items():
                if param.get("required") and param_name not in given:
                    problems.append(f"{name} ({pointer}): example lacks required param {param_name}")
            if "result" in example and result_validator is not None:
                for issue in result_validator.iter_errors(example["result"].get("value")):
                    problems.append(f"{name} ({pointer}/result): {issue.message}")

    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"{path}: valid OpenRPC {document.get('openrpc')}, {len(document.get('methods', []))} methods, every example checked")


def check_instances(path, instances_path):
    """Validates values a live server returned: [{"method", "kind": "result"|"errorData", "value"}]."""
    with open(path, encoding="utf-8") as file:
        document = json.load(file)
    with open(instances_path, encoding="utf-8") as file:
        instances = json.load(file)
    resolved = deref(document, document)
    methods = {method["name"]: method for method in resolved.get("methods", [])}
    error_data = document["components"]["schemas"]["ErrorData"]
    problems = []
    for number, instance in enumerate(instances):
        method = methods.get(instance["method"])
        if method is None:
            problems.append(f"instance {number}: {instance['method']} is not in the document")
            continue
        schema = method["result"]["schema"] if instance["kind"] == "result" else error_data
        for issue in schema_validator(schema, document).iter_errors(instance["value"]):
            problems.append(f"{instance['method']} {instance['kind']} (instance {number}): {issue.message}")
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"{len(instances)} instances valid")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--instances":
        check_instances(sys.argv[3] if len(sys.argv) > 3 else "schemas/alt-erasure.openrpc.json", sys.argv[2])
    else:
        main(sys.argv[1] if len(sys.argv) > 1 else "schemas/alt-erasure.openrpc.json")
