"""aiogram's models built on first use give the same schemas as aiogram's eager import, for a
fraction of the memory. Each side runs in a fresh interpreter: the import decides."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

SCHEMAS = """
import hashlib, json, sys, warnings
warnings.simplefilter("ignore")
if sys.argv[1] == "deferred":
    import bot.handlers.telegram
from aiogram.methods import TelegramMethod
from aiogram.types import TelegramObject, Update

def rss_mb():
    status = open("/proc/self/status").read()
    return int(status.split("VmRSS:")[1].split()[0]) / 1024

imported = rss_mb()
Update.model_validate({"update_id": 1, "message": {
    "message_id": 5, "date": 1700000000, "chat": {"id": 7, "type": "private"},
    "from": {"id": 7, "is_bot": False, "first_name": "Lan"}, "text": "có",
    "reply_markup": {"inline_keyboard": [[{"text": "Có", "callback_data": "co"}]]}}})
first_update = rss_mb()

def subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from subclasses(sub)

schemas = {}
for base in (TelegramObject, TelegramMethod):
    for cls in set(subclasses(base)):
        if not cls.__module__.startswith("aiogram."):
            continue
        try:
            schema = json.dumps(cls.model_json_schema(), sort_keys=True, default=str)
        except Exception as error:  # a few models hold types JSON Schema cannot show
            schema = type(error).__name__
        schemas[f"{cls.__module__}.{cls.__qualname__}"] = schema
digest = hashlib.sha256(json.dumps(schemas, sort_keys=True).encode()).hexdigest()
print(json.dumps({"models": len(schemas), "digest": digest, "imported": imported,
                  "first_update": first_update}))
"""


def models(mode: str) -> dict[str, float | str]:
    output = subprocess.run(
        [sys.executable, "-c", SCHEMAS, mode], check=True, capture_output=True, text=True
    ).stdout
    found: dict[str, float | str] = json.loads(output.strip().splitlines()[-1])
    return found


@pytest.mark.slow
def test_models_built_on_first_use_match_the_eager_build_and_use_far_less_memory() -> None:
    eager, deferred = models("eager"), models("deferred")

    assert deferred["models"] == eager["models"]
    assert int(eager["models"]) > 400
    assert deferred["digest"] == eager["digest"]
    assert float(deferred["first_update"]) < float(eager["imported"]) - 60
