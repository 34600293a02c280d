"""API validation with Kubernetes' exact error texts (v1.32, plus petset's documented improvements).

Validation runs on *defaulted* v1 objects held as JSON dicts, after name generation, exactly where the
API server runs it; it reads nothing and writes nothing. Each rule is a port of the upstream function
its docstring names (pkg/apis/*/validation, k8s.io/apimachinery/pkg/api/validation,
k8s.io/apimachinery/pkg/util/validation), so that ``str(error)`` and the Status message built by
``petset.api.errors.invalid`` read byte for byte as a v1.32 API server's would.

The three entry points take the API group ("" for core) and kind:

    errors = validate_create("apps", "StatefulSet", obj)
    if errors:
        raise invalid("StatefulSet", "apps", obj["metadata"]["name"], errors)

Kinds without rules of their own get the ObjectMeta checks every kind gets.
"""

from petset.api.validation.kinds import validate_create, validate_status_update, validate_update

__all__ = ["validate_create", "validate_status_update", "validate_update"]
