"""The files under ``deploy/`` stay true to the program: each systemd unit, rendered as systemd
would (instance name, environment file), runs a ``giamngheo`` command whose options exist and
parse; the example environment names only settings the program reads; nginx publishes exactly
the webhook paths and ``/healthz``, never ``/metrics``."""

from __future__ import annotations

import configparser
import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.handlers.http import HEALTH_PATH
from bot.handlers.sms.webhook import INBOUND_PATH
from bot.handlers.telegram.webhook import WEBHOOK_PATH as TELEGRAM_PATH
from bot.handlers.zalo.webhook import WEBHOOK_PATH as ZALO_PATH
from bot.metrics import METRICS_PATH
from bot.settings import Settings

DEPLOY = Path(__file__).parents[2] / "deploy"
ENV_FILE = DEPLOY / "giamngheo.env.example"
UNIT_ONLY = {"GIAMNGHEO_PUBLIC_URL"}
"""Variables the units read (``${…}`` in ExecStart), not the program."""
UNITS = {
    "giamngheo-webhook@.service": "8081",
    "giamngheo-scheduler.service": None,
    "giamngheo-backup.service": None,
}


def environment() -> dict[str, str]:
    """The example environment file's values, commented-out ones included."""
    found = {}
    for line in ENV_FILE.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^#?\s*(GIAMNGHEO_[A-Z0-9_]+)=(.*)$", line)
        if match:
            found[match[1]] = match[2]
    return found


def render(name: str, instance: str | None) -> configparser.ConfigParser:
    text = (DEPLOY / name).read_text(encoding="utf-8")
    if instance is not None:
        text = text.replace("%i", instance)
    for key, value in environment().items():
        text = text.replace("${" + key + "}", value)
    unit = configparser.ConfigParser(interpolation=None, strict=True)
    unit.optionxform = str  # type: ignore[assignment, method-assign]
    unit.read_string(text)
    return unit


def accepted(argv: list[str]) -> bool:
    """Whether the CLI knows the command and every option of ``argv`` (typer's test runner;
    ``--help`` at the end stops it before running, after an unknown name is refused)."""
    return CliRunner().invoke(app, [*argv, "--help"]).exit_code == 0


@pytest.mark.parametrize(("name", "instance"), UNITS.items())
def test_each_unit_runs_a_giamngheo_command_the_cli_accepts(
    name: str, instance: str | None
) -> None:
    unit = render(name, instance)
    program, *argv = shlex.split(unit["Service"]["ExecStart"])
    assert program == "/opt/giamngheo/venv/bin/giamngheo"
    assert "${" not in " ".join(argv)
    assert accepted(argv), argv
    assert unit["Service"]["EnvironmentFile"] == "/etc/giamngheo/giamngheo.env"
    assert unit["Service"]["User"] == "giamngheo"


def test_the_webhook_template_gives_each_instance_its_port_and_a_public_address() -> None:
    unit = render("giamngheo-webhook@.service", "8082")
    assert "GIAMNGHEO_HTTP_PORT=8082" in unit["Service"]["Environment"].split()
    argv = shlex.split(unit["Service"]["ExecStart"])[1:]
    assert argv[:2] == ["run", "--webhook"]
    assert argv[2].startswith("https://")


def test_a_unit_with_a_command_or_option_the_cli_lacks_would_be_caught() -> None:
    assert not accepted(["scheduler", "--tick-every", "300", "--no-such-option"])
    assert not accepted(["schedule"])


def test_the_example_environment_names_only_settings_the_program_reads() -> None:
    known = {f"GIAMNGHEO_{name.upper()}" for name in Settings.model_fields}
    named = set(environment())
    assert named - UNIT_ONLY <= known, named - UNIT_ONLY - known
    assert {"GIAMNGHEO_DATABASE_URL", "GIAMNGHEO_PLAN_REMINDERS"} <= named


def test_nginx_publishes_the_webhooks_and_healthz_and_keeps_metrics_internal() -> None:
    text = (DEPLOY / "nginx-giamngheo.conf").read_text(encoding="utf-8")
    published = re.findall(r"location ~ \^/\((.*)\)\$", text)
    assert len(published) == 1
    paths = {"/" + path for path in published[0].split("|")}
    assert paths == {TELEGRAM_PATH, INBOUND_PATH, ZALO_PATH, HEALTH_PATH}
    assert METRICS_PATH not in paths
    upstreams = re.findall(r"server 127\.0\.0\.1:(\d+);", text)
    assert upstreams == ["8081", "8082"]
