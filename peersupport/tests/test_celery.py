from peersupport.celery import app


def test_the_celery_app_is_configured_for_safe_retries(settings):
    assert app.conf.task_acks_late is True
    assert app.conf.task_serializer == "json" and app.conf.accept_content == ["json"]
    assert app.conf.task_time_limit > app.conf.task_soft_time_limit > 0
    assert "accounts.tasks.clear_expired_sessions" in {e["task"] for e in app.conf.beat_schedule.values()}
