"""The other académies' portals, read as peers through their REST API: the
administrator sets, for each other académie, the base URL of its API, the token of the
API client it gave us (stored encrypted) and whether it is called; an agent's
Consultation missions (and the access portal) then shows a tab per other académie where
the agent has missions (seed 001 §2.3.1).

The calls: the Python standard library's ``urllib.request`` (neither requests nor httpx
is a runtime dependency of the portal: requests only comes with the load-test tools),
one thread per peer so several peers cost one timeout, not their sum; each call bounded
by ``timeout`` seconds (config ``PEER_TIMEOUT_SECONDS``, 3 s), its answer by
``MAX_BYTES``. A peer that does not answer in time, or answers an error, gives a French
message instead of its missions: never an exception out of here.

The cache: an in-process TTL cache (a dict under a lock, per worker process), keyed by
the peer's URL and token and the numen; an answer is kept ``PEER_CACHE_SECONDS`` (120 s),
a failure ``FAILURE_SECONDS`` at most (so a peer that is down does not cost its timeout
on every page, and one that is back is read again soon)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, literal, select, type_coerce, update
from sqlalchemy.orm import Session

from app import crypto
from app.services import DomainError, NotFound
from app.services.interfaces.clients import TOKEN_RE
from models import Academy

DEFAULT_TIMEOUT = 3.0
DEFAULT_CACHE_SECONDS = 120
FAILURE_SECONDS = 30
PAGE_SIZE = 100
MAX_PAGES = 3  # 300 missions of one agent in one académie: more is not a real case
MAX_BYTES = 2 * 1024 * 1024
MAX_URL = 255
MAX_CACHED = 2000
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})
API_PATH = "/agents/{numen}/missions"


class FieldError(DomainError):
    """A wrong value of the peer form: ``field`` names it."""

    def __init__(self, field: str, message):
        super().__init__(message)
        self.field = field


# --- Configuration (the administrator) -----------------------------------------------------


def served_academy_id(session: Session, code: str) -> int | None:
    """The id of the académie this instance serves (``IMAGIN_ACADEMY_CODE``)."""
    return session.scalar(select(Academy.id).where(Academy.code == code))


def peers(session: Session, own_academy_id: int | None) -> list[Academy]:
    """Every other académie, by name (whether configured as a peer or not)."""
    return list(
        session.scalars(
            select(Academy).where(Academy.id != (own_academy_id or 0)).order_by(Academy.name)
        )
    )


def peer(session: Session, own_academy_id: int | None, academy_id: int) -> Academy:
    """Another académie; the served one (or an unknown id) is ``NotFound``."""
    found = session.get(Academy, academy_id)
    if found is None or found.id == own_academy_id:
        raise NotFound(_l("This academy does not exist."))
    return found


def has_token(academy: Academy) -> bool:
    return bool(academy.api_token)


def state_label(academy: Academy):
    """What the list says of a peer: called, configured but not called, not configured."""
    if academy.peer_enabled:
        return _l("Enabled")
    if academy.api_url and academy.api_token:
        return _l("Disabled")
    return _l("Not configured")


def url_error(url: str, *, allow_local_http: bool):
    """Why ``url`` is not a usable API base URL, or None: ``https://`` only; ``http://``
    to 127.0.0.1 or localhost only when ``allow_local_http`` (debug, tests)."""
    if len(url) > MAX_URL:
        return _l("%(max)s characters at most.", max=MAX_URL)
    parts = urllib.parse.urlsplit(url)
    local = (parts.hostname or "") in LOCAL_HOSTS
    if parts.scheme == "http" and local and allow_local_http:
        pass
    elif parts.scheme != "https":
        return _l("The address must start with https://.")
    if not parts.hostname or parts.username or parts.password or parts.query or parts.fragment:
        return _l(
            "Give the address of the academy's API, for example "
            "https://imagin.ac-nantes.fr/api/v1 (no identifier, no parameter)."
        )
    return None


def configure(
    session: Session,
    academy: Academy,
    *,
    api_url: str,
    token: str,
    enabled: bool,
    clear_token: bool = False,
    allow_local_http: bool = False,
) -> None:
    """Set the peer's API URL, its token (an empty ``token`` keeps the stored one) and
    whether it is called; ``FieldError`` names the wrong field."""
    api_url = (api_url or "").strip().rstrip("/")
    token = (token or "").strip()
    if api_url:
        error = url_error(api_url, allow_local_http=allow_local_http)
        if error:
            raise FieldError("api_url", error)
    if token and not TOKEN_RE.fullmatch(token):
        raise FieldError(
            "token",
            _l("This is not a token of IMAG'IN (imagin_ followed by 56 characters)."),
        )
    kept = None if clear_token else academy.api_token
    new_token = token or kept
    if enabled and not api_url:
        raise FieldError("api_url", _l("Give the address of the academy's API to enable it."))
    if enabled and not new_token:
        raise FieldError("token", _l("Give the token the academy gave you to enable it."))
    academy.api_url = api_url or None
    academy.api_token = new_token
    academy.peer_enabled = enabled
    session.flush()


def rotate_tokens(session: Session) -> int:
    """Re-encrypt the peers' tokens with the first key of ``DATA_ENCRYPTION_KEYS`` (as
    stored: no clear token leaves this function); how many were rewritten."""
    table = Academy.__table__
    stored = type_coerce(table.c.api_token, String).label("api_token")
    rows = session.execute(select(table.c.id, stored).where(table.c.api_token.is_not(None))).all()
    for row in rows:
        session.execute(
            update(table)
            .where(table.c.id == row.id)
            .values(api_token=literal(crypto.rotate(row.api_token), String))
        )
    return len(rows)


# --- Reading an agent's missions at the peers -------------------------------------------


@dataclass(frozen=True)
class PeerMission:
    """A mission of the agent in another académie, as that académie's API gave it."""

    number: int
    exam: str
    session: str
    specialty: str
    paper: str
    mission_type: str
    first_day: dt.date | None
    last_day: dt.date | None
    centre: str
    quality: str
    correction_state: str


@dataclass(frozen=True)
class PeerResult:
    """What one peer answered for the agent: its missions, or the French message of
    its failure (``error``)."""

    code: str
    name: str
    portal_url: str | None
    missions: tuple[PeerMission, ...] = ()
    error: object = None

    @property
    def failed(self) -> bool:
        return self.error is not None


@dataclass(frozen=True)
class _Target:
    code: str
    name: str
    portal_url: str | None
    api_url: str
    token: str

    @property
    def cache_key(self) -> tuple:
        token_hash = hashlib.sha256(self.token.encode()).hexdigest()
        return (self.code, self.api_url, token_hash)


class PeerError(Exception):
    """A peer did not answer, or answered something else than a page of missions."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def enabled_targets(session: Session, own_academy_id: int | None) -> list[_Target]:
    return [
        _Target(academy.code, academy.name, academy.portal_url, academy.api_url, academy.api_token)
        for academy in session.scalars(
            select(Academy)
            .where(
                Academy.id != (own_academy_id or 0),
                Academy.peer_enabled.is_(True),
                Academy.api_url.is_not(None),
                Academy.api_token.is_not(None),
            )
            .order_by(Academy.name)
        )
    ]


def _text(value, limit: int = 200) -> str:
    return str(value)[:limit] if value is not None else ""


def _label(value) -> str:
    return _text(value.get("label")) if isinstance(value, dict) else ""


def _date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _mission(item: dict) -> PeerMission:
    centre = item.get("centre") if isinstance(item.get("centre"), dict) else None
    number = item.get("number")
    return PeerMission(
        number=number if isinstance(number, int) and not isinstance(number, bool) else 0,
        exam=_text(item.get("exam")),
        session=_text(item.get("session")),
        specialty=_text(item.get("specialty")),
        paper=_text(item.get("paper")),
        mission_type=_text(item.get("mission_type")),
        first_day=_date(item.get("first_day")),
        last_day=_date(item.get("last_day")),
        centre=(
            f"{_text(centre.get('name'))} {_text(centre.get('town'))} ({_text(centre.get('uai'))})"
            if centre
            else ""
        ),
        quality=_label(item.get("quality")),
        correction_state=_label(item.get("correction_state")),
    )


def _get_page(target: _Target, numen: str, page: int, timeout: float) -> dict:
    path = API_PATH.format(numen=urllib.parse.quote(numen, safe=""))
    query = urllib.parse.urlencode({"page": page, "page_size": PAGE_SIZE})
    request = urllib.request.Request(  # noqa: S310 - the URL is https (or local http in tests)
        f"{target.api_url}{path}?{query}",
        headers={"Authorization": f"Bearer {target.token}", "Accept": "application/json"},
    )
    unreachable = _l(
        "The academy of %(name)s does not answer: its missions cannot be shown for now. "
        "Try again in a few minutes.",
        name=target.name,
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            body = response.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as error:
        if error.code in (401, 403):
            raise PeerError(
                _l(
                    "The academy of %(name)s refused the portal's access: its missions cannot "
                    "be shown. Tell your manager.",
                    name=target.name,
                )
            ) from error
        raise PeerError(
            _l(
                "The academy of %(name)s answered with an error (%(status)s): its missions "
                "cannot be shown for now. Try again in a few minutes.",
                name=target.name,
                status=error.code,
            )
        ) from error
    except (OSError, ValueError) as error:  # refused, timeout, DNS, TLS, a wrong URL
        raise PeerError(unreachable) from error
    try:
        if len(body) > MAX_BYTES:
            raise ValueError("too large")
        data = json.loads(body)
        if not isinstance(data, dict) or not isinstance(data.get("items"), list):
            raise ValueError("not a page")
    except ValueError as error:
        raise PeerError(
            _l(
                "The academy of %(name)s gave an answer the portal cannot read: its missions "
                "cannot be shown for now.",
                name=target.name,
            )
        ) from error
    return data


def fetch(target: _Target, numen: str, timeout: float) -> PeerResult:
    """The agent's missions at one peer (up to ``MAX_PAGES`` pages), or its failure."""
    missions: list[PeerMission] = []
    try:
        for page in range(1, MAX_PAGES + 1):
            data = _get_page(target, numen, page, timeout)
            missions.extend(_mission(item) for item in data["items"] if isinstance(item, dict))
            links = data.get("links")
            if not isinstance(links, dict) or not links.get("next"):
                break
    except PeerError as error:
        return PeerResult(target.code, target.name, target.portal_url, error=error.message)
    return PeerResult(target.code, target.name, target.portal_url, tuple(missions))


class TtlCache:
    """A small in-process cache whose entries expire (``time.monotonic``)."""

    def __init__(self, size: int = MAX_CACHED):
        self.size = size
        self._entries: dict[tuple, tuple[float, object]] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple):
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            if found[0] <= time.monotonic():
                del self._entries[key]
                return None
            return found[1]

    def put(self, key: tuple, value, seconds: float) -> None:
        if seconds <= 0:
            return
        with self._lock:
            now = time.monotonic()
            if len(self._entries) >= self.size:
                for old in [k for k, (until, _v) in self._entries.items() if until <= now]:
                    del self._entries[old]
                while len(self._entries) >= self.size:
                    del self._entries[next(iter(self._entries))]
            self._entries[key] = (now + seconds, value)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


CACHE = TtlCache()


def agent_missions(
    session: Session,
    own_academy_id: int | None,
    numen: str | None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    cache_seconds: float = DEFAULT_CACHE_SECONDS,
) -> list[PeerResult]:
    """What every enabled peer says of the agent of ``numen``, by académie name: the
    peers are called at once (one thread each), each for ``timeout`` seconds at most;
    a peer still silent after that is a failure. Without a numen (an external
    contributor's identifier is not shared between académies), nothing."""
    if not numen:
        return []
    results: dict[str, PeerResult] = {}
    missing = []
    for target in enabled_targets(session, own_academy_id):
        cached = CACHE.get((*target.cache_key, numen))
        if cached is not None:
            results[target.code] = cached
        else:
            missing.append(target)
    if missing:
        pool = ThreadPoolExecutor(max_workers=min(8, len(missing)))
        futures = {pool.submit(fetch, target, numen, timeout): target for target in missing}
        # Each page read is bounded by ``timeout``; the whole wait too (a peer sending
        # its answer slowly is given up, its thread ends with its socket's timeout).
        wait_for(futures, timeout=timeout * MAX_PAGES + 0.5)
        pool.shutdown(wait=False, cancel_futures=True)
        for future, target in futures.items():
            if future.done() and not future.cancelled():
                result = future.result()
            else:
                result = PeerResult(
                    target.code,
                    target.name,
                    target.portal_url,
                    error=_l(
                        "The academy of %(name)s does not answer: its missions cannot be "
                        "shown for now. Try again in a few minutes.",
                        name=target.name,
                    ),
                )
            seconds = min(cache_seconds, FAILURE_SECONDS) if result.failed else cache_seconds
            CACHE.put((*target.cache_key, numen), result, seconds)
            results[target.code] = result
    return sorted(results.values(), key=lambda result: result.name)


# --- The tabs of the other académies -----------------------------------------------------


@dataclass(frozen=True)
class Tab:
    code: str  # "" for the served académie
    label: object
    current: bool
    failed: bool = False


@dataclass
class AcademyTabs:
    """The tab strip of Consultation missions (and the access portal): the served
    académie first, then each other académie where the agent has missions or that did
    not answer; ``selected`` is the chosen peer's result (None: the served académie's
    own list)."""

    tabs: list[Tab] = field(default_factory=list)
    selected: PeerResult | None = None

    @property
    def shown(self) -> bool:
        return len(self.tabs) > 1


def academy_tabs(
    session: Session,
    own_academy: Academy | None,
    numen: str | None,
    selected_code: str | None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    cache_seconds: float = DEFAULT_CACHE_SECONDS,
) -> AcademyTabs:
    own_id = own_academy.id if own_academy else None
    results = [
        result
        for result in agent_missions(
            session, own_id, numen, timeout=timeout, cache_seconds=cache_seconds
        )
        if result.missions or result.failed
    ]
    selected = next((result for result in results if result.code == selected_code), None)
    own_name = own_academy.name if own_academy else ""
    tabs = [Tab("", _l("Academy of %(name)s", name=own_name), selected is None)]
    tabs += [
        Tab(
            result.code,
            _l("Academy of %(name)s", name=result.name),
            result is selected,
            result.failed,
        )
        for result in results
    ]
    return AcademyTabs(tabs, selected)
