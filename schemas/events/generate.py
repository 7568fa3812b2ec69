#!/usr/bin/env python3
"""Writes the event JSON Schemas (draft 2020-12) in this folder from one description.

The per-type schemas and the envelope schema share every definition, so they are generated rather
than kept in sync by hand. Run `python3 schemas/events/generate.py` after editing; `--check` exits 1
when a file differs from what would be generated (the Swift test suite runs it).

The rules mirror the Swift decoder (Sources/Events): both must accept and reject the same documents.
Patterns end in `(?![\\s\\S])` rather than `$` because Python's `$` also matches before a final
newline; the lookahead means "end of string" in both ECMA-262 and Python.
"""
import json
import pathlib
import sys

END = r"(?![\s\S])"
# PostgreSQL text cannot hold U+0000, so no string of an event may contain it.
NO_NUL = r"^[^\u0000]*" + END
BASE = "urn:school-pipeline:schemas:events:"

DEFS = {
    "decimal": {
        "description": "Decimal string: no sign, no exponent, no leading zeros, at most 20 integer and 18 fraction digits.",
        "type": "string",
        "pattern": r"^(?:0|[1-9][0-9]{0,19})(?:\.[0-9]{1,18})?" + END,
    },
    "positive_decimal": {
        "description": "A decimal string greater than zero.",
        "type": "string",
        "pattern": r"^(?!0(?:\.0+)?" + END + r")(?:0|[1-9][0-9]{0,19})(?:\.[0-9]{1,18})?" + END,
    },
    "currency": {
        "description": "ISO 4217 currency code.",
        "type": "string",
        "pattern": r"^[A-Z]{3}" + END,
    },
    "timestamp": {
        "description": "RFC 3339 date-time with a UTC offset and at most 6 fraction digits; no leap second.",
        "type": "string",
        "format": "date-time",
        "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?(?:[Zz]|[+-][0-9]{2}:[0-9]{2})" + END,
    },
    "date": {
        "description": "A calendar date YYYY-MM-DD.",
        "type": "string",
        "format": "date",
        "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}" + END,
    },
    "count": {
        "description": "A whole number from 0 to 2^53 - 1.",
        "type": "integer",
        "minimum": 0,
        "maximum": 9007199254740991,
    },
    "optional_string": {"type": ["string", "null"], "pattern": NO_NUL},
    "utm": {
        "type": "object",
        "additionalProperties": False,
        "properties": {name: {"$ref": "#/$defs/optional_string"} for name in ["source", "medium", "campaign", "content", "term"]},
    },
}

S = {"type": "string", "pattern": NO_NUL}
OPT = {"$ref": "#/$defs/optional_string"}


def ref(name):
    return {"$ref": "#/$defs/" + name}


def enum(*values):
    return {"type": "string", "enum": list(values)}


# Type → (fields in order, required fields). Order matches the Swift decoder and SPEC §2.
# Version 1: the event shapes of the first release, kept so documents written against them stay described.
DATA_V1 = {
    "click": {
        "visitor_id": S, "url": S, "utm": ref("utm"),
        "click_ids": {"type": ["object", "null"], "additionalProperties": S},
    },
    "registration": {
        "user_id": S, "visitor_id": OPT, "funnel": OPT, "utm": ref("utm"), "email_sha256": OPT,
    },
    "order": {
        "order_id": S, "user_id": S,
        "status": enum("new", "in_work", "paid", "part_paid", "cancelled"),
        "amount": ref("decimal"), "currency": ref("currency"),
        "product": OPT, "manager_id": OPT, "created_at": ref("timestamp"),
    },
    "payment": {
        "payment_id": S, "order_id": S, "user_id": S,
        "amount": ref("positive_decimal"), "currency": ref("currency"),
        "status": enum("accepted", "refunded"),
    },
    "mail": {
        "letter_id": S,
        "channel": {"type": "string", "minLength": 1, "pattern": NO_NUL, "description": "Known: email, telegram, vk, sms, whatsapp, viber; others allowed."},
        "user_id": S,
        "event": enum("sent", "delivered", "opened", "clicked", "unsubscribed", "bounced", "spam"),
    },
    "chat": {
        "chat_id": S, "message_id": S, "user_id": S, "kind": enum("message", "join", "leave"),
    },
    "ad_stats": {
        "network": S, "account_id": S, "campaign_id": S, "ad_id": S,
        "day": ref("date"), "impressions": ref("count"), "clicks": ref("count"),
        "cost": ref("decimal"), "currency": ref("currency"),
    },
}

TAGS = {
    "type": ["array", "null"],
    "description": "The order's tags on the platform, kind:value by convention; duplicates allowed.",
    "maxItems": 50,
    "items": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": NO_NUL},
}
OPT_UTM = {"anyOf": [ref("utm"), {"type": "null"}], "description": "The deal's own UTM tags."}

# Version 2 (SPEC §2, business dimensions): orders carry offer, manager name, tags and the deal's
# UTM; ad statistics carry campaign, ad group and ad names. Both only add optional fields.
DATA_V2 = dict(DATA_V1)
DATA_V2["order"] = {
    "order_id": S, "user_id": S,
    "status": enum("new", "in_work", "paid", "part_paid", "cancelled"),
    "amount": ref("decimal"), "currency": ref("currency"),
    "product": OPT, "offer": OPT, "manager_id": OPT, "manager_name": OPT, "tags": TAGS, "utm": OPT_UTM,
    "created_at": ref("timestamp"),
}
DATA_V2["ad_stats"] = dict(DATA_V1["ad_stats"], campaign_name=OPT, ad_group_id=OPT, ad_group_name=OPT, ad_name=OPT)
# Version 3 of the envelope (SPEC §2, engagement): two new types, `identity` (on
# school.registrations) and `learning` (on school.learning). The rule that an alias differs from its
# user_id is the decoder's alone: JSON Schema cannot compare two members.
DATA = dict(DATA_V2)
DATA["identity"] = {
    "user_id": S,
    "alias": {"type": "string", "minLength": 1, "pattern": NO_NUL, "description": "Another id of the same person, e.g. tg:123456789; differs from user_id."},
}
DATA["learning"] = {
    "user_id": S, "course_id": S, "lesson_id": OPT,
    "kind": enum("lesson_opened", "lesson_completed", "homework_submitted", "homework_accepted", "webinar_attended"),
}
# The version each type's newest schema has: 1 for a type's first shape, 2 where version 2 changed it.
VERSIONS = {name: (2 if name in DATA_V1 and DATA[name] != DATA_V1[name] else 1) for name in DATA}
ENVELOPE_VERSION = 3
OPTIONAL = (OPT, TAGS, OPT_UTM)


def data_schema(type_name, data=None):
    fields = (data or DATA)[type_name]
    required = [name for name, schema in fields.items() if not any(schema is o for o in OPTIONAL) and name != "click_ids"]
    return {
        "type": "object",
        "additionalProperties": False,
        "required": required,
        "properties": fields,
    }


def envelope(type_property, data_property):
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "type", "project", "source", "occurred_at", "data"],
        "properties": {
            "id": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": NO_NUL, "description": "Idempotency key: identifies the fact, not the delivery."},
            "type": type_property,
            "project": S,
            "source": S,
            "occurred_at": ref("timestamp"),
            "data": data_property,
        },
    }


def type_schema(type_name, version, data):
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": BASE + type_name + f".v{version}",
        "title": f"Event envelope of type {type_name}, version {version}",
    }
    schema.update(envelope({"const": type_name}, ref(type_name)))
    schema["$defs"] = used_defs(schema, {type_name: data_schema(type_name, data)})
    return schema


def used_defs(schema, extra):
    """The shared definitions `schema` and `extra` reach, so each file carries only what it uses."""
    available = dict(DEFS, **extra)
    used, pending = {}, [schema, extra]
    while pending:
        text = json.dumps(pending.pop())
        for name, definition in available.items():
            if name not in used and '"#/$defs/' + name + '"' in text:
                used[name] = definition
                pending.append(definition)
    return {name: available[name] for name in available if name in used}


def envelope_schema(version, data):
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": BASE + f"envelope.v{version}",
        "title": f"Event envelope of any type, version {version}",
    }
    schema.update(envelope({"enum": list(data)}, {"type": "object"}))
    schema["allOf"] = [
        {
            "if": {"properties": {"type": {"const": name}}, "required": ["type"]},
            "then": {"properties": {"data": ref(name)}},
        }
        for name in data
    ]
    schema["$defs"] = dict(DEFS, **{name: data_schema(name, data) for name in data})
    return schema


def main():
    folder = pathlib.Path(__file__).resolve().parent
    files = {
        "envelope.v1.json": envelope_schema(1, DATA_V1),
        "envelope.v2.json": envelope_schema(2, DATA_V2),
        f"envelope.v{ENVELOPE_VERSION}.json": envelope_schema(ENVELOPE_VERSION, DATA),
    }
    files.update({name + ".v1.json": type_schema(name, 1, DATA_V1) for name in DATA_V1})
    files.update({name + f".v{VERSIONS[name]}.json": type_schema(name, VERSIONS[name], DATA) for name in DATA})
    check = "--check" in sys.argv[1:]
    stale = []
    for file_name, schema in files.items():
        text = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
        path = folder / file_name
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(file_name)
        else:
            path.write_text(text, encoding="utf-8")
    if stale:
        print("stale schemas (run python3 schemas/events/generate.py): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
