"""Configuration: a TOML file validated into frozen dataclasses.

Every section is a dataclass whose field types are the schema, so a key is declared
once. A problem is reported as one sentence naming the file, the key and what is wrong:

    config.toml: [support] staff_chat_id must be an integer, got "abc"

Secrets may come from the environment instead of the file (see ENV_OVERRIDES).
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
import typing
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from typing import Any, Literal

import platformdirs

from handlers.model import Address

APP_NAME = "commune-bot"
DEFAULT_CONFIG_NAMES = ("config.toml",)


class ConfigError(Exception):
    """A configuration problem, worded for the person who edits the file."""


@dataclass(frozen=True)
class BotSection:
    channel: Literal["auto", "console", "telegram"] = "auto"
    timezone: str = "Asia/Ho_Chi_Minh"
    data_dir: str = ""


@dataclass(frozen=True)
class StorageSection:
    path: str = ""


@dataclass(frozen=True)
class KnowledgeSection:
    include_bundled: bool = True
    folders: list[str] = field(default_factory=list)
    stale_after_days: int = 365


@dataclass(frozen=True)
class TextsSection:
    file: str = ""


@dataclass(frozen=True)
class SupportSection:
    hotline_phone: str = ""
    hotline_email: str = ""
    # The support team's chat as an address: "telegram:-1001234567890", with "/topic"
    # for a forum topic. `staff_chat_id` is the older spelling of a Telegram chat.
    staff_chat: str = ""
    staff_chat_id: int = 0

    def staff_address(self) -> Address | None:
        """The support team's chat; None when none is configured."""
        if self.staff_chat:
            return parse_address(self.staff_chat)
        return Address("telegram", str(self.staff_chat_id)) if self.staff_chat_id else None


ADDRESS = re.compile(r"^(telegram|zalo):(-?[0-9A-Za-z_]+)(?:/([0-9]+))?$")


def parse_address(text: str) -> Address:
    """`channel:chat` or `channel:chat/thread` → Address; ValueError for anything else."""
    match = ADDRESS.match(text.strip())
    if match is None:
        raise ValueError(f'"{text}" is not a chat address such as "telegram:-1001234567890"')
    return Address(match.group(1), match.group(2), match.group(3))


DEFAULT_POSITIONS = [
    "Chủ tịch UBND",
    "Phó Chủ tịch UBND",
    "Công chức Văn phòng – Thống kê",
    "Công chức Tư pháp – Hộ tịch",
    "Công chức Địa chính – Xây dựng",
    "Công chức Tài chính – Kế toán",
    "Công chức Văn hóa – Xã hội",
    "Trung tâm Phục vụ hành chính công",
    "Khác",
]


@dataclass(frozen=True)
class OnboardingSection:
    units: list[str] = field(default_factory=list)
    units_file: str = ""
    positions: list[str] = field(default_factory=lambda: list(DEFAULT_POSITIONS))
    require_approval: bool = False


@dataclass(frozen=True)
class TelegramSection:
    token: str = ""
    base_url: str = ""
    webhook_url: str = ""
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_secret: str = ""


@dataclass(frozen=True)
class ZnsSection:
    # Reminder kind → the id of the ZNS template Zalo approved for it.
    templates: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ZaloSection:
    app_id: str = ""
    app_secret: str = ""
    oa_secret: str = ""
    webhook_path: str = "/zalo"
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8444
    verifier_file: str = ""
    api_base: str = ""
    zns: ZnsSection = field(default_factory=ZnsSection)


@dataclass(frozen=True)
class DeliverySection:
    messages_per_second: float = 25.0
    concurrency: int = 4
    retry_initial_seconds: float = 1.0
    retry_max_seconds: float = 60.0
    flood_messages_per_minute: int = 20


@dataclass(frozen=True)
class AnswersSection:
    context_minutes: int = 30


@dataclass(frozen=True)
class RemindersSection:
    send_at: str = "07:30"
    day_ends_at: str = "17:00"
    remind: list[str] = field(default_factory=lambda: ["7d", "3d", "1d", "0d"])
    overdue_days: int = 7
    late_after_minutes: int = 15
    supervisors_chat_id: int = 0


@dataclass(frozen=True)
class CalendarSection:
    """The province's own days off and working days, on top of the national calendar."""

    extra_days_off: list[str] = field(default_factory=list)
    extra_working_days: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class HotlineTopic:
    id: str
    label: str


@dataclass(frozen=True)
class HotlineTeam:
    name: str
    chat_id: int
    topics: list[str] = field(default_factory=list)


DEFAULT_TOPICS = [
    HotlineTopic("ho-tich", "Hộ tịch"),
    HotlineTopic("chung-thuc", "Chứng thực"),
    HotlineTopic("dat-dai", "Đất đai"),
    HotlineTopic("mot-cua", "Một cửa / chuyển đổi số"),
    HotlineTopic("nghiep-vu", "Nghiệp vụ cán bộ"),
    HotlineTopic("khac", "Khác"),
    HotlineTopic("ve-xa", "Đề nghị tổ công tác về xã hỗ trợ trực tiếp"),
]


@dataclass(frozen=True)
class HotlineSection:
    office_hours: str = "07:30-11:30,13:30-17:00"
    first_response_minutes: int = 60
    escalate_minutes: int = 240
    supervisor_chat_id: int = 0
    reopen_days: int = 7
    show_staff_names: bool = False
    staff_ids: list[int] = field(default_factory=list)
    topics: list[HotlineTopic] = field(default_factory=lambda: list(DEFAULT_TOPICS))
    teams: list[HotlineTeam] = field(default_factory=list)


@dataclass(frozen=True)
class Config:
    bot: BotSection = field(default_factory=BotSection)
    storage: StorageSection = field(default_factory=StorageSection)
    knowledge: KnowledgeSection = field(default_factory=KnowledgeSection)
    texts: TextsSection = field(default_factory=TextsSection)
    support: SupportSection = field(default_factory=SupportSection)
    onboarding: OnboardingSection = field(default_factory=OnboardingSection)
    telegram: TelegramSection = field(default_factory=TelegramSection)
    zalo: ZaloSection = field(default_factory=ZaloSection)
    delivery: DeliverySection = field(default_factory=DeliverySection)
    answers: AnswersSection = field(default_factory=AnswersSection)
    calendar: CalendarSection = field(default_factory=CalendarSection)
    reminders: RemindersSection = field(default_factory=RemindersSection)
    hotline: HotlineSection = field(default_factory=HotlineSection)
    source: Path | None = None

    @property
    def base_dir(self) -> Path:
        """Relative paths in the file are relative to the file's folder."""
        return self.source.parent if self.source else Path.cwd()

    def resolve(self, value: str) -> Path:
        path = Path(value).expanduser()
        return path if path.is_absolute() else self.base_dir / path

    @property
    def data_dir(self) -> Path:
        if self.bot.data_dir:
            return self.resolve(self.bot.data_dir)
        return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))

    @property
    def database_path(self) -> Path:
        if self.storage.path:
            return self.resolve(self.storage.path)
        return self.data_dir / "commune-bot.sqlite3"

    @property
    def knowledge_folders(self) -> list[Path]:
        return [self.resolve(folder) for folder in self.knowledge.folders]


# (section, key) filled from an environment variable when it is set and not empty.
ENV_OVERRIDES: dict[tuple[str, str], str] = {
    ("telegram", "token"): "COMMUNE_BOT_TELEGRAM_TOKEN",
    ("telegram", "webhook_secret"): "COMMUNE_BOT_WEBHOOK_SECRET",
    ("zalo", "app_secret"): "COMMUNE_BOT_ZALO_APP_SECRET",
    ("zalo", "oa_secret"): "COMMUNE_BOT_ZALO_OA_SECRET",
}


def load_config(path: Path | None, environ: typing.Mapping[str, str] | None = None) -> Config:
    """Load and validate `path`; with no path, embedded defaults (plus environment secrets)."""
    environ = os.environ if environ is None else environ
    raw: dict[str, Any] = {}
    if path is not None:
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"{path}: file not found") from None
        except (OSError, UnicodeDecodeError) as err:
            raise ConfigError(f"{path}: cannot read the file ({err})") from None
        except tomllib.TOMLDecodeError as err:
            raise ConfigError(f"{path}: not valid TOML: {err}") from None
    name = str(path) if path else "config"
    for (section, key), variable in ENV_OVERRIDES.items():
        if environ.get(variable):
            raw.setdefault(section, {})
            if isinstance(raw[section], dict):
                raw[section][key] = environ[variable]
    sections = {}
    for section_field in dataclasses.fields(Config):
        if section_field.name == "source":
            continue
        section_type = typing.get_type_hints(Config)[section_field.name]
        sections[section_field.name] = _build_section(
            name, section_field.name, section_type, raw.pop(section_field.name, {})
        )
    if raw:
        raise ConfigError(f"{name}: unknown section [{next(iter(raw))}]")
    config = Config(**sections, source=path)
    _check_values(name, config)
    return config


def _build_section(file: str, section: str, cls: type, raw: Any) -> Any:
    if not isinstance(raw, dict):
        raise ConfigError(f"{file}: [{section}] must be a table")
    return _build_table(file, section, cls, raw)


def _build_table(file: str, section: str, cls: type, raw: Any) -> Any:
    if not isinstance(raw, dict):
        raise ConfigError(f"{file}: [{section}] must be a table, like [[{section}]]")
    hints = typing.get_type_hints(cls)
    values = {}
    for key, value in raw.items():
        if key not in hints:
            known = ", ".join(hints)
            raise ConfigError(f"{file}: [{section}] unknown key '{key}' (known keys: {known})")
        if dataclasses.is_dataclass(hints[key]):  # a sub-table such as [zalo.zns]
            values[key] = _build_section(file, f"{section}.{key}", hints[key], value)
        else:
            values[key] = _coerce(value, hints[key], f"{file}: [{section}] {key}")
    missing = [f.name for f in dataclasses.fields(cls)  # type: ignore[arg-type]
               if f.name not in values and f.default is dataclasses.MISSING
               and f.default_factory is dataclasses.MISSING]
    if missing:
        raise ConfigError(f"{file}: [{section}] {missing[0]} is required")
    return cls(**values)


def _coerce(value: Any, expected: Any, where: str) -> Any:
    if dataclasses.is_dataclass(expected):
        # A table of a list of tables ([[hotline.teams]]): "file: [hotline.teams] key …".
        file, _, rest = where.rpartition(": [")
        section, _, key = rest.partition("] ")
        return _build_table(file, f"{section}.{key}", expected, value)
    origin = typing.get_origin(expected)
    if origin is Literal:
        allowed = typing.get_args(expected)
        if value not in allowed:
            choices = ", ".join(f'"{a}"' for a in allowed)
            raise ConfigError(f"{where} must be one of {choices}, got {_show(value)}")
        return value
    if origin is list:
        (item,) = typing.get_args(expected)
        if not isinstance(value, list):
            raise ConfigError(f"{where} must be a list, got {_show(value)}")
        return [_coerce(v, item, where) for v in value]
    if origin is dict:
        _, item = typing.get_args(expected)
        if not isinstance(value, dict):
            raise ConfigError(f"{where} must be a table, got {_show(value)}")
        return {str(k): _coerce(v, item, f"{where}.{k}") for k, v in value.items()}
    number = isinstance(value, int | float) and not isinstance(value, bool)
    ok = {
        bool: isinstance(value, bool),
        int: isinstance(value, int) and not isinstance(value, bool),
        float: number,
        str: isinstance(value, str),
    }[expected]
    if not ok:
        noun = {bool: "true or false", int: "an integer", float: "a number", str: "a string"}
        raise ConfigError(f"{where} must be {noun[expected]}, got {_show(value)}")
    return float(value) if expected is float else value


def _show(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value)


def _check_values(file: str, config: Config) -> None:
    if not 0 < config.knowledge.stale_after_days <= 36500:
        raise ConfigError(
            f"{file}: [knowledge] stale_after_days must be between 1 and 36500 (a century)"
        )
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(config.bot.timezone)
    except (KeyError, ValueError):
        raise ConfigError(
            f'{file}: [bot] timezone "{config.bot.timezone}" is not a known time zone'
        ) from None
    if config.bot.channel == "telegram" and not config.telegram.token:
        raise ConfigError(
            f"{file}: [bot] channel is \"telegram\" but no token is set "
            "([telegram] token or COMMUNE_BOT_TELEGRAM_TOKEN)"
        )
    if not 0 < config.telegram.webhook_port < 65536:
        raise ConfigError(f"{file}: [telegram] webhook_port must be between 1 and 65535")
    _check_telegram(file, config.telegram)
    _check_zalo(file, config.zalo)
    _check_delivery(file, config.delivery)
    _check_support(file, config.support)
    _check_onboarding(file, config)
    if not 1 <= config.answers.context_minutes <= 1440:
        raise ConfigError(f"{file}: [answers] context_minutes must be between 1 and 1440 (a day)")
    _check_calendar(file, config.calendar)
    _check_reminders(file, config.reminders)
    _check_hotline(file, config.hotline)


BOT_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
# Telegram accepts only these characters in a webhook secret token.
WEBHOOK_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def _check_telegram(file: str, telegram: TelegramSection) -> None:
    # The token is a secret: problems with it are described, never echoed.
    if telegram.token and not BOT_TOKEN.match(telegram.token):
        raise ConfigError(
            f"{file}: [telegram] token does not look like a bot token from @BotFather "
            "(digits, a colon, then letters, digits, - or _)"
        )
    if telegram.base_url and not telegram.base_url.startswith(("http://", "https://")):
        raise ConfigError(
            f'{file}: [telegram] base_url must start with http:// or https://, '
            f'got "{telegram.base_url}"'
        )
    if telegram.webhook_url and not telegram.webhook_url.startswith("https://"):
        raise ConfigError(
            f'{file}: [telegram] webhook_url must be an https:// address, '
            f'got "{telegram.webhook_url}"'
        )
    if telegram.webhook_secret and not WEBHOOK_SECRET.match(telegram.webhook_secret):
        raise ConfigError(
            f"{file}: [telegram] webhook_secret may only use letters, digits, - and _ "
            "(at most 256)"
        )


def _check_zalo(file: str, zalo: ZaloSection) -> None:
    if not zalo.app_id:
        return
    if not zalo.app_id.isdigit():
        raise ConfigError(f'{file}: [zalo] app_id must be the digits of the app id, '
                          f'got "{zalo.app_id}"')
    for key, variable in (("app_secret", "COMMUNE_BOT_ZALO_APP_SECRET"),
                          ("oa_secret", "COMMUNE_BOT_ZALO_OA_SECRET")):
        if not getattr(zalo, key):
            raise ConfigError(f"{file}: [zalo] app_id is set but {key} is not ({variable})")
    if not zalo.webhook_path.startswith("/"):
        raise ConfigError(f'{file}: [zalo] webhook_path must start with /, '
                          f'got "{zalo.webhook_path}"')
    if not 0 < zalo.webhook_port < 65536:
        raise ConfigError(f"{file}: [zalo] webhook_port must be between 1 and 65535")
    if zalo.api_base and not zalo.api_base.startswith(("http://", "https://")):
        raise ConfigError(f'{file}: [zalo] api_base must start with http:// or https://, '
                          f'got "{zalo.api_base}"')


def _check_delivery(file: str, delivery: DeliverySection) -> None:
    checks = (
        ("messages_per_second", 0 < delivery.messages_per_second <= 10_000),
        ("concurrency", 1 <= delivery.concurrency <= 64),
        ("retry_initial_seconds", 0 < delivery.retry_initial_seconds <= 3600),
        ("retry_max_seconds",
         delivery.retry_initial_seconds <= delivery.retry_max_seconds <= 86400),
        ("flood_messages_per_minute", delivery.flood_messages_per_minute > 0),
    )
    for key, fine in checks:
        if not fine:
            raise ConfigError(f"{file}: [delivery] {key} is out of range (see config.example.toml)")


def _check_support(file: str, support: SupportSection) -> None:
    if support.staff_chat and support.staff_chat_id:
        raise ConfigError(f"{file}: [support] set either staff_chat or staff_chat_id, not both")
    if support.staff_chat:
        try:
            parse_address(support.staff_chat)
        except ValueError as err:
            raise ConfigError(f"{file}: [support] staff_chat {err}") from None


def _check_onboarding(file: str, config: Config) -> None:
    onboarding = config.onboarding
    if onboarding.units and onboarding.units_file:
        raise ConfigError(f"{file}: [onboarding] set either units or units_file, not both")
    if not onboarding.positions:
        raise ConfigError(f"{file}: [onboarding] positions must list at least one position")
    if onboarding.require_approval and config.support.staff_address() is None:
        raise ConfigError(
            f"{file}: [onboarding] require_approval needs [support] staff_chat, "
            "the chat where the support team approves officials"
        )


def _check_calendar(file: str, calendar: CalendarSection) -> None:
    for key in ("extra_days_off", "extra_working_days"):
        for value in getattr(calendar, key):
            try:
                date.fromisoformat(value)
            except ValueError:
                raise ConfigError(
                    f'{file}: [calendar] {key}: "{value}" is not a date like "2027-02-15"'
                ) from None
    both = set(calendar.extra_days_off) & set(calendar.extra_working_days)
    if both:
        raise ConfigError(
            f"{file}: [calendar] {min(both)} is both an extra day off and a working day"
        )


def calendar_days(calendar: CalendarSection) -> tuple[list[date], list[date]]:
    """The extra days off and working days as dates (checked at load time)."""
    return ([date.fromisoformat(d) for d in calendar.extra_days_off],
            [date.fromisoformat(d) for d in calendar.extra_working_days])


def _check_hotline(file: str, hotline: HotlineSection) -> None:
    from handlers.workdays import parse_office_hours

    try:
        parse_office_hours(hotline.office_hours)
    except ValueError as err:
        raise ConfigError(f"{file}: [hotline] office_hours: {err}") from None
    for key in ("first_response_minutes", "escalate_minutes", "reopen_days"):
        if getattr(hotline, key) <= 0:
            raise ConfigError(f"{file}: [hotline] {key} must be more than 0")
    topics = [topic.id for topic in hotline.topics]
    if len(set(topics)) != len(topics):
        raise ConfigError(f"{file}: [hotline.topics] an id is listed twice")
    if not hotline.teams:
        return
    defaults = [team.name for team in hotline.teams if not team.topics]
    if len(defaults) != 1:
        raise ConfigError(
            f"{file}: [hotline.teams] exactly one team must have no topics (the default "
            f"team), found {len(defaults)}"
        )
    seen: set[str] = set()
    for team in hotline.teams:
        for topic in team.topics:
            if topic not in topics:
                raise ConfigError(
                    f'{file}: [hotline.teams] "{team.name}" takes topic "{topic}", '
                    "which [[hotline.topics]] does not list"
                )
            if topic in seen:
                raise ConfigError(f'{file}: [hotline.teams] topic "{topic}" has two teams')
            seen.add(topic)


def clock_time(text: str) -> time:
    """"07:30" → 07:30; ValueError for anything else."""
    if not re.fullmatch(r"\d{1,2}:\d{2}", text):
        raise ValueError(text)
    hour, minute = text.split(":")
    return time(int(hour), int(minute))


def _check_reminders(file: str, reminders: RemindersSection) -> None:
    from handlers.deadlines.spec import offset_minutes

    for key in ("send_at", "day_ends_at"):
        try:
            clock_time(getattr(reminders, key))
        except ValueError:
            raise ConfigError(f'{file}: [reminders] {key} must be a time like "07:30", '
                              f'got "{getattr(reminders, key)}"') from None
    for offset in reminders.remind:
        try:
            offset_minutes(offset)
        except ValueError as err:
            raise ConfigError(f"{file}: [reminders] remind: {err}") from None
    if not 0 <= reminders.overdue_days <= 366:
        raise ConfigError(f"{file}: [reminders] overdue_days must be between 0 and 366")
    if not 1 <= reminders.late_after_minutes <= 1440:
        raise ConfigError(f"{file}: [reminders] late_after_minutes must be between 1 and 1440")


def load_units(config: Config) -> list[str]:
    """The communes and wards officials choose from: [onboarding] units, or units_file.

    The file has one unit per line; blank lines and lines starting with # are skipped.
    """
    units = config.onboarding.units
    if config.onboarding.units_file:
        path = config.resolve(config.onboarding.units_file)
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as err:
            raise ConfigError(
                f"{config.source or 'config'}: [onboarding] units_file: cannot read {path} ({err})"
            ) from None
        stripped = (line.strip() for line in lines)
        units = [line for line in stripped if line and not line.startswith("#")]
    seen: set[str] = set()
    for unit in units:
        if unit in seen:
            raise ConfigError(
                f'{config.source or "config"}: [onboarding] unit "{unit}" is listed twice'
            )
        seen.add(unit)
    return list(units)


def find_config(explicit: Path | None) -> Path | None:
    """The file named on the command line, else ./config.toml when present, else none."""
    if explicit is not None:
        return explicit
    for name in DEFAULT_CONFIG_NAMES:
        if Path(name).is_file():
            return Path(name)
    return None
