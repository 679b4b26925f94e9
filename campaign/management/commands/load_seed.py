from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from campaign.seeding import SeedError, seed_load

# The league tree, the sample hospitals and accounts, and the 2021 campaign: what `make run` loads.
DEFAULT_SEEDS = ("seeds/alxa-league.yaml", "seeds/alxa-demo.yaml", "seeds/alxa-2021.yaml")
# A second sample league (包头市) with its own 2021 campaign and demo accounts, and the region reviewer:
# several leagues and the region on one deployment (issue 16). Loaded after the Alxa files (its league
# hangs under their region) when no file is named.
SECOND_LEAGUE_SEEDS = ("seeds/baotou-demo.yaml", "seeds/baotou-2021.yaml")
DEMO_SEEDS = DEFAULT_SEEDS + SECOND_LEAGUE_SEEDS


class Command(BaseCommand):
    help = "从 seeds/ 下的YAML文件加载机构、人员、账号和活动(可重复执行)。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "paths",
            nargs="*",
            help="seed files; default: the Alxa league, demo and 2021 campaign, then 包头市's",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        paths = [Path(p) for p in options["paths"]] or [settings.BASE_DIR / p for p in DEMO_SEEDS]
        try:
            result = seed_load(paths=paths)
        except (SeedError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        if not result.changed:
            self.stdout.write("无变化(数据已是最新)。")
        for label, n in sorted(result.created.items()):
            self.stdout.write(f"新增 {label}: {n}")
        for label, n in sorted(result.updated.items()):
            self.stdout.write(f"更新 {label}: {n}")
