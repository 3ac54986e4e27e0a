"""Running the workbench as a service an office's IT person sets up once.

- ``runlock``: one ``workbench run`` per quarter and store at a time (an OS-level lock).
- ``coverage``: probes per day of each website's latest monitoring week.
- ``status``: ``workbench status`` (the last runs and the probe coverage).
- ``oplog``: the rotating log file; ``notify``: e-mail or a command after a run.
- ``job``: ``workbench run`` as a scheduled job (lock, log, failure record, notice).
- ``backup``: ``workbench backup`` (SQLite online backup, ``pg_dump`` for PostgreSQL).
- ``schedule``: ``workbench schedule`` (systemd units and timers, or cron lines).
"""
