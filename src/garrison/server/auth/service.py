"""Authentication (API tokens, users) and authorization (role × project scope)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from garrison.server.auth import repository as repo
from garrison.server.clock import utcnow
from garrison.server.errors import Conflict, Forbidden, Invalid, Unauthorized
from garrison.server.models import ApiToken, User

ROLES = ("reader", "writer", "admin")
TOKEN_PREFIX = "gar_"
SESSION_TTL = 12 * 3600


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: a token or a logged-in user, with a role and the projects it may see (None = all)."""

    name: str
    role: str
    projects: frozenset[str] | None

    def can(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)

    def may_see(self, project: str) -> bool:
        return self.projects is None or project in self.projects


def require(principal: Principal, role: str, project: str | None = None) -> None:
    if not principal.can(role):
        raise Forbidden(f"this needs the {role} role (you have {principal.role})")
    if project is not None and not principal.may_see(project):
        raise Forbidden(f"not allowed for project {project!r}")


def check_role(role: str) -> str:
    if role not in ROLES:
        raise Invalid(f"unknown role {role!r} (expected one of: {', '.join(ROLES)})", field="role")
    return role


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def create_token(session: Session, *, name: str, role: str, projects: Sequence[str] = ()) -> str:
    """Store a new token and return it; only its hash is kept."""
    if not name.strip() or len(name.strip()) > 150:
        raise Invalid("a token needs a name of 1–150 characters", field="name")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    repo.add_token(
        session,
        ApiToken(
            name=name.strip(),
            token_hash=hash_token(raw),
            role=check_role(role),
            projects=sorted(set(projects)) or None,
            created_at=utcnow(),
            revoked=False,
        ),
    )
    return raw


def authenticate_token(session: Session, raw: str | None) -> Principal:
    if not raw:
        raise Unauthorized("authentication required: send `Authorization: Bearer <token>`")
    token = repo.token_by_hash(session, hash_token(raw))
    if token is None or token.revoked:
        raise Unauthorized("invalid or revoked token")
    return Principal(f"token:{token.name}", token.role, frozenset(token.projects) if token.projects else None)


# --------------------------------------------------------------------------------------------- users


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
    return f"scrypt${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, salt_hex, digest_hex = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    expected = hash_password(password, salt=bytes.fromhex(salt_hex)).split("$")[2]
    return hmac.compare_digest(expected, digest_hex)


def create_user(session: Session, *, name: str, password: str, role: str, projects: Sequence[str] = ()) -> User:
    if not name.strip() or len(name.strip()) > 150:
        raise Invalid("a user needs a name of 1–150 characters", field="name")
    if len(password) < 8:
        raise Invalid("the password must have at least 8 characters", field="password")
    if repo.user_by_name(session, name.strip()) is not None:
        raise Conflict(f"user {name.strip()!r} exists", field="name")
    return repo.add_user(
        session,
        User(
            name=name.strip(),
            password_hash=hash_password(password),
            role=check_role(role),
            projects=sorted(set(projects)) or None,
            created_at=utcnow(),
            disabled=False,
        ),
    )


def login(session: Session, name: str, password: str) -> User:
    user = repo.user_by_name(session, name.strip())
    if user is None or user.disabled or not verify_password(password, user.password_hash):
        raise Unauthorized("wrong user name or password")
    return user


def principal_of(user: User) -> Principal:
    return Principal(f"user:{user.name}", user.role, frozenset(user.projects) if user.projects else None)


# --------------------------------------------------------------------------------------------- session cookie


def _sign(secret: str, payload: str) -> str:
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()


def make_session_cookie(secret: str, user_id: int, *, now: float | None = None) -> str:
    expires = int((now or time.time()) + SESSION_TTL)
    payload = f"{user_id}:{expires}:{secrets.token_hex(8)}"
    return base64.urlsafe_b64encode(f"{payload}:{_sign(secret, payload)}".encode()).decode()


def read_session_cookie(secret: str, cookie: str | None, *, now: float | None = None) -> tuple[int, str] | None:
    """(user id, CSRF token) for a valid, unexpired cookie; None otherwise."""
    if not cookie:
        return None
    try:
        text = base64.urlsafe_b64decode(cookie.encode()).decode()
        uid, expires, nonce, sig = text.split(":")
    except (ValueError, UnicodeDecodeError):
        return None
    payload = f"{uid}:{expires}:{nonce}"
    if not hmac.compare_digest(_sign(secret, payload), sig):
        return None
    if not expires.isdigit() or int(expires) < (now or time.time()) or not uid.isdigit():
        return None
    return int(uid), _sign(secret, "csrf:" + payload)[:32]
