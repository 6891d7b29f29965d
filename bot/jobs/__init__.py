"""Scheduled jobs. Each is a function of a JobEnv that queues notices in the outbox.

bot.jobs.registry holds the table (`@job`), bot.jobs.runner runs every job that
is due, bot.jobs.scheduler lets APScheduler wake the process up to do so. The
meeting, escalation and quiz work add their jobs with `@job("name")`.
"""
