"""Composition root: builds every service once from the settings and passes them down.

Each property is built on first use, so a CLI command only pays for what it touches
(`civicbot rooms list` never loads the embedder).
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from bot import redact
from bot.db import create_schema, make_engine
from bot.settings import Settings

if TYPE_CHECKING:  # types only: each service's module is imported when it is first built
    from redis import Redis
    from sqlalchemy.engine import Engine

    from bookings.service import BookingService
    from bot.inbox import SqlInbox
    from handlers.dialog import Dialog
    from handlers.flow import FlowSettings, Services
    from handlers.jobs import JobStore
    from handlers.logs import ActivityLog
    from handlers.messages import Target
    from handlers.outbox import Outbox
    from handlers.privacy import Privacy
    from handlers.pseudonym import Pseudonyms
    from handlers.roles import RoleStore
    from handlers.staff.service import StaffService
    from handlers.staff_langs import StaffLangStore
    from handlers.state import Deduper, DialogStateStore, RateLimiter
    from knowledge.eligibility.log import EligibilityLog
    from knowledge.eligibility.registry import RuleRegistry
    from knowledge.store import KnowledgeBase
    from retrieval.answer import Answerer
    from retrieval.embedders import Embedder
    from retrieval.service import SearchService


def console_url(settings: Settings) -> str:
    """The base of the staff console's links: PUBLIC_URL, else this machine's HTTP port."""
    return (settings.public_url or f"http://127.0.0.1:{settings.http_port}").rstrip("/")


class App:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        redact.install(settings)  # tokens and secrets never reach a log line
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        from knowledge.ingest.limits import set_limits

        set_limits(max_chars=settings.max_doc_chars, max_chunks=settings.max_doc_chunks,
                   parse_timeout_s=settings.parse_timeout_s, parse_memory_mb=settings.parse_memory_mb,
                   max_unpacked_mb=settings.max_unpacked_mb)

    @cached_property
    def engine(self) -> Engine:
        engine = make_engine(self.settings.db_url)
        create_schema(engine, pseudonym_key=self.pseudonym_key)
        return engine

    @cached_property
    def kb(self) -> KnowledgeBase:
        from knowledge.store import KnowledgeBase

        return KnowledgeBase(self.engine)

    @cached_property
    def embedder(self) -> Embedder:
        from retrieval.embedders import make_embedder

        return make_embedder(self.settings.embedder, blas_threads=self.settings.blas_threads)

    @cached_property
    def search(self) -> SearchService:
        """The hybrid search service, indexes loaded from the data dir and synced with the database."""
        from retrieval.service import SearchService

        return SearchService(self.engine, self.settings.data_dir / "index", self.embedder)

    @cached_property
    def answerer(self) -> Answerer:
        from retrieval.answer import Answerer

        return Answerer(
            self.search,
            threshold=self.settings.answer_threshold,
            llm_base_url=self.settings.llm_base_url,
            llm_model=self.settings.llm_model,
            llm_api_key=self.settings.llm_api_key.get_secret_value() if self.settings.llm_api_key else None,
            llm_timeout_s=self.settings.llm_timeout_s,
        )

    @cached_property
    def rules(self) -> RuleRegistry:
        from knowledge.eligibility.registry import RuleRegistry

        return RuleRegistry.load_default(extra_dir=self.settings.data_dir / "rules")

    @cached_property
    def eligibility_log(self) -> EligibilityLog:
        from knowledge.eligibility.log import EligibilityLog

        return EligibilityLog(self.engine)

    @cached_property
    def bookings(self) -> BookingService:
        from bookings.service import BookingService

        return BookingService(self.engine, house_tz=self.settings.house_timezone)

    # ---- conversation layer ---------------------------------------------------------------
    @cached_property
    def pseudonym_key(self) -> bytes:
        from bot.keys import load_pseudonym_key

        configured = self.settings.pseudonym_key
        return load_pseudonym_key(configured.get_secret_value() if configured else None, self.settings.data_dir)

    @cached_property
    def pseudonyms(self) -> Pseudonyms:
        from handlers.pseudonym import Pseudonyms

        return Pseudonyms(self.pseudonym_key)

    @cached_property
    def privacy(self) -> Privacy:
        """`civicbot privacy forget|purge` and the runner's periodic purge (handlers/privacy.py)."""
        from bot.channels.registry import CHANNELS
        from handlers.privacy import Privacy

        return Privacy(self.engine, self.pseudonyms, states=self.states, limiter=self.limiter,
                       retention_days=self.settings.retention_days, audit=self.staff.audit, channels=CHANNELS.names())

    @cached_property
    def redis(self) -> Redis | None:
        if not self.settings.redis_url:
            return None
        import redis

        return redis.Redis.from_url(self.settings.redis_url)

    @cached_property
    def states(self) -> DialogStateStore:
        if self.redis is not None:
            from handlers.state_redis import RedisStateStore

            return RedisStateStore(self.redis)
        from handlers.state import SqlStateStore

        return SqlStateStore(self.engine)

    @cached_property
    def deduper(self) -> Deduper:
        if self.redis is not None:
            from handlers.state_redis import RedisDeduper

            return RedisDeduper(self.redis)
        from handlers.state import SqlDeduper

        return SqlDeduper(self.engine)

    @cached_property
    def limiter(self) -> RateLimiter:
        if self.redis is not None:
            from handlers.state_redis import RedisRateLimiter

            return RedisRateLimiter(self.redis, limit=self.settings.rate_limit_per_minute)
        from handlers.state import MemoryRateLimiter

        return MemoryRateLimiter(limit=self.settings.rate_limit_per_minute)

    @cached_property
    def logs(self) -> ActivityLog:
        from handlers.logs import ActivityLog

        return ActivityLog(self.engine, self.pseudonyms)

    @cached_property
    def outbox(self) -> Outbox:
        """The durable reply outbox (handlers/outbox.py); the runner's worker delivers it."""
        from handlers.outbox import Outbox

        return Outbox(self.engine)

    @cached_property
    def jobs(self) -> JobStore:
        from handlers.jobs import JobStore

        return JobStore(self.engine)

    def inbox(self, stream: str) -> SqlInbox:
        """Where polled updates of one channel are stored before they are confirmed."""
        from bot.inbox import SqlInbox

        return SqlInbox(self.engine, stream)

    @cached_property
    def staff(self) -> StaffService:
        from handlers.staff.service import StaffService

        return StaffService(self.engine, kb=self.kb, timezone=self.settings.timezone, pseudonyms=self.pseudonyms,
                            house_timezone=self.settings.house_timezone)

    @cached_property
    def roles(self) -> RoleStore:
        from bot.channels.registry import CHANNELS
        from handlers.roles import RoleStore

        return RoleStore(self.engine, self.settings.admin_id_set, configured=self.settings.configured_channels,
                         known=CHANNELS.names())

    @cached_property
    def staff_target(self) -> Target | None:
        from handlers.messages import Target

        raw = self.settings.staff_chat_id
        if not raw:
            return None
        channel, sep, chat = raw.partition(":")
        return Target(channel, chat) if sep and not channel.lstrip("-").isdigit() else Target("telegram", raw)

    @cached_property
    def staff_langs(self) -> StaffLangStore:
        from handlers.staff_langs import StaffLangStore

        return StaffLangStore(self.engine)

    def flow_settings(self) -> FlowSettings:
        """The plain values flows read from `Services.settings`."""
        s = self.settings
        return {
            "timezone": s.timezone,
            "house_timezone": s.house_timezone,
            "max_upload_mb": s.max_upload_mb,
            "max_text_chars": s.max_text_chars,
            "reminder_hours": s.reminder_offsets_h,
            "staff_lang": s.staff_lang or s.default_lang,
            "data_dir": str(s.data_dir),
            "console_url": console_url(s),
        }

    def services(self) -> Services:
        """Everything the flows use, built once (`dialog` holds the one the bot runs with)."""
        from handlers.flow import Services

        return Services(
            answerer=self.answerer,
            search=self.search,
            kb=self.kb,
            rules=self.rules,
            eligibility_log=self.eligibility_log,
            bookings=self.bookings,
            roles=self.roles,
            logs=self.logs,
            staff=self.staff,
            staff_target=self.staff_target,
            staff_langs=self.staff_langs,
            settings=self.flow_settings(),
        )

    @property
    def built_search(self) -> SearchService | None:
        """The search service if something already built it, else None (a health check must not load
        the indexes or the embedder)."""
        return self.search if "search" in self.__dict__ else None  # cached_property keeps it in __dict__

    @cached_property
    def dialog(self) -> Dialog:
        from bot.channels.registry import CHANNELS
        from handlers.dialog import Dialog
        from handlers.flows import default_flows
        from handlers.i18n import Catalog

        # no search.refresh() here: `civicbot run` serves from the saved index at once and brings it
        # up to date in the background (bot/runner.py); elsewhere the first search refreshes it
        self.embedder.embed_queries(["khởi động"])  # the engine's first call is slow: pay it at start-up
        dialog = Dialog(
            Catalog.load(),
            self.services(),
            default_flows(),
            self.states,
            deduper=self.deduper,
            limiter=self.limiter,
            default_lang=self.settings.default_lang,
            salt=self.pseudonym_key,
            text_only=CHANNELS.text_only_names(),
        )
        return dialog
