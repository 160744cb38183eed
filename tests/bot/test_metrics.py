"""The process's metrics: send results are counted as sent, 429 or failed; what a scheduler tick
plans is counted by kind."""

from __future__ import annotations

from prometheus_client import generate_latest

from bot.metrics import MeasuredSender, Metrics
from scheduler.reminders import PlanResult
from scheduler.sending import SendResult
from storage.outbox import ClaimedMessage


class Answers:
    def __init__(self, *results: SendResult) -> None:
        self.results = list(results)

    async def send(self, message: ClaimedMessage) -> SendResult:
        return self.results.pop(0)


def sample(metrics: Metrics, name: str, **labels: str) -> float:
    found = metrics.registry.get_sample_value(name, labels)
    return found if found is not None else 0.0


async def test_each_send_result_is_counted_as_sent_429_or_failed() -> None:
    metrics = Metrics()
    answers = Answers(
        SendResult.sent(),
        SendResult.wait(3),
        SendResult.temporary("timeout"),
        SendResult.blocked(),
        SendResult.rejected("bad request"),
    )
    sender = MeasuredSender(answers, metrics)
    message = ClaimedMessage(1, "k", "zalo", "0912345678", "Nguyễn Văn A")
    for _ in range(5):
        await sender.send(message)
    assert sample(metrics, "giamngheo_sends_total", channel="zalo", result="sent") == 1
    assert sample(metrics, "giamngheo_sends_total", channel="zalo", result="429") == 1
    assert sample(metrics, "giamngheo_sends_total", channel="zalo", result="failed") == 3
    text = generate_latest(metrics.registry).decode()
    assert "0912345678" not in text
    assert "Nguyễn" not in text


def test_reminders_planned_are_counted_by_kind() -> None:
    metrics = Metrics()
    metrics.planned(PlanResult(digests=2, report_reminders=5))
    metrics.planned(PlanResult(report_reminders=1, review_reminders=4))
    assert sample(metrics, "giamngheo_reminders_planned_total", kind="mentor_digest") == 2
    assert sample(metrics, "giamngheo_reminders_planned_total", kind="report") == 6
    assert sample(metrics, "giamngheo_reminders_planned_total", kind="review") == 4
    assert sample(metrics, "giamngheo_reminders_planned_total", kind="escalation") == 0


def test_two_processes_metrics_never_share_a_registry() -> None:
    first, second = Metrics(), Metrics()
    first.refusals.labels("sms").inc()
    assert sample(second, "giamngheo_webhook_refusals_total", channel="sms") == 0
