"""What mining and the harness detectors read from the configuration, in one typed place."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from skillwarden.core.mining.dedup import DEFAULT_THRESHOLD
from skillwarden.core.workspace.config import Config
from skillwarden.core.workspace.settings import HarnessTargets
from skillwarden.skills.describer import DEFAULT_TIMEOUT

DESCRIBER_CACHE = "describer-cache.json"


@dataclass(frozen=True)
class ExtractionSettings:
    min_support: int = 3
    dedup_threshold: float = DEFAULT_THRESHOLD
    describer: str | None = None
    describer_timeout: float = DEFAULT_TIMEOUT
    describer_cache: Path | None = None  # the describer's answers, so re-mining does not ask again
    harness: HarnessTargets = field(default_factory=HarnessTargets)


def extraction_settings(config: Config) -> ExtractionSettings:
    """Settings from the configuration, which `core.workspace.config.load_config` validated."""
    return ExtractionSettings(
        min_support=config.min_support,
        dedup_threshold=config.dedup_threshold,
        describer=config.describer,
        describer_timeout=config.describer_timeout,
        describer_cache=config.home / DESCRIBER_CACHE,
        harness=config.harness,
    )
