"""Alembic environment for the directory: runs online against the engine that
:func:`sector_map.directory.db.alembic_config` put in the configuration."""

from __future__ import annotations

from alembic import context

from sector_map.directory.models import Base

given = context.config.attributes.get("connection")
if given is not None:  # db.init holds it (and a lock on it) for the whole upgrade
    context.configure(connection=given, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
    given.commit()
else:
    with context.config.attributes["engine"].connect() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
