import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from reporting.demo.loader import DEMO_NOW, DemoError, DemoLoader


class Command(BaseCommand):
    help = (
        "加载演示数据：示例医院的2021年活动截至2021-12-03的情况(宣讲、行动、指标、月度报告、通报)，"
        "全部经由业务服务写入。已加载时不重复加载。"
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        try:
            counts = DemoLoader().run()
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        if not counts:
            self.stdout.write("示例数据已加载，未重复加载。")
            return
        summary = "，".join(f"{label} {n}" for label, n in counts.items())
        seconds = time.perf_counter() - started
        self.stdout.write(f"已加载示例数据(截至{DEMO_NOW:%Y-%m-%d %H:%M})：{summary}；用时{seconds:.1f}秒。")
