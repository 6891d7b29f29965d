"""Posts that failed because the bot is not in the channel (a private Slack channel it
was never invited to): the process owner hears once, by DM, what to do."""

from __future__ import annotations

from sqlmodel import col, select

from bot.jobs.registry import JobEnv, job
from bot.messages import Notice
from bot.notices import dm
from bot.outbox.enqueue import enqueue_many
from storage import unreachable
from storage.engine import transaction
from storage.models import Project
from storage.projects import process_owners

JOB = "unreachable"


@job(JOB)
def tell_process_owners(env: JobEnv) -> int:
    with transaction(env.engine) as db:
        found = unreachable.channels(db)
        if not found:
            return 0
        ids = {pid for _, _, pid in found if pid is not None}
        owners = process_owners(db, ids)
        projects = {
            p.id: p for p in db.exec(select(Project).where(col(Project.id).in_(sorted(ids))))
        }
        notices: list[tuple[Notice, int | None]] = []
        for platform, channel, pid in found:
            project = projects.get(pid) if pid is not None else None
            if project is None:
                continue
            key = f"unreachable:{platform}:{channel}"  # once per channel, ever
            owner = owners.get(project.id)
            if owner is not None:
                notice = dm(
                    owner, "notice_unreachable", project.locale, key,
                    project=project.key, project_name=project.name, channel=channel,
                )
                notices.append((notice, project.id))
        return enqueue_many(db, notices, env.clock.now(), env.settings.timezone)
