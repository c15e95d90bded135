"""Scale-out on NATS JetStream: workers, a submitter, the archive follower and status.

Nothing here is imported by ``import altlas``; the modules import ``nats`` (the ``nats`` extra)
only inside functions, so a missing extra is a one-line error, not an import failure.
"""
