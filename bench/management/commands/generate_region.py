import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bench.generator import RegionGenerator, RegionSize


class Command(BaseCommand):
    help = "生成全区规模的模拟数据(约300家医院、10万条宣讲记录)，用于导出性能测试；同一 --seed 结果相同。"

    def add_arguments(self, parser: CommandParser) -> None:
        default = RegionSize()
        parser.add_argument("--seed", type=int, default=2021)
        parser.add_argument("--hospitals", type=int, default=default.hospitals)
        parser.add_argument("--leagues", type=int, default=default.leagues)
        parser.add_argument("--banners", type=int, default=default.banners)
        parser.add_argument("--lectures", type=int, default=default.lectures)

    def handle(self, *args: Any, **options: Any) -> None:
        size = RegionSize(
            hospitals=options["hospitals"],
            leagues=options["leagues"],
            banners=options["banners"],
            lectures=options["lectures"],
        )
        started = time.perf_counter()
        try:
            counts = RegionGenerator(seed=options["seed"], size=size, say=self.stdout.write).run()
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        for label, n in counts.items():
            self.stdout.write(f"{label}: {n}")
        self.stdout.write(f"用时 {time.perf_counter() - started:.1f} 秒")
