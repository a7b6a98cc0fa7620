"""The API description as a product: every operation named and tagged, both ways of signing
in declared, multipart uploads described as request bodies, so generated clients accept it."""

from __future__ import annotations

from typing import Any

from apispec import APISpec, BasePlugin

SECURITY_SCHEMES = {
    "bearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "description": "A personal API token (Settings → API tokens).",
    },
    "cookieAuth": {
        "type": "apiKey",
        "in": "cookie",
        "name": "rapport_session",
        "description": "The browser session (`__Host-session` over HTTPS); unsafe requests also "
        "send X-CSRFToken.",
    },
}
SIGNED_IN: list[dict[str, list[str]]] = [{"bearerAuth": []}, {"cookieAuth": []}]
# Operations anyone may call (no account yet, or signing in).
PUBLIC_ENDPOINTS = frozenset(
    {"auth.register", "auth.login", "auth.csrf_token", "password_reset.reset_password"}
)
FILE_FIELD = {"file": {"type": "string", "format": "binary", "description": "The file to upload."}}
MULTIPART_FILE_MEDIA: dict[str, Any] = {
    "multipart/form-data": {"schema": {"type": "object", "properties": FILE_FIELD, "required": ["file"]}}
}
MULTIPART_FILE: dict[str, Any] = {"required": True, "content": MULTIPART_FILE_MEDIA}
JSON_OR_MULTIPART_FILE: dict[str, Any] = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {"type": "object", "description": "A document from GET /api/export.json."}
        },
        **MULTIPART_FILE_MEDIA,
    },
}


class ApiDocumentPlugin(BasePlugin):
    """Fill in what flask-smorest leaves out of each operation, once, as paths are added."""

    def init_spec(self, spec: APISpec) -> None:
        """Declare the security schemes and the default: signed in either way."""
        self.spec = spec
        for name, scheme in SECURITY_SCHEMES.items():
            spec.components.security_scheme(name, scheme)
        spec.options.setdefault("security", SIGNED_IN)

    def operation_helper(
        self, path: str | None = None, operations: dict | None = None, **kwargs: Any
    ) -> None:
        """operationId from the view's endpoint, public operations marked, form fields moved into
        the multipart request body (OpenAPI 3 has no `in: formData`)."""
        rule = kwargs.get("rule")
        if rule is None or not operations:
            return
        methods = [m for m in operations if m != "parameters"]
        for method in methods:
            operation = operations[method]
            base = rule.endpoint.replace(".", "_")
            operation.setdefault("operationId", base if len(methods) == 1 else f"{base}_{method}")
            if rule.endpoint in PUBLIC_ENDPOINTS:
                operation["security"] = []
            self._form_fields_into_body(operation)

    def _form_fields_into_body(self, operation: dict[str, Any]) -> None:
        form = [p for p in operation.get("parameters", []) if p.get("in") == "formData"]
        if not form:
            return
        operation["parameters"] = [p for p in operation["parameters"] if p.get("in") != "formData"]
        body = operation.setdefault("requestBody", {"required": True, "content": {}})
        media = body["content"].setdefault("multipart/form-data", {"schema": {"type": "object"}})
        schema = self._inline(media.get("schema") or {"type": "object"})
        properties = schema.setdefault("properties", {})
        required = list(schema.get("required", []))
        for param in form:
            properties[param["name"]] = param.get("schema", {"type": "string"})
            if param.get("required"):
                required.append(param["name"])
        if required:
            schema["required"] = required
        media["schema"] = schema

    def _inline(self, schema: dict[str, Any]) -> dict[str, Any]:
        """A copy of a component schema's properties, so form fields can join them."""
        ref = schema.get("$ref", "")
        if not ref:
            return dict(schema)
        component = self.spec.components.schemas.get(ref.rsplit("/", 1)[-1], {})
        return {
            "type": "object",
            "properties": dict(component.get("properties", {})),
            **({"required": list(component["required"])} if component.get("required") else {}),
        }
