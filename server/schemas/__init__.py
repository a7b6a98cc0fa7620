"""Marshmallow schemas, one module per resource."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, pre_load, validate


class StrictSchema(Schema):
    """Base for request bodies: strings are stripped; unknown fields are refused (the default)."""

    @pre_load
    def _strip_strings(self, data: Any, **_: Any) -> Any:
        if isinstance(data, dict):
            return {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}
        return data


class PageArgsSchema(Schema):
    """Pagination arguments in the query string."""

    page = fields.Integer(load_default=1, validate=validate.Range(1, 100_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(1, 200))


def page(items: list[Any], total: int, args: dict[str, Any]) -> dict[str, Any]:
    """A `page_envelope` answer: `items` of `total`, as the list arguments asked."""
    return {"items": items, "total": total, "page": args["page"], "per_page": args["per_page"]}


def page_envelope(item_schema: type[Schema], name: str) -> type[Schema]:
    """A `{items, total, page, per_page}` schema around `item_schema`."""
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item_schema)),
            "total": fields.Integer(),
            "page": fields.Integer(),
            "per_page": fields.Integer(),
        },
        name=name,
    )
