"""Request bodies whose 422 reports every violated rule at once: the shape rules the model
checks and the rules that need the database (references, uniqueness), together.

A body model that derives from `Body` and is declared `Annotated[Model, ALL_RULES]` on a
route never fails validation on a JSON object: when the model rejects it, the handler
still runs, with a partial model holding only the fields whose values are well-formed
(every other field unset: its default, or None when it has none), carrying the shape
errors. The service then checks what needs the database on those fields with
`BodyErrors(body)`, which starts with the shape errors and raises them all, in the
model's field order, before anything is written (and `guarded`, which the route class
applies, answers 422 should a service forget to)."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import BaseModel, PrivateAttr, TypeAdapter, ValidationError
from pydantic_core import core_schema

from advisercrm.kit.errors import Errors, ValidationFailed
from advisercrm.kit.fields import to_laravel


class Body(BaseModel):
    """A request body model. `_invalid` holds the shape errors of a partial body."""

    _invalid: dict[str, list[str]] | None = PrivateAttr(default=None)


def _root(key: str) -> str:
    return key.split(".", 1)[0]


@functools.cache
def _adapter(model: type[BaseModel], name: str) -> TypeAdapter[Any]:
    field = model.model_fields[name]
    if not field.metadata:
        return TypeAdapter(Any if field.annotation is None else field.annotation)
    return TypeAdapter(Annotated[(field.annotation, *field.metadata)])  # type: ignore[arg-type]


def _partial(model: type[Body], raw: dict[str, Any], error: ValidationError) -> Body:
    errors = error.errors()
    rejected = {str(e["loc"][0]) for e in errors}
    values: dict[str, Any] = {}
    for name in model.model_fields:
        if name in raw and name not in rejected:
            try:
                values[name] = _adapter(model, name).validate_python(raw[name])
            except ValidationError:
                continue  # judged with the other fields only: leave it out
    # Fields left out take their defaults; required ones (no default) are None.
    required = {n: None for n, field in model.model_fields.items() if field.is_required()}
    partial = model.model_construct(set(values), **(required | values))
    partial._invalid = to_laravel(list(errors), strip=0)
    return partial


def _lenient(
    model: type[Body], value: Any, handler: core_schema.ValidatorFunctionWrapHandler
) -> Any:
    try:
        return handler(value)
    except ValidationError as error:
        # Anything but an object, or an object rejected as a whole, is left to the
        # ordinary 422 (or 400/415): there is no well-formed field to check further.
        if not isinstance(value, dict) or any(not e["loc"] for e in error.errors()):
            raise
        return _partial(model, value, error)


class _AllRules:
    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> core_schema.CoreSchema:
        # The wrapped schema is the model's own, so the OpenAPI document is unchanged.
        function = functools.partial(_lenient, source)
        return core_schema.no_info_wrap_validator_function(function, handler(source))


# `body: Annotated[GoalCreate, ALL_RULES]`
ALL_RULES = _AllRules()


class BodyErrors(Errors):
    """The errors of a request body: its shape errors first collected, then what the
    service adds, except on fields whose value was malformed (there is nothing more to
    check on those); raised in the model's field order."""

    def __init__(self, body: BaseModel) -> None:
        super().__init__()
        invalid = getattr(body, "_invalid", None) or {}
        self.by_field.update(invalid)
        self.rejected = {_root(key) for key in invalid}
        self.order = {name: i for i, name in enumerate(type(body).model_fields)}

    def add(self, field: str, template: str) -> None:
        if _root(field) not in self.rejected:
            super().add(field, template)

    def raise_if_any(self) -> None:
        if self.by_field:
            last = len(self.order)
            ranked = sorted(
                self.by_field.items(), key=lambda item: self.order.get(_root(item[0]), last)
            )
            raise ValidationFailed(dict(ranked))


def _takes_all_rules(endpoint: Callable[..., Any]) -> bool:
    parameters = inspect.signature(endpoint, eval_str=True).parameters.values()
    return any(ALL_RULES in getattr(p.annotation, "__metadata__", ()) for p in parameters)


def guarded(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """The endpoint, made to answer 422 if it returns normally with a partial body: a
    service that forgot `BodyErrors` then has its writes rolled back with the request's
    transaction, instead of storing a body that broke the rules."""
    if not _takes_all_rules(endpoint):
        return endpoint

    @functools.wraps(endpoint)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        response = await endpoint(*args, **kwargs)
        for value in kwargs.values():
            invalid = getattr(value, "_invalid", None) if isinstance(value, Body) else None
            if invalid:
                raise ValidationFailed(invalid)
        return response

    return wrapper
