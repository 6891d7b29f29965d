"""A project whose channel posts keep failing (the outbox gave up on them after an hour
of retries): its process owner hears once a day, by DM, and an operator can re-queue."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from bot.jobs.registry import JobEnv, job
from bot.messages import Notice
from bot.notices import dm
from bot.outbox.enqueue import enqueue_many
from storage import outbox_ops, projects
from storage.engine import transaction
from storage.models import Project

JOB = "delivery_failing"
WINDOW = timedelta(days=1)  # posts created this recently count


@job(JOB)
def tell_owners_of_failing_posts(env: JobEnv) -> int:
    now = env.clock.now()
    with transaction(env.engine) as db:
        failing = outbox_ops.failing_projects(db, now - WINDOW)
        if not failing:
            return 0
        owners = projects.process_owners(db, failing)
        query = select(Project).where(col(Project.id).in_(sorted(failing)))
        notices: list[tuple[Notice, int | None]] = []
        for project in db.exec(query).all():
            key = f"delivery_failing:{project.id}:{now.date().isoformat()}"  # once a day
            owner = owners.get(project.id)  # type: ignore[arg-type]
            if owner is not None:
                notice = dm(
                    owner, "notice_delivery_failing", project.locale, key,
                    count=failing[project.id], project=project.key,  # type: ignore[index]
                    project_name=project.name,
                )
                notices.append((notice, project.id))
        return enqueue_many(db, notices, now, env.settings.timezone)
