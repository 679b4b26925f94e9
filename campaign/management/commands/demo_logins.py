from typing import Any

import yaml
from django.conf import settings
from django.core.management.base import BaseCommand

from hospitals.models import User


class Command(BaseCommand):
    help = "打印演示账号(来自 seeds/alxa-demo.yaml 和 seeds/baotou-demo.yaml)。"

    def handle(self, *args: Any, **options: Any) -> None:
        rows = []
        for name in ("seeds/alxa-demo.yaml", "seeds/baotou-demo.yaml"):
            data = yaml.safe_load((settings.BASE_DIR / name).read_text(encoding="utf-8"))
            rows += data.get("users", [])
        self.stdout.write("演示账号 (http://127.0.0.1:8000/):")
        for row in rows:
            user = User.objects.filter(username=row["username"]).first()
            label = user.get_role_display() if user else row["role"]
            self.stdout.write(f"  {label:<10} 用户名 {row['username']:<8} 密码 {row['password']}")
        # The other sample hospitals' reporters, there once the demo is loaded (manage.py load_demo).
        clerks = yaml.safe_load(
            (settings.BASE_DIR / "seeds/alxa-demo-clerks.yaml").read_text(encoding="utf-8")
        )
        names = [row["username"] for row in clerks.get("users", [])]
        loaded = list(
            User.objects.filter(username__in=names).order_by("username").values_list("username", flat=True)
        )
        if loaded:
            self.stdout.write(f"  其他医院填报员 用户名 {' '.join(loaded)}（密码同上）")
