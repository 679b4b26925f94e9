"""Static files storage for production: whitenoise's compressed, hashed (manifest) storage."""

from typing import Any

from whitenoise.storage import CompressedManifestStaticFilesStorage


def _without_source_maps(patterns: Any) -> tuple[Any, ...]:
    return tuple(
        (glob, tuple(p for p in rules if "sourceMappingURL" not in (p if isinstance(p, str) else p[0])))
        for glob, rules in patterns
    )


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Hashed names for every file, but ``sourceMappingURL`` comments left alone.

    Vendored bundles (Chart.js, Swagger UI) ship minified without their ``.map`` files; Django's manifest
    storage would refuse the whole ``collectstatic`` over a comment that only browser dev tools read.
    """

    patterns = _without_source_maps(CompressedManifestStaticFilesStorage.patterns)
