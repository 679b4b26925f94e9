from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from hospitals.accounts import account_create
from hospitals.models import Hospital, OrgUnit, Role


class Command(BaseCommand):
    help = "新建账号并打印一次性初始密码(仅显示这一次)；该用户首次登录后须先修改密码。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="用户名")
        parser.add_argument(
            "--role",
            required=True,
            help="角色：" + "、".join(f"{value}({label})" for value, label in Role.choices),
        )
        parser.add_argument("--hospital", help="医院填报员所属医院的机构编码，如 H004")
        parser.add_argument("--org-unit", help="审核员所属旗(区)或盟的编码，如 152921")
        parser.add_argument("--name", default="", help="姓名(显示在页面上)")
        parser.add_argument("--email", default="", help="电子邮箱(用于找回密码)")

    def handle(self, *args: Any, **options: Any) -> None:
        hospital = self._by_code(Hospital, options["hospital"], "医院")
        org_unit = self._by_code(OrgUnit, options["org_unit"], "单位")
        try:
            user, password = account_create(
                username=options["username"],
                role=options["role"],
                hospital=hospital,
                org_unit=org_unit,
                first_name=options["name"],
                email=options["email"],
            )
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        self.stdout.write(f"已新建账号 {user.username}（{user.get_role_display()} · {user.scope_name}）。")
        self.stdout.write(f"一次性初始密码：{password}")
        self.stdout.write("此密码只显示这一次。该用户首次登录后须先修改密码，才能使用网页和接口。")

    @staticmethod
    def _by_code(model: type[Hospital] | type[OrgUnit], code: str | None, label: str) -> Any:
        if not code:
            return None
        found = model._default_manager.filter(code=code).first()
        if found is None:
            raise CommandError(f"找不到编码为 {code} 的{label}。")
        return found
