"""HTML form values -> the API's pydantic models, with errors keyed by field for re-rendering the form."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from sync_server.tracks.schemas import GeoPoint

Model = TypeVar("Model", bound=BaseModel)
OPTIONAL_NUMBERS = ("start_finish_heading_deg", "length_m")
CONFIG_FIELDS = (
    "name",
    "start_finish_lat",
    "start_finish_lon",
    "start_finish_heading_deg",
    "gate_width_m",
    "num_sectors",
    "length_m",
)


class FormErrors(Exception):  # noqa: N818 - carries the per-field messages back to the form
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def values_of(form: FormData, names: tuple[str, ...]) -> dict[str, str]:
    return {name: str(form.get(name, "")).strip() for name in names}


def parse(model: type[Model], data: dict[str, Any]) -> Model:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "form"
            errors.setdefault(field, error["msg"].removeprefix("Value error, "))
        raise FormErrors(errors) from None


def track_data(form: FormData) -> dict[str, Any]:
    values = values_of(form, ("name", "country", "city"))
    return {"name": values["name"], "country": values["country"] or None, "city": values["city"] or None}


def configuration_data(form: FormData) -> dict[str, Any]:
    """Blank optional numbers become null; sector gates come one `lat, lon[, heading]` per line."""
    data: dict[str, Any] = values_of(form, CONFIG_FIELDS)
    for name in OPTIONAL_NUMBERS:
        data[name] = data[name] or None
    data["is_default"] = form.get("is_default") == "on"
    data["sector_gates"] = sector_gates(str(form.get("sector_gates", "")))
    return data


def sector_gates(text: str) -> list[dict[str, Any]]:
    gates = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split(",")]
        if len(parts) not in (2, 3):
            raise FormErrors({"sector_gates": f"line {number}: expected 'lat, lon' or 'lat, lon, heading'"})
        keys = ("lat", "lon", "heading_deg")[: len(parts)]
        try:
            gates.append(GeoPoint.model_validate(dict(zip(keys, parts, strict=True))).model_dump())
        except ValidationError as exc:
            field = exc.errors()[0]["loc"][0]
            raise FormErrors({"sector_gates": f"line {number}: {field}: {exc.errors()[0]['msg']}"}) from None
    return gates


def gates_text(gates: list[dict[str, Any]] | list[Any]) -> str:
    lines = []
    for gate in gates:
        point = gate if isinstance(gate, dict) else gate.model_dump()
        values = [point["lat"], point["lon"]] + ([point["heading_deg"]] if point.get("heading_deg") is not None else [])
        lines.append(", ".join(f"{v:g}" for v in values))
    return "\n".join(lines)
