"""A running run beats while it works; one silent for GRADING_DEAD_SECONDS lost its process and is
stopped, once, with its reason in the audit trail: by the worker's check, the run pages' poll or the
next start. Times are passed in (`now=`), so no test waits for a clock."""

import datetime as dt
import re
import threading
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from chuangyou.audit.models import AuditEvent
from chuangyou.grading import services as grading
from chuangyou.grading.models import GradingRun, RunResult, RunState
from chuangyou.lib.ticker import Ticker
from tests.grading.test_grading_services import DUMMY

NOW = dt.datetime(2026, 12, 20, 10, 0, tzinfo=dt.UTC)


def seconds_before(seconds, now=NOW):
    return now - dt.timedelta(seconds=seconds)


@pytest.fixture
def admin(personas):
    return personas["county_admin"]


@pytest.fixture
def make_run(campaign, personas):
    def make(state=RunState.RUNNING, heartbeat=None, started=None, number=1):
        run = GradingRun.objects.create(
            campaign=campaign,
            number=number,
            state=state,
            scheme="seed2020",
            quota_scope="county",
            started_by=personas["county_admin"],
            step="计算等级" if state == RunState.RUNNING else "",
            progress_done=5,
            progress_total=267,
        )
        GradingRun.objects.filter(pk=run.pk).update(
            heartbeat=heartbeat, started_at=started or heartbeat or timezone.now()
        )
        run.refresh_from_db()
        return run

    return make


# --- When a run is dead ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "silent", "dead"),
    [
        (RunState.RUNNING, 59, False),
        (RunState.RUNNING, 61, True),
        (RunState.QUEUED, 3600, False),  # not claimed yet: it waits for a worker, it has not died
        (RunState.DONE, 3600, False),
        (RunState.FAILED, 3600, False),
    ],
)
def test_a_run_is_dead_when_running_and_silent_longer_than_the_setting(make_run, state, silent, dead):
    run = make_run(state, heartbeat=seconds_before(silent))
    assert grading.is_dead(run, NOW) is dead


def test_with_no_heartbeat_yet_the_start_counts(make_run):
    run = make_run(heartbeat=None, started=seconds_before(61))
    assert run.heartbeat is None and grading.is_dead(run, NOW)
    assert not grading.is_dead(run, seconds_before(2))


def test_the_thresholds_are_settings(make_run, settings):
    run = make_run(heartbeat=seconds_before(3))
    assert not grading.is_dead(run, NOW)
    settings.GRADING_DEAD_SECONDS = 2
    assert grading.is_dead(run, NOW)


# --- Stopping it ----------------------------------------------------------------------------------


def test_the_check_leaves_a_live_run_alone(make_run):
    run = make_run(heartbeat=seconds_before(10))
    assert grading.stop_dead_runs(now=NOW) == 0
    run.refresh_from_db()
    assert run.state == RunState.RUNNING and not run.interrupted


def test_the_check_stops_a_dead_run_once_with_its_reason(make_run):
    dead = make_run(heartbeat=seconds_before(90))
    assert grading.stop_dead_runs(now=NOW) == 1
    dead.refresh_from_db()
    assert dead.state == RunState.FAILED and dead.interrupted and dead.finished_at == NOW
    assert dead.error == "后台任务进程中断，定级已停止，可重新定级"
    assert dead.progress_text() == "已停止：后台进程中断（5/267）" and dead.state_label() == "已停止"
    event = AuditEvent.objects.get(verb="grading.fail")
    assert event.target_id == str(dead.pk) and event.note == grading.INTERRUPTED
    assert event.actor is None and event.actor_name == "系统"
    assert grading.stop_dead_runs(now=NOW) == 0  # a second check, or a second worker: nothing more
    assert AuditEvent.objects.filter(verb="grading.fail").count() == 1


def test_a_run_that_beat_meanwhile_is_not_stopped(make_run):
    run = make_run(heartbeat=seconds_before(90))
    GradingRun.objects.filter(pk=run.pk).update(heartbeat=NOW)  # after it was read as dead
    assert grading.stop_if_dead(run, now=NOW).state == RunState.RUNNING
    assert not AuditEvent.objects.filter(verb="grading.fail").exists()


def test_the_results_written_before_the_death_are_removed(three, campaign, admin, settings):
    run = grading.run_start(actor=admin, campaign=campaign)  # graded inline: done
    GradingRun.objects.filter(pk=run.pk).update(
        state=RunState.RUNNING, heartbeat=timezone.now() - dt.timedelta(minutes=5)
    )
    assert RunResult.objects.filter(run=run).count() == 3
    assert grading.stop_dead_runs() == 1
    assert not RunResult.objects.filter(run=run).exists()


def test_the_next_start_stops_a_dead_run_and_goes_ahead(three, campaign, admin, settings):
    settings.TASKS, settings.GRADING_INLINE_MAX = DUMMY, 0
    stuck = grading.run_start(actor=admin, campaign=campaign)
    GradingRun.objects.filter(pk=stuck.pk).update(
        state=RunState.RUNNING, heartbeat=timezone.now() - dt.timedelta(seconds=61)
    )
    settings.GRADING_INLINE_MAX = 1000
    fresh = grading.run_start(actor=admin, campaign=campaign)
    stuck.refresh_from_db()
    assert stuck.state == RunState.FAILED and stuck.interrupted and fresh.state == RunState.DONE
    assert AuditEvent.objects.get(verb="grading.fail").actor == admin


def test_a_live_run_still_refuses_the_next_start(three, campaign, admin, settings):
    settings.TASKS, settings.GRADING_INLINE_MAX = DUMMY, 0
    running = grading.run_start(actor=admin, campaign=campaign)
    GradingRun.objects.filter(pk=running.pk).update(
        state=RunState.RUNNING, started_at=timezone.now() - dt.timedelta(hours=2), heartbeat=timezone.now()
    )
    with pytest.raises(grading.GradingError, match="第1次定级正在进行"):
        grading.run_start(actor=admin, campaign=campaign)


# --- The heartbeat while a run works ----------------------------------------------------------------


class ImmediateTicker:
    """Stands for `Ticker`: remembers the action, which the test calls when it likes."""

    made = []

    def __init__(self, action, interval, name=""):
        self.action, self.interval = action, interval
        ImmediateTicker.made.append(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass


def test_a_run_beats_during_a_long_step(three, campaign, admin, settings, monkeypatch):
    settings.TASKS, settings.GRADING_INLINE_MAX, settings.GRADING_HEARTBEAT_SECONDS = DUMMY, 0, 7
    run = grading.run_start(actor=admin, campaign=campaign)
    monkeypatch.setattr(grading, "Ticker", ImmediateTicker)
    real, seen = grading.grade_in_groups, {}

    def long_step(*args, **kwargs):
        # Ten minutes into grading, with no progress recorded since the step began: a tick beats.
        GradingRun.objects.filter(pk=run.pk).update(heartbeat=timezone.now() - dt.timedelta(minutes=10))
        assert grading.is_dead(GradingRun.objects.get(pk=run.pk), timezone.now())
        assert ImmediateTicker.made[-1].action() is True
        seen["during"] = GradingRun.objects.get(pk=run.pk)
        return real(*args, **kwargs)

    monkeypatch.setattr(grading, "grade_in_groups", long_step)
    grading.run_execute(run.pk)
    assert ImmediateTicker.made[-1].interval == 7
    assert not grading.is_dead(seen["during"], timezone.now())
    run.refresh_from_db()
    assert run.state == RunState.DONE
    assert ImmediateTicker.made[-1].action() is False  # the run has ended: the ticker stops


def test_a_worker_told_to_stop_at_once_stops_its_run_as_interrupted(
    three, campaign, admin, settings, monkeypatch
):
    settings.TASKS, settings.GRADING_INLINE_MAX = DUMMY, 0
    run = grading.run_start(actor=admin, campaign=campaign)

    def stopped(*args, **kwargs):
        raise SystemExit(1)  # what db_worker's second Ctrl+C raises inside the task

    monkeypatch.setattr(grading, "grade_in_groups", stopped)
    with pytest.raises(SystemExit):
        grading.run_execute(run.pk)
    run.refresh_from_db()
    assert run.state == RunState.FAILED and run.interrupted and run.error == grading.INTERRUPTED
    assert AuditEvent.objects.filter(verb="grading.fail", note=grading.INTERRUPTED).count() == 1


def test_the_ticker_repeats_until_the_block_ends_or_it_says_stop():
    calls = []
    with Ticker(lambda: calls.append(time.monotonic()), 0.01):
        time.sleep(0.2)
    done = len(calls)
    assert done >= 3
    time.sleep(0.05)
    assert len(calls) == done  # stopped with the block

    three = threading.Event()

    def until_three():
        calls.append(1)
        if len(calls) >= done + 3:
            three.set()
            return False
        return None

    with Ticker(until_three, 0.01):
        assert three.wait(2)
        time.sleep(0.05)
    assert len(calls) == done + 3


def test_a_failing_tick_is_logged_and_the_next_one_tried(caplog):
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database is locked")

    with Ticker(flaky, 0.01, name="heartbeat"):
        time.sleep(0.15)
    assert len(calls) >= 2 and "heartbeat failed" in caplog.text


# --- What the pages show ------------------------------------------------------------------------


def progress(client, run):
    return client.get(reverse("grading:progress", args=[run.pk]), HTTP_HX_REQUEST="true").content.decode()


def test_the_card_shows_queued_and_running_with_the_last_heartbeat(client_for, make_run):
    client = client_for("county_admin")
    run = make_run(RunState.QUEUED, started=timezone.now() - dt.timedelta(seconds=30))
    body = progress(client, run)
    assert "排队中：等待开始（5/267）" in body and re.search(
        "等待后台任务进程开始计算，已等待 3[0-9] 秒", body
    )
    GradingRun.objects.filter(pk=run.pk).update(
        state=RunState.RUNNING, step="计算等级", heartbeat=timezone.now() - dt.timedelta(seconds=8)
    )
    body = progress(client, run)
    assert "进行中：计算等级（5/267）" in body and re.search("最近一次响应：[89] 秒前", body)
    assert 'hx-trigger="every 2s"' in body


def test_polling_a_dead_run_stops_it_and_offers_to_start_again(client_for, make_run, campaign):
    run = make_run(heartbeat=timezone.now() - dt.timedelta(seconds=75))
    body = progress(client_for("county_admin"), run)
    assert "已停止：后台进程中断（5/267）" in body
    assert "后台任务进程中断，定级已停止，可重新定级</span>" in body
    assert 'data-testid="restart-run"' in body and reverse("grading:start", args=[campaign.pk]) in body
    assert "hx-trigger" not in body  # the poll ends
    run.refresh_from_db()
    assert run.state == RunState.FAILED and run.interrupted
    assert AuditEvent.objects.filter(verb="grading.fail").count() == 1


def test_a_reader_sees_the_stop_without_the_button(client_for, make_run):
    run = make_run(heartbeat=timezone.now() - dt.timedelta(seconds=75))
    body = client_for("township_reviewer").get(reverse("grading:run", args=[run.pk])).content.decode()
    assert "后台任务进程中断，定级已停止，可重新定级" in body and "请县委组织部重新发起定级" in body
    assert 'data-testid="restart-run"' not in body
    assert GradingRun.objects.get(pk=run.pk).interrupted


def test_the_campaign_page_stops_a_dead_run_and_lists_it_as_stopped(client_for, make_run, campaign):
    run = make_run(heartbeat=timezone.now() - dt.timedelta(seconds=75))
    body = client_for("county_admin").get(reverse("grading:campaign", args=[campaign.pk])).content.decode()
    assert "后台任务进程中断，定级已停止，可重新定级" in body
    assert f'title="{grading.INTERRUPTED}">已停止</span>' in body
    assert GradingRun.objects.get(pk=run.pk).state == RunState.FAILED
