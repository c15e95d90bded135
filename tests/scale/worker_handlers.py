"""What ``altlas worker --handlers tests.scale.worker_handlers`` loads: the effect handlers."""

from tests.scale.effects import HANDLERS

from altlas.run.handlers.registry import register_handler

for _handler in HANDLERS:
    register_handler(_handler)
