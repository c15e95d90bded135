"""The baseline: a bare Litestar hello-world, served the same way as altlas (uvicorn, 1 worker)."""

from __future__ import annotations

from litestar import Litestar, get


@get("/hello", sync_to_thread=False)
def hello() -> dict[str, str]:
    return {"hello": "world"}


app = Litestar([hello], logging_config=None)
