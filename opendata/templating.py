"""Where templates come from, and one compiled copy of each for every app in the process."""

from __future__ import annotations

from flask import Flask
from jinja2 import BytecodeCache, ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from jinja2.bccache import Bucket


class _MemoryBytecodeCache(BytecodeCache):
    """Compiled templates kept in memory by source checksum: an app built again in the same
    process (each test builds one) loads them instead of compiling every template anew."""

    def __init__(self) -> None:
        self._compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        compiled = self._compiled.get(bucket.key)
        if compiled is not None:
            bucket.bytecode_from_string(compiled)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._compiled[bucket.key] = bucket.bytecode_to_string()


COMPILED = _MemoryBytecodeCache()


def init_app(app: Flask) -> None:
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(app.root_path + "/templates"),
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]
    )
    app.jinja_env.bytecode_cache = COMPILED
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
