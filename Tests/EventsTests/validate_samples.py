#!/usr/bin/env python3
"""Validates event sample files against the JSON Schemas in schemas/events, for EventsTests.

Usage: validate_samples.py SCHEMA_DIR SAMPLE_FILE...
Prints one JSON object: {sample path: {"envelope": bool, "<type>": bool, ...}} with the verdict of
the newest envelope schema and of every type's newest schema. Parsing is as strict as the Swift decoder's: duplicate
member names and NaN/Infinity make a document invalid (Python's json module accepts both by default).
"""
import json
import pathlib
import sys

from jsonschema import Draft202012Validator

TYPES = ["click", "registration", "order", "payment", "mail", "chat", "ad_stats", "identity", "learning"]


class Rejected(ValueError):
    pass


def reject_duplicates(pairs):
    result = {}
    for key, value in pairs:
        if key in result:
            raise Rejected("duplicate member " + key)
        result[key] = value
    return result


def reject_constant(name):
    raise Rejected("not JSON: " + name)


def main():
    schema_dir = pathlib.Path(sys.argv[1])
    validators = {}
    for name in ["envelope"] + TYPES:
        newest = max(schema_dir.glob(name + ".v*.json"), key=lambda path: int(path.name[len(name) + 2:-5]))
        schema = json.loads(newest.read_text(encoding="utf-8"))
        Draft202012Validator.check_schema(schema)
        validators[name] = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    results = {}
    for path in sys.argv[2:]:
        raw = pathlib.Path(path).read_bytes()
        try:
            document = json.loads(raw.decode("utf-8"), object_pairs_hook=reject_duplicates, parse_constant=reject_constant)
        except (ValueError, RecursionError):
            results[path] = {name: False for name in validators}
            continue
        results[path] = {name: validator.is_valid(document) for name, validator in validators.items()}
    json.dump(results, sys.stdout, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
