"""Every message other than a command's direct reply goes through the outbox.

enqueue: notices -> rendered rows, in the caller's transaction (quiet hours applied).
loop: claims due rows and hands them to the platform senders, with pacing and retries.
"""
